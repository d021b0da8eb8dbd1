import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../../src/core/seeded-random';
import { findTestDeclarations, flattenDeclarations, scanTestDeclarations } from '../../../src/core/discovery/test-declarations';

// A realistic test file to time and to mutate.
function sampleFile(lines: number): string {
  const out: string[] = ["import { describe, expect, test } from 'vitest';", "import { thing } from '../src/thing';"];
  let n = 0;
  while (out.length < lines) {
    out.push(`describe('group ${n}', () => {`, '  // a comment with test(\'x\') in it', '  const re = /test\\(/g;');
    for (let k = 0; k < 8; k++) {
      out.push(
        `  test('case ${n}.${k} – it\\'s fine', async () => {`,
        `    const s = \`value \${thing(${k})} and "quotes"\`;`,
        '    expect(thing(1) / 2).toBe(0.5);',
        '  });',
      );
    }
    out.push(`  test.each([[1, 2], [3, 4]])('adds %i + %i', (a: number, b: number) => { expect(a + b).toBeGreaterThan(0); });`, '});', '');
    n++;
  }
  return out.join('\n');
}

// Timings are measured by bench/discovery.mjs, not asserted here (a loaded CI machine is slow).
describe('large and pathological input', () => {
  test('a 5,000-line file: every describe with its tests', () => {
    const all = flattenDeclarations(findTestDeclarations(sampleFile(5000)));
    expect(all.length).toBeGreaterThan(1000);
    expect(all.filter((d) => d.kind === 'describe').every((d) => d.children!.length === 9)).toBe(true);
  });

  test('pathological shapes finish (a scanner with backtracking would time the test out)', () => {
    const shapes = ['('.repeat(50_000), ')'.repeat(50_000), '`${'.repeat(20_000), "describe('a', () => {".repeat(2_000), '/'.repeat(50_000), '<'.repeat(50_000), 'test.each'.repeat(10_000), '\\'.repeat(50_000)];
    for (const src of shapes) expect(Array.isArray(scanTestDeclarations(src))).toBe(true);
  });
});

describe('never throws', () => {
  const random = seededRandom(20240611);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const pieces = ['describe', 'test', 'it', 'suite', '.each', '.skip', '.for', '.skipIf', '(', ')', '[', ']', '{', '}', '<', '>', '=>', "'", '"', '`', '${', '/', '//', '/*', '*/', '\\', '\n', '\r\n', '\r', ' ', ',', ';', '.', 'x', '1', '%s', '😀', '\u2028', 'function', 'return'];
  const check = (src: string): void => {
    let tree;
    try {
      tree = scanTestDeclarations(src);
    } catch (e) {
      throw new Error(`threw on ${JSON.stringify(src)}: ${String(e)}`);
    }
    for (const d of flattenDeclarations(tree)) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(0);
      expect(d.endLine).toBeGreaterThanOrEqual(d.line);
      expect(typeof d.name).toBe('string');
    }
  };

  test('random sequences of JavaScript fragments', () => {
    for (let round = 0; round < 3000; round++) {
      const length = Math.floor(random() * 60);
      let src = '';
      for (let k = 0; k < length; k++) src += pick(pieces);
      check(src);
    }
  });

  test('random characters', () => {
    for (let round = 0; round < 500; round++) {
      let src = '';
      const length = Math.floor(random() * 200);
      for (let k = 0; k < length; k++) src += String.fromCharCode(Math.floor(random() * 0x3000));
      check(src);
    }
  });

  test('a real file with random cuts and insertions', () => {
    const base = sampleFile(60);
    for (let round = 0; round < 500; round++) {
      let src = base;
      for (let edit = 0; edit < 5; edit++) {
        const at = Math.floor(random() * src.length);
        src = random() < 0.5 ? src.slice(0, at) + src.slice(at + Math.floor(random() * 20)) : src.slice(0, at) + pick(pieces) + src.slice(at);
      }
      check(src);
    }
  });
});
