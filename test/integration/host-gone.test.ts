// DESIGN.md: "If its host goes away … the runner notices (stdio closes, the parent is gone) and
// stops its whole tree within a second. Nothing Redline started may outlive the editor." Checked
// on a busy loop — a worker that will never exit on its own — by killing the CLI outright, and
// the other way round: the runner dies under a CLI that must still report and clean up.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CliRun, describeProc, expectSummaryAddsUp, fixture, removeTempDirs, requireBuiltCli, waitForBusyWorker,
  type CliResult, type ProcInfo,
} from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

describe('the CLI is killed (SIGKILL, the CLI alone) while a worker spins', () => {
  let run: CliRun;
  let before: ProcInfo[];
  let result: CliResult;

  beforeAll(async () => {
    run = new CliRun(['run', '--root', fixture('busy'), '--file-timeout', '60'], { json: false });
    await waitForBusyWorker(run);
    before = run.track();
    process.kill(run.pid, 'SIGKILL');
    result = await run.wait(10_000);
  });
  afterAll(() => run?.killAll());

  test('the run was under way: the runner and a spinning Vitest worker below the CLI', () => {
    expect(result.signal).toBe('SIGKILL');
    const list = before.map(describeProc).join('\n');
    expect(before.some((p) => p.cmdline.includes('dist/runner.js')), list).toBe(true);
    expect(before.some((p) => p.cmdline.includes('workers/forks')), list).toBe(true);
    expect(run.marker).toMatch(/\S/);
  });

  test('within 2 s no process of the run remains', async () => {
    await run.expectNothingLeft(2000);
  });
});

describe('the runner dies (SIGKILL) while a worker spins', () => {
  let run: CliRun;
  let result: CliResult;

  beforeAll(async () => {
    run = new CliRun(['run', '--root', fixture('busy'), '--file-timeout', '60']);
    await waitForBusyWorker(run);
    const runner = run.track().find((p) => p.ppid === run.pid && p.cmdline.includes('dist/runner.js'));
    if (!runner) throw new Error('no runner below the CLI');
    process.kill(runner.pid, 'SIGKILL');
    result = await run.wait(30_000);
  });
  afterAll(() => run?.killAll());

  // KNOWN BUG (see the suite's report) while these two fail: RunnerClient.shutdown() throws
  // "Connection is closed" once the runner is gone, so the CLI ends in an internal error (exit 4)
  // before it writes the report or sweeps the run's processes. Remove `.fails` once fixed.
  test.fails('the CLI still writes a report that adds up, the unfinished files notrun, and exits 1', () => {
    expect(result.stderr).not.toMatch(/internal error/i);
    expect(result.code, result.stderr).toBe(1);
    const report = run.report();
    expectSummaryAddsUp(report);
    expect(report.files.map((f) => [f.path, f.state]).sort()).toEqual([
      ['busy.test.js', 'notrun'],
      ['ok.test.js', 'notrun'],
    ]);
    expect(report.errors?.[0]?.message).toMatch(/runner/i);
  });

  test.fails('the CLI stops what the runner left behind: no process of the run remains', async () => {
    await run.expectNothingLeft(2000);
  });
});
