// Processes a test starts and forgets — a detached child in its own session, and a grandchild
// re-parented away from the worker — are found, killed and listed under `orphans`.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import { expectSummaryAddsUp, fixture, isRunning, removeTempDirs, requireBuiltCli, runCli, waitUntil, type FinishedRun } from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

let run: FinishedRun;
let report: RunReport;

beforeAll(async () => {
  run = await runCli(['run', '--root', fixture('orphan')]);
  report = run.report();
});

test('exits 0: the tests pass, leaving processes behind is not a failure', () => {
  expect(run.result.code, run.stderr).toBe(0);
  expectSummaryAddsUp(report);
  expect(report.files.map((f) => [f.path, f.state])).toEqual([['orphan.test.js', 'passed']]);
});

test('both forgotten processes are listed, with the file that started them', () => {
  expect(report.orphans).toHaveLength(2);
  for (const o of report.orphans) expect(o.file).toBe('orphan.test.js');
  const commands = report.orphans.map((o) => o.command).sort();
  expect(commands.some((c) => c.includes('setInterval'))).toBe(true);
  expect(commands.some((c) => c.includes('sleep 300'))).toBe(true);
  expect(run.result.stdout).toContain('ORPHANS');
});

test('the listed pids are really gone (or zombies) within 2 s', async () => {
  await waitUntil(() => report.orphans.every((o) => !isRunning(o.pid)), 'the orphans to be gone', { timeoutMs: 2000 });
  for (const o of report.orphans) {
    let alive = true;
    try {
      process.kill(o.pid, 0);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ESRCH');
      alive = false;
    }
    // kill(pid, 0) also answers for a zombie: then /proc must say so.
    if (alive) expect(isRunning(o.pid), `orphan ${o.pid} is still running`).toBe(false);
  }
});

test('nothing else of the run survives it', async () => {
  await run.expectNothingLeft(2000);
});
