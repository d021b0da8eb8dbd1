import { describe, expect, test } from 'vitest';
import { parseNameStatusZ, parseZList, unionPaths } from '../../src/core/git-name-status';

// What git prints with -z: fields separated (and ended) by NUL; a rename or copy has two paths.
const z = (...fields: string[]): string => fields.map((f) => `${f}\0`).join('');

describe('git diff --name-status -z', () => {
  test('added, modified and deleted paths, in order', () => {
    expect(parseNameStatusZ(z('A', 'src/new.ts', 'M', 'src/a.ts', 'D', 'src/gone.ts'))).toEqual(['src/new.ts', 'src/a.ts', 'src/gone.ts']);
  });
  test('a rename names the old path (its importers break) and the new one', () => {
    expect(parseNameStatusZ(z('R100', 'src/old.ts', 'src/new.ts', 'M', 'b.ts'))).toEqual(['src/old.ts', 'src/new.ts', 'b.ts']);
  });
  test('a copy names only the new path: its source is unchanged', () => {
    expect(parseNameStatusZ(z('C075', 'src/a.ts', 'src/a-copy.ts'))).toEqual(['src/a-copy.ts']);
  });
  test('paths with spaces, quotes, newlines and non-ASCII come through as they are', () => {
    expect(parseNameStatusZ(z('M', 'src/a file.ts', 'A', 'src/"q".ts', 'A', 'src/line\nbreak.ts', 'M', 'src/é.ts'))).toEqual([
      'src/a file.ts', 'src/"q".ts', 'src/line\nbreak.ts', 'src/é.ts',
    ]);
  });
  test('type changes and unmerged entries still name their path; each path once', () => {
    expect(parseNameStatusZ(z('T', 'link', 'U', 'conflict.ts', 'M', 'link'))).toEqual(['link', 'conflict.ts']);
  });
  test('no output, no paths', () => {
    expect(parseNameStatusZ('')).toEqual([]);
  });
});

describe('git ls-files -z', () => {
  test('one path per NUL-ended field', () => {
    expect(parseZList(z('new.test.ts', 'dir/with space.ts'))).toEqual(['new.test.ts', 'dir/with space.ts']);
    expect(parseZList('')).toEqual([]);
  });
  test('the diff and the untracked files make one sorted list, each path once', () => {
    expect(unionPaths(['b.ts', 'a.ts'], ['c.ts', 'a.ts'])).toEqual(['a.ts', 'b.ts', 'c.ts']);
  });
});
