// --file-timeout on a real synchronous busy loop, which no Vitest timeout can interrupt: the file
// is stopped with reason timeout within the timeout + 2 s, and the rest of the run goes on.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import { expectSummaryAddsUp, fileOf, fixture, removeTempDirs, requireBuiltCli, runCli, type FinishedRun } from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

const TIMEOUT_S = 3;
/** How much later than the timeout the stop may come (the "within the file timeout + 2 s"). */
const SLACK_MS = 2000;
/** From the guard's start to the loop's start: Vitest starts, forks a worker, loads the file. */
const STARTUP_MS = 2000;

let run: FinishedRun;
let report: RunReport;

beforeAll(async () => {
  run = await runCli(['run', '--root', fixture('busy'), '--file-timeout', String(TIMEOUT_S)]);
  report = run.report();
});

test('exits 2: busy.test.js is stopped for timeout in the test that spins', () => {
  expect(run.result.code, run.stderr).toBe(2);
  expectSummaryAddsUp(report);
  const busy = fileOf(report, 'busy.test.js');
  expect(busy.state).toBe('stopped');
  expect(busy.stopped).toMatchObject({ reason: 'timeout', test: 'spins forever' });
  expect(busy.tests.find((t) => t.fullName === 'spins forever')?.state).toBe('stopped');
});

test('the stop comes within the file timeout + 2 s', () => {
  const busy = fileOf(report, 'busy.test.js');
  const stopped = busy.stopped;
  if (!stopped) throw new Error('busy.test.js was not stopped');
  // Since the run started: the loop cannot have been stopped before it ran for the timeout.
  expect(stopped.atMs).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
  expect(stopped.atMs).toBeLessThan(TIMEOUT_S * 1000 + SLACK_MS + STARTUP_MS);
  // Since the file started (its duration runs to the stop): the tighter form of the same promise.
  expect(busy.durationMs).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
  expect(busy.durationMs).toBeLessThanOrEqual(TIMEOUT_S * 1000 + SLACK_MS);
  // And the whole CLI, as the user waits for it, does not hang on the loop.
  expect(run.result.wallMs).toBeLessThan(TIMEOUT_S * 1000 + SLACK_MS + 10_000);
});

test('ok.test.js still runs and passes', () => {
  const ok = fileOf(report, 'ok.test.js');
  expect(ok.state).toBe('passed');
  expect(ok.tests.map((t) => [t.fullName, t.state])).toEqual([['still runs', 'passed']]);
});

test('nothing of the run survives it', async () => {
  await run.expectNothingLeft(2000);
});

// KNOWN BUG (see the suite's report): the test that passed before the loop is missing from the
// report. Vitest sends test results from the worker in batches, and the worker blocked before
// the batch left; the probe's testEnd for it did reach the runner, but run-session.ts does not
// turn it into a test entry. Remove `.fails` once the report keeps it.
test('the test that passed before the loop is kept in the report', () => {
  const busy = fileOf(report, 'busy.test.js');
  expect(busy.tests.find((t) => t.fullName === 'before the loop')?.state).toBe('passed');
});
