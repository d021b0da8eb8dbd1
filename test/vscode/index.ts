// The extension-host suite's entry: VS Code loads the bundle of this file (dist-test/vscode/index.js,
// built by test/vscode/build.mjs) as `extensionTestsPath` and calls `run()` inside its extension
// host, where `vscode` is the real API. It resolves when every test passed and rejects otherwise
// (the test-runner contract of VS Code, @vscode/test-electron and code-server alike).
//
// Besides Mocha's spec output, each test's outcome is written as JSON to the file named by
// REDLINE_VSCODE_RESULTS (the e2e suite, test/e2e/extension-host.test.ts, reads it and reports
// per suite file), and printed as one `[redline-vscode-results]` line.
import Mocha from 'mocha';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import suites from 'redline:vscode-suites';

export interface TestOutcome {
  /** Suite file name, e.g. "3-run.test.ts". */
  readonly file: string;
  readonly fullTitle: string;
  readonly state: 'passed' | 'failed' | 'pending';
  readonly durationMs: number;
  readonly error?: { readonly message: string; readonly stack?: string };
}

export interface SuiteResults {
  readonly files: readonly string[];
  readonly outcomes: readonly TestOutcome[];
  readonly passed: number;
  readonly failed: number;
  readonly pending: number;
  readonly durationMs: number;
}

export const RESULTS_LINE = '[redline-vscode-results]';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 120_000, color: false, reporter: 'spec' });
  // Set REDLINE_VSCODE_GREP to run the tests whose full title matches (a regular expression).
  if (process.env.REDLINE_VSCODE_GREP) mocha.grep(new RegExp(process.env.REDLINE_VSCODE_GREP));
  const onlyFiles = process.env.REDLINE_VSCODE_FILES?.split(',').filter(Boolean);
  const files: string[] = [];
  for (const [file, load] of suites) {
    if (onlyFiles && !onlyFiles.some((f) => file.startsWith(f))) continue;
    files.push(file);
    // What mocha.loadFiles() does for a file on disk: the interface (suite, test, …) binds to the
    // file being loaded, so every suite and test knows its file.
    mocha.suite.emit('pre-require', globalThis, file, mocha);
    mocha.suite.emit('require', load(), file, mocha);
    mocha.suite.emit('post-require', globalThis, file, mocha);
  }

  const outcomes: TestOutcome[] = [];
  const started = Date.now();
  const record = (test: Mocha.Runnable, state: TestOutcome['state'], error?: Error): void => {
    outcomes.push({
      file: test.file ?? test.parent?.file ?? '?',
      fullTitle: test.fullTitle(),
      state,
      durationMs: test.duration ?? 0,
      ...(error ? { error: { message: String(error.message ?? error), ...(error.stack ? { stack: error.stack } : {}) } } : {}),
    });
  };

  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((count) => resolve(count));
    runner.on('pass', (test) => record(test, 'passed'));
    runner.on('fail', (test, error: Error) => record(test, 'failed', error));
    runner.on('pending', (test) => record(test, 'pending'));
  });

  const results: SuiteResults = {
    files,
    outcomes,
    passed: outcomes.filter((o) => o.state === 'passed').length,
    failed: outcomes.filter((o) => o.state === 'failed').length,
    pending: outcomes.filter((o) => o.state === 'pending').length,
    durationMs: Date.now() - started,
  };
  const out = process.env.REDLINE_VSCODE_RESULTS;
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(results, null, 2));
  }
  console.log(`${RESULTS_LINE} ${JSON.stringify({ passed: results.passed, failed: results.failed, pending: results.pending })}`);
  if (failures > 0 || results.failed > 0) throw new Error(`${Math.max(failures, results.failed)} extension-host test(s) failed`);
}
