// `redline reset [--hard] [--yes]`. Soft: clears the run history (and the result cache), keeps the
// phases and the backups. Hard: stops every runner working on the workspace, then removes
// everything in `.redline/` but the backups. Either one backs up first and says which backup
// holds the state from before, so a reset can be undone with `redline restore`.
import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import { ExitCode } from '../core/report-summary';
import { stopRunners, type RunnerEntry } from '../runner/state/runner-registry';
import { openStateSession, reportStoreError, say } from './state-session';

export interface ResetFlags {
  readonly root?: string;
  readonly hard?: boolean;
  readonly yes?: boolean;
}

export async function resetCommand(flags: ResetFlags): Promise<number> {
  const session = openStateSession(flags.root, flags.hard ? 'redline reset --hard' : 'redline reset');
  const what = flags.hard
    ? `stop any runner on this workspace and remove everything in ${session.root}/.redline but the backups (phases included)`
    : `clear the run history and result cache in ${session.root}/.redline (phases and backups are kept)`;
  if (!flags.yes) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      process.stderr.write(`${pc.red('redline:')} a ${flags.hard ? 'hard' : 'soft'} reset would ${what}. Pass --yes to confirm (there is no terminal to ask on).\n`);
      return ExitCode.usage;
    }
    if (!(await confirm(`This will ${what}. A backup is taken first. Continue? [y/N] `))) {
      say(' Nothing was changed.');
      return ExitCode.ok;
    }
  }

  if (flags.hard) {
    const stop = await stopRunners(session.root);
    for (const r of stop.stopped) say(` Stopped ${describe(r)}.`);
    for (const r of stop.killed) say(pc.yellow(` ${describe(r)} did not stop within 3 s: killed it.`));
    for (const r of stop.elsewhere) say(pc.yellow(` ${describe(r)} runs on ${r.hostname ?? 'another machine'}: stop it there; it may write again.`));
  }
  const done = flags.hard ? await session.store.resetHard() : await session.store.resetSoft();
  if (!done.ok) return reportStoreError(session, done.error);
  session.flush();
  const { safetyBackup, removed } = done.value;
  const list = removed.length > 0 ? removed.join(', ') : 'nothing (it was already clean)';
  say(flags.hard ? ` Hard reset: removed ${list}. The backups are kept.` : ` Soft reset: removed ${list}. The phases and the backups are kept.`);
  say(` The state from before is in backup ${pc.bold(safetyBackup.id)}: \`redline restore ${safetyBackup.id}\` brings it back.`);
  return ExitCode.ok;
}

function describe(r: RunnerEntry): string {
  return `the runner of ${r.command} (pid ${r.pid})`;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
