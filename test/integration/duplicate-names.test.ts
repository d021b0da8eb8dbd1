// Tests that share a full name within a file stay apart through a real run: the k-th of a name is
// reported as "name (k)" (src/core/test-names.ts), and the probe inside the workers names it the
// same way — every test gets the heap figure of the probe's testEnd (matched by name), and the
// guard names a stopped test by the probe's testStart.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import { expectSummaryAddsUp, fileOf, fixture, removeTempDirs, requireBuiltCli, runCli, type FinishedRun } from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

let run: FinishedRun;
let report: RunReport;

beforeAll(async () => {
  // spin.test.js never returns from its second test: the file timeout stops it.
  run = await runCli(['run', '--root', fixture('duplicates'), '--file-timeout', '3']);
  report = run.report();
});

test('two it("same") in one describe: both reported, one passed, one failed; the file failed', () => {
  expectSummaryAddsUp(report);
  const same = fileOf(report, 'same.test.js');
  expect(same.state).toBe('failed');
  expect(same.tests.map((t) => [t.fullName, t.name, t.state])).toEqual([
    ['d > same', 'same', 'passed'],
    ['d > same (2)', 'same (2)', 'failed'],
  ]);
  expect(same.tests[1]!.error?.message).toMatch(/expected 2 to be 3/);
});

test('same-named describes, .each rows that format alike, and a written " (2)" stay apart', () => {
  const alike = fileOf(report, 'alike.test.js');
  expect(alike.state).toBe('passed');
  expect(alike.tests.map((t) => [t.fullName, t.state])).toEqual([
    ['A > x', 'passed'],
    ['A > x (2)', 'passed'],
    ['row', 'passed'],
    // "row (2)" is the name of the test written below the rows: the second row takes the next number.
    ['row (3)', 'passed'],
    ['row (2)', 'passed'],
  ]);
});

test("the probe names each test as the runner does: every test has its testEnd's heap figure", () => {
  for (const path of ['same.test.js', 'alike.test.js']) {
    for (const t of fileOf(report, path).tests) expect(t.heapAfterBytes, `${path} > ${t.fullName}`).toBeGreaterThan(0);
  }
});

test('the guard names the stopped test by its unique name: "spin (2)", not the "spin" that passed', () => {
  expect(run.result.code, run.stderr).toBe(2);
  const spin = fileOf(report, 'spin.test.js');
  expect(spin.state).toBe('stopped');
  expect(spin.stopped).toMatchObject({ reason: 'timeout', test: 'spin (2)' });
  expect(spin.tests.map((t) => [t.fullName, t.state])).toEqual([
    ['spin', 'passed'],
    ['spin (2)', 'stopped'],
  ]);
});

test('nothing of the run survives it', async () => {
  await run.expectNothingLeft(2000);
});
