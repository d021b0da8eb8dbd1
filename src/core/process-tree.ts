// Which processes belong to a test run, worked out from one snapshot of the process table.
// Parent links alone are not enough: a child whose parent exits is re-parented to init (or a
// subreaper) before any sampler sees it, and a child that calls setsid leaves the process group.
// Both keep the environment they inherited, so a marker variable finds them again.
import type { ProcessInfo } from './process-table';

export interface RunMarker {
  /** Environment variable name every test process inherits. */
  readonly name: string;
  /** This run's value; another run's processes carry a different one. */
  readonly value: string;
}

function childrenByParent(table: Iterable<Pick<ProcessInfo, 'pid' | 'ppid'>>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const p of table) {
    // A self-parented entry (Windows' System Idle Process is pid 0, ppid 0) is not its own child.
    if (p.ppid === p.pid) continue;
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  return children;
}

// Adds every pid reachable from `seeds` through parent links to `into`. The visited set makes it
// cycle-safe: a snapshot taken while pids are reused can show a loop the OS never had.
function collect(children: Map<number, number[]>, seeds: Iterable<number>, into: Set<number>): void {
  const stack = [...seeds];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (into.has(child)) continue;
      into.add(child);
      stack.push(child);
    }
  }
}

/** `seeds` and every pid below them by parent links. */
export function withDescendants(links: Iterable<Pick<ProcessInfo, 'pid' | 'ppid'>>, seeds: Iterable<number>): Set<number> {
  const into = new Set(seeds);
  collect(childrenByParent(links), into, into);
  return into;
}

/** All pids below `rootPid` by parent links, not including `rootPid` itself. */
export function descendants(table: readonly ProcessInfo[], rootPid: number): Set<number> {
  const found = new Set<number>();
  collect(childrenByParent(table), [rootPid], found);
  found.delete(rootPid);
  return found;
}

// The root and every process carrying all of `markers`, with all their descendants. A root that is
// no longer in the snapshot is left out: the result is the set of live processes to sample or stop.
function markedTree(table: readonly ProcessInfo[], rootPid: number, markers: readonly RunMarker[]): Set<number> {
  const seeds = table
    .filter((p) => p.pid === rootPid || markers.every((m) => p.markers?.[m.name] === m.value))
    .map((p) => p.pid);
  const found = new Set(seeds);
  collect(childrenByParent(table), seeds, found);
  return found;
}

/**
 * The whole test process tree of one run: `rootPid` (the Vitest main process or the group
 * leader), its descendants, and every process carrying this run's marker, with their descendants.
 */
export function testTree(
  table: readonly ProcessInfo[],
  options: { readonly rootPid: number; readonly marker: RunMarker },
): Set<number> {
  return markedTree(table, options.rootPid, [options.marker]);
}

/**
 * One worker's processes: the worker, its descendants, and every process whose
 * `workerMarkerName` variable names this worker (set by the probe before a test spawns anything),
 * with their descendants. This is what the guard kills when it stops one file.
 *
 * A pid is only unique while it lives: a leftover from another run whose worker once had this pid
 * carries the same worker marker. Pass `runMarker` to require this run's marker as well.
 */
export function workerSubtree(
  table: readonly ProcessInfo[],
  workerPid: number,
  workerMarkerName: string,
  runMarker?: RunMarker,
): Set<number> {
  const worker: RunMarker = { name: workerMarkerName, value: String(workerPid) };
  return markedTree(table, workerPid, runMarker ? [worker, runMarker] : [worker]);
}

/** Total RSS of `pids`; a pid with no sample (it exited) counts as 0. */
export function sumRss(pids: Iterable<number>, rss: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const pid of pids) total += rss.get(pid) ?? 0;
  return total;
}
