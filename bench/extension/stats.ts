// Small statistics over timestamps and samples.

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => Math.max(a, b), -Infinity);
}

/** The most timestamps in any window [t, t + windowMs) — t anywhere, not only on a grid. */
export function slidingMax(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Counts per whole window of `windowMs` from `from` (the last, partial window left out). */
export function bins(times: readonly number[], from: number, to: number, windowMs = 1000): number[] {
  const n = Math.floor((to - from) / windowMs);
  const out = new Array<number>(Math.max(0, n)).fill(0);
  for (const t of times) {
    const i = Math.floor((t - from) / windowMs);
    if (i >= 0 && i < n) out[i]!++;
  }
  return out;
}

export function within(times: readonly number[], from: number, to: number): number[] {
  return times.filter((t) => t >= from && t < to);
}
