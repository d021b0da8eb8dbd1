#!/usr/bin/env node
// The extension's benchmark, in a real VS Code (code-server 4.100.3 = VS Code 1.100.3, driven in
// Debian's Chromium through playwright-core, with the end-to-end suite's helpers from test/e2e):
//
//   node bench/extension.mjs [--files 700] [--starts 3] [--vsix FILE] [--no-plain] [--no-render]
//                            [--no-heap] [--heap-snapshots] [--repeat N] [--keep]
//
// 1. Activation: the extension's own "Redline activated in N ms", VS Code's figure (Developer:
//    Show Running Extensions) and the time from the workbench's first paint to the status bar
//    item; median of --starts fresh code-servers.
// 2. Extension-host memory (RSS at 10 Hz from /proc) over a Run All of a generated workspace of
//    ≥ 5,000 tests (bench/gen-suite.mjs --files N), against its RSS before the run; Redline's
//    wall time in the editor against plain `npx vitest run` in a terminal.
// 3. UI updates a second: `state` messages the Memory panel's page receives, and text changes of
//    the status bar item (while tests run, and 5 s at rest after the run).
// 4. bench/webview-render.mjs (the phase tree's render figures), its table quoted.
//
// --vsix FILE: test that .vsix instead of packaging one (`npm run package` in a copy of the
// checkout, test/e2e/support.ts). --no-plain / --no-render: skip plain Vitest / the render bench.
// --no-heap: do not open the extension host's inspector (SIGUSR1) for its JS heap before and
// after the run. Diagnosis, not run by default: --repeat N runs Run All N more times over edited
// test files (does the host keep growing?); --heap-snapshots takes heap snapshots after a GC
// before and after each run and tabulates the growth by constructor (the "before" snapshot moves
// the RSS baseline); RL_BENCH_KEEP_SNAPSHOTS=1 with --keep keeps the .heapsnapshot files.
// The default run takes about 7 minutes on 2 cores (plain Vitest and Redline's run are most of it).
//
// Writes bench/results/extension.json and bench/results/extension.md; exits 1 when a target is
// missed, 2 when the bench cannot run. bench/extension/*.ts holds the code: esbuild bundles it
// here, on the fly, into a temp folder under node_modules/.cache (so playwright-core resolves
// from the repository; `import.meta.url` is pinned to test/e2e/code-server.ts, whose REPO_ROOT
// derives from it).
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'redline-bench-extension-'));
let code = 2;
try {
  const out = join(dir, 'main.mjs');
  await esbuild.build({
    entryPoints: [join(root, 'bench', 'extension', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: out,
    logLevel: 'warning',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(root, 'test', 'e2e', 'code-server.ts')).href) },
  });
  const { main } = await import(pathToFileURL(out).href);
  code = await main(process.argv.slice(2), root);
} catch (error) {
  console.error(`bench/extension: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  code = 2;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
