// When the memory guard asks a runaway worker for heap snapshots (--heap-snapshot), as pure
// functions: the guard feeds them each sample and what it knows of each worker's snapshots in the
// file it runs now, and sends the requests they return over the probe socket. Two snapshots of
// one runaway, compared, say what it was filling memory with when the guard stopped it.
//
// The points. A snapshot is written by the worker itself, synchronously, and costs memory while
// it is written. Measured on Node 20.20 (v8.writeHeapSnapshot, peak RSS sampled every 2 ms, on
// this 2-core machine under load): not "about the heap's size again" but 250–1,200 bytes per
// heap object —
//   what the heap holds (its small-object spaces)   nodes   time        RSS added        per byte
//   a Vitest worker with a runaway's Buffers, 7 MB  ~0.1M   0.4–1.7 s   42–48 MB         ~6×
//   a class holding 256 KB Buffers, 9–30 MB         0.04M   0.2–0.4 s   25–32 MB         fixed
//   arrays of 1e5 numbers (large objects), 3 MB     0.04M   0.2 s       24 MB            fixed
//   arrays of 1,000 numbers, 60 MB                  0.06M   0.3 s       16 MB            0.3×
//   objects {id, label, tags: [2]}, 53 MB           1.4M    5.4 s       551 MB           10×
//     the same, 60 / 125 / 274 MB                   —       6/14/32 s   861/1457/2998 MB 14/12/11×
//   objects {id, next}, 43 MB                       1.1M    5.9 s       1,250 MB         29×
// — and glibc keeps most of it in the worker's RSS afterwards (a second snapshot adds about as
// much again). So:
//   1. the first snapshot when the tree has crossed the warning tier and the worker holding the
//      most memory has grown by a tenth of the limit since its file began (a runaway, not a
//      file that merely sits above the warning line beside others);
//   2. the second once the first is written, the tree has crossed the critical tier and the
//      worker has grown by another twentieth of the limit (something to compare) — or sooner,
//      when at its pace the room left would no longer hold it in two fast samples (a runaway of
//      3 GB/s grows 60 MB between two samples: at a 512 MB limit it would otherwise pass the
//      point where the second fits before it is asked, one time in two). Between the
//      two, the emergency tier does not stop the worker: a fast runaway (1 GB/s) crosses the
//      critical and emergency tiers within a few samples, and would be stopped before the second;
//      the terminal tier still stops it, as always.
// With snapshots on, the guard samples fast (20 ms) all along, not only from the critical tier:
// a point is a level of memory, and a runaway of 2 GB/s passes it by 200 MB in one slow interval
// (at a 512 MB limit, from below the warning tier to past the critical one), eating the room the
// second snapshot needs.
// Each request carries the room left below the terminal tier (less a margin for the guard's
// sampling); the probe estimates what its snapshot would cost (snapshotCostEstimate, which covers
// every heap above but objects of two fields) and declines when it does not fit, so a snapshot
// does not push the tree over the line by itself. The guard still watches while one is written:
// the terminal tier is never suspended, and a snapshot cut short by it is deleted.
// The file's own early and late snapshots (leak detection) cost the same, and at a small limit a
// late one could push a grown file over the terminal tier by itself: the probe asks the guard for
// the room first (its latest sample, snapshotRoomBytes) and writes only when the same estimate
// fits (snapshotFits); declined, the leak says so (declinedSnapshotNote).
// The worker is quiet (core/guard-policy.ts: no file timeout, not the emergency tier's pick)
// while asked, while writing — the guard's snapshots or the file's own early and late ones,
// which the probe announces the same way — and for a second after, while what the snapshot
// left in its RSS still reads as growth in the guard's look back.
import type { TierPercents } from '../protocol/runner';
import { tierThreshold } from './tiers';

/** A request not acknowledged within this is not answered at all (the probe ignores it past it). */
export const SNAPSHOT_ANSWER_MS = 1000;
/** A snapshot still being written after this is treated like a hang again (the file timeout). */
export const SNAPSHOT_WRITE_MAX_MS = 120_000;
/**
 * After a snapshot is written, the worker stays quiet this long: the emergency tier's "still
 * rising" looks back a second, and what a snapshot leaves in the RSS (40 MB and more) would read
 * as a runaway's growth — enough, at a small limit, to stop a file that has finished its tests.
 */
export const SNAPSHOT_SETTLE_MS = 1000;
/** Growth of the worker since its file began, in percent of the limit, before the first snapshot. */
export const FIRST_SNAPSHOT_GROWTH_PERCENT = 10;
/** Growth since the first snapshot, in percent of the limit, before the second. */
export const SECOND_SNAPSHOT_GROWTH_PERCENT = 5;
/** Kept free below the terminal tier: what the tree may grow between two samples. */
export const SNAPSHOT_MARGIN_PERCENT = 2;
/** How far ahead the second snapshot's room is judged at the worker's pace: two fast samples. */
export const SNAPSHOT_LOOKAHEAD_MS = 40;
/**
 * The second is asked once the room ahead falls below this many times the first one's cost: the
 * probe will estimate it at SNAPSHOT_LEARNT_SLACK times that (the heap grown alike).
 */
export const SNAPSHOT_CLOSING_FACTOR = 1.5;

export type Shot = 1 | 2;

/** What the guard knows of one worker's snapshots in the file it runs now. */
export interface WorkerShots {
  /** RSS of the worker's subtree at the first sample of its file. */
  readonly baseBytes?: number;
  /** Requests sent in this file. */
  readonly asked: number;
  /** Snapshots written. */
  readonly written: number;
  /** The request in flight: asked, and acknowledged once the worker has begun writing. */
  readonly pending?: { readonly shot: Shot; readonly askedAt: number; readonly writingSince?: number };
  /** RSS of the subtree at the first sample after the first snapshot was written. */
  readonly afterFirstBytes?: number;
  /** What writing the first added to the worker's RSS at its peak (the probe measures it). */
  readonly firstCostBytes?: number;
  /** No more requests in this file: one was declined or went unanswered. */
  readonly done: boolean;
}

export interface SnapshotCandidate {
  readonly pid: number;
  readonly held: boolean;
  readonly stopping: boolean;
  readonly rssBytes: number;
  /** Recent growth of that RSS. */
  readonly growthBytesPerS?: number;
  /** Writing a snapshot of its own (the file's early or late one): its growth is that. */
  readonly busy?: boolean;
  readonly shots: WorkerShots;
}

export interface SnapshotConfig {
  readonly limitBytes: number;
  readonly tiers: TierPercents;
}

export interface SnapshotRequest {
  readonly pid: number;
  readonly shot: Shot;
  /** How much the tree may still grow before the terminal tier, less the margin. */
  readonly roomBytes: number;
}

export const NO_SHOTS: WorkerShots = { asked: 0, written: 0, done: false };

/** At most one request per sample: to the worker holding the most memory, when a point is due. */
export function snapshotRequests(treeRssBytes: number, workers: readonly SnapshotCandidate[], config: SnapshotConfig): SnapshotRequest[] {
  let biggest: SnapshotCandidate | undefined;
  for (const w of workers) if (!w.held && !w.stopping && (biggest === undefined || w.rssBytes > biggest.rssBytes)) biggest = w;
  if (!biggest) return [];
  const s = biggest.shots;
  if (s.done || s.pending || s.asked >= 2 || biggest.busy === true) return [];
  const { limitBytes, tiers } = config;
  const share = (percent: number): number => (limitBytes * percent) / 100;
  const roomBytes = snapshotRoomBytes(treeRssBytes, config);
  if (roomBytes <= 0) return [];
  if (s.asked === 0) {
    const grown = s.baseBytes !== undefined && biggest.rssBytes - s.baseBytes >= share(FIRST_SNAPSHOT_GROWTH_PERCENT);
    if (treeRssBytes >= tierThreshold('warning', limitBytes, tiers) && grown) return [{ pid: biggest.pid, shot: 1, roomBytes }];
    return [];
  }
  if (s.written !== 1 || s.afterFirstBytes === undefined || treeRssBytes < tierThreshold('critical', limitBytes, tiers)) return [];
  const grown = biggest.rssBytes - s.afterFirstBytes >= share(SECOND_SNAPSHOT_GROWTH_PERCENT);
  // The probe will want about the first one's cost again (snapshotCostEstimate): ask while the
  // room still holds it after the growth of two more samples.
  const ahead = Math.max(0, biggest.growthBytesPerS ?? 0) * (SNAPSHOT_LOOKAHEAD_MS / 1000);
  const closing = s.firstCostBytes !== undefined && roomBytes - ahead < SNAPSHOT_CLOSING_FACTOR * s.firstCostBytes;
  return grown || closing ? [{ pid: biggest.pid, shot: 2, roomBytes }] : [];
}

/** How much the tree may still grow before the terminal tier, less the margin (may be negative). */
export function snapshotRoomBytes(treeRssBytes: number, config: SnapshotConfig): number {
  const { limitBytes, tiers } = config;
  return Math.floor(tierThreshold('terminal', limitBytes, tiers) - treeRssBytes - (limitBytes * SNAPSHOT_MARGIN_PERCENT) / 100);
}

/**
 * Until when a worker's silence is the guard's own doing: it was asked for a snapshot (and has a
 * moment to answer), or it is writing one (no heartbeats while V8 writes). Until then neither the
 * file timeout nor the emergency tier's "fastest-growing worker" stops it — a snapshot's memory
 * is that growth, and it ends. The terminal tier still does.
 */
export function snapshotQuietUntil(shots: WorkerShots): number | undefined {
  const p = shots.pending;
  if (!p) return undefined;
  return p.writingSince !== undefined ? p.writingSince + SNAPSHOT_WRITE_MAX_MS : p.askedAt + SNAPSHOT_ANSWER_MS;
}

/**
 * Begun and not done: the first asked, the second not yet written, none declined or unanswered.
 * The emergency tier then leaves the worker to the terminal tier (core/guard-policy.ts), or a fast
 * runaway would be stopped between its two snapshots, with nothing to compare.
 */
export function snapshotsDue(shots: WorkerShots): boolean {
  return shots.asked >= 1 && shots.written < 2 && !shots.done;
}

/** A request past its answer time without an acknowledgement: the worker's event loop is blocked. */
export function unanswered(shots: WorkerShots, now: number): boolean {
  const p = shots.pending;
  return p !== undefined && p.writingSince === undefined && now - p.askedAt > SNAPSHOT_ANSWER_MS;
}

// ---- The probe's side: will a snapshot fit? ------------------------------------------------------

/** Measured (above): what a snapshot costs beyond the heap objects it lists. */
export const SNAPSHOT_FIXED_BYTES = 32 * 1024 * 1024;
/** Per byte of the small-object spaces when the file began (Vitest and its modules: about 4×). */
export const SNAPSHOT_BASE_RATIO = 5;
/** Per byte those spaces grew since (whatever the test keeps: 0.3–29×, about 15× for small objects). */
export const SNAPSHOT_GROWTH_RATIO = 16;
/**
 * A second snapshot scales the first one's measured cost by how the small-object spaces grew,
 * with this much to spare. Measured, a second snapshot of a heap cost 0.8–0.95 of the first (it
 * reuses some of what the first left behind), and the scaling alone over-estimated a heap of
 * small objects grown 2× (1,457 MB for 1,722 predicted).
 */
export const SNAPSHOT_LEARNT_SLACK = 1.1;

export interface SnapshotCostInput {
  /** Bytes used in the heap's small-object spaces now (large objects cost a node each). */
  readonly smallBytes: number;
  /** The same when the file began. */
  readonly smallAtStartBytes: number;
  /** The measured cost of this worker's previous snapshot, and its small-object bytes then. */
  readonly previous?: { readonly smallBytes: number; readonly costBytes: number };
}

/** What writing a snapshot would add to the worker's RSS at its peak (an upper estimate). */
export function snapshotCostEstimate(input: SnapshotCostInput): number {
  const { smallBytes, smallAtStartBytes, previous } = input;
  if (previous && previous.smallBytes > 0 && previous.costBytes > 0) {
    return Math.round(previous.costBytes * Math.max(1, smallBytes / previous.smallBytes) * SNAPSHOT_LEARNT_SLACK);
  }
  const base = Math.min(smallBytes, smallAtStartBytes);
  return Math.round(SNAPSHOT_FIXED_BYTES + SNAPSHOT_BASE_RATIO * base + SNAPSHOT_GROWTH_RATIO * Math.max(0, smallBytes - base));
}

/**
 * Whether a snapshot estimated at `estimateBytes` (snapshotCostEstimate) may be written in the
 * room the guard gave. No answer (`undefined`: the runner did not say in time) is no room: a
 * snapshot is a diagnosis, never worth a stopped file.
 */
export function snapshotFits(estimateBytes: number, roomBytes: number | undefined): boolean {
  return roomBytes !== undefined && estimateBytes <= roomBytes;
}

export interface DeclinedSnapshot {
  /** Bytes of the heap's small-object spaces, the estimate and the room given (the probe's figures). */
  readonly heapBytes?: number;
  readonly estimateBytes?: number;
  readonly roomBytes?: number;
  /** Writing failed (a full disk): why. */
  readonly error?: string;
}

/** Why a snapshot is missing, for the report: `which` is "heap snapshot 2", "late heap snapshot"… */
export function declinedSnapshotNote(which: string, d: DeclinedSnapshot): string {
  if (d.error !== undefined) return `${which} could not be written: ${d.error}`;
  if (d.roomBytes === undefined) return `no ${which}: the runner did not say in time how much room was left below the terminal tier`;
  return `no ${which}: writing one would have taken about ${mb(d.estimateBytes ?? 0)} more (V8 needs several hundred bytes per object, and the heap held ${mb(d.heapBytes ?? 0)} of small objects); ${mb(Math.max(0, d.roomBytes))} were left below the terminal tier`;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
