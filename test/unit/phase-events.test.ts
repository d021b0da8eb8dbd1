import { describe, expect, it } from 'vitest';
import { applyEvents, countTests, phaseEventsFromReport, UNKNOWN_BREAK } from '../../src/core/phase-events';
import { emptyPhaseState } from '../../src/core/phases';
import type { FileReport, TestReport } from '../../src/protocol/report';

function test(fullName: string, state: TestReport['state']): TestReport {
  return { name: fullName.split(' > ').at(-1)!, fullName, state, durationMs: 1 };
}

function file(path: string, state: FileReport['state'], tests: TestReport[] = [], extra: Partial<FileReport> = {}): FileReport {
  return { path, state, cached: false, durationMs: 1, peakRssBytes: 0, tests, ...extra };
}

describe('phaseEventsFromReport', () => {
  it('one fileResult per file, tests by full name with their own names', () => {
    const events = phaseEventsFromReport([file('a.test.ts', 'failed', [test('math > adds', 'passed'), test('math > subtracts', 'failed')])]);
    expect(events).toEqual([
      {
        kind: 'fileResult',
        file: 'a.test.ts',
        tests: [
          { fullName: 'math > adds', name: 'adds', state: 'passed' },
          { fullName: 'math > subtracts', name: 'subtracts', state: 'failed' },
        ],
      },
    ]);
  });

  it('a broken file carries the first line of its first error', () => {
    const events = phaseEventsFromReport([
      file('b.test.ts', 'broken', [], { errors: [{ message: '' }, { message: "Cannot find module './x'\n  at y" }] }),
    ]);
    expect(events).toEqual([{ kind: 'fileResult', file: 'b.test.ts', broken: { message: "Cannot find module './x'" }, tests: [] }]);
  });

  it('a broken file without errors still breaks, with a stand-in message', () => {
    expect(phaseEventsFromReport([file('b.test.ts', 'broken')])).toEqual([
      { kind: 'fileResult', file: 'b.test.ts', broken: { message: UNKNOWN_BREAK }, tests: [] },
    ]);
  });

  it('stopped and notrun files give no verdict: no event at all', () => {
    const events = phaseEventsFromReport([
      file('s.test.ts', 'stopped', [test('runs away', 'stopped')], { stopped: { reason: 'memory', rssBytes: 1, atMs: 1 } }),
      file('n.test.ts', 'notrun'),
      file('ok.test.ts', 'passed', [test('x', 'passed')]),
    ]);
    expect(events.map((e) => (e.kind === 'fileResult' ? e.file : ''))).toEqual(['ok.test.ts']);
  });

  it('merges one path run by two projects; a break in either wins', () => {
    const events = phaseEventsFromReport([
      file('shared.test.ts', 'passed', [test('x', 'passed')], { project: 'a' }),
      file('shared.test.ts', 'failed', [test('x', 'failed')], { project: 'b' }),
      file('both.test.ts', 'passed', [test('y', 'passed')], { project: 'a' }),
      file('both.test.ts', 'broken', [], { project: 'b', errors: [{ message: 'boom' }] }),
    ]);
    expect(events).toEqual([
      { kind: 'fileResult', file: 'shared.test.ts', tests: [{ fullName: 'x', name: 'x', state: 'passed' }, { fullName: 'x', name: 'x', state: 'failed' }] },
      { kind: 'fileResult', file: 'both.test.ts', broken: { message: 'boom' }, tests: [] },
    ]);
    // The machine merges duplicates: a failure of either is a failure.
    const { state } = applyEvents(emptyPhaseState(), events, 1);
    expect(state.files.find((f) => f.path === 'shared.test.ts')?.tests[0]?.phase).toBe('RED');
  });
});

describe('applyEvents and countTests', () => {
  it('applies the events in order and counts tests per phase', () => {
    const events = phaseEventsFromReport([
      file('a.test.ts', 'failed', [test('one', 'failed'), test('two', 'passed'), test('three', 'skipped')]),
    ]);
    const { state, effects } = applyEvents(emptyPhaseState(), events, 5);
    expect(countTests(state)).toEqual({ GREEN: 0, YELLOW: 1, RED: 1, BROKEN: 0 });
    expect(effects.filter((e) => e.kind === 'phaseChanged')).toHaveLength(2);
  });
});
