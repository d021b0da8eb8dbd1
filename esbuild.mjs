// One bundle per process: the CLI, the runner and the probe that Redline injects into Vitest's
// workers (later also the extension host and the webviews). esbuild does not type-check:
// `npm run typecheck` runs tsc beside it.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', format: 'cjs', banner: { js: '#!/usr/bin/env node' } }),
  esbuild.build({ ...common, entryPoints: ['src/runner/main.ts'], outfile: 'dist/runner.js', format: 'cjs' }),
  // The probe runs inside the user's Vitest workers as a setup file: ESM, no dependencies.
  esbuild.build({ ...common, entryPoints: ['src/runner/probe/setup.ts'], outfile: 'dist/probe.mjs', format: 'esm', sourcemap: false }),
]);
chmodSync('dist/cli.js', 0o755);
