// `redline gate` and `redline hook` with the real CLI in a temp git repository: the gate runs only
// the tests the staged changes affect and exits as `run` does; the hook blocks a commit whose
// staged change breaks a test; a hook someone else wrote is never overwritten or removed.
import { readFileSync, statSync, writeFileSync, existsSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeTempDir, removeTempDirs, requireBuiltCli, runCli, type CliResult } from './helpers';
import { git, graphWorkspace, write } from './graph-workspace';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

async function cli(root: string, ...args: string[]): Promise<CliResult> {
  const { result } = await runCli([...args, '--root', root], { json: false, cwd: root });
  return result;
}

const explain = (r: CliResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('redline gate', () => {
  test('nothing staged: exit 0 and a line saying so', async () => {
    const root = graphWorkspace('gate-empty', { git: true });
    write(root, 'src/x.js', 'export const x = () => 2;\n'); // changed, but not staged
    const result = await cli(root, 'gate');
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toBe('redline gate: no staged changes, no tests to run.\n');
  });

  test('a staged change that passes: only its tests run, one quiet line, exit 0', async () => {
    const root = graphWorkspace('gate-pass', { git: true });
    write(root, 'src/lone.js', 'export const lone = 5; // staged\n');
    git(root, 'add', 'src/lone.js');
    const result = await cli(root, 'gate');
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toMatch(/^redline gate: 1 test file passed \(affected by the 1 staged file; .*\)\n$/);
  });

  test('a staged change that breaks tests: exactly the affected files fail, the summary is shown, exit 1', async () => {
    const root = graphWorkspace('gate-fail', { git: true });
    write(root, 'src/x.js', 'export const x = () => 2;\n');
    write(root, 'src/lone.js', 'export const lone = 6;\n'); // breaks e.test.js, but is not staged
    git(root, 'add', 'src/x.js');
    const result = await cli(root, 'gate');
    expect(result.code, explain(result)).toBe(1);
    for (const f of ['a', 'b', 'c']) expect(result.stdout).toContain(`✗ test/${f}.test.js`);
    expect(result.stdout).not.toMatch(/test\/[de]\.test\.js/);
    expect(result.stdout).toMatch(/Files +3 failed \(3\)/);
    expect(result.stdout).toMatch(/redline gate: tests affected by the 1 staged file did not pass/);
  });

  test('a staged deletion affects the importers; a staged rename runs the renamed test', async () => {
    const root = graphWorkspace('gate-delete', { git: true });
    // Teach the runner the import graph first (a deleted file can only be found through it).
    const warm = await cli(root, 'run');
    expect(warm.code, explain(warm)).toBe(0);
    git(root, 'rm', '-q', 'src/lone.js');
    git(root, 'mv', 'test/d.test.js', 'test/d2.test.js');
    const result = await cli(root, 'gate');
    expect(result.code, explain(result)).toBe(1);
    expect(result.stdout).toMatch(/test\/e\.test\.js could not load|✗ test\/e\.test\.js/);
    expect(result.stdout).not.toMatch(/test\/[abc]\.test\.js/);
    // d2 passed (quiet), e broke: two files.
    expect(result.stdout).toMatch(/Files +1 passed · 1 (?:broken|failed) \(2\)/);
  });

  test('a staged change no test depends on: exit 0, said so', async () => {
    const root = graphWorkspace('gate-none', { git: true });
    write(root, 'README.md', '# hello\n');
    git(root, 'add', 'README.md');
    const result = await cli(root, 'gate');
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toBe('redline gate: no test file is affected by the 1 staged file.\n');
  });

  test('outside a git repository: a clear error, exit 3', async () => {
    const root = graphWorkspace('gate-nogit');
    const result = await cli(root, 'gate');
    expect(result.code, explain(result)).toBe(3);
    expect(result.stderr).toMatch(/is not inside a git repository/);
  });
});

describe('redline run --changed', () => {
  test('runs what the diff against HEAD and the untracked files affect; a bad REF or no repository is exit 3', async () => {
    const root = graphWorkspace('changed', { git: true });
    const none = await cli(root, 'run', '--changed');
    expect(none.code, explain(none)).toBe(0);
    expect(none.stdout).toBe('No files changed against HEAD: no tests to run.\n');

    write(root, 'src/c1.js', "import { c2 } from './c2.js';\nexport const c1 = () => 'c1:' + typeof c2; // edited\n");
    write(root, 'test/new.test.js', "import { test } from 'vitest';\ntest('new', () => {});\n");
    const { result, report } = await runCli(['run', '--changed', '--root', root], { cwd: root }).then((r) => ({ result: r.result, report: r.report() }));
    expect(result.code, explain(result)).toBe(0);
    expect(report.files.map((f) => f.path).sort()).toEqual(['test/d.test.js', 'test/new.test.js']);

    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'two');
    const back = await runCli(['run', '--changed', 'HEAD~1', '--root', root], { cwd: root });
    expect(back.result.code, explain(back.result)).toBe(0);
    expect(back.report().files.map((f) => f.path).sort()).toEqual(['test/d.test.js', 'test/new.test.js']);

    write(root, 'notes.txt', 'x\n');
    const unrelated = await cli(root, 'run', '--changed');
    expect(unrelated.code, explain(unrelated)).toBe(0);
    expect(unrelated.stdout).toMatch(/No test file is affected by the 1 file changed against HEAD: nothing to run\./);

    const bad = await cli(root, 'run', '--changed', 'no-such-branch');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/git knows no commit no-such-branch/);

    const nogit = await cli(graphWorkspace('changed-nogit'), 'run', '--changed');
    expect(nogit.code).toBe(3);
    expect(nogit.stderr).toMatch(/is not inside a git repository/);
  });
});

describe('redline hook', () => {
  test('install writes an executable hook that blocks a breaking commit and lets a good one through; uninstall removes it', async () => {
    const root = graphWorkspace('hook', { git: true, redlineBin: true });
    const hook = join(root, '.git', 'hooks', 'pre-commit');
    const installed = await cli(root, 'hook', 'install');
    expect(installed.code, explain(installed)).toBe(0);
    expect(statSync(hook).mode & 0o777).toBe(0o755);
    expect(readFileSync(hook, 'utf8')).toContain('exec npx --no-install redline gate');
    const again = await cli(root, 'hook', 'install');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already installed/);

    const head = git(root, 'rev-parse', 'HEAD').trim();
    write(root, 'src/lone.js', 'export const lone = 6;\n');
    git(root, 'add', 'src/lone.js');
    expect(() => git(root, 'commit', '-q', '-m', 'breaks e')).toThrow(/FAIL test\/e\.test\.js/);
    expect(git(root, 'rev-parse', 'HEAD').trim()).toBe(head);

    write(root, 'src/lone.js', 'export const lone = 5; // fine\n');
    git(root, 'add', 'src/lone.js');
    git(root, 'commit', '-q', '-m', 'keeps e');
    expect(git(root, 'rev-parse', 'HEAD').trim()).not.toBe(head);

    const removed = await cli(root, 'hook', 'uninstall');
    expect(removed.code, explain(removed)).toBe(0);
    expect(existsSync(hook)).toBe(false);
  });

  test('a hook someone else wrote is never overwritten nor removed; the line to add is shown, exit 1', async () => {
    const root = graphWorkspace('hook-foreign', { git: true });
    const hook = join(root, '.git', 'hooks', 'pre-commit');
    const theirs = '#!/bin/sh\nnpm run lint\n';
    writeFileSync(hook, theirs);
    chmodSync(hook, 0o755);
    const install = await cli(root, 'hook', 'install');
    expect(install.code, explain(install)).toBe(1);
    expect(install.stderr).toMatch(/a pre-commit hook already exists .* was not written by Redline/);
    expect(install.stderr).toContain('npx --no-install redline gate || exit $?');
    expect(readFileSync(hook, 'utf8')).toBe(theirs);

    const uninstall = await cli(root, 'hook', 'uninstall');
    expect(uninstall.code).toBe(1);
    expect(readFileSync(hook, 'utf8')).toBe(theirs);
    rmSync(hook);
  });

  test('outside a git repository: exit 3', async () => {
    const result = await cli(makeTempDir('hook-nogit'), 'hook', 'install');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/not inside a git repository/);
  });
});
