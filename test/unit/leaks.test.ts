import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/seeded-random';
import { parseConfig } from '../../src/core/config';
import { analyzeRuns, analyzeSeries, leakHint } from '../../src/core/leaks';
import type { LeakThresholds, LeakVerdict, MemorySample } from '../../src/core/leaks';

const KB = 1024;
const MB = 1024 * KB;

function defaults(): LeakThresholds {
  const parsed = parseConfig({}, 'test');
  if (!parsed.ok) throw new Error('the empty config must parse');
  // The config's `leaks` block is what the runner passes: it must be a LeakThresholds as it is.
  return parsed.config.leaks;
}
const T = defaults();

// A seeded PRNG and Box–Muller: the same noise on every run, so a failure reproduces.
function noise(seed: number): (sigma: number) => number {
  const next = seededRandom(seed);
  return (sigma) => sigma * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** Heap-only samples over a quiet external, as after a heap leak or churn. */
function heapSeries(n: number, at: (i: number) => number, sigma: number, seed = 1): MemorySample[] {
  const e = noise(seed);
  return Array.from({ length: n }, (_, i) => ({ heapUsed: 40 * MB + at(i) + e(sigma), external: 2 * MB, arrayBuffers: 16 * KB }));
}

function expectFinite(v: LeakVerdict): void {
  for (const x of [v.bytesPerTest, v.fit, v.totalBytes, v.samples]) expect(Number.isFinite(x)).toBe(true);
  expect(v.fit).toBeGreaterThanOrEqual(0);
  expect(v.fit).toBeLessThanOrEqual(1);
  expect(v.reason).not.toBe('');
}

describe('analyzeSeries: leaks', () => {
  it('flags steady growth of 1 MB per test, with its figures', () => {
    const v = analyzeSeries(heapSeries(20, (i) => i * MB, 100 * KB), T);
    expect(v.leak).toBe(true);
    expect(v.series).toBe('heap');
    expect(v.bytesPerTest).toBeGreaterThan(0.95 * MB);
    expect(v.bytesPerTest).toBeLessThan(1.05 * MB);
    expect(v.fit).toBeGreaterThan(0.98);
    expect(v.totalBytes).toBeCloseTo(v.bytesPerTest * 19);
    expect(v.samples).toBe(20);
    expect(v.reason).toMatch(/^grows 10\d\d\.\d KB per test over 20 tests \(fit 1\.00, 18\.\d MB in all\)$/);
  });

  it('flags a slow leak (0.6 MB per test) under noise as large as the step', () => {
    const v = analyzeSeries(heapSeries(30, (i) => i * 0.6 * MB, 600 * KB, 2), T);
    expect(v.leak).toBe(true);
    expect(v.bytesPerTest).toBeGreaterThan(0.5 * MB);
  });

  it('flags a leak in some tests only (2 MB every other test)', () => {
    const v = analyzeSeries(heapSeries(20, (i) => Math.ceil(i / 2) * 2 * MB, 50 * KB, 3), T);
    expect(v.leak).toBe(true);
    expect(v.bytesPerTest).toBeGreaterThan(0.8 * MB);
  });

  it('flags a leak that starts after a warm-up step, at the rate of the growth alone', () => {
    // Flat for 3 tests, a 30 MB table built once, then 1 MB per test.
    const at = (i: number): number => (i < 3 ? 0 : 30 * MB + (i - 3) * MB);
    const v = analyzeSeries(heapSeries(20, at, 100 * KB, 4), T);
    expect(v.leak).toBe(true);
    expect(v.bytesPerTest).toBeGreaterThan(0.9 * MB);
    expect(v.bytesPerTest).toBeLessThan(1.1 * MB);
    expect(v.reason).toMatch(/one-time rise left out \(30\.\d MB at test 4\)/);
  });

  it('flags a leak that starts late (flat for the first half, then growth), with the figures of the growth', () => {
    const at = (i: number): number => (i < 14 ? 0 : (i - 13) * 1.5 * MB);
    const v = analyzeSeries(heapSeries(24, at, 100 * KB, 5), T);
    expect(v.leak).toBe(true);
    expect(v.samples).toBe(12);
    expect(v.bytesPerTest).toBeGreaterThan(1.3 * MB);
    expect(v.reason).toMatch(/^from test 13 on, grows/);
  });

  it('flags Buffers that leak outside the heap as external, counting arrayBuffers once', () => {
    const e = noise(6);
    const samples = Array.from({ length: 20 }, (_, i) => ({
      heapUsed: 30 * MB + i * 8 * KB + e(50 * KB),
      external: 2 * MB + i * MB,
      // Part of `external` already: adding it would report 2 MB per test.
      arrayBuffers: i * MB,
    }));
    const v = analyzeSeries(samples, T);
    expect(v.leak).toBe(true);
    expect(v.series).toBe('external');
    expect(v.bytesPerTest).toBeCloseTo(MB, -4);
  });

  it('finds a heap leak that external churn hides from the total', () => {
    const e = noise(7);
    const samples = Array.from({ length: 20 }, (_, i) => ({
      heapUsed: 30 * MB + i * 0.8 * MB + e(50 * KB),
      external: 20 * MB + e(8 * MB),
      arrayBuffers: 0,
    }));
    const total = samples.map((s) => ({ heapUsed: s.heapUsed + s.external, external: 0, arrayBuffers: 0 }));
    expect(analyzeSeries(total, T).leak).toBe(false);
    const v = analyzeSeries(samples, T);
    expect(v.leak).toBe(true);
    expect(v.series).toBe('heap');
  });

  it('reports the total when heap and external grow alike', () => {
    const samples = Array.from({ length: 20 }, (_, i) => ({
      heapUsed: 30 * MB + i * 0.5 * MB,
      external: 2 * MB + i * 0.5 * MB,
      arrayBuffers: i * 0.5 * MB,
    }));
    const v = analyzeSeries(samples, T);
    expect(v.leak).toBe(true);
    expect(v.series).toBe('total');
    expect(v.bytesPerTest).toBeCloseTo(MB, -3);
  });
});

describe('analyzeSeries: look-alikes', () => {
  it('passes churn that is released (a noisy flat series)', () => {
    const v = analyzeSeries(heapSeries(20, () => 0, 1 * MB, 8), T);
    expect(v.leak).toBe(false);
    expect(Math.abs(v.bytesPerTest)).toBeLessThan(T.minBytesPerTest);
    expect(v.reason).toMatch(/^no steady growth/);
  });

  it('passes churn whose garbage is sometimes not yet collected (spikes)', () => {
    const v = analyzeSeries(heapSeries(20, (i) => (i % 4 === 1 ? 6 * MB : 0), 100 * KB, 9), T);
    expect(v.leak).toBe(false);
  });

  it('passes a table built before the first sample (beforeAll): flat from the start', () => {
    const v = analyzeSeries(heapSeries(20, () => 30 * MB, 20 * KB, 10), T);
    expect(v.leak).toBe(false);
  });

  it.each(Array.from({ length: 19 }, (_, k) => k + 1))('passes a one-time 30 MB step before sample %i', (k) => {
    const v = analyzeSeries(heapSeries(20, (i) => (i >= k ? 30 * MB : 0), 100 * KB, 100 + k), T);
    expect(v.leak).toBe(false);
    expect(v.reason).toContain('one-time rise left out');
  });

  it('passes two one-time steps (two tables built lazily)', () => {
    const v = analyzeSeries(heapSeries(20, (i) => (i >= 6 ? 20 * MB : 0) + (i >= 13 ? 20 * MB : 0), 100 * KB, 11), T);
    expect(v.leak).toBe(false);
  });

  it('passes a cache that fills to its bound (8 entries of 1 MB) and stays there', () => {
    const v = analyzeSeries(heapSeries(20, (i) => Math.min(i + 1, 8) * MB, 100 * KB, 12), T);
    expect(v.leak).toBe(false);
  });

  it('passes a cache of large entries (3 MB, bound 10) that fills through the first half', () => {
    const v = analyzeSeries(heapSeries(20, (i) => Math.min(i + 1, 10) * 3 * MB, 100 * KB, 13), T);
    expect(v.leak).toBe(false);
  });

  it('passes a cache whose fill a line fits well enough, on the late-growth check', () => {
    // Bound 12 of 20: slope, total and fit all pass; the last half barely grows.
    const v = analyzeSeries(heapSeries(20, (i) => Math.min(i + 1, 12) * 3 * MB, 100 * KB, 13), T);
    expect(v.leak).toBe(false);
    expect(v.fit).toBeGreaterThanOrEqual(T.minFit);
    expect(v.reason).toMatch(/^grows 2\.0 MB per test at first, then levels off/);
  });

  it('passes a file with fewer tests than minSamples, however much it keeps', () => {
    const v = analyzeSeries(heapSeries(4, (i) => i * 5 * MB, 0), T);
    expect(v.leak).toBe(false);
    expect(v.samples).toBe(4);
    expect(v.reason).toBe('4 tests, too few to judge (at least 5)');
  });

  it('passes a cache that is cleared every few tests (a sawtooth)', () => {
    const v = analyzeSeries(heapSeries(24, (i) => (i % 6) * 2 * MB, 50 * KB, 14), T);
    expect(v.leak).toBe(false);
  });
});

describe('analyzeSeries: thresholds', () => {
  it('needs minBytesPerTest: 0.3 MB per test is below the default, above a lower one', () => {
    const s = heapSeries(40, (i) => i * 0.3 * MB, 20 * KB, 15);
    expect(analyzeSeries(s, T).leak).toBe(false);
    expect(analyzeSeries(s, { ...T, minBytesPerTest: 256 * KB }).leak).toBe(true);
  });

  it('needs minTotalBytes: 1 MB per test over 6 tests is 5 MB in all', () => {
    const s = heapSeries(6, (i) => i * MB, 20 * KB, 16);
    const v = analyzeSeries(s, T);
    expect(v.leak).toBe(false);
    expect(v.reason).toMatch(/in all, below 8\.0 MB/);
    expect(analyzeSeries(s, { ...T, minTotalBytes: 4 * MB }).leak).toBe(true);
  });

  it('needs minFit: steady growth under heavy noise passes only a lax fit', () => {
    const s = heapSeries(20, (i) => i * 0.8 * MB, 5 * MB, 17);
    const v = analyzeSeries(s, T);
    expect(v.leak).toBe(false);
    expect(v.reason).toMatch(/unevenly: fit 0\.\d\d, below 0\.8/);
    expect(v.bytesPerTest).toBeGreaterThan(T.minBytesPerTest);
    expect(analyzeSeries(s, { ...T, minFit: 0.7 }).leak).toBe(true);
  });
});

describe('analyzeSeries: edge cases', () => {
  it('two samples: too few, finite figures', () => {
    const v = analyzeSeries(heapSeries(2, (i) => i * 5 * MB, 0), T);
    expect(v.leak).toBe(false);
    expect(v.samples).toBe(2);
    expect(v.bytesPerTest).toBe(5 * MB);
    expectFinite(v);
  });

  it('no samples, and one sample', () => {
    for (const n of [0, 1]) {
      const v = analyzeSeries(heapSeries(n, () => 0, 0), T);
      expect(v.leak).toBe(false);
      expect(v.samples).toBe(n);
      expectFinite(v);
    }
  });

  it('a constant series: no growth, fit 0, nothing NaN', () => {
    const v = analyzeSeries(heapSeries(20, () => 0, 0), T);
    expect(v).toMatchObject({ leak: false, bytesPerTest: 0, fit: 0, totalBytes: 0, samples: 20, series: 'total' });
    expectFinite(v);
  });

  it('a decreasing series: negative slope, no leak', () => {
    const v = analyzeSeries(heapSeries(20, (i) => -i * MB, 50 * KB, 18), T);
    expect(v.leak).toBe(false);
    expect(v.bytesPerTest).toBeLessThan(0);
    expectFinite(v);
  });

  it('drops non-finite samples instead of returning NaN', () => {
    const s = heapSeries(21, (i) => i * MB, 50 * KB, 19);
    s[7] = { heapUsed: Number.NaN, external: 2 * MB, arrayBuffers: 0 };
    const v = analyzeSeries(s, T);
    expect(v.leak).toBe(true);
    expect(v.samples).toBe(20);
    expectFinite(v);
  });

  it('a long file (n > 200): sampled pairs, the same verdict every time, close to the true slope', () => {
    const s = heapSeries(1000, (i) => i * 0.75 * MB, 500 * KB, 20);
    const a = analyzeSeries(s, T);
    const b = analyzeSeries(s, T);
    expect(a).toEqual(b);
    expect(a.leak).toBe(true);
    expect(a.bytesPerTest).toBeGreaterThan(0.73 * MB);
    expect(a.bytesPerTest).toBeLessThan(0.77 * MB);
    expect(analyzeSeries(heapSeries(1000, () => 0, 2 * MB, 21), T).leak).toBe(false);
  });
});

describe('analyzeSeries on a grid (the probe samples every k-th test of a long file)', () => {
  /** Every `k`-th sample of a per-test series, from the first: what the probe sends. */
  const grid = (series: MemorySample[], k: number): MemorySample[] => series.filter((_, i) => i % k === 0);

  it('gives per-test figures for a steady leak sampled every 3rd test', () => {
    const v = analyzeSeries(grid(heapSeries(30, (i) => i * MB, 100 * KB), 3), T, 3);
    expect(v.leak).toBe(true);
    expect(v.bytesPerTest).toBeGreaterThan(0.95 * MB);
    expect(v.bytesPerTest).toBeLessThan(1.05 * MB);
    // 10 samples at tests 1, 4, …, 28: they span 28 tests, 27 test-steps of growth.
    expect(v.samples).toBe(28);
    expect(v.totalBytes).toBeCloseTo(v.bytesPerTest * 27);
    expect(v.reason).toMatch(/ per test over 28 tests /);
  });

  it('flags, on a grid, a leak every other test, one after a warm-up step and one that starts late', () => {
    const alternate = analyzeSeries(grid(heapSeries(30, (i) => Math.ceil(i / 2) * 2 * MB, 50 * KB, 3), 3), T, 3);
    expect(alternate.leak).toBe(true);
    expect(alternate.bytesPerTest).toBeGreaterThan(0.8 * MB);
    const warm = analyzeSeries(grid(heapSeries(30, (i) => (i < 3 ? 0 : 30 * MB + (i - 3) * MB), 100 * KB, 4), 3), T, 3);
    expect(warm.leak).toBe(true);
    expect(warm.reason).toMatch(/one-time rise left out \(30\.\d MB at test 4\)/);
    const late = analyzeSeries(grid(heapSeries(40, (i) => (i < 22 ? 0 : (i - 21) * 1.5 * MB), 100 * KB, 5), 2), T, 2);
    expect(late.leak).toBe(true);
    expect(late.reason).toMatch(/^from test 21 on, grows/);
  });

  it('passes, on a grid, a bounded cache, a one-time table and released churn', () => {
    expect(analyzeSeries(grid(heapSeries(30, (i) => Math.min(i + 1, 8) * MB, 100 * KB, 12), 3), T, 3).leak).toBe(false);
    expect(analyzeSeries(grid(heapSeries(30, (i) => (i < 10 ? 0 : 40 * MB), 100 * KB, 14), 3), T, 3).leak).toBe(false);
    expect(analyzeSeries(grid(heapSeries(30, () => 0, 300 * KB, 15), 3), T, 3).leak).toBe(false);
  });

  it('holds a grid to the per-test threshold: 0.3 MB per test is 0.9 MB between samples, still too slow', () => {
    const v = analyzeSeries(grid(heapSeries(36, (i) => i * 0.3 * MB, 20 * KB, 16), 3), T, 3);
    expect(v.leak).toBe(false);
    expect(v.bytesPerTest).toBeGreaterThan(0.25 * MB);
    expect(v.bytesPerTest).toBeLessThan(0.35 * MB);
  });
});

describe('analyzeRuns', () => {
  it("flags a runner whose post-GC baseline climbs from run to run, in runs", () => {
    const e = noise(22);
    const v = analyzeRuns(Array.from({ length: 10 }, (_, i) => 80 * MB + i * 3 * MB + e(200 * KB)), T);
    expect(v.leak).toBe(true);
    expect(v.series).toBe('total');
    expect(v.bytesPerTest).toBeGreaterThan(2.8 * MB);
    expect(v.reason).toMatch(/per run over 10 runs/);
  });

  it('passes a flat baseline, a one-time rise after the first run, and too few runs', () => {
    const e = noise(23);
    expect(analyzeRuns(Array.from({ length: 10 }, () => 80 * MB + e(1 * MB)), T).leak).toBe(false);
    expect(analyzeRuns(Array.from({ length: 10 }, (_, i) => (i === 0 ? 60 : 90) * MB + e(100 * KB)), T).leak).toBe(false);
    const few = analyzeRuns([80 * MB, 90 * MB, 100 * MB], T);
    expect(few.leak).toBe(false);
    expect(few.reason).toBe('3 runs, too few to judge (at least 5)');
  });
});

describe('leakHint', () => {
  const leak = analyzeSeries(heapSeries(20, (i) => i * MB, 0), T);

  it('points at heap causes for the heap', () => {
    const hint = leakHint({ ...leak, series: 'heap' });
    for (const cause of ['module-level arrays', 'globalThis', 'listeners', 'caches']) expect(hint).toContain(cause);
    expect(hint).not.toContain('Buffers');
  });

  it('points at Buffers for external memory, and at both for the total', () => {
    expect(leakHint({ ...leak, series: 'external' })).toContain('Buffers');
    const both = leakHint({ ...leak, series: 'total' });
    expect(both).toContain('Buffers');
    expect(both).toContain('globalThis');
  });

  it('says nothing when there is no leak', () => {
    expect(leakHint(analyzeSeries(heapSeries(20, () => 0, 0), T))).toBe('');
  });
});
