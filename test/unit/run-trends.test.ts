import { describe, expect, it } from 'vitest';
import { RUN_TREND_HINT, RUN_TREND_THRESHOLDS, RUN_TREND_WINDOW, RunTrends, runSample } from '../../src/core/run-trends';
import { summarize } from '../../src/core/report-summary';
import { seededRandom } from '../../src/core/seeded-random';
import type { FileReport, Leak, RunReport } from '../../src/protocol/report';

const KB = 1024;
const MB = 1024 * KB;

function file(path: string, memoryAfterBytes: number | undefined, over: Partial<FileReport> = {}): FileReport {
  return {
    path, state: 'passed', cached: false, durationMs: 10, peakRssBytes: 80 * MB, tests: [],
    ...(memoryAfterBytes !== undefined ? { memoryAfterBytes } : {}), ...over,
  };
}

function report(files: FileReport[]): RunReport {
  return {
    version: 1, root: '/w', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1000, summary: summarize(files), files,
    memory: { limitBytes: 2048 * MB, peakBytes: 300 * MB, tiers: [] }, leaks: [], orphans: [], cache: { hits: 0, misses: files.length },
  };
}

/** Gaussian noise from a fixed seed (Box–Muller): the same figures on every run of the suite. */
function noise(seed: number): (sigma: number) => number {
  const next = seededRandom(seed);
  return (sigma) => sigma * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** Feeds one report per run; returns the leaks each run found, by run index (0-based). */
function feed(trends: RunTrends, runs: readonly FileReport[][]): Map<number, Leak[]> {
  const found = new Map<number, Leak[]>();
  runs.forEach((files, i) => {
    const leaks = trends.observe(report(files));
    if (leaks.length > 0) found.set(i, leaks);
  });
  return found;
}

describe('RunTrends: a file that climbs from run to run', () => {
  it('is flagged with figures per run once its climb is long enough (2 MB a run over 10 runs)', () => {
    const e = noise(1);
    const runs = Array.from({ length: 10 }, (_, i) => [file('test/store.test.js', 60 * MB + i * 2 * MB + e(150 * KB))]);
    const found = feed(new RunTrends(), runs);
    // 16 MB in all at 2 MB a run: the 9th run (8 steps) may still fall just short, the 10th not.
    expect([...found.keys()].length).toBe(1);
    const [at, leaks] = [...found.entries()][0]!;
    expect(at).toBeGreaterThanOrEqual(8);
    const leak = leaks[0]!;
    expect(leak).toMatchObject({ file: 'test/store.test.js', per: 'run', series: 'total', hint: RUN_TREND_HINT, samples: at + 1 });
    expect(leak.bytesPerTest).toBeGreaterThan(1.8 * MB);
    expect(leak.bytesPerTest).toBeLessThan(2.2 * MB);
    expect(leak.totalBytes).toBeGreaterThanOrEqual(RUN_TREND_THRESHOLDS.minTotalBytes);
    expect(leak.fit).toBeGreaterThan(0.95);
    expect(leak.points).toHaveLength(at + 1);
    expect(leak.points![0]).toBeLessThan(leak.points!.at(-1)!);
  });

  it('is reported once while it keeps climbing, and again after its climb stopped and started over', () => {
    const trends = new RunTrends();
    const climbing = Array.from({ length: 20 }, (_, i) => [file('a.test.js', 50 * MB + i * 3 * MB)]);
    const found = feed(trends, climbing);
    expect([...found.keys()]).toEqual([6]);
    // Fixed: flat from here. The verdict clears once the last half is flat…
    let level = 50 * MB + 19 * 3 * MB;
    const flat = feed(trends, Array.from({ length: RUN_TREND_WINDOW }, () => [file('a.test.js', level)]));
    expect(flat.size).toBe(0);
    expect(trends.verdict('a.test.js')?.leak).toBe(false);
    // …and a new climb is news again.
    const again = feed(trends, Array.from({ length: 20 }, () => [file('a.test.js', (level += 3 * MB))]));
    expect(again.size).toBe(1);
  });

  it('keeps the files of two projects with the same path apart', () => {
    const trends = new RunTrends();
    const runs = Array.from({ length: 8 }, (_, i) => [
      file('x.test.js', 40 * MB + i * 4 * MB, { project: 'web' }),
      file('x.test.js', 40 * MB, { project: 'node' }),
    ]);
    const found = [...feed(trends, runs).values()].flat();
    expect(found).toHaveLength(1);
    expect(trends.verdict('x.test.js', 'web')?.leak).toBe(true);
    expect(trends.verdict('x.test.js', 'node')?.leak).toBe(false);
  });

  it('judges only the last runs of its window', () => {
    const trends = new RunTrends(RUN_TREND_THRESHOLDS, 10);
    // A long flat stretch, then a climb: the window holds mostly the climb.
    feed(trends, Array.from({ length: 40 }, () => [file('a.test.js', 30 * MB)]));
    const found = feed(trends, Array.from({ length: 9 }, (_, i) => [file('a.test.js', 30 * MB + (i + 1) * 3 * MB)]));
    expect(found.size).toBe(1);
    expect(trends.verdict('a.test.js')?.samples).toBeLessThanOrEqual(10);
  });
});

describe('RunTrends: not a leak', () => {
  it('a flat file with noise, over 30 runs', () => {
    const e = noise(2);
    const trends = new RunTrends();
    const found = feed(trends, Array.from({ length: 30 }, () => [file('flat.test.js', 70 * MB + e(400 * KB))]));
    expect(found.size).toBe(0);
    expect(trends.verdict('flat.test.js')?.leak).toBe(false);
  });

  it('a one-time rise (a bigger fixture added in one edit), flat before and after', () => {
    const e = noise(3);
    const trends = new RunTrends();
    const found = feed(trends, Array.from({ length: 20 }, (_, i) => [file('step.test.js', 50 * MB + (i >= 6 ? 40 * MB : 0) + e(200 * KB))]));
    expect(found.size).toBe(0);
    expect(trends.verdict('step.test.js')?.reason).toMatch(/one-time rise/);
  });

  it('a file that ran in only 3 runs, however steep', () => {
    const trends = new RunTrends();
    const found = feed(trends, [0, 1, 2].map((i) => [file('rare.test.js', 50 * MB + i * 20 * MB)]));
    expect(found.size).toBe(0);
    expect(trends.verdict('rare.test.js')).toMatchObject({ leak: false, samples: 3 });
  });

  it('cached runs give no sample: a file answered from the cache between its 3 real runs', () => {
    const trends = new RunTrends();
    const runs: FileReport[][] = [];
    for (let i = 0; i < 12; i++) {
      // A cached report carries the figure of the run that stored it: never a new sample.
      const cached = i % 4 !== 0;
      runs.push([file('c.test.js', 50 * MB + i * 5 * MB, { cached })]);
    }
    expect(feed(trends, runs).size).toBe(0);
    expect(trends.verdict('c.test.js')?.samples).toBe(3);
  });

  it('stopped, broken, skipped and not-run files, and runs without leak detection, give no sample', () => {
    const trends = new RunTrends();
    const states: FileReport['state'][] = ['stopped', 'broken', 'skipped', 'notrun'];
    const runs = Array.from({ length: 12 }, (_, i) => [file('s.test.js', 50 * MB + i * 5 * MB, { state: states[i % 4]! }), file('off.test.js', undefined)]);
    expect(feed(trends, runs).size).toBe(0);
    expect(trends.verdict('s.test.js')).toBeUndefined();
    expect(trends.verdict('off.test.js')).toBeUndefined();
  });
});

describe('runSample', () => {
  it('is the end figure of a file that ran to its end, passed or failed', () => {
    expect(runSample(file('a', 12 * MB))).toBe(12 * MB);
    expect(runSample(file('a', 12 * MB, { state: 'failed' }))).toBe(12 * MB);
    expect(runSample(file('a', 12 * MB, { cached: true }))).toBeUndefined();
    expect(runSample(file('a', 12 * MB, { state: 'stopped' }))).toBeUndefined();
    expect(runSample(file('a', undefined))).toBeUndefined();
  });
});

describe('RunTrends.withRunLeaks', () => {
  it('adds the leaks found to the report’s own, and returns the report itself when there are none', () => {
    const trends = new RunTrends();
    const perTest: Leak = { file: 'other.test.js', bytesPerTest: MB, fit: 0.99, totalBytes: 20 * MB, samples: 20 };
    let last: RunReport | undefined;
    for (let i = 0; i < 7; i++) {
      const r = { ...report([file('a.test.js', 40 * MB + i * 4 * MB)]), leaks: [perTest] };
      last = trends.withRunLeaks(r);
      if (i < 5) expect(last).toBe(r);
      if (last !== r) break;
    }
    expect(last!.leaks.map((l) => [l.file, l.per])).toEqual([['other.test.js', undefined], ['a.test.js', 'run']]);
  });
});
