// The leak alerts panel's view model: one card per suspected leak, largest growth first, with
// its figures as text and its post-GC series as a sparkline.
import { formatBytes } from '../format';
import type { Leak } from '../../protocol/report';

export interface GrewRow {
  readonly name: string;
  readonly countText: string;
  readonly bytesText: string;
}

export interface LeakCard {
  readonly key: string;
  readonly file: string;
  /** What one step is: a test of one run, or a watch run (a climb across runs, core/run-trends). */
  readonly per: 'test' | 'run';
  /** "+2.0 MB / test", or "/ run" for a climb across runs. */
  readonly perTestText: string;
  readonly totalText: string;
  /** R², two decimals. */
  readonly fitText: string;
  readonly samples: number;
  /** Which memory grew, as a phrase; null when the report does not say. */
  readonly seriesText: string | null;
  readonly series: Leak['series'] | null;
  readonly hint: string | null;
  readonly grew: readonly GrewRow[];
  /** The post-GC series, bytes after each test (or at the end of each run), for the sparkline (null when the report has none). */
  readonly points: readonly number[] | null;
  readonly pointsRangeText: string | null;
  readonly snapshots: readonly { readonly label: string; readonly path: string; readonly name: string }[];
}

const SERIES_TEXT: Readonly<Record<NonNullable<Leak['series']>, string>> = {
  heap: 'JS heap',
  external: 'Outside the JS heap (Buffers, typed arrays)',
  total: 'Heap and external memory together',
};

export function leakCards(leaks: readonly Leak[]): LeakCard[] {
  return [...leaks]
    .sort((a, b) => b.totalBytes - a.totalBytes || (a.file < b.file ? -1 : 1))
    .map((leak, index) => ({
      key: `${index}:${leak.file}`,
      file: leak.file,
      per: leak.per ?? 'test',
      perTestText: `${signed(leak.bytesPerTest)} / ${leak.per ?? 'test'}`,
      totalText: signed(leak.totalBytes),
      fitText: clampFit(leak.fit).toFixed(2),
      samples: leak.samples,
      seriesText: leak.series ? SERIES_TEXT[leak.series] : null,
      series: leak.series ?? null,
      hint: leak.hint ?? null,
      grew: [...(leak.grew ?? [])]
        .sort((a, b) => b.bytesDelta - a.bytesDelta)
        .map((g) => ({ name: g.name, countText: `${g.countDelta >= 0 ? '+' : ''}${g.countDelta.toLocaleString('en-US')} objects`, bytesText: signed(g.bytesDelta) })),
      points: leak.points && leak.points.length >= 2 ? leak.points : null,
      pointsRangeText: leak.points && leak.points.length >= 2 ? rangeText(leak.points, leak.per ?? 'test') : null,
      snapshots: (leak.snapshots ?? []).map((path, i, all) => ({
        label: all.length === 2 ? (i === 0 ? 'Early snapshot' : 'Late snapshot') : `Snapshot ${i + 1}`,
        path,
        name: path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1),
      })),
    }));
}

/** The sparkline as an SVG path in a `width`×`height` box (y grows down), min at the bottom. */
export function sparklinePath(points: readonly number[], width: number, height: number, pad = 2): string {
  if (points.length < 2) return '';
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    min = Math.min(min, p);
    max = Math.max(max, p);
  }
  const range = max - min || 1;
  const step = (width - 2 * pad) / (points.length - 1);
  let path = '';
  for (let i = 0; i < points.length; i++) {
    const x = pad + i * step;
    const y = height - pad - ((points[i]! - min) / range) * (height - 2 * pad);
    path += `${i === 0 ? 'M' : 'L'}${round1(x)},${round1(y)}`;
  }
  return path;
}

function rangeText(points: readonly number[], per: 'test' | 'run'): string {
  return `${formatBytes(points[0]!)} → ${formatBytes(points.at(-1)!)} after garbage collection, over ${points.length} ${per}s`;
}

function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : ''}${formatBytes(bytes)}`;
}

function clampFit(fit: number): number {
  return Number.isFinite(fit) ? Math.min(1, Math.max(0, fit)) : 0;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
