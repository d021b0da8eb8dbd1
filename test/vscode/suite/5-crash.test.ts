// A runner that dies (SIGKILL, as the OOM killer would) is restarted by the extension: the status
// goes through "restarting" back to "ready" with a new pid, and the next run works.
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import type { RunnerState } from '../../../src/extension/services';
import { api, ensureReady, isRunning, runAll, session, waitFor, waitForState, workspaceRoot } from '../helpers';

suite('runner crash', () => {
  test('SIGKILL of the runner: restarted with a new pid, ready again', async () => {
    const a = await api();
    await a.ready();
    const s = await session();
    const before = await ensureReady(s);
    const oldPid = a.runnerPid(workspaceRoot());
    assert.ok(oldPid, 'runner pid before the crash');
    const states: RunnerState[] = [];
    const listener = s.onDidChangeRunnerStatus((status) => states.push(status.state));
    try {
      process.kill(oldPid, 'SIGKILL');
      await waitFor(() => !isRunning(oldPid), `runner ${oldPid} to die`, 5000);
      const after = await waitFor(
        () => {
          const status = s.runnerStatus();
          return status.state === 'ready' && status.pid !== undefined && status.pid !== oldPid ? status : undefined;
        },
        `a new runner, ready (states so far: ${states.join(' → ')})`,
        30_000,
      );
      assert.ok(states.includes('restarting'), `went through "restarting": ${states.join(' → ')}`);
      assert.equal(after.restarts, before.restarts + 1, 'one more restart counted');
      const newPid = a.runnerPid(workspaceRoot());
      assert.equal(newPid, after.pid);
      assert.ok(newPid && isRunning(newPid), 'the new runner runs');
    } finally {
      listener.dispose();
    }
  });

  test('the restarted runner runs the tests', async () => {
    const s = await session();
    const report = await runAll(s);
    assert.equal(report.files.find((f) => f.path === 'math.test.js')?.state, 'passed');
    await waitForState(s, ['ready'], 10_000);
  });
});
