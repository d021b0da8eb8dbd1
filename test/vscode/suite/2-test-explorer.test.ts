// The Test Explorer lists the workspace's test files once discovery (the runner's, through
// Vitest's own include) is done, and the runner behind it is up.
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import { allItems, api, isRunning, session, waitForState, workspaceRoot } from '../helpers';

suite('Test Explorer', () => {
  test('api.testController lists the fixture test files after ready()', async () => {
    const a = await api();
    await a.ready();
    const files = allItems(a.testController)
      .map((item) => item.uri?.path.split('/').pop())
      .filter((name): name is string => !!name && name.endsWith('.test.js'))
      .sort();
    assert.deepEqual([...new Set(files)], ['broken.test.js', 'math.test.js', 'strings.test.js']);
  });

  test('file items point at the files in the workspace', async () => {
    const a = await api();
    await a.ready();
    const math = allItems(a.testController).find((item) => item.uri?.path.endsWith('/math.test.js'));
    assert.ok(math, 'an item for math.test.js');
    assert.equal(math.uri?.fsPath, `${workspaceRoot()}/math.test.js`);
  });

  test('discovery started the runner: ready, with a live pid', async () => {
    const a = await api();
    await a.ready();
    const s = await session();
    const status = await waitForState(s, ['ready']);
    const pid = a.runnerPid(workspaceRoot());
    assert.ok(pid, 'api.runnerPid(root)');
    assert.equal(status.pid, pid);
    assert.ok(isRunning(pid), `runner pid ${pid} is running`);
    assert.match(status.vitestVersion ?? '', /^\d+\.\d+/);
  });
});
