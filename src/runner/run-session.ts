// One `run` request: drives the workspace's Vitest over the planned files while the memory guard
// watches the process tree, and turns what Vitest and the probe report into the JSON report. The
// report always adds up: every planned file ends in a state, including the ones a stopped or
// crashed worker never finished and the ones a cancelled run never reached.
import { relative, sep } from 'node:path';
import type { FileReport, FileState, Leak, RunReport, TestError, TestReport } from '../protocol/report';
import type { RunParams, RunResult, GuardAction, MemorySample } from '../protocol/runner';
import { RunParamsSchema } from '../protocol/runner';
import type { ProbeMessage } from '../protocol/probe';
import { summarize } from '../core/report-summary';
import { disambiguate, uniqueLeaf } from '../core/test-names';
import type { Platform } from './platform/platform';
import { MemoryGuard, type StopEvent } from './memory-guard';
import { vitestSettingsOf, type HostListener, type VitestHost } from './vitest-host';
import { boundSnapshots, dropGuardSnapshots, explainLeaks, explainStop, summaryCapBytes, type FileSnapshots, type StopSnapshots } from './heap-snapshots';
import { declinedSnapshotNote } from '../core/guard-snapshots';
import type {
  ReporterLike, SerializedErrorLike, TestCaseLike, TestModuleLike, TestSpecificationLike, VitestLike,
} from './vitest-types';
import type { WorkspaceSnapshot } from './workspace-index';
import { isExcluded } from '../core/cache/result-cache';
import { analyzeSeries, leakHint, seriesPoints, type LeakThresholds, type MemorySample as PostGcSample } from '../core/leaks';

/** How long Vitest may take to settle after a cancel before the runner gives up on that instance. */
const CANCEL_SETTLE_MS = 3000;
/** Time for Vitest's pool to notice a killed worker (measured: 200 ms was always enough here). */
const POOL_NOTICE_MS = 250;

export interface RunEvents {
  planned(files: { path: string; project?: string }[]): void;
  fileStarted(path: string, project: string | undefined, pid: number): void;
  testStarted(path: string, fullName: string, pid: number): void;
  testFinished(path: string, project: string | undefined, test: TestReport): void;
  fileFinished(file: FileReport): void;
  memory(sample: MemorySample): void;
  guard(action: GuardAction): void;
  output(stream: 'stdout' | 'stderr', text: string, path?: string, fullName?: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export interface RunDeps {
  readonly root: string;
  readonly host: VitestHost;
  readonly platform: Platform;
  readonly runMarker: string;
  readonly events: RunEvents;
  /** The workspace as it is now (hashes, import closures), for the cache and `changedFiles`. */
  readonly snapshot?: () => WorkspaceSnapshot;
  /** A stored result for a cache key. */
  readonly cached?: (key: string, needLeakCheck: boolean) => { report: FileReport; leak?: Leak } | undefined;
  /** The state of each file (by path and project) in the previous run, for `onlyFailed`. */
  readonly previous?: ReadonlyMap<string, FileState>;
}

/** What a run learnt beyond its report: for the cache and the import graph. */
export interface RunLearnt {
  /** Relative test path (with project) → the cache key computed before it ran. */
  readonly keysBefore: ReadonlyMap<string, { path: string; project?: string; key: string }>;
  /** Relative test path → the workspace modules it loaded. */
  readonly modules: ReadonlyMap<string, readonly string[]>;
}

interface FileRecord {
  key: string;
  abs: string;
  path: string;
  project: string | undefined;
  startedAt?: number;
  ended: boolean;
  state?: FileState;
  durationMs: number;
  tests: Map<string, TestReport>;
  errors: TestError[];
  pid?: number;
  peakRssBytes: number;
  stopped?: StopEvent;
  killMs?: number;
  /** --heap-snapshot, a memory stop: its snapshots and what grew between them (end of the run). */
  stopSnapshots?: StopSnapshots;
  /** Served from the cache: the stored report, marked cached. */
  cachedReport?: FileReport;
}

export class RunSession {
  private readonly files = new Map<string, FileRecord>();
  private readonly modules = new Map<string, readonly string[]>();
  private readonly keysBefore = new Map<string, { path: string; project?: string; key: string }>();
  private readonly heapAfter = new Map<string, number>();
  /** Leaks of files answered from the cache, as they were found when the result was stored. */
  private readonly cachedLeaks: Leak[] = [];
  /** Heap snapshots written per file (--heap-snapshot). */
  private readonly snapshots = new Map<string, FileSnapshots>();
  /** Post-GC memory per file, after each test on the probe's grid, in the order they ran (leak detection). */
  private readonly series = new Map<string, PostGcSample[]>();
  /** Tests between two samples of a file's series (the probe's grid), by file key. */
  private readonly strides = new Map<string, number>();
  /**
   * Each module's unique full names by test id (core/test-names), worked out once per module from
   * its tests in order — Vitest has collected the whole file before the first result arrives.
   */
  private readonly uniqueNames = new WeakMap<TestModuleLike, Map<string, string>>();
  private vitest: VitestLike | undefined;
  private guard: MemoryGuard | undefined;
  private cancelled = false;
  private runnerOverLimit: string | undefined;
  private readonly t0 = Date.now();

  constructor(private readonly deps: RunDeps) {}

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.deps.events.log('info', 'run cancelled');
    // Vitest's cancel waits for the files in flight to finish, which a worker stuck in a busy
    // loop never does: the workers go first (and any that starts meanwhile, at its hello). Only
    // then is Vitest told: a worker killed while Vitest is already cancelling leaves Vitest 4's
    // run waiting for it forever, and every later run on this runner behind it. Should Vitest
    // still not settle, this instance is dropped and the next run starts a fresh one.
    await this.guard?.stopAllWorkers();
    // The workers are gone; Vitest's pool hears of it from the child's exit event, a moment
    // later, and must have before it hears of the cancel. Vitest offers nothing to wait on: a
    // short pause, with the fallback below should it not be enough.
    await new Promise((resolve) => setTimeout(resolve, POOL_NOTICE_MS));
    const vitest = this.vitest;
    if (!vitest) return;
    const settled = await Promise.race([
      vitest.cancelCurrentRun('keyboard-input').then(() => true, () => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CANCEL_SETTLE_MS).unref()),
    ]);
    if (!settled) {
      this.deps.events.log('warn', `Vitest did not finish cancelling within ${CANCEL_SETTLE_MS} ms; the next run starts a fresh Vitest.`);
      this.deps.host.discard(vitest);
    }
  }

  async run(rawParams: RunParams): Promise<RunResult> {
    const params = RunParamsSchema.parse(rawParams);
    const { events, root } = this.deps;
    const startedAt = new Date(this.t0).toISOString();

    const listener: HostListener = {
      reporter: this.reporter(),
      onProbe: (m) => this.onProbe(m),
      onWorkerGone: (pid) => this.guard?.onWorkerGone(pid),
    };
    const host = this.deps.host;
    host.attach(listener);

    try {
      try {
        // The same settings as the executor's early `ensure` (one function): it finds that Vitest.
        this.vitest = await host.ensure(vitestSettingsOf(params));
      } catch (error) {
        return { kind: 'error', code: 'config', message: `Vitest could not start in ${root}: ${errorText(error)}` };
      }
      host.prepare([]);
      host.runsSinceStart++;
      const vitest = this.vitest;
      const specs = await vitest.globTestSpecifications(params.filters);
      if (specs.length === 0) {
        const what = params.filters.length > 0 ? ` matching ${params.filters.map((f) => `"${f}"`).join(', ')}` : '';
        return { kind: 'error', code: 'no-tests', message: `No test files found in ${root}${what}. Check Vitest's include patterns (test.include) or the paths you passed.` };
      }
      const multiProject = new Set(specs.map((s) => s.project.name)).size > 1 || vitest.projects.length > 1;
      const snapshot = this.deps.snapshot?.();
      const selected = this.select(specs, params, snapshot, multiProject);
      for (const spec of selected) {
        const project = multiProject ? spec.project.name : undefined;
        const key = fileKey(spec.moduleId, project);
        if (this.files.has(key)) continue;
        this.files.set(key, {
          key, abs: spec.moduleId, path: rel(root, spec.moduleId), project, ended: false, durationMs: 0, tests: new Map(), errors: [], peakRssBytes: 0,
        });
      }
      events.planned([...this.files.values()].map((f) => ({ path: f.path, ...(f.project ? { project: f.project } : {}) })));
      const toRun = this.serveFromCache(selected, params, snapshot, multiProject);

      let lastSampleSent = -Infinity;
      let lastTierSent = 'ok';
      this.guard = new MemoryGuard({
        platform: this.deps.platform,
        runnerPid: process.pid,
        runMarker: this.deps.runMarker,
        limitBytes: params.memory.limitBytes,
        tiers: params.memory.tiers,
        sampleIntervalMs: params.memory.sampleIntervalMs,
        fileTimeoutMs: params.fileTimeoutMs,
        now: () => Date.now(),
        sendProbe: (pid, m) => host.send(pid, m),
        onSample: (s) => {
          // Near the limit the guard samples every 20 ms; hosts need no more than 10 updates a
          // second, except when the tier changes.
          if (s.atMs - lastSampleSent < 100 && s.tier === lastTierSent) return;
          lastSampleSent = s.atMs;
          lastTierSent = s.tier;
          events.memory(s);
        },
        onAction: (a) => events.guard(a),
        onStopped: (s) => this.onStopped(s),
        onStopConfirmed: (pid, killMs) => {
          for (const f of this.files.values()) if (f.stopped?.pid === pid) f.killMs = Math.round(killMs);
        },
        onRunnerOverLimit: (why, rss) => void this.onRunnerOverLimit(why, rss),
        heapSnapshots: params.heapSnapshot !== undefined,
        log: events.log,
      });
      this.guard.start();

      let unhandled: readonly SerializedErrorLike[] = [];
      if (!this.cancelled && toRun.length > 0) {
        const result = await vitest.runTestSpecifications(toRun, toRun.length === specs.length);
        unhandled = result.unhandledErrors;
        // Vitest 3 never ends a module that failed to collect (no onTestModuleEnd): settle
        // every module Vitest knows the outcome of but did not end.
        for (const m of result.testModules) {
          const f = this.recordOf(m);
          const state = m.state();
          if (f && !f.ended && !f.stopped && state !== 'queued' && state !== 'pending') this.endModule(m, f);
        }
      }
      const orphans = await this.guard.finish();
      const keptSnapshots = this.explainStops(params.heapSnapshot !== undefined, summaryCapBytes(params.memory.limitBytes));

      const files = [...this.files.values()].map((f) => this.finalize(f));
      const runErrors = this.runErrors(unhandled);
      const report: RunReport = {
        version: 1,
        root,
        startedAt,
        durationMs: Date.now() - this.t0,
        summary: summarize(files),
        files,
        memory: { limitBytes: params.memory.limitBytes, peakBytes: this.guard.peakBytes, tiers: this.guard.tierEvents },
        leaks: params.leaks.enabled
          ? [...explainLeaks(this.leaks(params.leaks), this.snapshots, params.heapSnapshot?.max ?? 10, events.log, keptSnapshots, summaryCapBytes(params.memory.limitBytes)), ...this.cachedLeaks]
          : [],
        orphans,
        cache: { hits: files.filter((f) => f.cached).length, misses: files.filter((f) => !f.cached && f.state !== 'notrun').length },
        ...(runErrors.length > 0 ? { errors: runErrors } : {}),
      };
      if (params.heapSnapshot) boundSnapshots(params.heapSnapshot.dir, params.heapSnapshot.max);
      return { kind: 'done', report };
    } finally {
      host.detach(listener);
    }
  }

  /** Files whose post-GC series keeps rising: suspected leaks, with their figures. */
  private leaks(thresholds: LeakThresholds): Leak[] {
    const found: Leak[] = [];
    for (const f of this.files.values()) {
      const series = this.series.get(f.key);
      if (!series || f.stopped || f.cachedReport) continue;
      const verdict = analyzeSeries(series, thresholds, this.strides.get(f.key) ?? 1);
      if (!verdict.leak) continue;
      found.push({
        file: f.path,
        bytesPerTest: Math.round(verdict.bytesPerTest),
        fit: Math.round(verdict.fit * 1000) / 1000,
        totalBytes: Math.round(verdict.totalBytes),
        samples: verdict.samples,
        series: verdict.series,
        hint: leakHint(verdict),
        points: seriesPoints(series, verdict.series).map(Math.round),
      });
    }
    return found;
  }

  /** After `run`: the keys and module lists the cache and graph are updated from. */
  learnt(): RunLearnt {
    return { keysBefore: this.keysBefore, modules: this.modules };
  }

  /** `changedFiles` and `onlyFailed` narrow the run to the files they name. */
  private select(
    specs: readonly TestSpecificationLike[],
    params: ReturnType<typeof RunParamsSchema.parse>,
    snapshot: WorkspaceSnapshot | undefined,
    multiProject: boolean,
  ): TestSpecificationLike[] {
    let selected = [...specs];
    if (params.changedFiles) {
      if (!snapshot) throw new Error('changedFiles needs the workspace index');
      const changed = params.changedFiles.map((c) => snapshot.abs(c));
      const { files, all } = snapshot.affected(changed, [...new Set(specs.map((s) => s.moduleId))]);
      if (all) this.deps.events.log('info', `every test is affected: ${all}`);
      const hit = new Set(files);
      selected = selected.filter((s) => hit.has(s.moduleId));
    }
    if (params.onlyFailed && this.deps.previous) {
      const prev = this.deps.previous;
      const failing = (st: FileState | undefined): boolean => st === 'failed' || st === 'broken' || st === 'stopped' || st === 'notrun';
      selected = selected.filter((s) => failing(prev.get(fileKey(rel(this.deps.root, s.moduleId), multiProject ? s.project.name : undefined))));
    }
    return selected;
  }

  /**
   * Files whose cache key has a stored result are reported from it, marked cached, and not run.
   * Returns the files that must run.
   */
  private serveFromCache(
    selected: readonly TestSpecificationLike[],
    params: ReturnType<typeof RunParamsSchema.parse>,
    snapshot: WorkspaceSnapshot | undefined,
    multiProject: boolean,
  ): TestSpecificationLike[] {
    const lookup = this.deps.cached;
    if (!params.cache.enabled || !snapshot || !lookup) return [...selected];
    const toRun: TestSpecificationLike[] = [];
    for (const spec of selected) {
      const project = multiProject ? spec.project.name : undefined;
      const path = rel(this.deps.root, spec.moduleId);
      if (isExcluded(path, params.cache.exclude)) {
        toRun.push(spec);
        continue;
      }
      const key = snapshot.key(spec.moduleId, project);
      this.keysBefore.set(fileKey(path, project), { path, ...(project ? { project } : {}), key });
      const hit = lookup(key, params.leaks.enabled);
      const f = this.files.get(fileKey(spec.moduleId, project));
      if (!hit || !f) {
        toRun.push(spec);
        continue;
      }
      f.ended = true;
      f.cachedReport = { ...hit.report, path, ...(project ? { project } : {}), cached: true };
      if (hit.leak) this.cachedLeaks.push({ ...hit.leak, file: path });
      this.deps.events.fileFinished(f.cachedReport);
    }
    return toRun;
  }

  private reporter(): ReporterLike {
    const { events } = this.deps;
    return {
      onTestModuleStart: (m) => {
        const f = this.recordOf(m);
        if (f && f.startedAt === undefined) f.startedAt = Date.now();
      },
      onTestCaseResult: (t) => {
        const f = this.recordOf(t.module);
        if (!f) return;
        const report = testReport(t, this.uniqueName(t));
        f.tests.set(report.fullName, report);
        events.testFinished(f.path, f.project, report);
      },
      onTestModuleEnd: (m) => {
        const f = this.recordOf(m);
        if (f && !f.stopped) this.endModule(m, f);
      },
      onUserConsoleLog: (log) => {
        events.output(log.type, log.content);
      },
    };
  }

  private endModule(m: TestModuleLike, f: FileRecord): void {
    f.ended = true;
    f.durationMs = m.diagnostic().duration;
    f.errors = m.errors().map(toError);
    for (const t of m.children.allTests()) {
      const r = testReport(t, this.uniqueName(t));
      f.tests.set(r.fullName, r);
    }
    f.state = moduleState(m, f);
    if (f.pid !== undefined) f.peakRssBytes = Math.max(f.peakRssBytes, this.guard?.peakOf(f.pid) ?? 0);
    this.deps.events.fileFinished(this.finalize(f));
  }


  /** The test's full name, made unique within its file the way the probe makes it (core/test-names). */
  private uniqueName(t: TestCaseLike): string {
    let names = this.uniqueNames.get(t.module);
    if (!names) {
      const tests = [...t.module.children.allTests()];
      const unique = disambiguate(tests.map(fullNameOf));
      names = new Map(tests.map((test, i) => [test.id, unique[i]!]));
      this.uniqueNames.set(t.module, names);
    }
    return names.get(t.id) ?? fullNameOf(t);
  }

  private onProbe(m: ProbeMessage): void {
    this.guard?.onProbe(m);
    if (m.t === 'beat') return;
    if (m.t === 'snapshot') {
      // The guard's own snapshots (guard1, guard2) are the guard's to keep track of; a file's
      // early and late ones count once written (no status), and one declined (no room below the
      // terminal tier, a failed write) leaves a note a leak of the file carries.
      if ((m.phase === 'early' || m.phase === 'late') && (m.status === undefined || m.status === 'declined')) {
        const paths = this.snapshots.get(m.file) ?? {};
        if (m.status === undefined) paths[m.phase] = m.path;
        else paths.note = declinedSnapshotNote(`${m.phase} heap snapshot`, m);
        this.snapshots.set(m.file, paths);
      }
      return;
    }
    const f = this.recordByPath(m.file);
    if (!f) return;
    if (m.t === 'hello') {
      f.pid = m.pid;
      f.startedAt ??= Date.now();
      this.deps.events.fileStarted(f.path, f.project, m.pid);
    } else if (m.t === 'testStart') {
      this.deps.events.testStarted(f.path, m.fullName, m.pid);
    } else if (m.t === 'testEnd') {
      this.heapAfter.set(`${f.key}\0${m.fullName}`, m.heapUsed);
      let series = this.series.get(f.key);
      if (!series) this.series.set(f.key, (series = []));
      if (m.exact !== false) series.push({ heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
      if (m.stride !== undefined) this.strides.set(f.key, m.stride);
      f.peakRssBytes = Math.max(f.peakRssBytes, m.maxRss);
      // Vitest sends results from the worker in batches; a worker that then blocks or is killed
      // never sends the batch. The probe's word keeps the test in the report until Vitest's own
      // result (with its errors) replaces it.
      if (!f.tests.has(m.fullName)) {
        f.tests.set(m.fullName, { name: m.fullName.split(' > ').pop() ?? m.fullName, fullName: m.fullName, state: m.failed ? 'failed' : 'passed', durationMs: m.durationMs });
      }
    } else if (m.t === 'fileEnd') {
      f.peakRssBytes = Math.max(f.peakRssBytes, m.maxRss, this.guard?.peakOf(m.pid) ?? 0);
      if (m.modules) this.modules.set(f.path, m.modules);
    }
  }

  private onStopped(stop: StopEvent): void {
    const f = stop.file !== undefined ? this.recordByPath(stop.file) : [...this.files.values()].find((r) => r.pid === stop.pid && !r.ended);
    if (!f) {
      this.deps.events.log('warn', `stopped worker ${stop.pid} but could not tell which file it ran`);
      return;
    }
    f.stopped = stop;
    f.state = 'stopped';
    f.peakRssBytes = Math.max(f.peakRssBytes, stop.rssBytes, this.guard?.peakOf(stop.pid) ?? 0);
    f.durationMs = f.startedAt !== undefined ? Date.now() - f.startedAt : 0;
    this.deps.events.fileFinished(this.finalize(f));
  }

  /**
   * --heap-snapshot, at the end of the run: what each memory stop's snapshots say (the guard's,
   * with the file's early one as a baseline when the guard has only one). Returns the paths the
   * report names; the guard's other snapshots are deleted.
   */
  private explainStops(enabled: boolean, maxBytes: number): Set<string> {
    const keep = new Set<string>();
    const guard = this.guard;
    if (!enabled || !guard) return keep;
    for (const f of this.files.values()) {
      const stop = f.stopped;
      if (stop?.reason !== 'memory' || stop.file === undefined) continue;
      f.stopSnapshots = explainStop(guard.snapshotsOf(stop.pid, stop.file), this.snapshots.get(f.path)?.early, this.deps.events.log, maxBytes);
      for (const path of f.stopSnapshots.snapshots ?? []) keep.add(path);
    }
    dropGuardSnapshots(guard.allSnapshots(), keep);
    return keep;
  }

  private async onRunnerOverLimit(why: string, rssBytes: number): Promise<void> {
    if (this.runnerOverLimit) return;
    this.runnerOverLimit = `The runner itself (Vitest's main process) crossed the terminal tier at ${Math.round(rssBytes / 1048576)} MB: ${why}. The run was stopped; files it had not finished are reported as not run.`;
    this.deps.events.log('error', this.runnerOverLimit);
    await this.cancel();
  }

  private finalize(f: FileRecord): FileReport {
    if (f.cachedReport) return f.cachedReport;
    const tests = [...f.tests.values()].map((t) => {
      const heap = this.heapAfter.get(`${f.key}\0${t.fullName}`);
      return heap !== undefined ? { ...t, heapAfterBytes: heap } : t;
    });
    let state: FileState;
    let errors = f.errors;
    if (f.stopped) {
      state = 'stopped';
      const name = f.stopped.test;
      if (name && !f.tests.has(name)) tests.push({ name: name.split(' > ').pop() ?? name, fullName: name, state: 'stopped', durationMs: 0 });
      else if (name) {
        const i = tests.findIndex((t) => t.fullName === name);
        if (i >= 0 && tests[i]!.state !== 'passed' && tests[i]!.state !== 'failed') tests[i] = { ...tests[i]!, state: 'stopped' };
      }
    } else if (f.ended && f.state) {
      state = f.state;
    } else if (f.startedAt !== undefined && !this.cancelled) {
      // Started, never finished, not stopped by us: the worker died on its own (a crash,
      // process.exit in a test, V8 out of memory).
      state = 'failed';
      errors = [...errors, { message: 'The worker running this file exited before the file finished (it crashed or called process.exit).' }];
    } else {
      state = 'notrun';
    }
    return {
      path: f.path,
      ...(f.project ? { project: f.project } : {}),
      state,
      cached: false,
      durationMs: Math.max(0, f.durationMs),
      peakRssBytes: f.peakRssBytes,
      // Its end figure, one a run, for the climb across watch runs (core/run-trends).
      ...(f.ended && !f.stopped ? memoryAfter(this.series.get(f.key)) : {}),
      ...(f.stopped
        ? {
            stopped: {
              reason: f.stopped.reason,
              ...(f.stopped.test ? { test: f.stopped.test } : {}),
              rssBytes: f.stopped.rssBytes,
              atMs: f.stopped.atMs,
              ...(f.killMs !== undefined ? { killMs: f.killMs } : {}),
              ...f.stopSnapshots,
            },
          }
        : {}),
      ...(errors.length > 0 ? { errors } : {}),
      tests,
    };
  }

  private runErrors(unhandled: readonly SerializedErrorLike[]): TestError[] {
    const anyStopped = this.cancelled || [...this.files.values()].some((f) => f.stopped);
    const errors = unhandled
      // Vitest's note that a worker died is about the workers Redline stopped on purpose (or on
      // a cancel): each of those files already says so.
      .filter((e) => !(anyStopped && /Worker .*(emitted error|exited unexpectedly)/i.test(e.message ?? '')))
      .map(toError);
    if (this.runnerOverLimit) errors.push({ message: this.runnerOverLimit });
    return errors;
  }

  private recordOf(m: TestModuleLike): FileRecord | undefined {
    return this.files.get(fileKey(m.moduleId, m.project.name)) ?? this.files.get(fileKey(m.moduleId, undefined));
  }

  private recordByPath(path: string): FileRecord | undefined {
    let fallback: FileRecord | undefined;
    for (const f of this.files.values()) {
      if (f.path !== path) continue;
      if (!f.ended && !f.stopped) return f;
      fallback ??= f;
    }
    return fallback;
  }
}

function fileKey(moduleId: string, project: string | undefined): string {
  return project ? `${project}\0${moduleId}` : moduleId;
}

/** The last post-GC sample of a file's series, heap + external, as the report's `memoryAfterBytes`. */
function memoryAfter(series: readonly PostGcSample[] | undefined): { memoryAfterBytes?: number } {
  const last = series?.at(-1);
  return last ? { memoryAfterBytes: Math.round(last.heapUsed + last.external) } : {};
}

function rel(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

/** "describe > inner > test" as Vitest names it; not unique within a file (see uniqueName). */
function fullNameOf(t: TestCaseLike): string {
  const names = [t.name];
  for (let p = t.parent; p.type === 'suite'; p = p.parent) names.unshift(p.name);
  return names.join(' > ');
}

/** `fullName` is the unique one; the leaf `name` carries its suffix too (see core/test-names). */
function testReport(t: TestCaseLike, fullName: string): TestReport {
  const result = t.result();
  const state: TestReport['state'] =
    t.options.mode === 'todo' ? 'todo' : result.state === 'pending' ? 'skipped' : result.state;
  const error = result.errors?.[0];
  return {
    name: uniqueLeaf(t.name, fullNameOf(t), fullName),
    fullName,
    state,
    durationMs: Math.max(0, t.diagnostic()?.duration ?? 0),
    ...(state === 'failed' && error ? { error: toError(error) } : {}),
    ...(t.location && t.location.line > 0 ? { location: { line: t.location.line, column: Math.max(0, t.location.column) } } : {}),
  };
}

function moduleState(m: TestModuleLike, f: FileRecord): FileState {
  const errors = m.errors();
  if (errors.length > 0 && m.children.size === 0) return 'broken';
  const tests = [...f.tests.values()];
  if (errors.length > 0 || tests.some((t) => t.state === 'failed')) return 'failed';
  if (tests.length > 0 && tests.every((t) => t.state === 'skipped' || t.state === 'todo')) return 'skipped';
  if (m.state() === 'skipped') return 'skipped';
  return 'passed';
}

function toError(e: SerializedErrorLike): TestError {
  const text = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));
  const expected = text(e.expected);
  const actual = text(e.actual);
  return {
    message: e.message ?? e.name ?? 'Unknown error',
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
    ...(e.stack ? { stack: e.stack } : {}),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
