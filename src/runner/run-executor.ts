// Carries out runs for the runner's host requests and for watch mode alike: the Vitest host, the
// workspace index (cache keys, affected files), the result cache and the import graph learnt from
// real runs, and the TDD phases recorded after each run.
import { mkdirSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FileReport, FileState, Leak } from '../protocol/report';
import type { AffectedResult, DiscoverResult, RunParams, RunResult } from '../protocol/runner';
import { RunParamsSchema } from '../protocol/runner';
import { EMPTY_CACHE, indexByKey, isCacheable, putAll, touch, type CacheContents, type CacheEntry } from '../core/cache/result-cache';
import { storableEntry, type ModuleGraph } from '../core/store/cache-document';
import type { Alias } from '../core/imports/resolve';
import { scannerReady } from '../core/imports/scan';
import type { Platform } from './platform/platform';
import { RunSession, type RunEvents } from './run-session';
import { VitestHost, vitestSettingsOf, type VitestSettings } from './vitest-host';
import type { LocatedVitest } from './vitest-locate';
import { readTsPaths, WorkspaceSnapshot, type IndexSources } from './workspace-index';
import type { WorkspaceStore } from './state/workspace-store';
import { beforeRun, recordRun } from './state/record-run';
import type { VitestLike } from './vitest-types';

/** How many of the files a run must run have their modules transformed ahead (see VitestHost.warm). */
const WARM_FILES = 16;

/** The cache and graph are saved once the runner has been idle this long after a run… */
const PERSIST_IDLE_MS = 1000;
/** …or right after a run once they have waited this long (runs in quick succession). */
const PERSIST_MAX_DELAY_MS = 30_000;

/** The longest a cached file's report waits for the first file that runs to finish (see runEvents). */
const CACHED_REPORT_DELAY_MS = 500;

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface ExecutorOptions {
  readonly root: string;
  readonly vitest: LocatedVitest;
  readonly platform: Platform;
  readonly runMarker: string;
  readonly store: WorkspaceStore | undefined;
  readonly probePath: string;
  readonly log: Log;
}

export class RunExecutor {
  readonly host: VitestHost;
  private session: RunSession | undefined;
  private cache: CacheContents | undefined;
  private graph: ModuleGraph | undefined;
  /** The cache and graph as last saved (or loaded): what differs from these is saved next. */
  private savedCache: CacheContents | undefined;
  private savedGraph: ModuleGraph | undefined;
  /** Saving the cache and graph, behind the results (see `schedulePersist`). */
  private persisting: Promise<void> = Promise.resolve();
  /** When the cache or graph first differed from what is saved (ms), while they do. */
  private dirtySince: number | undefined;
  private persistTimer: NodeJS.Timeout | undefined;
  private previous = new Map<string, FileState>();

  constructor(private readonly o: ExecutorOptions) {
    this.host = new VitestHost({ root: o.root, vitest: o.vitest, probePath: o.probePath, log: o.log });
  }

  get busy(): boolean {
    return this.session !== undefined;
  }

  async cancel(): Promise<void> {
    await this.session?.cancel();
  }

  /** Vitest closed, and the cache and graph of the last runs saved. */
  async close(): Promise<void> {
    await Promise.all([this.persistNow(), this.host.close()]);
  }

  async run(raw: RunParams, events: RunEvents): Promise<RunResult> {
    if (this.session) return { kind: 'error', code: 'busy', message: 'A run is already in progress on this runner.' };
    const params = RunParamsSchema.parse(raw);
    if (params.heapSnapshot) mkdirSync(params.heapSnapshot.dir, { recursive: true });
    // No saving while tests run: it is rescheduled when this run ends.
    clearTimeout(this.persistTimer);
    // Vitest starts (or is reused) while the state is read and git is asked: the run's own
    // `ensure` then finds it ready, or in the making. A failure here is the run's to report.
    void this.host.ensure(vitestSettingsOf(params)).catch(() => undefined);
    await scannerReady;
    await this.loadDerived();
    let sources: IndexSources | undefined;
    let snapshot: WorkspaceSnapshot | undefined;
    const runEvents = this.runEvents(events, () => snapshot);
    // The cache's entries by key for this run's lookups, and the keys it used (see `touch`).
    let index: ReadonlyMap<string, CacheEntry> | undefined;
    const used = new Set<string>();
    const session = new RunSession({
      root: this.o.root,
      host: this.host,
      platform: this.o.platform,
      runMarker: this.o.runMarker,
      events: runEvents.events,
      snapshot: () => {
        sources = this.sources();
        snapshot = new WorkspaceSnapshot(sources, this.graph ?? { files: {} });
        return snapshot;
      },
      cached: (key, needLeakCheck) => {
        index ??= indexByKey(this.cache ?? EMPTY_CACHE);
        const entry = index.get(key);
        if (!entry) return undefined;
        used.add(key);
        if (needLeakCheck && !entry.leakChecked) return undefined;
        return { report: entry.report, ...(entry.leak ? { leak: entry.leak } : {}) };
      },
      previous: this.previous,
    });
    this.session = session;
    const approveOnCommit = params.tdd.approveOnCommit;
    try {
      // HEAD and the history as the run starts, asked while it runs.
      const beforeRunning = this.o.store ? beforeRun(this.o.store, this.o.root, approveOnCommit, this.o.log).catch(() => null) : Promise.resolve(null);
      const result = await session.run(params).finally(() => {
        runEvents.flush();
        this.cache = touch(this.cache ?? EMPTY_CACHE, used, Date.now());
      });
      const before = await beforeRunning;
      if (result.kind !== 'done') return result;
      this.previous = new Map(result.report.files.map((f) => [key(f.path, f.project), f.state]));
      if (sources) this.learn(session, result.report.files, result.report.leaks, sources, params.cache, params.leaks.enabled);
      if (!this.o.store || !before) return result;
      // The phases before the result: the host shows them, and the editor reads them when the
      // result arrives. The cache and graph are this runner's own: saved later (schedulePersist).
      const state = await recordRun(this.o.store, this.o.root, result.report, before, approveOnCommit, this.o.log).catch((error: unknown) => ({
        phasesSaved: false,
        message: `The TDD phases of this run were not saved: ${error instanceof Error ? error.message : String(error)}`,
      }));
      return { ...result, state };
    } finally {
      this.session = undefined;
      this.schedulePersist();
    }
  }

  /**
   * The host's events, with two changes of timing only, for the files that must run. The files
   * answered from the cache are told when the first file that runs has finished (or after
   * CACHED_REPORT_DELAY_MS, or at the end, whichever comes first), not while the first worker
   * starts: sending a couple of hundred cached reports takes the runner tens of milliseconds, and
   * a worker's first modules wait for the runner to transform them. And then, while the next
   * worker starts, the phases are read ahead (the store keeps them): recording the run at the
   * end finds them known.
   */
  private runEvents(events: RunEvents, snapshot: () => WorkspaceSnapshot | undefined): { readonly events: RunEvents; readonly flush: () => void } {
    const cached: FileReport[] = [];
    const cachedKeys = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const file of cached.splice(0)) events.fileFinished(file);
    };
    let readAhead = false;
    const wrapped: RunEvents = {
      planned: (files) => {
        events.planned(files);
        // Once the cache has answered (synchronously, right after the plan), the files that must
        // run are known: their modules are transformed while their workers start.
        setImmediate(() => {
          const ws = snapshot();
          if (!ws || !this.host.wantsWarm) return;
          const toRun = files.filter((f) => !cachedKeys.has(key(f.path, f.project))).slice(0, WARM_FILES);
          const modules = new Map<string, string | undefined>();
          for (const f of toRun) for (const m of ws.closure(ws.abs(f.path))) if (!modules.has(m)) modules.set(m, f.project);
          this.host.warm([...modules].map(([abs, project]) => ({ abs, ...(project ? { project } : {}) })));
        });
      },
      fileStarted: (path, project, pid) => events.fileStarted(path, project, pid),
      testStarted: (path, fullName, pid) => events.testStarted(path, fullName, pid),
      testFinished: (path, project, test) => events.testFinished(path, project, test),
      fileFinished: (file) => {
        if (file.cached) {
          cached.push(file);
          cachedKeys.add(key(file.path, file.project));
          timer ??= setTimeout(flush, CACHED_REPORT_DELAY_MS);
          return;
        }
        flush();
        events.fileFinished(file);
        if (readAhead || !this.o.store) return;
        readAhead = true;
        void this.o.store.load('phases').catch(() => undefined);
      },
      memory: (sample) => events.memory(sample),
      guard: (action) => {
        flush();
        events.guard(action);
      },
      output: (stream, text, path, fullName) => events.output(stream, text, path, fullName),
      log: (level, message) => events.log(level, message),
    };
    return { events: wrapped, flush };
  }

  /** The test files that a change to `files` affects. */
  async affected(files: readonly string[], settings: VitestSettings): Promise<AffectedResult> {
    await scannerReady;
    await this.loadDerived();
    let vitest: VitestLike;
    try {
      vitest = await this.host.ensure(settings);
    } catch (error) {
      return { kind: 'error', code: 'config', message: `Vitest could not start in ${this.o.root}: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.host.prepare([]);
    const specs = await vitest.globTestSpecifications();
    const snapshot = new WorkspaceSnapshot(this.sources(), this.graph ?? { files: {} });
    const result = snapshot.affected(
      files.map((f) => snapshot.abs(f)),
      [...new Set(specs.map((s) => s.moduleId))],
    );
    return { kind: 'ok', files: result.files.map((f) => snapshot.rel(f)), ...(result.all ? { all: result.all } : {}) };
  }

  /** The test files Vitest would run, without running any (the editor's Test Explorer). */
  async discover(settings: VitestSettings): Promise<DiscoverResult> {
    let vitest: VitestLike;
    try {
      vitest = await this.host.ensure(settings);
    } catch (error) {
      return { kind: 'error', code: 'config', message: `Vitest could not start in ${this.o.root}: ${error instanceof Error ? error.message : String(error)}` };
    }
    // A file added since the last glob must show up: Vitest caches its file lists.
    if (!this.session) this.host.prepare([]);
    const specs = await vitest.globTestSpecifications();
    const multiProject = new Set(specs.map((s) => s.project.name)).size > 1;
    const seen = new Set<string>();
    const files: { path: string; project?: string }[] = [];
    for (const spec of specs) {
      const path = relative(this.o.root, spec.moduleId).split(sep).join('/');
      const project = multiProject ? spec.project.name : undefined;
      const key = `${project ?? ''}\0${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      files.push({ path, ...(project ? { project } : {}) });
    }
    files.sort((a, b) => (a.path === b.path ? (a.project ?? '').localeCompare(b.project ?? '') : a.path < b.path ? -1 : 1));
    return { kind: 'ok', files };
  }

  /**
   * Drops what the runner keeps between runs — the Vitest instance with Vite's module graph and
   * transform cache — and collects garbage; the next run starts Vitest afresh (a second or so).
   * The result cache and import graph stay: they are small and make the next run fast.
   */
  async freeMemory(): Promise<{ skipped?: string }> {
    if (this.session) return { skipped: 'A run is in progress; memory is freed between runs.' };
    await this.host.restart();
    return {};
  }

  /** The cache and graph documents, read once per runner and kept in memory after. */
  private async loadDerived(): Promise<void> {
    const store = this.o.store;
    if (this.cache && this.graph) return;
    if (!store) {
      this.cache ??= EMPTY_CACHE;
      this.graph ??= { files: {} };
      return;
    }
    this.cache = this.savedCache = (await store.load('cache')).value;
    this.graph = this.savedGraph = (await store.load('graph')).value;
  }

  /**
   * After a run: the cache and graph are saved once the runner has been idle for
   * PERSIST_IDLE_MS, or at once when they have waited PERSIST_MAX_DELAY_MS already, and always
   * on `close`. Runs in quick succession (watch mode) then share one save instead of rewriting
   * the whole cache after each: it grows with every result, and writing it is most of what a run
   * costs the runner beyond Vitest. Both are derived data: a save that never happens (the runner
   * killed) costs cache misses, never a wrong answer.
   */
  private schedulePersist(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    if (!this.o.store || (this.graph === this.savedGraph && this.cache === this.savedCache)) return;
    const now = Date.now();
    this.dirtySince ??= now;
    if (now - this.dirtySince >= PERSIST_MAX_DELAY_MS) {
      void this.persistNow();
      return;
    }
    this.persistTimer = setTimeout(() => void this.persistNow(), PERSIST_IDLE_MS);
    this.persistTimer.unref();
  }

  /** Saves what the cache and graph have that is not saved yet, after any save under way. */
  private persistNow(): Promise<void> {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.dirtySince = undefined;
    const store = this.o.store;
    if (!store) return this.persisting;
    this.persisting = this.persisting.then(async () => {
      const graph = this.graph;
      if (graph && graph !== this.savedGraph) {
        const saved = await store.save('graph', graph);
        if (saved.ok) this.savedGraph = graph;
        else this.o.log('warn', `The import graph was not saved: ${saved.error.message}`);
      }
      const cache = this.cache;
      if (cache && cache !== this.savedCache) {
        // Valid by construction: the loaded entries and new ones that passed storableEntry.
        const saved = await store.save('cache', cache, { validated: true });
        if (saved.ok) this.savedCache = cache;
        else this.o.log('warn', `The result cache was not saved: ${saved.error.message}`);
      }
    });
    return this.persisting;
  }

  /**
   * After a run: what each file loaded joins the graph, and each clean result is stored under the
   * key of the contents it ran with — but only if those contents did not change during the run
   * (the key computed before the run must still hold), so the cache never answers for code that
   * did not run. In memory; `schedulePersist` saves them.
   */
  private learn(
    session: RunSession,
    files: readonly FileReport[],
    leaks: readonly Leak[],
    sources: IndexSources,
    cache: { enabled: boolean; maxEntries: number; maxBytes: number },
    leaksChecked: boolean,
  ): void {
    const learnt = session.learnt();
    const oldGraph = this.graph ?? { files: {} };
    // Most runs load what the same files loaded last time: the graph then stays as it is.
    const changed = [...learnt.modules].some(([path, modules]) => !sameList(oldGraph.files[path], modules));
    const graph: ModuleGraph = changed ? { files: { ...oldGraph.files, ...Object.fromEntries(learnt.modules) } } : oldGraph;
    this.graph = graph;
    let contents = this.cache ?? EMPTY_CACHE;
    if (cache.enabled) {
      const before = new WorkspaceSnapshot(sources, oldGraph);
      const leakOf = new Map(leaks.map((l) => [l.file, l]));
      const after = before.withRuntime(graph);
      const now = Date.now();
      const entries: Parameters<typeof putAll>[1][number][] = [];
      for (const f of files) {
        if (f.cached || !isCacheable(f)) continue;
        const k = learnt.keysBefore.get(key(f.path, f.project));
        if (!k) continue;
        const abs = join(this.o.root, f.path);
        if (before.key(abs, f.project) !== k.key) {
          this.o.log('debug', `not caching ${f.path}: its inputs changed while it ran`);
          continue;
        }
        // Modules the run revealed (a dynamic import the scan could not see) were not hashed
        // before the run: their content then is unknown, so this result is not stored. The next
        // run keys them from the start and can be stored.
        const known = before.closure(abs);
        if ([...after.closure(abs)].some((m) => !known.has(m))) {
          this.o.log('debug', `not caching ${f.path} this time: it loaded modules its key did not cover yet`);
          continue;
        }
        const entry = storableEntry({ key: after.key(abs, f.project), path: f.path, ...(f.project ? { project: f.project } : {}), report: f, ...(leakOf.get(f.path) ? { leak: leakOf.get(f.path)! } : {}), leakChecked: leaksChecked, storedAt: now });
        if (!entry) {
          this.o.log('warn', `not caching ${f.path}: its report does not match the cache's schema`);
          continue;
        }
        entries.push(entry);
      }
      contents = putAll(contents, entries, now, { maxEntries: cache.maxEntries, maxBytes: cache.maxBytes });
    }
    this.cache = contents;
  }

  /** Aliases, tsconfig paths and the files that affect every test, from the live Vitest. */
  private sources(): IndexSources {
    const v = this.host.instance as unknown as VitestInternals | undefined;
    const root = this.o.root;
    const aliases: Alias[] = [];
    const configFiles = new Set<string>();
    for (const project of v?.projects ?? []) {
      const cfg = project.vite?.config;
      for (const a of normalizeAliases(cfg?.resolve?.alias)) aliases.push(a);
      if (cfg?.configFile) configFiles.add(cfg.configFile);
      // What the config file imports (a shared config module) changes the config too.
      for (const dep of cfg?.configFileDependencies ?? []) configFiles.add(dep);
      if (cfg?.envDir) for (const env of envFiles(cfg.envDir)) configFiles.add(env);
      for (const f of project.config?.setupFiles ?? []) if (f !== this.o.probePath) configFiles.add(f);
      const gs = project.config?.globalSetup;
      for (const f of Array.isArray(gs) ? gs : gs ? [gs] : []) configFiles.add(f);
    }
    const rootConfig = v?.vite?.config?.configFile;
    if (rootConfig) configFiles.add(rootConfig);
    for (const dep of v?.vite?.config?.configFileDependencies ?? []) configFiles.add(dep);
    // Vite's .env files feed import.meta.env.
    for (const env of envFiles(root)) configFiles.add(env);
    return {
      root,
      aliases: aliases.filter((a) => !isVitestInternal(a)),
      tsPaths: readTsPaths(root),
      configFiles: [...configFiles],
      nodeVersion: process.version,
      vitestVersion: this.o.vitest.version,
    };
  }
}

/** `.env`, `.env.local`, `.env.test`, `.env.[mode].local`…: whatever Vite may load from a folder. */
function envFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f === '.env' || f.startsWith('.env.'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function key(path: string, project: string | undefined): string {
  return project ? `${project}\0${path}` : path;
}

interface ViteConfigLike {
  configFile?: string;
  configFileDependencies?: string[];
  envDir?: string;
  resolve?: { alias?: unknown };
}
interface VitestInternals {
  vite?: { config?: ViteConfigLike };
  projects: readonly {
    vite?: { config?: ViteConfigLike };
    config?: { setupFiles?: string[]; globalSetup?: string | string[] };
  }[];
}

function normalizeAliases(raw: unknown): Alias[] {
  if (!raw) return [];
  if (Array.isArray(raw)) {
    return raw.flatMap((a: { find?: unknown; replacement?: unknown }) =>
      (typeof a.find === 'string' || a.find instanceof RegExp) && typeof a.replacement === 'string' ? [{ find: a.find, replacement: a.replacement }] : [],
    );
  }
  if (typeof raw === 'object') {
    return Object.entries(raw as Record<string, unknown>).flatMap(([find, replacement]) => (typeof replacement === 'string' ? [{ find, replacement }] : []));
  }
  return [];
}

/** Vitest and Vite add aliases of their own (to their packages); they never point into the workspace. */
function isVitestInternal(a: Alias): boolean {
  return a.replacement.includes(`${sep}node_modules${sep}`) || a.replacement.includes('/node_modules/');
}

export function relPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}
