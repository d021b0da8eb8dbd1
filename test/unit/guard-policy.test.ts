import { describe, expect, test } from 'vitest';
import { decide, INITIAL_GUARD_STATE, allowedActive, type GuardConfig, type GuardState, type WorkerView } from '../../src/core/guard-policy';
import { DEFAULT_TIER_PERCENTS, tierOf, defaultLimitBytes } from '../../src/core/tiers';

const MB = 1024 * 1024;
const config: GuardConfig = { limitBytes: 1000 * MB, tiers: DEFAULT_TIER_PERCENTS, fileTimeoutMs: 5000 };

function worker(over: Partial<WorkerView> & { pid: number }): WorkerView {
  return { held: false, rssBytes: 50 * MB, growthBytesPerS: 0, lastProgressAt: 0, stopping: false, ...over };
}

function step(state: GuardState, now: number, tree: number, workers: WorkerView[], runner = 100 * MB) {
  return decide(state, { now, treeRssBytes: tree * MB, runnerRssBytes: runner, workers }, config);
}

describe('tiers', () => {
  test('each tier starts at its percentage of the limit', () => {
    const L = 1000;
    expect(tierOf(399, L, DEFAULT_TIER_PERCENTS)).toBe('ok');
    expect(tierOf(400, L, DEFAULT_TIER_PERCENTS)).toBe('warning');
    expect(tierOf(600, L, DEFAULT_TIER_PERCENTS)).toBe('critical');
    expect(tierOf(800, L, DEFAULT_TIER_PERCENTS)).toBe('emergency');
    expect(tierOf(950, L, DEFAULT_TIER_PERCENTS)).toBe('terminal');
  });
  test('custom percentages are honoured', () => {
    expect(tierOf(500, 1000, { warning: 10, critical: 20, emergency: 30, terminal: 50 })).toBe('terminal');
  });
  test('the default limit is the smaller of half the machine and 4 GiB', () => {
    expect(defaultLimitBytes(4 * 1024 **3)).toBe(2 * 1024 ** 3);
    expect(defaultLimitBytes(64 * 1024 ** 3)).toBe(4 * 1024 ** 3);
  });
});

describe('guard policy', () => {
  test('ok: nothing happens but admitting every held worker', () => {
    const { state, decisions } = step(INITIAL_GUARD_STATE, 0, 100, [worker({ pid: 1, held: true }), worker({ pid: 2, held: true })]);
    expect(state.tier).toBe('ok');
    expect(decisions).toEqual([{ kind: 'admit', pids: [1, 2] }]);
  });

  test('warning: a tier change and no other action', () => {
    const { state, decisions } = step(INITIAL_GUARD_STATE, 0, 450, [worker({ pid: 1 })]);
    expect(state.tier).toBe('warning');
    expect(decisions).toEqual([{ kind: 'tier', from: 'ok', to: 'warning', rssBytes: 450 * MB }]);
  });

  test('critical: throttles to one active worker and asks for garbage collection', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 0, 650, [worker({ pid: 1 }), worker({ pid: 2, held: true })]);
    expect(decisions).toContainEqual({ kind: 'gc' });
    expect(decisions.find((d) => d.kind === 'admit')).toBeUndefined();
    expect(allowedActive('critical')).toBe(1);
  });

  test('critical with nothing active: one held worker may start', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 0, 650, [worker({ pid: 1, held: true }), worker({ pid: 2, held: true })]);
    expect(decisions).toContainEqual({ kind: 'admit', pids: [1] });
  });

  test('garbage collection is asked at most every two seconds, while it frees memory', () => {
    let s = step(INITIAL_GUARD_STATE, 0, 650, []).state;
    const again = step(s, 1000, 630, []);
    expect(again.decisions).not.toContainEqual({ kind: 'gc' });
    s = again.state;
    expect(step(s, 2100, 660, []).decisions).toContainEqual({ kind: 'gc' });
  });

  test('a collection that freed nothing is not asked for again until memory is back below critical', () => {
    let s = step(INITIAL_GUARD_STATE, 0, 650, []).state;
    // A runaway: live memory, the collection frees nothing (less than 1 % of the limit).
    s = step(s, 1000, 700, []).state;
    const later = step(s, 2100, 720, []);
    expect(later.decisions).not.toContainEqual({ kind: 'gc' });
    s = step(later.state, 6000, 760, []).state;
    expect(step(s, 9000, 790, []).decisions).not.toContainEqual({ kind: 'gc' });
    // Back below critical (with the hysteresis), then up again: collections are worth a try again.
    s = step(s, 10_000, 500, []).state;
    expect(step(s, 11_000, 650, []).decisions).toContainEqual({ kind: 'gc' });
  });

  test('emergency: blocks new files while one runs', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 0, 850, [worker({ pid: 1 }), worker({ pid: 2, held: true })]);
    expect(decisions.find((d) => d.kind === 'admit')).toBeUndefined();
    expect(decisions.find((d) => d.kind === 'stop')).toBeUndefined();
  });

  test('emergency: stops the fastest-growing worker when memory keeps rising', () => {
    const ws = [worker({ pid: 1, growthBytesPerS: 10 * MB }), worker({ pid: 2, growthBytesPerS: 300 * MB })];
    let s = step(INITIAL_GUARD_STATE, 0, 810, ws).state;
    s = step(s, 100, 830, ws).state;
    const { decisions } = step(s, 200, 850, ws);
    expect(decisions).toContainEqual(expect.objectContaining({ kind: 'stop', pid: 2, reason: 'memory' }));
  });

  test('emergency: a plateau is left alone', () => {
    const ws = [worker({ pid: 1, growthBytesPerS: 0 })];
    let s = step(INITIAL_GUARD_STATE, 0, 850, ws).state;
    s = step(s, 100, 850, ws).state;
    expect(step(s, 200, 850, ws).decisions.find((d) => d.kind === 'stop')).toBeUndefined();
  });

  test('terminal: stops the worker holding the most memory', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 0, 960, [worker({ pid: 1, rssBytes: 200 * MB }), worker({ pid: 2, rssBytes: 700 * MB })]);
    expect(decisions).toContainEqual(expect.objectContaining({ kind: 'stop', pid: 2, reason: 'memory' }));
  });

  test('terminal: a worker already being stopped is not chosen again, nor another one at once', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 0, 960, [worker({ pid: 1, rssBytes: 200 * MB }), worker({ pid: 2, rssBytes: 700 * MB, stopping: true })]);
    expect(decisions.find((d) => d.kind === 'stop')).toBeUndefined();
  });

  test('terminal: when the runner itself is the biggest, the runner is stopped', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 0, 960, [worker({ pid: 1, rssBytes: 100 * MB })], 800 * MB);
    expect(decisions).toContainEqual(expect.objectContaining({ kind: 'stopRunner' }));
  });

  test('a worker silent for longer than the file timeout is stopped for timeout', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 6000, 100, [worker({ pid: 7, lastProgressAt: 500 }), worker({ pid: 8, lastProgressAt: 5900 })]);
    expect(decisions).toEqual([expect.objectContaining({ kind: 'stop', pid: 7, reason: 'timeout' })]);
  });

  test('a held worker never times out: waiting for the guard is not its fault', () => {
    const { decisions } = step(INITIAL_GUARD_STATE, 60000, 850, [worker({ pid: 7, held: true, lastProgressAt: 0 }), worker({ pid: 8, lastProgressAt: 59990 })]);
    expect(decisions.find((d) => d.kind === 'stop')).toBeUndefined();
  });

  test('stepping down needs memory clearly below the tier (no flapping)', () => {
    let s = step(INITIAL_GUARD_STATE, 0, 610, []).state;
    expect(s.tier).toBe('critical');
    s = step(s, 100, 595, []).state;
    expect(s.tier).toBe('critical');
    const down = step(s, 200, 560, []);
    expect(down.state.tier).toBe('warning');
    expect(down.decisions).toContainEqual({ kind: 'tier', from: 'critical', to: 'warning', rssBytes: 560 * MB });
  });
});
