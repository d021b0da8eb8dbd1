// One bundle per process: the CLI, the runner, the probe that Redline injects into Vitest's
// workers, the VS Code extension host and the webview panels (browser). esbuild does not
// type-check: `npm run typecheck` runs tsc beside it.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
// A production build (the .vsix) starts from an empty dist/, so no stale source map ships.
if (production) rmSync('dist', { recursive: true, force: true });
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
  // The extension host loads this; `vscode` is provided by the host.
  esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', format: 'cjs', external: ['vscode'] }),
  // The panels' browser code: one bundle for all four panels (they share the elements and the
  // message schemas), loaded by the webview with a nonce.
  esbuild.build({
    ...common,
    platform: 'browser',
    target: 'chrome120',
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview/main.js',
    format: 'esm',
    loader: { '.css': 'text' },
  }),
]);
chmodSync('dist/cli.js', 0o755);
// Codicons: the font and its stylesheet, served to the webviews from dist/webview.
mkdirSync('dist/webview', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/${file}`);
