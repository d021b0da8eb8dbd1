import { describe, expect, test } from 'vitest';
import { summaryLines, fileLine } from '../../src/cli/summary';
import type { FileReport, RunReport } from '../../src/protocol/report';
import { summarize } from '../../src/core/report-summary';

// No colours: the text is what is asserted.
const id = (s: string): string => s;
const c = { red: id, green: id, yellow: id, dim: id, bold: id, cyan: id, magenta: id, bgRed: id, bgYellow: id, bgMagenta: id, black: id, white: id };
const MB = 1024 * 1024;

function file(over: Partial<FileReport> & { path: string; state: FileReport['state'] }): FileReport {
  return { cached: false, durationMs: 10, peakRssBytes: 50 * MB, tests: [], ...over };
}

function report(files: FileReport[], over: Partial<RunReport> = {}): RunReport {
  return {
    version: 1, root: '/w', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 2500, summary: summarize(files), files,
    memory: { limitBytes: 1024 * MB, peakBytes: 900 * MB, tiers: [{ tier: 'terminal', atMs: 100, rssBytes: 980 * MB }] },
    leaks: [], orphans: [], cache: { hits: 0, misses: files.length }, ...over,
  };
}

describe('closing summary', () => {
  const files = [
    file({ path: 'a.test.ts', state: 'passed', tests: [{ name: 't', fullName: 't', state: 'passed', durationMs: 1 }] }),
    file({
      path: 'b.test.ts', state: 'failed',
      tests: [{ name: 'adds', fullName: 'math > adds', state: 'failed', durationMs: 1, error: { message: 'expected 1 to be 2', expected: '2', actual: '1' } }],
    }),
    file({ path: 'c.test.ts', state: 'broken', errors: [{ message: "Cannot find module './x.js'" }] }),
    file({ path: 'd.test.ts', state: 'stopped', stopped: { reason: 'memory', test: 'hoards', rssBytes: 990 * MB, atMs: 1200 } }),
    file({ path: 'e.test.ts', state: 'stopped', stopped: { reason: 'timeout', test: 'spins', rssBytes: 80 * MB, atMs: 5200 } }),
    file({ path: 'f.test.ts', state: 'notrun' }),
  ];
  const text = summaryLines(report(files, { orphans: [{ pid: 42, command: 'sleep 300', file: 'g.test.ts' }] }), c).join('\n');

  test('counts every file state', () => {
    expect(text).toContain('1 passed · 1 failed · 1 broken · 2 stopped · 1 not run (6)');
  });
  test('names every stopped file with its reason and test', () => {
    expect(text).toContain('STOPPED  d.test.ts');
    expect(text).toContain('running test: hoards');
    expect(text).toContain('STOPPED  e.test.ts');
    expect(text).toMatch(/made no progress/);
    expect(text).toContain('running test: spins');
  });
  test('names every failing test with expected and actual', () => {
    expect(text).toContain('FAIL b.test.ts > math > adds');
    expect(text).toContain('- expected: 2');
    expect(text).toContain('+ actual:   1');
  });
  test('shows why a broken file could not load, the files not run and the orphans', () => {
    expect(text).toContain("Cannot find module './x.js'");
    expect(text).toContain('NOT RUN 1 file: f.test.ts');
    expect(text).toContain('pid 42 sleep 300 from g.test.ts');
  });
  test('memory against the limit with the highest tier reached', () => {
    expect(text).toContain('peak 900.0 MB of 1.00 GB limit (88%) · reached terminal');
  });
  test('a file line per state', () => {
    expect(fileLine(files[3]!, c)).toContain('stopped: memory — 990.0 MB in "hoards"');
    expect(fileLine(files[2]!, c)).toContain('could not load');
    expect(fileLine(file({ path: 'p.test.ts', project: 'web', state: 'passed', cached: true }), c)).toBe(' ✓ [web] p.test.ts (0 tests) 10 ms (cached)');
  });
});

describe('a stopped file with --heap-snapshot', () => {
  test('says what grew, names its snapshots from the root, and says why any is missing', () => {
    const stopped = file({
      path: 'hog.test.ts', state: 'stopped',
      stopped: {
        reason: 'memory', test: 'hoards', rssBytes: 990 * MB, atMs: 1200,
        snapshots: ['/w/.redline/snapshots/7-hog.test.ts-guard1.heapsnapshot', '/elsewhere/7-hog.test.ts-guard2.heapsnapshot'],
        grew: [{ name: 'HoardedRecord', countDelta: 280, bytesDelta: 11_200 }, { name: 'system / JSArrayBufferData', countDelta: 280, bytesDelta: 70 * MB }],
        snapshotNote: 'no heap snapshot 2: …',
      },
    });
    const text = summaryLines(report([stopped]), c).join('\n');
    expect(text).toContain('   grew: HoardedRecord +280 objects, +10.9 KB');
    expect(text).toContain('   grew: system / JSArrayBufferData +280 objects, +70.0 MB');
    expect(text).toContain('   heap snapshots: .redline/snapshots/7-hog.test.ts-guard1.heapsnapshot, /elsewhere/7-hog.test.ts-guard2.heapsnapshot');
    expect(text).toContain('   no heap snapshot 2: …');
  });

  test('a leak whose snapshots were declined says why', () => {
    const leak = { file: 'grow.test.ts', bytesPerTest: MB, fit: 0.99, totalBytes: 20 * MB, samples: 20, snapshotNote: 'no late heap snapshot: writing one would have taken about 402 MB more …' };
    const text = summaryLines(report([], { leaks: [leak] }), c).join('\n');
    expect(text).toContain('   no late heap snapshot: writing one would have taken about 402 MB more …');
  });

  test('without it, nothing more than before', () => {
    const text = summaryLines(report([file({ path: 'hog.test.ts', state: 'stopped', stopped: { reason: 'memory', rssBytes: 990 * MB, atMs: 1200 } })]), c).join('\n');
    expect(text).not.toMatch(/grew:|heap snapshot/);
  });
});
