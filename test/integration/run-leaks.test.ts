// Leaks across watch runs, with the real CLI and runner: `redline watch --leaks` on a copy of
// test/fixtures/run-leaks, rerun by edits to a module both test files import. The file whose
// memory climbs from run to run (a store on disk that every run loads whole and appends to) is
// called out once, in one line with its figures per run; the well-behaved file never is.
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CliRun, fixture, makeTempDir, removeTempDirs, REPO_ROOT, requireBuiltCli, waitUntil } from './helpers';

const runs: CliRun[] = [];
beforeAll(requireBuiltCli);
afterAll(() => {
  for (const run of runs) run.killAll();
  removeTempDirs();
});

/** The line that ends each run. */
const RUN_END = /^ (?:PASS|FAIL| STOP ) .*$/gm;
const LEAK = /^ {2}LEAK {2}(\S+) climbs about ([\d.]+) MB per run across watch runs \(\+([\d.]+) MB over (\d+) runs after garbage collection, fit ([\d.]+)\)$/gm;

/** The store grows 4 MB a run: 20 MB, past the 16 MB the trend needs, by the 6th run. */
const MAX_RUNS = 12;

test('a file whose memory climbs from run to run is reported once, per run; a steady one is not', async () => {
  const root = makeTempDir('run-leaks');
  cpSync(fixture('run-leaks'), root, { recursive: true, filter: (src) => !/[\\/](?:\.cache|\.redline|node_modules)$/.test(src) });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const w = new CliRun(['watch', '--root', root, '--leaks', '--debounce', '50'], { json: false });
  runs.push(w);
  const ended = (): number => (w.stdout.match(RUN_END) ?? []).length;
  const leaks = (): RegExpMatchArray[] => [...w.stdout.matchAll(LEAK)];
  const waitRuns = (n: number, what: string): Promise<boolean> =>
    waitUntil(() => ended() >= n, `${what}\nstdout:\n${w.stdout}\nstderr:\n${w.stderr}`, { timeoutMs: 30_000 });

  await waitRuns(1, 'the first run');
  let leakAt: number | undefined;
  for (let run = 2; run <= MAX_RUNS && leakAt === undefined; run++) {
    writeFileSync(join(root, 'src', 'version.js'), `export const version = ${run};\n`);
    await waitRuns(run, `run ${run}`);
    if (leaks().length > 0) leakAt = run;
  }
  expect(leakAt, `no LEAK line after ${MAX_RUNS} runs:\n${w.stdout}`).toBeDefined();
  // Two more runs: the file still climbs, and is not reported again.
  for (const run of [leakAt! + 1, leakAt! + 2]) {
    writeFileSync(join(root, 'src', 'version.js'), `export const version = ${run};\n`);
    await waitRuns(run, `run ${run}`);
  }

  const found = leaks();
  expect(found.map((m) => m[1]), w.stdout).toEqual(['test/store.test.js']);
  const [, , perRun, total, samples, fit] = found[0]!;
  expect(Number(perRun)).toBeGreaterThan(3.5);
  expect(Number(perRun)).toBeLessThan(4.5);
  expect(Number(total)).toBeGreaterThanOrEqual(16);
  // At least 6 runs judged, and no more than had run when it was found.
  expect(Number(samples)).toBeGreaterThanOrEqual(6);
  expect(Number(samples)).toBeLessThanOrEqual(leakAt!);
  expect(Number(fit)).toBeGreaterThan(0.9);
  expect(w.stdout).not.toMatch(/LEAK.*steady/);
  // Every run passed: a leak is news, not a failure.
  expect(w.stdout).not.toMatch(/^ (?:FAIL| STOP )/m);

  w.track();
  w.child.kill('SIGINT');
  const result = await w.wait(15_000);
  expect(result.code, result.stderr).toBe(0);
  await w.expectNothingLeft(3000);
}, 90_000);
