// From a run report to the phase machine's events, and the events applied in one step. Pure: the
// runner reads the report and writes the result through the store.
import type { FileReport } from '../protocol/report';
import { transition } from './phases';
import type { Phase, PhaseCounts, PhaseEffect, PhaseEvent, PhaseState, TestOutcome } from './phases';

/** What a broken file without an error message of its own is said to be. */
export const UNKNOWN_BREAK = 'the file could not be loaded or collected';

/**
 * One `fileResult` per test file of the report that gave a verdict.
 *
 * - `stopped` (memory, timeout) and `notrun` files give none: a test the guard killed did not
 *   fail on an assertion, and a file never reached says nothing. Their tests keep their phases.
 * - A file that runs in two Vitest projects has one place in the phase tree (phases are per
 *   path): its results are merged, and either project's break or failure counts.
 */
export function phaseEventsFromReport(files: readonly FileReport[]): PhaseEvent[] {
  const byPath = new Map<string, { broken?: string; tests: TestOutcome[] }>();
  const order: string[] = [];
  for (const file of files) {
    if (file.state === 'stopped' || file.state === 'notrun') continue;
    let entry = byPath.get(file.path);
    if (!entry) {
      entry = { tests: [] };
      byPath.set(file.path, entry);
      order.push(file.path);
    }
    if (file.state === 'broken') {
      entry.broken ??= file.errors?.find((error) => error.message.trim() !== '')?.message.trim() ?? UNKNOWN_BREAK;
      continue;
    }
    for (const test of file.tests) entry.tests.push({ fullName: test.fullName, name: test.name, state: test.state });
  }
  return order.map((path): PhaseEvent => {
    const entry = byPath.get(path)!;
    return entry.broken === undefined
      ? { kind: 'fileResult', file: path, tests: entry.tests }
      : { kind: 'fileResult', file: path, broken: { message: firstLine(entry.broken) }, tests: [] };
  });
}

/** The events one after another, all stamped `now`. */
export function applyEvents(state: PhaseState, events: readonly PhaseEvent[], now: number): { state: PhaseState; effects: PhaseEffect[] } {
  let next = state;
  const effects: PhaseEffect[] = [];
  for (const event of events) {
    const step = transition(next, event, now);
    next = step.state;
    effects.push(...step.effects);
  }
  return { state: next, effects };
}

/** Tests per phase over the whole state. */
export function countTests(state: PhaseState): PhaseCounts {
  const counts: Record<Phase, number> = { GREEN: 0, YELLOW: 0, RED: 0, BROKEN: 0 };
  for (const file of state.files) for (const test of file.tests) counts[test.phase]++;
  return counts;
}

/**
 * An error message can be a whole stack or a code frame; the phase tree keeps one line of it
 * (the report has the rest).
 */
function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.length > 300 ? `${line.slice(0, 297)}…` : line.trim();
}
