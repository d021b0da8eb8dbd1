import { describe, expect, it } from 'vitest';
import { rollUp, type Phase, type PhaseState, type TestRecord } from '../../../src/core/phases';
import { allBranchKeys, describeKey, fileKey, findTest, isFiltering, phaseRows, testKey, type PhaseFilter } from '../../../src/core/views/phase-tree-view';

function test(fullName: string, phase: Phase, extra: Partial<TestRecord> = {}): TestRecord {
  return { fullName, name: fullName.split(' > ').at(-1)!, phase, neverFailed: false, since: 10, history: [{ phase, at: 10 }], ...extra };
}

const STATE: PhaseState = {
  files: [
    {
      path: 'src/a.test.ts',
      broken: null,
      tests: [
        test('math > adds', 'GREEN'),
        test('math > subtracts', 'YELLOW', { neverFailed: true }),
        test('math > edge > divides by zero', 'RED'),
        test('math > edge > overflows', 'YELLOW', { history: [{ phase: 'RED', at: 1 }, { phase: 'YELLOW', at: 5 }] }),
        test('top level', 'GREEN'),
      ],
    },
    { path: 'src/b.test.ts', broken: { message: 'SyntaxError', since: 3 }, tests: [test('b > loads', 'BROKEN', { beforeBroken: 'YELLOW' })] },
    { path: 'src/new.test.ts', broken: { message: 'Cannot find module', since: 4 }, tests: [] },
  ],
};
const TREE = rollUp(STATE);
const ALL: PhaseFilter = { text: '', phases: new Set() };
const labels = (rows: readonly { depth: number; label: string }[]) => rows.map((r) => `${'  '.repeat(r.depth)}${r.label}`);

describe('phaseRows', () => {
  it('shows files collapsed until they are opened', () => {
    const view = phaseRows(TREE, ALL, new Set());
    expect(labels(view.rows)).toEqual(['a.test.ts', 'b.test.ts', 'new.test.ts']);
    expect(view).toMatchObject({ matchedTests: 6, totalTests: 6, filtering: false });
    expect(view.rows[0]).toMatchObject({ kind: 'file', dir: 'src', phase: 'RED', expanded: false });
  });

  it('opens files and describe blocks by key, in test order', () => {
    const expanded = new Set([fileKey('src/a.test.ts'), describeKey('src/a.test.ts', 'math'), describeKey('src/a.test.ts', 'math > edge')]);
    const view = phaseRows(TREE, ALL, expanded);
    expect(labels(view.rows)).toEqual([
      'a.test.ts',
      '  math',
      '    adds',
      '    subtracts',
      '    edge',
      '      divides by zero',
      '      overflows',
      '  top level',
      'b.test.ts',
      'new.test.ts',
    ]);
    const subtracts = view.rows.find((r) => r.label === 'subtracts');
    expect(subtracts).toMatchObject({ kind: 'test', neverFailed: true, key: testKey('src/a.test.ts', 'math > subtracts') });
  });

  it('a closed describe block hides its tests but not its siblings', () => {
    const view = phaseRows(TREE, ALL, new Set([fileKey('src/a.test.ts')]));
    expect(labels(view.rows).slice(0, 3)).toEqual(['a.test.ts', '  math', '  top level']);
  });

  it('filters by text in test names, describe blocks and paths, opening what matches', () => {
    expect(labels(phaseRows(TREE, { text: 'DIVIDES', phases: new Set() }, new Set()).rows)).toEqual(['a.test.ts', '  math', '    edge', '      divides by zero']);
    expect(labels(phaseRows(TREE, { text: 'edge', phases: new Set() }, new Set()).rows)).toEqual(['a.test.ts', '  math', '    edge', '      divides by zero', '      overflows']);
    const byPath = phaseRows(TREE, { text: 'b.test', phases: new Set() }, new Set());
    expect(labels(byPath.rows)).toEqual(['b.test.ts', '  b', '    loads']);
    expect(byPath).toMatchObject({ matchedTests: 1, totalTests: 6, filtering: true });
  });

  it('filters by phase, keeping the expansion and hiding branches without such tests', () => {
    const yellow = phaseRows(TREE, { text: '', phases: new Set<Phase>(['YELLOW']) }, new Set([fileKey('src/a.test.ts'), describeKey('src/a.test.ts', 'math')]));
    expect(labels(yellow.rows)).toEqual(['a.test.ts', '  math', '    subtracts', '    edge']);
    expect(yellow.matchedTests).toBe(2);
    expect(labels(phaseRows(TREE, { text: '', phases: new Set<Phase>(['BROKEN']) }, new Set()).rows)).toEqual(['b.test.ts', 'new.test.ts']);
  });

  it('says when nothing matches', () => {
    const view = phaseRows(TREE, { text: 'no such test', phases: new Set() }, new Set());
    expect(view.rows).toEqual([]);
    expect(view.matchedTests).toBe(0);
  });

  it('targets approve at YELLOW tests, and at describe blocks and files that hold some', () => {
    const expanded = new Set(allBranchKeys(TREE));
    const rows = phaseRows(TREE, ALL, expanded).rows;
    const target = (label: string) => rows.find((r) => r.label === label)!.approve;
    expect(target('a.test.ts')).toMatchObject({ file: 'src/a.test.ts', count: 2 });
    expect(target('a.test.ts')).not.toHaveProperty('fullName');
    expect(target('math')).toMatchObject({ file: 'src/a.test.ts', fullName: 'math', count: 2 });
    expect(target('edge')).toMatchObject({ fullName: 'math > edge', count: 1 });
    expect(target('overflows')).toMatchObject({ fullName: 'math > edge > overflows', count: 1 });
    expect(target('subtracts')!.title).toContain('GREEN');
    for (const label of ['adds', 'divides by zero', 'top level', 'b.test.ts', 'loads', 'new.test.ts']) expect(target(label)).toBeNull();
  });

  // The time it takes is bench/webview-render.mjs's to measure (about 15 ms from state to frame).
  it('handles 5,000 tests', () => {
    const files = Array.from({ length: 250 }, (_, f) => ({
      path: `pkg/f${f}.test.ts`,
      broken: null,
      tests: Array.from({ length: 20 }, (_, t) => test(`d${t % 4} > case ${t}`, (['GREEN', 'YELLOW', 'RED'] as const)[t % 3])),
    }));
    const tree = rollUp({ files });
    const all = phaseRows(tree, ALL, new Set(allBranchKeys(tree)));
    const filtered = phaseRows(tree, { text: 'case 1', phases: new Set<Phase>(['RED', 'YELLOW']) }, new Set());
    expect(all.rows).toHaveLength(250 + 1000 + 5000);
    expect(filtered.matchedTests).toBeGreaterThan(0);
  });
});

describe('isFiltering', () => {
  it('is off with no text and no or every phase picked', () => {
    expect(isFiltering(ALL)).toBe(false);
    expect(isFiltering({ text: '  ', phases: new Set<Phase>(['RED', 'YELLOW', 'GREEN', 'BROKEN']) })).toBe(false);
    expect(isFiltering({ text: 'x', phases: new Set() })).toBe(true);
    expect(isFiltering({ text: '', phases: new Set<Phase>(['RED']) })).toBe(true);
  });
});

describe('findTest', () => {
  it('finds a test by key with its describe blocks and its history newest first', () => {
    const found = findTest(TREE, testKey('src/a.test.ts', 'math > edge > overflows'));
    expect(found).toMatchObject({ file: 'src/a.test.ts', name: 'overflows', describes: ['math', 'edge'], phase: 'YELLOW' });
    expect(found!.history.map((h) => h.phase)).toEqual(['YELLOW', 'RED']);
    expect(found!.approve).toMatchObject({ fullName: 'math > edge > overflows' });
  });

  it('is null for a key no test has (the test was removed)', () => {
    expect(findTest(TREE, testKey('src/a.test.ts', 'gone'))).toBeNull();
    expect(findTest(TREE, fileKey('src/a.test.ts'))).toBeNull();
  });
});
