// `redline watch` in the runner: chokidar over the workspace, changes debounced and batched;
// each batch runs only the test files it affects (unchanged ones answer from the cache), one run
// at a time — changes that arrive during a run make the next batch. Memory-safe: the runner's
// own post-GC heap is measured after every run, and once it has grown past a threshold Vitest is
// restarted between runs (never mid-run) and the host is told.
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { z } from 'zod';
import type { WatchParamsSchema, WatchRunDoneSchema, WatchStatusSchema } from '../protocol/runner';
import { globToRegExp } from '../core/cache/result-cache';
import type { RunEvents } from './run-session';
import type { RunExecutor } from './run-executor';
import { getGc } from './probe/gc';
import { analyzeRuns } from '../core/leaks';
import { RunTrends } from '../core/run-trends';

type WatchParams = z.infer<typeof WatchParamsSchema>;

export interface WatchOutput {
  readonly events: RunEvents;
  readonly status: (status: z.input<typeof WatchStatusSchema>) => void;
  readonly runDone: (done: z.infer<typeof WatchRunDoneSchema>) => void;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** Never watched: dependencies, VCS, Redline's own state, and the usual build output. */
const ALWAYS_IGNORED = ['node_modules', '.git', '.redline', 'dist', 'build', 'out', 'coverage', '.next', '.nuxt', '.vite', '.cache', '.turbo'];

/**
 * A steady climb of the runner's baseline worth a restart: 2 MB a run or more, over at least 8
 * runs, 64 MB in all — Vite's module graph legitimately grows a little as new files are seen.
 */
const RUNNER_CLIMB = { minBytesPerTest: 2 * 1024 * 1024, minFit: 0.8, minTotalBytes: 64 * 1024 * 1024, minSamples: 8 };

type Job = { kind: 'changes'; files: string[] } | { kind: 'all' } | { kind: 'failed' };

export class WatchSession {
  private watcher: FSWatcher | undefined;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Job[] = [];
  private running = false;

  /** A watch run is going on (not just waiting for changes). */
  get busy(): boolean {
    return this.running;
  }
  private stopped = false;
  private firstBaseline: number | undefined;
  private baselines: number[] = [];
  /** Each test file's memory at its end, run after run: one that climbs is a leak across runs. */
  private readonly trends = new RunTrends();
  private readonly ignored: (rel: string) => boolean;

  constructor(
    private readonly root: string,
    private readonly exec: RunExecutor,
    private readonly params: WatchParams,
    private readonly out: WatchOutput,
  ) {
    this.ignored = ignoreMatcher(root, params.ignore);
  }

  async start(): Promise<void> {
    const watcher = watch(this.root, {
      ignoreInitial: true,
      ignored: (path: string) => {
        const rel = relative(this.root, path).split(sep).join('/');
        return rel !== '' && this.ignored(rel);
      },
    });
    this.watcher = watcher;
    for (const event of ['add', 'change', 'unlink'] as const) watcher.on(event, (path: string) => this.onChange(path));
    watcher.on('error', (error: unknown) => this.out.log('warn', `watcher: ${error instanceof Error ? error.message : String(error)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    // The first run: everything, answered from the cache where nothing changed since last time.
    this.enqueue({ kind: 'changes', files: [] });
  }

  trigger(mode: 'all' | 'failed'): void {
    this.enqueue({ kind: mode });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.exec.cancel();
    await this.watcher?.close();
  }

  private onChange(path: string): void {
    if (this.stopped) return;
    this.pending.add(path);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const files = [...this.pending];
      this.pending.clear();
      this.enqueue({ kind: 'changes', files });
    }, this.params.debounceMs);
  }

  private enqueue(job: Job): void {
    // Batches waiting behind a run merge into one: the next run covers all their changes.
    const last = this.queue[this.queue.length - 1];
    if (job.kind === 'changes' && last?.kind === 'changes') last.files.push(...job.files);
    else this.queue.push(job);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const job = this.queue.shift()!;
        await this.runJob(job);
        await this.checkBaseline();
      }
    } finally {
      this.running = false;
    }
    if (!this.stopped) this.out.status({ state: 'idle', ...(this.firstBaseline !== undefined ? { baselineBytes: this.baseline() } : {}) });
  }

  private async runJob(job: Job): Promise<void> {
    const changed = job.kind === 'changes' ? [...new Set(job.files)] : [];
    const rel = changed.map((f) => relative(this.root, f).split(sep).join('/'));
    this.exec.host.prepare(changed);
    const base = this.params.run;
    const params =
      job.kind === 'all'
        ? { ...base, cache: { ...base.cache, enabled: false } }
        : job.kind === 'failed'
          ? { ...base, onlyFailed: true }
          : changed.length > 0
            ? { ...base, changedFiles: changed }
            : base;
    this.out.status({ state: 'running', changed: rel });
    const result = await this.exec.run(params, this.out.events);
    if (result.kind === 'done') this.out.runDone({ report: this.trends.withRunLeaks(result.report), ...(result.state ? { state: result.state } : {}), changed: rel });
    else if (result.code !== 'no-tests') this.out.log('error', result.message);
  }

  private baseline(): number {
    getGc()();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  }

  /**
   * Memory-safe watch: the runner's own post-GC baseline after every run. Vitest is restarted
   * between runs when the baseline has grown past the threshold, or when it climbs steadily run
   * after run (the leak analysis over runs) by a meaningful total.
   */
  private async checkBaseline(): Promise<void> {
    const now = this.baseline();
    this.baselines.push(now);
    if (this.firstBaseline === undefined) {
      this.firstBaseline = now;
      return;
    }
    const growth = now - this.firstBaseline;
    const climb = analyzeRuns(this.baselines.slice(-30), RUNNER_CLIMB);
    if (growth < this.params.restartAfterGrowthBytes && !climb.leak) return;
    const mb = (b: number): string => `${Math.round(b / 1048576)} MB`;
    const how = climb.leak ? ` (about ${mb(climb.bytesPerTest)} a run, ${climb.samples} runs)` : '';
    const message = `Vitest restarted: the runner's baseline grew from ${mb(this.firstBaseline)} to ${mb(now)}${how} over the runs since it started.`;
    this.out.log('info', message);
    this.out.status({ state: 'restarting', baselineBytes: now, message });
    await this.exec.host.restart();
    this.firstBaseline = undefined;
    this.baselines = [];
  }
}

/**
 * node_modules, .git, .redline and build output, the workspace's .gitignore (the common forms:
 * names, globs, anchored paths, directories) and the configured extra globs.
 */
export function ignoreMatcher(root: string, extra: readonly string[]): (rel: string) => boolean {
  const rules: RegExp[] = [];
  let gitignore = '';
  try {
    gitignore = readFileSync(join(root, '.gitignore'), 'utf8');
  } catch {
    // No .gitignore: only the built-in rules.
  }
  for (const raw of gitignore.split(/\r?\n/)) {
    const line = raw.trim();
    // Negations re-include; being conservative (watching a little more) is always safe here.
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    rules.push(gitignoreRule(line));
  }
  for (const g of extra) rules.push(globToRegExp(g));
  const always = new Set(ALWAYS_IGNORED);
  return (rel) => rel.split('/').some((seg) => always.has(seg)) || rules.some((r) => r.test(rel));
}

function gitignoreRule(pattern: string): RegExp {
  let p = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  const anchored = p.startsWith('/') || p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  const body = globToRegExp(p).source.slice(1, -1);
  // A match also covers everything below it.
  return new RegExp(anchored ? `^${body}(?:/.*)?$` : `(?:^|.*/)${body}(?:/.*)?$`);
}
