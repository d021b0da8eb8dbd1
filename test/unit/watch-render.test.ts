import { describe, expect, test } from 'vitest';
import { changedText, runDoneLines, runHeadline, runSummaryLine, watchStatusLine, type WatchView } from '../../src/cli/watch-render';
import type { FileReport, RunReport } from '../../src/protocol/report';
import { summarize } from '../../src/core/report-summary';

// No colours: the text is what is asserted.
const id = (s: string): string => s;
const c = { red: id, green: id, yellow: id, dim: id, bold: id, cyan: id, magenta: id, bgRed: id, bgYellow: id, bgMagenta: id, black: id, white: id };
const MB = 1024 * 1024;
const AT = new Date(2026, 0, 1, 9, 5, 7);

function file(over: Partial<FileReport> & { path: string; state: FileReport['state'] }): FileReport {
  return { cached: false, durationMs: 10, peakRssBytes: 50 * MB, tests: [], ...over };
}

function report(files: FileReport[], over: Partial<RunReport> = {}): RunReport {
  return {
    version: 1, root: '/w', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1234, summary: summarize(files), files,
    memory: { limitBytes: 1024 * MB, peakBytes: 300 * MB, tiers: [] },
    leaks: [], orphans: [], cache: { hits: files.filter((f) => f.cached).length, misses: files.filter((f) => !f.cached).length }, ...over,
  };
}

const passed = file({ path: 'test/a.test.ts', state: 'passed', tests: [{ name: 'a', fullName: 'a', state: 'passed', durationMs: 1 }] });
const cachedPass = file({ path: 'test/b.test.ts', state: 'passed', cached: true });
const failed = file({
  path: 'test/c.test.ts', state: 'failed',
  tests: [
    { name: 'ok', fullName: 'c > ok', state: 'passed', durationMs: 1 },
    { name: 'adds', fullName: 'c > adds', state: 'failed', durationMs: 1, error: { message: 'expected 1 to be 2\nmore detail' } },
  ],
});

describe('the watch status line', () => {
  const base: WatchView = { state: 'idle', planned: 0, done: 0, keys: true };
  test('starting and restarting say what is happening', () => {
    expect(watchStatusLine({ ...base, state: 'starting' }, c)).toBe(' WATCH starting Vitest…');
    expect(watchStatusLine({ ...base, state: 'restarting' }, c)).toBe(' WATCH restarting Vitest between runs (memory-safe watch)…');
  });
  test('running: files done of those affected, memory against the limit, the file running', () => {
    const line = watchStatusLine({ ...base, state: 'running', planned: 4, done: 1, memory: { rssBytes: 200 * MB, limitBytes: 1024 * MB, tier: 'ok' }, current: 'test/c.test.ts' }, c);
    expect(line).toBe(' RUN 1/4 affected · memory 200.0 MB / 1.00 GB ok · test/c.test.ts');
  });
  test('running before the plan is known', () => {
    expect(watchStatusLine({ ...base, state: 'running' }, c)).toBe(' RUN 0/? affected');
  });
  test('idle: the last verdict, and the keys only when keys work', () => {
    const last = report([passed, cachedPass, failed]);
    expect(watchStatusLine({ ...base, last }, c)).toBe(' WATCH waiting for changes · last: FAIL 2 passed · 1 failed · 1 cached (3 files) · a all · f failed · q quit');
    expect(watchStatusLine({ ...base, keys: false }, c)).toBe(' WATCH waiting for changes');
  });
});

describe('a run in watch mode', () => {
  test('the headline names what changed and how many test files it affects', () => {
    expect(runHeadline('changes', ['src/x.ts'], 2, c)).toBe(' ▶ src/x.ts changed → 2 test files affected');
    expect(runHeadline('changes', ['a', 'b', 'c', 'd', 'e'], 1, c)).toBe(' ▶ a, b, c and 2 more changed → 1 test file affected');
    expect(runHeadline('start', [], 5, c)).toBe(' ▶ first run: 5 test files (unchanged ones from the cache)');
    expect(runHeadline('all', [], 5, c)).toBe(' ▶ all tests, cache off: 5 test files');
    expect(runHeadline('failed', [], 1, c)).toBe(' ▶ the files that failed: 1 test file');
  });
  test('changedText shortens a long batch', () => {
    expect(changedText([])).toBe('nothing');
    expect(changedText(['a', 'b'])).toBe('a, b');
  });
  test('at the end: the files that did not pass with their failing tests, then one line of counts', () => {
    const lines = runDoneLines(report([passed, cachedPass, failed]), 'changes', ['src/x.ts'], AT, c);
    expect(lines).toEqual([
      ' ✗ test/c.test.ts (2 tests | 1 failed) 10 ms',
      '    ✗ c > adds — expected 1 to be 2',
      ' FAIL 2 passed · 1 failed · 1 cached (3 files) in 1.2 s  09:05:07',
    ]);
  });
  test('a clean run is one line; cached files are counted', () => {
    expect(runDoneLines(report([passed, cachedPass]), 'changes', ['src/x.ts'], AT, c)).toEqual([' PASS 2 passed · 1 cached (2 files) in 1.2 s  09:05:07']);
  });
  test('a stopped file makes the verdict STOP and says why', () => {
    const stopped = file({ path: 'test/big.test.ts', state: 'stopped', stopped: { reason: 'memory', test: 'hoards', rssBytes: 990 * MB, atMs: 100 } });
    const lines = runDoneLines(report([passed, stopped]), 'all', [], AT, c);
    expect(lines[0]).toBe(' ■ test/big.test.ts stopped: memory — 990.0 MB in "hoards"');
    expect(lines.at(-1)).toBe('  STOP  1 passed · 1 stopped (2 files) in 1.2 s  09:05:07');
  });
  test('a broken file shows why it could not load', () => {
    const broken = file({ path: 'test/x.test.ts', state: 'broken', errors: [{ message: "Cannot find module './gone.js'" }] });
    expect(runDoneLines(report([broken]), 'changes', ['src/gone.js'], AT, c).slice(0, 2)).toEqual([
      ' ! test/x.test.ts could not load',
      "    Cannot find module './gone.js'",
    ]);
  });
  test('a change that affects no test file is one line saying so', () => {
    expect(runDoneLines(report([]), 'changes', ['README.md'], AT, c)).toEqual([' · README.md changed: no test file affected 09:05:07']);
    expect(runDoneLines(report([]), 'failed', [], AT, c)).toEqual([' · no file failed in the last run: nothing to rerun 09:05:07']);
  });
  test('the summary line alone', () => {
    expect(runSummaryLine(report([passed]), AT, c)).toBe(' PASS 1 passed (1 file) in 1.2 s  09:05:07');
  });
});
