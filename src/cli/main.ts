// The `redline` command. Every command takes --root and --help; usage and configuration errors
// print one clear message and exit 3, internal errors exit 4 — never a bare stack trace.
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { ExitCode } from '../core/report-summary';
import { runCommand, type RunFlags } from './run-command';
import { doctorCommand } from './doctor-command';
import { UsageError } from './settings';

declare const REDLINE_VERSION: string | undefined;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function program(): Command {
  const cmd = new Command('redline')
    .description('Run Vitest tests under a memory guard.')
    .version(typeof REDLINE_VERSION === 'string' ? REDLINE_VERSION : '0.0.0-dev')
    .exitOverride()
    .showHelpAfterError('(run redline --help for usage)');

  cmd
    .command('run')
    .description('Run the tests once, under the memory guard')
    .argument('[paths...]', 'test files, folders or name filters (as Vitest takes them)')
    .option('--root <dir>', 'the project folder (default: the current directory)')
    .option('--config <file>', 'a Vitest config file')
    .option('--project <name>', 'only this Vitest project (repeatable)', collect)
    .option('--memory-limit <size>', 'limit for the whole test process tree: MB, or with a unit (512M, 2G)')
    .option('--workers <n>', 'how many test files at once: a number or "auto"')
    .option('--file-timeout <seconds>', 'stop a file whose worker makes no progress this long')
    .option('--no-cache', 'run every file, even unchanged ones')
    .option('--json <file>', 'write the JSON report (version 1) to this file')
    .option('--junit <file>', 'write a JUnit XML report to this file')
    .action(async (paths: string[], flags: RunFlags) => {
      process.exitCode = await runCommand(paths, flags);
    });

  cmd
    .command('doctor')
    .description('Check Node, Vitest, the configuration and the memory guard')
    .option('--root <dir>', 'the project folder (default: the current directory)')
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
