// What the heap snapshots of a run say (--heap-snapshot), and which of them stay.
// - A suspected leak: each file's early and late snapshots are summarized per constructor and
//   compared. Snapshots of leaking files stay in `.redline/snapshots/` (they open in Chrome
//   DevTools' Memory panel, which can compare the two); the others are deleted.
// - A memory stop: the guard's two snapshots of the runaway worker (core/guard-snapshots.ts) are
//   compared the same way — or, with only one, the file's early snapshot and that one. Guard
//   snapshots of files that were not stopped for memory, and one cut short by a stop, are deleted.
// The folder keeps only the newest `max` files. A snapshot larger than summaryCapBytes(limit) is
// kept but not read: the runner holds the whole text and the node table while it summarizes one
// — measured, a 12 MB file (146k nodes) took 0.13 s and +33 MB of RSS, a 50 MB one (657k nodes)
// 0.5 s and +103 MB: about twice the file — and the runner's memory counts against the limit
// like any other, even at the end of a run when the workers are gone.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Leak, Stopped } from '../protocol/report';
import { diffHeapSummaries, summarizeHeapSnapshot, type HeapSummary } from '../core/heap-snapshot';
import type { GuardSnapshots } from './memory-guard';
import { formatBytes } from '../core/format';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

const MB = 1024 * 1024;
/** The largest snapshot the runner summarizes at any limit: about 1.7 million heap objects. */
export const MAX_SUMMARIZED_BYTES = 128 * MB;
/** ...and at the smallest: a Vitest worker's own heap writes 8–13 MB. */
export const MIN_SUMMARIZED_BYTES = 16 * MB;

/**
 * The largest snapshot the runner summarizes under a memory limit: an eighth of it (the runner
 * then holds at most a quarter of the limit for it), within the two bounds above. At a 512 MB
 * limit 64 MB, from 1 GB on 128 MB.
 */
export function summaryCapBytes(limitBytes: number): number {
  return Math.min(MAX_SUMMARIZED_BYTES, Math.max(MIN_SUMMARIZED_BYTES, Math.floor(limitBytes / 8)));
}
/** Constructors listed for a leak or a stop. */
const TOP_GROWTH = 8;

/** A file's own snapshots (leak detection), and why one is missing (declined for room, failed). */
export interface FileSnapshots {
  early?: string;
  late?: string;
  note?: string;
}

export function explainLeaks(
  leaks: Leak[],
  snapshots: ReadonlyMap<string, FileSnapshots>,
  max: number,
  log: Log,
  /** Paths something else in the report names (a stop's baseline): never deleted here. */
  keep: ReadonlySet<string> = new Set(),
  /** The largest snapshot read (summaryCapBytes). */
  maxBytes = MAX_SUMMARIZED_BYTES,
): Leak[] {
  if (snapshots.size === 0) return leaks;
  const leaking = new Set(leaks.map((l) => l.file));
  const explained = leaks.map((leak) => {
    const pair = snapshots.get(leak.file);
    if (!pair?.early || !pair.late) return pair?.note !== undefined ? { ...leak, snapshotNote: pair.note } : leak;
    try {
      return { ...leak, grew: diffHeapSummaries(summarizeFile(pair.early, maxBytes), summarizeFile(pair.late, maxBytes), TOP_GROWTH), snapshots: [pair.early, pair.late] };
    } catch (error) {
      log('warn', `could not compare the heap snapshots of ${leak.file}: ${errorText(error)}`);
      return leak;
    }
  });
  let dir: string | undefined;
  for (const [file, pair] of snapshots) {
    for (const path of [pair.early, pair.late]) {
      if (!path) continue;
      dir ??= join(path, '..');
      // A leaking file's lone snapshot (the late one declined) has nothing to be compared with.
      if ((!leaking.has(file) || !pair.early || !pair.late) && !keep.has(path)) rmSync(path, { force: true });
    }
  }
  if (dir) boundSnapshots(dir, max);
  return explained;
}

export type StopSnapshots = Pick<Stopped, 'snapshots' | 'grew' | 'snapshotNote'>;

/**
 * What a memory stop's snapshots say: the guard's (and, with only one of them, the file's early
 * snapshot before it), what grew from the first to the last, and a note when anything is missing.
 */
export function explainStop(guard: GuardSnapshots | undefined, early: string | undefined, log: Log, maxBytes = MAX_SUMMARIZED_BYTES): StopSnapshots {
  const notes = [...(guard?.notes ?? [])];
  if (guard?.writing) notes.push('the heap snapshot being written when the worker was stopped was cut short, and deleted');
  const shots = (guard?.paths ?? []).filter((p) => existsSync(p));
  const paths = shots.length === 1 && early !== undefined && existsSync(early) ? [early, ...shots] : shots;
  const out = (extra: Omit<StopSnapshots, 'snapshotNote'>): StopSnapshots => ({ ...extra, ...(notes.length > 0 ? { snapshotNote: notes.join('; ') } : {}) });
  if (paths.length === 0) {
    if (notes.length === 0) notes.push('no heap snapshot: the worker was stopped before one was due');
    return out({});
  }
  if (paths.length === 1) {
    notes.push('one heap snapshot only: nothing to compare it with');
    return out({ snapshots: paths });
  }
  try {
    const grew = diffHeapSummaries(summarizeFile(paths[0]!, maxBytes), summarizeFile(paths[paths.length - 1]!, maxBytes), TOP_GROWTH);
    return out({ snapshots: paths, grew });
  } catch (error) {
    log('warn', `could not compare the heap snapshots of ${guard?.file ?? 'a stopped file'}: ${errorText(error)}`);
    notes.push(`not compared: ${errorText(error)}`);
    return out({ snapshots: paths });
  }
}

/** Deletes the guard's snapshots no stop names (and any cut short by a stop, or failed). */
export function dropGuardSnapshots(all: readonly GuardSnapshots[], keep: ReadonlySet<string>): void {
  for (const g of all) {
    for (const path of [...g.paths, ...g.failed, ...(g.writing ? [g.writing] : [])]) if (!keep.has(path)) rmSync(path, { force: true });
  }
}

/** Summarizes a snapshot file, unless it is larger than the runner reads. */
export function summarizeFile(path: string, maxBytes = MAX_SUMMARIZED_BYTES): HeapSummary {
  const size = statSync(path).size;
  if (size > maxBytes) {
    throw new Error(`${basename(path)} is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} the runner reads; open it in Chrome DevTools (Memory → Load)`);
  }
  return summarizeHeapSnapshot(readFileSync(path, 'utf8'));
}

/** Keep the newest `max` snapshots in the folder. */
export function boundSnapshots(dir: string, max: number): void {
  let files: { path: string; mtime: number }[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.heapsnapshot'))
      .map((f) => ({ path: join(dir, f), mtime: statSync(join(dir, f)).mtimeMs }));
  } catch {
    return;
  }
  files.sort((a, b) => b.mtime - a.mtime);
  for (const f of files.slice(max)) rmSync(f.path, { force: true });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
