// One Vitest instance, kept alive across runs: starting Vite and Vitest costs hundreds of
// milliseconds, which watch mode must not pay on every save. The host also owns the probe's
// socket for the runner's lifetime (a worker reads its address once, when it starts), and hands
// reporter and probe events to whichever run is current. Files changed between runs are
// invalidated in Vite's module graph; a restart (memory-safe watch) drops it all.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { isAbsolute, resolve } from 'node:path';
import { ENV, type ProbeMessage, type RunnerToProbe } from '../protocol/probe';
import { startProbeServer, type ProbeServer } from './probe-server';
import type { LocatedVitest } from './vitest-locate';
import { vitestMajor } from './vitest-locate';
import type { ReporterLike, VitestLike, VitestNodeModule, VitestPluginContextLike } from './vitest-types';
import type { z } from 'zod';
import type { RunParamsSchema } from '../protocol/runner';
import { canonicalJson } from '../core/store/canonical-json';
import { autoWorkers } from '../core/workers';

export interface VitestSettings {
  readonly vitestConfig?: string;
  readonly projects: readonly string[];
  readonly workers?: number;
  /** Collect garbage after each test so heap figures are post-GC (leak detection). */
  readonly probeGc?: boolean;
  /** Growth that calls for a full collection (leaks.minBytesPerTest). */
  readonly probeGcGrowth?: number;
  /** Write heap snapshots of each file into this folder. */
  readonly heapSnapshotDir?: string;
}

/** The Vitest a run asks for (its Vitest options and what its probe must do), from parsed params. */
export function vitestSettingsOf(params: z.output<typeof RunParamsSchema>): VitestSettings {
  return {
    ...(params.vitestConfig ? { vitestConfig: params.vitestConfig } : {}),
    projects: params.projects,
    ...(params.workers ? { workers: params.workers } : {}),
    probeGc: params.leaks.enabled,
    probeGcGrowth: params.leaks.minBytesPerTest,
    ...(params.heapSnapshot ? { heapSnapshotDir: params.heapSnapshot.dir } : {}),
  };
}

/** What the current run listens to. */
export interface HostListener {
  readonly reporter: ReporterLike;
  onProbe(message: ProbeMessage): void;
  onWorkerGone(pid: number): void;
}

export interface HostOptions {
  readonly root: string;
  readonly vitest: LocatedVitest;
  /** Absolute path of the built probe (dist/probe.mjs). */
  readonly probePath: string;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

interface ProjectInternals {
  testFilesList?: string[] | null;
}

/** What `warm` needs of a Vitest project (Vite's dev environments are public API). */
interface WarmableProject {
  readonly name: string;
  readonly config?: { readonly environment?: string };
  readonly vite?: { readonly environments?: { readonly ssr?: { transformRequest?(url: string): Promise<unknown> } } };
}

export class VitestHost {
  private vitest: VitestLike | undefined;
  private settingsKey: string | undefined;
  /** An instance being made, for the settings of `key`: a second ensure waits for it. */
  private creating: { readonly key: string; readonly promise: Promise<VitestLike> } | undefined;
  private probe: ProbeServer | undefined;
  private listener: HostListener | undefined;
  /** Runs that have used the current instance, for memory-safe watch. */
  runsSinceStart = 0;

  constructor(private readonly o: HostOptions) {}

  get instance(): VitestLike | undefined {
    return this.vitest;
  }

  attach(listener: HostListener): void {
    this.listener = listener;
  }

  detach(listener: HostListener): void {
    if (this.listener === listener) this.listener = undefined;
  }

  send(pid: number, message: RunnerToProbe): boolean {
    return this.probe?.send(pid, message) ?? false;
  }

  /**
   * The instance for these settings: the current one, or a new one if they changed. Calls that
   * overlap share one instance in the making (the runner starts Vitest early, the run then asks).
   */
  async ensure(settings: VitestSettings): Promise<VitestLike> {
    const key = canonicalJson(settings);
    for (let pending = this.creating; pending; pending = this.creating) {
      if (pending.key === key) return pending.promise;
      await pending.promise.catch(() => undefined);
    }
    if (this.vitest && key === this.settingsKey) return this.vitest;
    const promise = this.createFor(settings, key);
    const creating = { key, promise };
    this.creating = creating;
    try {
      return await promise;
    } finally {
      if (this.creating === creating) this.creating = undefined;
    }
  }

  private async createFor(settings: VitestSettings, key: string): Promise<VitestLike> {
    await this.ensureProbe();
    await this.closeInstance();
    process.env[ENV.probeGc] = settings.probeGc ? '1' : '0';
    process.env[ENV.probeGcGrowth] = String(settings.probeGcGrowth ?? 512 * 1024);
    if (settings.heapSnapshotDir) process.env[ENV.heapSnapshotDir] = settings.heapSnapshotDir;
    else delete process.env[ENV.heapSnapshotDir];
    const vitest = await this.create(settings);
    if (!settings.workers) applyAutoWorkers(vitest);
    this.vitest = vitest;
    this.settingsKey = key;
    this.runsSinceStart = 0;
    return vitest;
  }

  /**
   * Before a run: changed files are invalidated in Vite's module graph, and the test file lists
   * are globbed anew (Vitest caches them; a watch run must see files added or removed).
   */
  prepare(changedAbs: readonly string[]): void {
    const v = this.vitest as (VitestLike & { invalidateFile?(file: string): void; projects: readonly ProjectInternals[] }) | undefined;
    if (!v) return;
    for (const file of changedAbs) v.invalidateFile?.(file.split('\\').join('/'));
    for (const project of v.projects) project.testFilesList = null;
  }

  /** Whether `warm` would do anything: the first run of an instance. */
  get wantsWarm(): boolean {
    return this.runsSinceStart <= 1;
  }

  /**
   * Transforms modules a run is about to load (its test files and their workspace imports) while
   * the workers start: a worker otherwise waits for its first modules to be transformed one
   * import after another. Vite keeps each result in its module graph, where the worker's own
   * request finds it. Only in the first run of an instance, whose module graph is empty: later
   * runs find all but the changed modules transformed, and transforming those few at once costs
   * Rolldown more native memory than the milliseconds it saves. Best effort, and only where Vitest
   * is known to take a module from Vite's `ssr` environment (projects whose test environment is
   * `node`): a transform that fails is the worker's to meet, as it would have anyway.
   */
  warm(modules: readonly { readonly abs: string; readonly project?: string }[]): void {
    if (!this.wantsWarm) return;
    const v = this.vitest as unknown as { projects?: readonly WarmableProject[] } | undefined;
    const projects = v?.projects ?? [];
    for (const m of modules) {
      const project = m.project === undefined ? (projects.length === 1 ? projects[0] : undefined) : projects.find((p) => p.name === m.project);
      if (project?.config?.environment !== 'node') continue;
      const transform = project.vite?.environments?.ssr?.transformRequest;
      if (typeof transform !== 'function') continue;
      void transform.call(project.vite!.environments!.ssr, m.abs.split('\\').join('/')).catch(() => undefined);
    }
  }

  /** Drop the instance (and Vite's module graph with it); the next run starts a fresh one. */
  async restart(): Promise<void> {
    await this.close(false);
  }

  /** Forget an instance that cannot be trusted any more (stuck after a cancel); closed in the background. */
  discard(instance: VitestLike): void {
    if (this.vitest !== instance) return;
    this.vitest = undefined;
    this.settingsKey = undefined;
    void instance.close().catch(() => undefined);
  }

  async close(andProbe = true): Promise<void> {
    // An instance still in the making is closed once it is made.
    await this.creating?.promise.catch(() => undefined);
    await this.closeInstance();
    if (andProbe) {
      await this.probe?.close();
      this.probe = undefined;
    }
  }

  private async closeInstance(): Promise<void> {
    const v = this.vitest;
    this.vitest = undefined;
    this.settingsKey = undefined;
    if (v) await v.close().catch((e: unknown) => this.o.log('warn', `closing Vitest: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async ensureProbe(): Promise<void> {
    if (this.probe) return;
    this.probe = await startProbeServer(
      (m) => this.listener?.onProbe(m),
      (line) => this.o.log('warn', `probe sent an invalid message: ${line.slice(0, 200)}`),
      (pid) => this.listener?.onWorkerGone(pid),
    );
    process.env[ENV.probeSocket] = this.probe.path;
    process.env[ENV.vitestEntry] = pathToFileURL(this.o.vitest.mainEntry).href;
    process.env[ENV.root] = this.o.root;
  }

  private async create(settings: VitestSettings): Promise<VitestLike> {
    const { root, vitest: located, probePath } = this.o;
    // What `vitest run` sets before it creates Vitest (and createVitest alone does not): configs
    // and code under test branch on these, and NODE_ENV decides Vite's development/production
    // conditions. Tests must see the same environment as under plain Vitest.
    process.env.TEST = 'true';
    process.env.VITEST = 'true';
    process.env.NODE_ENV ??= 'test';
    const mod = await withAllocatorTuning(() => import(pathToFileURL(located.nodeEntry).href) as Promise<VitestNodeModule>);
    const major = vitestMajor(located.version);
    const forward = <K extends keyof ReporterLike>(name: K) =>
      ((...args: unknown[]) => (this.listener?.reporter[name] as ((...a: unknown[]) => void) | undefined)?.(...args)) as NonNullable<ReporterLike[K]>;
    const reporter: ReporterLike = {
      onTestModuleStart: forward('onTestModuleStart'),
      onTestModuleCollected: forward('onTestModuleCollected'),
      onTestCaseResult: forward('onTestCaseResult'),
      onTestModuleEnd: forward('onTestModuleEnd'),
      onUserConsoleLog: forward('onUserConsoleLog'),
      onTestRunEnd: forward('onTestRunEnd'),
    };
    const options: Record<string, unknown> = {
      root,
      watch: false,
      reporters: [reporter],
      pool: 'forks',
      // Where each test is declared, so the editor can put results on the right line.
      includeTaskLocation: true,
      ...(settings.vitestConfig ? { config: isAbsolute(settings.vitestConfig) ? settings.vitestConfig : resolve(root, settings.vitestConfig) } : {}),
      ...(settings.projects.length > 0 ? { project: [...settings.projects] } : {}),
    };
    // No `--expose-gc` for the workers: any V8 flag of their own makes Node reject the compile
    // cache Vitest's workers share, which cost ~25 ms of CPU per test file (measured). The probe
    // gets `gc` at run time when it needs it (src/runner/probe/gc.ts).
    if (major >= 4) {
      if (settings.workers) options.maxWorkers = settings.workers;
    } else if (settings.workers) {
      options.poolOptions = { forks: { maxForks: settings.workers, minForks: 1 } };
    }
    const plugin = {
      name: 'redline:probe',
      // Every project, including ones defined inline in `test.projects`, gets the probe.
      configureVitest({ project }: VitestPluginContextLike) {
        if (!project.config.setupFiles.includes(probePath)) project.config.setupFiles.unshift(probePath);
      },
    };
    return withoutProcessHandlers(() =>
      mod.createVitest('test', options, { plugins: [plugin] }, { stdout: this.logStream('stdout'), stderr: this.logStream('stderr') }),
    );
  }

  /** Vitest's own console output (warnings, config messages) goes to the host's log, never stdout. */
  private logStream(stream: 'stdout' | 'stderr'): NodeJS.WritableStream {
    return new Writable({
      write: (chunk: Buffer | string, _enc, cb) => {
        const text = chunk.toString().trimEnd();
        if (text) this.o.log(stream === 'stderr' ? 'warn' : 'debug', text);
        cb();
      },
    });
  }
}

/**
 * "auto" workers (core/workers.ts), unless the user's Vitest config chose: its `maxWorkers` (or
 * Vitest 3's `poolOptions.forks.maxForks`). Vitest reads `maxWorkers` from its resolved config
 * when a run groups its files, so setting it before the first run is enough; a project's own
 * `maxWorkers` still wins over it there.
 */
function applyAutoWorkers(vitest: VitestLike): void {
  const config = (vitest as { config?: { maxWorkers?: number | string; poolOptions?: { forks?: { maxForks?: number | string } } } }).config;
  if (!config || config.maxWorkers !== undefined || config.poolOptions?.forks?.maxForks !== undefined) return;
  config.maxWorkers = autoWorkers(availableParallelism());
}

/**
 * Vite 8 transforms with Rolldown, a native module with an allocator of its own (mimalloc). By
 * default it commits its arena eagerly and keeps the pages a transform freed for a while — on
 * threads that then go idle, until they next run. In a runner that lives on and transforms a few
 * modules per run (watch mode, the editor) that memory stays resident: on the 200-file bench
 * suite the runner went from 148 to 186 MB over its first 6 watch runs, and from 130 to 148 MB
 * over 10 with freed pages decommitted at once and the arena committed as used. mimalloc reads
 * these options when the
 * binding loads, which importing Vitest does: they are set for that moment only, and not where
 * the user set them, so the workers Vitest starts later (and whatever they load) inherit nothing.
 */
const ALLOCATOR_OPTIONS: Readonly<Record<string, string>> = {
  MIMALLOC_PURGE_DELAY: '0',
  MIMALLOC_PURGE_DECOMMITS: '1',
  MIMALLOC_ARENA_EAGER_COMMIT: '0',
};

async function withAllocatorTuning<T>(load: () => Promise<T>): Promise<T> {
  const ours = Object.keys(ALLOCATOR_OPTIONS).filter((name) => process.env[name] === undefined);
  for (const name of ours) process.env[name] = ALLOCATOR_OPTIONS[name];
  try {
    return await load();
  } finally {
    for (const name of ours) delete process.env[name];
  }
}

/**
 * Vitest's logger installs process handlers meant for its own CLI: on an unhandled rejection it
 * calls process.exit(), and on SIGINT/SIGTERM it exits at once. In the runner those would end the
 * whole run when Redline kills a worker (Vitest 3's tinypool then rejects a send to the dead
 * child) and would skip Redline's own cleanup on a signal. The runner owns its process: it keeps
 * its own handlers and removes the ones Vitest added.
 */
async function withoutProcessHandlers<T>(create: () => Promise<T>): Promise<T> {
  const events = ['unhandledRejection', 'SIGINT', 'SIGTERM'] as const;
  const before = new Map(events.map((e) => [e, new Set<unknown>(process.listeners(e as 'SIGINT'))]));
  try {
    return await create();
  } finally {
    for (const e of events) {
      for (const listener of process.listeners(e as 'SIGINT')) {
        if (!before.get(e)?.has(listener)) process.off(e as 'SIGINT', listener);
      }
    }
  }
}
