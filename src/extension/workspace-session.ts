// One workspace folder's Redline: its runner (through the supervisor), the live memory figures,
// the last report, and the state store (phases, backups) the commands and panels use. The
// extension host holds no test data beyond the last report and a few minutes of samples; test
// code runs only in the runner's process tree.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { PhaseState } from '../core/phases';
import { approveTargets, type Target, type TargetOutcome } from '../core/approve-targets';
import type { BackupInfo } from '../core/store/backups';
import type { StoreResult } from '../core/store/store-result';
import type { Settings } from '../cli/settings';
import { runParams, type RunSelection } from '../cli/run-params';
import type { NotificationHandlers } from '../host/runner-client';
import type { RunReport } from '../protocol/report';
import type { DiscoverResult, FreeMemoryResult, GuardAction, MemorySample, RunResult } from '../protocol/runner';
import { emergencyStop } from '../runner/emergency-stop';
import { currentPlatform } from '../runner/platform/current';
import { stopRunners } from '../runner/state/runner-registry';
import { openWorkspaceStore, type WorkspaceStore } from '../runner/state/workspace-store';
import { resolveNodeRuntime } from './node-runtime';
import { RunnerSupervisor, RunnerUnavailableError } from './runner-supervisor';
import { ServiceEvents } from './service-events';
import type { RedlineServices, RunnerStatus } from './services';
import { loadFolderSettings } from './settings';

/** Minutes of memory history the panels chart. */
const HISTORY_MS = 5 * 60_000;
const LOCK_WAIT_MS = 5000;

/** The run notifications one run (or one watch run) listens to. */
export type RunObserver = Pick<NotificationHandlers, 'run/planned' | 'run/fileStarted' | 'run/testStarted' | 'run/testFinished' | 'run/fileFinished' | 'output'>;

export interface WatchObserver extends RunObserver {
  runStarted(changed: readonly string[]): void;
  runDone(report: RunReport): void;
  stopped(message?: string): void;
}

export type SessionRunResult = RunResult | { readonly kind: 'unavailable'; readonly message: string };

export class WorkspaceSession extends ServiceEvents implements RedlineServices, vscode.Disposable {
  readonly root: string;
  readonly supervisor: RunnerSupervisor;
  private readonly disposables: vscode.Disposable[] = [];

  private history: MemorySample[] = [];
  private slotStartedAt = 0;
  private latest: MemorySample | undefined;
  private guard: GuardAction[] = [];
  private report: RunReport | undefined;
  private leaks: RunReport['leaks'] = [];
  private observer: RunObserver | undefined;
  private watcher: WatchObserver | undefined;
  /** Runs are one at a time per runner: the next waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();
  private storeInstance: WorkspaceStore | undefined;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.root = folder.uri.fsPath;
    this.supervisor = new RunnerSupervisor({
      root: this.root,
      runnerPath: vscode.Uri.joinPath(extensionUri, 'dist', 'runner.js').fsPath,
      node: () => {
        const runtime = resolveNodeRuntime(vscode.workspace.getConfiguration('redline', folder.uri).get<string>('nodeExecutable', ''));
        if ('error' in runtime) {
          void vscode.window.showErrorMessage(runtime.error);
          return {};
        }
        return { ...(runtime.execPath ? { execPath: runtime.execPath } : {}), ...(runtime.env ? { env: runtime.env } : {}) };
      },
      logLevel: () => logLevelName(log.logLevel),
      backupsMax: () => {
        const loaded = loadFolderSettings(folder);
        return loaded.ok ? loaded.settings.config.backups.max : undefined;
      },
      handlers: this.handlers(),
      log,
      onStatus: (status) => this.statusEmitter.fire(status),
    });
    this.disposables.push(...this.emitters());
  }

  // ---- RedlineServices ---------------------------------------------------------------------

  memoryHistory(): readonly MemorySample[] {
    return this.history;
  }
  latestMemory(): MemorySample | undefined {
    return this.latest;
  }
  guardActions(): readonly GuardAction[] {
    return this.guard;
  }
  runnerStatus(): RunnerStatus {
    return this.supervisor.currentStatus();
  }
  lastReport(): RunReport | undefined {
    return this.report;
  }
  lastLeaks(): RunReport['leaks'] {
    return this.leaks;
  }
  async loadPhases(): Promise<PhaseState> {
    return (await this.store().load('phases')).value;
  }
  async listBackups(): Promise<readonly BackupInfo[]> {
    return this.store().listBackups();
  }

  // ---- runs --------------------------------------------------------------------------------

  settings(): Settings | string {
    const loaded = loadFolderSettings(this.folder);
    return loaded.ok ? loaded.settings : loaded.errors.join('\n');
  }

  /** The test files Vitest would run here. */
  async discover(): Promise<DiscoverResult | { kind: 'unavailable'; message: string }> {
    const settings = this.settings();
    if (typeof settings === 'string') return { kind: 'unavailable', message: settings };
    try {
      const client = await this.supervisor.client();
      return await client.discover({ ...(settings.config.run.config ? { vitestConfig: settings.config.run.config } : {}), projects: [...(settings.config.run.projects ?? [])] });
    } catch (error) {
      return { kind: 'unavailable', message: errorText(error) };
    }
  }

  /** One run; waits for a run in progress to end first. */
  run(selection: RunSelection, observer: RunObserver, options: { leaks?: boolean } = {}): Promise<SessionRunResult> {
    const next = this.queue.then(() => this.runNow(selection, observer, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(selection: RunSelection, observer: RunObserver, options: { leaks?: boolean }): Promise<SessionRunResult> {
    if (this.watcher) return { kind: 'unavailable', message: 'Redline is watching this folder: runs start on changes. Stop watching (Redline: Toggle Watch) to run by hand.' };
    const settings = this.settings();
    if (typeof settings === 'string') return { kind: 'unavailable', message: settings };
    let client;
    try {
      client = await this.supervisor.client();
    } catch (error) {
      return { kind: 'unavailable', message: errorText(error) };
    }
    const params = runParams(settings, selection);
    if (options.leaks) params.leaks = { ...settings.config.leaks, enabled: true };
    this.observer = observer;
    this.guard = [];
    this.supervisor.markBusy('running');
    try {
      const result = await client.run(params);
      if (result.kind === 'done') this.finished(result.report);
      return result;
    } catch (error) {
      return { kind: 'unavailable', message: errorText(error) };
    } finally {
      this.observer = undefined;
      this.supervisor.markBusy('ready');
      this.phasesEmitter.fire();
    }
  }

  /** Stops the run in progress: the runner kills the test workers' whole trees. */
  async cancel(): Promise<void> {
    const client = await this.supervisor.client().catch(() => undefined);
    if (!client) return;
    await client.cancel();
  }

  get watching(): boolean {
    return this.watcher !== undefined;
  }

  async startWatch(observer: WatchObserver): Promise<string | undefined> {
    if (this.watcher) return undefined;
    const settings = this.settings();
    if (typeof settings === 'string') return settings;
    await this.queue;
    let client;
    try {
      client = await this.supervisor.client();
    } catch (error) {
      return errorText(error);
    }
    this.watcher = observer;
    this.observer = observer;
    const started = await client
      .watchStart({
        run: runParams(settings, { filters: [] }),
        debounceMs: settings.config.watch.debounceMs,
        ignore: [...settings.config.watch.ignore],
      })
      .catch((error: unknown) => ({ kind: 'error' as const, message: errorText(error) }));
    if (started.kind === 'error') {
      this.watcher = undefined;
      this.observer = undefined;
      return started.message;
    }
    this.supervisor.markBusy('watching');
    // Whatever ends the runner ends the watch with it.
    void client.exited.then(() => this.watchEnded('The runner stopped; watching ended.'));
    return undefined;
  }

  async stopWatch(): Promise<void> {
    if (!this.watcher) return;
    const client = await this.supervisor.client().catch(() => undefined);
    await client?.watchStop();
    this.watchEnded();
  }

  private watchEnded(message?: string): void {
    const watcher = this.watcher;
    if (!watcher) return;
    this.watcher = undefined;
    this.observer = undefined;
    this.supervisor.markBusy('ready');
    watcher.stopped(message);
  }

  // ---- recovery actions --------------------------------------------------------------------

  async freeMemory(): Promise<FreeMemoryResult | string> {
    if (!this.supervisor.pid) return 'The runner is not running: it holds no memory.';
    try {
      const client = await this.supervisor.client();
      return await client.freeMemory();
    } catch (error) {
      return errorText(error);
    }
  }

  async restartRunner(): Promise<string | undefined> {
    this.watchEnded('The runner was restarted; watching ended.');
    try {
      await this.supervisor.restart();
      return undefined;
    } catch (error) {
      return errorText(error);
    }
  }

  /**
   * Everything this folder's runner started goes, now: the runner's process group, and anything
   * carrying its run marker that left the group (a test's detached child).
   */
  async emergencyStop(): Promise<number> {
    const marker = this.supervisor.runMarker;
    const pid = this.supervisor.pid;
    this.watchEnded('Stopped by an emergency stop.');
    this.supervisor.kill();
    if (!marker || pid === undefined) return 0;
    const victims = await emergencyStop(currentPlatform(), marker, pid, process.pid, 0).catch(() => []);
    return victims.length;
  }

  async approve(targets: readonly Target[]): Promise<StoreResult<TargetOutcome[]>> {
    let outcomes: TargetOutcome[] = [];
    const now = Date.now();
    const updated = await this.store().update('phases', (state) => {
      const result = approveTargets(state, targets, now);
      outcomes = result.outcomes;
      return result.state;
    });
    if (!updated.ok) return updated;
    this.phasesEmitter.fire();
    return { ok: true, value: outcomes };
  }

  async backup(label?: string) {
    const made = await this.store().backup(label);
    this.backupsEmitter.fire();
    return made;
  }

  async restore(id: string) {
    const restored = await this.store().restore(id);
    this.backupsEmitter.fire();
    this.phasesEmitter.fire();
    return restored;
  }

  async prune(keep?: number) {
    const pruned = await this.store().prune(keep === undefined ? {} : { keep });
    this.backupsEmitter.fire();
    return pruned;
  }

  async reset(kind: 'soft' | 'hard') {
    if (kind === 'hard') {
      // The runner keeps the cache and graph in memory and writes them after runs: it goes first
      // (and so does any other runner on this folder, a terminal's `redline watch`).
      this.watchEnded('A hard reset stopped the runner.');
      await this.supervisor.stop();
      await stopRunners(this.root);
      this.report = undefined;
      this.leaks = [];
    }
    const done = kind === 'hard' ? await this.store().resetHard() : await this.store().resetSoft();
    this.backupsEmitter.fire();
    this.phasesEmitter.fire();
    return done;
  }

  snapshotsDir(): string {
    return join(this.root, '.redline', 'snapshots');
  }

  dispose(): void {
    void this.supervisor.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  // ---- internals ---------------------------------------------------------------------------

  private finished(report: RunReport): void {
    this.report = report;
    if (report.leaks.length > 0 || this.ranWithLeakDetection()) this.leaks = report.leaks;
    this.reportEmitter.fire(report);
  }

  private ranWithLeakDetection(): boolean {
    const settings = this.settings();
    return typeof settings !== 'string' && settings.config.leaks.enabled;
  }

  private store(): WorkspaceStore {
    if (this.storeInstance) return this.storeInstance;
    const settings = this.settings();
    this.storeInstance = openWorkspaceStore(this.root, {
      logger: { info: (m) => this.log.info(m), warn: (m) => this.log.warn(m), error: (m) => this.log.error(m) },
      command: 'the Redline extension',
      lockWaitMs: LOCK_WAIT_MS,
      ...(typeof settings === 'string' ? {} : { backupsMax: settings.config.backups.max }),
    });
    return this.storeInstance;
  }

  private handlers(): NotificationHandlers {
    return {
      'run/planned': (p) => this.observer?.['run/planned']?.(p),
      'run/fileStarted': (p) => this.observer?.['run/fileStarted']?.(p),
      'run/testStarted': (p) => this.observer?.['run/testStarted']?.(p),
      'run/testFinished': (p) => this.observer?.['run/testFinished']?.(p),
      'run/fileFinished': (p) => this.observer?.['run/fileFinished']?.(p),
      output: (p) => this.observer?.output?.(p),
      'memory/sample': (sample) => this.sampled(sample),
      'guard/action': (action) => {
        this.guard = [...this.guard.slice(-199), action];
        const where = action.test ? ` — ${action.file ?? ''} > ${action.test}` : action.file ? ` — ${action.file}` : '';
        (action.action === 'stop' ? this.log.warn : this.log.info).call(this.log, `guard: ${action.action} at ${action.tier}${where}: ${action.reason}`);
        this.guardEmitter.fire(action);
      },
      log: ({ level, message }) => this.log[level](`runner: ${message}`),
      'watch/status': (status) => {
        if (status.state === 'running') {
          this.guard = [];
          this.watcher?.runStarted(status.changed ?? []);
        }
        if (status.message) this.log.info(`watch: ${status.message}`);
      },
      'watch/runDone': ({ report }) => {
        this.finished(report);
        this.watcher?.runDone(report);
        this.phasesEmitter.fire();
      },
    };
  }

  private sampled(raw: MemorySample): void {
    // The runner stamps samples from the start of its run; across runs the host's clock serves.
    const sample = { ...raw, atMs: Date.now() };
    this.latest = sample;
    // At most one sample a second in the history: enough for a chart of minutes, and bounded.
    // Within a one-second slot the highest sample stands for the slot (the chart's peak is then
    // the run's, which the status bar shows at rest); a new slot starts a point.
    const last = this.history[this.history.length - 1];
    if (last && sample.atMs - this.slotStartedAt < 1000) {
      if (sample.treeRssBytes >= last.treeRssBytes) this.history[this.history.length - 1] = sample;
    } else {
      this.history.push(sample);
      this.slotStartedAt = sample.atMs;
    }
    const cutoff = Date.now() - HISTORY_MS;
    if (this.history.length > 0 && this.history[0]!.atMs < cutoff && this.history.length > HISTORY_MS / 1000) this.history.shift();
    this.memoryEmitter.fire(sample);
  }
}

function logLevelName(level: vscode.LogLevel): 'trace' | 'debug' | 'info' | 'warn' | 'error' {
  switch (level) {
    case vscode.LogLevel.Trace:
      return 'trace';
    case vscode.LogLevel.Debug:
      return 'debug';
    case vscode.LogLevel.Warning:
      return 'warn';
    case vscode.LogLevel.Error:
    case vscode.LogLevel.Off:
      return 'error';
    default:
      return 'info';
  }
}

export function errorText(error: unknown): string {
  if (error instanceof RunnerUnavailableError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
