// The extension's runner supervisor with a real runner (it needs no `vscode` at run time): a
// crash is followed by a restart after a short delay; more crashes than the budget within a
// minute and it stops trying and says why; a stop is no crash; a bad node is a clear error.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { MAX_RESTARTS, RunnerSupervisor } from '../../src/extension/runner-supervisor';
import type { RunnerStatus } from '../../src/extension/services';
import { fixture, isRunning, REPO_ROOT, requireBuiltCli, sleep } from './helpers';

beforeAll(requireBuiltCli);

const lines: string[] = [];
const log = {
  info: (m: string) => lines.push(`info ${m}`),
  warn: (m: string) => lines.push(`warn ${m}`),
  error: (m: string) => lines.push(`error ${m}`),
  debug: () => undefined,
  trace: () => undefined,
} as unknown as vscode.LogOutputChannel;

let supervisor: RunnerSupervisor | undefined;
afterEach(async () => {
  await supervisor?.dispose();
  supervisor = undefined;
});

function make(statuses: RunnerStatus[], node: () => { execPath?: string } = () => ({})): RunnerSupervisor {
  supervisor = new RunnerSupervisor({
    root: fixture('basic'),
    runnerPath: join(REPO_ROOT, 'dist', 'runner.js'),
    node,
    logLevel: () => 'info',
    backupsMax: () => undefined,
    handlers: {},
    log,
    onStatus: (s) => statuses.push(s),
  });
  return supervisor;
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(50);
  }
}

describe('RunnerSupervisor', () => {
  test('starts on first need; a killed runner is restarted with a new pid; stop is not a crash', async () => {
    const statuses: RunnerStatus[] = [];
    const s = make(statuses);
    expect(s.currentStatus().state).toBe('idle');
    await s.client();
    const first = s.pid!;
    expect(s.currentStatus()).toMatchObject({ state: 'ready', pid: first });
    process.kill(first, 'SIGKILL');
    await until(() => statuses.some((st) => st.state === 'restarting'));
    await until(() => s.currentStatus().state === 'ready' && s.pid !== undefined && s.pid !== first);
    expect(s.currentStatus().restarts).toBe(1);
    const second = s.pid!;
    await s.stop();
    expect(isRunning(second)).toBe(false);
    await sleep(700);
    expect(s.currentStatus().state).toBe('idle');
  });

  test(`after ${MAX_RESTARTS} restarts within a minute it gives up and says why; a new request tries again`, async () => {
    const statuses: RunnerStatus[] = [];
    const s = make(statuses);
    await s.client();
    for (let i = 0; i <= MAX_RESTARTS; i++) {
      await until(() => s.currentStatus().state === 'ready');
      process.kill(s.pid!, 'SIGKILL');
      await until(() => ['restarting', 'failed'].includes(s.currentStatus().state));
    }
    await until(() => s.currentStatus().state === 'failed');
    expect(s.currentStatus().message).toMatch(/crashed 4 times within a minute.*Restart Runner/);
    await sleep(1500);
    expect(s.currentStatus().state).toBe('failed'); // no more restarts on its own
    await s.client();
    expect(s.currentStatus().state).toBe('ready');
  });

  test('a node that does not exist fails with a message naming it', async () => {
    const s = make([], () => ({ execPath: '/nonexistent/node' }));
    await expect(s.client()).rejects.toThrow(/nonexistent\/node|stopped while starting/);
    expect(s.currentStatus().state).toBe('failed');
  });
});
