import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emptyPhaseState, HISTORY_LIMIT, rollUp, toPhasesJson, transition, worstPhase } from '../../src/core/phases';
import type { DescribeNode, Phase, PhaseEffect, PhaseEvent, PhaseState, TestOutcome, TestRecord } from '../../src/core/phases';
import type { TestState } from '../../src/protocol/report';

const FILE = 'test/math.test.ts';
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** Apply events one after another, one minute apart; returns the last state and all effects. */
function run(events: readonly PhaseEvent[], start: PhaseState = emptyPhaseState()) {
  let state = start;
  const effects: PhaseEffect[] = [];
  events.forEach((event, i) => {
    const next = transition(state, event, T0 + i * 60_000);
    state = next.state;
    effects.push(...next.effects);
  });
  return { state, effects };
}

function result(tests: Record<string, TestState>, file = FILE): PhaseEvent {
  return { kind: 'fileResult', file, tests: Object.entries(tests).map(([fullName, state]): TestOutcome => ({ fullName, state })) };
}

function broken(file = FILE, message = "SyntaxError: Unexpected token '}'"): PhaseEvent {
  return { kind: 'fileResult', file, broken: { message }, tests: [] };
}

function testOf(state: PhaseState, fullName: string, file = FILE): TestRecord {
  const test = state.files.find((f) => f.path === file)?.tests.find((t) => t.fullName === fullName);
  if (!test) throw new Error(`no test ${fullName} in ${file}`);
  return test;
}

function phaseOf(state: PhaseState, fullName: string, file = FILE): Phase {
  return testOf(state, fullName, file).phase;
}

describe('transition: results', () => {
  it('a new failing test is RED, not flagged neverFailed', () => {
    const { state, effects } = run([result({ adds: 'failed' })]);
    expect(testOf(state, 'adds')).toMatchObject({ phase: 'RED', neverFailed: false, since: T0 });
    expect(effects).toEqual([{ kind: 'phaseChanged', file: FILE, fullName: 'adds', from: null, to: 'RED' }]);
  });

  it('RED → YELLOW when it passes after having been RED', () => {
    const { state, effects } = run([result({ adds: 'failed' }), result({ adds: 'passed' })]);
    expect(testOf(state, 'adds')).toMatchObject({ phase: 'YELLOW', neverFailed: false, since: T0 + 60_000 });
    expect(effects.at(-1)).toEqual({ kind: 'phaseChanged', file: FILE, fullName: 'adds', from: 'RED', to: 'YELLOW' });
  });

  it('a new test that passes on its first run is YELLOW and flagged neverFailed', () => {
    const { state } = run([result({ adds: 'passed' })]);
    expect(testOf(state, 'adds')).toMatchObject({ phase: 'YELLOW', neverFailed: true });
  });

  it('a failure clears neverFailed for good', () => {
    const { state } = run([result({ adds: 'passed' }), result({ adds: 'failed' }), result({ adds: 'passed' })]);
    expect(testOf(state, 'adds')).toMatchObject({ phase: 'YELLOW', neverFailed: false });
  });

  it('YELLOW → RED on any failure', () => {
    const { state, effects } = run([result({ adds: 'failed' }), result({ adds: 'passed' }), result({ adds: 'failed' })]);
    expect(phaseOf(state, 'adds')).toBe('RED');
    expect(effects.at(-1)).toMatchObject({ from: 'YELLOW', to: 'RED' });
  });

  it('GREEN → RED on a regression', () => {
    const { state, effects } = run([
      result({ adds: 'failed' }),
      result({ adds: 'passed' }),
      { kind: 'approve', file: FILE, fullName: 'adds' },
      result({ adds: 'failed' }),
    ]);
    expect(phaseOf(state, 'adds')).toBe('RED');
    expect(effects.at(-1)).toMatchObject({ kind: 'phaseChanged', from: 'GREEN', to: 'RED' });
  });

  it('a GREEN test that keeps passing stays GREEN with its since unchanged', () => {
    const { state } = run([
      result({ adds: 'failed' }),
      result({ adds: 'passed' }),
      { kind: 'approve', file: FILE },
      result({ adds: 'passed' }),
      result({ adds: 'passed' }),
    ]);
    expect(testOf(state, 'adds')).toMatchObject({ phase: 'GREEN', since: T0 + 2 * 60_000 });
  });

  it('a repeated verdict in the same phase adds no effect and no history', () => {
    const { state, effects } = run([result({ adds: 'failed' }), result({ adds: 'failed' })]);
    expect(effects).toHaveLength(1);
    expect(testOf(state, 'adds').history).toHaveLength(1);
  });

  it.each(['skipped', 'todo', 'stopped'] as const)('%s keeps the previous phase', (verdictless) => {
    const { state, effects } = run([result({ a: 'failed', b: 'passed' }), result({ a: verdictless, b: verdictless })]);
    expect(phaseOf(state, 'a')).toBe('RED');
    expect(phaseOf(state, 'b')).toBe('YELLOW');
    expect(effects).toHaveLength(2);
  });

  it('a new test that is only skipped gets no phase until it runs', () => {
    const { state } = run([result({ a: 'failed', later: 'skipped' })]);
    expect(state.files[0]?.tests.map((t) => t.fullName)).toEqual(['a']);
  });

  it('a file whose only tests are new and skipped stays out of the tree', () => {
    const { state, effects } = run([result({ later: 'todo' })]);
    expect(state.files).toEqual([]);
    expect(effects).toEqual([]);
  });

  it('two tests with one full name share a record, and a failure of either wins', () => {
    const event: PhaseEvent = {
      kind: 'fileResult',
      file: FILE,
      tests: [
        { fullName: 'same', state: 'passed' },
        { fullName: 'same', state: 'failed' },
      ],
    };
    const { state } = run([event]);
    expect(state.files[0]?.tests).toHaveLength(1);
    expect(phaseOf(state, 'same')).toBe('RED');
  });

  it('does not change the state it was given', () => {
    const before = run([result({ adds: 'failed' })]).state;
    const copy = structuredClone(before);
    transition(before, result({ adds: 'passed' }), T0 + 1);
    expect(before).toEqual(copy);
  });

  it('keeps tests in the order of the latest result', () => {
    const { state } = run([result({ b: 'failed', a: 'failed' }), result({ a: 'failed', c: 'passed', b: 'failed' })]);
    expect(state.files[0]?.tests.map((t) => t.fullName)).toEqual(['a', 'c', 'b']);
  });
});

describe('transition: BROKEN', () => {
  it('a file that cannot load is BROKEN, and so are all its known tests (not RED)', () => {
    const { state, effects } = run([result({ a: 'failed', b: 'passed' }), broken()]);
    expect(phaseOf(state, 'a')).toBe('BROKEN');
    expect(phaseOf(state, 'b')).toBe('BROKEN');
    expect(state.files[0]?.broken).toEqual({ message: "SyntaxError: Unexpected token '}'", since: T0 + 60_000 });
    expect(effects.slice(2)).toEqual([
      { kind: 'phaseChanged', file: FILE, fullName: 'a', from: 'RED', to: 'BROKEN' },
      { kind: 'phaseChanged', file: FILE, fullName: 'b', from: 'YELLOW', to: 'BROKEN' },
      { kind: 'fileBroken', file: FILE, message: "SyntaxError: Unexpected token '}'" },
    ]);
  });

  it('a new file that never loaded shows BROKEN with no tests', () => {
    const { state } = run([broken('test/new.test.ts')]);
    expect(toPhasesJson(state)).toEqual({ files: [{ path: 'test/new.test.ts', phase: 'BROKEN', tests: [] }] });
  });

  it('staying broken keeps the time it first broke and emits nothing more', () => {
    const { state, effects } = run([result({ a: 'failed' }), broken(), broken(FILE, 'another error')]);
    expect(state.files[0]?.broken).toEqual({ message: 'another error', since: T0 + 60_000 });
    expect(effects).toHaveLength(3);
  });

  it('BROKEN → RED when the test fails once the file loads again', () => {
    const { state, effects } = run([result({ a: 'passed' }), broken(), result({ a: 'failed' })]);
    expect(testOf(state, 'a')).toMatchObject({ phase: 'RED', neverFailed: false });
    expect(testOf(state, 'a').beforeBroken).toBeUndefined();
    expect(state.files[0]?.broken).toBeNull();
    expect(effects.slice(-2)).toEqual([
      { kind: 'fileRepaired', file: FILE },
      { kind: 'phaseChanged', file: FILE, fullName: 'a', from: 'BROKEN', to: 'RED' },
    ]);
  });

  it('BROKEN → YELLOW when a test that was RED before the break passes', () => {
    const { state } = run([result({ a: 'failed' }), broken(), result({ a: 'passed' })]);
    expect(testOf(state, 'a')).toMatchObject({ phase: 'YELLOW', neverFailed: false });
  });

  it('BROKEN → YELLOW (still neverFailed) when a YELLOW test passes again', () => {
    const { state } = run([result({ a: 'passed' }), broken(), result({ a: 'passed' })]);
    expect(testOf(state, 'a')).toMatchObject({ phase: 'YELLOW', neverFailed: true });
  });

  it('BROKEN → GREEN when an approved test passes again: no second approval needed', () => {
    const { state } = run([
      result({ a: 'failed' }),
      result({ a: 'passed' }),
      { kind: 'approve', file: FILE },
      broken(),
      result({ a: 'passed' }),
    ]);
    expect(phaseOf(state, 'a')).toBe('GREEN');
    expect(testOf(state, 'a').history.map((h) => h.phase)).toEqual(['RED', 'YELLOW', 'GREEN', 'BROKEN', 'GREEN']);
  });

  it('a skipped test leaves BROKEN for the phase it had before, since the file loads again', () => {
    const { state } = run([result({ a: 'failed' }), broken(), result({ a: 'skipped' })]);
    expect(phaseOf(state, 'a')).toBe('RED');
  });

  it('a broken result ignores any test list that came with it', () => {
    const event: PhaseEvent = { kind: 'fileResult', file: FILE, broken: { message: 'x' }, tests: [{ fullName: 'z', state: 'passed' }] };
    const { state } = run([result({ a: 'failed' }), event]);
    expect(state.files[0]?.tests.map((t) => [t.fullName, t.phase])).toEqual([['a', 'BROKEN']]);
  });
});

describe('transition: approval', () => {
  const yellowAndRed = [result({ ok: 'failed', bad: 'failed' }), result({ ok: 'passed', bad: 'failed' })];

  it('YELLOW → GREEN on approve', () => {
    const { state, effects } = run([...yellowAndRed, { kind: 'approve', file: FILE, fullName: 'ok' }]);
    expect(phaseOf(state, 'ok')).toBe('GREEN');
    expect(effects.at(-1)).toEqual({ kind: 'phaseChanged', file: FILE, fullName: 'ok', from: 'YELLOW', to: 'GREEN' });
  });

  it('refuses to approve a RED test, and says why', () => {
    const { state, effects } = run([...yellowAndRed, { kind: 'approve', file: FILE, fullName: 'bad' }]);
    expect(phaseOf(state, 'bad')).toBe('RED');
    expect(effects.at(-1)).toMatchObject({ kind: 'refused', file: FILE, fullName: 'bad', code: 'red' });
    expect(effects.at(-1)).toHaveProperty('reason', expect.stringMatching(/RED: it fails/));
  });

  it('approving a file approves its YELLOW tests and refuses its RED ones', () => {
    const { state, effects } = run([...yellowAndRed, { kind: 'approve', file: FILE }]);
    expect(phaseOf(state, 'ok')).toBe('GREEN');
    expect(phaseOf(state, 'bad')).toBe('RED');
    expect(effects.slice(-2).map((e) => e.kind).sort()).toEqual(['phaseChanged', 'refused']);
  });

  it('refuses to approve a BROKEN file or test', () => {
    const whole = run([result({ a: 'passed' }), broken(), { kind: 'approve', file: FILE }]);
    expect(whole.effects.at(-1)).toMatchObject({ kind: 'refused', code: 'broken' });
    const one = run([result({ a: 'passed' }), broken(), { kind: 'approve', file: FILE, fullName: 'a' }]);
    expect(one.effects.at(-1)).toMatchObject({ kind: 'refused', code: 'broken', fullName: 'a' });
    expect(phaseOf(one.state, 'a')).toBe('BROKEN');
  });

  it('refuses unknown files and tests', () => {
    expect(run([{ kind: 'approve', file: 'nope.test.ts' }]).effects).toEqual([
      expect.objectContaining({ kind: 'refused', code: 'unknown-file', file: 'nope.test.ts' }),
    ]);
    expect(run([result({ a: 'passed' }), { kind: 'approve', file: FILE, fullName: 'b' }]).effects.at(-1)).toMatchObject({
      kind: 'refused',
      code: 'unknown-test',
    });
  });

  it('approves every test inside a describe block named by its full name', () => {
    const { state } = run([
      result({ 'math > adds': 'passed', 'math > subtracts': 'passed', 'mathematics > other': 'passed' }),
      { kind: 'approve', file: FILE, fullName: 'math' },
    ]);
    expect(phaseOf(state, 'math > adds')).toBe('GREEN');
    expect(phaseOf(state, 'math > subtracts')).toBe('GREEN');
    expect(phaseOf(state, 'mathematics > other')).toBe('YELLOW');
  });

  it('approving a GREEN test changes nothing', () => {
    const { effects } = run([result({ a: 'passed' }), { kind: 'approve', file: FILE }, { kind: 'approve', file: FILE }]);
    expect(effects.filter((e) => e.kind === 'phaseChanged')).toHaveLength(2);
  });

  it('approveOnCommit: the committed files YELLOW tests become GREEN, nothing else moves', () => {
    const other = 'test/other.test.ts';
    const { state, effects } = run([
      ...yellowAndRed,
      result({ elsewhere: 'passed' }, other),
      { kind: 'committed', files: [FILE, 'not/tracked.ts'] },
    ]);
    expect(phaseOf(state, 'ok')).toBe('GREEN');
    expect(phaseOf(state, 'bad')).toBe('RED');
    expect(phaseOf(state, 'elsewhere', other)).toBe('YELLOW');
    expect(effects.at(-1)).toEqual({ kind: 'phaseChanged', file: FILE, fullName: 'ok', from: 'YELLOW', to: 'GREEN' });
  });

  it('approveOnCommit leaves a BROKEN file alone', () => {
    const { state } = run([result({ a: 'passed' }), broken(), { kind: 'committed', files: [FILE] }]);
    expect(phaseOf(state, 'a')).toBe('BROKEN');
  });
});

describe('transition: renamed and deleted', () => {
  it('a test absent from a complete result (renamed or deleted) leaves the tree', () => {
    const { state, effects } = run([result({ old: 'failed', kept: 'passed' }), result({ renamed: 'failed', kept: 'passed' })]);
    expect(state.files[0]?.tests.map((t) => t.fullName)).toEqual(['renamed', 'kept']);
    expect(effects).toContainEqual({ kind: 'testRemoved', file: FILE, fullName: 'old', phase: 'RED' });
  });

  it('a file whose last test went leaves the tree', () => {
    const { state, effects } = run([result({ a: 'failed' }), result({})]);
    expect(state.files).toEqual([]);
    expect(effects.at(-1)).toEqual({ kind: 'fileRemoved', file: FILE });
  });

  it('a deleted file leaves the tree', () => {
    const { state, effects } = run([result({ a: 'failed' }), result({ b: 'failed' }, 'test/b.test.ts'), { kind: 'fileDeleted', file: FILE }]);
    expect(state.files.map((f) => f.path)).toEqual(['test/b.test.ts']);
    expect(effects.at(-1)).toEqual({ kind: 'fileRemoved', file: FILE });
    expect(run([{ kind: 'fileDeleted', file: 'unknown' }]).effects).toEqual([]);
  });

  it('a renamed file keeps its tests, phases and history under the new path', () => {
    const { state, effects } = run([result({ a: 'failed' }), result({ a: 'passed' }), { kind: 'fileRenamed', from: FILE, to: 'test/sum.test.ts' }]);
    expect(state.files.map((f) => f.path)).toEqual(['test/sum.test.ts']);
    expect(testOf(state, 'a', 'test/sum.test.ts')).toMatchObject({ phase: 'YELLOW', history: [{ phase: 'RED' }, { phase: 'YELLOW' }] });
    expect(effects.at(-1)).toEqual({ kind: 'fileMoved', from: FILE, to: 'test/sum.test.ts' });
  });

  it('renaming onto a known file replaces its records', () => {
    const { state } = run([result({ a: 'failed' }), result({ z: 'passed' }, 'b.test.ts'), { kind: 'fileRenamed', from: FILE, to: 'b.test.ts' }]);
    expect(state.files).toHaveLength(1);
    expect(state.files[0]?.tests.map((t) => t.fullName)).toEqual(['a']);
  });
});

describe('history', () => {
  it('records each transition with its time', () => {
    const { state } = run([result({ a: 'failed' }), result({ a: 'passed' }), { kind: 'approve', file: FILE }]);
    expect(testOf(state, 'a').history).toEqual([
      { phase: 'RED', at: T0 },
      { phase: 'YELLOW', at: T0 + 60_000 },
      { phase: 'GREEN', at: T0 + 120_000 },
    ]);
  });

  it(`keeps only the last ${HISTORY_LIMIT} changes`, () => {
    const events = Array.from({ length: 50 }, (_, i) => result({ a: i % 2 === 0 ? 'failed' : 'passed' }));
    const { state } = run(events);
    const history = testOf(state, 'a').history;
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history.at(-1)).toEqual({ phase: 'YELLOW', at: T0 + 49 * 60_000 });
    expect(history[0]).toEqual({ phase: 'RED', at: T0 + 30 * 60_000 });
  });
});

describe('rollUp', () => {
  it('orders phases BROKEN > RED > YELLOW > GREEN', () => {
    expect(worstPhase('GREEN', 'YELLOW')).toBe('YELLOW');
    expect(worstPhase('RED', 'YELLOW')).toBe('RED');
    expect(worstPhase('RED', 'BROKEN')).toBe('BROKEN');
    expect(worstPhase('GREEN', 'GREEN')).toBe('GREEN');
  });

  it('builds file → describe → test, the worst child winning at every level, with counts', () => {
    const { state } = run([
      result({ 'math > add > small': 'failed', 'math > add > big': 'failed', 'math > sub': 'failed', top: 'failed' }),
      result({ 'math > add > small': 'passed', 'math > add > big': 'failed', 'math > sub': 'passed', top: 'passed' }),
      { kind: 'approve', file: FILE, fullName: 'math > sub' },
      { kind: 'approve', file: FILE, fullName: 'top' },
      result({ other: 'passed' }, 'test/z.test.ts'),
    ]);
    const tree = rollUp(state);
    expect(tree.phase).toBe('RED');
    expect(tree.counts).toEqual({ GREEN: 2, YELLOW: 2, RED: 1, BROKEN: 0 });
    const [file, z] = tree.files;
    expect(file).toMatchObject({ path: FILE, phase: 'RED', counts: { GREEN: 2, YELLOW: 1, RED: 1, BROKEN: 0 } });
    expect(z).toMatchObject({ path: 'test/z.test.ts', phase: 'YELLOW' });
    const math = file?.children[0] as DescribeNode;
    expect(math).toMatchObject({ kind: 'describe', name: 'math', fullName: 'math', phase: 'RED' });
    const add = math.children[0] as DescribeNode;
    expect(add).toMatchObject({ kind: 'describe', name: 'add', fullName: 'math > add', phase: 'RED', counts: { YELLOW: 1, RED: 1 } });
    expect(add.children.map((c) => [c.kind, c.name, c.phase])).toEqual([
      ['test', 'small', 'YELLOW'],
      ['test', 'big', 'RED'],
    ]);
    expect(math.children[1]).toMatchObject({ kind: 'test', name: 'sub', phase: 'GREEN' });
    expect(file?.children[1]).toMatchObject({ kind: 'test', name: 'top', fullName: 'top', phase: 'GREEN' });
  });

  it('a BROKEN file is BROKEN whatever its tests were', () => {
    const { state } = run([result({ a: 'passed' }), broken()]);
    const tree = rollUp(state);
    expect(tree.files[0]).toMatchObject({ phase: 'BROKEN', broken: { message: expect.any(String) }, counts: { BROKEN: 1 } });
    expect(tree.phase).toBe('BROKEN');
  });

  it('an empty state has no phase', () => {
    expect(rollUp(emptyPhaseState())).toEqual({ phase: null, counts: { GREEN: 0, YELLOW: 0, RED: 0, BROKEN: 0 }, files: [] });
  });

  it('uses the name given by the runner when a test name itself holds " > "', () => {
    const event: PhaseEvent = { kind: 'fileResult', file: FILE, tests: [{ fullName: 'suite > a > b', name: 'a > b', state: 'passed' }] };
    const { state } = run([event]);
    const suite = rollUp(state).files[0]?.children[0] as DescribeNode;
    expect(suite).toMatchObject({ kind: 'describe', name: 'suite' });
    expect(suite.children[0]).toMatchObject({ kind: 'test', name: 'a > b', fullName: 'suite > a > b' });
  });
});

describe('toPhasesJson', () => {
  const Shape = z
    .object({
      files: z.array(
        z
          .object({
            path: z.string(),
            phase: z.enum(['RED', 'YELLOW', 'GREEN', 'BROKEN']),
            tests: z.array(
              z
                .object({
                  name: z.string(),
                  fullName: z.string(),
                  phase: z.enum(['RED', 'YELLOW', 'GREEN', 'BROKEN']),
                  neverFailed: z.boolean(),
                  since: z.iso.datetime(),
                })
                .strict(),
            ),
          })
          .strict(),
      ),
    })
    .strict();

  it('has exactly the shape of `redline phases --json`, files sorted by path', () => {
    const { state } = run([result({ 'b > one': 'failed' }, 'test/b.test.ts'), result({ two: 'passed' }, 'test/a.test.ts')]);
    const json = toPhasesJson(state);
    expect(Shape.parse(json)).toEqual(json);
    expect(JSON.parse(JSON.stringify(json))).toEqual({
      files: [
        {
          path: 'test/a.test.ts',
          phase: 'YELLOW',
          tests: [{ name: 'two', fullName: 'two', phase: 'YELLOW', neverFailed: true, since: new Date(T0 + 60_000).toISOString() }],
        },
        {
          path: 'test/b.test.ts',
          phase: 'RED',
          tests: [{ name: 'one', fullName: 'b > one', phase: 'RED', neverFailed: false, since: '2025-01-01T12:00:00.000Z' }],
        },
      ],
    });
  });
});
