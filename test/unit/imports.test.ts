import { beforeAll, describe, expect, test } from 'vitest';
import { scanImports, scannerReady, regexScan } from '../../src/core/imports/scan';
import { resolveImport } from '../../src/core/imports/resolve';
import { ImportGraph } from '../../src/core/imports/graph';

beforeAll(async () => {
  await scannerReady;
});

describe('static import scan', () => {
  test('imports, re-exports, side-effect imports, dynamic import of a literal, require', () => {
    const src = [
      "import a from './a';",
      "import { b } from './b.js'",
      "export * from './c';",
      "export { d } from './d';",
      "import './side.css';",
      "const e = await import('./e');",
      "const f = import(`./f${x}`);",
      "const g = require('./g');",
      "// import './commented'",
    ].join('\n');
    expect(scanImports(src).map((i) => i.specifier)).toEqual(['./a', './b.js', './c', './d', './side.css', './e', './g']);
    expect(scanImports(src).find((i) => i.specifier === './e')?.dynamic).toBe(true);
  });

  test('JSX, which the lexer cannot read, falls back to the regular scan', () => {
    const src = "import React from 'react';\nimport { Button } from './Button';\nexport const App = () => <Button label=\"import './not-real'\" />;\n/* import './nope' */";
    expect(scanImports(src).map((i) => i.specifier)).toEqual(['react', './Button']);
  });

  test('the fallback ignores strings that only look like imports in comments', () => {
    expect(regexScan("// import x from './x'\nimport y from './y'").map((i) => i.specifier)).toEqual(['./y']);
  });
});

describe('resolution', () => {
  const files = new Set(['/w/src/a.ts', '/w/src/b/index.ts', '/w/src/c.tsx', '/w/src/util.js', '/w/lib/x.ts', '/w/src/app/main.ts']);
  const exists = (p: string): boolean => files.has(p);

  test('relative paths with extension and index probing, and .js naming a .ts file', () => {
    expect(resolveImport('./a', '/w/src/t.test.ts', { exists })).toBe('/w/src/a.ts');
    expect(resolveImport('./b', '/w/src/t.test.ts', { exists })).toBe('/w/src/b/index.ts');
    expect(resolveImport('./a.js', '/w/src/t.test.ts', { exists })).toBe('/w/src/a.ts');
    expect(resolveImport('./util.js', '/w/src/t.test.ts', { exists })).toBe('/w/src/util.js');
    expect(resolveImport('../lib/x', '/w/src/t.test.ts', { exists })).toBe('/w/lib/x.ts');
  });

  test('Vite aliases, as a prefix and as a RegExp', () => {
    const aliases = [{ find: '@', replacement: '/w/src' }, { find: /^~lib\/(.*)$/, replacement: '/w/lib/$1' }];
    expect(resolveImport('@/c', '/w/test/t.test.ts', { exists, aliases })).toBe('/w/src/c.tsx');
    expect(resolveImport('~lib/x', '/w/test/t.test.ts', { exists, aliases })).toBe('/w/lib/x.ts');
    expect(resolveImport('@scope/pkg', '/w/test/t.test.ts', { exists, aliases })).toBeUndefined();
  });

  test('tsconfig paths', () => {
    const tsPaths = [{ baseDir: '/w', paths: { '@app/*': ['src/app/*'], 'lib': ['lib/x.ts'] } }];
    expect(resolveImport('@app/main', '/w/test/t.test.ts', { exists, tsPaths })).toBe('/w/src/app/main.ts');
    expect(resolveImport('lib', '/w/test/t.test.ts', { exists, tsPaths })).toBe('/w/lib/x.ts');
  });

  test('packages and query suffixes', () => {
    expect(resolveImport('vitest', '/w/src/t.test.ts', { exists })).toBeUndefined();
    expect(resolveImport('./a?raw', '/w/src/t.test.ts', { exists })).toBe('/w/src/a.ts');
  });
});

describe('import graph', () => {
  const g = new ImportGraph();
  g.setImports('t1.test', ['a']);
  g.setImports('t2.test', ['b']);
  g.setImports('t3.test', []);
  g.setImports('a', ['shared']);
  g.setImports('b', ['c']);
  g.setImports('c', ['b', 'shared']); // a cycle b ↔ c
  const tests = new Set(['t1.test', 't2.test', 't3.test']);

  test('a change affects exactly the tests whose closure holds it, through cycles', () => {
    expect(g.affected(['shared'], tests)).toEqual(['t1.test', 't2.test']);
    expect(g.affected(['c'], tests)).toEqual(['t2.test']);
    expect(g.affected(['t3.test'], tests)).toEqual(['t3.test']);
    expect(g.affected(['unknown'], tests)).toEqual([]);
  });

  test('closures and re-pointing an import', () => {
    expect([...g.closure('t2.test')].sort()).toEqual(['b', 'c', 'shared', 't2.test']);
    g.setImports('a', []);
    expect(g.affected(['shared'], tests)).toEqual(['t2.test']);
  });
});
