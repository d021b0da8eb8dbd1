import { describe, expect, it } from 'vitest';
import { MAX_SILENCE_MS, shouldForward } from '../../src/core/sample-forwarding';
import type { MemorySample } from '../../src/protocol/runner';

const MB = 1024 * 1024;
const sample = (atMs: number, treeMB: number, more: Partial<MemorySample> = {}): MemorySample => ({
  atMs,
  treeRssBytes: treeMB * MB,
  limitBytes: 1000 * MB,
  tier: 'ok',
  processes: [{ pid: 10, role: 'runner', rssBytes: treeMB * MB }],
  ...more,
});

describe('shouldForward', () => {
  it('sends the first sample', () => {
    expect(shouldForward(undefined, sample(0, 100))).toBe(true);
  });

  it('holds back a quiet tree for up to half a second, then sends', () => {
    const last = sample(0, 100);
    expect(shouldForward(last, sample(100, 105))).toBe(false);
    expect(shouldForward(last, sample(400, 100))).toBe(false);
    expect(shouldForward(last, sample(MAX_SILENCE_MS - 1, 100))).toBe(false);
    expect(shouldForward(last, sample(MAX_SILENCE_MS, 100))).toBe(true);
  });

  it('sends a move of 1 % of the limit either way at once, so no peak is lost by more than that', () => {
    const last = sample(0, 100);
    expect(shouldForward(last, sample(100, 110))).toBe(true);
    expect(shouldForward(last, sample(100, 90))).toBe(true);
    expect(shouldForward(last, sample(100, 109.9))).toBe(false);
  });

  it("sends every new high of the run, so the chart's peak is the run's", () => {
    const last = sample(0, 100);
    expect(shouldForward(last, sample(100, 100.5), 100 * MB)).toBe(true);
    expect(shouldForward(last, sample(100, 100.5), 101 * MB)).toBe(false);
    // Without a high (the default), only the 1 % rule applies.
    expect(shouldForward(last, sample(100, 100.5))).toBe(false);
  });

  it("sends a new run's first sample (its clock starts again)", () => {
    expect(shouldForward(sample(9000, 100), sample(100, 100))).toBe(true);
  });

  it('sends another tier at once', () => {
    expect(shouldForward(sample(0, 100), sample(100, 100, { tier: 'warning' }))).toBe(true);
  });

  it('sends when a process comes or goes, or a worker moves to another file or test', () => {
    const worker = (test?: string) => ({ pid: 11, role: 'worker' as const, rssBytes: 50 * MB, file: 'a.test.ts', ...(test ? { test } : {}) });
    const last = sample(0, 100, { processes: [worker('one')] });
    expect(shouldForward(last, sample(100, 100, { processes: [worker('one')] }))).toBe(false);
    expect(shouldForward(last, sample(100, 100, { processes: [worker('two')] }))).toBe(true);
    expect(shouldForward(last, sample(100, 100, { processes: [] }))).toBe(true);
    expect(shouldForward(last, sample(100, 100, { processes: [worker('one'), { ...worker('one'), pid: 12 }] }))).toBe(true);
  });
});
