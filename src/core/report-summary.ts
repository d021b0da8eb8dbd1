// The summary block of the JSON report and the exit code of `redline run`, both derived from the
// file list alone so that the printed totals, the JSON report and the exit code can never disagree.
import type { FileReport, RunReport, Summary } from '../protocol/report';

/** Exit codes of the `redline` command (DESIGN.md "Command line"). */
export const ExitCode = { ok: 0, failed: 1, stopped: 2, usage: 3, internal: 4 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes a finished run can have; usage and internal errors never produce a report. */
export type RunExitCode = typeof ExitCode.ok | typeof ExitCode.failed | typeof ExitCode.stopped;

export function summarize(files: readonly FileReport[]): Summary {
  const summary: Summary = {
    files: files.length,
    passed: 0,
    failed: 0,
    broken: 0,
    stopped: 0,
    skipped: 0,
    notrun: 0,
    cached: 0,
  };
  for (const file of files) {
    summary[file.state]++;
    // `cached` cuts across the states (a cached file is also passed or failed), so the state
    // counts add up to `files` and `cached` is not part of that sum.
    if (file.cached) summary.cached++;
  }
  return summary;
}

/**
 * 2 when the guard stopped any file: the most urgent fact wins, because a CI job must not read a
 * memory or timeout stop as an ordinary test failure.
 * 1 when a file failed or is broken, when the run has errors of its own (a failing
 * globalSetup), or when a file was not run. A `notrun` file means the run did not finish
 * (cancelled, or the runner died): calling that a success would pass a commit whose tests were
 * never run, and the report promises that every file asked for is accounted for.
 * 0 otherwise, including a run of only skipped files and a run of no files at all: whether
 * "no test files" is an error is a question of the arguments, answered before the run (exit 3).
 *
 * The file state is the authority; the runner has already rolled the tests up into it.
 */
export function exitCodeFor(report: Pick<RunReport, 'files' | 'errors'>): RunExitCode {
  const states = new Set(report.files.map((file) => file.state));
  if (states.has('stopped')) return ExitCode.stopped;
  if (states.has('failed') || states.has('broken') || states.has('notrun')) return ExitCode.failed;
  if ((report.errors?.length ?? 0) > 0) return ExitCode.failed;
  return ExitCode.ok;
}
