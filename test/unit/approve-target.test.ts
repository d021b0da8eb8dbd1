import { describe, expect, it } from 'vitest';
import { parseTarget, resolveTarget, resolveTargetFile } from '../../src/cli/approve-target';
import type { ResolveContext } from '../../src/cli/approve-target';

describe('parseTarget', () => {
  it('takes a file alone', () => {
    expect(parseTarget('test/a.test.ts')).toEqual({ ok: true, value: { file: 'test/a.test.ts' } });
  });

  it('splits FILE > describe > test at the first " > "', () => {
    expect(parseTarget('a.test.ts > math > add > adds')).toEqual({ ok: true, value: { file: 'a.test.ts', fullName: 'math > add > adds' } });
  });

  it('splits FILE::full name, keeping " > " in the name', () => {
    expect(parseTarget('a.test.ts::math > a > b')).toEqual({ ok: true, value: { file: 'a.test.ts', fullName: 'math > a > b' } });
  });

  it('uses whichever separator comes first', () => {
    expect(parseTarget('a.test.ts > odd::name')).toEqual({ ok: true, value: { file: 'a.test.ts', fullName: 'odd::name' } });
  });

  it('trims around the parts', () => {
    expect(parseTarget('  a.test.ts ::  adds  ')).toEqual({ ok: true, value: { file: 'a.test.ts', fullName: 'adds' } });
  });

  it.each([[''], ['   '], [' > adds'], ['::adds'], ['a.test.ts::'], ['a.test.ts > ']])('refuses %j with a message', (text) => {
    const parsed = parseTarget(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(10);
  });
});

describe('resolveTargetFile', () => {
  const ctx = (over: Partial<ResolveContext> = {}): ResolveContext => ({
    root: '/ws',
    cwd: '/ws',
    known: new Set(['test/a.test.ts', 'a.test.ts']),
    exists: () => false,
    ...over,
  });

  it('gives a path relative to the root with / separators', () => {
    expect(resolveTargetFile('test/a.test.ts', ctx())).toEqual({ ok: true, value: 'test/a.test.ts' });
    expect(resolveTargetFile('./test/../test/a.test.ts', ctx())).toEqual({ ok: true, value: 'test/a.test.ts' });
  });

  it('takes a path relative to the current directory', () => {
    expect(resolveTargetFile('a.test.ts', ctx({ cwd: '/ws/test' }))).toEqual({ ok: true, value: 'test/a.test.ts' });
  });

  it('prefers a file the phase tree knows, then one that exists', () => {
    // From /ws/test, "a.test.ts" could be test/a.test.ts (cwd) or a.test.ts (root): both known, cwd first.
    expect(resolveTargetFile('a.test.ts', ctx({ cwd: '/ws/test' }))).toEqual({ ok: true, value: 'test/a.test.ts' });
    const onlyRootKnown = ctx({ cwd: '/ws/test', known: new Set(['a.test.ts']) });
    expect(resolveTargetFile('a.test.ts', onlyRootKnown)).toEqual({ ok: true, value: 'a.test.ts' });
    const exists = ctx({ cwd: '/ws/src', known: new Set(), exists: (p) => p === '/ws/src/b.test.ts' });
    expect(resolveTargetFile('b.test.ts', exists)).toEqual({ ok: true, value: 'src/b.test.ts' });
  });

  it('falls back to the path from the root for a file nobody knows (the machine refuses it)', () => {
    expect(resolveTargetFile('nope.test.ts', ctx({ cwd: '/ws/test', known: new Set() }))).toEqual({ ok: true, value: 'nope.test.ts' });
  });

  it('takes an absolute path inside the root', () => {
    expect(resolveTargetFile('/ws/test/a.test.ts', ctx({ cwd: '/elsewhere' }))).toEqual({ ok: true, value: 'test/a.test.ts' });
  });

  it('refuses a path outside the root', () => {
    const outside = resolveTargetFile('/other/a.test.ts', ctx());
    expect(outside.ok).toBe(false);
    if (!outside.ok) expect(outside.message).toContain('not inside the root');
    expect(resolveTargetFile('../x.test.ts', ctx()).ok).toBe(false);
    expect(resolveTargetFile('/ws', ctx()).ok).toBe(false);
  });
});

describe('resolveTarget', () => {
  it('parses and resolves in one step, keeping the text for messages', () => {
    const ctx: ResolveContext = { root: '/ws', cwd: '/ws/test', known: new Set(['test/a.test.ts']), exists: () => false };
    expect(resolveTarget('a.test.ts > math > adds', ctx)).toEqual({
      ok: true,
      value: { text: 'a.test.ts > math > adds', file: 'test/a.test.ts', fullName: 'math > adds' },
    });
  });
});
