// What the memory guard does about a sample, as a pure function: the runner feeds it the tree's
// memory and what each worker is doing, and carries out the decisions it returns (admit a held
// worker, ask for garbage collection, stop a worker). Keeping it pure lets every tier rule be
// unit-tested with made-up samples.
import type { StopReason, Tier } from '../protocol/report';
import type { TierPercents } from '../protocol/runner';
import { tierOf, tierRank, tierThreshold } from './tiers';

export interface WorkerView {
  readonly pid: number;
  readonly file?: string;
  /** Full name of the test running now, from the probe. */
  readonly test?: string;
  /** Waiting at its setup for the guard to let it start its file. */
  readonly held: boolean;
  /** RSS of the worker and everything it started. */
  readonly rssBytes: number;
  /** Recent growth of that RSS. */
  readonly growthBytesPerS: number;
  /** When the worker last showed a live event loop (a heartbeat or a test event). */
  readonly lastProgressAt: number;
  /** Already being stopped: never chosen twice. */
  readonly stopping: boolean;
  /**
   * Asked for a heap snapshot, or writing one (core/guard-snapshots.ts), until then: silent and
   * growing by the guard's own doing, so neither the file timeout nor the emergency tier stops it.
   */
  readonly quietUntil?: number;
  /**
   * Its heap snapshots are begun and not done (--heap-snapshot): the emergency tier leaves it to
   * the terminal tier, so the second can still be written while it grows.
   */
  readonly snapshotDue?: boolean;
}

export interface GuardInput {
  readonly now: number;
  readonly treeRssBytes: number;
  /** The runner's own RSS (Vitest's main process). */
  readonly runnerRssBytes: number;
  readonly workers: readonly WorkerView[];
}

export interface GuardConfig {
  readonly limitBytes: number;
  readonly tiers: TierPercents;
  readonly fileTimeoutMs: number;
}

export interface GuardState {
  readonly tier: Tier;
  /** Recent tree RSS, oldest first, for "is memory still rising". */
  readonly recent: readonly { at: number; rss: number }[];
  readonly lastGcAt: number;
  /** Tree RSS when the last collection was asked for, and the lowest seen since. */
  readonly gcFromRss?: number;
  readonly gcLowRss?: number;
  /** The last collection freed nothing worth it: none is asked for again until below critical. */
  readonly gcFutile?: boolean;
}

export type GuardDecision =
  | { kind: 'tier'; from: Tier; to: Tier; rssBytes: number }
  | { kind: 'gc' }
  | { kind: 'admit'; pids: number[] }
  | { kind: 'stop'; pid: number; reason: StopReason; why: string }
  | { kind: 'stopRunner'; why: string };

export const INITIAL_GUARD_STATE: GuardState = { tier: 'ok', recent: [], lastGcAt: -Infinity };

/** How far below a tier's threshold memory must fall before the guard steps down (no flapping). */
const HYSTERESIS_PERCENT = 2;
const RECENT_WINDOW_MS = 1000;
const GC_EVERY_MS = 2000;
/**
 * A collection that did not lower the tree by this share of the limit within GC_EVERY_MS was
 * futile: the memory is live (a runaway, not garbage), and forcing full collections of a
 * multi-GB heap every two seconds only slowed the runaway down — on a busy machine so much that a
 * 4 GB heap runaway sat at the critical tier for minutes instead of reaching the terminal one.
 */
const GC_HELPED_SHARE = 0.01;
/** At the emergency tier, a rise of this share of the limit over the window counts as "still rising". */
const RISING_PERCENT = 1;

export function decide(state: GuardState, input: GuardInput, config: GuardConfig): { state: GuardState; decisions: GuardDecision[] } {
  const decisions: GuardDecision[] = [];
  const tier = nextTier(state.tier, input.treeRssBytes, config);
  if (tier !== state.tier) decisions.push({ kind: 'tier', from: state.tier, to: tier, rssBytes: input.treeRssBytes });

  const recent = [...state.recent, { at: input.now, rss: input.treeRssBytes }].filter((s) => input.now - s.at <= RECENT_WINDOW_MS);
  let lastGcAt = state.lastGcAt;
  let gcFromRss = state.gcFromRss;
  let gcLowRss = gcFromRss === undefined ? undefined : Math.min(state.gcLowRss ?? gcFromRss, input.treeRssBytes);
  let gcFutile = state.gcFutile ?? false;
  const rank = tierRank(tier);
  const live = input.workers.filter((w) => !w.stopping);
  const quiet = (w: WorkerView): boolean => w.quietUntil !== undefined && input.now < w.quietUntil;
  const stopInFlight = input.workers.some((w) => w.stopping);

  if (rank < tierRank('critical')) {
    gcFromRss = undefined;
    gcLowRss = undefined;
    gcFutile = false;
  } else if (input.now - lastGcAt >= GC_EVERY_MS && !gcFutile) {
    if (gcFromRss !== undefined && gcFromRss - (gcLowRss ?? gcFromRss) < GC_HELPED_SHARE * config.limitBytes) gcFutile = true;
    else {
      decisions.push({ kind: 'gc' });
      lastGcAt = input.now;
      gcFromRss = input.treeRssBytes;
      gcLowRss = input.treeRssBytes;
    }
  }

  if (tier === 'terminal' && !stopInFlight) {
    const biggest = maxBy(live.filter((w) => !w.held), (w) => w.rssBytes);
    if (biggest && biggest.rssBytes >= input.runnerRssBytes) {
      decisions.push({ kind: 'stop', pid: biggest.pid, reason: 'memory', why: 'the tree crossed the terminal tier and this worker holds the most memory' });
    } else {
      decisions.push({ kind: 'stopRunner', why: 'the tree crossed the terminal tier and the runner itself holds the most memory' });
    }
  } else if (tier === 'emergency' && !stopInFlight && stillRising(recent, config.limitBytes)) {
    const fastest = maxBy(live.filter((w) => !w.held && w.growthBytesPerS > 0), (w) => w.growthBytesPerS);
    // A quiet worker's growth is its snapshot, which ends; one whose snapshots are not done is
    // left to the terminal tier. Nobody else pays for either meanwhile.
    if (fastest && !quiet(fastest) && !fastest.snapshotDue) decisions.push({ kind: 'stop', pid: fastest.pid, reason: 'memory', why: 'memory kept rising at the emergency tier and this worker grows fastest' });
  }

  const stopping = new Set(decisions.flatMap((d) => (d.kind === 'stop' ? [d.pid] : [])));
  for (const w of live) {
    if (w.held || stopping.has(w.pid) || quiet(w)) continue;
    if (input.now - w.lastProgressAt > config.fileTimeoutMs) {
      decisions.push({ kind: 'stop', pid: w.pid, reason: 'timeout', why: `no progress for ${Math.round((input.now - w.lastProgressAt) / 1000)} s` });
    }
  }

  const admit = admissions(tier, input.workers);
  if (admit.length > 0) decisions.push({ kind: 'admit', pids: admit });

  return {
    state: { tier, recent, lastGcAt, ...(gcFromRss !== undefined ? { gcFromRss, gcLowRss: gcLowRss ?? gcFromRss } : {}), ...(gcFutile ? { gcFutile } : {}) },
    decisions,
  };
}

/** How many workers may run their files at once in a tier: all, one (throttle), none (block). */
export function allowedActive(tier: Tier): number {
  if (tierRank(tier) >= tierRank('emergency')) return 0;
  if (tier === 'critical') return 1;
  return Infinity;
}

function admissions(tier: Tier, workers: readonly WorkerView[]): number[] {
  const held = workers.filter((w) => w.held && !w.stopping);
  if (held.length === 0) return [];
  const active = workers.filter((w) => !w.held && !w.stopping).length;
  // A blocked run must still move: with nothing active, one file may start even at the
  // emergency tier (the terminal tier still protects the machine).
  const allowed = Math.max(allowedActive(tier), active === 0 ? 1 : 0);
  const room = Math.max(0, allowed - active);
  return held.slice(0, room === Infinity ? held.length : room).map((w) => w.pid);
}

function nextTier(current: Tier, rss: number, config: GuardConfig): Tier {
  const raw = tierOf(rss, config.limitBytes, config.tiers);
  if (tierRank(raw) >= tierRank(current) || current === 'ok') return raw;
  // Stepping down: only once memory is clearly below the current tier's threshold.
  const threshold = tierThreshold(current, config.limitBytes, config.tiers);
  const margin = (config.limitBytes * HYSTERESIS_PERCENT) / 100;
  return rss < threshold - margin ? raw : current;
}

function stillRising(recent: readonly { at: number; rss: number }[], limitBytes: number): boolean {
  if (recent.length < 3) return false;
  const last3 = recent.slice(-3);
  const monotonic = last3[1]!.rss >= last3[0]!.rss && last3[2]!.rss >= last3[1]!.rss;
  const rise = recent[recent.length - 1]!.rss - recent[0]!.rss;
  return monotonic && rise > (limitBytes * RISING_PERCENT) / 100;
}

function maxBy<T>(items: readonly T[], key: (t: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || key(item) > key(best)) best = item;
  return best;
}
