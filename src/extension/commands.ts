// Every `redline.*` command: the palette, the panels' buttons and the status bar all come here,
// so each action has one implementation with one set of confirmations. Destructive actions
// (restore, resets) always ask, and say which backup undoes them.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { Target } from '../core/approve-targets';
import { formatBytes } from '../core/format';
import type { BackupInfo } from '../core/store/backups';
import type { StoreError } from '../core/store/store-result';
import { changedAgainst } from '../cli/git-changes';
import { COMMANDS, type PanelKind } from '../protocol/commands';
import type { RunHandler } from './testing/run-handler';
import type { TestTree } from './testing/test-tree';
import type { WorkspaceSession } from './workspace-session';

export interface CommandContext {
  readonly sessions: () => readonly WorkspaceSession[];
  readonly tree: TestTree;
  readonly runner: RunHandler;
  readonly controller: vscode.TestController;
  readonly log: vscode.LogOutputChannel;
  readonly showPanel: (kind: PanelKind) => void;
  /**
   * The folder the status bar and panels show (multi-root): a command run from a panel acts on
   * the panel's folder, where no text editor is active to say which.
   */
  readonly focused?: () => WorkspaceSession | undefined;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  let watchSource: vscode.CancellationTokenSource | undefined;
  const reg = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        ctx.log.error(`${id}: ${error instanceof Error ? (error.stack ?? text) : text}`);
        void showErrorWithLog(ctx.log, `Redline: ${text}`);
        return undefined;
      }
    });

  const runRequest = async (request: vscode.TestRunRequest): Promise<void> => {
    const source = new vscode.CancellationTokenSource();
    try {
      await ctx.runner.handle(request, source.token);
    } finally {
      source.dispose();
    }
  };

  return [
    reg(COMMANDS.runAll, () => runRequest(new vscode.TestRunRequest())),
    reg(COMMANDS.runAffected, async () => {
      const session = await pickSession(ctx);
      if (!session) return;
      const changed = await changedFiles(session);
      if (typeof changed === 'string') return void vscode.window.showWarningMessage(`Redline: ${changed}`);
      if (changed.length === 0) return void vscode.window.showInformationMessage('Redline: nothing changed since the last commit — no tests to run.');
      const client = await session.supervisor.client();
      const affected = await client.affected({ files: changed });
      if (affected.kind === 'error') return void showErrorWithLog(ctx.log, `Redline: ${affected.message}`);
      if (affected.files.length === 0) return void vscode.window.showInformationMessage(`Redline: the ${changed.length} changed file(s) affect no test file.`);
      const items = affected.files.map((f) => ctx.tree.fileItem(session, f));
      await runRequest(new vscode.TestRunRequest(items));
    }),
    reg(COMMANDS.toggleWatch, async () => {
      // Watching may also have been started from the Test Explorer's continuous-run button.
      if (watchSource || ctx.sessions().some((s) => s.watching)) {
        watchSource?.cancel();
        watchSource = undefined;
        await Promise.all(ctx.sessions().map((s) => s.stopWatch()));
        void vscode.window.setStatusBarMessage('Redline: stopped watching', 3000);
        return;
      }
      const source = new vscode.CancellationTokenSource();
      watchSource = source;
      void vscode.window.setStatusBarMessage('Redline: watching — tests run when files change', 3000);
      await ctx.runner.handle(new vscode.TestRunRequest(undefined, undefined, ctx.runner.profile, true), source.token);
      if (watchSource === source) watchSource = undefined;
    }),
    reg(COMMANDS.showMemory, () => ctx.showPanel('memory')),
    reg(COMMANDS.showPhases, () => ctx.showPanel('phases')),
    reg(COMMANDS.showLeaks, () => ctx.showPanel('leaks')),
    reg(COMMANDS.showRecovery, () => ctx.showPanel('recovery')),
    reg(COMMANDS.approve, async (arg?: Target) => {
      const session = await pickSession(ctx);
      if (!session) return;
      let targets: Target[];
      if (arg && typeof arg.file === 'string') targets = [{ file: arg.file, ...(arg.fullName ? { fullName: arg.fullName } : {}) }];
      else {
        const phases = await session.loadPhases();
        const picks = phases.files.flatMap((file) =>
          file.tests.filter((t) => t.phase === 'YELLOW').map((t) => ({ label: t.fullName, description: file.path, target: { file: file.path, fullName: t.fullName } })),
        );
        if (picks.length === 0) return void vscode.window.showInformationMessage('Redline: no YELLOW tests to approve (a test turns YELLOW when it passes after failing).');
        const chosen = await vscode.window.showQuickPick(picks, { canPickMany: true, title: 'Approve YELLOW tests (they turn GREEN)', placeHolder: 'Pick the tests whose passing you accept' });
        if (!chosen || chosen.length === 0) return;
        targets = chosen.map((c) => c.target);
      }
      const result = await session.approve(targets);
      if (!result.ok) return storeFailed(ctx, result.error);
      const approved = result.value.reduce((n, o) => n + o.approved.length, 0);
      const refused = result.value.flatMap((o) => o.refused.map((r) => `${o.target.file}${r.fullName ? ` > ${r.fullName}` : ''}: ${r.reason}`));
      if (refused.length > 0) void vscode.window.showWarningMessage(`Redline: approved ${approved}; not approved: ${refused.slice(0, 3).join('; ')}${refused.length > 3 ? '…' : ''}`);
      else void vscode.window.showInformationMessage(`Redline: ${approved} test${approved === 1 ? '' : 's'} approved (GREEN).`);
    }),
    reg(COMMANDS.freeMemory, async () => {
      const lines: string[] = [];
      for (const session of ctx.sessions()) {
        const freed = await session.freeMemory();
        if (typeof freed === 'string') lines.push(freed);
        else if (freed.skipped) lines.push(freed.skipped);
        else lines.push(`runner memory ${formatBytes(freed.beforeBytes)} → ${formatBytes(freed.afterBytes)} (Vitest restarts with the next run)`);
      }
      void vscode.window.showInformationMessage(`Redline: ${lines.join(' · ')}`);
    }),
    reg(COMMANDS.restartRunner, async () => {
      watchSource?.cancel();
      watchSource = undefined;
      for (const session of ctx.sessions()) {
        const error = await session.restartRunner();
        if (error) void showErrorWithLog(ctx.log, `Redline: the runner did not start: ${error}`);
        else void vscode.window.setStatusBarMessage(`Redline: runner restarted (pid ${session.supervisor.pid})`, 4000);
      }
    }),
    reg(COMMANDS.emergencyStop, async () => {
      watchSource?.cancel();
      watchSource = undefined;
      let count = 0;
      for (const session of ctx.sessions()) count += await session.emergencyStop();
      void vscode.window.showWarningMessage(`Redline: emergency stop — the runner and every test process are stopped${count > 0 ? ` (${count} more found and killed)` : ''}. The next run starts a fresh runner.`);
    }),
    reg(COMMANDS.backup, async (label?: string) => {
      const session = await pickSession(ctx);
      if (!session) return;
      if (typeof label !== 'string') {
        const typed = await vscode.window.showInputBox({ title: 'Back up .redline', prompt: 'A label for this backup (optional)', placeHolder: 'e.g. before refactoring' });
        if (typed === undefined) return;
        label = typed;
      }
      const made = await session.backup(label.trim() || undefined);
      if (!made.ok) return storeFailed(ctx, made.error);
      const { backup } = made.value;
      void vscode.window.showInformationMessage(`Redline: backed up .redline as ${backup.id}${backup.label ? ` "${backup.label}"` : ''} (${formatBytes(backup.bytes)}).`);
    }),
    reg(COMMANDS.restore, async (id?: string) => {
      const session = await pickSession(ctx);
      if (!session) return;
      const backups = await session.listBackups();
      if (typeof id !== 'string') {
        if (backups.length === 0) return void vscode.window.showInformationMessage('Redline: no backups yet. Redline: Back Up State makes one.');
        const pick = await vscode.window.showQuickPick(
          backupPicks(backups),
          { title: 'Restore a backup of .redline' },
        );
        if (!pick) return;
        id = pick.id;
      }
      const found = backups.find((b) => b.id === id);
      const confirm = await vscode.window.showWarningMessage(
        `Restore backup ${id}${found?.label ? ` "${found.label}"` : ''}? The phases, run history and cache are replaced by the backup's. A backup of the current state is taken first.`,
        { modal: true },
        'Restore',
      );
      if (confirm !== 'Restore') return;
      const restored = await session.restore(id);
      if (!restored.ok) return storeFailed(ctx, restored.error);
      void vscode.window.showInformationMessage(`Redline: restored ${restored.value.restored.id}. The state from before is in backup ${restored.value.safetyBackup.id}.`);
    }),
    reg(COMMANDS.listBackups, async () => {
      const session = await pickSession(ctx);
      if (!session) return;
      const backups = await session.listBackups();
      if (backups.length === 0) return void vscode.window.showInformationMessage('Redline: no backups yet. Redline: Back Up State makes one; Redline also takes one before every reset and restore.');
      const pick = await vscode.window.showQuickPick(
        backupPicks(backups),
        { title: `${backups.length} backup${backups.length === 1 ? '' : 's'} of .redline — pick one to restore it` },
      );
      if (pick) await vscode.commands.executeCommand(COMMANDS.restore, pick.id);
    }),
    reg(COMMANDS.pruneBackups, async (arg?: { keep?: number }) => {
      const session = await pickSession(ctx);
      if (!session) return;
      const keep = arg && typeof arg.keep === 'number' && Number.isInteger(arg.keep) && arg.keep >= 0 ? arg.keep : undefined;
      const pruned = await session.prune(keep);
      if (!pruned.ok) return storeFailed(ctx, pruned.error);
      const { removed } = pruned.value;
      void vscode.window.showInformationMessage(removed.length === 0 ? 'Redline: nothing to prune.' : `Redline: removed ${removed.length} backup${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}.`);
    }),
    reg(COMMANDS.resetSoft, () => reset(ctx, 'soft')),
    reg(COMMANDS.resetHard, () => reset(ctx, 'hard')),
    reg(COMMANDS.showLog, () => ctx.log.show()),
    reg(COMMANDS.openFile, async (path?: string, line?: number) => {
      const session = ctx.sessions()[0];
      if (typeof path !== 'string' || !session) return;
      const uri = vscode.Uri.file(isAbsolute(path) ? path : join(session.root, path));
      const at = typeof line === 'number' && line > 0 ? new vscode.Range(line - 1, 0, line - 1, 0) : undefined;
      await vscode.window.showTextDocument(uri, at ? { selection: at } : {});
    }),
    reg(COMMANDS.openHeapSnapshot, async (arg?: string) => {
      // Any of a run's snapshots: a leak's early and late ones, or the guard's of a file it stopped
      // for memory — all in the folder's .redline/snapshots (cli/run-params.ts). Absolute as the
      // report names them, or relative to the folder as the Test Explorer message shows them.
      const found = typeof arg === 'string' ? snapshotOf(ctx.sessions(), arg) : undefined;
      if (!found) return void vscode.window.showWarningMessage('Redline: that heap snapshot is not in a workspace .redline/snapshots folder.');
      const { session, path } = found;
      // The folder keeps the newest few: an older report can name one that is gone.
      if (!existsSync(path)) return void vscode.window.showWarningMessage(`Redline: heap snapshot ${relative(session.root, path)} is no longer there (.redline/snapshots keeps the newest 10); run the file again to write new ones.`);
      const choice = await vscode.window.showInformationMessage(
        `Heap snapshot ${relative(session.root, path)}: open it in Chrome DevTools (Memory → Load) or an editor that reads .heapsnapshot files.`,
        'Reveal in File Explorer',
        'Copy Path',
        'Open',
      );
      if (choice === 'Reveal in File Explorer') await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path));
      else if (choice === 'Copy Path') await vscode.env.clipboard.writeText(path);
      else if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path));
    }),
  ];
}

async function reset(ctx: CommandContext, kind: 'soft' | 'hard'): Promise<void> {
  const session = await pickSession(ctx);
  if (!session) return;
  const what =
    kind === 'soft'
      ? 'clears the run history and the result cache in .redline (the phases and the backups are kept)'
      : 'stops the runner and removes everything in .redline but the backups — the phases too';
  const confirm = await vscode.window.showWarningMessage(`Redline: a ${kind} reset ${what}. A backup is taken first. Continue?`, { modal: true }, kind === 'soft' ? 'Reset' : 'Reset Everything');
  if (!confirm) return;
  const done = await session.reset(kind);
  if (!done.ok) return storeFailed(ctx, done.error);
  const removed = done.value.removed.length > 0 ? done.value.removed.join(', ') : 'nothing (it was already clean)';
  void vscode.window.showInformationMessage(`Redline: ${kind} reset removed ${removed}. The state from before is in backup ${done.value.safetyBackup.id} (Redline: Restore Backup… brings it back).`);
}

function backupPicks(backups: readonly BackupInfo[]): (vscode.QuickPickItem & { id: string })[] {
  return backups.map((b) => ({ label: b.id, description: b.label, detail: `${b.createdAt} · ${formatBytes(b.bytes)}${b.auto ? ' · automatic' : ''}`, id: b.id }));
}

async function pickSession(ctx: CommandContext): Promise<WorkspaceSession | undefined> {
  const sessions = ctx.sessions();
  if (sessions.length <= 1) {
    if (sessions.length === 0) void vscode.window.showWarningMessage('Redline: no workspace folder with Vitest is open.');
    return sessions[0];
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  const byEditor = sessions.find((s) => s.folder === folder);
  if (byEditor) return byEditor;
  // A panel has the focus (no text editor is active then): the folder it shows.
  const focused = ctx.focused?.();
  if (focused && !active && sessions.includes(focused)) return focused;
  const pick = await vscode.window.showQuickPick(sessions.map((s) => ({ label: s.folder.name, description: s.root, session: s })), { title: 'Which workspace folder?' });
  return pick?.session;
}

async function changedFiles(session: WorkspaceSession): Promise<string[] | string> {
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && isInside(session.root, d.uri.fsPath)).map((d) => d.uri.fsPath);
  try {
    return [...new Set([...(await changedAgainst(session.root, 'HEAD')), ...dirty])];
  } catch (error) {
    if (dirty.length > 0) return dirty;
    const text = error instanceof Error ? error.message : String(error);
    return `${text.replace(/^--changed HEAD: /, '')} Run affected tests compares with git's last commit.`;
  }
}

/** The folder whose .redline/snapshots holds the snapshot, and its absolute path. */
function snapshotOf(sessions: readonly WorkspaceSession[], path: string): { session: WorkspaceSession; path: string } | undefined {
  for (const session of sessions) {
    const abs = isAbsolute(path) ? path : join(session.root, path);
    if (abs.endsWith('.heapsnapshot') && isInside(session.snapshotsDir(), abs)) return { session, path: abs };
  }
  return undefined;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`);
}

function storeFailed(ctx: CommandContext, error: StoreError): void {
  void showErrorWithLog(ctx.log, `Redline: ${error.message}`);
}

async function showErrorWithLog(log: vscode.LogOutputChannel, message: string): Promise<void> {
  log.error(message);
  const choice = await vscode.window.showErrorMessage(message, 'Show Log');
  if (choice === 'Show Log') log.show();
}

