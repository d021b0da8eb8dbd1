// The memory guard on real runaway allocators: the offending file is stopped with reason memory
// and the test that was running, the tree's peak stays within 10% above the limit, the other file
// still runs, and no process of the run outlives it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/protocol/report';
import { expectSummaryAddsUp, fileOf, fixture, removeTempDirs, requireBuiltCli, runCli, type FinishedRun } from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

const LIMIT_MB = 1024;
const LIMIT_BYTES = LIMIT_MB * 1024 * 1024;

describe.each([
  // Yields every iteration: probe messages still flow while it grows.
  { name: 'runaway', hog: 'runaway.test.js', test: 'hoards memory', neighbour: 'steady.test.js', before: ['warms up'] },
  // Never yields: only a kill driven by sampled RSS can stop it.
  { name: 'runaway-sync', hog: 'sync-hog.test.js', test: 'hogs memory without yielding', neighbour: 'ok.test.js', before: [] },
])('$name fixture with --memory-limit 1G', ({ name, hog, test: hogTest, neighbour, before }) => {
  let run: FinishedRun;
  let report: RunReport;

  beforeAll(async () => {
    run = await runCli(['run', '--root', fixture(name), '--memory-limit', '1G']);
    report = run.report();
  });

  test('exits 2 with a report that adds up', () => {
    expect(run.result.code, run.stderr).toBe(2);
    expectSummaryAddsUp(report);
    expect(report.summary).toMatchObject({ files: 2, passed: 1, stopped: 1 });
    expect(report.memory.limitBytes).toBe(LIMIT_BYTES);
  });

  test(`${hog} is stopped for memory in the test that was running`, () => {
    const file = fileOf(report, hog);
    expect(file.state).toBe('stopped');
    expect(file.stopped).toMatchObject({ reason: 'memory', test: hogTest });
    expect(file.peakRssBytes).toBeGreaterThan(0);
    expect(file.stopped?.rssBytes).toBeGreaterThan(0);
    expect(file.tests.find((t) => t.fullName === hogTest)?.state).toBe('stopped');
    for (const passed of before) expect(file.tests.find((t) => t.fullName === passed)?.state).toBe('passed');
    // The guard only stops at the emergency tier or above.
    expect(report.memory.tiers.some((t) => t.tier === 'emergency' || t.tier === 'terminal')).toBe(true);
  });

  test("the tree's peak stays within 10% above the limit", () => {
    expect(report.memory.peakBytes).toBeGreaterThan(0);
    expect(report.memory.peakBytes).toBeLessThanOrEqual(1.1 * LIMIT_BYTES);
    expect(fileOf(report, hog).peakRssBytes).toBeLessThanOrEqual(1.1 * LIMIT_BYTES);
  });

  test(`${neighbour} still runs and passes`, () => {
    const file = fileOf(report, neighbour);
    expect(file.state).toBe('passed');
    expect(file.tests.length).toBeGreaterThan(0);
    expect(file.tests.every((t) => t.state === 'passed')).toBe(true);
  });

  test('nothing of the run survives it', async () => {
    // The run was seen from the outside: the runner and its workers, and the run's marker.
    expect(run.marker, 'the REDLINE_RUN marker, read from the runner while it ran').toMatch(/\S/);
    expect([...run.seen.values()].some((p) => p.cmdline.includes('dist/runner.js'))).toBe(true);
    await run.expectNothingLeft(2000);
  });
});
