import { chmodSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { resolveNodeRuntime } from '../../src/extension/node-runtime';

const dir = mkdtempSync(join(tmpdir(), 'redline-node-'));
const fakeNode = join(dir, 'node');
writeFileSync(fakeNode, '#!/bin/sh\n');
chmodSync(fakeNode, 0o755);
const notExecutable = join(dir, 'plain');
writeFileSync(notExecutable, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('which node runs the runner', () => {
  test('the setting, as an absolute path or a name on PATH', () => {
    expect(resolveNodeRuntime(fakeNode, '')).toEqual({ execPath: fakeNode, source: 'redline.nodeExecutable' });
    expect(resolveNodeRuntime('node', `/nowhere:${dir}`)).toEqual({ execPath: fakeNode, source: 'redline.nodeExecutable' });
  });

  test('a setting that is no executable is an error naming it and saying what to do', () => {
    const result = resolveNodeRuntime(notExecutable, '');
    expect(result).toEqual({ error: expect.stringMatching(/redline\.nodeExecutable is ".*plain", which is not an executable file\. Set it to the absolute path of node/) });
    expect(resolveNodeRuntime('nodez', dir)).toEqual({ error: expect.stringContaining('not an executable file on PATH') });
  });

  test('unset: the node on PATH, else the editor runtime run as Node', () => {
    expect(resolveNodeRuntime('  ', dir)).toEqual({ execPath: fakeNode, source: 'PATH' });
    expect(resolveNodeRuntime('', '/nowhere')).toEqual({ execPath: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' }, source: "the editor's runtime" });
  });
});
