// The extension-host suite (test/vscode) in desktop VS Code through @vscode/test-electron, for
// machines that can download VS Code (https://update.code.visualstudio.com). `npm test` runs the
// same suite offline inside code-server instead (test/e2e/extension-host.test.ts).
//
//   npm run build && npm run test:vscode
//   REDLINE_VSCODE_VERSION=1.100.0 npm run test:vscode   # the oldest VS Code package.json allows
//   xvfb-run -a npm run test:vscode                      # Linux without a display
//
// VS Code opens a fresh copy of test/fixtures/basic (its node_modules a link to this repository's,
// as the fixtures install nothing) with every other extension disabled; runTests() adds
// --disable-workspace-trust, a profile of its own under .vscode-test/, and --extensionDevelopmentPath
// / --extensionTestsPath. The exit code is the suite's: 0 only if every test passed.
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildVscodeSuite } from '../test/vscode/build.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

for (const file of ['dist/extension.js', 'dist/runner.js', 'dist/probe.mjs']) {
  if (!existsSync(join(repo, file))) {
    console.error(`${file} missing: run \`npm run build\` first.`);
    process.exit(1);
  }
}

const { outFile, files } = await buildVscodeSuite();
console.log(`extension-host suite: ${files.join(', ')}`);

const fixture = join(repo, 'test', 'fixtures', 'basic');
const workspace = mkdtempSync(join(tmpdir(), 'redline-vscode-basic-'));
cpSync(fixture, workspace, {
  recursive: true,
  filter: (src) => !/(^|\/)(node_modules|\.redline)(\/|$)/.test(src.slice(fixture.length)),
});
symlinkSync(join(repo, 'node_modules'), join(workspace, 'node_modules'), 'dir');

let code = 0;
try {
  await runTests({
    version: process.env.REDLINE_VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: repo,
    extensionTestsPath: outFile,
    launchArgs: [workspace, '--disable-extensions'],
    // The suite's own switches (REDLINE_VSCODE_FILES, REDLINE_VSCODE_GREP) pass through.
    extensionTestsEnv: Object.fromEntries(
      ['REDLINE_VSCODE_FILES', 'REDLINE_VSCODE_GREP', 'REDLINE_VSCODE_RESULTS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
    ),
  });
} catch (error) {
  // TestRunFailedError (the suite failed: its output is above) or a failed download/launch.
  console.error(`extension-host suite failed: ${error instanceof Error ? error.message : String(error)}`);
  code = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
process.exit(code);
