import { describe, expect, test } from 'vitest';
import { mergeConfig, parseConfig } from '../../src/core/config';
import { flagsToConfig, type ConfigFlags } from '../../src/cli/flags-to-config';
import { runParams } from '../../src/cli/run-params';
import type { Settings } from '../../src/cli/settings';
import { summaryLines } from '../../src/cli/summary';
import { summarize } from '../../src/core/report-summary';
import type { FileReport, RunReport } from '../../src/protocol/report';

const MB = 1024 * 1024;

/** What loadSettings makes of a config file and flags, without the file system. */
function settings(file: unknown, flags: ConfigFlags = {}): Settings {
  const fromFlags = flagsToConfig(flags);
  if (!fromFlags.ok) throw new Error(fromFlags.errors.map((e) => e.message).join('\n'));
  const parsed = parseConfig(mergeConfig(file, fromFlags.input), 'redline.config.json');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return { root: '/w', config: parsed.config, limitBytes: 1024 * MB };
}

describe('the cache settings reach the runner', () => {
  test('defaults: on, 5000 entries, 200 MB, nothing excluded', () => {
    expect(runParams(settings({}), { filters: [] }).cache).toEqual({ enabled: true, maxEntries: 5000, maxBytes: 200 * MB, exclude: [] });
  });
  test('the config file: maxMB becomes bytes (whole), exclude globs pass through', () => {
    const params = runParams(settings({ cache: { maxEntries: 10, maxMB: 0.5, exclude: ['test/slow/**'] } }), { filters: [] });
    expect(params.cache).toEqual({ enabled: true, maxEntries: 10, maxBytes: 512 * 1024, exclude: ['test/slow/**'] });
  });
  test('cache.enabled false, or --no-cache, turns it off', () => {
    expect(runParams(settings({ cache: { enabled: false } }), { filters: [] }).cache?.enabled).toBe(false);
    expect(runParams(settings({}, { cache: false }), { filters: [] }).cache?.enabled).toBe(false);
  });
  test('without --no-cache, commander\'s `cache: true` does not override the file', () => {
    expect(runParams(settings({ cache: { enabled: false } }, { cache: true }), { filters: [] }).cache?.enabled).toBe(false);
  });
  test('changedFiles only when a command asks for them (an empty list means: nothing affected)', () => {
    expect(runParams(settings({}), { filters: [] })).not.toHaveProperty('changedFiles');
    expect(runParams(settings({}), { filters: [], changedFiles: ['/w/src/x.ts'] }).changedFiles).toEqual(['/w/src/x.ts']);
  });
});

describe('--debounce', () => {
  test('sets watch.debounceMs', () => {
    expect(settings({ watch: { debounceMs: 300 } }).config.watch.debounceMs).toBe(300);
    expect(settings({ watch: { debounceMs: 300 } }, { debounce: '50' }).config.watch.debounceMs).toBe(50);
  });
  test('a bad value names the flag and quotes it', () => {
    const result = flagsToConfig({ debounce: 'soon' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toMatch(/^--debounce is "soon" — expected a whole number of milliseconds/);
  });
});

describe('cached files in the closing summary', () => {
  const file = (path: string, cached: boolean): FileReport => ({ path, state: 'passed', cached, durationMs: 5, peakRssBytes: 0, tests: [] });
  const report = (files: FileReport[]): RunReport => ({
    version: 1, root: '/w', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 300, summary: summarize(files), files,
    memory: { limitBytes: 1024 * MB, peakBytes: files.every((f) => f.cached) ? 0 : 100 * MB, tiers: [] },
    leaks: [], orphans: [], cache: { hits: files.filter((f) => f.cached).length, misses: files.filter((f) => !f.cached).length },
  });
  const plain = (r: RunReport): string => summaryLines(r, new Proxy({}, { get: () => (s: string) => s }) as never).join('\n');

  test('the Files line counts the cached files beside the total', () => {
    const text = plain(report([file('a', true), file('b', false)]));
    expect(text).toContain(' Files    2 passed (2, 1 cached)');
    expect(text).toContain(' Cache    1 hit · 1 miss');
    expect(text).toContain('peak 100.0 MB');
  });
  test('all from the cache: no "peak 0 B", it says no test ran', () => {
    const text = plain(report([file('a', true), file('b', true)]));
    expect(text).toContain(' Files    2 passed (2, 2 cached)');
    expect(text).toContain(' Cache    2 hits · 0 misses');
    expect(text).toContain("no test ran: every file's result came from the cache");
  });
  test('no cached files: the Files line is as before and there is no Cache line', () => {
    const text = plain(report([file('a', false)]));
    expect(text).toContain(' Files    1 passed (1)\n');
    expect(text).not.toContain('Cache');
  });
});
