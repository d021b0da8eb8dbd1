import { describe, expect, test } from 'vitest';
import {
  FIRST_SNAPSHOT_GROWTH_PERCENT, NO_SHOTS, SNAPSHOT_CLOSING_FACTOR, SNAPSHOT_LOOKAHEAD_MS, SECOND_SNAPSHOT_GROWTH_PERCENT, SNAPSHOT_ANSWER_MS, SNAPSHOT_BASE_RATIO, SNAPSHOT_FIXED_BYTES,
  SNAPSHOT_GROWTH_RATIO, SNAPSHOT_LEARNT_SLACK, SNAPSHOT_MARGIN_PERCENT, SNAPSHOT_WRITE_MAX_MS, declinedSnapshotNote, snapshotCostEstimate, snapshotFits, snapshotQuietUntil,
  snapshotRequests, snapshotRoomBytes, snapshotsDue, unanswered, type SnapshotCandidate, type WorkerShots,
} from '../../src/core/guard-snapshots';
import { decide, INITIAL_GUARD_STATE, type GuardConfig, type WorkerView } from '../../src/core/guard-policy';
import { DEFAULT_TIER_PERCENTS } from '../../src/core/tiers';

const MB = 1024 * 1024;
const LIMIT = 1000 * MB;
const config = { limitBytes: LIMIT, tiers: DEFAULT_TIER_PERCENTS };
// With the default tiers: warning 400 MB, critical 600, emergency 800, terminal 950.
const TERMINAL = 950 * MB;
const MARGIN = (LIMIT * SNAPSHOT_MARGIN_PERCENT) / 100;

type ShotsInput = { [K in keyof WorkerShots]?: WorkerShots[K] | undefined };

function worker(over: Omit<Partial<SnapshotCandidate>, 'shots'> & { pid: number; shots?: ShotsInput }): SnapshotCandidate {
  const { shots, ...rest } = over;
  return { held: false, stopping: false, rssBytes: 300 * MB, ...rest, shots: { ...NO_SHOTS, baseBytes: 60 * MB, ...shots } as WorkerShots };
}

describe('when the guard asks for heap snapshots', () => {
  test('the first: the tree past the warning tier and the biggest worker grown by a tenth of the limit', () => {
    expect(FIRST_SNAPSHOT_GROWTH_PERCENT).toBe(10);
    const runaway = worker({ pid: 1, rssBytes: 300 * MB });
    expect(snapshotRequests(450 * MB, [runaway, worker({ pid: 2, rssBytes: 80 * MB })], config)).toEqual([
      { pid: 1, shot: 1, roomBytes: TERMINAL - 450 * MB - MARGIN },
    ]);
  });

  test('not below the warning tier', () => {
    expect(snapshotRequests(399 * MB, [worker({ pid: 1 })], config)).toEqual([]);
  });

  test('not for a worker that has not grown since its file began: it only sits above the line', () => {
    expect(snapshotRequests(450 * MB, [worker({ pid: 1, rssBytes: 150 * MB, shots: { baseBytes: 60 * MB } })], config)).toEqual([]);
    // Nor before its first sample (no start figure yet).
    expect(snapshotRequests(450 * MB, [worker({ pid: 1, shots: { baseBytes: undefined } })], config)).toEqual([]);
  });

  test('only the worker holding the most memory, and not a held or stopping one', () => {
    const big = worker({ pid: 1, rssBytes: 500 * MB });
    const grown = worker({ pid: 2, rssBytes: 300 * MB });
    expect(snapshotRequests(850 * MB, [big, grown], config).map((r) => r.pid)).toEqual([1]);
    expect(snapshotRequests(850 * MB, [{ ...big, stopping: true }, grown], config).map((r) => r.pid)).toEqual([2]);
    expect(snapshotRequests(850 * MB, [{ ...big, held: true }, grown], config).map((r) => r.pid)).toEqual([2]);
    // The biggest has had its say (declined): nobody else is asked in its place.
    expect(snapshotRequests(850 * MB, [worker({ pid: 1, rssBytes: 500 * MB, shots: { done: true } }), grown], config)).toEqual([]);
  });

  test('not while it writes a snapshot of its own (the file\'s early or late one, for leak detection)', () => {
    expect(snapshotRequests(450 * MB, [{ ...worker({ pid: 1 }), busy: true }], config)).toEqual([]);
  });

  test('one request in flight at a time', () => {
    const w = worker({ pid: 1, shots: { asked: 1, pending: { shot: 1, askedAt: 0 } } });
    expect(snapshotRequests(700 * MB, [w], config)).toEqual([]);
  });

  test('the second: once the first is written, past the critical tier, and grown by a twentieth since', () => {
    expect(SECOND_SNAPSHOT_GROWTH_PERCENT).toBe(5);
    const after = { asked: 1, written: 1, afterFirstBytes: 300 * MB };
    expect(snapshotRequests(650 * MB, [worker({ pid: 1, rssBytes: 360 * MB, shots: after })], config)).toEqual([
      { pid: 1, shot: 2, roomBytes: TERMINAL - 650 * MB - MARGIN },
    ]);
    // Below the critical tier, or not grown enough, or the first not yet measured after it: not yet.
    expect(snapshotRequests(590 * MB, [worker({ pid: 1, rssBytes: 360 * MB, shots: after })], config)).toEqual([]);
    expect(snapshotRequests(650 * MB, [worker({ pid: 1, rssBytes: 340 * MB, shots: after })], config)).toEqual([]);
    expect(snapshotRequests(650 * MB, [worker({ pid: 1, rssBytes: 360 * MB, shots: { ...after, afterFirstBytes: undefined } })], config)).toEqual([]);
    // The first was asked but never written (declined, unanswered): no second.
    expect(snapshotRequests(650 * MB, [worker({ pid: 1, rssBytes: 360 * MB, shots: { asked: 1, written: 0, afterFirstBytes: 300 * MB } })], config)).toEqual([]);
  });

  test('the second sooner when, at the worker\'s pace, the room would no longer hold it two samples on', () => {
    expect(SNAPSHOT_CLOSING_FACTOR).toBe(1.5);
    // Grown 10 MB since the first (not a twentieth of the limit); the first cost 50 MB.
    const shots = { asked: 1, written: 1, afterFirstBytes: 300 * MB, firstCostBytes: 50 * MB };
    const at = (tree: number, growthMBPerS: number) =>
      snapshotRequests(tree * MB, [worker({ pid: 1, rssBytes: 310 * MB, growthBytesPerS: growthMBPerS * MB, shots })], config);
    // Room 950 - 20 - 700 = 230 MB: plenty, at a slow pace.
    expect(at(700, 100)).toEqual([]);
    // Room 230 MB, but at 4 GB/s the next two samples (40 ms) take 160 MB of it: 70 < 75.
    expect(at(700, 4000)).toEqual([{ pid: 1, shot: 2, roomBytes: 230 * MB }]);
    // Room 70 MB: less than 1.5 times the first one's cost, whatever the pace.
    expect(at(860, 0)).toEqual([{ pid: 1, shot: 2, roomBytes: 70 * MB }]);
    // Lookahead of two fast samples.
    expect(SNAPSHOT_LOOKAHEAD_MS).toBe(40);
  });

  test('never more than two per file', () => {
    expect(snapshotRequests(700 * MB, [worker({ pid: 1, rssBytes: 600 * MB, shots: { asked: 2, written: 2, afterFirstBytes: 100 * MB } })], config)).toEqual([]);
  });

  test('no room left below the terminal tier: nothing to ask', () => {
    expect(snapshotRequests(TERMINAL - MARGIN, [worker({ pid: 1 })], config)).toEqual([]);
    expect(snapshotRequests(TERMINAL - MARGIN - 1 * MB, [worker({ pid: 1 })], config)).toEqual([{ pid: 1, shot: 1, roomBytes: 1 * MB }]);
  });

  test('a worker is quiet while it has a moment to answer, and while it writes', () => {
    expect(snapshotQuietUntil(NO_SHOTS)).toBeUndefined();
    const asked: WorkerShots = { ...NO_SHOTS, asked: 1, pending: { shot: 1, askedAt: 1000 } };
    expect(snapshotQuietUntil(asked)).toBe(1000 + SNAPSHOT_ANSWER_MS);
    const writing: WorkerShots = { ...NO_SHOTS, asked: 1, pending: { shot: 1, askedAt: 1000, writingSince: 1010 } };
    expect(snapshotQuietUntil(writing)).toBe(1010 + SNAPSHOT_WRITE_MAX_MS);
  });

  test('begun and not done: from the first request until the second is written, unless one failed', () => {
    expect(snapshotsDue(NO_SHOTS)).toBe(false);
    expect(snapshotsDue({ ...NO_SHOTS, asked: 1, pending: { shot: 1, askedAt: 0 } })).toBe(true);
    expect(snapshotsDue({ ...NO_SHOTS, asked: 1, written: 1 })).toBe(true);
    expect(snapshotsDue({ ...NO_SHOTS, asked: 2, written: 2 })).toBe(false);
    expect(snapshotsDue({ ...NO_SHOTS, asked: 1, written: 0, done: true })).toBe(false);
  });

  test('a request not acknowledged in time is unanswered (a blocked event loop); one being written is not', () => {
    const asked: WorkerShots = { ...NO_SHOTS, asked: 1, pending: { shot: 1, askedAt: 1000 } };
    expect(unanswered(asked, 1000 + SNAPSHOT_ANSWER_MS)).toBe(false);
    expect(unanswered(asked, 1001 + SNAPSHOT_ANSWER_MS)).toBe(true);
    expect(unanswered({ ...asked, pending: { shot: 1, askedAt: 1000, writingSince: 1005 } }, 1000 + SNAPSHOT_WRITE_MAX_MS)).toBe(false);
    expect(unanswered(NO_SHOTS, 1e9)).toBe(false);
  });
});

describe('what a snapshot will cost (the probe decides whether it fits)', () => {
  test('first: a fixed part, the file start at the base ratio, the growth since at the growth ratio', () => {
    expect(snapshotCostEstimate({ smallBytes: 10 * MB, smallAtStartBytes: 10 * MB })).toBe(SNAPSHOT_FIXED_BYTES + SNAPSHOT_BASE_RATIO * 10 * MB);
    expect(snapshotCostEstimate({ smallBytes: 50 * MB, smallAtStartBytes: 10 * MB })).toBe(
      SNAPSHOT_FIXED_BYTES + SNAPSHOT_BASE_RATIO * 10 * MB + SNAPSHOT_GROWTH_RATIO * 40 * MB,
    );
    // A heap smaller than at the start (collected since) is all "start".
    expect(snapshotCostEstimate({ smallBytes: 8 * MB, smallAtStartBytes: 10 * MB })).toBe(SNAPSHOT_FIXED_BYTES + SNAPSHOT_BASE_RATIO * 8 * MB);
  });

  test('the measured figures behind the ratios stay covered', () => {
    // A Vitest worker of 7–10 MB in small objects: measured 40–48 MB.
    expect(snapshotCostEstimate({ smallBytes: 10 * MB, smallAtStartBytes: 10 * MB })).toBeGreaterThan(48 * MB);
    // 53 MB of objects of three fields: measured 551–861 MB, about 15× (Node 20).
    expect(snapshotCostEstimate({ smallBytes: 63 * MB, smallAtStartBytes: 10 * MB })).toBeGreaterThan(861 * MB);
  });

  test('second: the first one measured, scaled by how the heap grew since, with slack', () => {
    const previous = { smallBytes: 20 * MB, costBytes: 48 * MB };
    expect(snapshotCostEstimate({ smallBytes: 40 * MB, smallAtStartBytes: 10 * MB, previous })).toBe(Math.round(48 * MB * 2 * SNAPSHOT_LEARNT_SLACK));
    // A heap that shrank since costs no less than the first did.
    expect(snapshotCostEstimate({ smallBytes: 10 * MB, smallAtStartBytes: 10 * MB, previous })).toBe(Math.round(48 * MB * SNAPSHOT_LEARNT_SLACK));
  });
});

describe('a file\'s own early and late snapshots (leak detection) get the same room check', () => {
  test('the room is what the tree may still grow below the terminal tier, less the margin', () => {
    expect(snapshotRoomBytes(450 * MB, config)).toBe(TERMINAL - 450 * MB - MARGIN);
    // Past the line: no room at all, whatever the estimate.
    expect(snapshotRoomBytes(990 * MB, config)).toBeLessThan(0);
  });

  test('at a 512 MB limit, a grown file\'s late snapshot does not fit where its early one did', () => {
    const small = { limitBytes: 512 * MB, tiers: DEFAULT_TIER_PERCENTS };
    // Early: Vitest's 10 MB of small objects; late: the file has kept 20 MB more of small objects.
    const early = snapshotCostEstimate({ smallBytes: 10 * MB, smallAtStartBytes: 10 * MB });
    const late = snapshotCostEstimate({ smallBytes: 30 * MB, smallAtStartBytes: 10 * MB });
    expect(snapshotFits(early, snapshotRoomBytes(150 * MB, small))).toBe(true);
    expect(snapshotFits(late, snapshotRoomBytes(250 * MB, small))).toBe(false);
  });

  test('no answer from the guard is no room', () => {
    expect(snapshotFits(1, undefined)).toBe(false);
    expect(snapshotFits(10 * MB, 10 * MB)).toBe(true);
  });

  test('a declined snapshot says why, in the guard\'s words', () => {
    expect(declinedSnapshotNote('late heap snapshot', { heapBytes: 30 * MB, estimateBytes: 402 * MB, roomBytes: 210 * MB })).toBe(
      'no late heap snapshot: writing one would have taken about 402 MB more (V8 needs several hundred bytes per object, and the heap held 30 MB of small objects); 210 MB were left below the terminal tier',
    );
    expect(declinedSnapshotNote('early heap snapshot', { estimateBytes: 50 * MB })).toBe('no early heap snapshot: the runner did not say in time how much room was left below the terminal tier');
    expect(declinedSnapshotNote('heap snapshot 2', { error: 'ENOSPC' })).toBe('heap snapshot 2 could not be written: ENOSPC');
  });
});

describe('the guard policy leaves a quiet worker alone', () => {
  const guard: GuardConfig = { limitBytes: LIMIT, tiers: DEFAULT_TIER_PERCENTS, fileTimeoutMs: 5000 };
  const view = (over: Partial<WorkerView> & { pid: number }): WorkerView => ({
    held: false, rssBytes: 50 * MB, growthBytesPerS: 0, lastProgressAt: 0, stopping: false, ...over,
  });

  test('no file timeout while it writes a snapshot (no heartbeats then); the timeout again after', () => {
    const writing = view({ pid: 1, lastProgressAt: 0, quietUntil: 60_000 });
    const at = (now: number) => decide(INITIAL_GUARD_STATE, { now, treeRssBytes: 100 * MB, runnerRssBytes: 50 * MB, workers: [writing] }, guard).decisions;
    expect(at(10_000).find((d) => d.kind === 'stop')).toBeUndefined();
    expect(at(60_001)).toContainEqual(expect.objectContaining({ kind: 'stop', pid: 1, reason: 'timeout' }));
  });

  test('the emergency tier does not stop it for its growth, nor anybody else meanwhile', () => {
    const quiet = view({ pid: 1, rssBytes: 500 * MB, growthBytesPerS: 300 * MB, lastProgressAt: 0, quietUntil: 10_000 });
    const other = view({ pid: 2, rssBytes: 100 * MB, growthBytesPerS: 10 * MB, lastProgressAt: 0 });
    const run = (workers: WorkerView[]) => {
      let s = decide(INITIAL_GUARD_STATE, { now: 0, treeRssBytes: 810 * MB, runnerRssBytes: 50 * MB, workers }, guard).state;
      s = decide(s, { now: 100, treeRssBytes: 830 * MB, runnerRssBytes: 50 * MB, workers }, guard).state;
      return decide(s, { now: 200, treeRssBytes: 850 * MB, runnerRssBytes: 50 * MB, workers }, guard).decisions;
    };
    expect(run([quiet, other]).find((d) => d.kind === 'stop')).toBeUndefined();
    // Once its quiet time is over, the usual rule.
    expect(run([{ ...quiet, quietUntil: 150 }, other])).toContainEqual(expect.objectContaining({ kind: 'stop', pid: 1, reason: 'memory' }));
  });

  test('the emergency tier leaves a worker whose snapshots are not done to the terminal tier', () => {
    const due = view({ pid: 1, rssBytes: 500 * MB, growthBytesPerS: 300 * MB, snapshotDue: true });
    const other = view({ pid: 2, rssBytes: 100 * MB, growthBytesPerS: 10 * MB });
    let s = decide(INITIAL_GUARD_STATE, { now: 0, treeRssBytes: 810 * MB, runnerRssBytes: 50 * MB, workers: [due, other] }, guard).state;
    s = decide(s, { now: 100, treeRssBytes: 830 * MB, runnerRssBytes: 50 * MB, workers: [due, other] }, guard).state;
    expect(decide(s, { now: 200, treeRssBytes: 850 * MB, runnerRssBytes: 50 * MB, workers: [due, other] }, guard).decisions.find((d) => d.kind === 'stop')).toBeUndefined();
    expect(decide(s, { now: 200, treeRssBytes: 960 * MB, runnerRssBytes: 50 * MB, workers: [due, other] }, guard).decisions).toContainEqual(
      expect.objectContaining({ kind: 'stop', pid: 1, reason: 'memory' }),
    );
  });

  test('the terminal tier stops it all the same', () => {
    const quiet = view({ pid: 1, rssBytes: 800 * MB, quietUntil: 10_000 });
    const { decisions } = decide(INITIAL_GUARD_STATE, { now: 0, treeRssBytes: 960 * MB, runnerRssBytes: 50 * MB, workers: [quiet] }, guard);
    expect(decisions).toContainEqual(expect.objectContaining({ kind: 'stop', pid: 1, reason: 'memory' }));
  });
});
