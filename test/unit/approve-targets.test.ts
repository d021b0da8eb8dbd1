import { describe, expect, it } from 'vitest';
import { approveExitCode, approveTargets } from '../../src/core/approve-targets';
import type { TargetOutcome } from '../../src/core/approve-targets';
import { applyEvents } from '../../src/core/phase-events';
import { emptyPhaseState } from '../../src/core/phases';
import type { PhaseEvent, PhaseState } from '../../src/core/phases';

/** a.test.ts: math > adds YELLOW, math > subtracts RED, top GREEN (approved). b.test.ts: BROKEN. */
function workspace(): PhaseState {
  const events: PhaseEvent[] = [
    { kind: 'fileResult', file: 'a.test.ts', tests: [{ fullName: 'math > adds', state: 'failed' }, { fullName: 'math > subtracts', state: 'failed' }, { fullName: 'top', state: 'passed' }] },
    { kind: 'fileResult', file: 'a.test.ts', tests: [{ fullName: 'math > adds', state: 'passed' }, { fullName: 'math > subtracts', state: 'failed' }, { fullName: 'top', state: 'passed' }] },
    { kind: 'approve', file: 'a.test.ts', fullName: 'top' },
    { kind: 'fileResult', file: 'b.test.ts', broken: { message: 'SyntaxError' }, tests: [] },
  ];
  return applyEvents(emptyPhaseState(), events, 1).state;
}

describe('approveTargets', () => {
  it('approves YELLOW tests, lists GREEN ones as already approved and refuses RED ones with a reason', () => {
    const { state, outcomes } = approveTargets(workspace(), [{ file: 'a.test.ts' }], 2);
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes as [TargetOutcome];
    expect(outcome.approved).toEqual(['math > adds']);
    expect(outcome.alreadyGreen).toEqual(['top']);
    expect(outcome.refused).toEqual([expect.objectContaining({ fullName: 'math > subtracts', code: 'red' })]);
    expect(state.files.find((f) => f.path === 'a.test.ts')?.tests.map((t) => t.phase)).toEqual(['GREEN', 'RED', 'GREEN']);
  });

  it('takes a describe block or one test', () => {
    expect(approveTargets(workspace(), [{ file: 'a.test.ts', fullName: 'math' }], 2).outcomes[0]?.approved).toEqual(['math > adds']);
    expect(approveTargets(workspace(), [{ file: 'a.test.ts', fullName: 'math > adds' }], 2).outcomes[0]?.approved).toEqual(['math > adds']);
  });

  it('refuses a BROKEN file, an unknown file and an unknown test, each with its code', () => {
    const { outcomes } = approveTargets(
      workspace(),
      [{ file: 'b.test.ts' }, { file: 'nope.test.ts' }, { file: 'a.test.ts', fullName: 'nothing like it' }],
      2,
    );
    expect(outcomes.map((o) => o.refused.map((r) => r.code))).toEqual([['broken'], ['unknown-file'], ['unknown-test']]);
    for (const o of outcomes) expect(o.refused[0]?.reason.length).toBeGreaterThan(20);
  });

  it('the state is unchanged by refusals', () => {
    const before = workspace();
    const { state } = approveTargets(before, [{ file: 'nope.test.ts' }], 2);
    expect(state).toEqual(before);
  });
});

describe('approveExitCode', () => {
  const run = (targets: { file: string; fullName?: string }[]) => approveExitCode(approveTargets(workspace(), targets, 2).outcomes);

  it('0 when everything asked for is GREEN now', () => {
    expect(run([{ file: 'a.test.ts', fullName: 'math > adds' }])).toBe(0);
    expect(run([{ file: 'a.test.ts', fullName: 'top' }])).toBe(0);
  });

  it('1 when anything was refused', () => {
    expect(run([{ file: 'a.test.ts' }])).toBe(1);
    expect(run([{ file: 'b.test.ts' }])).toBe(1);
    expect(run([{ file: 'a.test.ts', fullName: 'top' }, { file: 'nope.test.ts' }])).toBe(1);
  });

  it('3 when nothing matched at all', () => {
    expect(run([{ file: 'nope.test.ts' }, { file: 'a.test.ts', fullName: 'nothing' }])).toBe(3);
  });
});
