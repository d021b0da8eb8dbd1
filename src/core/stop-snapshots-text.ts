// What a memory stop's heap snapshots say (--heap-snapshot), as lines of text: the constructors
// that grew, the snapshots' paths and why any is missing. One wording for the CLI's summary and
// the editor's Test Explorer message, so a stop reads the same wherever it is seen. Pure string
// work (no node:path): the webview's view models may use it too.
import type { HeapGrowth, Stopped } from '../protocol/report';
import { formatBytes } from './format';

/** Constructors listed for a stop or a leak: the report keeps up to 8, a reader wants the top. */
export const GREW_LINES = 5;

/** "HoardedRecord +280 objects, +10.9 KB". */
export function growthText(g: HeapGrowth): string {
  return `${g.name} +${g.countDelta} objects, +${formatBytes(g.bytesDelta)}`;
}

/**
 * A snapshot's path from the root when it lies below it (.redline/snapshots/…, '/' separators),
 * else as it is: the report's paths are absolute, and the root is what the reader knows.
 */
export function displayPath(root: string, path: string): string {
  const base = root.replace(/[\\/]+$/, '');
  if (base === '' || !path.startsWith(base)) return path;
  const rest = path.slice(base.length);
  if (rest.length < 2 || (rest[0] !== '/' && rest[0] !== '\\')) return path;
  return rest.slice(1).replace(/\\/g, '/');
}

/** A line: a label (dimmed in a terminal) and its text; a label-less line is a note. */
export interface StopSnapshotLine {
  readonly label?: 'grew:' | 'heap snapshots:';
  readonly text: string;
}

/**
 * The lines a memory stop adds with --heap-snapshot: what grew (the top GREW_LINES), the
 * snapshots, and the note (declined, cut short, nothing to compare). Nothing without them.
 */
export function stopSnapshotLines(stopped: Stopped, root: string): StopSnapshotLine[] {
  const lines: StopSnapshotLine[] = [];
  for (const g of (stopped.grew ?? []).slice(0, GREW_LINES)) lines.push({ label: 'grew:', text: growthText(g) });
  if (stopped.snapshots && stopped.snapshots.length > 0) lines.push({ label: 'heap snapshots:', text: stopped.snapshots.map((p) => displayPath(root, p)).join(', ') });
  if (stopped.snapshotNote) lines.push({ text: stopped.snapshotNote });
  return lines;
}
