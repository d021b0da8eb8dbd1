// The leak alerts panel's view model: one card per suspected leak, largest growth first, with
// its figures as text and its post-GC series as a sparkline; and, with heap snapshots, one card
// per file the memory guard stopped, with what grew between the guard's snapshots of it.
import { formatBytes } from '../format';
import type { FileReport, HeapGrowth, Leak, Stopped } from '../../protocol/report';

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
  readonly snapshots: readonly SnapshotLink[];
  /** Why there are no snapshots to compare (declined for room, written failed); null when none. */
  readonly note: string | null;
}

/** A heap snapshot to open (redline.openHeapSnapshot): its button label, path and file name. */
export interface SnapshotLink {
  readonly label: string;
  readonly path: string;
  readonly name: string;
}

/** A file the memory guard stopped, as the panel's state carries it (memoryStops). */
export interface MemoryStop {
  readonly file: string;
  readonly project?: string | undefined;
  readonly stopped: Stopped;
}

export interface StopCard {
  readonly key: string;
  readonly file: string;
  /** "Stopped at 420.0 MB — what grew" (without the dash when nothing was compared). */
  readonly title: string;
  /** The test that ran when it was stopped; null when it was loading the file. */
  readonly test: string | null;
  readonly grew: readonly GrewRow[];
  readonly snapshots: readonly SnapshotLink[];
  /** Why a snapshot is missing or nothing was compared; null when both are there. */
  readonly note: string | null;
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
      grew: grewRows(leak.grew),
      points: leak.points && leak.points.length >= 2 ? leak.points : null,
      pointsRangeText: leak.points && leak.points.length >= 2 ? rangeText(leak.points, leak.per ?? 'test') : null,
      snapshots: snapshotLinks(leak.snapshots),
      note: leak.snapshotNote ?? null,
    }));
}

/**
 * The report's files the panel shows a stop card for: stopped for memory, with heap snapshots or
 * what grew between them (--heap-snapshot). A stop without either is the Test Explorer's alone.
 */
export function memoryStops(files: readonly FileReport[]): MemoryStop[] {
  const out: MemoryStop[] = [];
  for (const f of files) {
    if (f.stopped && hasStopSnapshots(f.stopped)) out.push({ file: f.path, ...(f.project !== undefined ? { project: f.project } : {}), stopped: f.stopped });
  }
  return out;
}

function hasStopSnapshots(s: Stopped): boolean {
  return s.reason === 'memory' && ((s.snapshots?.length ?? 0) > 0 || (s.grew?.length ?? 0) > 0);
}

/** One card per stop with snapshots, in the report's order (the order the files ended). */
export function stopCards(stops: readonly MemoryStop[]): StopCard[] {
  return stops.filter((s) => hasStopSnapshots(s.stopped)).map((stop, index) => {
    const grew = grewRows(stop.stopped.grew);
    return {
      key: `stop:${index}:${stop.project ?? ''}:${stop.file}`,
      file: stop.file,
      title: `Stopped at ${formatBytes(stop.stopped.rssBytes)}${grew.length > 0 ? ' — what grew' : ''}`,
      test: stop.stopped.test ?? null,
      grew,
      snapshots: snapshotLinks(stop.stopped.snapshots),
      note: stop.stopped.snapshotNote ?? null,
    };
  });
}

/** What grew, most bytes first, with counts and sizes as text (leak and stop cards alike). */
function grewRows(grew: readonly HeapGrowth[] | undefined): GrewRow[] {
  return [...(grew ?? [])]
    .sort((a, b) => b.bytesDelta - a.bytesDelta)
    .map((g) => ({ name: g.name, countText: `${g.countDelta >= 0 ? '+' : ''}${g.countDelta.toLocaleString('en-US')} objects`, bytesText: signed(g.bytesDelta) }));
}

/** Two snapshots are the early and the late one (the first and last compared); more are numbered. */
function snapshotLinks(paths: readonly string[] | undefined): SnapshotLink[] {
  return (paths ?? []).map((path, i, all) => ({
    label: all.length === 2 ? (i === 0 ? 'Early snapshot' : 'Late snapshot') : `Snapshot ${i + 1}`,
    path,
    name: path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1),
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
