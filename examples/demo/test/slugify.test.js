// Slug tests: all green but one. The last test is the demo's RED test — it fails on a real bug in
// src/slugify.js (accents are dropped, not folded) and shows an expected/actual diff.
import { describe, expect, test } from 'vitest';
import { slugify } from '../src/slugify.js';

describe('slugify', () => {
  test('lower-cases and joins words with dashes', () => {
    expect(slugify('Hello World')).toBe('hello-world');
  });

  test('drops punctuation', () => {
    expect(slugify('Hello, World!')).toBe('hello-world');
  });

  test('collapses runs of spaces and dashes', () => {
    expect(slugify('  a  --  b  ')).toBe('a-b');
  });

  test('cuts to the maximum length without a trailing dash', () => {
    expect(slugify('one two three', { maxLength: 8 })).toBe('one-two');
  });

  test('folds accented letters to their base letter', () => {
    // RED on purpose: slugify strips "è" and "û" instead of turning them into "e" and "u".
    expect(slugify('Crème Brûlée')).toBe('creme-brulee');
  });
});
