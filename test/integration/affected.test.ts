// `redline affected` with the real CLI on a workspace nobody has seen: an alias from the Vitest
// config, a re-export, `export *`, a dynamic import of a literal and a cycle. It must name exactly
// the test files whose import closure holds the file — from the static scan before any run, and
// the same after a run has taught the runner Vitest's module graph.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeTempDirs, requireBuiltCli, runCli, type CliResult } from './helpers';
import { ALL_TESTS, graphWorkspace, write } from './graph-workspace';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

async function affected(root: string, ...args: string[]): Promise<CliResult> {
  const { result } = await runCli(['affected', ...args, '--root', root], { json: false, cwd: root });
  return result;
}

async function affectedJson(root: string, ...files: string[]): Promise<string[]> {
  const result = await affected(root, ...files, '--json');
  expect(result.code, result.stderr).toBe(0);
  const json = JSON.parse(result.stdout) as unknown;
  // Exactly { "files": [...] }: nothing else a script would have to ignore.
  expect(Object.keys(json as object)).toEqual(['files']);
  return (json as { files: string[] }).files;
}

// What each source file affects, by the graph drawn in graph-workspace.ts.
const EXPECTED: Readonly<Record<string, string[]>> = {
  'src/x.js': ['test/a.test.js', 'test/b.test.js', 'test/c.test.js'],
  'src/index.js': ['test/a.test.js'],
  'src/all.js': ['test/b.test.js'],
  'src/lib/deep.js': ['test/b.test.js'],
  'src/dyn.js': ['test/c.test.js'],
  'src/c1.js': ['test/d.test.js'],
  'src/c2.js': ['test/d.test.js'],
  'src/lone.js': ['test/e.test.js'],
  'test/a.test.js': ['test/a.test.js'],
};

describe('redline affected', () => {
  let root: string;
  beforeAll(() => {
    root = graphWorkspace('affected');
  });

  for (const [changed, expected] of Object.entries(EXPECTED)) {
    test(`${changed} → ${expected.join(', ')} (static scan, before any run)`, async () => {
      expect(await affectedJson(root, changed)).toEqual(expected);
    });
  }

  test('several files: the union, sorted', async () => {
    expect(await affectedJson(root, 'src/c1.js', 'src/lone.js', 'src/index.js')).toEqual(['test/a.test.js', 'test/d.test.js', 'test/e.test.js']);
  });

  test('plain output: one test file a line on stdout, nothing else', async () => {
    const result = await affected(root, 'src/x.js');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('test/a.test.js\ntest/b.test.js\ntest/c.test.js\n');
  });

  test('a change to the Vitest config, package.json or the lockfile affects every test', async () => {
    for (const file of ['vitest.config.js', 'package.json']) {
      const result = await affected(root, file, '--json');
      expect(result.code, result.stderr).toBe(0);
      expect((JSON.parse(result.stdout) as { files: string[] }).files).toEqual(ALL_TESTS);
      expect(result.stderr).toMatch(/^all tests: /m);
    }
    const plain = await affected(root, 'vitest.config.js');
    expect(plain.stdout.trim().split('\n')).toEqual(ALL_TESTS);
    expect(plain.stderr).toMatch(/all tests: .*vitest\.config\.js/);
  });

  test('a file that does not exist is allowed (a deleted file affects its importers), with a warning', async () => {
    const result = await affected(root, 'src/never-was.js', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ files: [] });
    expect(result.stderr).toMatch(/src\/never-was\.js does not exist/);
  });

  test('a deleted module still affects the tests that imported it (once a run has seen the import)', async () => {
    const dir = graphWorkspace('affected-deleted');
    const run = await runCli(['run', '--root', dir], { json: false });
    expect(run.result.code, run.result.stdout + run.result.stderr).toBe(0);
    rmSync(join(dir, 'src', 'lone.js'));
    const result = await affected(dir, 'src/lone.js', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ files: ['test/e.test.js'] });
    expect(result.stderr).toMatch(/does not exist/);
  });

  test('no FILE is a usage error (exit 3)', async () => {
    const result = await affected(root);
    expect(result.code).toBe(3);
  });

  test('after a run (Vitest\'s module graph learnt and stored), the answers are the same', async () => {
    const run = await runCli(['run', '--root', root], { json: false });
    expect(run.result.code, run.result.stdout + run.result.stderr).toBe(0);
    for (const [changed, expected] of Object.entries(EXPECTED)) expect(await affectedJson(root, changed), changed).toEqual(expected);
  });

  test('a new import is seen at once: edit c1.js to import lone.js', async () => {
    write(root, 'src/c1.js', "import { c2 } from './c2.js';\nimport { lone } from './lone.js';\nexport const c1 = () => 'c1:' + typeof c2 + lone;\n");
    expect(await affectedJson(root, 'src/lone.js')).toEqual(['test/d.test.js', 'test/e.test.js']);
  });
});
