// Stop: cancelling a run (the Test Explorer's Stop button, `testing.cancelRun`) ends the run at
// once and kills the whole tree it started — the worker running the test and a child process the
// test spawned — whichever way the run was started: from the palette (redline.runAll) or from the
// Test Explorer's Run All (the extension's run profile). The runner stays and runs the next run.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { RedlineServices } from '../../../src/extension/services';
import { api, ensureReady, HAS_PROC, isRunning, processesWithMarker, readEnv, removeWritten, runAll, session, sleep, waitFor, waitForState, workspaceRoot, writeWorkspaceFile } from '../helpers';

// A test that never ends by itself: it spawns a child (part of the tree Stop must kill), writes
// both pids where the suite can read them, and waits.
const SLOW_FILE = 'zz-slow.test.js';
const SLOW_TEST = `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { test } from 'vitest';

test('waits for a long time', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(new URL('./slow-pids.txt', import.meta.url), JSON.stringify({ worker: process.pid, child: child.pid }));
  await new Promise((resolve) => setTimeout(resolve, 300_000));
}, 600_000);
`;

interface Pids {
  readonly worker: number;
  readonly child: number;
}

const pidsFile = (): string => join(workspaceRoot(), 'slow-pids.txt');

function readPids(): Pids | undefined {
  try {
    const parsed = JSON.parse(readFileSync(pidsFile(), 'utf8')) as Partial<Pids>;
    return typeof parsed.worker === 'number' && typeof parsed.child === 'number' ? { worker: parsed.worker, child: parsed.child } : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh runner (Redline: Restart Runner), so each case starts from the same place. */
async function freshRunner(s: RedlineServices): Promise<void> {
  await vscode.commands.executeCommand('redline.restartRunner');
  await ensureReady(s);
}

/**
 * Starts a run with `start`, waits for the slow test to run, runs `whileRunning`, presses Stop,
 * and checks that the run ended and that everything it started is gone.
 */
async function startAndCancel(start: () => Thenable<unknown>, how: string, whileRunning?: () => Promise<void>): Promise<void> {
  rmSync(pidsFile(), { force: true });
  const a = await api();
  const s = await session();
  await ensureReady(s);
  const runner = a.runnerPid(workspaceRoot());
  assert.ok(runner, 'runner pid');
  const marker = HAS_PROC ? readEnv(runner, 'REDLINE_RUN') : undefined;
  if (HAS_PROC) assert.ok(marker, `REDLINE_RUN in the environment of runner ${runner}`);
  const before = new Set(marker ? processesWithMarker(marker) : []);

  let ended = false;
  const running = Promise.resolve(start()).finally(() => (ended = true));
  const pids = await waitFor(readPids, `the slow test to start (${how})`, 30_000).catch((error: unknown) => {
    const report = s.lastReport();
    const files = report?.files.map((f) => `${f.path}: ${f.state}${f.cached ? ' (cached)' : ''}`).join(', ');
    throw new Error(`${String(error)}; run ended: ${ended}; last report: ${report ? `${report.startedAt} ${files}` : 'none'}; runner: ${JSON.stringify(s.runnerStatus())}`);
  });
  assert.ok(isRunning(pids.worker) && isRunning(pids.child), 'worker and its child run before Stop');
  if (marker) assert.equal(readEnv(pids.child, 'REDLINE_RUN'), marker, "the test's child carries the run marker");
  await whileRunning?.();

  await vscode.commands.executeCommand('testing.cancelRun');
  const endedInTime = await Promise.race([running.then(() => true, () => true), sleep(15_000).then(() => false)]);
  if (!endedInTime) {
    await vscode.commands.executeCommand('redline.emergencyStop');
    assert.fail(`the run started by ${how} did not end within 15 s of Stop (testing.cancelRun): the cancellation does not reach the runner`);
  }
  await waitFor(() => !isRunning(pids.worker) && !isRunning(pids.child), 'the run to be gone', 5000).catch(() => undefined);
  assert.equal(isRunning(pids.worker), false, `worker ${pids.worker} (${how}) still runs after Stop`);
  assert.equal(isRunning(pids.child), false, `the test's child ${pids.child} (${how}) still runs after Stop`);
  // Nothing the run started carries the marker any more (the runner itself, and what it keeps
  // between runs, were there before).
  if (marker) {
    await sleep(500);
    const left = processesWithMarker(marker).filter((pid) => !before.has(pid));
    assert.deepEqual(left, [], `processes of the cancelled run still running: ${left.join(', ')}`);
  }
  await waitForState(s, ['ready'], 15_000);
}

suite('Stop (cancel)', () => {
  suiteSetup(async () => {
    const a = await api();
    await a.ready();
    writeWorkspaceFile(SLOW_FILE, SLOW_TEST);
  });

  suiteTeardown(async () => {
    removeWritten();
    rmSync(pidsFile(), { force: true });
    // Whatever a failed case left running goes with the runner's tree.
    const s = await session();
    if (s.runnerStatus().state === 'running') await vscode.commands.executeCommand('redline.emergencyStop');
  });

  test("a run from the Test Explorer's Run All (testing.runAll) stops, with its whole tree", async () => {
    await freshRunner(await session());
    await startAndCancel(() => vscode.commands.executeCommand('testing.runAll'), 'testing.runAll');
  });

  test('a run from the palette (redline.runAll) stops, with its whole tree', async () => {
    await freshRunner(await session());
    await startAndCancel(() => vscode.commands.executeCommand('redline.runAll'), 'redline.runAll');
  });

  test('while a run lasts, the memory history grows by about a sample a second', async () => {
    const s = await session();
    await freshRunner(s);
    let grown = 0;
    let samples = 0;
    await startAndCancel(
      () => vscode.commands.executeCommand('testing.runAll'),
      'testing.runAll',
      async () => {
        const before = s.memoryHistory().length;
        const listener = s.onDidSampleMemory(() => samples++);
        await sleep(4000);
        listener.dispose();
        grown = s.memoryHistory().length - before;
      },
    );
    // The runner passes a sample on when it says something new and at least twice a second
    // (core/sample-forwarding.ts); the history keeps at most one a second, so 4 s of a run add
    // 3 to 5 points (the memory panel charts them).
    assert.ok(samples >= 6, `memory samples in 4 s of a run: ${samples}`);
    assert.ok(grown >= 3, `memory history points added during 4 s of a run (${samples} samples): ${grown}`);
  });

  test('the runner that ran a cancelled run runs the same file again, and the next run to its end', async () => {
    const s = await session();
    await freshRunner(s);
    await startAndCancel(() => vscode.commands.executeCommand('testing.runAll'), 'testing.runAll');
    await startAndCancel(() => vscode.commands.executeCommand('testing.runAll'), 'testing.runAll, again on the same runner');
    removeWritten();
    const next = await Promise.race([runAll(s), sleep(60_000).then(() => undefined)]);
    if (!next) {
      await vscode.commands.executeCommand('redline.emergencyStop');
      assert.fail(`the run after a cancelled run did not end within 60 s (runner: ${JSON.stringify(s.runnerStatus())})`);
    }
    assert.equal(next.files.find((f) => f.path === 'math.test.js')?.state, 'passed');
    assert.equal(next.files.some((f) => f.path === SLOW_FILE), false);
  });
});
