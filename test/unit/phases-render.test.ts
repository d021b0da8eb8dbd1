import { describe, expect, it } from 'vitest';
import { age, badge, countsText, phasesLines } from '../../src/cli/phases-render';
import type { PhaseColors } from '../../src/cli/phases-render';
import { stateNoticeLines } from '../../src/cli/state-notice';
import { applyEvents } from '../../src/core/phase-events';
import { emptyPhaseState } from '../../src/core/phases';
import type { PhaseEvent } from '../../src/core/phases';

const plain: PhaseColors = { red: (s) => s, yellow: (s) => s, green: (s) => s, magenta: (s) => s, dim: (s) => s, bold: (s) => s };
const tagged: PhaseColors = {
  red: (s) => `<red>${s}</red>`,
  yellow: (s) => `<yellow>${s}</yellow>`,
  green: (s) => `<green>${s}</green>`,
  magenta: (s) => `<magenta>${s}</magenta>`,
  dim: (s) => s,
  bold: (s) => s,
};
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function state() {
  const events: PhaseEvent[] = [
    { kind: 'fileResult', file: 'math.test.ts', tests: [{ fullName: 'math > add > adds', state: 'failed' }, { fullName: 'math > multiplies', state: 'passed' }, { fullName: 'divides', state: 'passed' }] },
    { kind: 'fileResult', file: 'math.test.ts', tests: [{ fullName: 'math > add > adds', state: 'passed' }, { fullName: 'math > multiplies', state: 'passed' }, { fullName: 'divides', state: 'passed' }] },
    { kind: 'approve', file: 'math.test.ts', fullName: 'divides' },
    { kind: 'fileResult', file: 'strings.test.ts', tests: [{ fullName: 'compares', state: 'failed' }] },
    { kind: 'fileResult', file: 'broken.test.ts', broken: { message: "Cannot find module './x'" }, tests: [] },
  ];
  return applyEvents(emptyPhaseState(), events, T0).state;
}

describe('phasesLines', () => {
  it('draws file → describe → test with badges, the never-failed flag and counts', () => {
    const lines = phasesLines(state(), T0 + 5 * 60_000, plain);
    expect(lines).toEqual([
      ' BROKEN  broken.test.ts',
      "         could not load: Cannot find module './x' · 5 min ago",
      ' YELLOW  math.test.ts  (2 YELLOW · 1 GREEN)',
      '   YELLOW  math',
      '     YELLOW  add',
      '       YELLOW  adds · 5 min ago',
      '     YELLOW  multiplies (never failed) · 5 min ago',
      '   GREEN   divides (never failed) · 5 min ago',
      ' RED     strings.test.ts  (1 RED)',
      '   RED     compares · 5 min ago',
      '',
      ' Tests  1 RED · 2 YELLOW · 1 GREEN (2 never failed)',
      ' Files  1 BROKEN · 1 RED · 1 YELLOW',
      ' YELLOW tests pass and await review: redline approve FILE (or "FILE > describe > test") turns them GREEN.',
    ]);
  });

  it('colours each badge by its phase: RED red, YELLOW yellow, GREEN green, BROKEN magenta', () => {
    const text = phasesLines(state(), T0, tagged).join('\n');
    expect(text).toContain('<magenta>BROKEN</magenta>');
    expect(text).toContain('<red>RED</red>');
    expect(text).toContain('<yellow>YELLOW</yellow>');
    expect(text).toContain('<green>GREEN</green>');
    expect(badge('RED', tagged)).toBe('<red>RED</red>   ');
  });

  it('says what to do when there are no phases yet', () => {
    expect(phasesLines(emptyPhaseState(), T0, plain)).toEqual([expect.stringContaining('redline run')]);
  });
});

describe('countsText and age', () => {
  it('lists the worst phase first and leaves out zeros', () => {
    expect(countsText({ GREEN: 3, YELLOW: 0, RED: 1, BROKEN: 2 }, plain)).toBe('2 BROKEN · 1 RED · 3 GREEN');
    expect(countsText({ GREEN: 0, YELLOW: 0, RED: 0, BROKEN: 0 }, plain)).toBe('no tests');
  });

  it('reads like a person would say it', () => {
    expect(age(T0, T0 + 10_000)).toBe('just now');
    expect(age(T0, T0 + 3 * 60_000)).toBe('3 min ago');
    expect(age(T0, T0 + 5 * 3_600_000)).toBe('5 h ago');
    expect(age(T0, T0 + 10 * 86_400_000)).toBe('2025-01-01');
  });
});

describe('stateNoticeLines (redline run)', () => {
  it('prints the phases on stdout and recoveries and warnings on stderr', () => {
    const { out, err } = stateNoticeLines(
      { phasesSaved: false, message: 'The TDD phases of this run were not saved: disk full.', recovered: ['Redline restored .redline/phases.json from backup X.'], phases: { RED: 1, YELLOW: 0, GREEN: 2, BROKEN: 0 }, approvedOnCommit: 2 },
      { ...plain, cyan: (s: string) => s } as never,
    );
    expect(out.join('\n')).toContain('1 RED · 2 GREEN · 2 approved on commit');
    expect(err).toEqual(['Redline restored .redline/phases.json from backup X.', 'redline: warning: The TDD phases of this run were not saved: disk full.']);
  });

  it('says nothing about phases when there are none', () => {
    expect(stateNoticeLines({ phasesSaved: true, phases: { RED: 0, YELLOW: 0, GREEN: 0, BROKEN: 0 } }).out).toEqual([]);
  });
});
