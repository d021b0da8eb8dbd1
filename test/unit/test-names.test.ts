import { describe, expect, test } from 'vitest';
import { disambiguate, uniqueLeaf } from '../../src/core/test-names';

describe('disambiguate', () => {
  test('no duplicates: unchanged', () => {
    const names = ['a > one', 'a > two', 'b > one', 'top'];
    expect(disambiguate(names)).toEqual(names);
    expect(disambiguate([])).toEqual([]);
  });

  test('two tests of one name in one describe: the second gets (2)', () => {
    expect(disambiguate(['d > works', 'd > other', 'd > works'])).toEqual(['d > works', 'd > other', 'd > works (2)']);
  });

  test('two describes of one name, each with it("x"): the second x gets (2)', () => {
    expect(disambiguate(['A > x', 'A > y', 'A > x', 'A > z'])).toEqual(['A > x', 'A > y', 'A > x (2)', 'A > z']);
  });

  test('three of a kind: (2) then (3), each name counted on its own', () => {
    expect(disambiguate(['x', 'y', 'x', 'y', 'x'])).toEqual(['x', 'y', 'x (2)', 'y (2)', 'x (3)']);
  });

  test('a name written with " (2)" keeps it; the duplicate takes the next free number', () => {
    expect(disambiguate(['x', 'x', 'x (2)'])).toEqual(['x', 'x (3)', 'x (2)']);
    expect(disambiguate(['x (2)', 'x', 'x', 'x'])).toEqual(['x (2)', 'x', 'x (3)', 'x (4)']);
  });

  test('a duplicated " (2)" name is suffixed in turn, and every result is unique', () => {
    const names = ['x', 'x (2)', 'x', 'x (2)', 'x', 'x (3)'];
    const unique = disambiguate(names);
    expect(unique).toEqual(['x', 'x (2)', 'x (4)', 'x (2) (2)', 'x (5)', 'x (3)']);
    expect(new Set(unique).size).toBe(names.length);
  });

  test('many copies stay linear and unique', () => {
    const names = Array.from({ length: 20_000 }, () => 'same');
    const unique = disambiguate(names);
    expect(new Set(unique).size).toBe(names.length);
    expect(unique[19_999]).toBe('same (20000)');
  });
});

describe('uniqueLeaf', () => {
  test('the leaf carries the suffix of its full name', () => {
    expect(uniqueLeaf('x', 'A > x', 'A > x (2)')).toBe('x (2)');
    expect(uniqueLeaf('x', 'A > x', 'A > x')).toBe('x');
  });
});
