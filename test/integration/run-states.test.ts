// Every file and test gets its right state from a real run of the built CLI on real Vitest:
// passed, failed (with expected/actual), broken (could not load), skipped and todo; the summary
// adds up; a monorepo runs both projects; --junit writes what CI systems read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import {
  expectSummaryAddsUp, expectedExitCode, fileOf, fixture, makeTempDir, removeTempDirs, requireBuiltCli, runCli,
  type CliResult,
} from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

describe('basic fixture: one file of each state', () => {
  let result: CliResult;
  let report: RunReport;
  let junit: string;

  beforeAll(async () => {
    const junitPath = join(makeTempDir('junit'), 'junit.xml');
    const run = await runCli(['run', '--root', fixture('basic'), '--junit', junitPath]);
    result = run.result;
    report = run.report();
    junit = readFileSync(junitPath, 'utf8');
  });

  test('exits 1 (a test failed, a file is broken) with a report that validates', () => {
    expect(result.code, result.stderr).toBe(1);
    expect(report.version).toBe(1);
    expect(report.root).toBe(fixture('basic'));
    expect(expectedExitCode(report)).toBe(1);
  });

  test('names every file, relative to the root, with its state', () => {
    expect(report.files.map((f) => [f.path, f.state]).sort()).toEqual([
      ['broken.test.js', 'broken'],
      ['math.test.js', 'passed'],
      ['strings.test.js', 'failed'],
    ]);
    for (const f of report.files) {
      expect(f.cached).toBe(false);
      expect(f.project).toBeUndefined();
    }
  });

  test('the summary adds up', () => {
    expectSummaryAddsUp(report);
    expect(report.summary).toMatchObject({ files: 3, passed: 1, failed: 1, broken: 1, stopped: 0, skipped: 0, notrun: 0 });
  });

  test('passed tests carry describe blocks in their full names', () => {
    const math = fileOf(report, 'math.test.js');
    expect(math.tests.map((t) => [t.fullName, t.name, t.state])).toEqual([
      ['math > add > adds two numbers', 'adds two numbers', 'passed'],
      ['math > multiplies', 'multiplies', 'passed'],
      ['divides', 'divides', 'passed'],
    ]);
    expect(math.peakRssBytes).toBeGreaterThan(0);
    for (const t of math.tests) expect(t.error).toBeUndefined();
  });

  test('the failing test carries expected and actual; skip and todo keep their states', () => {
    const strings = fileOf(report, 'strings.test.js');
    const byName = new Map(strings.tests.map((t) => [t.fullName, t]));
    expect([...byName.keys()].sort()).toEqual(['compares strings', 'concatenates', 'is skipped', 'is still to be written']);
    expect(byName.get('concatenates')?.state).toBe('passed');
    expect(byName.get('is skipped')?.state).toBe('skipped');
    expect(byName.get('is still to be written')?.state).toBe('todo');
    const failed = byName.get('compares strings');
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toMatchObject({ expected: 'abd', actual: 'abc' });
    expect(failed?.error?.message).toContain('abd');
  });

  test('the file that cannot load is broken, with an error naming the missing import', () => {
    const broken = fileOf(report, 'broken.test.js');
    expect(broken.tests).toEqual([]);
    expect(broken.errors?.length).toBeGreaterThan(0);
    expect(broken.errors?.map((e) => e.message).join('\n')).toContain('does-not-exist');
  });

  test('--junit writes XML with the failing testcase and the broken file', () => {
    expect(junit.startsWith('<?xml')).toBe(true);
    expect(junit).toMatch(/<testsuites [^>]*failures="1"[^>]*errors="1"/);
    // The failure belongs to its own testcase, not to the file.
    expect(junit).toMatch(/<testcase classname="strings\.test\.js" name="compares strings"[^>]*>\s*<failure [^>]*>/);
    expect(junit).toMatch(/<testsuite name="broken\.test\.js"[\s\S]*?<error [^>]*does-not-exist/);
    expect(junit).toContain('name="math &gt; add &gt; adds two numbers"');
  });

  test('the closing summary names the failing test and the broken file', () => {
    expect(result.stdout).toContain('FAIL strings.test.js > compares strings');
    expect(result.stdout).toContain('BROKEN');
    expect(result.stdout).toContain('broken.test.js');
  });
});

test('all-pass fixture: exit 0, every file and test passed', async () => {
  const run = await runCli(['run', '--root', fixture('all-pass')]);
  expect(run.result.code, run.result.stderr).toBe(0);
  const report = run.report();
  expectSummaryAddsUp(report);
  expect(report.files.map((f) => [f.path, f.state]).sort()).toEqual([
    ['one.test.js', 'passed'],
    ['two.test.js', 'passed'],
  ]);
  expect(report.files.flatMap((f) => f.tests.map((t) => t.state))).toEqual(['passed', 'passed', 'passed', 'passed']);
  expect(fileOf(report, 'one.test.js').tests.map((t) => t.fullName)).toEqual(['arrays > maps', 'arrays > filters']);
  expect(report.errors ?? []).toEqual([]);
  expect(report.orphans).toEqual([]);
});

test('monorepo fixture: both Vitest projects run, each file names its project', async () => {
  const run = await runCli(['run', '--root', fixture('monorepo')]);
  expect(run.result.code, run.result.stderr).toBe(0);
  const report = run.report();
  expectSummaryAddsUp(report);
  expect(report.files.map((f) => [f.path, f.project, f.state]).sort()).toEqual([
    ['packages/a/a.test.js', 'a', 'passed'],
    ['packages/b/b.test.js', 'b', 'passed'],
  ]);
  expect(fileOf(report, 'packages/a/a.test.js', 'a').tests.map((t) => t.fullName)).toEqual(['project a works']);
});
