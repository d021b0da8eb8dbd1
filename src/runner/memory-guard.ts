// The memory guard's loop: samples the RSS of the whole test process tree, feeds the pure policy
// (src/core/guard-policy.ts) and carries out what it decides. Fast path: read the RSS of known
// pids every sample; slow path: rediscover the tree from the process table at 2 Hz, and at once
// when a worker appears or leaves.
import type { ProcessInfo } from '../core/process-table';
import { testTree, workerSubtree } from '../core/process-tree';
import { allowedActive, decide, INITIAL_GUARD_STATE, type GuardState, type WorkerView } from '../core/guard-policy';
import { tierRank } from '../core/tiers';
import type { Orphan, StopReason, Tier, TierEvent } from '../protocol/report';
import type { GuardAction, MemorySample, TierPercents } from '../protocol/runner';
import { ENV, type ProbeMessage, type RunnerToProbe } from '../protocol/probe';
import type { Platform } from './platform/platform';
import { stopProcesses } from './kill-tree';
import { noteIntentionalKill } from './intentional-kills';

const RESCAN_MS = 1000;
const TERM_GRACE_MS = 500;
/** Near the limit a runaway can grow by hundreds of MB between samples: sample faster there. */
const FAST_SAMPLE_MS = 20;

export interface GuardOptions {
  readonly platform: Platform;
  readonly runnerPid: number;
  /** The value of REDLINE_RUN that marks every process of this run. */
  readonly runMarker: string;
  readonly limitBytes: number;
  readonly tiers: TierPercents;
  readonly sampleIntervalMs: number;
  readonly fileTimeoutMs: number;
  readonly now: () => number;
  readonly sendProbe: (pid: number, message: RunnerToProbe) => void;
  readonly onSample: (sample: MemorySample) => void;
  readonly onAction: (action: GuardAction) => void;
  readonly onStopped: (stop: StopEvent) => void;
  /** The stopped worker is gone, `killMs` after the decision. */
  readonly onStopConfirmed: (pid: number, killMs: number) => void;
  readonly onRunnerOverLimit: (why: string, rssBytes: number) => void;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export interface StopEvent {
  readonly pid: number;
  readonly file: string | undefined;
  readonly test: string | undefined;
  readonly reason: StopReason;
  readonly rssBytes: number;
  readonly atMs: number;
}

interface Worker {
  pid: number;
  file: string | undefined;
  test: string | undefined;
  held: boolean;
  lastProgressAt: number;
  stopping: boolean;
  subtree: Set<number>;
  rssBytes: number;
  /** Highest subtree RSS seen for the file the worker runs now. */
  peakBytes: number;
  history: { at: number; rss: number }[];
}

export class MemoryGuard {
  private readonly workers = new Map<number, Worker>();
  private state: GuardState = INITIAL_GUARD_STATE;
  private table: ProcessInfo[] = [];
  private treePids = new Set<number>();
  private lastScanAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  /** Set by a cancel: every worker goes, and any that says hello after it. */
  private stoppingAll = false;
  private readonly startedAt: number;
  readonly tierEvents: TierEvent[] = [];
  readonly orphans: Orphan[] = [];
  peakBytes = 0;

  constructor(private readonly o: GuardOptions) {
    this.startedAt = o.now();
  }

  get tier(): Tier {
    return this.state.tier;
  }

  start(): void {
    this.schedule(0);
  }

  /** Probe messages: who runs what, and signs of life. */
  onProbe(message: ProbeMessage): void {
    const now = this.o.now();
    if (message.t === 'hello') {
      if (this.stoppingAll) {
        // A file Vitest started while the run was being cancelled: it must not run.
        noteIntentionalKill();
        void stopProcesses(this.o.platform, [message.pid], { graceMs: 0 });
        return;
      }
      const existing = this.workers.get(message.pid);
      const worker: Worker = existing ?? {
        pid: message.pid, file: undefined, test: undefined, held: true, lastProgressAt: now, stopping: false,
        subtree: new Set([message.pid]), rssBytes: 0, peakBytes: 0, history: [],
      };
      worker.file = message.file;
      worker.test = undefined;
      worker.held = true;
      worker.peakBytes = 0;
      worker.stopping = false;
      this.workers.set(message.pid, worker);
      // Known from its hello: sampled from now on. Its children are found by the next rescan;
      // a full rescan per file would cost more than all the sampling.
      this.treePids.add(message.pid);
      // Admit at once when the tier allows it: a file should not wait for the next sample.
      const active = [...this.workers.values()].filter((w) => !w.held && !w.stopping).length;
      if (active < allowedActive(this.state.tier)) {
        worker.held = false;
        worker.lastProgressAt = now;
        this.o.sendProbe(message.pid, { t: 'go' });
      } else {
        this.schedule(0);
      }
      return;
    }
    const worker = this.workers.get(message.pid);
    if (!worker) return;
    worker.lastProgressAt = now;
    if (message.t === 'testStart') worker.test = message.fullName;
    else if (message.t === 'testEnd') worker.peakBytes = Math.max(worker.peakBytes, message.maxRss);
    else if (message.t === 'fileEnd') worker.peakBytes = Math.max(worker.peakBytes, message.maxRss);
  }

  /** The highest RSS seen for the file a worker runs now (its subtree, or its own high-water mark). */
  peakOf(pid: number): number {
    return this.workers.get(pid)?.peakBytes ?? 0;
  }

  currentTest(pid: number): string | undefined {
    return this.workers.get(pid)?.test;
  }

  /** A worker's probe disconnected: the worker is gone. Anything it started is an orphan now. */
  onWorkerGone(pid: number): void {
    const worker = this.workers.get(pid);
    this.workers.delete(pid);
    if (worker) setTimeout(() => void this.reapOrphansOf(pid, worker.file), 50).unref();
  }

  /** Stop every worker (a cancelled run): TERM, then KILL after a grace. */
  async stopAllWorkers(): Promise<void> {
    this.stoppingAll = true;
    const pids = [...this.workers.values()].flatMap((w) => [...w.subtree]);
    for (const w of this.workers.values()) w.stopping = true;
    noteIntentionalKill();
    await stopProcesses(this.o.platform, pids, { graceMs: TERM_GRACE_MS });
  }

  /**
   * End of the run: stop sampling, and kill whatever a test left behind — every process of this
   * run but the runner itself and the runner's direct children (Vitest's own helpers, which it
   * stops when it closes).
   */
  async finish(): Promise<Orphan[]> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.scan();
    const leftovers = this.table.filter(
      (p) => this.treePids.has(p.pid) && p.pid !== this.o.runnerPid && p.ppid !== this.o.runnerPid,
    );
    await this.killOrphans(leftovers);
    return this.orphans;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.sampleAndAct();
    } catch (error) {
      this.o.log('error', `memory guard: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    } finally {
      this.ticking = false;
    }
    const fast = tierRank(this.state.tier) >= tierRank('critical');
    this.schedule(fast ? Math.min(FAST_SAMPLE_MS, this.o.sampleIntervalMs) : this.o.sampleIntervalMs);
  }

  private async scan(): Promise<void> {
    this.table = await this.o.platform.listProcesses([ENV.run, ENV.workerPid, ENV.workerFile]);
    this.lastScanAt = this.o.now();
    this.treePids = testTree(this.table, { rootPid: this.o.runnerPid, marker: { name: ENV.run, value: this.o.runMarker } });
    this.treePids.add(this.o.runnerPid);
    for (const w of this.workers.values()) {
      w.subtree = workerSubtree(this.table, w.pid, ENV.workerPid, { name: ENV.run, value: this.o.runMarker });
      w.subtree.add(w.pid);
    }
  }

  private async sampleAndAct(): Promise<void> {
    const now = this.o.now();
    if (now - this.lastScanAt >= RESCAN_MS) await this.scan();
    const pids = new Set(this.treePids);
    for (const w of this.workers.values()) for (const p of w.subtree) pids.add(p);
    const rss = await this.o.platform.sampleRss([...pids]);
    let total = 0;
    for (const v of rss.values()) total += v;
    this.peakBytes = Math.max(this.peakBytes, total);

    const views: WorkerView[] = [];
    for (const w of this.workers.values()) {
      let sum = 0;
      for (const p of w.subtree) sum += rss.get(p) ?? 0;
      w.rssBytes = sum;
      w.peakBytes = Math.max(w.peakBytes, sum);
      w.history.push({ at: now, rss: sum });
      while (w.history.length > 2 && now - w.history[0]!.at > 1000) w.history.shift();
      const first = w.history[0]!;
      const growth = now > first.at ? ((sum - first.rss) * 1000) / (now - first.at) : 0;
      views.push({
        pid: w.pid, file: w.file, test: w.test, held: w.held, rssBytes: sum, growthBytesPerS: growth,
        lastProgressAt: w.lastProgressAt, stopping: w.stopping,
      });
    }
    const runnerRss = rss.get(this.o.runnerPid) ?? 0;
    const result = decide(this.state, { now, treeRssBytes: total, runnerRssBytes: runnerRss, workers: views }, {
      limitBytes: this.o.limitBytes, tiers: this.o.tiers, fileTimeoutMs: this.o.fileTimeoutMs,
    });
    this.state = result.state;
    const atMs = now - this.startedAt;

    for (const d of result.decisions) {
      switch (d.kind) {
        case 'tier':
          this.tierEvents.push({ tier: d.to, atMs, rssBytes: d.rssBytes });
          this.o.log(tierRank(d.to) > tierRank(d.from) ? 'warn' : 'info', `memory tier ${d.from} → ${d.to} at ${mb(d.rssBytes)} of ${mb(this.o.limitBytes)}`);
          if (tierRank(d.to) > tierRank(d.from)) {
            const action = d.to === 'warning' ? 'warn' : d.to === 'critical' ? 'throttle' : 'block';
            if (d.to !== 'terminal') this.o.onAction({ atMs, action, tier: d.to, rssBytes: d.rssBytes, reason: `tree memory reached the ${d.to} tier` });
          } else if (tierRank(d.to) < tierRank('critical')) {
            this.o.onAction({ atMs, action: 'release', tier: d.to, rssBytes: d.rssBytes, reason: 'memory is back below the critical tier' });
          }
          break;
        case 'gc':
          for (const w of this.workers.values()) if (!w.held) this.o.sendProbe(w.pid, { t: 'gc' });
          this.o.onAction({ atMs, action: 'gc', tier: this.state.tier, rssBytes: total, reason: 'asked workers to collect garbage' });
          break;
        case 'admit':
          for (const pid of d.pids) {
            const w = this.workers.get(pid);
            if (!w) continue;
            w.held = false;
            w.lastProgressAt = now;
            this.o.sendProbe(pid, { t: 'go' });
          }
          break;
        case 'stop':
          this.stopWorker(d.pid, d.reason, d.why, atMs);
          break;
        case 'stopRunner':
          this.o.onRunnerOverLimit(d.why, total);
          break;
      }
    }

    this.o.onSample({
      atMs,
      treeRssBytes: total,
      limitBytes: this.o.limitBytes,
      tier: this.state.tier,
      processes: [...pids].filter((p) => rss.has(p)).map((pid) => {
        const worker = this.workers.get(pid);
        const owner = worker ?? [...this.workers.values()].find((w) => w.subtree.has(pid));
        return {
          pid,
          role: pid === this.o.runnerPid ? 'runner' : worker ? 'worker' : 'child',
          rssBytes: rss.get(pid) ?? 0,
          ...(owner?.file ? { file: owner.file } : {}),
          ...(owner?.test ? { test: owner.test } : {}),
        };
      }),
    });
  }

  private stopWorker(pid: number, reason: StopReason, why: string, atMs: number): void {
    const w = this.workers.get(pid);
    if (!w || w.stopping) return;
    w.stopping = true;
    const event: StopEvent = { pid, file: w.file, test: w.test, reason, rssBytes: w.rssBytes, atMs };
    this.o.log('warn', `stopping worker ${pid} (${w.file ?? 'unknown file'}${w.test ? `, test "${w.test}"` : ''}): ${reason} — ${why}`);
    this.o.onAction({ atMs, action: 'stop', tier: this.state.tier, rssBytes: w.rssBytes, ...(w.file ? { file: w.file } : {}), ...(w.test ? { test: w.test } : {}), reason: `${reason}: ${why}` });
    this.o.onStopped(event);
    // Memory: kill at once, the machine comes first. Timeout: TERM first, then KILL.
    const decidedAt = performance.now();
    noteIntentionalKill();
    void stopProcesses(this.o.platform, [...w.subtree], reason === 'memory' ? { graceMs: 0, signal: 'SIGKILL' } : { graceMs: TERM_GRACE_MS })
      .then(() => this.waitGone(pid, 5000))
      .then((gone) => {
        if (gone) this.o.onStopConfirmed(pid, performance.now() - decidedAt);
        else this.o.log('error', `worker ${pid} is still alive 5 s after it was killed`);
      });
  }

  private async waitGone(pid: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.o.platform.isAlive(pid)) {
      if (performance.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  private async reapOrphansOf(workerPid: number, file: string | undefined): Promise<void> {
    if (this.stopped) return;
    await this.scan();
    const left = this.table.filter((p) => p.markers?.[ENV.workerPid] === String(workerPid) && p.pid !== workerPid);
    if (left.length > 0) this.o.log('warn', `${file ?? `worker ${workerPid}`} left ${left.length} process(es) running; stopping them`);
    await this.killOrphans(left);
  }

  private async killOrphans(processes: ProcessInfo[]): Promise<void> {
    const fresh = processes.filter((p) => !this.orphans.some((o) => o.pid === p.pid));
    if (fresh.length === 0) return;
    for (const p of fresh) {
      const file = p.markers?.[ENV.workerFile];
      this.orphans.push({ pid: p.pid, command: p.command, ...(file ? { file } : {}) });
    }
    noteIntentionalKill();
    await stopProcesses(this.o.platform, fresh.map((p) => p.pid), { graceMs: TERM_GRACE_MS });
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
