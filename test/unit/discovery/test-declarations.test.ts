import { describe, expect, test } from 'vitest';
import { findTestDeclarations, flattenDeclarations, type TestDeclaration } from '../../../src/core/discovery/test-declarations';

const flat = (source: string): TestDeclaration[] => flattenDeclarations(findTestDeclarations(source));
const fullNames = (source: string): string[] => flat(source).map((d) => d.fullName);
const one = (source: string): TestDeclaration => {
  const all = flat(source);
  expect(all).toHaveLength(1);
  return all[0]!;
};

describe('the plain forms', () => {
  test('describe, suite, it and test; bench is not a test', () => {
    const src = [
      "describe('a', () => {",
      "  it('one', () => {});",
      "  test('two', async () => {});",
      '});',
      "suite('s', function () {",
      "  test('three', function () {});",
      '});',
      "bench('fast', () => {});",
    ].join('\n');
    expect(flat(src).map((d) => [d.kind, d.fullName])).toEqual([
      ['describe', 'a'], ['test', 'a > one'], ['test', 'a > two'], ['describe', 's'], ['test', 's > three'],
    ]);
  });

  test('the tree: describes carry children in source order, tests none', () => {
    const tree = findTestDeclarations("describe('a', () => { test('x', () => {}); describe('b', () => { test('y') }) });\ntest('z', () => {})");
    expect(tree.map((d) => d.name)).toEqual(['a', 'z']);
    expect(tree[0]!.children!.map((d) => d.name)).toEqual(['x', 'b']);
    expect(tree[0]!.children![1]!.children!.map((d) => d.fullName)).toEqual(['a > b > y']);
    expect(tree[1]!.children).toBeUndefined();
  });

  test('three levels deep, siblings after a nested describe return to the right parent', () => {
    const src = `
describe('outer', () => {
  describe('middle', () => {
    describe('inner', () => {
      test('deep', () => {
        expect(1).toBe(1);
      });
    });
    test('in middle', () => {});
  });
  test('in outer', () => {});
});
test('top', () => {});
`;
    expect(fullNames(src)).toEqual([
      'outer', 'outer > middle', 'outer > middle > inner', 'outer > middle > inner > deep',
      'outer > middle > in middle', 'outer > in outer', 'top',
    ]);
  });

  test('no modifiers, not dynamic', () => {
    expect(one("test('x', () => {})")).toMatchObject({ modifiers: [], dynamic: false, kind: 'test' });
  });
});

// The `.only`, `.skip`, `.todo`, `skipIf`… below are source text the scanner reads, inside strings:
// no test of this file is focused or skipped.
describe('chained forms', () => {
  test.each([
    ["describe.skip('n', () => {})", 'describe', ['skip']],
    ["describe.only('n', () => {})", 'describe', ['only']],
    ["describe.todo('n')", 'describe', ['todo']],
    ["describe.concurrent('n', () => {})", 'describe', ['concurrent']],
    ["describe.sequential('n', () => {})", 'describe', ['sequential']],
    ["describe.shuffle('n', () => {})", 'describe', ['shuffle']],
    ["it.skip('n', () => {})", 'test', ['skip']],
    ["test.only('n', () => {})", 'test', ['only']],
    ["test.todo('n')", 'test', ['todo']],
    ["test.fails('n', () => {})", 'test', ['fails']],
    ["it.concurrent.skip('n', () => {})", 'test', ['concurrent', 'skip']],
    ["test.skipIf(process.env.CI)('n', () => {})", 'test', ['skipIf']],
    ["test.runIf(isLinux())('n', () => {})", 'test', ['runIf']],
    ["test.for([1, 2])('n', ([a]) => {})", 'test', ['for']],
    ["test.each([[1, 2], [3, 4]])('n', (a, b) => {})", 'test', ['each']],
    ["describe.each([{ a: 1 }])('n', ({ a }) => {})", 'describe', ['each']],
    ["test.only.each([1])('n', () => {})", 'test', ['only', 'each']],
    ["test.concurrent.for([1])('n', () => {})", 'test', ['concurrent', 'for']],
    ["describe.skipIf(a)('n', () => {})", 'describe', ['skipIf']],
  ] as const)('%s', (src, kind, modifiers) => {
    expect(one(src)).toMatchObject({ kind, name: 'n', modifiers, dynamic: false });
  });

  test('describe.each with a tagged-template table', () => {
    const src = [
      'describe.each`',
      '  a    | b    | expected',
      '  ${1} | ${1} | ${2}',
      '  ${2} | ${1} | ${3}',
      "`('$a + $b', ({ a, b, expected }) => {",
      "  test(`returns ${expected}`, () => {});",
      '});',
    ].join('\n');
    const [d, t] = flat(src);
    expect(d).toMatchObject({ kind: 'describe', name: '$a + $b', modifiers: ['each'], dynamic: true, line: 1, column: 0, endLine: 7 });
    expect(t).toMatchObject({ name: 'returns ${expected}', fullName: '$a + $b > returns ${expected}', dynamic: true });
  });

  test('.each and .for names with %s, %i, %#, $var are dynamic; %% alone is not', () => {
    expect(one("test.each([1])('adds %i', () => {})").dynamic).toBe(true);
    expect(one("test.each([1])('case %#', () => {})").dynamic).toBe(true);
    expect(one("test.for([{a: 1}])('a is $a', () => {})").dynamic).toBe(true);
    expect(one("test.each([1])('100%% sure', () => {})").dynamic).toBe(false);
    // Outside .each a %s is just text.
    expect(one("test('prints %s', () => {})").dynamic).toBe(false);
  });

  test('TypeScript type arguments on .each and on the call', () => {
    expect(one("test.each<[number, string]>([[1, 'a']])('n %s', (n: number, s: string) => {})")).toMatchObject({ name: 'n %s', modifiers: ['each'] });
    expect(one("test.for<{ a: Map<string, Array<number>> }>([])('n', () => {})").name).toBe('n');
    expect(one("test<{ page: Page }>('typed', ({ page }) => {})").name).toBe('typed');
  });

  test('unknown chained words are not declarations', () => {
    expect(flat("test.extend({ a: 1 }); describe.whatever('x', () => {}); it.skip.nope('y', () => {})")).toEqual([]);
  });

  test('a test.extend result declares tests too', () => {
    const src = [
      "import { test as base } from 'vitest';",
      'const myTest = base.extend({});',
      "export const it2 = test.extend<{ db: Db }>({ db: async ({}, use) => use(1) });",
      "it2('with db', ({ db }) => {});",
      "it2.skip('skipped', () => {});",
    ].join('\n');
    // `base` is an alias we cannot follow, so `myTest` stays unknown; `it2` comes from `test`.
    expect(flat(src).map((d) => [d.name, d.modifiers])).toEqual([['with db', []], ['skipped', ['skip']]]);
  });
});

describe('names', () => {
  test('single, double and backtick quotes; a template without ${} is a literal', () => {
    expect(fullNames("test('a', f); test(\"b\", f); test(`c`, f);")).toEqual(['a', 'b', 'c']);
    expect(one('test(`c`, f)').dynamic).toBe(false);
  });

  test('escapes are decoded, quotes inside names survive', () => {
    expect(one("test('it\\'s \"quoted\"', f)").name).toBe('it\'s "quoted"');
    expect(one('test("tab\\there \\u00e9 \\u{1F600} \\x41", f)').name).toBe('tab\there é 😀 A');
    expect(one('test(`back\\`tick`, f)').name).toBe('back`tick');
    expect(one("test('line \\\ncontinued', f)").name).toBe('line continued');
  });

  test('malformed escapes are kept as written', () => {
    expect(one("test('\\u{110000} \\xZZ \\u12', f)").name).toBe('\\u{110000} \\xZZ \\u12');
  });

  test('unicode and emoji; columns count UTF-16 units as the editor does', () => {
    const d = flat("/* 😀 */ test('größe ✓ 日本', f)")[0]!;
    expect(d.name).toBe('größe ✓ 日本');
    expect(d.column).toBe(9);
  });

  test("' > ' inside a name is kept as is", () => {
    expect(fullNames("describe('a > b', () => { test('c > d', f) })")).toEqual(['a > b', 'a > b > c > d']);
  });

  test('a template with ${} is dynamic and keeps its raw text', () => {
    expect(one('test(`adds ${a} + ${ {b: 1}.b }`, f)')).toMatchObject({ name: 'adds ${a} + ${ {b: 1}.b }', dynamic: true });
  });

  test('an expression name is dynamic and shown as written, whitespace folded', () => {
    expect(one('describe(MyClass, () => {})')).toMatchObject({ name: 'MyClass', dynamic: true, kind: 'describe' });
    expect(one("test('a' +\n   name, () => {})")).toMatchObject({ name: "'a' + name", dynamic: true });
    expect(fullNames('for (const c of cases) {\n  test(c.name, () => {});\n}')).toEqual(['c.name']);
  });

  test('an expression name needs a second argument (no lone call like test(x))', () => {
    expect(flat('const r = test(x);')).toEqual([]);
    expect(flat('test()')).toEqual([]);
  });
});

describe('what is not a declaration', () => {
  test('comments, strings and templates that look like tests', () => {
    const src = [
      "// test('line comment', () => {})",
      "/* describe('block', () => {",
      "   it('inside', () => {}) */",
      "const s = 'describe(\"x\", () => {})';",
      'const d = "it(\'y\', f)";',
      "const t = `test('z', f) ${`nested test('q') ${ '}' }`} }`;",
      "test('real', () => {});",
    ].join('\n');
    expect(fullNames(src)).toEqual(['real']);
  });

  test('regex literals, including ones holding quotes, slashes and brackets', () => {
    const src = [
      'const re = /test\\(/;',
      "const q = /['\"`]/g;",
      'const cls = /[/(]test(/;',
      "if (/describe\\('/.test(line)) {}",
      "test('after regexes', () => {});",
    ].join('\n');
    expect(fullNames(src)).toEqual(['after regexes']);
  });

  test('division is not mistaken for a regex', () => {
    const src = "const half = total / 2; const r = (a) / (b) / c;\ntest('x', () => { const y = arr[0] / 2 / 3; });";
    expect(fullNames(src)).toEqual(['x']);
  });

  test('method calls and longer identifiers', () => {
    const src = "regex.test(x); obj?.it('a', f); this.#test('b', f); mytest('c', f); test_('d', f); $it('e', f); node.describe('f', f);";
    expect(flat(src)).toEqual([]);
  });

  test('function and method definitions named like the globals', () => {
    const src = [
      'function test(name, fn) {}',
      'class X { it(name, fn) { return 1; } async describe(a: string): Promise<void> {} }',
      'interface T { test(name: string, fn: () => void): void; }',
      'const o = { test(a, b) { } };',
    ].join('\n');
    expect(flat(src)).toEqual([]);
  });

  test('calls inside a test body are not declarations', () => {
    expect(fullNames("test('outer', () => { test('inner', f); describe('d', f); });\ntest('next', f)")).toEqual(['outer', 'next']);
  });
});

describe('TypeScript and JSX', () => {
  test('type annotations, generics, async arrows, satisfies', () => {
    const src = [
      'import type { Foo } from "./foo";',
      'type Row = { a: number; b: Array<Map<string, number>> };',
      "describe('typed', () => {",
      '  const rows: Row[] = [];',
      "  test('async', async ({ expect }: { expect: ExpectStatic }): Promise<void> => {",
      '    const x = <T,>(v: T): T => v;',
      '    expect(x(1) as number).toBe(1);',
      '  });',
      "  it('satisfies', () => { const c = { a: 1 } satisfies Partial<Row>; });",
      '});',
    ].join('\n');
    expect(fullNames(src)).toEqual(['typed', 'typed > async', 'typed > satisfies']);
  });

  test('JSX with apostrophes, slashes and stray brackets in its text', () => {
    const src = [
      "describe('Button', () => {",
      "  test('renders', () => {",
      "    render(<p>Don't (really) click {count}/{total} :(</p>);",
      '  });',
      "  test('second', () => {",
      '    render(<a href="/x">it(</a>);',
      '  });',
      '});',
    ].join('\n');
    expect(fullNames(src)).toEqual(['Button', 'Button > renders', 'Button > second']);
  });
});

describe('positions', () => {
  test('line (1-based), column (0-based) of the call start, endLine of its closing parenthesis', () => {
    const src = [
      "describe('a', () => {", // 1
      '', // 2
      "    test.each([1])('b %i', () => {", // 3
      '      expect(1).toBe(1);', // 4
      '    });', // 5
      "  test.todo('c')", // 6
      '});', // 7
    ].join('\n');
    expect(flat(src).map((d) => [d.name, d.line, d.column, d.endLine])).toEqual([
      ['a', 1, 0, 7], ['b %i', 3, 4, 5], ['c', 6, 2, 6],
    ]);
  });

  test('CRLF line endings count as one line; lone CR as a line break', () => {
    const lf = "describe('a', () => {\n  test('b', () => {\n  });\n});\n";
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(flat(crlf).map((d) => [d.line, d.column, d.endLine])).toEqual(flat(lf).map((d) => [d.line, d.column, d.endLine]));
    expect(flat("test('x', f)\r\rtest('y', f)").map((d) => d.line)).toEqual([1, 3]);
  });

  test('a multi-line template or block comment before a test moves its line on', () => {
    const src = "const a = `\n\n${'x'}\n`;\n/*\n\n*/ test('t', f)";
    expect(one(src)).toMatchObject({ line: 7, column: 3 });
  });
});

// The runner's rule (core/test-names): the k-th test of a full name in the file gets " (k)", so the
// item the Test Explorer shows before a run is the one the run reports into.
describe('tests of one full name', () => {
  test('two in one describe: the second gets (2), in name and fullName', () => {
    const src = "describe('d', () => {\n  it('works', f);\n  it('other', f);\n  it('works', f);\n});";
    expect(flat(src).map((d) => [d.name, d.fullName, d.line])).toEqual([
      ['d', 'd', 1], ['works', 'd > works', 2], ['other', 'd > other', 3], ['works (2)', 'd > works (2)', 4],
    ]);
  });

  test('two describes of one name, each with it("x"): describes keep their name, the second x gets (2)', () => {
    const src = "describe('A', () => { it('x', f); });\ndescribe('A', () => { it('x', f); it('y', f); });";
    expect(fullNames(src)).toEqual(['A', 'A > x', 'A', 'A > x (2)', 'A > y']);
    const tree = findTestDeclarations(src);
    expect(tree[1]!.children!.map((d) => d.name)).toEqual(['x (2)', 'y']);
  });

  test('three of a kind, in declaration order across nesting', () => {
    const src = "test('t', f);\ndescribe('d', () => { test('t', f); });\ntest('t', f);\ntest.skip('t', f);\ntest.todo('t');";
    expect(fullNames(src)).toEqual(['t', 'd', 'd > t', 't (2)', 't (3)', 't (4)']);
  });

  test('a name written with " (2)" keeps it; the duplicate takes the next free number', () => {
    expect(fullNames("test('x', f); test('x', f); test('x (2)', f);")).toEqual(['x', 'x (3)', 'x (2)']);
  });

  test('no duplicates: names as written', () => {
    expect(fullNames("describe('a', () => { test('x', f); }); describe('b', () => { test('x', f); }); test('x', f);"))
      .toEqual(['a', 'a > x', 'b', 'b > x', 'x']);
  });

  test('dynamic names take part as written', () => {
    const src = "test.each([1, 2])('row %s', f);\ntest.each([3])('row %s', f);";
    expect(flat(src).map((d) => [d.name, d.dynamic])).toEqual([['row %s', true], ['row %s (2)', true]]);
  });
});

describe('broken input', () => {
  test('an unterminated describe still holds what follows; endLine is the last line', () => {
    const src = "describe('open', () => {\n  test('a', () => {});\n  test('b', () => {";
    expect(flat(src).map((d) => [d.fullName, d.endLine])).toEqual([['open', 3], ['open > a', 2], ['open > b', 3]]);
  });

  test('unterminated strings, templates, comments and regexes', () => {
    expect(fullNames("test('a\ntest('b', f)")).toEqual(['b']);
    expect(fullNames("test('ok', f)\nconst s = `never closed ${ test('no', f)")).toEqual(['ok']);
    expect(fullNames("test('ok', f) /* open comment test('no', f)")).toEqual(['ok']);
    expect(fullNames("const r = /unclosed\ntest('yes', f)")).toEqual(['yes']);
  });

  test('a test whose argument list never closes', () => {
    expect(one("test('x', () => {")).toMatchObject({ name: 'x', endLine: 1 });
  });

  test('stray closing brackets do not end the enclosing describe early', () => {
    // A stray `}` closes the callback early, but the test is still inside describe's parentheses.
    expect(fullNames("describe('d', () => {\n  ]] }\n  test('t', f);\n});")).toEqual(['d', 'd > t']);
    expect(fullNames("describe('d', () => {\n  ]]\n  test('t', f);\n});")).toEqual(['d', 'd > t']);
  });

  test('empty input and whitespace', () => {
    expect(findTestDeclarations('')).toEqual([]);
    expect(findTestDeclarations(' \n\t\r\n')).toEqual([]);
  });
});
