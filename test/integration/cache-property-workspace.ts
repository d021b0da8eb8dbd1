// The generated workspace of the cache property test (cache-property.test.ts): 12 source modules
// and 16 test files, from a seed. Every file's text is rendered from a small state object (a
// constant, a cosmetic revision, the expected values a test asserts), so the generator always
// knows (1) the value each exported function returns — the tests assert on values computed
// through the whole graph, so changing one constant flips the outcome of exactly the tests that
// reach it — and (2) each test file's import closure, so it can say which files a step affected
// without asking Redline.
//
//   src/util/math.js   BASE; mix(a, b)            shared: every module below imports it
//   src/util/fmt.js    SEP; tag(n)                shared: m1 and m4 import it
//   src/core/m1..m6.js Ki; mi(), miLabel()        a random DAG (each imports 0–1 earlier ones)
//   src/index.js       KI; combined()             re-exports: `export { … } from`, `as`, `export *`
//   src/cyc/left.js ⇄ src/cyc/right.js            a cycle (each calls the other lazily)
//   src/lazy.js        KZ; lazy()                 `await import('./core/mX.js')` of a literal
import { createHash } from 'node:crypto';

export const MOD = 1_000_003;

/** mulberry32: tiny and good enough to shape a workspace and pick steps; same seed, same run. */
export function prng(seed: number): { next: () => number; int: (lo: number, hi: number) => number; pick: <T>(xs: readonly T[]) => T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, int, pick };
}

// ---------------------------------------------------------------------------------------------
// Source modules

/** What a source module's text is rendered from: its constant and a comment-only revision. */
export interface SourceState {
  readonly k: number;
  readonly rev: number;
}

/** One test of a test file: what it asserts on, through which module. */
export interface Entry {
  /** Module path the test file imports it from (relative to the root). */
  readonly from: string;
  /** The exported name. */
  readonly name: string;
  /** The call, e.g. `m3()`; `await` for lazy. */
  readonly call: (local: string) => string;
  /** Its value given every module's constant. */
  readonly value: (k: ReadonlyMap<string, number>) => number | string;
}

export interface TestState {
  /** The value each entry's test expects (a number no module can return breaks it). */
  readonly expected: readonly (number | string)[];
  readonly rev: number;
  /** A top-level throw (BROKEN at collection) or a syntax error (BROKEN at parse). */
  readonly broken?: 'throw' | 'syntax';
}

export interface ConfigState {
  readonly timeout: number;
}

export interface Graph {
  /** Source module path → the workspace modules it imports (static and literal dynamic). */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  readonly sources: readonly string[];
  readonly tests: readonly string[];
  /** Test path → its entries (fixed for the whole run; only expectations change). */
  readonly entries: ReadonlyMap<string, readonly Entry[]>;
  /** Test path → it has a `test.todo` (so per-test states are not all pass/fail). */
  readonly todo: ReadonlySet<string>;
  readonly render: (path: string, state: SourceState) => string;
  readonly initialK: ReadonlyMap<string, number>;
}

export const MATH = 'src/util/math.js';
export const FMT = 'src/util/fmt.js';
export const INDEX = 'src/index.js';
export const LEFT = 'src/cyc/left.js';
export const RIGHT = 'src/cyc/right.js';
export const LAZY = 'src/lazy.js';
export const CONFIG = 'vitest.config.js';
const core = (i: number): string => `src/core/m${i}.js`;

/** Builds the graph, the renderers and the value model from the seed. */
export function makeGraph(seed: number, testCount = 16): Graph {
  const rnd = prng(seed);
  const CORE = [1, 2, 3, 4, 5, 6];
  const coreDeps = new Map<number, number[]>();
  for (const i of CORE) {
    const deps = new Set<number>();
    // At most one earlier module each: a forest of short chains, so most edits affect a few files.
    const n = i === 1 ? 0 : rnd.int(0, 1);
    for (let d = 0; d < n; d++) deps.add(rnd.int(1, i - 1));
    coreDeps.set(i, [...deps].sort((a, b) => a - b));
  }
  const withLabel = (i: number): boolean => i === 1 || i === 4;
  // Which core modules index.js re-exports, and how; which one the cycle and lazy.js reach.
  const [reA, reB, reC] = shuffle(CORE, rnd).slice(0, 3) as [number, number, number];
  const combinedDep = rnd.pick(CORE);
  const cycDep = rnd.pick(CORE);
  const lazyDep = rnd.pick(CORE);

  // The value model: mirrors the rendered JavaScript exactly (integers far below 2^53).
  const mix = (k: ReadonlyMap<string, number>, a: number, b: number): number => (a * 31 + b * 17 + k.get(MATH)!) % MOD;
  const tag = (k: ReadonlyMap<string, number>, n: number): string => `v${k.get(FMT)!}:${n}`;
  const memo = new WeakMap<ReadonlyMap<string, number>, Map<number, number>>();
  const coreValue = (k: ReadonlyMap<string, number>, i: number): number => {
    let m = memo.get(k);
    if (!m) memo.set(k, (m = new Map()));
    const known = m.get(i);
    if (known !== undefined) return known;
    const v = mix(k, k.get(core(i))!, coreDeps.get(i)!.reduce((s, d) => s + coreValue(k, d), 0));
    m.set(i, v);
    return v;
  };
  const right1 = (k: ReadonlyMap<string, number>): number => mix(k, k.get(RIGHT)!, 0);
  const left1 = (k: ReadonlyMap<string, number>): number => mix(k, k.get(LEFT)!, coreValue(k, cycDep));

  const imports = new Map<string, string[]>([
    [MATH, []],
    [FMT, []],
    ...CORE.map((i): [string, string[]] => [core(i), [MATH, ...(withLabel(i) ? [FMT] : []), ...coreDeps.get(i)!.map(core)]]),
    [INDEX, [MATH, core(combinedDep), core(reA), core(reB), core(reC)]],
    [LEFT, [MATH, RIGHT, core(cycDep)]],
    [RIGHT, [MATH, LEFT]],
    [LAZY, [MATH, core(lazyDep)]],
  ]);

  const render = (path: string, s: SourceState): string => {
    const head = `// Generated for the cache property test (seed ${seed}); revision ${s.rev}.\n`;
    if (path === MATH) return `${head}export const MOD = ${MOD};\nexport const BASE = ${s.k};\n\nexport function mix(a, b) {\n  return (a * 31 + b * 17 + BASE) % MOD;\n}\n`;
    if (path === FMT) return `${head}export const SEP = ${s.k};\n\nexport function tag(n) {\n  return 'v' + SEP + ':' + n;\n}\n`;
    if (path === INDEX) {
      return (
        `${head}import { mix } from './util/math.js';\nimport { m${combinedDep} } from './core/m${combinedDep}.js';\n` +
        `export { m${reA} } from './core/m${reA}.js';\nexport { m${reB} as renamed${reB} } from './core/m${reB}.js';\nexport * from './core/m${reC}.js';\n\n` +
        `export const KI = ${s.k};\n\nexport function combined() {\n  return mix(KI, m${combinedDep}());\n}\n`
      );
    }
    if (path === LEFT) {
      return (
        `${head}import { mix } from '../util/math.js';\nimport { right } from './right.js';\nimport { m${cycDep} } from '../core/m${cycDep}.js';\n\n` +
        `export const KL = ${s.k};\n\n// Called at depth 0 by tests, at depth 1 by right(): the cycle ends there.\n` +
        `export function left(depth = 0) {\n  return depth > 0 ? mix(KL, m${cycDep}()) : mix(KL, right(1));\n}\n`
      );
    }
    if (path === RIGHT) {
      return (
        `${head}import { mix } from '../util/math.js';\nimport { left } from './left.js';\n\n` +
        `export const KR = ${s.k};\n\nexport function right(depth = 0) {\n  return depth > 0 ? mix(KR, 0) : mix(KR, left(1));\n}\n`
      );
    }
    if (path === LAZY) {
      return (
        `${head}import { mix } from './util/math.js';\n\nexport const KZ = ${s.k};\n\n` +
        `export async function lazy() {\n  const { m${lazyDep} } = await import('./core/m${lazyDep}.js');\n  return mix(KZ, m${lazyDep}());\n}\n`
      );
    }
    const i = Number(/m(\d)\.js$/.exec(path)![1]);
    const deps = coreDeps.get(i)!;
    return (
      head +
      `import { mix } from '../util/math.js';\n` +
      (withLabel(i) ? `import { tag } from '../util/fmt.js';\n` : '') +
      deps.map((d) => `import { m${d} } from './m${d}.js';\n`).join('') +
      `\nexport const K${i} = ${s.k};\n\nexport function m${i}() {\n  return mix(K${i}, ${deps.length ? deps.map((d) => `m${d}()`).join(' + ') : '0'});\n}\n` +
      (withLabel(i) ? `\nexport function m${i}Label() {\n  return tag(m${i}());\n}\n` : '')
    );
  };

  // Every way a test can reach a value: directly, through the re-exports, the cycle, lazy.js.
  const plain = (local: string): string => `${local}()`;
  const ENTRIES: Entry[] = [
    { from: MATH, name: 'mix', call: (l) => `${l}(2, 3)`, value: (k) => mix(k, 2, 3) },
    { from: FMT, name: 'tag', call: (l) => `${l}(7)`, value: (k) => tag(k, 7) },
    ...CORE.map((i): Entry => ({ from: core(i), name: `m${i}`, call: plain, value: (k) => coreValue(k, i) })),
    ...CORE.filter(withLabel).map((i): Entry => ({ from: core(i), name: `m${i}Label`, call: plain, value: (k) => tag(k, coreValue(k, i)) })),
    { from: INDEX, name: `m${reA}`, call: plain, value: (k) => coreValue(k, reA) },
    { from: INDEX, name: `renamed${reB}`, call: plain, value: (k) => coreValue(k, reB) },
    { from: INDEX, name: `m${reC}`, call: plain, value: (k) => coreValue(k, reC) },
    { from: INDEX, name: 'combined', call: plain, value: (k) => mix(k, k.get(INDEX)!, coreValue(k, combinedDep)) },
    { from: LEFT, name: 'left', call: plain, value: (k) => mix(k, k.get(LEFT)!, right1(k)) },
    { from: RIGHT, name: 'right', call: plain, value: (k) => mix(k, k.get(RIGHT)!, left1(k)) },
    { from: LAZY, name: 'lazy', call: (l) => `await ${l}()`, value: (k) => mix(k, k.get(LAZY)!, coreValue(k, lazyDep)) },
  ];

  const tests: string[] = [];
  const entries = new Map<string, Entry[]>();
  const todo = new Set<string>();
  for (let t = 1; t <= testCount; t++) {
    const path = `test/t${String(t).padStart(2, '0')}.test.js`;
    tests.push(path);
    entries.set(path, shuffle(ENTRIES, rnd).slice(0, rnd.int(1, 2)));
    if (rnd.next() < 0.25) todo.add(path);
  }
  const sources = [...imports.keys()];
  const initialK = new Map(sources.map((p) => [p, rnd.int(1, 999)]));
  return { imports, sources, tests, entries, todo, render, initialK };
}

/** The text of a test file. Each entry is imported under a local name of its own (e0, e1, …). */
export function renderTest(graph: Graph, path: string, s: TestState): string {
  const entries = graph.entries.get(path)!;
  const name = path.slice('test/'.length, -'.test.js'.length);
  const lines = [
    `// Generated test file of the cache property test; revision ${s.rev}.`,
    `import { describe, expect, test } from 'vitest';`,
    ...entries.map((e, i) => `import { ${e.name} as e${i} } from '../${e.from}';`),
    '',
  ];
  if (s.broken === 'throw') lines.push(`throw new Error('${name} is broken on purpose');`, '');
  if (s.broken === 'syntax') lines.push(`const = 'a syntax error on purpose';`, '');
  lines.push(`describe('${name}', () => {`);
  entries.forEach((e, i) => {
    const isAsync = e.call('x').startsWith('await');
    lines.push(`  test('${e.from} ${e.name}', ${isAsync ? 'async ' : ''}() => {`, `    expect(${e.call(`e${i}`)}).toBe(${JSON.stringify(s.expected[i])});`, '  });');
  });
  lines.push(`  test('sane', () => {`, `    expect(typeof e0).toBe('function');`, '  });');
  // Some files carry a todo on purpose, so the comparison with plain Vitest covers that state too.
  if (graph.todo.has(path)) lines.push(`  test.todo('later');`);
  lines.push('});', '');
  return lines.join('\n');
}

export function renderConfig(s: ConfigState): string {
  return [
    "import { defineConfig } from 'vitest/config';",
    '',
    'export default defineConfig({',
    "  // node_modules is a link to the repository's: keep Vite's and Vitest's caches in here, one",
    '  // folder per process kind, so a plain Vitest and Redline running side by side never share one.',
    "  cacheDir: process.env.PROP_CACHE_DIR ?? '.cache/vite',",
    `  test: { include: ['test/**/*.test.js'], testTimeout: ${s.timeout} },`,
    '});',
    '',
  ].join('\n');
}

/** Every module a test file's result can depend on (the file itself included). */
export function closure(graph: Graph, test: string): Set<string> {
  const seen = new Set<string>([test]);
  const stack = graph.entries.get(test)!.map((e) => e.from);
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...(graph.imports.get(f) ?? []));
  }
  return seen;
}

/** Identity of what a test file's result depends on: the contents of its closure and the config. */
export function inputsKey(texts: ReadonlyMap<string, string>, files: Iterable<string>): string {
  const h = createHash('sha256');
  for (const f of [...files].sort()) h.update(`${f}\0${texts.get(f) ?? '<missing>'}\0`);
  return h.digest('hex');
}

function shuffle<T>(xs: readonly T[], rnd: ReturnType<typeof prng>): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
