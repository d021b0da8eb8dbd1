// Ctrl-C during a run: the first cancels (the CLI says so, stops the run and still reports), a
// second stops at once. Checked on a busy loop, which only a kill can end.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import {
  CliRun, expectSummaryAddsUp, expectedExitCode, fileOf, fixture, removeTempDirs, requireBuiltCli, sleep,
  waitForBusyWorker, type CliResult,
} from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

/** Ctrl-C on a terminal: SIGINT to the foreground process group, which is the CLI's own group. */
function ctrlC(run: CliRun): void {
  process.kill(-run.pid, 'SIGINT');
}

describe('one Ctrl-C while a worker spins', () => {
  // Long enough that a cancel is told apart from the timeout, short enough to bound the suite
  // when the cancel does not work.
  const FILE_TIMEOUT_S = 15;
  let run: CliRun;
  let result: CliResult;
  let exitAfterMs: number;

  beforeAll(async () => {
    // One worker: ok.test.js runs before the busy file or waits behind it, never beside it.
    run = new CliRun(['run', '--root', fixture('busy'), '--file-timeout', String(FILE_TIMEOUT_S), '--workers', '1']);
    await waitForBusyWorker(run);
    const sentAt = performance.now();
    ctrlC(run);
    result = await run.wait(60_000);
    exitAfterMs = performance.now() - sentAt;
  });
  afterAll(() => run?.killAll());

  test('the CLI says it is cancelling', () => {
    expect(result.stdout).toContain('Cancelling');
  });

  // KNOWN BUG (see the suite's report): RunSession.cancel() awaits Vitest's cancelCurrentRun(),
  // which in Vitest 4.1 waits for the running files to finish — a blocked worker never does —
  // before it stops the workers, so the run goes on until the file timeout. Remove `.fails` once
  // Ctrl-C stops the run promptly.
  test('cancels promptly: the CLI exits within 5 s, not at the file timeout', () => {
    expect(exitAfterMs).toBeLessThan(5000);
  });

  test('writes a report that adds up; unfinished files are notrun or stopped; the exit code follows', () => {
    const report: RunReport = run.report();
    expectSummaryAddsUp(report);
    expect(['notrun', 'stopped']).toContain(fileOf(report, 'busy.test.js').state);
    expect(['notrun', 'passed']).toContain(fileOf(report, 'ok.test.js').state);
    expect(result.code).toBe(expectedExitCode(report));
    expect([1, 2]).toContain(result.code);
  });

  test('leaves no process of the run behind', async () => {
    await run.expectNothingLeft(2000);
  });
});

describe('a second Ctrl-C', () => {
  let run: CliRun;
  let result: CliResult;
  let exitAfterMs: number;

  beforeAll(async () => {
    run = new CliRun(['run', '--root', fixture('busy'), '--file-timeout', '60', '--workers', '1']);
    await waitForBusyWorker(run);
    ctrlC(run);
    // Right behind the first, while its cancel is still stopping the worker. The first alone
    // may already be enough (a cancel takes ~100 ms), so the second may find nothing to kill.
    await sleep(20);
    const sentAt = performance.now();
    try {
      ctrlC(run);
    } catch {
      // ESRCH: the first Ctrl-C had already ended the run.
    }
    result = await run.wait(30_000);
    exitAfterMs = performance.now() - sentAt;
  });
  afterAll(() => run?.killAll());

  test('stops at once: the CLI exits within 3 s and nothing of the run remains', async () => {
    expect(exitAfterMs).toBeLessThan(3000);
    expect(result.code).not.toBe(0);
    await run.expectNothingLeft(2000);
  });

  test('still writes a report that adds up, with the unfinished file notrun, and exits 1', () => {
    expect(result.stderr).not.toMatch(/internal error/i);
    expect(result.code, result.stderr).toBe(1);
    const report = run.report();
    expectSummaryAddsUp(report);
    expect(fileOf(report, 'busy.test.js').state).toBe('notrun');
    expect(['notrun', 'passed']).toContain(fileOf(report, 'ok.test.js').state);
  });
});
