// tdd.approveOnCommit (DESIGN.md "TDD phases": GREEN "when the change is committed"): which test
// files' YELLOW tests become GREEN after a run. Pure; the runner asks git for the facts.
import type { PhaseState } from './phases';
import type { RunHistory } from './store/runs-document';

/** What git said when a run started. Paths are relative to the workspace root, '/' separators. */
export interface GitSnapshot {
  /** The commit checked out; null in a repository without commits yet. */
  readonly head: string | null;
  /** Files with any change against HEAD: staged, unstaged, untracked, or in a conflict. */
  readonly dirty: ReadonlySet<string>;
}

/** The HEAD of the newest recorded run that knew one. */
export function lastRecordedHead(history: RunHistory): string | null {
  for (let i = history.runs.length - 1; i >= 0; i--) {
    const head = history.runs[i]!.head;
    if (head !== undefined) return head;
  }
  return null;
}

/** Files with a YELLOW test: the only ones a commit can approve. */
export function filesWithYellow(state: PhaseState): string[] {
  return state.files.filter((file) => !file.broken && file.tests.some((test) => test.phase === 'YELLOW')).map((file) => file.path);
}

/**
 * The files to send as a `committed` event, or none.
 *
 * - Only when HEAD moved since the last recorded run. Without an earlier HEAD (the first run, or
 *   after a soft reset cleared the history) nothing is approved: the commit may be years old,
 *   and approving is the one transition Redline must never make on a guess.
 * - Only files that are tracked and were clean when the run started, so the code that made the
 *   test pass is the code that is committed. `tracked` comes from git after the run, for the
 *   candidates only (an untracked file is also dirty, but an ignored one is neither).
 */
export function filesToApproveOnCommit(input: {
  readonly previousHead: string | null;
  readonly snapshot: GitSnapshot | null;
  readonly candidates: readonly string[];
  readonly tracked: ReadonlySet<string>;
}): string[] {
  const { previousHead, snapshot, candidates, tracked } = input;
  if (!snapshot || snapshot.head === null || previousHead === null || snapshot.head === previousHead) return [];
  return candidates.filter((file) => tracked.has(file) && !snapshot.dirty.has(file));
}

/** Whether it is worth asking git which files are dirty (it is not when HEAD has not moved). */
export function headMoved(previousHead: string | null, head: string | null): boolean {
  return previousHead !== null && head !== null && previousHead !== head;
}
