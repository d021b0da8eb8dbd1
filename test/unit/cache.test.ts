import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { cacheKey, type CacheKeyInput } from '../../src/core/cache/key';
import { EMPTY_CACHE, evict, indexByKey, isCacheable, isExcluded, lookup, put, putAll, touch } from '../../src/core/cache/result-cache';
import type { FileReport } from '../../src/protocol/report';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const base: CacheKeyInput = {
  testFile: 'a.test.ts',
  closure: new Map([['a.test.ts', 'h1'], ['src/a.ts', 'h2']]),
  snapshot: undefined,
  configs: new Map([['vitest.config.ts', 'h3']]),
  packageJson: 'p',
  lockfile: 'l',
  nodeVersion: 'v20.20.2',
  vitestVersion: '4.1.12',
};

describe('cache key', () => {
  test('is the same for the same contents, whatever the order they come in', () => {
    const reordered = { ...base, closure: new Map([['src/a.ts', 'h2'], ['a.test.ts', 'h1']]) };
    expect(cacheKey(reordered, sha)).toBe(cacheKey(base, sha));
  });
  test.each([
    ['a module of the closure', { closure: new Map([['a.test.ts', 'h1'], ['src/a.ts', 'CHANGED']]) }],
    ['a new module in the closure', { closure: new Map([...base.closure, ['src/b.ts', 'h4']]) }],
    ['the snapshot', { snapshot: 's' }],
    ['the Vitest config', { configs: new Map([['vitest.config.ts', 'x']]) }],
    ['package.json', { packageJson: 'p2' }],
    ['the lockfile', { lockfile: 'l2' }],
    ['Node', { nodeVersion: 'v22.0.0' }],
    ['Vitest', { vitestVersion: '4.2.0' }],
    ['the project', { project: 'web' }],
  ])('changes with %s', (_, change) => {
    expect(cacheKey({ ...base, ...change }, sha)).not.toBe(cacheKey(base, sha));
  });
});

function report(path: string, state: FileReport['state'], extra: Partial<FileReport> = {}): FileReport {
  return { path, state, cached: false, durationMs: 5, peakRssBytes: 1, tests: [], ...extra };
}

describe('result cache', () => {
  test('stopped, crashed and unfinished files are never cached', () => {
    expect(isCacheable(report('a', 'passed'))).toBe(true);
    expect(isCacheable(report('a', 'failed'))).toBe(true);
    expect(isCacheable(report('a', 'broken'))).toBe(true);
    expect(isCacheable(report('a', 'stopped'))).toBe(false);
    expect(isCacheable(report('a', 'notrun'))).toBe(false);
    expect(isCacheable(report('a', 'failed', { errors: [{ message: 'The worker running this file exited before the file finished' }] }))).toBe(false);
  });

  test('a hit marks the entry used; least recently used entries go first when over the bound', () => {
    const limits = { maxEntries: 2, maxBytes: 1e9 };
    let c = put(EMPTY_CACHE, { key: 'k1', path: 'a', report: report('a', 'passed'), storedAt: 1 }, 1, limits);
    c = put(c, { key: 'k2', path: 'b', report: report('b', 'passed'), storedAt: 2 }, 2, limits);
    c = lookup(c, 'k1', 3).cache; // a is now the most recent
    c = put(c, { key: 'k3', path: 'c', report: report('c', 'passed'), storedAt: 4 }, 4, limits);
    expect(c.entries.map((e) => e.key).sort()).toEqual(['k1', 'k3']);
    expect(lookup(c, 'k2', 5).entry).toBeUndefined();
  });

  test('the lookups of a run at once (indexByKey, then touch) leave the cache as a lookup of each would', () => {
    const limits = { maxEntries: 10, maxBytes: 1e9 };
    let c = EMPTY_CACHE;
    for (const [i, k] of ['k1', 'k2', 'k3', 'k4'].entries()) c = put(c, { key: k, path: `f${i}`, report: report(`f${i}`, 'passed'), storedAt: i }, i, limits);
    const index = indexByKey(c);
    expect(index.get('k3')?.path).toBe('f2');
    expect(index.get('nope')).toBeUndefined();
    const one = ['k3', 'k1'].reduce((acc, k) => lookup(acc, k, 9).cache, c);
    expect(touch(c, new Set(['k3', 'k1', 'missing']), 9)).toEqual(one);
    expect(touch(c, new Set(), 9)).toBe(c);
  });

  test('putAll is a put of each, with the bound applied once', () => {
    const entry = (k: string, path: string) => ({ key: k, path, report: report(path, 'passed'), storedAt: 5 });
    let c = EMPTY_CACHE;
    for (const [i, k] of ['k1', 'k2', 'k3'].entries()) c = put(c, { ...entry(k, `f${i}`), storedAt: i }, i, { maxEntries: 10, maxBytes: 1e9 });
    for (const limits of [{ maxEntries: 10, maxBytes: 1e9 }, { maxEntries: 3, maxBytes: 1e9 }, { maxEntries: 10, maxBytes: JSON.stringify(report('a', 'passed')).length * 3 }]) {
      const batch = [entry('k2', 'f1'), entry('k4', 'f3'), entry('k5', 'f4')];
      const oneByOne = batch.reduce((acc, e) => put(acc, e, 5, limits), c);
      expect(putAll(c, batch, 5, limits).entries.map((e) => e.key).sort()).toEqual(oneByOne.entries.map((e) => e.key).sort());
    }
    expect(putAll(c, [], 5, { maxEntries: 1, maxBytes: 1 })).toBe(c);
  });

  test('evict leaves a cache within its bound as it is', () => {
    let c = EMPTY_CACHE;
    for (const i of [1, 2, 3]) c = put(c, { key: `k${i}`, path: `f${i}`, report: report('a', 'passed'), storedAt: i }, i, { maxEntries: 10, maxBytes: 1e9 });
    expect(evict(c, { maxEntries: 3, maxBytes: 1e9 })).toBe(c);
    expect(evict(c, { maxEntries: 2, maxBytes: 1e9 }).entries.map((e) => e.key)).toEqual(['k2', 'k3']);
    // Out of storedAt order: sorted.
    const shuffled = { entries: [c.entries[2]!, c.entries[0]!, c.entries[1]!] };
    expect(evict(shuffled, { maxEntries: 10, maxBytes: 1e9 }).entries.map((e) => e.key)).toEqual(['k1', 'k2', 'k3']);
  });

  test('the byte bound', () => {
    const one = JSON.stringify(report('a', 'passed')).length;
    const c = [1, 2, 3].reduce(
      (acc, i) => put(acc, { key: `k${i}`, path: `f${i}`, report: report('a', 'passed'), storedAt: i }, i, { maxEntries: 100, maxBytes: one * 2 }),
      EMPTY_CACHE,
    );
    expect(c.entries.map((e) => e.key)).toEqual(['k2', 'k3']);
  });

  test('a newer result of the same file keeps the older one: undoing an edit finds it again', () => {
    const limits = { maxEntries: 10, maxBytes: 1e9 };
    let c = put(EMPTY_CACHE, { key: 'old', path: 'a', report: report('a', 'failed'), storedAt: 1 }, 1, limits);
    c = put(c, { key: 'new', path: 'a', report: report('a', 'passed'), storedAt: 2 }, 2, limits);
    expect(c.entries.map((e) => e.key)).toEqual(['old', 'new']);
    expect(lookup(c, 'old', 3).entry?.report.state).toBe('failed');
  });

  test('exclusion globs', () => {
    expect(isExcluded('test/e2e/login.test.ts', ['test/e2e/**'])).toBe(true);
    expect(isExcluded('src/a.test.ts', ['**/*.e2e.test.ts'])).toBe(false);
    expect(isExcluded('src/deep/a.e2e.test.ts', ['**/*.e2e.test.ts'])).toBe(true);
  });
});
