// What the panels and the status bar read: one workspace's live runner state, kept by the host
// (src/extension/workspace-session.ts). Panels only read and listen; every action a panel offers
// goes through a `redline.*` command (src/extension/commands.ts), so the palette, the panels and
// the tests share one path with one set of confirmations.
import type * as vscode from 'vscode';
import type { PhaseState } from '../core/phases';
import type { BackupInfo } from '../core/store/backups';
import type { RunReport } from '../protocol/report';
import type { GuardAction, MemorySample } from '../protocol/runner';

export type RunnerState =
  /** Not started yet: it starts on the first run or watch. */
  | 'idle'
  | 'starting'
  | 'ready'
  | 'running'
  | 'watching'
  /** Crashed; the supervisor restarts it after `retryInMs`. */
  | 'restarting'
  /** Crashed too often, or could not start (no Vitest, bad config): `message` says why. */
  | 'failed'
  /** Workspace Trust: no test code runs until the user trusts the folder. */
  | 'untrusted';

export interface RunnerStatus {
  readonly state: RunnerState;
  readonly pid?: number;
  readonly vitestVersion?: string;
  readonly nodeVersion?: string;
  /** Restarts after a crash in the current window (the supervisor's budget). */
  readonly restarts: number;
  readonly retryInMs?: number;
  /** Why it failed or what it is doing, as a sentence for the user. */
  readonly message?: string;
  /** Epoch ms of the last state change. */
  readonly since: number;
}

export interface RedlineServices {
  /** The workspace folder (absolute path) this runner serves. */
  readonly root: string;
  readonly extensionUri: vscode.Uri;

  /**
   * Every memory sample the runner sends (2–10 a second while tests run, none at rest), with
   * `atMs` re-stamped by the host as epoch milliseconds (the runner counts from its run's start).
   */
  readonly onDidSampleMemory: vscode.Event<MemorySample>;
  /** The last minutes of samples, oldest first, thinned to at most one per second. */
  memoryHistory(): readonly MemorySample[];
  latestMemory(): MemorySample | undefined;

  readonly onDidGuardAction: vscode.Event<GuardAction>;
  /** The guard's actions of the current or last run, oldest first. */
  guardActions(): readonly GuardAction[];

  readonly onDidChangeRunnerStatus: vscode.Event<RunnerStatus>;
  runnerStatus(): RunnerStatus;

  /** Fires with every finished run's report (a run, a watch run). */
  readonly onDidFinishRun: vscode.Event<RunReport>;
  lastReport(): RunReport | undefined;
  /** Leaks of the last run that looked for leaks (a run without leak detection does not clear them). */
  lastLeaks(): RunReport['leaks'];

  /** Fires after anything that may change `.redline/phases.json`: a run, approve, restore, reset. */
  readonly onDidChangePhases: vscode.Event<void>;
  loadPhases(): Promise<PhaseState>;

  /** Fires after a backup is made, restored, pruned or a reset took one. */
  readonly onDidChangeBackups: vscode.Event<void>;
  listBackups(): Promise<readonly BackupInfo[]>;
}
