// Watch (Redline: Toggle Watch, the continuous-run profile): after a first run of everything, a
// saved change runs the tests it affects, and only those, with results in a fresh TestRun;
// toggling again stops watching and the runner is ready for runs by hand.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { RunReport } from '../../../src/protocol/report';
import type { RedlineServices } from '../../../src/extension/services';
import { ensureReady, removeWritten, session, waitFor, waitForState, writeWorkspaceFile } from '../helpers';

const SOURCE = 'zz-watch-source.js';
const TEST = 'zz-watch.test.js';
const testFile = `import { expect, test } from 'vitest';
import { value } from './${SOURCE}';
test('sees the source value', () => { expect(value).toBe(2); });
`;

suite('watch', () => {
  let s: RedlineServices;

  suiteSetup(async function () {
    this.timeout(120_000);
    s = await session();
    await ensureReady(s);
    writeWorkspaceFile(SOURCE, 'export const value = 1;\n');
    writeWorkspaceFile(TEST, testFile);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    if (s.runnerStatus().state === 'watching') await vscode.commands.executeCommand('redline.toggleWatch');
    removeWritten();
  });

  test('toggle watch: the runner watches; a saved change runs only the affected test file', async function () {
    this.timeout(120_000);
    const beforeWatch = s.lastReport();
    void vscode.commands.executeCommand('redline.toggleWatch');
    await waitForState(s, ['watching'], 60_000);
    // Watching starts with a run of everything, as Vitest's watch mode does.
    const before = await waitFor(() => (s.lastReport() !== beforeWatch ? s.lastReport() : undefined), 'the first watch run', 60_000);
    assert.ok(before.files.some((f) => f.path === TEST), 'the first watch run ran every file');
    writeWorkspaceFile(SOURCE, 'export const value = 2;\n');
    const report = await waitFor<RunReport>(() => {
      const r = s.lastReport();
      return r !== before && r?.files.some((f) => f.path === TEST) ? r : undefined;
    }, 'a watch run after the change', 60_000);
    assert.deepEqual(report.files.map((f) => f.path), [TEST]);
    assert.equal(report.files[0]!.state, 'passed');
  });

  test('toggle again: watching stops and the runner is ready for runs by hand', async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('redline.toggleWatch');
    await waitForState(s, ['ready'], 30_000);
    assert.equal(s.runnerStatus().state, 'ready');
  });
});
