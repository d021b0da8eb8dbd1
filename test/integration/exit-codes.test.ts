// Exit code 3 for every usage and configuration error — each with one clear message and never a
// stack trace — and 2 when the guard stops a file. (0 and 1 are in run-states.test.ts.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, makeTempDir, removeTempDirs, requireBuiltCli, runCli, type CliResult } from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

/** A usage error: exit 3, no report, the message on stderr, no stack frames. */
function expectUsageError(result: CliResult, ...fragments: string[]): void {
  expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(3);
  expect(result.stderr).not.toContain('    at ');
  expect(result.stderr).not.toMatch(/internal error/i);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

/** A workspace in the OS temp dir, outside this repository, so no Vitest is found by walking up. */
function tempWorkspace(label: string, files: Record<string, string>): string {
  const dir = makeTempDir(label);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `redline-it-${label}`, private: true, type: 'module' }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('exit 3: a bad value in redline.config.json names the key and the value', () => {
  test.each([
    ['a negative limit', { memory: { limitMB: -5 } }, ['redline.config.json', 'memory.limitMB', '-5']],
    ['workers that are not a number', { run: { workers: 'many' } }, ['run.workers', '"many"']],
    ['a zero file timeout', { run: { fileTimeoutS: 0 } }, ['run.fileTimeoutS', '0']],
    ['an unknown setting', { memroy: {} }, ['memroy']],
  ])('%s', async (_label, config, fragments) => {
    const root = tempWorkspace('config', { 'redline.config.json': JSON.stringify(config) });
    const { result } = await runCli(['run', '--root', root], { json: false });
    expectUsageError(result, ...fragments);
  });

  test('a JSON syntax error, with its line and column', async () => {
    const root = tempWorkspace('syntax', { 'redline.config.json': '{\n  "run": { "workers": 2, }\n}\n' });
    const { result } = await runCli(['run', '--root', root], { json: false });
    expectUsageError(result, 'redline.config.json', 'line 2');
  });
});

describe('exit 3: bad flags', () => {
  test('--memory-limit abc', async () => {
    const { result } = await runCli(['run', '--root', fixture('all-pass'), '--memory-limit', 'abc'], { json: false });
    expectUsageError(result, '--memory-limit', '"abc"');
  });

  test('--workers 0', async () => {
    const { result } = await runCli(['run', '--root', fixture('all-pass'), '--workers', '0'], { json: false });
    expectUsageError(result, '--workers', '"0"');
  });

  test('an unknown flag', async () => {
    const { result } = await runCli(['run', '--root', fixture('all-pass'), '--no-such-flag'], { json: false });
    expectUsageError(result, '--no-such-flag');
  });
});

describe('exit 3: nothing to run', () => {
  test('a --root that does not exist', async () => {
    const root = join(makeTempDir('gone'), 'not-here');
    const { result } = await runCli(['run', '--root', root], { json: false });
    expectUsageError(result, root, 'does not exist');
  });

  test('a root with no Vitest installed', async () => {
    const root = tempWorkspace('novitest', { 'a.test.js': "import { test } from 'vitest';\ntest('x', () => {});\n" });
    const { result } = await runCli(['run', '--root', root], { json: false });
    expectUsageError(result, 'No Vitest is installed', root);
  });

  test('a root whose Vitest is too old', async () => {
    const root = tempWorkspace('oldvitest', {
      'node_modules/vitest/package.json': JSON.stringify({ name: 'vitest', version: '1.6.0' }),
    });
    const { result } = await runCli(['run', '--root', root], { json: false });
    expectUsageError(result, 'Vitest 1.6.0', 'not supported');
  });

  test('a workspace with no test files', async () => {
    const { result } = await runCli(['run', '--root', fixture('no-tests')], { json: false });
    expectUsageError(result, 'No test files found', fixture('no-tests'));
  });

  test('a path argument that does not exist', async () => {
    const { result } = await runCli(['run', '--root', fixture('all-pass'), 'missing/nothing.test.js'], { json: false });
    expectUsageError(result, 'missing/nothing.test.js', 'no such file or folder');
  });
});

test('exit 2: a file stopped by the memory guard', async () => {
  const run = await runCli(['run', '--root', fixture('runaway'), '--memory-limit', '1G']);
  expect(run.result.code, run.result.stderr).toBe(2);
  expect(run.report().summary.stopped).toBe(1);
});
