// Shared by the extension-host suite (runs inside VS Code's extension host, with the real
// `vscode` API): the extension's API, the workspace, waiting, and the process table (/proc), so a
// test can say "that process is gone" without trusting the extension's word.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RedlineApi } from '../../src/extension/api';
import type { RedlineServices, RunnerState } from '../../src/extension/services';
import type { RunReport } from '../../src/protocol/report';

export const EXTENSION_ID = 'redline.redline';

export function extension(): vscode.Extension<RedlineApi> {
  const ext = vscode.extensions.getExtension<RedlineApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this window`);
  return ext;
}

/** Activates the extension (a no-op if it already is) and returns what activate() returned. */
export async function api(): Promise<RedlineApi> {
  const ext = extension();
  const exported = ext.isActive ? ext.exports : await ext.activate();
  if (!exported || typeof exported.sessions !== 'function') throw new Error(`activate() of ${EXTENSION_ID} did not return the RedlineApi (got ${typeof exported})`);
  return exported;
}

/** The one workspace folder the suite runs in (a copy of test/fixtures/basic). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs a workspace folder: open a copy of test/fixtures/basic');
  return folder.uri.fsPath;
}

export async function session(): Promise<RedlineServices> {
  const a = await api();
  const root = workspaceRoot();
  const found = a.sessions().find((s) => s.root === root);
  if (!found) throw new Error(`no Redline session for ${root} (sessions: ${a.sessions().map((s) => s.root).join(', ') || 'none'})`);
  return found;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Waits until the runner is in one of `states` and returns its status. */
export async function waitForState(s: RedlineServices, states: readonly RunnerState[], timeoutMs = 60_000): Promise<ReturnType<RedlineServices['runnerStatus']>> {
  return waitFor(
    () => (states.includes(s.runnerStatus().state) ? s.runnerStatus() : undefined),
    `runner state ${states.join(' or ')} (now ${JSON.stringify(s.runnerStatus())})`,
    timeoutMs,
  );
}

/**
 * The runner up and ready: one an emergency stop or a failed start left idle is started again
 * (Redline: Restart Runner), so one failed case does not fail the cases after it.
 */
export async function ensureReady(s: RedlineServices): Promise<ReturnType<RedlineServices['runnerStatus']>> {
  const state = s.runnerStatus().state;
  if (state === 'idle' || state === 'failed') await vscode.commands.executeCommand('redline.restartRunner');
  return waitForState(s, ['ready']);
}

/** Runs `redline.runAll` and returns the report it produced (the session's next finished run). */
export async function runAll(s: RedlineServices): Promise<RunReport> {
  const before = s.lastReport();
  await vscode.commands.executeCommand('redline.runAll');
  return waitFor(() => (s.lastReport() !== before ? s.lastReport() : undefined), 'a run report after redline.runAll', 10_000);
}

// ---------------------------------------------------------------------------------------------
// Files in the workspace

const written: string[] = [];

/** Writes a file into the workspace; removeWritten() deletes every file written so. */
export function writeWorkspaceFile(relative: string, content: string): string {
  const path = join(workspaceRoot(), relative);
  writeFileSync(path, content);
  written.push(path);
  return path;
}

export function removeWritten(): void {
  for (const path of written.splice(0)) rmSync(path, { force: true });
}

// ---------------------------------------------------------------------------------------------
// /proc

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Gone since readdir, or not ours to read.
    return undefined;
  }
}

/** Linux: the process table can be read (environments, states). Elsewhere (a desktop VS Code on macOS) less is checked. */
export const HAS_PROC = existsSync('/proc/self/stat');

/** Running, not a zombie. */
export function isRunning(pid: number): boolean {
  if (!HAS_PROC) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

export function readEnv(pid: number, name: string): string | undefined {
  const environ = readText(`/proc/${pid}/environ`);
  return environ
    ?.split('\0')
    .find((e) => e.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

export function cmdline(pid: number): string {
  return (readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ');
}

/** Every live process whose environment carries REDLINE_RUN=`marker`. */
export function processesWithMarker(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (readEnv(pid, 'REDLINE_RUN') === marker && isRunning(pid)) out.push(pid);
  }
  return out;
}

/** All test items under the controller, depth first. */
export function allItems(controller: vscode.TestController): vscode.TestItem[] {
  const out: vscode.TestItem[] = [];
  const walk = (items: vscode.TestItemCollection): void =>
    items.forEach((item) => {
      out.push(item);
      walk(item.children);
    });
  walk(controller.items);
  return out;
}
