// The requests the editor uses beside `run`, against the real runner on fixture workspaces:
// discovery lists the test files without running one, a report carries each test's line, free
// memory drops Vitest and the next run still works, and a leak carries its post-GC series.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient, type NotificationHandlers } from '../../src/host/runner-client';
import type { RunParams } from '../../src/protocol/runner';
import { fixture, makeTempDir, REPO_ROOT, removeTempDirs, requireBuiltCli } from './helpers';

beforeAll(requireBuiltCli);
afterAll(removeTempDirs);

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

describe('cancel, then run again on the same runner', () => {
  test('the cancelled file runs again to its end (the runner keeps Vitest between runs)', async () => {
    const root = makeTempDir('cancel-rerun');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'cancel-rerun', private: true, type: 'module' }));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'vitest.config.js'), 'export default { test: {} };\n');
    // Waits until the file `go` exists: forever in the first run, not at all in the second.
    writeFileSync(
      join(root, 'slow.test.js'),
      "import { test } from 'vitest';\nimport { existsSync } from 'node:fs';\ntest('waits', async () => { while (!existsSync(new URL('./go', import.meta.url))) await new Promise((r) => setTimeout(r, 50)); }, 600000);\n",
    );
    writeFileSync(join(root, 'quick.test.js'), "import { test, expect } from 'vitest';\ntest('quick', () => expect(1).toBe(1));\n");
    let waiting = false;
    const c = await start(root, { 'run/testStarted': (p) => void (p.fullName === 'waits' && (waiting = true)) });
    const first = c.run(params({ filters: [join(root, 'slow.test.js'), join(root, 'quick.test.js')] }));
    while (!waiting) await new Promise((r) => setTimeout(r, 20));
    await c.cancel();
    const cancelled = await first;
    expect(cancelled.kind === 'done' && cancelled.report.files.find((f) => f.path === 'slow.test.js')?.state).not.toBe('passed');
    writeFileSync(join(root, 'go'), '');
    const again = await Promise.race([c.run(params({ filters: [join(root, 'slow.test.js')] })), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    expect(again === 'hung' ? 'hung' : again.kind === 'done' && again.report.summary).toMatchObject({ passed: 1 });
  });
});
