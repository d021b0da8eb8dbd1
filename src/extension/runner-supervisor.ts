// Keeps one runner process alive for a workspace folder: starts it on first need, restarts it
// after a crash with growing delays, and after too many crashes in a minute stops trying and says
// why (a runner that dies at start-up would otherwise burn a core forever). Starts and stops are
// serialized: a restart asked for while one is under way joins it.
import type * as vscode from 'vscode';
import { RunnerClient, type NotificationHandlers, type RunnerExit } from '../host/runner-client';
import type { InitializeParams } from '../protocol/runner';
import type { RunnerStatus } from './services';

/** Restarts after crashes allowed within CRASH_WINDOW_MS before the supervisor gives up. */
export const MAX_RESTARTS = 3;
export const CRASH_WINDOW_MS = 60_000;
const FIRST_RETRY_MS = 500;

export interface SupervisorOptions {
  readonly root: string;
  readonly runnerPath: string;
  /** Resolved each start: the setting may change between starts. */
  readonly node: () => { execPath?: string; env?: NodeJS.ProcessEnv };
  readonly logLevel: () => InitializeParams['logLevel'];
  readonly backupsMax: () => number | undefined;
  readonly handlers: NotificationHandlers;
  readonly log: vscode.LogOutputChannel;
  readonly onStatus: (status: RunnerStatus) => void;
}

export class RunnerUnavailableError extends Error {}

export class RunnerSupervisor {
  private current: RunnerClient | undefined;
  private starting: Promise<RunnerClient> | undefined;
  private crashes: number[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** Set while the supervisor itself stops the runner: that exit is no crash. */
  private stopping = false;
  private disposed = false;
  private status: RunnerStatus = { state: 'idle', restarts: 0, since: Date.now() };

  constructor(private readonly o: SupervisorOptions) {}

  get pid(): number | undefined {
    return this.current?.pid;
  }

  get runMarker(): string | undefined {
    return this.current?.runMarker;
  }

  currentStatus(): RunnerStatus {
    return this.status;
  }

  /** Running or watching: set by the session around runs. */
  markBusy(state: 'running' | 'watching' | 'ready'): void {
    if (this.current && (this.status.state === 'ready' || this.status.state === 'running' || this.status.state === 'watching')) this.setStatus({ state });
  }

  markUntrusted(): void {
    this.setStatus({ state: 'untrusted', message: 'This workspace is not trusted: Redline runs no test code until you trust it.' });
  }

  /** The ready runner, started if need be. Throws RunnerUnavailableError with a sentence for the user. */
  async client(): Promise<RunnerClient> {
    if (this.disposed) throw new RunnerUnavailableError('Redline is shutting down.');
    if (this.status.state === 'untrusted') throw new RunnerUnavailableError(this.status.message ?? 'The workspace is not trusted.');
    if (this.current && !this.starting) return this.current;
    if (this.status.state === 'failed' && !this.starting) {
      // The user asked again (a run, a command): one more try, with a fresh budget.
      this.crashes = [];
    }
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stop the runner and its tree (graceful, then SIGKILL); a later client() starts a new one. */
  async stop(state: 'idle' | 'untrusted' = 'idle'): Promise<void> {
    clearTimeout(this.retryTimer);
    const client = this.current ?? (await this.starting?.catch(() => undefined));
    this.current = undefined;
    if (client) {
      this.stopping = true;
      try {
        await client.shutdown(2000);
      } finally {
        this.stopping = false;
      }
    }
    if (state === 'untrusted') this.markUntrusted();
    else this.setStatus({ state: 'idle', message: undefined, pid: undefined });
  }

  /** What "Restart Runner" does: stop, and start afresh with a clean crash budget. */
  async restart(): Promise<RunnerClient> {
    await this.stop();
    this.crashes = [];
    return this.client();
  }

  /** Emergency stop: kill the runner's whole group at once, no grace. */
  kill(): void {
    clearTimeout(this.retryTimer);
    const client = this.current;
    this.current = undefined;
    if (!client) return;
    this.stopping = true;
    client.killGroup('SIGKILL');
    void client.exited.finally(() => {
      this.stopping = false;
    });
    this.setStatus({ state: 'idle', pid: undefined, message: 'Stopped by an emergency stop; it starts again with the next run.' });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
  }

  private async start(): Promise<RunnerClient> {
    clearTimeout(this.retryTimer);
    this.setStatus({ state: 'starting', message: undefined });
    const node = this.o.node();
    const client = new RunnerClient(this.o.runnerPath, this.o.handlers, {
      ...(node.execPath ? { nodeExecutable: node.execPath } : {}),
      ...(node.env ? { env: node.env } : {}),
      onInvalid: (method, error) => this.o.log.warn(`runner sent an invalid ${method} notification: ${error}`),
    });
    try {
      client.start();
    } catch (error) {
      return this.fail(`The runner could not be started with ${node.execPath ?? 'node'}: ${message(error)}. Check the setting redline.nodeExecutable.`);
    }
    this.o.log.info(`runner started (pid ${client.pid}) with ${node.execPath ?? process.execPath}`);
    void client.exited.then((exit) => this.onExit(client, exit));
    let init;
    try {
      const backupsMax = this.o.backupsMax();
      init = await client.initialize(this.o.root, this.o.logLevel(), { host: 'the Redline extension', ...(backupsMax ? { backupsMax } : {}) });
    } catch (error) {
      client.killGroup('SIGKILL');
      const exit = await Promise.race([client.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
      const tail = exit?.stderrTail ? `\n${exit.stderrTail}` : '';
      return this.fail(`The runner stopped while starting: ${message(error)}.${tail}`);
    }
    if (init.kind === 'error') {
      this.stopping = true;
      await client.shutdown(1000).finally(() => (this.stopping = false));
      return this.fail(init.message);
    }
    this.current = client;
    this.o.log.info(`runner ready: Vitest ${init.vitest.version} from ${init.vitest.packageDir}, Node ${init.node}`);
    this.setStatus({ state: 'ready', pid: init.pid, vitestVersion: init.vitest.version, nodeVersion: init.node, message: undefined, retryInMs: undefined });
    return client;
  }

  private fail(text: string): never {
    this.setStatus({ state: 'failed', message: text, pid: undefined });
    throw new RunnerUnavailableError(text);
  }

  private onExit(client: RunnerClient, exit: RunnerExit): void {
    if (this.current === client) this.current = undefined;
    if (this.stopping || this.disposed || this.status.state === 'failed') return;
    if (this.current) return; // an older runner we already replaced
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    this.o.log.error(`runner (pid ${client.pid}) exited unexpectedly (${how})${exit.stderrTail ? `:\n${exit.stderrTail}` : ''}`);
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashes.length > MAX_RESTARTS) {
      this.setStatus({
        state: 'failed',
        pid: undefined,
        message: `The runner crashed ${this.crashes.length} times within a minute (last: ${how}); Redline stopped restarting it. See the log, then run Redline: Restart Runner.`,
      });
      return;
    }
    const retryInMs = FIRST_RETRY_MS * 2 ** (this.crashes.length - 1);
    this.setStatus({ state: 'restarting', pid: undefined, retryInMs, restarts: this.status.restarts + 1, message: `The runner exited unexpectedly (${how}); restarting in ${retryInMs} ms.` });
    this.retryTimer = setTimeout(() => {
      if (this.disposed || this.current || this.starting) return;
      void this.client().catch((error: unknown) => this.o.log.error(`runner restart failed: ${message(error)}`));
    }, retryInMs);
  }

  private setStatus(change: Partial<RunnerStatus>): void {
    const next: RunnerStatus = { ...this.status, ...change, since: Date.now() };
    // Keys set to undefined are dropped, so the status stays a plain JSON value for the panels.
    for (const key of Object.keys(next) as (keyof RunnerStatus)[]) if (next[key] === undefined) delete (next as unknown as Record<string, unknown>)[key];
    this.status = next;
    this.o.onStatus(next);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
