// Carries out runs for the runner's host requests and for watch mode alike: the Vitest host, the
// workspace index (cache keys, affected files), the result cache and the import graph learnt from
// real runs, and the TDD phases recorded after each run.
import { mkdirSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FileReport, FileState, Leak } from '../protocol/report';
import type { AffectedResult, DiscoverResult, RunParams, RunResult } from '../protocol/runner';
import { RunParamsSchema } from '../protocol/runner';
import { EMPTY_CACHE, isCacheable, lookup, put, type CacheContents } from '../core/cache/result-cache';
import type { ModuleGraph } from '../core/store/cache-document';
import type { Alias } from '../core/imports/resolve';
import { scannerReady } from '../core/imports/scan';
import type { Platform } from './platform/platform';
import { RunSession, type RunEvents } from './run-session';
import { VitestHost, type VitestSettings } from './vitest-host';
import type { LocatedVitest } from './vitest-locate';
import { readTsPaths, WorkspaceSnapshot, type IndexSources } from './workspace-index';
import type { WorkspaceStore } from './state/workspace-store';
import { beforeRun, recordRun } from './state/record-run';
import type { VitestLike } from './vitest-types';

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

  async close(): Promise<void> {
    await this.host.close();
  }

  async run(raw: RunParams, events: RunEvents): Promise<RunResult> {
    if (this.session) return { kind: 'error', code: 'busy', message: 'A run is already in progress on this runner.' };
    const params = RunParamsSchema.parse(raw);
    if (params.heapSnapshot) mkdirSync(params.heapSnapshot.dir, { recursive: true });
    await scannerReady;
    await this.loadDerived();
    let sources: IndexSources | undefined;
    const session = new RunSession({
      root: this.o.root,
      host: this.host,
      platform: this.o.platform,
      runMarker: this.o.runMarker,
      events,
      snapshot: () => {
        sources = this.sources();
        return new WorkspaceSnapshot(sources, this.graph ?? { files: {} });
      },
      cached: (key, needLeakCheck) => {
        const found = lookup(this.cache ?? EMPTY_CACHE, key, Date.now());
        this.cache = found.cache;
        if (needLeakCheck && !found.entry?.leakChecked) return undefined;
        return found.entry ? { report: found.entry.report, ...(found.entry.leak ? { leak: found.entry.leak } : {}) } : undefined;
      },
      previous: this.previous,
    });
    this.session = session;
    const approveOnCommit = params.tdd.approveOnCommit;
    try {
      const before = this.o.store ? await beforeRun(this.o.store, this.o.root, approveOnCommit, this.o.log).catch(() => null) : null;
      const result = await session.run(params);
      if (result.kind !== 'done') return result;
      this.previous = new Map(result.report.files.map((f) => [key(f.path, f.project), f.state]));
      if (sources) await this.learn(session, result.report.files, result.report.leaks, sources, params.cache, params.leaks.enabled);
      if (!this.o.store || !before) return result;
      const state = await recordRun(this.o.store, this.o.root, result.report, before, approveOnCommit, this.o.log).catch((error: unknown) => ({
        phasesSaved: false,
        message: `The TDD phases of this run were not saved: ${error instanceof Error ? error.message : String(error)}`,
      }));
      return { ...result, state };
    } finally {
      this.session = undefined;
    }
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
    this.cache = (await store.load('cache')).value;
    this.graph = (await store.load('graph')).value;
  }

  /**
   * After a run: what each file loaded joins the graph, and each clean result is stored under the
   * key of the contents it ran with — but only if those contents did not change during the run
   * (the key computed before the run must still hold), so the cache never answers for code that
   * did not run.
   */
  private async learn(
    session: RunSession,
    files: readonly FileReport[],
    leaks: readonly Leak[],
    sources: IndexSources,
    cache: { enabled: boolean; maxEntries: number; maxBytes: number },
    leaksChecked: boolean,
  ): Promise<void> {
    const learnt = session.learnt();
    const oldGraph = this.graph ?? { files: {} };
    const graph: ModuleGraph = { files: { ...oldGraph.files, ...Object.fromEntries(learnt.modules) } };
    this.graph = graph;
    let contents = this.cache ?? EMPTY_CACHE;
    if (cache.enabled) {
      const before = new WorkspaceSnapshot(sources, oldGraph);
      const leakOf = new Map(leaks.map((l) => [l.file, l]));
      const after = new WorkspaceSnapshot(sources, graph);
      const now = Date.now();
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
        contents = put(contents, { key: after.key(abs, f.project), path: f.path, ...(f.project ? { project: f.project } : {}), report: f, ...(leakOf.get(f.path) ? { leak: leakOf.get(f.path)! } : {}), leakChecked: leaksChecked, storedAt: now }, now, {
          maxEntries: cache.maxEntries,
          maxBytes: cache.maxBytes,
        });
      }
    }
    this.cache = contents;
    const store = this.o.store;
    if (!store) return;
    const saved = await store.save('graph', graph);
    if (!saved.ok) this.o.log('warn', `The import graph was not saved: ${saved.error.message}`);
    const savedCache = await store.save('cache', contents);
    if (!savedCache.ok) this.o.log('warn', `The result cache was not saved: ${savedCache.error.message}`);
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
