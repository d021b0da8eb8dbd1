// What grew in a suspected leak (--heap-snapshot): each file's early and late heap snapshots are
// summarized per constructor and compared. Snapshots of leaking files stay in
// `.redline/snapshots/` (they open in Chrome DevTools' Memory panel, which can compare the two);
// the others are deleted, and the folder keeps only the newest `max` files.
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Leak } from '../protocol/report';
import { diffHeapSummaries, summarizeHeapSnapshot } from '../core/heap-snapshot';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export function explainLeaks(leaks: Leak[], snapshots: ReadonlyMap<string, { early?: string; late?: string }>, max: number, log: Log): Leak[] {
  if (snapshots.size === 0) return leaks;
  const leaking = new Set(leaks.map((l) => l.file));
  const explained = leaks.map((leak) => {
    const pair = snapshots.get(leak.file);
    if (!pair?.early || !pair.late) return leak;
    try {
      const before = summarizeHeapSnapshot(readFileSync(pair.early, 'utf8'));
      const after = summarizeHeapSnapshot(readFileSync(pair.late, 'utf8'));
      return { ...leak, grew: diffHeapSummaries(before, after, 8), snapshots: [pair.early, pair.late] };
    } catch (error) {
      log('warn', `could not compare the heap snapshots of ${leak.file}: ${error instanceof Error ? error.message : String(error)}`);
      return leak;
    }
  });
  let dir: string | undefined;
  for (const [file, pair] of snapshots) {
    for (const path of [pair.early, pair.late]) {
      if (!path) continue;
      dir ??= join(path, '..');
      if (!leaking.has(file)) rmSync(path, { force: true });
    }
  }
  if (dir) bound(dir, max);
  return explained;
}

/** Keep the newest `max` snapshots in the folder. */
function bound(dir: string, max: number): void {
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
