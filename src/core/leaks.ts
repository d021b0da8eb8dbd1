// Leak analysis (DESIGN.md "Leak detection"): is a file's post-GC memory, sampled after each of its
// tests, growing steadily — or only churning, stepping once, or filling a bounded cache? The same
// judgement over a series of watch runs says whether a file, or the runner itself, climbs from run
// to run.
//
// The judgement, on a series y[0..n) against its index:
//   1. One-time rises are taken out first (a table built lazily by one test, a warm-up step): a
//      rise counts as one-time when it is far above the typical step, more than a third of the
//      whole growth, and the level stays up after it (a spike is not a step). It is replaced by
//      the typical step, so a leak after a warm-up step is judged on its growth alone. Drops are
//      never taken out: a cache that is cleared now and then would read as endless growth.
//   2. Slope: Theil–Sen (median of the pairwise slopes), so a noisy sample or two cannot tilt it.
//   3. Fit: R² of that Theil–Sen line, residuals clipped at 3 median absolute residuals so one
//      stray sample cannot sink it. Chosen over "the share of tests that rise" because a leak
//      that grows in only some tests (every other one, say) still fits a line well while most of
//      its steps are flat; a step or a curve (a cache filling up) fits badly. It is also what
//      `leaks.minFit` documents to users. Post-GC figures are quiet (tens of KB), so a real leak
//      fits at 0.99 or more.
//   4. The growth must go on to the end: the slope of the last half must be at least half the
//      overall slope. A cache that fills to its bound and stays there fails this, however well
//      its first half rises.
//   5. Total growth is the fitted one, slope × (n − 1): a robust figure, not one noisy sample.
// When the whole series is no leak, its second half is judged alone, so a leak that starts late
// (flat, then growth) is still caught, with the figures of the part that grows.
import { formatBytes } from './format';
import { seededRandom } from './seeded-random';

export interface LeakThresholds {
  readonly minBytesPerTest: number;
  readonly minFit: number;
  readonly minTotalBytes: number;
  readonly minSamples: number;
}

/** One post-GC sample from the probe (bytes), as `testEnd` carries it. */
export interface MemorySample {
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export type LeakSeriesName = 'heap' | 'external' | 'total';

export interface LeakVerdict {
  readonly leak: boolean;
  /** Fitted growth per step: per test for a file, per run for `analyzeRuns`. */
  readonly bytesPerTest: number;
  /** R² (0 to 1) of the fitted line over the samples judged. */
  readonly fit: number;
  /** Fitted growth over the samples judged. */
  readonly totalBytes: number;
  /** Samples judged: the whole series, or its second half when only that grows. */
  readonly samples: number;
  /** One sentence: why this is, or is not, a suspected leak. */
  readonly reason: string;
  readonly series: LeakSeriesName;
}

/**
 * Judges heap, external and their sum apart: a Buffer leak hides in `external` while the heap is
 * flat, and a heap leak can drown in the noise of external churn. Of the series that leak, the
 * one growing most is reported — a component in place of the total when it carries nearly all of
 * the total's growth, because it says where to look. No leak: the total's verdict.
 */
export function analyzeSeries(samples: readonly MemorySample[], thresholds: LeakThresholds, stride = 1): LeakVerdict {
  // `arrayBuffers` is already part of `external` (Node's process.memoryUsage docs): adding it
  // would count every Buffer twice.
  const total = judgeWithLateStart(samples.map((s) => s.heapUsed + s.external), thresholds, 'total', TESTS, stride);
  const heap = judgeWithLateStart(samples.map((s) => s.heapUsed), thresholds, 'heap', TESTS, stride);
  const external = judgeWithLateStart(samples.map((s) => s.external), thresholds, 'external', TESTS, stride);
  const leaks = [total, heap, external].filter((v) => v.leak);
  if (leaks.length === 0) return total;
  const strongest = leaks.reduce((a, b) => (b.bytesPerTest > a.bytesPerTest ? b : a));
  const component = leaks
    .filter((v) => v.series !== 'total' && v.bytesPerTest >= COMPONENT_SHARE * strongest.bytesPerTest)
    .sort((a, b) => b.bytesPerTest - a.bytesPerTest)[0];
  return component ?? strongest;
}

/**
 * The same judgement over one figure per run: a file's post-GC memory across repeated watch
 * runs, or the runner's own post-GC baseline (a climb there is what makes memory-safe watch
 * restart it). `bytesPerTest` then reads as bytes per run.
 */
export function analyzeRuns(perRunBaselines: readonly number[], thresholds: LeakThresholds): LeakVerdict {
  return judgeWithLateStart(perRunBaselines, thresholds, 'total', RUNS, 1);
}

/** A short pointer at the usual causes, by where the memory grows; '' when there is no leak. */
export function leakHint(verdict: LeakVerdict): string {
  if (!verdict.leak) return '';
  switch (verdict.series) {
    case 'heap':
      return HEAP_HINT;
    case 'external':
      return EXTERNAL_HINT;
    case 'total':
      return `${HEAP_HINT} ${EXTERNAL_HINT}`;
  }
}

const HEAP_HINT =
  'Look for what outlives a test: module-level arrays or Maps that tests add to, properties set on globalThis, ' +
  'event listeners never removed (their closures keep their data), caches without a bound.';
const EXTERNAL_HINT =
  'Memory outside the JS heap grows: look for Buffers or typed arrays kept past a test ' +
  '(pushed to a module-level list, held by a cache or a listener) and streams or sockets never closed.';

interface Unit {
  readonly one: string;
  readonly many: string;
}
const TESTS: Unit = { one: 'test', many: 'tests' };
const RUNS: Unit = { one: 'run', many: 'runs' };

/** A component series within this share of the strongest growth is named instead of the total. */
const COMPONENT_SHARE = 0.9;
/** A one-time rise is more than this share of the whole growth… */
const STEP_SHARE = 1 / 3;
/** …and more than this many times the typical step (the median absolute step of the others). */
const STEP_FACTOR = 6;
/** Samples on each side of a rise whose median levels tell a step from a spike. */
const STEP_WINDOW = 3;
/** The last half must grow at least this share of the overall slope: growth that goes on. */
const LATE_SHARE = 0.5;
/** Residuals are clipped at this many median absolute residuals in the fit. */
const RESIDUAL_CLIP = 3;
/** Above this many samples the Theil–Sen slope is the median of this many sampled pairs. */
const MAX_ALL_PAIRS_N = 200;
const SAMPLED_PAIRS = 20_000;

function judgeWithLateStart(
  raw: readonly number[],
  t: LeakThresholds,
  series: LeakSeriesName,
  unit: Unit,
  stride: number,
): LeakVerdict {
  // A sample the probe could not take says nothing; dropping it keeps every figure finite.
  const values = raw.filter(Number.isFinite);
  const whole = judge(values, 0, t, series, unit, stride);
  if (whole.leak || values.length < 2 * t.minSamples) return whole;
  const from = Math.floor(values.length / 2);
  const late = judge(values.slice(from), from, t, series, unit, stride);
  if (!late.leak) return whole;
  return { ...late, reason: `from ${unit.one} ${from * stride + 1} on, ${late.reason}` };
}

/**
 * `offset`: the index of the first sample in the file's series, for the numbers in the reason.
 * `stride`: tests between two samples (the probe collects after every k-th test of a long file);
 * rates are per test, `samples` counts the tests the judged samples span.
 */
function judge(
  values: readonly number[],
  offset: number,
  t: LeakThresholds,
  series: LeakSeriesName,
  unit: Unit,
  stride: number,
): LeakVerdict {
  const n = values.length;
  const spanned = n === 0 ? 0 : (n - 1) * stride + 1;
  if (n < 2) {
    return { leak: false, bytesPerTest: 0, fit: 0, totalBytes: 0, samples: spanned, series, reason: tooFew(n, t, unit) };
  }
  // Too few samples are reported with their raw figures: taking out steps needs a typical step.
  const { values: smooth, steps } = n < t.minSamples ? { values: values.slice(), steps: [] } : withoutSteps(values, t.minBytesPerTest * stride);
  const line = theilSen(smooth);
  const fit = rSquared(smooth, line);
  const bytesPerTest = line.slope / stride;
  const totalBytes = line.slope * (n - 1);
  const verdict = (leak: boolean, reason: string): LeakVerdict => ({
    leak,
    bytesPerTest,
    fit,
    totalBytes,
    samples: spanned,
    series,
    reason: steps.length > 0 ? `${reason}, ${describeSteps(steps, offset, unit, stride)}` : reason,
  });
  const perUnit = `${formatBytes(bytesPerTest)} per ${unit.one}`;

  if (n < t.minSamples) return verdict(false, tooFew(n, t, unit));
  if (bytesPerTest < t.minBytesPerTest) {
    return verdict(false, `no steady growth: ${perUnit}, below ${formatBytes(t.minBytesPerTest)}`);
  }
  if (totalBytes < t.minTotalBytes) {
    return verdict(false, `grows ${perUnit} but ${formatBytes(totalBytes)} in all, below ${formatBytes(t.minTotalBytes)}`);
  }
  if (fit < t.minFit) {
    return verdict(false, `grows ${perUnit} but unevenly: fit ${fit.toFixed(2)}, below ${t.minFit}`);
  }
  const lateSlope = theilSen(smooth.slice(Math.floor(n / 2))).slope / stride;
  if (lateSlope < LATE_SHARE * bytesPerTest) {
    return verdict(
      false,
      `grows ${perUnit} at first, then levels off (${formatBytes(lateSlope)} per ${unit.one} in the last half): a bound was reached`,
    );
  }
  return verdict(
    true,
    `grows ${perUnit} over ${spanned} ${unit.many} (fit ${fit.toFixed(2)}, ${formatBytes(totalBytes)} in all)`,
  );
}

function tooFew(n: number, t: LeakThresholds, unit: Unit): string {
  return `${n} ${n === 1 ? unit.one : unit.many}, too few to judge (at least ${t.minSamples})`;
}

interface Step {
  /** Index of the first sample after the rise. */
  readonly at: number;
  readonly bytes: number;
}

/**
 * The series with its one-time rises taken out (each later sample lowered by the rise). A rise is
 * one-time when it is at least `floor` (a smaller one cannot pass for a leak), more than a share
 * of the whole growth, far above the typical step, and the level stays up after it — a spike that
 * falls back at once is noise, and taking out its rise alone would leave a false drop behind.
 */
function withoutSteps(values: readonly number[], floor: number): { values: number[]; steps: Step[] } {
  const deltas = values.slice(1).map((v, i) => v - values[i]!);
  const steps: Step[] = [];
  // Each pass takes out one rise; the bound only makes termination plain to see.
  for (let pass = 0; pass < deltas.length; pass++) {
    const rise = deltas.reduce((a, b) => a + b, 0);
    if (rise <= 0) break;
    let k = 0;
    for (let i = 1; i < deltas.length; i++) if (deltas[i]! > deltas[k]!) k = i;
    const jump = deltas[k]!;
    const others = deltas.filter((_, i) => i !== k);
    const typical = median(others.map(Math.abs));
    if (jump < floor || jump <= STEP_SHARE * rise || jump <= STEP_FACTOR * typical) break;
    if (levelShift(integrate(values[0]!, deltas), k) < jump / 2) break;
    steps.push({ at: k + 1, bytes: jump });
    // The test of the rise grew like any other besides it: a leak after a warm-up step keeps its
    // rate, and a noise outlier taken out by mistake costs nothing.
    deltas[k] = median(others);
  }
  return { values: integrate(values[0]!, deltas), steps };
}

function integrate(first: number, deltas: readonly number[]): number[] {
  const out = [first];
  for (const d of deltas) out.push(out[out.length - 1]! + d);
  return out;
}

/** How far the level after sample k sits above the level up to it (medians of a few samples). */
function levelShift(y: readonly number[], k: number): number {
  const before = y.slice(Math.max(0, k - STEP_WINDOW + 1), k + 1);
  const after = y.slice(k + 1, k + 1 + STEP_WINDOW);
  return median(after) - median(before);
}

function describeSteps(steps: readonly Step[], offset: number, unit: Unit, stride: number): string {
  const list = steps
    .slice()
    .sort((a, b) => a.at - b.at)
    .map((s) => `${formatBytes(s.bytes)} at ${unit.one} ${(offset + s.at) * stride + 1}`)
    .join(', ');
  return `one-time ${steps.length === 1 ? 'rise' : 'rises'} left out (${list})`;
}

interface Line {
  readonly slope: number;
  readonly intercept: number;
}

/** Theil–Sen line of y against its index; 0 slope for fewer than two points. */
function theilSen(y: readonly number[]): Line {
  const n = y.length;
  if (n < 2) return { slope: 0, intercept: y[0] ?? 0 };
  const slopes: number[] = [];
  if (n <= MAX_ALL_PAIRS_N) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slopes.push((y[j]! - y[i]!) / (j - i));
  } else {
    // A fixed seed: the same series always gets the same slope (a verdict must not flicker).
    const next = seededRandom(0x5eed);
    while (slopes.length < SAMPLED_PAIRS) {
      const i = Math.floor(next() * n);
      const j = Math.floor(next() * n);
      if (i === j) continue;
      slopes.push((y[j]! - y[i]!) / (j - i));
    }
  }
  const slope = median(slopes);
  const intercept = median(y.map((v, x) => v - slope * x));
  return { slope, intercept };
}

/**
 * R² of a given line, clamped to [0, 1]; 0 for a constant series (no growth to explain). Residuals
 * beyond a few median absolute residuals are clipped first, so one sample caught before its
 * garbage was freed cannot sink the fit of a steady leak, while a curve or a step — whose
 * residuals are all large — still fits badly.
 */
function rSquared(y: readonly number[], line: Line): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const residuals = y.map((v, x) => v - (line.intercept + line.slope * x));
  const cap = RESIDUAL_CLIP * median(residuals.map(Math.abs));
  let ssTot = 0;
  let ssRes = 0;
  y.forEach((v, x) => {
    ssTot += (v - mean) ** 2;
    ssRes += Math.min(Math.abs(residuals[x]!), cap) ** 2;
  });
  if (!(ssTot > 0)) return 0;
  return Math.min(1, Math.max(0, 1 - ssRes / ssTot));
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}


/** The points of the series a verdict judged, thinned evenly to at most `max` (a chart needs no more). */
export function seriesPoints(samples: readonly MemorySample[], series: LeakSeriesName, max = 200): number[] {
  const value = (s: MemorySample): number => (series === 'heap' ? s.heapUsed : series === 'external' ? s.external : s.heapUsed + s.external);
  if (samples.length <= max) return samples.map(value);
  const points: number[] = [];
  for (let i = 0; i < max; i++) points.push(value(samples[Math.round((i * (samples.length - 1)) / (max - 1))]!));
  return points;
}
