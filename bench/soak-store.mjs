// Soak of the state store's crash safety (issue 3): the SIGKILL cycle of
// test/integration/store-faults.test.ts, many more times. A real writer process saves the phases
// of one workspace in a loop and is SIGKILLed at a random moment (5–80 ms after its first save);
// the store is then loaded, and the load must return exactly the last acknowledged write or the
// one in flight, with status 'ok'. Not part of `npm test`: 500 cycles take a few minutes.
//
//   node bench/soak-store.mjs [--cycles 500] [--seed N] [--keep]
//
// Exits 1 on any failure. Builds what it needs from the TypeScript sources with esbuild into a
// temp directory, so no `npm run build` is needed first.
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '500' },
    seed: { type: 'string' },
    // Keep the workspace afterwards, to look at what 500 kills leave behind.
    keep: { type: 'boolean', default: false },
  },
});
const cycles = Number(values.cycles);
if (!Number.isInteger(cycles) || cycles < 1) {
  console.error(`--cycles takes a whole number ≥ 1, not ${values.cycles}`);
  process.exit(3);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);

const work = mkdtempSync(join(tmpdir(), 'redline-soak-store-'));
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
const writer = join(work, 'store-writer.cjs');
const harness = join(work, 'store-kill-cycles.mjs');
esbuild.buildSync({ ...common, entryPoints: [join(ROOT, 'test/integration/store-writer.ts')], format: 'cjs', outfile: writer });
esbuild.buildSync({ ...common, entryPoints: [join(ROOT, 'test/integration/store-kill-cycles.ts')], format: 'esm', outfile: harness });
const { runKillCycles } = await import(pathToFileURL(harness).href);

const workspace = join(work, 'workspace');
console.log(`soak-store: ${cycles} SIGKILL cycles on ${workspace}, seed ${seed} (--seed ${seed} replays the kill delays)`);
const every = Math.max(1, Math.round(cycles / 10));
const summary = await runKillCycles({
  writer,
  root: workspace,
  cycles,
  seed,
  onCycle: (cycle) => {
    if (cycle.failure) console.log(`  FAIL ${cycle.failure}`);
    if ((cycle.index + 1) % every === 0) console.log(`  ${cycle.index + 1}/${cycles} cycles, last write on disk ${cycle.loaded ?? '?'}`);
  },
});

const mean = summary.acknowledged / summary.cycles;
console.log('');
console.log(`cycles                        ${summary.cycles}`);
console.log(`failures                      ${summary.failures.length}`);
console.log(`writes acknowledged           ${summary.acknowledged}`);
console.log(`mean writes per cycle         ${mean.toFixed(2)}`);
console.log(`loads of the write in flight  ${summary.inFlightLoaded} (killed after the rename, before the acknowledgement)`);
console.log(`locks left by a kill          ${summary.lockLeftBehind} (of which empty or half-written: ${summary.garbledLocksLeft})`);
console.log(`slowest start on such a lock  ${summary.slowestStartAfterStaleLockMs} ms`);
console.log(`stray temp files at the end   ${summary.strayTempFiles}`);
console.log(`elapsed                       ${(summary.elapsedMs / 1000).toFixed(1)} s`);
for (const failure of summary.failures) console.log(`FAIL ${failure}`);

if (values.keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exit(summary.failures.length > 0 ? 1 : 0);
