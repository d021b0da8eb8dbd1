// Leak detection on real fixtures: each leak shape (module-level array, global object, listener
// closures, a Map used as a cache, Buffers) is reported with its figures; each look-alike (churn
// that is released, a one-time setup allocation, a bounded cache, a file with two tests) is not.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import { expectSummaryAddsUp, fixture, removeTempDirs, requireBuiltCli, runCli, type FinishedRun } from './helpers';

const MB = 1024 * 1024;
const LEAKS = ['buffers.test.js', 'global-object.test.js', 'listener-closures.test.js', 'map-cache.test.js', 'module-array.test.js'];

let run: FinishedRun;
let report: RunReport;

beforeAll(async () => {
  requireBuiltCli();
  run = await runCli(['run', '--root', fixture('leaks'), '--leaks']);
  report = run.report();
});
afterAll(removeTempDirs);

test('every file passes: a leak is reported, it does not fail the run', () => {
  expect(run.result.code, run.stderr).toBe(0);
  expectSummaryAddsUp(report);
});

test('exactly the planted leaks are reported', () => {
  expect(report.leaks.map((l) => l.file).sort()).toEqual(LEAKS);
});

test('each with its figures: about 1 MB per test, a good fit, the total and the series that grew', () => {
  for (const leak of report.leaks) {
    expect(leak.bytesPerTest, leak.file).toBeGreaterThan(0.8 * MB);
    expect(leak.bytesPerTest, leak.file).toBeLessThan(1.5 * MB);
    expect(leak.fit, leak.file).toBeGreaterThan(0.9);
    expect(leak.totalBytes, leak.file).toBeGreaterThan(10 * MB);
    expect(leak.samples, leak.file).toBeGreaterThanOrEqual(15);
    expect(leak.hint, leak.file).toBeTruthy();
  }
  expect(report.leaks.find((l) => l.file === 'buffers.test.js')?.series).toBe('external');
  expect(report.leaks.find((l) => l.file === 'module-array.test.js')?.series).toBe('heap');
});

test('the CLI names each leaking file with its rate', () => {
  for (const file of LEAKS) expect(run.stdout).toMatch(new RegExp(`LEAK\\s+${file.replace('.', '\\.')} grows about 1\\.0 MB per test`));
});

test('post-GC heap figures are in the report per test', () => {
  const tests = report.files.flatMap((f) => f.tests);
  expect(tests.every((t) => typeof t.heapAfterBytes === 'number' && t.heapAfterBytes > 0)).toBe(true);
});

test('--heap-snapshot: a leak says what grew, its two snapshots are kept, a look-alike’s are not', async () => {
  const snap = await runCli(['run', '--root', fixture('leaks'), '--leaks', '--heap-snapshot', 'buffers', 'churn']);
  const r = snap.report();
  expect(r.leaks.map((l) => l.file)).toEqual(['buffers.test.js']);
  const leak = r.leaks[0]!;
  expect(leak.grew?.[0]).toMatchObject({ name: 'system / JSArrayBufferData' });
  expect(leak.grew?.[0]?.bytesDelta).toBeGreaterThan(10 * MB);
  expect(leak.snapshots).toHaveLength(2);
  for (const path of leak.snapshots ?? []) expect(existsSync(path), path).toBe(true);
  const dir = join(fixture('leaks'), '.redline', 'snapshots');
  expect(readdirSync(dir).filter((f) => f.includes('churn'))).toEqual([]);
  expect(snap.stdout).toContain('grew: system / JSArrayBufferData');
}, 120_000);

test('--heap-snapshot at a 512 MB limit: a late snapshot that would not fit is declined, and the leak says so', async () => {
  // 20 MB of small objects by its end: writing a snapshot of that heap takes a few hundred MB
  // (core/guard-snapshots.ts), more than is left below the terminal tier at this limit.
  const small = await runCli(['run', '--root', fixture('leaks'), '--leaks', '--heap-snapshot', '--memory-limit', '512M', 'module-array']);
  const r = small.report();
  expect(small.result.code, small.stderr).toBe(0);
  expect(r.files.map((f) => [f.path, f.state])).toEqual([['module-array.test.js', 'passed']]);
  const leak = r.leaks.find((l) => l.file === 'module-array.test.js');
  expect(leak?.snapshots).toBeUndefined();
  expect(leak?.snapshotNote).toMatch(/^no late heap snapshot: writing one would have taken about \d+ MB more .* were left below the terminal tier$/);
  expect(small.stdout).toContain('no late heap snapshot');
}, 120_000);

test('leak detection is off unless asked for: no garbage collection per test, no leaks reported', async () => {
  const plain = await runCli(['run', '--root', fixture('leaks'), 'module-array']);
  expect(plain.report().leaks).toEqual([]);
});
