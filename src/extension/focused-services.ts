// The services the status bar and the panels read in a workspace with several Vitest folders:
// one folder at a time, the "focused" one (src/core/views/focus.ts says which), re-fired as if
// it were a single session. When the focus moves, the views are told the way they are told of
// any other change (status, phases, backups) plus `onDidChangeFocus`, so they repaint for the
// new folder without knowing there is more than one. With one folder nothing ever moves.
import * as vscode from 'vscode';
import type { PhaseState } from '../core/phases';
import type { BackupInfo } from '../core/store/backups';
import { chooseFocus, focusLabel } from '../core/views/focus';
import type { RunReport } from '../protocol/report';
import type { GuardAction, MemorySample } from '../protocol/runner';
import type { RedlineServices, RunnerState, RunnerStatus } from './services';
import { ServiceEvents } from './service-events';
import type { WorkspaceSession } from './workspace-session';

/** What the status bar and the panel manager take: one folder's services, which may change folder. */
export interface ViewServices extends RedlineServices {
  /** The followed folder changed, or whether it needs naming did (a folder was added or removed). */
  readonly onDidChangeFocus: vscode.Event<void>;
  /** The followed folder's name, when there is more than one folder to tell it from. */
  folderLabel(): string | undefined;
}

const BUSY: ReadonlySet<RunnerState> = new Set(['running', 'watching']);

export class FocusedServices extends ServiceEvents implements ViewServices, vscode.Disposable {
  private readonly focusEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeFocus = this.focusEmitter.event;

  private focused: WorkspaceSession;
  /** The focused session's events, forwarded; replaced when the focus moves. */
  private forwarding: vscode.Disposable[] = [];
  /** Every session's status, watched for a run starting (which may take the focus). */
  private readonly watched = new Map<WorkspaceSession, { state: RunnerState; listener: vscode.Disposable }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: () => readonly WorkspaceSession[]) {
    super();
    const first = sessions()[0];
    if (!first) throw new Error('FocusedServices needs at least one session');
    this.focused = first;
    this.disposables.push(
      ...this.emitters(),
      this.focusEmitter,
      vscode.window.onDidChangeActiveTextEditor(() => this.refocus()),
    );
    this.forward(first);
    this.sessionsChanged();
  }

  /** The session the views show now (the commands' e2e checks and Root read it). */
  get session(): WorkspaceSession {
    return this.focused;
  }

  /**
   * Root calls this after adding or removing a session, before disposing a removed one: the
   * focus leaves a removed folder, and the title of every view may gain or lose its folder name.
   */
  sessionsChanged(): void {
    const sessions = this.sessions();
    for (const [session, watch] of this.watched) {
      if (sessions.includes(session)) continue;
      watch.listener.dispose();
      this.watched.delete(session);
    }
    for (const session of sessions) {
      if (this.watched.has(session)) continue;
      const watch = {
        state: session.runnerStatus().state,
        listener: session.onDidChangeRunnerStatus((status) => {
          const started = BUSY.has(status.state) && !BUSY.has(watch.state);
          watch.state = status.state;
          if (started) this.refocus(session);
        }),
      };
      this.watched.set(session, watch);
    }
    if (!this.refocus()) this.focusEmitter.fire();
  }

  // ---- RedlineServices, from the focused session -------------------------------------------

  get root(): string {
    return this.focused.root;
  }
  get extensionUri(): vscode.Uri {
    return this.focused.extensionUri;
  }
  memoryHistory(): readonly MemorySample[] {
    return this.focused.memoryHistory();
  }
  latestMemory(): MemorySample | undefined {
    return this.focused.latestMemory();
  }
  guardActions(): readonly GuardAction[] {
    return this.focused.guardActions();
  }
  runnerStatus(): RunnerStatus {
    return this.focused.runnerStatus();
  }
  lastReport(): RunReport | undefined {
    return this.focused.lastReport();
  }
  lastLeaks(): RunReport['leaks'] {
    return this.focused.lastLeaks();
  }
  loadPhases(): Promise<PhaseState> {
    return this.focused.loadPhases();
  }
  listBackups(): Promise<readonly BackupInfo[]> {
    return this.focused.listBackups();
  }
  folderLabel(): string | undefined {
    return focusLabel(this.focused.folder.name, this.sessions().length);
  }

  dispose(): void {
    for (const d of this.forwarding.splice(0)) d.dispose();
    for (const watch of this.watched.values()) watch.listener.dispose();
    this.watched.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Applies the focus rule; true when the focus moved (and the views were told). */
  private refocus(started?: WorkspaceSession): boolean {
    const sessions = this.sessions();
    const root = chooseFocus({ roots: sessions.map((s) => s.root), current: this.focused.root, editorRoot: this.editorRoot(sessions), startedRoot: started?.root });
    const next = sessions.find((s) => s.root === root);
    if (!next || next === this.focused) return false;
    this.focused = next;
    this.forward(next);
    // Everything the views show came from the old folder: tell them the way a change in one
    // folder would, so a view that listens only to its own events repaints too.
    this.focusEmitter.fire();
    this.statusEmitter.fire(next.runnerStatus());
    this.phasesEmitter.fire();
    this.backupsEmitter.fire();
    return true;
  }

  private forward(session: WorkspaceSession): void {
    for (const d of this.forwarding.splice(0)) d.dispose();
    this.forwarding = [
      session.onDidSampleMemory((e) => this.memoryEmitter.fire(e)),
      session.onDidGuardAction((e) => this.guardEmitter.fire(e)),
      session.onDidChangeRunnerStatus((e) => this.statusEmitter.fire(e)),
      session.onDidFinishRun((e) => this.reportEmitter.fire(e)),
      session.onDidChangePhases(() => this.phasesEmitter.fire()),
      session.onDidChangeBackups(() => this.backupsEmitter.fire()),
    ];
  }

  /** The root of the session the active text editor's file belongs to, if any. */
  private editorRoot(sessions: readonly WorkspaceSession[]): string | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    return folder ? sessions.find((s) => s.folder.uri.toString() === folder.uri.toString())?.root : undefined;
  }
}
