import { describe, expect, test } from 'vitest';
import { gateLine, HOOK_MARKER, hookScript, planInstall, planUninstall, shellQuote } from '../../src/cli/hook-script';

describe('the pre-commit hook script', () => {
  test('a shell script that runs the project\'s own redline gate, marked as ours', () => {
    const script = hookScript('');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain(HOOK_MARKER);
    expect(script).toContain('exec npx --no-install redline gate\n');
    expect(script).not.toContain('cd ');
  });
  test('a root below the repository top: cd there first, quoted for sh', () => {
    expect(hookScript('packages/web')).toContain('cd packages/web || exit 1\nexec npx --no-install redline gate');
    expect(hookScript("my app/it's")).toContain(`cd 'my app/it'\\''s' || exit 1`);
  });
  test('the line to add to a foreign hook keeps its exit status', () => {
    expect(gateLine('')).toBe('npx --no-install redline gate || exit $?');
    expect(gateLine('packages/web')).toBe('(cd packages/web && npx --no-install redline gate) || exit $?');
  });
  test('shellQuote leaves plain paths alone', () => {
    expect(shellQuote('a/b-c_d.e')).toBe('a/b-c_d.e');
    expect(shellQuote('a b')).toBe("'a b'");
  });
});

describe('install: never silently over a hook someone else wrote', () => {
  const ours = hookScript('');
  test('no hook: write it', () => {
    expect(planInstall(null, ours)).toEqual({ action: 'write' });
  });
  test('ours, the same: nothing to do; ours, different (another root, an older Redline): update', () => {
    expect(planInstall(ours, ours)).toEqual({ action: 'unchanged' });
    expect(planInstall(hookScript('pkg'), ours)).toEqual({ action: 'update' });
  });
  test('a foreign hook is refused; one that already runs the gate is said to', () => {
    expect(planInstall('#!/bin/sh\nnpm run lint\n', ours)).toEqual({ action: 'refuse', alreadyGates: false });
    expect(planInstall('#!/bin/sh\nnpx lint-staged\nnpx --no-install redline gate || exit $?\n', ours)).toEqual({ action: 'refuse', alreadyGates: true });
    // husky's own hook file is foreign too.
    expect(planInstall('#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\nnpm test\n', ours).action).toBe('refuse');
  });
});

describe('uninstall: only ours', () => {
  test('ours is removed, none is nothing to do, a foreign one is refused', () => {
    expect(planUninstall(hookScript(''))).toEqual({ action: 'remove' });
    expect(planUninstall(null)).toEqual({ action: 'absent' });
    expect(planUninstall('#!/bin/sh\nnpm test\n')).toEqual({ action: 'refuse', mentionsGate: false });
    expect(planUninstall('#!/bin/sh\nnpx redline gate\n')).toEqual({ action: 'refuse', mentionsGate: true });
  });
});
