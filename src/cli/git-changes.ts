// The changed files git knows of, as absolute paths for the runner's `changedFiles`: against a
// commit (`redline run --changed [REF]`: the diff to the working tree, plus untracked files) or
// staged for the next commit (`redline gate`). Outside a repository, or with a REF git does not
// know, the command stops with a usage error (exit 3) that says what to do.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseNameStatusZ, parseZList, unionPaths } from '../core/git-name-status';
import { UsageError } from './settings';

const TIMEOUT_MS = 15_000;

interface GitOutput {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

function git(cwd: string, args: readonly string[]): Promise<GitOutput> {
  return new Promise((done) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      {
        timeout: TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        windowsHide: true,
        // No pager, no credential prompt, untranslated messages; -z output needs no quoting rules.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
        encoding: 'utf8',
      },
      (error, stdout, stderr) => done({ ok: !error, stdout: stdout ?? '', stderr: (stderr ?? '').trim() || (error?.message ?? '') }),
    );
  });
}

/** The top of the repository holding `root`; a usage error when there is none (or no git). */
export async function gitTopLevel(root: string, command: string): Promise<string> {
  const out = await git(root, ['rev-parse', '--show-toplevel']);
  if (!out.ok) {
    const why = /not a git repository/i.test(out.stderr)
      ? `${root} is not inside a git repository`
      : /ENOENT|not found/i.test(out.stderr)
        ? 'git is not installed (or not on PATH)'
        : `git could not say where the repository is: ${firstLine(out.stderr)}`;
    throw new UsageError([`${command}: ${why}. It compares files with git; run it in a git work tree, or pass test files to \`redline run\` instead.`]);
  }
  return resolve(out.stdout.trim());
}

/**
 * Files that differ from `ref` in the working tree (staged or not, renames with both paths), and
 * untracked files that are not ignored.
 */
export async function changedAgainst(root: string, ref: string): Promise<string[]> {
  const top = await gitTopLevel(root, `--changed ${ref}`);
  const verified = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!verified.ok) {
    const hint = existsSync(resolve(root, ref))
      ? ` (${ref} is a file: --changed takes an optional REF, so write the paths before it, or --changed=HEAD)`
      : ref === 'HEAD'
        ? ' (the repository has no commit yet)'
        : '';
    throw new UsageError([`--changed ${ref}: git knows no commit ${ref}${hint}.`]);
  }
  const [diff, untracked] = await Promise.all([
    // Rename detection on, whatever the user's diff.renames says: both paths are wanted.
    git(root, ['diff', '--name-status', '-z', '-M', '--no-ext-diff', ref, '--']),
    git(root, ['ls-files', '--others', '--exclude-standard', '--full-name', '-z']),
  ]);
  if (!diff.ok) throw new UsageError([`--changed ${ref}: git diff failed: ${firstLine(diff.stderr)}`]);
  if (!untracked.ok) throw new UsageError([`--changed ${ref}: git ls-files failed: ${firstLine(untracked.stderr)}`]);
  return unionPaths(parseNameStatusZ(diff.stdout), parseZList(untracked.stdout)).map((p) => join(top, p));
}

/** Files staged for the next commit: added, copied, modified, renamed (both paths) or deleted. */
export async function stagedChanges(root: string): Promise<string[]> {
  const top = await gitTopLevel(root, 'redline gate');
  const diff = await git(root, ['diff', '--cached', '--name-status', '-z', '-M', '--no-ext-diff', '--diff-filter=ACMRD', '--']);
  if (!diff.ok) throw new UsageError([`redline gate: git diff --cached failed: ${firstLine(diff.stderr)}`]);
  return parseNameStatusZ(diff.stdout).sort().map((p) => join(top, p));
}

/** Where git keeps this work tree's hooks (core.hooksPath honoured; worktrees included). */
export async function gitHooksDir(root: string): Promise<string> {
  await gitTopLevel(root, 'redline hook');
  const out = await git(root, ['rev-parse', '--path-format=absolute', '--git-path', 'hooks']);
  if (!out.ok) throw new UsageError([`redline hook: git could not say where its hooks are: ${firstLine(out.stderr)}`]);
  return resolve(root, out.stdout.trim());
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
