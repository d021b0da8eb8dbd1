import { describe, expect, it } from 'vitest';
import { filesToApproveOnCommit, filesWithYellow, headMoved, lastRecordedHead } from '../../src/core/approve-on-commit';
import type { GitSnapshot } from '../../src/core/approve-on-commit';
import { emptyPhaseState, transition } from '../../src/core/phases';
import type { PhaseState } from '../../src/core/phases';
import type { RunEntry } from '../../src/core/store/runs-document';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function entry(head?: string): RunEntry {
  return {
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 1,
    exitCode: 0,
    summary: { files: 0, passed: 0, failed: 0, broken: 0, stopped: 0, skipped: 0, notrun: 0, cached: 0 },
    memory: { limitBytes: 1, peakBytes: 0 },
    stopped: [],
    ...(head === undefined ? {} : { head }),
  };
}

function snapshot(head: string | null, dirty: string[] = []): GitSnapshot {
  return { head, dirty: new Set(dirty) };
}

describe('lastRecordedHead', () => {
  it('is the newest run that knew a HEAD', () => {
    expect(lastRecordedHead({ runs: [] })).toBeNull();
    expect(lastRecordedHead({ runs: [entry(A), entry(B), entry()] })).toBe(B);
    expect(lastRecordedHead({ runs: [entry(), entry()] })).toBeNull();
  });
});

describe('headMoved', () => {
  it('needs both heads and a difference', () => {
    expect(headMoved(A, B)).toBe(true);
    expect(headMoved(A, A)).toBe(false);
    expect(headMoved(null, B)).toBe(false);
    expect(headMoved(A, null)).toBe(false);
  });
});

describe('filesWithYellow', () => {
  it('lists files with a YELLOW test and leaves out broken ones', () => {
    let state: PhaseState = emptyPhaseState();
    state = transition(state, { kind: 'fileResult', file: 'y.test.ts', tests: [{ fullName: 'p', state: 'passed' }] }, 1).state;
    state = transition(state, { kind: 'fileResult', file: 'r.test.ts', tests: [{ fullName: 'f', state: 'failed' }] }, 1).state;
    state = transition(state, { kind: 'fileResult', file: 'b.test.ts', tests: [{ fullName: 'p', state: 'passed' }] }, 1).state;
    state = transition(state, { kind: 'fileResult', file: 'b.test.ts', broken: { message: 'x' }, tests: [] }, 2).state;
    expect(filesWithYellow(state)).toEqual(['y.test.ts']);
  });
});

describe('filesToApproveOnCommit', () => {
  const base = { previousHead: A, candidates: ['a.test.ts', 'b.test.ts', 'c.test.ts'], tracked: new Set(['a.test.ts', 'b.test.ts']) };

  it('approves tracked files that were clean when HEAD moved', () => {
    expect(filesToApproveOnCommit({ ...base, snapshot: snapshot(B, ['b.test.ts']) })).toEqual(['a.test.ts']);
  });

  it('approves nothing when HEAD did not move', () => {
    expect(filesToApproveOnCommit({ ...base, snapshot: snapshot(A) })).toEqual([]);
  });

  it('approves nothing without an earlier HEAD (first run, or after a soft reset)', () => {
    expect(filesToApproveOnCommit({ ...base, previousHead: null, snapshot: snapshot(B) })).toEqual([]);
  });

  it('approves nothing without git, or before the first commit', () => {
    expect(filesToApproveOnCommit({ ...base, snapshot: null })).toEqual([]);
    expect(filesToApproveOnCommit({ ...base, snapshot: snapshot(null) })).toEqual([]);
  });

  it('never approves an untracked file (new, or ignored)', () => {
    expect(filesToApproveOnCommit({ ...base, snapshot: snapshot(B) })).toEqual(['a.test.ts', 'b.test.ts']);
  });
});
