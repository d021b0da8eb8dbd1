// The `redline` command. Every command takes --root and --help; usage and configuration errors
// print one clear message and exit 3, internal errors exit 4 — never a bare stack trace.
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { ExitCode } from '../core/report-summary';
import { runCommand, type RunFlags } from './run-command';
import { doctorCommand } from './doctor-command';
import { phasesCommand } from './phases-command';
import { approveCommand } from './approve-command';
import { backupCommand, backupsCommand, pruneCommand, restoreCommand } from './backup-commands';
import { resetCommand, type ResetFlags } from './reset-command';
import { UsageError } from './settings';
import { watchCommand, type WatchFlags } from './watch-command';
import { affectedCommand, type AffectedFlags } from './affected-command';
import { gateCommand } from './gate-command';
import { hookInstallCommand, hookUninstallCommand } from './hook-command';

declare const REDLINE_VERSION: string | undefined;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function program(): Command {
  const cmd = new Command('redline')
    .description('Run Vitest tests under a memory guard.')
    .version(typeof REDLINE_VERSION === 'string' ? REDLINE_VERSION : '0.0.0-dev')
    .exitOverride()
    .showHelpAfterError('(run redline --help for usage)');

  // `run` and `watch` take the same options: one list, so they cannot drift apart.
  const runOptions = (c: Command): Command =>
    c
      .option('--root <dir>', 'the project folder (default: the current directory)')
      .option('--config <file>', 'a Vitest config file')
      .option('--project <name>', 'only this Vitest project (repeatable)', collect)
      .option('--memory-limit <size>', 'limit for the whole test process tree: MB, or with a unit (512M, 2G)')
      .option('--workers <n>', 'how many test files at once: a number or "auto"')
      .option('--file-timeout <seconds>', 'stop a file whose worker makes no progress this long')
      .option('--no-cache', 'run every file, even unchanged ones')
      .option('--leaks', 'detect leaks: garbage collection after each test, and each file\'s post-GC memory fitted for steady growth')
      .option('--no-leaks', 'no leak detection, even if redline.config.json turns it on')
      .option('--heap-snapshot', 'write heap snapshots to .redline/snapshots/ — of each file with --leaks, of a runaway before the guard stops it — and say what grew');

  runOptions(
    cmd
      .command('run')
      .description('Run the tests once, under the memory guard')
      .argument('[paths...]', 'test files, folders or name filters (as Vitest takes them)'),
  )
    .option('--changed [ref]', 'only the tests affected by the files changed against REF (default HEAD), untracked ones included')
    .option('--json <file>', 'write the JSON report (version 1) to this file')
    .option('--junit <file>', 'write a JUnit XML report to this file')
    .action(async (paths: string[], flags: RunFlags) => {
      process.exitCode = await runCommand(paths, flags);
    });

  runOptions(
    cmd
      .command('watch')
      .description('Watch the workspace and rerun the tests each change affects (keys on a terminal: a all, f failed, q quit)')
      .argument('[paths...]', 'test files, folders or name filters (as Vitest takes them)'),
  )
    .option('--debounce <ms>', 'wait this long after the last change before running (default: config watch.debounceMs, 100)')
    .action(async (paths: string[], flags: WatchFlags) => {
      process.exitCode = await watchCommand(paths, flags);
    });

  cmd
    .command('affected')
    .description('List the test files that a change to FILEs affects (they import one, directly or not)')
    .argument('<files...>', 'changed files (a file that no longer exists affects its importers)')
    .option('--root <dir>', 'the project folder (default: the current directory)')
    .option('--config <file>', 'a Vitest config file')
    .option('--project <name>', 'only this Vitest project (repeatable)', collect)
    .option('--json', 'print { "files": [ … ] }, paths relative to the root')
    .action(async (files: string[], flags: AffectedFlags) => {
      process.exitCode = await affectedCommand(files, flags);
    });

  cmd
    .command('gate')
    .description('Run the tests the staged changes affect; exit as `run` does. For pre-commit hooks')
    .option('--root <dir>', 'the project folder (default: the current directory)')
    .action(async (flags: { root?: string }) => {
      process.exitCode = await gateCommand(flags);
    });

  const hook = cmd.command('hook').description('Install or remove the git pre-commit hook that runs `redline gate`');
  hook
    .command('install')
    .description('Write .git/hooks/pre-commit (never over a hook Redline did not write)')
    .option('--root <dir>', 'the project folder (default: the current directory)')
    .action(async (flags: { root?: string }) => {
      process.exitCode = await hookInstallCommand(flags);
    });
  hook
    .command('uninstall')
    .description("Remove Redline's pre-commit hook (only ours)")
    .option('--root <dir>', 'the project folder (default: the current directory)')
    .action(async (flags: { root?: string }) => {
      process.exitCode = await hookUninstallCommand(flags);
    });

  const ROOT_HELP = 'the project folder (default: the current directory)';

  cmd
    .command('phases')
    .description('Show the TDD phase tree: RED, YELLOW, GREEN and BROKEN per file, describe block and test')
    .option('--root <dir>', ROOT_HELP)
    .option('--json', 'print { files: [ { path, phase, tests: [ { name, fullName, phase, neverFailed, since } ] } ] }')
    .action(async (flags: { root?: string; json?: boolean }) => {
      process.exitCode = await phasesCommand(flags);
    });

  cmd
    .command('approve')
    .description('Approve YELLOW tests: they turn GREEN (RED and BROKEN ones are refused)')
    .argument('<targets...>', 'a test file, "FILE > describe > test", or "FILE::full name"')
    .option('--root <dir>', ROOT_HELP)
    .action(async (targets: string[], flags: { root?: string }) => {
      process.exitCode = await approveCommand(targets, flags);
    });

  cmd
    .command('backup')
    .description('Back up the state (.redline: phases and run history)')
    .option('--root <dir>', ROOT_HELP)
    .option('--label <text>', 'a label to find it by')
    .action(async (flags: { root?: string; label?: string }) => {
      process.exitCode = await backupCommand(flags);
    });

  cmd
    .command('backups')
    .description('List the backups, newest first')
    .option('--root <dir>', ROOT_HELP)
    .option('--json', 'print { backups: [ { id, label?, createdAt, bytes } ] }')
    .action(async (flags: { root?: string; json?: boolean }) => {
      process.exitCode = await backupsCommand(flags);
    });

  cmd
    .command('restore')
    .description('Restore a backup (the current state is backed up first)')
    .argument('<id>', 'the backup id, as `redline backups` lists it')
    .option('--root <dir>', ROOT_HELP)
    .action(async (id: string, flags: { root?: string }) => {
      process.exitCode = await restoreCommand(id, flags);
    });

  cmd
    .command('prune')
    .description('Remove old backups (with no option: down to config backups.max)')
    .option('--root <dir>', ROOT_HELP)
    .option('--keep <n>', 'keep the newest N')
    .option('--older-than <days>', 'remove those older than DAYS (with --keep: only beyond the newest N)')
    .action(async (flags: { root?: string; keep?: string; olderThan?: string }) => {
      process.exitCode = await pruneCommand(flags);
    });

  cmd
    .command('reset')
    .description('Soft: clear run history and cache, keep phases and backups. --hard: stop runners, remove all but backups')
    .option('--root <dir>', ROOT_HELP)
    .option('--hard', 'stop any runner on the workspace and remove everything but the backups')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .action(async (flags: ResetFlags) => {
      process.exitCode = await resetCommand(flags);
    });

  cmd
    .command('doctor')
    .description('Check Node, Vitest, the configuration, the memory guard and the state')
    .option('--root <dir>', ROOT_HELP)
    .action(async (flags: { root?: string }) => {
      process.exitCode = await doctorCommand(flags);
    });

  return cmd;
}

async function main(): Promise<void> {
  // `redline … | head` closes the pipe early: that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  try {
    await program().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; a bad flag or command has already been printed by commander.
      process.exitCode = error.exitCode === 0 ? 0 : ExitCode.usage;
      return;
    }
    if (error instanceof UsageError) {
      for (const line of error.lines) process.stderr.write(`${pc.red('redline:')} ${line}\n`);
      process.exitCode = ExitCode.usage;
      return;
    }
    process.stderr.write(`${pc.red('redline: internal error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write('Please report this with the command you ran.\n');
    process.exitCode = ExitCode.internal;
  }
}

void main();
