// A leak across watch runs (`per: 'run'`, core/run-trends) says "per run" and "runs" wherever a
// leak is shown — the CLI summary, JUnit, the Leak Alerts card, `redline watch` — and a leak per
// test reads as before.
import { describe, expect, test } from 'vitest';
import { summaryLines } from '../../src/cli/summary';
import { runDoneLines, runLeakLine } from '../../src/cli/watch-render';
import { toJUnitXml } from '../../src/core/junit';
import { summarize } from '../../src/core/report-summary';
import { leakCards } from '../../src/core/views/leaks-view';
import type { FileReport, Leak, RunReport } from '../../src/protocol/report';
import { LeakSchema } from '../../src/protocol/report';

const id = (s: string): string => s;
const c = { red: id, green: id, yellow: id, dim: id, bold: id, cyan: id, magenta: id, bgRed: id, bgYellow: id, bgMagenta: id, black: id, white: id };
const MB = 1024 * 1024;
const AT = new Date(2026, 0, 1, 9, 5, 7);

const perRun: Leak = {
  file: 'test/store.test.js', per: 'run', bytesPerTest: 2 * MB, fit: 0.996, totalBytes: 18 * MB, samples: 10, series: 'total',
  hint: 'Its memory at the end of each run climbs from run to run.', points: Array.from({ length: 10 }, (_, i) => 20 * MB + i * 2 * MB),
};
const perTest: Leak = { file: 'test/cache.test.js', bytesPerTest: MB, fit: 0.99, totalBytes: 19 * MB, samples: 20, series: 'heap' };

function report(leaks: Leak[]): RunReport {
  const files: FileReport[] = ['test/store.test.js', 'test/cache.test.js'].map((path) => ({ path, state: 'passed', cached: false, durationMs: 10, peakRssBytes: 80 * MB, tests: [] }));
  return {
    version: 1, root: '/w', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1200, summary: summarize(files), files,
    memory: { limitBytes: 2048 * MB, peakBytes: 300 * MB, tiers: [] }, leaks, orphans: [], cache: { hits: 0, misses: 2 },
  };
}

test('the schema takes per: run, and a leak without it', () => {
  expect(LeakSchema.parse(perRun).per).toBe('run');
  expect(LeakSchema.parse(perTest).per).toBeUndefined();
  expect(LeakSchema.safeParse({ ...perRun, per: 'file' }).success).toBe(false);
});

describe('the CLI summary', () => {
  test('a leak across runs is per run, over runs; a leak per test as before', () => {
    const text = summaryLines(report([perRun, perTest]), c).join('\n');
    expect(text).toContain(' LEAK  test/store.test.js grows about 2.0 MB per run\n   +18.0 MB over 10 runs after garbage collection · fit 1.00');
    expect(text).toContain(' LEAK  test/cache.test.js grows about 1.0 MB per test in the JS heap\n   +19.0 MB over 20 tests after garbage collection');
  });
});

describe('JUnit', () => {
  test('the leak property counts runs', () => {
    const xml = toJUnitXml(report([perRun, perTest]));
    expect(xml).toContain('suspected leak: 2.0 MB per run, 18.0 MB over 10 runs, fit 1.00');
    expect(xml).toContain('suspected leak: 1.0 MB per test, 19.0 MB over 20 tests, fit 0.99');
  });
});

describe('the Leak Alerts card', () => {
  test('says per run, and its sparkline spans runs', () => {
    const [card] = leakCards([perRun]);
    expect(card).toMatchObject({ per: 'run', perTestText: '+2.0 MB / run', samples: 10 });
    expect(card!.pointsRangeText).toBe('20.0 MB → 38.0 MB after garbage collection, over 10 runs');
    expect(leakCards([perTest])[0]).toMatchObject({ per: 'test', perTestText: '+1.0 MB / test' });
  });
});

describe('redline watch', () => {
  test('one line for a file found climbing across runs, with its figures per run', () => {
    expect(runLeakLine(perRun, c)).toBe('  LEAK  test/store.test.js climbs about 2.0 MB per run across watch runs (+18.0 MB over 10 runs after garbage collection, fit 1.00)');
  });

  test('the run that found it shows that line before its counts; a leak per test adds no line', () => {
    const lines = runDoneLines(report([perTest, perRun]), 'changes', ['src/a.js'], AT, c);
    expect(lines).toEqual([runLeakLine(perRun, c), expect.stringMatching(/^ PASS 2 passed \(2 files\)/)]);
    expect(runDoneLines(report([perTest]), 'changes', ['src/a.js'], AT, c)).toHaveLength(1);
  });
});
