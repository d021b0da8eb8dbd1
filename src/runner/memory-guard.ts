// The memory guard's loop: samples the RSS of the whole test process tree, feeds the pure policy
// (src/core/guard-policy.ts) and carries out what it decides. Fast path: read the RSS of known
// pids every sample; slow path: rediscover the tree from the process table once a second, and at once
// when a worker appears or leaves.
import type { ProcessInfo } from '../core/process-table';
import { testTree, workerSubtree } from '../core/process-tree';
import { allowedActive, decide, INITIAL_GUARD_STATE, type GuardState, type WorkerView } from '../core/guard-policy';
import {
  declinedSnapshotNote, NO_SHOTS, SNAPSHOT_ANSWER_MS, SNAPSHOT_SETTLE_MS, SNAPSHOT_WRITE_MAX_MS, snapshotQuietUntil, snapshotRequests, snapshotRoomBytes, snapshotsDue, unanswered, type Shot,
  type SnapshotCandidate, type WorkerShots,
} from '../core/guard-snapshots';
import { tierRank } from '../core/tiers';
import type { Orphan, StopReason, Tier, TierEvent } from '../protocol/report';
import type { GuardAction, MemorySample, TierPercents } from '../protocol/runner';
import { ENV, type ProbeMessage, type RunnerToProbe } from '../protocol/probe';
import type { Platform } from './platform/platform';
import { stopProcesses } from './kill-tree';
import { noteIntentionalKill } from './intentional-kills';

const RESCAN_MS = 1000;
const TERM_GRACE_MS = 500;
/** How long a memory stop may hold the runner's event loop to see the worker die. */
const SYNC_WAIT_MS = 100;
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
  /**
   * --heap-snapshot: ask a runaway worker for two heap snapshots while there is room
   * (core/guard-snapshots.ts), so its stop can say what it was filling memory with.
   */
  readonly heapSnapshots?: boolean;
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
  /** --heap-snapshot: the guard's snapshots of the file it runs now. */
  shots: WorkerShots;
  /** --heap-snapshot: writing the file's own early or late snapshot (leak detection) since. */
  fileSnapshotSince?: number;
  /** --heap-snapshot: a snapshot was just written; what it left in the RSS is no runaway. */
  settleUntil?: number;
}

/** The guard's heap snapshots of one file in one worker (--heap-snapshot). */
export interface GuardSnapshots {
  readonly pid: number;
  readonly file: string;
  /** Written, oldest first. */
  readonly paths: string[];
  /** Begun and not (yet) finished: cut short if the worker was stopped meanwhile. */
  writing?: string;
  /** Begun and failed (a full disk): whatever part of them was written is to be deleted. */
  readonly failed: string[];
  /** What went otherwise: declined, unanswered, cut short. */
  readonly notes: string[];
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
  /** --heap-snapshot: the guard's snapshots, by worker pid and file. */
  private readonly snapshots = new Map<string, GuardSnapshots>();
  peakBytes = 0;
  /** The tree's RSS at the latest sample: the room a file's own snapshot is given is below it. */
  private lastTreeRssBytes: number | undefined;

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
        subtree: new Set([message.pid]), rssBytes: 0, peakBytes: 0, history: [], shots: NO_SHOTS,
      };
      worker.file = message.file;
      worker.test = undefined;
      worker.held = true;
      worker.peakBytes = 0;
      worker.stopping = false;
      worker.shots = NO_SHOTS;
      worker.fileSnapshotSince = undefined;
      worker.settleUntil = undefined;
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
    else if (message.t === 'snapshot' && (message.phase === 'guard1' || message.phase === 'guard2')) this.onSnapshot(worker, message, now);
    else if (message.t === 'snapshot') this.onFileSnapshot(worker, message, now);
  }

  /** The guard's heap snapshots of a file run by a worker, if it asked for any. */
  snapshotsOf(pid: number, file: string): GuardSnapshots | undefined {
    return this.snapshots.get(snapshotKey(pid, file));
  }

  /** Every file's guard snapshots of this run. */
  allSnapshots(): GuardSnapshots[] {
    return [...this.snapshots.values()];
  }

  private onSnapshot(w: Worker, m: Extract<ProbeMessage, { t: 'snapshot' }>, now: number): void {
    if (w.file !== m.file) return;
    const shot: Shot = m.phase === 'guard1' ? 1 : 2;
    const record = this.recordOf(w.pid, m.file);
    const figures = `heap ${mb(m.heapBytes ?? 0)} in small objects, estimate ${mb(m.estimateBytes ?? 0)}, room ${mb(m.roomBytes ?? 0)}`;
    if (m.status === 'writing') {
      // Also after the guard gave up waiting: the worker is alive, and busy with it.
      if (!w.shots.pending) {
        const late = record.notes.findIndex((n) => n.startsWith(`asked for heap snapshot ${shot};`));
        if (late >= 0) record.notes.splice(late, 1);
      }
      w.shots = { ...w.shots, done: false, pending: { shot, askedAt: w.shots.pending?.askedAt ?? now, writingSince: now } };
      record.writing = m.path;
      return;
    }
    const pending = w.shots.pending?.shot === shot ? undefined : w.shots.pending;
    if (record.writing === m.path) record.writing = undefined;
    if (m.error !== undefined) record.failed.push(m.path);
    if (m.status === 'declined') {
      w.shots = { ...w.shots, pending, done: true };
      const note = declinedSnapshotNote(`heap snapshot ${shot}`, { ...m, roomBytes: m.roomBytes ?? 0 });
      record.notes.push(note);
      this.o.log('info', `${m.file}: ${note}`);
      return;
    }
    w.settleUntil = now + SNAPSHOT_SETTLE_MS;
    w.shots = { ...w.shots, pending, written: w.shots.written + 1, ...(shot === 1 && m.costBytes !== undefined ? { firstCostBytes: Math.max(0, m.costBytes) } : {}) };
    record.paths.push(m.path);
    this.o.log('info', `${m.file}: heap snapshot ${shot} written in ${Math.round(m.ms ?? 0)} ms, it cost ${mb(m.costBytes ?? 0)} (${figures}): ${m.path}`);
  }

  /**
   * The file's own early and late snapshots (leak detection): quiet while one is written, as for
   * the guard's, and no request meanwhile; and what one leaves in the RSS (40 MB and more) is not
   * the file's growth, so its start is measured again after it.
   */
  private onFileSnapshot(w: Worker, m: Extract<ProbeMessage, { t: 'snapshot' }>, now: number): void {
    if (m.status === 'asking') {
      // The room below the terminal tier at the latest sample (every 20 ms with snapshots on); the
      // probe writes only when its estimate fits (core/guard-snapshots.ts snapshotFits). Before any
      // sample, the peak so far stands in for it.
      const tree = this.lastTreeRssBytes ?? this.peakBytes;
      this.o.sendProbe(w.pid, { t: 'room', roomBytes: snapshotRoomBytes(tree, { limitBytes: this.o.limitBytes, tiers: this.o.tiers }) });
      return;
    }
    if (m.status === 'writing') {
      w.fileSnapshotSince = now;
      return;
    }
    if (m.status === 'declined') this.o.log('info', `${m.file}: ${declinedSnapshotNote(`${m.phase} heap snapshot`, m)}`);
    // Declined before writing (no room) left nothing in the RSS to settle or measure again.
    const wrote = w.fileSnapshotSince !== undefined;
    if (wrote) w.settleUntil = now + SNAPSHOT_SETTLE_MS;
    w.fileSnapshotSince = undefined;
    if (wrote && w.shots.asked === 0) w.shots = { ...w.shots, baseBytes: undefined };
  }

  private recordOf(pid: number, file: string): GuardSnapshots {
    const key = snapshotKey(pid, file);
    let record = this.snapshots.get(key);
    if (!record) this.snapshots.set(key, (record = { pid, file, paths: [], notes: [], failed: [] }));
    return record;
  }

  /** --heap-snapshot: requests due at this sample (after the stops: a stopped worker is not asked). */
  private askForSnapshots(now: number, treeRssBytes: number): void {
    const candidates: SnapshotCandidate[] = [];
    for (const w of this.workers.values()) {
      if (w.file === undefined) continue;
      if (unanswered(w.shots, now)) {
        const note = `asked for heap snapshot ${w.shots.pending?.shot ?? ''}; the worker did not answer within ${SNAPSHOT_ANSWER_MS / 1000} s (its event loop was blocked, as in a synchronous loop)`;
        w.shots = { ...w.shots, pending: undefined, done: true };
        this.recordOf(w.pid, w.file).notes.push(note);
        this.o.log('info', `${w.file}: ${note}`);
      }
      candidates.push({
        pid: w.pid, held: w.held, stopping: w.stopping, rssBytes: w.rssBytes, growthBytesPerS: growthOf(w), shots: w.shots,
        ...(w.fileSnapshotSince !== undefined ? { busy: true } : {}),
      });
    }
    for (const r of snapshotRequests(treeRssBytes, candidates, { limitBytes: this.o.limitBytes, tiers: this.o.tiers })) {
      const w = this.workers.get(r.pid);
      if (!w?.file) continue;
      w.shots = { ...w.shots, asked: w.shots.asked + 1, pending: { shot: r.shot, askedAt: now } };
      this.recordOf(w.pid, w.file);
      this.o.log('info', `${w.file}: asking worker ${w.pid} for heap snapshot ${r.shot} at ${mb(w.rssBytes)} (tree ${mb(treeRssBytes)}, room ${mb(r.roomBytes)})`);
      this.o.sendProbe(w.pid, { t: 'snapshot', shot: r.shot, roomBytes: r.roomBytes, before: now + SNAPSHOT_ANSWER_MS });
    }
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
    // With --heap-snapshot, always: a snapshot point is a level of memory, and a runaway of 2 GB/s
    // passes it by 200 MB in one slow interval — from below the warning tier to past the critical
    // one — eating the room the snapshots need. (Reading statm of a few pids 50 times a second
    // costs little beside the snapshots themselves.)
    const fast = this.o.heapSnapshots === true || tierRank(this.state.tier) >= tierRank('critical');
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
    this.lastTreeRssBytes = total;

    const views: WorkerView[] = [];
    for (const w of this.workers.values()) {
      let sum = 0;
      for (const p of w.subtree) sum += rss.get(p) ?? 0;
      w.rssBytes = sum;
      w.peakBytes = Math.max(w.peakBytes, sum);
      if (this.o.heapSnapshots && !w.held) {
        // The file's own start, and where the first snapshot left it (its memory stays in RSS).
        if (w.shots.baseBytes === undefined) w.shots = { ...w.shots, baseBytes: sum };
        if (w.shots.written === 1 && w.shots.afterFirstBytes === undefined && !w.shots.pending) w.shots = { ...w.shots, afterFirstBytes: sum };
      }
      w.history.push({ at: now, rss: sum });
      while (w.history.length > 2 && now - w.history[0]!.at > 1000) w.history.shift();
      const first = w.history[0]!;
      const growth = now > first.at ? ((sum - first.rss) * 1000) / (now - first.at) : 0;
      views.push({
        pid: w.pid, file: w.file, test: w.test, held: w.held, rssBytes: sum, growthBytesPerS: growth,
        lastProgressAt: w.lastProgressAt, stopping: w.stopping,
        ...(quietUntil(w) !== undefined ? { quietUntil: quietUntil(w) } : {}),
      });
    }
    if (this.o.heapSnapshots) {
      // Only the worker the snapshots are asked of (the biggest) is left to the terminal tier: any
      // other whose second snapshot will never come is stopped as usual.
      let biggest: WorkerView | undefined;
      for (const v of views) if (!v.held && !v.stopping && (biggest === undefined || v.rssBytes > biggest.rssBytes)) biggest = v;
      const w = biggest && this.workers.get(biggest.pid);
      if (biggest && w && snapshotsDue(w.shots)) views[views.indexOf(biggest)] = { ...biggest, snapshotDue: true };
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
    if (this.o.heapSnapshots) this.askForSnapshots(now, total);

    this.o.onSample({
      atMs,
      treeRssBytes: total,
      limitBytes: this.o.limitBytes,
      tier: this.state.tier,
      // A process with no resident memory has exited (a zombie, or a worker Vitest is reaping):
      // it is not part of what the tree uses, and a "0 B worker" row only puzzles the reader.
      processes: [...pids].filter((p) => (rss.get(p) ?? 0) > 0).map((pid) => {
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
    const pending = w.shots.pending;
    if (pending && w.file !== undefined && pending.writingSince === undefined) {
      this.recordOf(pid, w.file).notes.push(`asked for heap snapshot ${pending.shot}; the worker had not answered when it was stopped (its event loop was blocked, as in a synchronous loop)`);
      w.shots = { ...w.shots, pending: undefined, done: true };
    }
    this.o.log('warn', `stopping worker ${pid} (${w.file ?? 'unknown file'}${w.test ? `, test "${w.test}"` : ''}): ${reason} — ${why}`);
    this.o.onAction({ atMs, action: 'stop', tier: this.state.tier, rssBytes: w.rssBytes, ...(w.file ? { file: w.file } : {}), ...(w.test ? { test: w.test } : {}), reason: `${reason}: ${why}` });
    this.o.onStopped(event);
    // Memory: kill at once, the machine comes first. Timeout: TERM first, then KILL.
    const decidedAt = performance.now();
    noteIntentionalKill();
    // With SIGKILL, the signals go out before stopProcesses first awaits.
    const stopping = stopProcesses(this.o.platform, [...w.subtree], reason === 'memory' ? { graceMs: 0, signal: 'SIGKILL' } : { graceMs: TERM_GRACE_MS });
    if (reason === 'memory') {
      // Watched here, synchronously and briefly: once a worker dies, the event loop is busy with
      // Vitest's handling of it, and a timer-driven poll timed that (hundreds of ms for a 3 GB
      // worker) rather than the kernel's work, which takes milliseconds.
      const goneMs = this.waitGoneSync(pid, SYNC_WAIT_MS, decidedAt);
      if (goneMs !== undefined) {
        this.o.onStopConfirmed(pid, goneMs);
        return;
      }
    }
    void stopping
      .then(() => this.waitGone(pid, 5000))
      .then((gone) => {
        if (gone) this.o.onStopConfirmed(pid, performance.now() - decidedAt);
        else this.o.log('error', `worker ${pid} is still alive 5 s after it was killed`);
      });
  }

  /** Milliseconds from `since` until the pid is gone, or undefined if it outlives `timeoutMs`. */
  private waitGoneSync(pid: number, timeoutMs: number, since: number): number | undefined {
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (this.o.platform.isAlive(pid)) {
      if (performance.now() - since > timeoutMs) return undefined;
      Atomics.wait(pause, 0, 0, 1); // a 1 ms sleep that does not spin
    }
    return performance.now() - since;
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

/** Until when the worker's silence and growth are a snapshot's (see WorkerView.quietUntil). */
function quietUntil(w: Worker): number | undefined {
  const guard = snapshotQuietUntil(w.shots);
  const own = w.fileSnapshotSince !== undefined ? w.fileSnapshotSince + SNAPSHOT_WRITE_MAX_MS : undefined;
  const times = [guard, own, w.settleUntil].filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.max(...times) : undefined;
}

/**
 * A worker's pace now: its RSS growth between the last two samples, or over the last second if
 * that is faster. (A second that includes a snapshot being written, when the worker stood still,
 * hides how fast it runs away.)
 */
function growthOf(w: Worker): number {
  const rate = (a: { at: number; rss: number } | undefined, b: { at: number; rss: number } | undefined): number =>
    a && b && b.at > a.at ? ((b.rss - a.rss) * 1000) / (b.at - a.at) : 0;
  const h = w.history;
  return Math.max(rate(h[h.length - 2], h[h.length - 1]), rate(h[0], h[h.length - 1]));
}

function snapshotKey(pid: number, file: string): string {
  return `${pid}\0${file}`;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
