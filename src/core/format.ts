// Human-readable figures for the terminal, the JUnit report and the editor. Binary units
// (1 KB = 1024 B) because the memory limit is set in MiB and the OS reports pages: "1.00 GB"
// must mean the same thing in a limit and in a measurement, or "1.02 GB of 1.00 GB" would lie.

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

// Decimals per unit: limits live in the GB range, where 0.01 GB (~10 MB) is the difference
// between "at the limit" and "over it"; below that, one decimal is all a reader uses.
const BYTE_DECIMALS: Record<(typeof BYTE_UNITS)[number], number> = { B: 0, KB: 1, MB: 1, GB: 2, TB: 2 };

/** "512 B", "1.5 KB", "12.3 MB", "1.02 GB". Negative values keep their sign (a shrinking heap). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`;
  const sign = n < 0 ? '-' : '';
  let value = Math.abs(n);
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && value >= 1024) {
    value /= 1024;
    unit++;
  }
  let text = value.toFixed(BYTE_DECIMALS[BYTE_UNITS[unit]]);
  // Rounding can reach the next unit (1023.96 KB → "1024.0 KB"); say "1.0 MB" instead.
  if (Number(text) >= 1024 && unit < BYTE_UNITS.length - 1) {
    unit++;
    text = (Number(text) / 1024).toFixed(BYTE_DECIMALS[BYTE_UNITS[unit]]);
  }
  return `${sign}${text} ${BYTE_UNITS[unit]}`;
}

/** "850 ms", "1.2 s", "2 m 05 s", "1 h 02 m". Negative or non-finite input reads as 0 ms. */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? ms : 0;
  // Each branch decides on the rounded figure, so 999.6 ms is "1.0 s", not "1000 ms", and
  // 59.96 s is "1 m 00 s", not "60.0 s".
  if (Math.round(total) < 1000) return `${Math.round(total)} ms`;
  const tenths = Math.round(total / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(total / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${pad2(seconds % 60)} s`;
  // Past an hour (a long watch session) seconds are noise.
  const minutes = Math.round(total / 60_000);
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
