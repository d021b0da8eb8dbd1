// The extension in a real VS Code: it activates on a Vitest workspace, hands back its API, and
// every command its package.json contributes is registered.
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { api, extension, workspaceRoot } from '../helpers';

suite('activation', () => {
  test('activates on a Vitest workspace and returns the Redline API', async () => {
    const ext = extension();
    const a = await api();
    assert.equal(ext.isActive, true);
    assert.equal(typeof a.ready, 'function');
    assert.equal(typeof a.runnerPid, 'function');
    assert.ok(a.testController, 'api.testController');
    assert.equal(a.testController.id, 'redline');
  });

  test('every command in contributes.commands is registered', async () => {
    await api();
    const contributed = (extension().packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
    assert.ok(contributed.length > 0, 'package.json contributes commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('one session, for the workspace folder, trusted', async () => {
    const a = await api();
    assert.deepEqual(
      a.sessions().map((s) => s.root),
      [workspaceRoot()],
    );
    assert.notEqual(a.sessions()[0]!.runnerStatus().state, 'untrusted');
  });
});
