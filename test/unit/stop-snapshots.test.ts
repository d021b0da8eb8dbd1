// What a memory stop's heap snapshots say (src/runner/heap-snapshots.ts): the guard's snapshots
// compared, the file's early one as a baseline when the guard has only one, notes when anything is
// missing, a cap on what the runner reads, and the guard's other snapshots deleted.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { MAX_SUMMARIZED_BYTES, MIN_SUMMARIZED_BYTES, dropGuardSnapshots, explainLeaks, explainStop, summarizeFile, summaryCapBytes } from '../../src/runner/heap-snapshots';
import type { GuardSnapshots } from '../../src/runner/memory-guard';

const dir = mkdtempSync(join(tmpdir(), 'redline-stop-snapshots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A minimal V8 snapshot: `count` objects named `name` of 32 bytes each, and one other. */
function snapshotFile(file: string, name: string, count: number): string {
  const strings = ['', name, 'Other'];
  const rows = [[0, 2, 1, 100, 0], ...Array.from({ length: count }, (_, i) => [0, 1, i + 2, 32, 0])];
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
    node_types: [['object', 'string'], 'string', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['element'], 'string_or_number', 'node'],
  };
  const text = `{"snapshot":${JSON.stringify({ meta, node_count: rows.length, edge_count: 0 })},\n"nodes":[${rows.map((r) => r.join(',')).join(',\n')}],\n"edges":[],\n"strings":${JSON.stringify(strings)}}\n`;
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

function guard(over: Partial<GuardSnapshots>): GuardSnapshots {
  return { pid: 1, file: 'hog.test.js', paths: [], notes: [], failed: [], ...over };
}

const log = (): void => undefined;

describe('a memory stop with --heap-snapshot', () => {
  test('two guard snapshots: both named, and the constructors that grew between them', () => {
    const first = snapshotFile('1-guard1.heapsnapshot', 'HoardedRecord', 10);
    const second = snapshotFile('1-guard2.heapsnapshot', 'HoardedRecord', 210);
    const out = explainStop(guard({ paths: [first, second] }), undefined, log);
    expect(out.snapshots).toEqual([first, second]);
    expect(out.grew).toEqual([{ name: 'HoardedRecord', countDelta: 200, bytesDelta: 6400 }]);
    expect(out.snapshotNote).toBeUndefined();
  });

  test('one guard snapshot and the file\'s early one: compared from the early one', () => {
    const early = snapshotFile('2-early.heapsnapshot', 'Row', 5);
    const shot = snapshotFile('2-guard1.heapsnapshot', 'Row', 505);
    const out = explainStop(guard({ paths: [shot], notes: ['no heap snapshot 2: …'] }), early, log);
    expect(out.snapshots).toEqual([early, shot]);
    expect(out.grew?.[0]).toMatchObject({ name: 'Row', countDelta: 500 });
    expect(out.snapshotNote).toBe('no heap snapshot 2: …');
  });

  test('one snapshot only: named, nothing compared, and said so', () => {
    const shot = snapshotFile('3-guard1.heapsnapshot', 'Row', 5);
    const out = explainStop(guard({ paths: [shot] }), undefined, log);
    expect(out.snapshots).toEqual([shot]);
    expect(out.grew).toBeUndefined();
    expect(out.snapshotNote).toMatch(/one heap snapshot only/);
  });

  test('none: the guard\'s notes say why (a blocked event loop, no room), or that none was due', () => {
    const note = 'asked for heap snapshot 1; the worker did not answer within 1 s';
    expect(explainStop(guard({ notes: [note] }), undefined, log)).toEqual({ snapshotNote: note });
    expect(explainStop(undefined, undefined, log).snapshotNote).toMatch(/before one was due/);
  });

  test('a snapshot cut short by the stop is not named, and said so', () => {
    const shot = snapshotFile('4-guard1.heapsnapshot', 'Row', 5);
    const out = explainStop(guard({ paths: [shot], writing: join(dir, '4-guard2.heapsnapshot') }), undefined, log);
    expect(out.snapshots).toEqual([shot]);
    expect(out.snapshotNote).toMatch(/cut short/);
  });

  test('snapshots larger than the runner reads are named, not compared', () => {
    const b = snapshotFile('5-guard2.heapsnapshot', 'Row', 500);
    expect(() => summarizeFile(b, 1000)).toThrow(/more than the 1000 B the runner reads/);
    expect(summarizeFile(b).nodeCount).toBe(501);
    const out = explainStop(guard({ paths: [snapshotFile('5-guard1.heapsnapshot', 'Row', 5), b] }), undefined, log, 1000);
    expect(out.snapshots).toHaveLength(2);
    expect(out.grew).toBeUndefined();
    expect(out.snapshotNote).toMatch(/not compared: .* open it in Chrome DevTools/);
  });

  test('the runner reads at most an eighth of the limit, between 16 and 128 MB', () => {
    const MB = 1024 * 1024;
    expect(summaryCapBytes(512 * MB)).toBe(64 * MB);
    expect(summaryCapBytes(4096 * MB)).toBe(MAX_SUMMARIZED_BYTES);
    expect(MAX_SUMMARIZED_BYTES).toBe(128 * MB);
    expect(summaryCapBytes(64 * MB)).toBe(MIN_SUMMARIZED_BYTES);
    expect(MIN_SUMMARIZED_BYTES).toBe(16 * MB);
  });

  test('the guard\'s snapshots no stop names are deleted, and any cut short or failed', () => {
    const kept = snapshotFile('6-guard1.heapsnapshot', 'Row', 5);
    const other = snapshotFile('7-guard1.heapsnapshot', 'Row', 5);
    const partial = snapshotFile('7-guard2.heapsnapshot', 'Row', 5);
    const failed = snapshotFile('8-guard1.heapsnapshot', 'Row', 5);
    dropGuardSnapshots(
      [guard({ pid: 6, paths: [kept] }), guard({ pid: 7, paths: [other], writing: partial }), guard({ pid: 8, failed: [failed] })],
      new Set([kept]),
    );
    expect([kept, other, partial, failed].map(existsSync)).toEqual([true, false, false, false]);
  });
});

describe('a leak whose late snapshot was declined (no room below the terminal tier)', () => {
  test('carries the note, and its lone early snapshot is not kept', () => {
    const early = snapshotFile('3-grow-early.heapsnapshot', 'Row', 10);
    const leak = { file: 'grow.test.js', bytesPerTest: 1, fit: 1, totalBytes: 20, samples: 20 };
    const note = 'no late heap snapshot: writing one would have taken about 402 MB more …';
    const [out] = explainLeaks([leak], new Map([['grow.test.js', { early, note }]]), 10, log);
    expect(out).toEqual({ ...leak, snapshotNote: note });
    expect(existsSync(early)).toBe(false);
  });
});
