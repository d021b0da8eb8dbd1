// After every run: the results move the TDD phases, the run joins the history. The state store
// is a convenience of the run, never a condition of it: whatever goes wrong here (a lock held too
// long, a full disk, a damaged file) is logged and reported in the run's result, and the run's
// own report and exit code stand.
import { filesToApproveOnCommit, filesWithYellow, headMoved, lastRecordedHead } from '../../core/approve-on-commit';
import type { GitSnapshot } from '../../core/approve-on-commit';
import { applyEvents, countTests, phaseEventsFromReport } from '../../core/phase-events';
import type { PhaseEvent, PhaseState } from '../../core/phases';
import { exitCodeFor } from '../../core/report-summary';
import type { Loaded } from '../../core/store/store';
import { describeRecovery } from '../../core/store/recovery-notice';
import { appendRun } from '../../core/store/runs-document';
import type { RunEntry } from '../../core/store/runs-document';
import type { RunReport } from '../../protocol/report';
import type { RunState } from '../../protocol/runner';
import { gitHead, gitSnapshot, gitTracked } from './git';
import { lockHolder } from './workspace-store';
import type { WorkspaceStore } from './workspace-store';
import type { StoreError } from '../../core/store/store-result';

export interface BeforeRun {
  readonly previousHead: string | null;
  /** HEAD, and with tdd.approveOnCommit after a commit also the dirty files; null without git. */
  readonly git: GitSnapshot | null;
  readonly recovered: readonly string[];
}

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/**
 * Taken when the run starts, so "committed clean" describes the code the run tested, not what
 * the user has edited while it ran.
 */
export async function beforeRun(store: WorkspaceStore, root: string, approveOnCommit: boolean, log: Log): Promise<BeforeRun> {
  const recovered: string[] = [];
  let previousHead: string | null = null;
  try {
    const runs = await store.load('runs');
    noteRecovery('runs.json', runs, root, recovered);
    previousHead = lastRecordedHead(runs.value);
  } catch (error) {
    log('warn', `Reading the run history failed: ${String(error)}`);
  }
  let git: GitSnapshot | null = null;
  const head = await gitHead(root);
  if (approveOnCommit && headMoved(previousHead, head)) git = await gitSnapshot(root);
  else if (head !== null) git = { head, dirty: new Set() };
  return { previousHead, git, recovered };
}

export async function recordRun(
  store: WorkspaceStore,
  root: string,
  report: RunReport,
  before: BeforeRun,
  approveOnCommit: boolean,
  log: Log,
): Promise<RunState> {
  const recovered = [...before.recovered];
  const problems: string[] = [];
  const events = phaseEventsFromReport(report.files);

  // Which files a commit approves depends on the phases after this run's results, which are only
  // known inside the update; `tracked` is asked of git first, for every file that could qualify.
  let tracked = new Set<string>();
  const mayApprove = approveOnCommit && headMoved(before.previousHead, before.git?.head ?? null) && before.git !== null;
  if (mayApprove) {
    const current = await store.load('phases').catch(() => null);
    const resultFiles = events.flatMap((e) => (e.kind === 'fileResult' && !e.broken ? [e.file] : []));
    tracked = await gitTracked(root, [...new Set([...(current ? filesWithYellow(current.value) : []), ...resultFiles])]);
  }

  let approvedOnCommit = 0;
  let after: PhaseState | undefined;
  const now = Date.now();
  const update = await store
    .update('phases', (current) => {
      const results = applyEvents(current, events, now);
      const committed = mayApprove
        ? filesToApproveOnCommit({ previousHead: before.previousHead, snapshot: before.git, candidates: filesWithYellow(results.state), tracked })
        : [];
      const commitEvents: PhaseEvent[] = committed.length > 0 ? [{ kind: 'committed', files: committed }] : [];
      const approved = applyEvents(results.state, commitEvents, now);
      approvedOnCommit = approved.effects.filter((e) => e.kind === 'phaseChanged' && e.to === 'GREEN').length;
      after = approved.state;
      return approved.state;
    })
    .catch((error: unknown) => ({ ok: false as const, error: { code: 'internal' as const, message: String(error) } }));
  if (update.ok) {
    noteRecovery('phases.json', update.value, root, recovered);
    if (approvedOnCommit > 0) log('info', `Approved ${approvedOnCommit} YELLOW test(s) on commit ${before.git?.head?.slice(0, 12) ?? ''}.`);
  } else {
    after = undefined;
    problems.push(`The TDD phases of this run were not saved: ${await errorText(update.error, root)}`);
  }
  // A held lock would hold the history just as long: waiting a second time helps nobody.
  if (!update.ok && update.error.code === 'locked') {
    for (const problem of problems) log('warn', problem);
    return { phasesSaved: false, message: problems.join(' '), ...(recovered.length > 0 ? { recovered: [...new Set(recovered)] } : {}) };
  }

  const entry: RunEntry = {
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    exitCode: exitCodeFor(report),
    summary: report.summary,
    memory: { limitBytes: report.memory.limitBytes, peakBytes: report.memory.peakBytes },
    stopped: report.files.flatMap((f) => (f.stopped ? [{ path: f.path, reason: f.stopped.reason, ...(f.stopped.test ? { test: f.stopped.test } : {}) }] : [])),
    ...(before.git?.head ? { head: before.git.head } : {}),
  };
  const runs = await store
    .update('runs', (history) => appendRun(history, entry))
    .catch((error: unknown) => ({ ok: false as const, error: { code: 'internal' as const, message: String(error) } }));
  if (runs.ok) noteRecovery('runs.json', runs.value, root, recovered);
  else problems.push(`The run history was not saved: ${await errorText(runs.error, root)}`);

  for (const problem of problems) log('warn', problem);
  return {
    phasesSaved: update.ok,
    ...(problems.length > 0 ? { message: problems.join(' ') } : {}),
    ...(recovered.length > 0 ? { recovered: [...new Set(recovered)] } : {}),
    ...(after ? { phases: countTests(after) } : {}),
    ...(approvedOnCommit > 0 ? { approvedOnCommit } : {}),
  };
}

/** A held lock names its holder as the CLI does; anything else is the store's own sentence. */
async function errorText(error: StoreError, root: string): Promise<string> {
  if (error.code !== 'locked') return error.message;
  const holder = await lockHolder(root);
  if (!holder) return error.message;
  return `${holder.command} (pid ${holder.pid}) was writing .redline for longer than Redline waits. If that process no longer runs, delete .redline/lock.`;
}

function noteRecovery(file: string, loaded: Loaded<unknown>, root: string, into: string[]): void {
  if (loaded.recovered) into.push(describeRecovery(file, loaded.recovered, root));
}
