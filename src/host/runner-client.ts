// The host's end of the runner protocol, shared by the CLI and the extension: forks
// dist/runner.js in a process group of its own (so the whole test tree can be stopped as one),
// marks it with a run id that every descendant inherits, and checks every notification against
// its schema before anyone acts on it.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import { ENV } from '../protocol/probe';
import {
  AffectedResultSchema, DiscoverResultSchema, FreeMemoryResultSchema, InitializeResultSchema, NotificationSchemas, PROTOCOL_VERSION, Requests, RunResultSchema, WatchStartResultSchema,
  type AffectedParams, type AffectedResult, type DiscoverParams, type DiscoverResult, type FreeMemoryResult, type InitializeParams, type InitializeResult, type RunParams, type RunResult, type WatchParams,
} from '../protocol/runner';

type Schemas = typeof NotificationSchemas;
export type NotificationHandlers = { [K in keyof Schemas]?: (params: z.infer<Schemas[K]>) => void };

export interface RunnerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines the runner wrote to stderr, for a crash message. */
  readonly stderrTail: string;
}

export class RunnerClient {
  readonly runMarker = randomBytes(8).toString('hex');
  private child: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private stderr = '';
  private exitPromise: Promise<RunnerExit> | undefined;

  constructor(
    private readonly runnerPath: string,
    private readonly handlers: NotificationHandlers,
    private readonly options: { nodeExecutable?: string; env?: NodeJS.ProcessEnv; onInvalid?: (method: string, error: string) => void } = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves when the runner process ends, for whatever reason. */
  get exited(): Promise<RunnerExit> {
    if (!this.exitPromise) throw new Error('runner not started');
    return this.exitPromise;
  }

  start(): void {
    const child = fork(this.runnerPath, [], {
      // A process group of its own: stopping the group stops Vitest and every worker at once.
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...this.options.env, [ENV.run]: this.runMarker },
      ...(this.options.nodeExecutable ? { execPath: this.options.nodeExecutable } : {}),
      serialization: 'json',
      // No V8 flags of its own (see src/runner/probe/gc.ts). REDLINE_PROFILE_RUNNER=<dir> writes
      // CPU profiles of the runner and (Vitest passes --cpu-prof on) its workers, for developers.
      execArgv: process.env.REDLINE_PROFILE_RUNNER ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.REDLINE_PROFILE_RUNNER] : [],
    });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-8000);
    });
    // Anything on stdout is not protocol (that is on IPC): keep it with stderr for diagnosis.
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8000);
    });
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, stderrTail: this.stderr.trim().split('\n').slice(-20).join('\n') }));
      // A node that cannot be started (a wrong path) never exits: it fails to spawn.
      child.once('error', (error) => resolve({ code: null, signal: null, stderrTail: `could not start ${this.options.nodeExecutable ?? process.execPath}: ${error.message}` }));
    });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    for (const method of Object.keys(NotificationSchemas) as (keyof Schemas)[]) {
      connection.onNotification(method, (params: unknown) => {
        const parsed = NotificationSchemas[method].safeParse(params);
        if (!parsed.success) {
          this.options.onInvalid?.(method, parsed.error.message);
          return;
        }
        (this.handlers[method] as ((p: unknown) => void) | undefined)?.(parsed.data);
      });
    }
    connection.onError(() => undefined);
    connection.onClose(() => undefined);
    connection.listen();
    this.connection = connection;
  }

  async initialize(root: string, logLevel: InitializeParams['logLevel'] = 'info', state?: InitializeParams['state']): Promise<InitializeResult> {
    const raw = await this.race(
      this.conn().sendRequest(Requests.initialize, { protocolVersion: PROTOCOL_VERSION, root, logLevel, ...(state ? { state } : {}) }),
    );
    return InitializeResultSchema.parse(raw);
  }

  async run(params: RunParams): Promise<RunResult> {
    const raw = await this.race(this.conn().sendRequest(Requests.run, params));
    return RunResultSchema.parse(raw);
  }

  async affected(params: AffectedParams): Promise<AffectedResult> {
    const raw = await this.race(this.conn().sendRequest(Requests.affected, params));
    return AffectedResultSchema.parse(raw);
  }

  async discover(params: DiscoverParams): Promise<DiscoverResult> {
    const raw = await this.race(this.conn().sendRequest(Requests.discover, params));
    return DiscoverResultSchema.parse(raw);
  }

  async freeMemory(): Promise<FreeMemoryResult> {
    const raw = await this.race(this.conn().sendRequest(Requests.freeMemory));
    return FreeMemoryResultSchema.parse(raw);
  }

  async watchStart(params: WatchParams): Promise<z.infer<typeof WatchStartResultSchema>> {
    const raw = await this.race(this.conn().sendRequest(Requests.watchStart, params));
    return WatchStartResultSchema.parse(raw);
  }

  async watchTrigger(mode: 'all' | 'failed'): Promise<void> {
    await this.race(this.conn().sendRequest(Requests.watchTrigger, { mode }));
  }

  /** Stops watching (and the run in progress); resolves at once if the runner is gone. */
  async watchStop(): Promise<void> {
    try {
      await this.race(this.conn().sendRequest(Requests.watchStop));
    } catch {
      // The runner is gone: nothing is watching any more.
    }
  }

  async cancel(): Promise<void> {
    try {
      await this.conn().sendRequest(Requests.cancel);
    } catch {
      // Nothing to cancel: the runner is gone.
    }
  }

  /** Ask the runner to stop everything and exit; kill its group if it does not within `graceMs`. */
  async shutdown(graceMs = 3000): Promise<RunnerExit> {
    const exited = this.exited;
    try {
      void this.connection?.sendRequest(Requests.shutdown).catch(() => undefined);
    } catch {
      // The connection is already closed: the runner is gone or going.
    }
    const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    this.connection?.dispose();
    return result;
  }

  killGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') this.child?.kill(signal);
      else process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  private conn(): MessageConnection {
    if (!this.connection) throw new Error('runner not started');
    return this.connection;
  }

  /** A request fails, rather than hangs, when the runner dies before it answers. */
  private async race<T>(request: Promise<T>): Promise<T> {
    const died = this.exited.then((exit) => {
      throw new RunnerDiedError(exit);
    });
    return Promise.race([request, died]);
  }
}

export class RunnerDiedError extends Error {
  constructor(readonly exit: RunnerExit) {
    super(`the runner exited unexpectedly (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`})`);
  }
}
