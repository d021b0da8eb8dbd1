// The requests the editor uses beside `run`, against the real runner on fixture workspaces:
// discovery lists the test files without running one, a report carries each test's line, free
// memory drops Vitest and the next run still works, and a leak carries its post-GC series.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { RunnerClient, type NotificationHandlers } from '../../src/host/runner-client';
import type { RunParams } from '../../src/protocol/runner';
import { fixture, REPO_ROOT, requireBuiltCli } from './helpers';

beforeAll(requireBuiltCli);

let client: RunnerClient | undefined;
afterEach(async () => {
  await client?.shutdown();
  client = undefined;
});

async function start(root: string, handlers: NotificationHandlers = {}): Promise<RunnerClient> {
  client = new RunnerClient(join(REPO_ROOT, 'dist', 'runner.js'), handlers);
  client.start();
  const init = await client.initialize(root);
  expect(init.kind).toBe('ready');
  return client;
}

const params = (extra: Partial<RunParams> = {}): RunParams => ({
  filters: [],
  fileTimeoutMs: 60_000,
  memory: { limitBytes: 4 * 1024 ** 3, tiers: { warning: 40, critical: 60, emergency: 80, terminal: 95 }, sampleIntervalMs: 100 },
  cache: { enabled: false, maxEntries: 100, maxBytes: 1e8, exclude: [] },
  ...extra,
});

describe('runner requests for the editor', () => {
  test('discover lists the test files, sorted, and runs none of them', async () => {
    let started = 0;
    const c = await start(fixture('basic'), { 'run/fileStarted': () => started++, 'run/planned': () => started++ });
    const found = await c.discover({});
    expect(found).toEqual({ kind: 'ok', files: [{ path: 'broken.test.js' }, { path: 'math.test.js' }, { path: 'strings.test.js' }] });
    expect(started).toBe(0);
  });

  test('a run reports where each test is declared; free memory drops Vitest and the next run still works', async () => {
    const c = await start(fixture('basic'));
    const first = await c.run(params({ filters: [join(fixture('basic'), 'math.test.js')] }));
    expect(first.kind).toBe('done');
    if (first.kind !== 'done') return;
    const tests = first.report.files[0]!.tests;
    expect(tests.find((t) => t.name === 'adds two numbers')?.location).toEqual({ line: 7, column: expect.any(Number) });
    expect(tests.find((t) => t.name === 'divides')?.location?.line).toBe(17);

    const freed = await c.freeMemory();
    expect(freed.skipped).toBeUndefined();
    expect(freed.afterBytes).toBeGreaterThan(0);
    expect(freed.afterBytes).toBeLessThan(freed.beforeBytes + 32 * 1024 * 1024);
    const again = await c.run(params({ filters: [join(fixture('basic'), 'math.test.js')] }));
    expect(again.kind === 'done' && again.report.summary.passed).toBe(1);
  });

  test('a suspected leak carries its post-GC series for a chart', async () => {
    const root = fixture('leaks');
    const c = await start(root);
    const result = await c.run(
      params({ filters: [join(root, 'module-array.test.js')], leaks: { enabled: true, minBytesPerTest: 512 * 1024, minFit: 0.8, minTotalBytes: 8 * 1024 * 1024, minSamples: 5 } }),
    );
    expect(result.kind).toBe('done');
    if (result.kind !== 'done') return;
    const leak = result.report.leaks.find((l) => l.file === 'module-array.test.js');
    expect(leak, JSON.stringify(result.report.leaks)).toBeDefined();
    expect(leak!.points!.length).toBeGreaterThanOrEqual(5);
    expect(leak!.points!.at(-1)!).toBeGreaterThan(leak!.points![0]!);
  });
});
