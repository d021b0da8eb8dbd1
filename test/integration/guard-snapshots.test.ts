// --heap-snapshot on real runaways: the guard asks the runaway worker for two heap snapshots while
// there is room, and its stop names them and says what grew between them (HoardedRecord, the
// fixture's class). A worker spinning in a synchronous loop cannot answer: it is stopped as
// promptly as without snapshots, and the report says why it has none. The tree stays within 10%
// above the limit either way, and nothing of the run survives it.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import { SNAPSHOT_ANSWER_MS } from '../../src/core/guard-snapshots';
import { expectSummaryAddsUp, fileOf, fixture, removeTempDirs, requireBuiltCli, runCli, type FinishedRun } from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

const LIMIT_BYTES = 512 * 1024 * 1024;
const ROOT = fixture('runaway-snapshot');
const SNAPSHOTS = join(ROOT, '.redline', 'snapshots');

function heapSnapshotsIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')) : [];
}

describe('an asynchronous runaway with --heap-snapshot and a 512 MB limit', () => {
  let run: FinishedRun;
  let report: RunReport;

  beforeAll(async () => {
    rmSync(SNAPSHOTS, { recursive: true, force: true });
    run = await runCli(['run', '--root', ROOT, 'records', '--memory-limit', '512M', '--leaks', '--heap-snapshot']);
    report = run.report();
  });

  test('the file is stopped for memory in the test that was running', () => {
    expect(run.result.code, run.stderr).toBe(2);
    expectSummaryAddsUp(report);
    const file = fileOf(report, 'records.test.js');
    expect(file.state).toBe('stopped');
    expect(file.stopped).toMatchObject({ reason: 'memory', test: 'hoards records' });
    expect(report.memory.tiers.some((t) => t.tier === 'emergency' || t.tier === 'terminal')).toBe(true);
  });

  test('its stop names two heap snapshots of the worker, under .redline/snapshots/', () => {
    const stopped = fileOf(report, 'records.test.js').stopped;
    expect(stopped?.snapshots, stopped?.snapshotNote).toHaveLength(2);
    for (const path of stopped?.snapshots ?? []) {
      expect(path.startsWith(SNAPSHOTS), path).toBe(true);
      expect(existsSync(path), path).toBe(true);
    }
    expect(stopped?.snapshotNote).toBeUndefined();
    // The folder stays bounded (10 files).
    expect(heapSnapshotsIn(SNAPSHOTS).length).toBeLessThanOrEqual(10);
  });

  test('and says what grew between them: the fixture\'s class among the constructors', () => {
    const grew = fileOf(report, 'records.test.js').stopped?.grew ?? [];
    const records = grew.find((g) => g.name === 'HoardedRecord');
    expect(records, JSON.stringify(grew)).toBeDefined();
    expect(records!.countDelta).toBeGreaterThanOrEqual(10);
    // The 256 KB Buffers each of them holds, outside the JS heap.
    expect(grew.find((g) => g.name === 'system / JSArrayBufferData')?.bytesDelta).toBeGreaterThan(2.5 * 1024 * 1024);
    expect(run.stdout).toContain('grew: HoardedRecord');
    expect(run.stdout).toMatch(/heap snapshots: \.redline\/snapshots\/\d+-records\.test\.js-guard1\.heapsnapshot/);
  });

  test("the tree's peak stays within 10% above the limit, snapshots included", () => {
    expect(report.memory.peakBytes).toBeGreaterThan(0);
    expect(report.memory.peakBytes).toBeLessThanOrEqual(1.1 * LIMIT_BYTES);
    expect(fileOf(report, 'records.test.js').peakRssBytes).toBeLessThanOrEqual(1.1 * LIMIT_BYTES);
  });

  test('nothing of the run survives it', async () => {
    await run.expectNothingLeft(2000);
  });
});

describe('a synchronous runaway with --heap-snapshot and a 512 MB limit', () => {
  let run: FinishedRun;
  let report: RunReport;

  beforeAll(async () => {
    rmSync(SNAPSHOTS, { recursive: true, force: true });
    run = await runCli(['run', '--root', ROOT, 'blocking', '--memory-limit', '512M', '--leaks', '--heap-snapshot'], { timeoutMs: 60_000 });
    report = run.report();
  });

  test('is stopped for memory, promptly: the guard never waits for the snapshot it asked for', () => {
    expect(run.result.code, run.stderr).toBe(2);
    const stopped = fileOf(report, 'blocking.test.js').stopped;
    expect(stopped).toMatchObject({ reason: 'memory', test: 'hoards without yielding' });
    // At most the moment it had to answer after the emergency tier (the terminal tier never waits).
    const emergencyAt = report.memory.tiers.find((t) => t.tier === 'emergency' || t.tier === 'terminal')?.atMs;
    expect(emergencyAt).toBeDefined();
    expect(stopped!.atMs - emergencyAt!).toBeLessThanOrEqual(SNAPSHOT_ANSWER_MS + 500);
  });

  test('its stop says why it has no snapshot, and none is left behind', () => {
    const stopped = fileOf(report, 'blocking.test.js').stopped;
    expect(stopped?.snapshots).toBeUndefined();
    expect(stopped?.snapshotNote).toMatch(/did not answer|had not answered/);
    expect(run.stdout).toMatch(/not answer.*blocked/);
    expect(heapSnapshotsIn(SNAPSHOTS).filter((f) => f.includes('blocking'))).toEqual([]);
  });

  test("the tree's peak stays within 10% above the limit", () => {
    expect(report.memory.peakBytes).toBeLessThanOrEqual(1.1 * LIMIT_BYTES);
  });

  test('nothing of the run survives it', async () => {
    await run.expectNothingLeft(2000);
  });
});
