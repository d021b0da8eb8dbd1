import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../src/core/process-table';
import { descendants, sumRss, testTree, workerSubtree } from '../../src/core/process-tree';

const MARK = 'REDLINE_RUN';
const WORKER = 'REDLINE_WORKER';

function proc(pid: number, ppid: number, markers?: Record<string, string>, pgid = pid): ProcessInfo {
  return markers ? { pid, ppid, pgid, command: `p${pid}`, markers } : { pid, ppid, pgid, command: `p${pid}` };
}

const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);

// 1 init; 100 the runner; 200 vitest (root); 210 and 220 workers; 211 a worker's child; 300 a
// grandchild of worker 210 whose parent exited, re-parented to init; 400 a child of worker 220
// that called setsid and was re-parented; 401 its unmarked child; 500 an unrelated process;
// 600 and 601 leftovers of another run.
const table: ProcessInfo[] = [
  proc(1, 0),
  proc(100, 1),
  proc(200, 100, { [MARK]: 'run-a' }),
  proc(210, 200, { [MARK]: 'run-a' }, 200),
  proc(220, 200, { [MARK]: 'run-a' }, 200),
  proc(211, 210, { [MARK]: 'run-a', [WORKER]: '210' }, 200),
  proc(300, 1, { [MARK]: 'run-a', [WORKER]: '210' }, 200),
  proc(400, 1, { [MARK]: 'run-a', [WORKER]: '220' }, 400),
  proc(401, 400, {}, 400),
  proc(500, 1),
  proc(600, 1, { [MARK]: 'run-b', [WORKER]: '210' }),
  proc(601, 600),
];

describe('descendants', () => {
  it('follows parent links, without the root', () => {
    expect(sorted(descendants(table, 200))).toEqual([210, 211, 220]);
    expect(sorted(descendants(table, 210))).toEqual([211]);
  });

  it('is empty for a leaf or an unknown pid', () => {
    expect(descendants(table, 211).size).toBe(0);
    expect(descendants(table, 9999).size).toBe(0);
  });

  it('terminates on a parent cycle and leaves the root out', () => {
    const cyclic = [proc(10, 12), proc(11, 10), proc(12, 11), proc(13, 12)];
    expect(sorted(descendants(cyclic, 10))).toEqual([11, 12, 13]);
  });

  it('ignores a self-parented entry (Windows pid 0)', () => {
    const windows = [proc(0, 0), proc(4, 0), proc(8, 4)];
    expect(sorted(descendants(windows, 0))).toEqual([4, 8]);
  });
});

describe('testTree', () => {
  const tree = testTree(table, { rootPid: 200, marker: { name: MARK, value: 'run-a' } });

  it('holds the root and its descendants', () => {
    for (const pid of [200, 210, 211, 220]) expect(tree.has(pid)).toBe(true);
  });

  it('finds a child re-parented to init by its marker', () => {
    expect(tree.has(300)).toBe(true);
  });

  it('finds a setsid child and, through it, its unmarked child', () => {
    expect(tree.has(400)).toBe(true);
    expect(tree.has(401)).toBe(true);
  });

  it('excludes unrelated processes, the runner and another run', () => {
    for (const pid of [1, 100, 500, 600, 601]) expect(tree.has(pid)).toBe(false);
    expect(sorted(tree)).toEqual([200, 210, 211, 220, 300, 400, 401]);
  });

  it('still finds marked processes once the root has exited', () => {
    const withoutRoot = table.filter((p) => p.pid !== 200);
    const rest = testTree(withoutRoot, { rootPid: 200, marker: { name: MARK, value: 'run-a' } });
    expect(rest.has(200)).toBe(false);
    expect(sorted(rest)).toEqual([210, 211, 220, 300, 400, 401]);
  });

  it('terminates on cycles among marked processes', () => {
    const cyclic = [proc(10, 11, { [MARK]: 'x' }), proc(11, 10, { [MARK]: 'x' }), proc(12, 11)];
    expect(sorted(testTree(cyclic, { rootPid: 10, marker: { name: MARK, value: 'x' } }))).toEqual([10, 11, 12]);
  });
});

describe('workerSubtree', () => {
  const runA = { name: MARK, value: 'run-a' };

  it('holds the worker, its children and what carries its pid as worker marker', () => {
    expect(sorted(workerSubtree(table, 210, WORKER, runA))).toEqual([210, 211, 300]);
  });

  it('includes a marked setsid child with its descendants', () => {
    expect(sorted(workerSubtree(table, 220, WORKER, runA))).toEqual([220, 400, 401]);
  });

  it("excludes another run's leftover whose worker marker names a reused pid", () => {
    // 600 belongs to run-b, whose worker once had pid 210.
    expect(sorted(workerSubtree(table, 210, WORKER))).toEqual([210, 211, 300, 600, 601]);
    expect(workerSubtree(table, 210, WORKER, runA).has(600)).toBe(false);
  });

  it('does not take a sibling worker or the vitest main process', () => {
    const sub = workerSubtree(table, 210, WORKER, runA);
    expect(sub.has(200)).toBe(false);
    expect(sub.has(220)).toBe(false);
  });
});

describe('sumRss', () => {
  it('adds the samples and counts missing pids as 0', () => {
    const rss = new Map([
      [1, 100],
      [2, 250],
    ]);
    expect(sumRss([1, 2, 3], rss)).toBe(350);
    expect(sumRss(new Set<number>(), rss)).toBe(0);
  });
});
