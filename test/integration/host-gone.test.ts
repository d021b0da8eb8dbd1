// DESIGN.md: "If its host goes away … the runner notices (stdio closes, the parent is gone) and
// stops its whole tree within a second. Nothing Redline started may outlive the editor." Checked
// on a busy loop — a worker that will never exit on its own — by killing the CLI outright; and the
// other way round: when the runner dies under the CLI, the CLI still reports and cleans up.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CliRun, describeProc, expectSummaryAddsUp, fileOf, fixture, removeTempDirs, requireBuiltCli, waitForBusyWorker,
  type CliResult, type ProcInfo,
} from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

describe('the CLI is killed (SIGKILL, the CLI alone) while a worker spins', () => {
  let run: CliRun;
  let before: ProcInfo[];
  let result: CliResult;
  let settled: { ms: number; left: ProcInfo[] };

  beforeAll(async () => {
    run = new CliRun(['run', '--root', fixture('busy'), '--file-timeout', '60'], { json: false });
    await waitForBusyWorker(run);
    before = run.track();
    const killedAt = performance.now();
    process.kill(run.pid, 'SIGKILL');
    result = await run.wait(10_000);
    // Measured from the kill; polled longer than allowed, so a failure can say how long it took.
    const rest = await run.settle(5000);
    settled = { ms: performance.now() - killedAt, left: rest.left };
  });
  afterAll(() => run?.killAll());

  test('the run was under way: the runner and a spinning Vitest worker below the CLI', () => {
    expect(result.signal).toBe('SIGKILL');
    const list = before.map(describeProc).join('\n');
    expect(before.some((p) => p.cmdline.includes('dist/runner.js')), list).toBe(true);
    expect(before.some((p) => p.cmdline.includes('workers/forks')), list).toBe(true);
    expect(run.marker).toMatch(/\S/);
  });

  test('within 2 s of the kill no process of the run remains', () => {
    expect(settled.left.map(describeProc)).toEqual([]);
    expect(settled.ms).toBeLessThan(2000);
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

  test('the CLI still writes a report that adds up, with the unfinished file notrun, and exits 1', () => {
    expect(result.stderr).not.toMatch(/internal error/i);
    expect(result.stderr).toContain('the runner exited unexpectedly');
    expect(result.code, result.stderr).toBe(1);
    const report = run.report();
    expectSummaryAddsUp(report);
    expect(fileOf(report, 'busy.test.js').state).toBe('notrun');
    // Depending on the worker count and the order, ok.test.js ran beside or before the busy file.
    expect(['notrun', 'passed']).toContain(fileOf(report, 'ok.test.js').state);
    expect(report.errors?.map((e) => e.message).join('\n')).toMatch(/runner exited/);
  });

  test('the CLI stops what the runner left behind: no process of the run remains', async () => {
    // The spinning worker outlives its runner (it never turns its event loop to notice): only
    // the CLI's sweep by the run's marker can stop it.
    await run.expectNothingLeft(2000);
  });
});
