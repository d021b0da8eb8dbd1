// `redline approve` over several targets at once: each target's approve event through the phase
// machine, with what it did to each test — approved, already GREEN, or refused and why — and the
// command's exit code. Pure.
import { ExitCode } from './report-summary';
import { NAME_SEPARATOR, transition } from './phases';
import type { PhaseState, RefusalCode } from './phases';

export interface Target {
  readonly file: string;
  readonly fullName?: string;
}

export interface TargetOutcome<T extends Target = Target> {
  readonly target: T;
  /** Full names turned YELLOW → GREEN. */
  readonly approved: readonly string[];
  /** Full names that were GREEN already: nothing to do. */
  readonly alreadyGreen: readonly string[];
  readonly refused: readonly { readonly fullName?: string; readonly code: RefusalCode; readonly reason: string }[];
}

export function approveTargets<T extends Target>(state: PhaseState, targets: readonly T[], now: number): { state: PhaseState; outcomes: TargetOutcome<T>[] } {
  let next = state;
  const outcomes: TargetOutcome<T>[] = [];
  for (const target of targets) {
    const before = next;
    const step = transition(next, { kind: 'approve', file: target.file, ...(target.fullName === undefined ? {} : { fullName: target.fullName }) }, now);
    next = step.state;
    const approved: string[] = [];
    const refused: { fullName?: string; code: RefusalCode; reason: string }[] = [];
    for (const effect of step.effects) {
      if (effect.kind === 'phaseChanged' && effect.to === 'GREEN') approved.push(effect.fullName);
      if (effect.kind === 'refused') refused.push({ ...(effect.fullName === undefined ? {} : { fullName: effect.fullName }), code: effect.code, reason: effect.reason });
    }
    const file = before.files.find((f) => f.path === target.file);
    const alreadyGreen = refused.some((r) => r.code === 'broken' && r.fullName === undefined)
      ? []
      : (file?.tests ?? []).filter((test) => test.phase === 'GREEN' && selects(target.fullName, test.fullName)).map((test) => test.fullName);
    outcomes.push({ target, approved, alreadyGreen, refused });
  }
  return { state: next, outcomes };
}

/** Whether an approve of `name` (a test, a describe block, or the whole file) covers `fullName`. */
function selects(name: string | undefined, fullName: string): boolean {
  return name === undefined || fullName === name || fullName.startsWith(name + NAME_SEPARATOR);
}

/**
 * 3 when no target matched anything (every one an unknown file or test): most likely a typo in a
 * path. 1 when any test or file was refused (RED, BROKEN, or some targets unknown). 0 otherwise.
 */
export function approveExitCode(outcomes: readonly TargetOutcome[]): number {
  const unknown = (o: TargetOutcome): boolean => o.refused.length > 0 && o.refused.every((r) => r.code === 'unknown-file' || r.code === 'unknown-test');
  if (outcomes.length > 0 && outcomes.every(unknown)) return ExitCode.usage;
  if (outcomes.some((o) => o.refused.length > 0)) return ExitCode.failed;
  return ExitCode.ok;
}
