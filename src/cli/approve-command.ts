// `redline approve TARGET…`: YELLOW → GREEN for the tests named. RED and BROKEN tests are refused
// with the reason (a test must pass before it is approved); every target goes through one update
// of the phases under the lock, so a run saving at the same moment loses nothing.
import { existsSync } from 'node:fs';
import pc from 'picocolors';
import { approveExitCode, approveTargets, type TargetOutcome } from '../core/approve-targets';
import { ExitCode } from '../core/report-summary';
import { resolveTarget, type ApproveTarget } from './approve-target';
import { badge } from './phases-render';
import { openStateSession, reportStoreError, say } from './state-session';

export async function approveCommand(texts: string[], flags: { root?: string }): Promise<number> {
  const session = openStateSession(flags.root, 'redline approve');
  const current = await session.store.load('phases');
  session.noteLoaded('phases.json', current);
  const known = new Set(current.value.files.map((file) => file.path));
  const targets: ApproveTarget[] = [];
  for (const text of texts) {
    const resolved = resolveTarget(text, { root: session.root, cwd: process.cwd(), known, exists: existsSync });
    if (!resolved.ok) {
      session.flush();
      process.stderr.write(`${pc.red('redline:')} ${resolved.message}\n`);
      return ExitCode.usage;
    }
    targets.push(resolved.value);
  }

  let outcomes: TargetOutcome<ApproveTarget>[] = [];
  const now = Date.now();
  const updated = await session.store.update('phases', (state) => {
    const result = approveTargets(state, targets, now);
    outcomes = result.outcomes;
    return result.state;
  });
  if (!updated.ok) return reportStoreError(session, updated.error);
  session.noteLoaded('phases.json', updated.value);
  session.flush();

  for (const outcome of outcomes) for (const line of outcomeLines(outcome)) say(line);
  const code = approveExitCode(outcomes);
  if (code === ExitCode.usage) process.stderr.write(`${pc.red('redline:')} nothing matched. \`redline phases\` lists the files and tests that have a phase.\n`);
  return code;
}

function outcomeLines(outcome: TargetOutcome<ApproveTarget>): string[] {
  const { target } = outcome;
  const where = (fullName: string): string => `${target.file} ${pc.dim('>')} ${fullName}`;
  const lines: string[] = [];
  for (const fullName of outcome.approved) lines.push(` ${badge('GREEN')}  ${where(fullName)} ${pc.dim('(approved)')}`);
  for (const fullName of outcome.alreadyGreen) lines.push(` ${badge('GREEN')}  ${where(fullName)} ${pc.dim('(already approved)')}`);
  for (const refusal of outcome.refused) {
    const what = refusal.code === 'red' ? badge('RED') : refusal.code === 'broken' ? badge('BROKEN') : pc.red(pc.bold('?'.padEnd(6)));
    lines.push(` ${what}  ${pc.red('refused:')} ${refusal.reason}`);
  }
  if (lines.length === 0) lines.push(` ${pc.dim(`${target.text}: no tests to approve.`)}`);
  return lines;
}
