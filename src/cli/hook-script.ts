// The pre-commit hook `redline hook install` writes, and whether it may write or remove one.
// Pure: hook-command.ts reads and writes the file. A hook someone else wrote (by hand, husky,
// lefthook, pre-commit) is never overwritten or removed: the user is shown the line to add.

/** Recognises our hook: a hook without this line is not ours to touch. */
export const HOOK_MARKER = '# redline: pre-commit hook written by `redline hook install`';

/** The command a hook runs: the project's own redline, never one npx would download. */
export const GATE_COMMAND = 'npx --no-install redline gate';

/**
 * The hook's text. `rootFromTop` is the Redline root relative to the repository's top (git runs
 * hooks there), '' when they are the same: a package in a monorepo gets a `cd` first, so npx
 * finds the package's redline and the gate its config.
 */
export function hookScript(rootFromTop: string): string {
  const cd = rootFromTop === '' ? '' : `cd ${shellQuote(rootFromTop)} || exit 1\n`;
  return [
    '#!/bin/sh',
    HOOK_MARKER,
    '# Runs the tests the staged changes affect; a failing test blocks the commit.',
    '# Skip once with `git commit --no-verify`; remove with `redline hook uninstall`.',
    `${cd}exec ${GATE_COMMAND}`,
    '',
  ].join('\n');
}

/** The line to add to an existing hook (a POSIX shell script). */
export function gateLine(rootFromTop: string): string {
  const gate = `${GATE_COMMAND} || exit $?`;
  return rootFromTop === '' ? gate : `(cd ${shellQuote(rootFromTop)} && ${GATE_COMMAND}) || exit $?`;
}

export type InstallPlan =
  | { readonly action: 'write' }
  | { readonly action: 'unchanged' }
  /** Ours, from an older Redline or another root: rewritten. */
  | { readonly action: 'update' }
  | { readonly action: 'refuse'; readonly alreadyGates: boolean };

export function planInstall(existing: string | null, wanted: string): InstallPlan {
  if (existing === null) return { action: 'write' };
  if (existing === wanted) return { action: 'unchanged' };
  if (existing.includes(HOOK_MARKER)) return { action: 'update' };
  return { action: 'refuse', alreadyGates: /\bredline\s+gate\b/.test(existing) };
}

export type UninstallPlan = { readonly action: 'absent' } | { readonly action: 'remove' } | { readonly action: 'refuse'; readonly mentionsGate: boolean };

export function planUninstall(existing: string | null): UninstallPlan {
  if (existing === null) return { action: 'absent' };
  if (existing.includes(HOOK_MARKER)) return { action: 'remove' };
  return { action: 'refuse', mentionsGate: /\bredline\s+gate\b/.test(existing) };
}

/** Single quotes for sh: safe for any path. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
