import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isSupported, locateVitest } from '../../src/runner/vitest-locate';
import { socketPathFor } from '../../src/runner/probe-server';
import { listenPath } from '../../src/runner/probe/listen-path';

describe('which Vitest versions the runner takes', () => {
  test.each([
    ['3.1.4', false], ['3.2.0', true], ['3.2.7', true], ['4.0.0', true], ['4.1.12', true], ['5.1.1', true], ['6.0.0', false], ['2.1.9', false], ['nonsense', false],
  ])('%s → %s', (version, ok) => expect(isSupported(version)).toBe(ok));
});

describe('locating the workspace’s own Vitest', () => {
  test('a folder that does not exist', () => {
    const r = locateVitest('/definitely/not/here');
    expect(r).toMatchObject({ ok: false, code: 'root-missing' });
  });
  test('a project without Vitest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redline-novitest-'));
    expect(locateVitest(dir)).toMatchObject({ ok: false, code: 'no-vitest' });
  });
  test('an unsupported version names it and what is needed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redline-oldvitest-'));
    mkdirSync(join(dir, 'node_modules/vitest'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/vitest/package.json'), JSON.stringify({ name: 'vitest', version: '2.1.9' }));
    const r = locateVitest(dir);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/Vitest 2\.1\.9 .* needs Vitest >=3\.2\.0/);
  });
  test('the installed one, with its ESM entry points', () => {
    const r = locateVitest(process.cwd());
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.vitest.nodeEntry).toMatch(/vitest[\\/]dist[\\/]node\.js$/);
      expect(r.vitest.mainEntry).toMatch(/vitest[\\/]dist[\\/]index\.js$/);
    }
  });
});

describe('the probe socket address', () => {
  test('travels in the environment without a NUL byte, and listens abstract on Linux', () => {
    const p = socketPathFor('linux', 'abc');
    expect(p).toBe('@redline-abc');
    expect(listenPath(p)).toBe('\0redline-abc');
  });
  test('is a named pipe on Windows and a file elsewhere', () => {
    expect(socketPathFor('win32', 'abc')).toBe('\\\\.\\pipe\\redline-abc');
    expect(listenPath(socketPathFor('darwin', 'abc'))).toMatch(/redline-abc\.sock$/);
  });
});
