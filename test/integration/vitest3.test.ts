// The oldest Vitest Redline supports, 3.2, on the same states as the basic fixture plus a
// runaway: its pool (tinypool) reports the modules it could not collect differently and throws
// when Redline kills a worker, and the runner must take both in its stride. The fixture has its
// own node_modules, installed here from its lockfile the first time.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import { expectSummaryAddsUp, fileOf, fixture, removeTempDirs, requireBuiltCli, runCli, type FinishedRun } from './helpers';

const ws = fixture('vitest3');
let run: FinishedRun;
let report: RunReport;

beforeAll(async () => {
  requireBuiltCli();
  if (!existsSync(join(ws, 'node_modules', 'vitest', 'package.json'))) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ws, stdio: 'pipe', timeout: 240_000 });
  }
  run = await runCli(['run', '--root', ws, '--memory-limit', '1G']);
  report = run.report();
}, 300_000);
afterAll(removeTempDirs);

test('the workspace really runs Vitest 3.2', () => {
  const pkg = JSON.parse(execFileSync(process.execPath, ['-p', "JSON.stringify(require('vitest/package.json'))"], { cwd: ws }).toString()) as { version: string };
  expect(pkg.version).toMatch(/^3\.2\./);
});

test('every file gets its state, the runaway is stopped, and the exit code is 2', () => {
  expect(run.result.code, run.stderr).toBe(2);
  expectSummaryAddsUp(report);
  expect(fileOf(report, 'math.test.js').state).toBe('passed');
  expect(fileOf(report, 'strings.test.js').state).toBe('failed');
  expect(fileOf(report, 'broken.test.js').state).toBe('broken');
  expect(fileOf(report, 'broken.test.js').errors?.[0]?.message).toMatch(/does-not-exist/);
  expect(fileOf(report, 'runaway.test.js')).toMatchObject({ state: 'stopped', stopped: { reason: 'memory', test: 'hoards memory' } });
  expect(report.memory.peakBytes).toBeLessThanOrEqual(1.1 * report.memory.limitBytes);
});

test('the pool’s complaint about the killed worker is neither a crash nor a run error', () => {
  expect(run.stderr).not.toMatch(/internal error|runner crashed/i);
  expect(report.errors ?? []).toEqual([]);
});

test('nothing of the run is left', async () => {
  await run.expectNothingLeft(2000);
});
