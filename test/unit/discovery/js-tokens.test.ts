import { describe, expect, test } from 'vitest';
import { cook, matchBrackets, tokenize } from '../../../src/core/discovery/js-tokens';

const kinds = (source: string): string[] => tokenize(source).map((t) => `${t.kind}:${t.value}`);

describe('the tokenizer', () => {
  test('identifiers, numbers, punctuation with =>, ?. and ... kept whole', () => {
    expect(kinds('a?.b => ...c 1.5e3 .5 x?.5:1')).toEqual([
      'ident:a', 'punct:?.', 'ident:b', 'punct:=>', 'punct:...', 'ident:c', 'number:1.5e3', 'number:.5',
      'ident:x', 'punct:?', 'number:.5', 'punct::', 'number:1',
    ]);
  });

  test('comments vanish; strings are decoded', () => {
    expect(kinds("a // x\n/* y\n*/ 'q\\n' \"r\"")).toEqual(['ident:a', 'string:q\n', 'string:r']);
  });

  test('a template is one token: cooked without ${}, raw with it', () => {
    expect(kinds('`a\\tb`')).toEqual(['template:a\tb']);
    const [t] = tokenize('`x ${ {a: `y ${z}`}.a } w`');
    expect(t).toMatchObject({ kind: 'template', value: 'x ${ {a: `y ${z}`}.a } w', substitution: true });
  });

  test('template CRLF is cooked to LF, as JavaScript does', () => {
    expect(tokenize('`a\r\nb`')[0]!.value).toBe('a\nb');
  });

  test('regex or division decided by the token before', () => {
    expect(kinds('x = /a\\/b[/]/gi')).toEqual(['ident:x', 'punct:=', 'regex:/a\\/b[/]/gi']);
    expect(kinds('a / b / c').filter((k) => k.startsWith('regex'))).toEqual([]);
    expect(kinds('return /x/')).toEqual(['ident:return', 'regex:/x/']);
    expect(kinds('f() / 2 /')).toContain('punct:/');
  });

  test('lines and columns, including after multi-line tokens', () => {
    const tokens = tokenize("a\n  'b'\r\n`c\nd` e\n/*\n*/f");
    expect(tokens.map((t) => [t.value, t.line, t.column, t.endLine])).toEqual([
      ['a', 1, 0, 1], ['b', 2, 2, 2], ['c\nd', 3, 0, 4], ['e', 4, 3, 4], ['f', 6, 2, 6],
    ]);
  });

  test('cook keeps malformed escapes and decodes the rest', () => {
    expect(cook('\\q\\0\\x4', false)).toBe('q\0\\x4');
    expect(cook('\\', false)).toBe('\\');
  });
});

describe('bracket matching', () => {
  test('pairs nest', () => {
    const tokens = tokenize('f(a[1], { b })');
    const m = matchBrackets(tokens);
    const at = (v: string): number => tokens.findIndex((t) => t.value === v);
    expect(m[at('(')]).toBe(tokens.length - 1);
    expect(m[at('[')]).toBe(at(']'));
    expect(m[at('{')]).toBe(at('}'));
  });

  test('a closer of another kind pops past the unmatched openers; one with no opener is ignored', () => {
    const tokens = tokenize('{ ( [ } ) ]');
    const m = Array.from(matchBrackets(tokens));
    expect(m).toEqual([3, -1, -1, 0, -1, -1]);
  });
});
