// One bundle per process: the CLI, the runner, the probe that Redline injects into Vitest's
// workers, the VS Code extension host and the webview panels (browser). esbuild does not
// type-check: `npm run typecheck` runs tsc beside it.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
// --outdir DIR: a build beside dist/ (a benchmark can keep measuring one build while you edit).
const outIndex = process.argv.indexOf('--outdir');
const out = outIndex > 0 ? process.argv[outIndex + 1] : 'dist';
if (!out || out.startsWith('--')) throw new Error('esbuild.mjs: --outdir needs a directory');
// A production build (the .vsix) starts from an empty dist/, so no stale source map ships.
if (production) rmSync(out, { recursive: true, force: true });
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
  esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: `${out}/cli.js`, format: 'cjs', banner: { js: '#!/usr/bin/env node' } }),
  esbuild.build({ ...common, entryPoints: ['src/runner/main.ts'], outfile: `${out}/runner.js`, format: 'cjs' }),
  // The probe runs inside the user's Vitest workers as a setup file: ESM, no dependencies.
  esbuild.build({ ...common, entryPoints: ['src/runner/probe/setup.ts'], outfile: `${out}/probe.mjs`, format: 'esm', sourcemap: false }),
  // The extension host loads this; `vscode` is provided by the host.
  esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: `${out}/extension.js`, format: 'cjs', external: ['vscode'] }),
  // The panels' browser code: one bundle for all four panels (they share the elements and the
  // message schemas), loaded by the webview with a nonce.
  esbuild.build({
    ...common,
    platform: 'browser',
    target: 'chrome120',
    entryPoints: ['src/webview/main.ts'],
    outfile: `${out}/webview/main.js`,
    format: 'esm',
    loader: { '.css': 'text' },
  }),
]);
chmodSync(`${out}/cli.js`, 0o755);
// Codicons: the font and its stylesheet, served to the webviews from dist/webview.
mkdirSync(`${out}/webview`, { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `${out}/webview/${file}`);
