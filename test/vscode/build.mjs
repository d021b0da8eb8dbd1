// Bundles the extension-host suite (test/vscode) into one CommonJS file, dist-test/vscode/index.js,
// the `extensionTestsPath` VS Code loads into its extension host: `vscode` is the host's own, Mocha
// and every suite file are inside. The suite files are found here (test/vscode/suite/*.test.ts)
// and handed to index.ts as a virtual module, so index.ts can load each one after telling Mocha
// which file it is (the results are grouped by file).
//
//   node test/vscode/build.mjs        (the e2e suite and scripts/test-vscode.mjs call it)
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
export const SUITE_DIR = join(HERE, 'suite');
export const OUT_DIR = join(REPO, 'dist-test', 'vscode');
export const OUT_FILE = join(OUT_DIR, 'index.js');

/** The suite files, by name, in the order Mocha runs them. */
export function suiteFiles() {
  return readdirSync(SUITE_DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

export async function buildVscodeSuite() {
  const files = suiteFiles();
  const suitesPlugin = {
    name: 'redline-vscode-suites',
    setup(build) {
      build.onResolve({ filter: /^redline:vscode-suites$/ }, () => ({ path: 'suites', namespace: 'redline-suites' }));
      build.onLoad({ filter: /.*/, namespace: 'redline-suites' }, () => ({
        // require(), not import: esbuild then evaluates each file only when index.ts asks for it.
        contents: `export default [${files
          .map((f) => `[${JSON.stringify(f)}, () => require(${JSON.stringify(join(SUITE_DIR, f))})]`)
          .join(',\n')}];`,
        resolveDir: SUITE_DIR,
        loader: 'js',
      }));
    },
  };
  mkdirSync(OUT_DIR, { recursive: true });
  await esbuild.build({
    entryPoints: [join(HERE, 'index.ts')],
    outfile: OUT_FILE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'error',
    plugins: [suitesPlugin],
    // Mocha reads its own package.json and optional reporters dynamically; nothing of that is used.
    logOverride: { 'require-resolve-not-external': 'silent', 'unsupported-require-call': 'silent', 'empty-import-meta': 'silent' },
  });
  return { outFile: OUT_FILE, files };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outFile, files } = await buildVscodeSuite();
  console.log(`${outFile}: ${files.length} suite file(s): ${files.join(', ')}`);
}
