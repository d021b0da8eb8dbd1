// `redline gate`, for pre-commit hooks: run the tests the staged changes affect, and exit as
// `redline run` would. Quiet when they pass (one line), the full summary when they do not. It runs
// the working tree as it is: unstaged edits to the same files are part of what is tested.
import pc from 'picocolors';
import { exitCodeFor, ExitCode } from '../core/report-summary';
import { formatDuration } from '../core/format';
import { stagedChanges } from './git-changes';
import { executeRun } from './run-command';
import { runParams } from './run-params';
import { loadSettings } from './settings';
import { fileLine, summaryLines } from './summary';
import { writeStateNotice } from './state-notice';

export async function gateCommand(flags: { root?: string }): Promise<number> {
  const settings = loadSettings(flags.root, {});
  const staged = await stagedChanges(settings.root);
  if (staged.length === 0) {
    say('redline gate: no staged changes, no tests to run.');
    return ExitCode.ok;
  }
  const n = staged.length;
  const stagedText = `${n} staged file${n === 1 ? '' : 's'}`;
  const outcome = await executeRun(settings, runParams(settings, { filters: [], changedFiles: staged }), { host: 'redline gate', fileLines: false });
  if (outcome.kind === 'exit') return outcome.code;
  const { report, state } = outcome;
  const code = exitCodeFor(report);
  if (report.files.length === 0 && code === ExitCode.ok) {
    say(`redline gate: no test file is affected by the ${stagedText}.`);
    return ExitCode.ok;
  }
  if (code === ExitCode.ok) {
    const s = report.summary;
    const cached = s.cached > 0 ? `, ${s.cached} from the cache` : '';
    say(`redline gate: ${pc.green(`${s.files} test file${s.files === 1 ? '' : 's'} passed`)} ${pc.dim(`(affected by the ${stagedText}${cached}; ${formatDuration(report.durationMs)})`)}`);
    return code;
  }
  for (const f of report.files) if (f.state !== 'passed' && f.state !== 'skipped') say(fileLine(f));
  say(summaryLines(report).join('\n'));
  if (state) writeStateNotice(state);
  say('');
  say(pc.red(`redline gate: tests affected by the ${stagedText} did not pass; as a pre-commit hook this blocks the commit (\`git commit --no-verify\` skips it).`));
  return code;
}

function say(line: string): void {
  process.stdout.write(line + '\n');
}
