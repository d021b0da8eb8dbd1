// What `redline run` says about the state store after its summary: the phases after the run on
// stdout; on stderr what the store repaired on its own and what it could not save — the run's
// verdict stands either way, but a user must never lose phases silently.
import pc from 'picocolors';
import type { RunState } from '../protocol/runner';
import { countsText } from './phases-render';

export function stateNoticeLines(state: RunState, c = pc): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  if (state.phases && Object.values(state.phases).some((n) => n > 0)) {
    const approved = state.approvedOnCommit ? c.dim(` · ${state.approvedOnCommit} approved on commit`) : '';
    out.push('', ` ${c.dim('Phases ')}  ${countsText(state.phases, c)}${approved} ${c.dim('(redline phases)')}`);
  }
  for (const line of state.recovered ?? []) err.push(c.yellow(line));
  if (state.message) err.push(`${c.yellow('redline: warning:')} ${state.message}`);
  return { out, err };
}

export function writeStateNotice(state: RunState): void {
  const { out, err } = stateNoticeLines(state);
  for (const line of out) process.stdout.write(line + '\n');
  for (const line of err) process.stderr.write(line + '\n');
}
