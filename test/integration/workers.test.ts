// Redline's "auto" workers (src/core/workers.ts): at least two files at once even where Vitest
// would run one (2 cores), unless the user's Vitest config or --workers says otherwise. The
// fixture's two files pass only when they run at the same time.
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixture, removeTempDirs, requireBuiltCli, runCli } from './helpers';

beforeAll(requireBuiltCli);
afterAll(() => {
  removeTempDirs();
  // The fixture's meeting places (test/fixtures/parallel/rendezvous.js).
  for (const name of readdirSync(tmpdir())) if (name.startsWith('redline-rendezvous-')) rmSync(join(tmpdir(), name), { recursive: true, force: true });
});

test('auto: the two files run at the same time, whatever the number of cores', async () => {
  const run = await runCli(['run', '--root', fixture('parallel')]);
  const report = run.report();
  expect(report.summary, run.result.stdout).toMatchObject({ files: 2, passed: 2, failed: 0 });
});

test("the Vitest config's maxWorkers wins over auto: one file at a time, so the first to run waits in vain", async () => {
  const run = await runCli(['run', '--root', fixture('parallel'), '--config', 'one-worker.config.js']);
  const report = run.report();
  expect(report.summary, run.result.stdout).toMatchObject({ files: 2, passed: 1, failed: 1 });
});

test('--workers 1 is one file at a time as well', async () => {
  const run = await runCli(['run', '--root', fixture('parallel'), '--workers', '1']);
  expect(run.report().summary, run.result.stdout).toMatchObject({ files: 2, passed: 1, failed: 1 });
});
