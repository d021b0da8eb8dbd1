// The extension host's entry. Activation is cheap: it creates the Test Explorer controller, the
// status bar item, the commands and one session per workspace folder that uses Vitest — no
// runner yet. The runner (which loads Vitest and the user's config) starts when something needs
// it: the Test Explorer asking for its items, a run, a watch. An untrusted workspace gets no
// runner at all until it is trusted. The status bar item and the panels show one folder at a
// time (FocusedServices); they exist while at least one folder uses Vitest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RedlineApi } from './api';
import { registerCommands } from './commands';
import { FocusedServices } from './focused-services';
import { PanelManager } from './panels/panel-manager';
import { RESTART_SETTINGS } from './settings';
import { MemoryStatusBar } from './status-bar';
import { RunHandler } from './testing/run-handler';
import { TestTree } from './testing/test-tree';
import { WorkspaceSession } from './workspace-session';

let root: Root | undefined;

export function activate(context: vscode.ExtensionContext): RedlineApi {
  root = new Root(context);
  context.subscriptions.push(root);
  return root.api();
}

/** VS Code waits for this promise: the runners and their test trees are stopped before it exits. */
export async function deactivate(): Promise<void> {
  await root?.stop();
}

/** The one object in context.subscriptions; every component hangs off it. */
class Root implements vscode.Disposable {
  private readonly log = vscode.window.createOutputChannel('Redline', { log: true });
  private readonly sessions: WorkspaceSession[] = [];
  private readonly controller = vscode.tests.createTestController('redline', 'Redline (Vitest)');
  private readonly tree: TestTree;
  private readonly runner: RunHandler;
  private readonly disposables: vscode.Disposable[] = [];
  /** The status bar item and the panels, from the first folder that uses Vitest on. */
  private views: Views | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    const started = Date.now();
    this.disposables.push(this.log, this.controller);
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.addFolder(folder);
    this.tree = new TestTree(this.controller, () => this.sessions, this.log);
    this.runner = new RunHandler(this.controller, this.tree, () => this.sessions, this.log);
    this.disposables.push(this.tree, this.runner);
    this.sessionsChanged();
    this.disposables.push(
      ...registerCommands({
        sessions: () => this.sessions,
        tree: this.tree,
        runner: this.runner,
        controller: this.controller,
        log: this.log,
        showPanel: (kind) => {
          if (this.views) this.views.panels.show(kind);
          else void vscode.window.showWarningMessage('Redline: open a folder that uses Vitest to see its panels.');
        },
        focused: () => this.views?.focused.session,
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.trusted()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
          this.log.info('a setting the runner starts with changed: the runner restarts with the next run');
          for (const session of this.sessions) if (!session.watching) void session.supervisor.stop();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.removed) this.removeFolder(folder);
        for (const folder of event.added) this.addFolder(folder);
        if (event.added.length + event.removed.length === 0) return;
        this.sessionsChanged();
        void this.tree.foldersChanged();
      }),
    );
    this.log.info(`Redline activated in ${Date.now() - started} ms (its own activate(), after the bundle loaded) for ${this.sessions.length} folder(s)${vscode.workspace.isTrusted ? '' : ' (workspace not trusted: no tests run until it is)'}`);
  }

  api(): RedlineApi {
    return {
      testController: this.controller,
      sessions: () => this.sessions,
      runnerPid: (folder) => this.sessions.find((s) => s.root === folder)?.supervisor.pid,
      ready: () => this.tree.refresh(),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.supervisor.dispose()));
  }

  dispose(): void {
    this.views?.dispose();
    this.views = undefined;
    for (const s of this.sessions.splice(0)) s.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private addFolder(folder: vscode.WorkspaceFolder): void {
    if (!usesVitest(folder.uri.fsPath)) {
      this.log.info(`${folder.uri.fsPath}: no Vitest here (no vitest in node_modules, no vitest or vite config); skipped`);
      return;
    }
    const session = new WorkspaceSession(folder, this.context.extensionUri, this.log);
    if (!vscode.workspace.isTrusted) session.supervisor.markUntrusted();
    this.sessions.push(session);
  }

  private removeFolder(folder: vscode.WorkspaceFolder): void {
    const index = this.sessions.findIndex((s) => s.folder.uri.toString() === folder.uri.toString());
    if (index < 0) return;
    const [session] = this.sessions.splice(index, 1);
    // The views move to another folder first, so none of them reads a disposed session.
    this.views?.focused.sessionsChanged();
    session!.dispose();
    // Its items leave the Test Explorer with the tree's rebuild (TestTree.foldersChanged).
    this.log.info(`${session!.root}: workspace folder removed; its runner is stopped`);
  }

  /** After the sessions changed: the views appear with the first Vitest folder and go with the last. */
  private sessionsChanged(): void {
    void vscode.commands.executeCommand('setContext', 'redline.active', this.sessions.length > 0);
    if (this.sessions.length === 0) {
      this.views?.dispose();
      this.views = undefined;
    } else if (this.views) this.views.focused.sessionsChanged();
    else this.views = new Views(this.context, () => this.sessions, this.log);
  }

  private async trusted(): Promise<void> {
    this.log.info('workspace trusted: Redline may run tests now');
    for (const session of this.sessions) await session.supervisor.stop();
    await this.tree.refresh(true);
  }
}

/** The status bar item and the panel manager, both following the focused folder. */
class Views implements vscode.Disposable {
  readonly focused: FocusedServices;
  readonly panels: PanelManager;
  private readonly disposables: vscode.Disposable[];

  constructor(context: vscode.ExtensionContext, sessions: () => readonly WorkspaceSession[], log: vscode.LogOutputChannel) {
    this.focused = new FocusedServices(sessions);
    this.panels = new PanelManager(context, this.focused, log);
    this.disposables = [new MemoryStatusBar(this.focused), this.panels, this.panels.registerSerializers(), this.focused];
  }

  dispose(): void {
    // The views first: they listen to the focused services.
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Cheap checks only: a file or two per folder, no package resolution. */
function usesVitest(dir: string): boolean {
  if (existsSync(join(dir, 'node_modules', 'vitest', 'package.json'))) return true;
  for (const base of ['vitest.config', 'vitest.workspace', 'vite.config']) {
    for (const ext of ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs']) if (existsSync(join(dir, `${base}.${ext}`))) return true;
  }
  return existsSync(join(dir, 'redline.config.json'));
}

