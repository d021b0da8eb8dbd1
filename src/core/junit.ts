// JUnit XML for `redline run --junit FILE`, shaped the way CI systems read it (GitLab, Jenkins,
// GitHub test-reporter actions): they count <failure>, <error> and <skipped> children of each
// <testcase>, so every fact that must show up in CI — a broken file, a guard stop, a file that
// never ran — becomes a testcase of its own rather than an attribute nobody displays.
import type { FileReport, Leak, RunReport, TestError, TestReport } from '../protocol/report';
import { formatBytes, formatDuration } from './format';

/** Names of the testcases Redline makes up where the report has no test to hang a fact on. */
export const SyntheticCase = {
  broken: '(file could not load)',
  fileErrors: '(errors outside tests)',
  notRun: '(file not run)',
  skipped: '(file skipped)',
  runErrors: '(run errors)',
} as const;

/** The suite that carries run-level facts (errors of no file, leftover processes). */
export const RUN_SUITE = '(redline run)';

type Outcome =
  | { readonly kind: 'failure' | 'error'; readonly message: string; readonly type: string; readonly body: string }
  | { readonly kind: 'skipped'; readonly message?: string };

interface Case {
  readonly name: string;
  readonly timeMs: number;
  readonly outcome?: Outcome;
}

interface Suite {
  readonly name: string;
  readonly timeMs: number;
  readonly properties: ReadonlyArray<readonly [string, string]>;
  readonly cases: readonly Case[];
  readonly systemErr?: string;
}

export function toJUnitXml(report: RunReport): string {
  const suites = report.files.map((file) => fileSuite(file, report));
  const runSuite = runLevelSuite(report);
  if (runSuite) suites.push(runSuite);

  const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const suite of suites) {
    const counts = countCases(suite.cases);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
  }

  const timestamp = junitTimestamp(report.startedAt);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'redline', ...total, time: seconds(report.durationMs) })}>`,
    ...suites.flatMap((suite) => renderSuite(suite, timestamp)),
    '</testsuites>',
  ];
  return lines.join('\n') + '\n';
}

/**
 * The one-line reason a file was stopped, as CI shows it next to the test:
 * "stopped by Redline: memory 1.02 GB of 1.00 GB limit while running 'x'".
 */
export function describeStop(file: FileReport, limitBytes: number): string {
  const stop = file.stopped;
  const running = stop?.test !== undefined ? ` while running '${stop.test}'` : '';
  if (!stop) return `stopped by Redline${running}`;
  if (stop.reason === 'memory') {
    return `stopped by Redline: memory ${formatBytes(stop.rssBytes)} of ${formatBytes(limitBytes)} limit${running}`;
  }
  return `stopped by Redline: timeout, no progress after ${formatDuration(file.durationMs)}${running}`;
}

function fileSuite(file: FileReport, report: RunReport): Suite {
  return {
    name: file.path,
    timeMs: file.durationMs,
    properties: fileProperties(file, report.leaks),
    cases: fileCases(file, report.memory.limitBytes),
  };
}

function fileProperties(file: FileReport, leaks: readonly Leak[]): Array<[string, string]> {
  const properties: Array<[string, string]> = [['redline.state', file.state]];
  if (file.project !== undefined) properties.push(['redline.project', file.project]);
  if (file.cached) properties.push(['redline.cached', 'true']);
  properties.push(['redline.peakRssBytes', String(Math.round(file.peakRssBytes))]);
  for (const leak of leaks) {
    if (leak.file !== file.path) continue;
    const step = leak.per === 'run' ? 'run' : 'test';
    const figures = `${formatBytes(leak.bytesPerTest)} per ${step}, ${formatBytes(leak.totalBytes)} over ${leak.samples} ${step}s, fit ${leak.fit.toFixed(2)}`;
    properties.push(['redline.leak', `suspected leak: ${figures}`]);
  }
  return properties;
}

function fileCases(file: FileReport, limitBytes: number): Case[] {
  switch (file.state) {
    case 'broken':
      return [...file.tests.map(testCase), brokenCase(file)];
    case 'stopped':
      return stoppedCases(file, limitBytes);
    case 'notrun':
      // Tests may be known from an earlier collection; none of them ran this time.
      if (file.tests.length === 0) return [{ name: SyntheticCase.notRun, timeMs: 0, outcome: notRun() }];
      return file.tests.map((test) => ({ name: caseName(test), timeMs: 0, outcome: notRun() }));
    case 'skipped':
      // A skipped file with no tests would be an empty suite, which CI shows as nothing at all.
      if (file.tests.length === 0) return [{ name: SyntheticCase.skipped, timeMs: 0, outcome: { kind: 'skipped' } }];
      return file.tests.map(testCase);
    case 'passed':
    case 'failed':
      return [...file.tests.map(testCase), ...fileErrorCases(file)];
  }
}

function testCase(test: TestReport): Case {
  const base = { name: caseName(test), timeMs: test.durationMs };
  switch (test.state) {
    case 'passed':
      return base;
    case 'failed':
      return { ...base, outcome: failure(test.error) };
    case 'skipped':
      return { ...base, outcome: { kind: 'skipped' } };
    case 'todo':
      return { ...base, outcome: { kind: 'skipped', message: 'todo' } };
    case 'stopped':
      // Only the test named in `file.stopped` carries the stop (see stoppedCases); any other
      // test in this state was cut off before it could run.
      return { ...base, outcome: { kind: 'skipped', message: 'not run: file stopped by Redline' } };
  }
}

function stoppedCases(file: FileReport, limitBytes: number): Case[] {
  const culprit = findCulprit(file);
  const outcome: Outcome = {
    kind: 'error',
    type: file.stopped ? `stopped:${file.stopped.reason}` : 'stopped',
    message: describeStop(file, limitBytes),
    body: stopDetails(file, limitBytes),
  };
  const cases = file.tests.map((test) => (test === culprit ? { ...testCase(test), outcome } : testCase(test)));
  // With no test to blame, the stop still has to be a testcase or CI would count the file as
  // green: name it after the test the guard saw, or after the file.
  if (!culprit) cases.push({ name: file.stopped?.test ?? file.path, timeMs: file.durationMs, outcome });
  return cases;
}

function findCulprit(file: FileReport): TestReport | undefined {
  const name = file.stopped?.test;
  if (name !== undefined) return file.tests.find((test) => test.fullName === name || test.name === name);
  const stopped = file.tests.filter((test) => test.state === 'stopped');
  return stopped.length === 1 ? stopped[0] : undefined;
}

function stopDetails(file: FileReport, limitBytes: number): string {
  const stop = file.stopped;
  const lines: string[] = [];
  if (stop) {
    lines.push(
      stop.reason === 'memory'
        ? 'Redline stopped this file to keep the test process tree under its memory limit.'
        : 'Redline stopped this file: its worker made no progress within the file timeout.',
      `Memory at stop: ${formatBytes(stop.rssBytes)} (limit ${formatBytes(limitBytes)})`,
      `Stopped at: ${formatDuration(stop.atMs)} into the run`,
    );
    if (stop.test !== undefined) lines.push(`Running test: ${stop.test}`);
  } else {
    lines.push('Redline stopped this file.');
  }
  lines.push(`Peak memory of the file: ${formatBytes(file.peakRssBytes)}`);
  const errors = (file.errors ?? []).map(errorText);
  return [lines.join('\n'), ...errors].join('\n\n');
}

function brokenCase(file: FileReport): Case {
  const errors = file.errors ?? [];
  return {
    name: SyntheticCase.broken,
    timeMs: file.durationMs,
    outcome: {
      kind: 'error',
      type: errors[0] ? errorType(errors[0]) : 'Error',
      message: errors[0]?.message ?? 'the file could not be loaded',
      body: errors.map(errorText).join('\n\n'),
    },
  };
}

// An error thrown outside any test (afterAll, an unhandled rejection) fails the file without
// failing a test: without its own testcase CI would show all green next to a red exit code.
function fileErrorCases(file: FileReport): Case[] {
  const errors = file.errors ?? [];
  if (errors.length === 0) return [];
  return [{ name: SyntheticCase.fileErrors, timeMs: 0, outcome: errorOutcome(errors) }];
}

function runLevelSuite(report: RunReport): Suite | undefined {
  const errors = report.errors ?? [];
  if (errors.length === 0 && report.orphans.length === 0) return undefined;
  const cases: Case[] = errors.length > 0 ? [{ name: SyntheticCase.runErrors, timeMs: 0, outcome: errorOutcome(errors) }] : [];
  // The JUnit schema allows <system-err> only inside a <testsuite>, not on <testsuites>, so the
  // leftover processes go into a suite of the run's own.
  const systemErr =
    report.orphans.length === 0
      ? undefined
      : [
          'Processes left behind by the tests, killed by Redline:',
          ...report.orphans.map((o) => `  pid ${o.pid}${o.file !== undefined ? ` (from ${o.file})` : ''}: ${o.command}`),
        ].join('\n');
  return {
    name: RUN_SUITE,
    timeMs: 0,
    properties: [['redline.orphans', String(report.orphans.length)]],
    cases,
    systemErr,
  };
}

function errorOutcome(errors: readonly TestError[]): Outcome {
  const first = errors[0];
  return {
    kind: 'error',
    type: first ? errorType(first) : 'Error',
    message: first?.message ?? 'error',
    body: errors.map(errorText).join('\n\n'),
  };
}

function failure(error: TestError | undefined): Outcome {
  if (!error) return { kind: 'failure', type: 'Error', message: 'test failed', body: '' };
  return { kind: 'failure', type: errorType(error), message: error.message, body: errorText(error) };
}

function errorText(error: TestError): string {
  const parts = [error.message];
  if (error.expected !== undefined || error.actual !== undefined) {
    parts.push(`Expected: ${error.expected ?? ''}\nActual: ${error.actual ?? ''}`);
  }
  if (error.stack !== undefined && error.stack !== '') parts.push(error.stack);
  return parts.join('\n\n');
}

// `type` is the exception class in JUnit; the report keeps no class, but a V8 stack starts with
// it ("AssertionError: expected 1 to be 2").
function errorType(error: TestError): string {
  const match = /^\s*((?:[A-Za-z_$][\w$]*)?(?:Error|Exception))\b/.exec(error.stack ?? '');
  if (match) return match[1];
  return error.expected !== undefined || error.actual !== undefined ? 'AssertionError' : 'Error';
}

function notRun(): Outcome {
  return { kind: 'skipped', message: 'not run' };
}

function caseName(test: TestReport): string {
  return test.fullName !== '' ? test.fullName : test.name;
}

function countCases(cases: readonly Case[]): { tests: number; failures: number; errors: number; skipped: number } {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome?.kind === 'failure').length,
    errors: cases.filter((c) => c.outcome?.kind === 'error').length,
    skipped: cases.filter((c) => c.outcome?.kind === 'skipped').length,
  };
}

function renderSuite(suite: Suite, timestamp: string): string[] {
  const counts = countCases(suite.cases);
  const lines = [`  <testsuite${attrs({ name: suite.name, timestamp, ...counts, time: seconds(suite.timeMs) })}>`];
  if (suite.properties.length > 0) {
    lines.push('    <properties>');
    for (const [name, value] of suite.properties) lines.push(`      <property${attrs({ name, value })}/>`);
    lines.push('    </properties>');
  }
  for (const c of suite.cases) lines.push(...renderCase(c, suite.name));
  if (suite.systemErr !== undefined) lines.push(`    <system-err>${escapeText(suite.systemErr)}</system-err>`);
  lines.push('  </testsuite>');
  return lines;
}

function renderCase(c: Case, classname: string): string[] {
  const open = `    <testcase${attrs({ classname, name: c.name, time: seconds(c.timeMs) })}`;
  const outcome = c.outcome;
  if (!outcome) return [`${open}/>`];
  if (outcome.kind === 'skipped') {
    const skipped = outcome.message !== undefined ? `<skipped${attrs({ message: outcome.message })}/>` : '<skipped/>';
    return [`${open}>`, `      ${skipped}`, '    </testcase>'];
  }
  const element = `<${outcome.kind}${attrs({ message: outcome.message, type: outcome.type })}>${escapeText(outcome.body)}</${outcome.kind}>`;
  return [`${open}>`, `      ${element}`, '    </testcase>'];
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeAttr(String(value))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

// The JUnit schema's timestamp has no zone and no fraction (jest-junit emits the same); some
// Jenkins versions reject anything else. The report's startedAt is UTC, so nothing is lost.
// Files carry no start time of their own, so every suite gets the run's.
function junitTimestamp(startedAt: string): string {
  const date = new Date(startedAt);
  return Number.isNaN(date.getTime()) ? startedAt : date.toISOString().slice(0, 19);
}

// Terminal colours (CSI sequences, including the one-byte C1 form) and OSC sequences such as
// hyperlinks: test output is full of them, and in XML they are noise or outright illegal.
const ANSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;
// Characters XML 1.0 forbids anywhere, even escaped: C0 controls other than tab, LF and CR, and
// U+FFFE/U+FFFF. A parser stops at the first one, which would lose the whole report.
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
// With the u flag a well-formed surrogate pair is one code point, so this matches only halves
// left alone (a string cut in the middle of an emoji), which are not characters at all.
const LONE_SURROGATE = /[\ud800-\udfff]/gu;

/** Removes what XML 1.0 cannot hold; exported for tests and for other XML writers. */
export function xmlSafe(text: string): string {
  return text.replace(ANSI, '').replace(ILLEGAL, '').replace(LONE_SURROGATE, '\ufffd');
}

function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Line breaks and tabs are written as character references: a parser would otherwise normalise
// them to spaces, and a multi-line message would arrive on one line.
function escapeAttr(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
