// `redline affected FILE… [--json]`: the test files whose import closure holds one of FILEs
// (Vitest's module graph of earlier runs, and a static import scan). A FILE need not exist: a
// deleted module affects its importers. stdout carries only test files, one a line, so it pipes
// into other tools; what is for the reader (all tests affected, nothing affected) goes to stderr.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import pc from 'picocolors';
import { ExitCode } from '../core/report-summary';
import { RunnerClient, RunnerDiedError } from '../host/runner-client';
import { loadSettings, UsageError } from './settings';
import type { ConfigFlags } from './flags-to-config';
import { sweep } from './run-command';

export interface AffectedFlags extends ConfigFlags {
  readonly root?: string;
  readonly json?: boolean;
}

export async function affectedCommand(files: string[], flags: AffectedFlags): Promise<number> {
  const settings = loadSettings(flags.root, flags);
  const changed = files.map((file) => {
    const found = locate(file, settings.root);
    if (!found.exists) process.stderr.write(`${pc.yellow('redline: warning:')} ${file} does not exist; taken as deleted (the files that imported it are affected)\n`);
    return found.path;
  });

  const client = new RunnerClient(join(__dirname, 'runner.js'), {
    log: (l) => {
      if (process.env.REDLINE_LOG === 'debug' || l.level === 'error') process.stderr.write(pc.dim(`[runner ${l.level}] ${l.message}\n`));
    },
  });
  client.start();
  try {
    const init = await client.initialize(settings.root, 'info', { host: 'redline affected', backupsMax: settings.config.backups.max });
    if (init.kind === 'error') {
      if (init.code === 'internal' || init.code === 'protocol-mismatch') return internal(init.message);
      throw new UsageError([init.message]);
    }
    const result = await client.affected({
      files: changed,
      ...(settings.config.run.config ? { vitestConfig: settings.config.run.config } : {}),
      projects: [...(settings.config.run.projects ?? [])],
    });
    if (result.kind === 'error') {
      if (result.code === 'internal') return internal(result.message);
      throw new UsageError([result.message]);
    }
    if (flags.json) {
      process.stdout.write(JSON.stringify({ files: result.files }, null, 2) + '\n');
    } else {
      for (const file of result.files) process.stdout.write(file + '\n');
    }
    if (result.all !== undefined) process.stderr.write(`all tests: ${result.all}\n`);
    else if (result.files.length === 0 && !flags.json) process.stderr.write('No test file is affected.\n');
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof RunnerDiedError) return internal(`${error.message}${error.exit.stderrTail ? `\n${error.exit.stderrTail}` : ''}`);
    throw error;
  } finally {
    await client.shutdown();
    await sweep(client);
  }
}

/**
 * A FILE as the user typed it: relative to the current directory, or failing that to the root.
 * A path that exists in neither is taken where the user most likely meant it: the current
 * directory when it is inside the root, the root otherwise.
 */
function locate(file: string, root: string): { path: string; exists: boolean } {
  if (isAbsolute(file)) return { path: file, exists: existsSync(file) };
  const fromCwd = resolve(process.cwd(), file);
  const fromRoot = resolve(root, file);
  for (const path of [fromCwd, fromRoot]) if (existsSync(path)) return { path, exists: true };
  const cwdInside = !relative(root, process.cwd()).startsWith('..') && !isAbsolute(relative(root, process.cwd()));
  return { path: cwdInside ? fromCwd : fromRoot, exists: false };
}

function internal(message: string): number {
  process.stderr.write(`redline: internal error in the runner: ${message}\n`);
  return ExitCode.internal;
}
