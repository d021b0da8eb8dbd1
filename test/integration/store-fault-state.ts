// The states the fault-injection writers save, shared by the writer process and the checks: each
// is a whole phases document that carries its write number N, so a load names exactly which write
// it returned — and any mix of two writes or a half-written file cannot pass for one.
import { PHASES } from '../../src/core/phases';
import type { PhaseState, TestRecord } from '../../src/core/phases';

/**
 * Tests per state: enough that a write is a few dozen kilobytes and takes several write(2) calls,
 * so a kill has room to land in the middle of one.
 */
const TESTS_PER_STATE = 120;

export function stateFor(n: number): PhaseState {
  const tests: TestRecord[] = [];
  for (let i = 0; i < TESTS_PER_STATE; i++) {
    const phase = PHASES[(n + i) % PHASES.length] ?? 'RED';
    tests.push({
      fullName: `write ${n} > test ${i}`,
      name: `test ${i}`,
      phase,
      neverFailed: (n + i) % 2 === 0,
      since: n * 1000 + i,
      history: [
        { phase: 'RED', at: n * 1000 },
        { phase, at: n * 1000 + i },
      ],
    });
  }
  return { files: [{ path: `f${n}.test.ts`, broken: null, tests }] };
}

/** The write number a loaded state claims to be, or undefined when it is none of stateFor's. */
export function writeNumberOf(state: PhaseState): number | undefined {
  const match = /^f(\d+)\.test\.ts$/.exec(state.files[0]?.path ?? '');
  return match ? Number(match[1]) : undefined;
}

export { seededRandom } from '../../src/core/seeded-random';
