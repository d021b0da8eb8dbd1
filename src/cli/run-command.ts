// `redline run`: start the runner, run the workspace's tests under the memory guard (only those
// a git change affects, with --changed), show progress, write the reports, and exit with the code
// of DESIGN.md. If the runner itself dies, the CLI still writes a report that adds up (the
// unfinished files as `notrun`) and stops whatever the run left behind.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import pc from 'picocolors';
import type { FileReport, RunReport, Orphan } from '../protocol/report';
import type { RunParams, RunState } from '../protocol/runner';
import { summarize, exitCodeFor, ExitCode } from '../core/report-summary';
import { toJUnitXml } from '../core/junit';
import { formatBytes } from '../core/format';
import { currentPlatform } from '../runner/platform/current';
import { emergencyStop } from '../runner/emergency-stop';
import { RunnerClient, RunnerDiedError } from '../host/runner-client';
import { loadSettings, UsageError, type Settings } from './settings';
import type { ConfigFlags } from './flags-to-config';
import { createTerminal } from './terminal';
import { fileLine, summaryLines, tierColor } from './summary';
import { writeStateNotice } from './state-notice';
import { runParams } from './run-params';
import { changedAgainst } from './git-changes';

export interface RunFlags extends ConfigFlags {
  readonly root?: string;
  readonly json?: string;
  readonly junit?: string;
  /** `--changed [REF]`: true without a REF (HEAD). */
  readonly changed?: string | boolean;
}

export async function runCommand(paths: string[], flags: RunFlags): Promise<number> {
  const settings = loadSettings(flags.root, flags);
  const filters = toFilters(paths, settings.root);
  let changedFiles: string[] | undefined;
  const ref = flags.changed === undefined || flags.changed === false ? undefined : flags.changed === true ? 'HEAD' : flags.changed;
  if (ref !== undefined) {
    changedFiles = await changedAgainst(settings.root, ref);
    if (changedFiles.length === 0) {
      // Nothing to ask the runner: no Vitest start, no report.
      process.stdout.write(`No files changed against ${ref}: no tests to run.\n`);
      return ExitCode.ok;
    }
  }
  const params = runParams(settings, { filters, ...(changedFiles ? { changedFiles } : {}) });
  const outcome = await executeRun(settings, params, { host: 'redline run', fileLines: true });
  if (outcome.kind === 'exit') return outcome.code;
  const { report, state } = outcome;
  if (flags.json) writeOut(flags.json, JSON.stringify(report, null, 2) + '\n');
  if (flags.junit) writeOut(flags.junit, toJUnitXml(report));
  if (changedFiles && report.files.length === 0 && !report.errors?.length) {
    const n = changedFiles.length;
    process.stdout.write(`No test file is affected by the ${n} file${n === 1 ? '' : 's'} changed against ${ref}: nothing to run.\n`);
    return ExitCode.ok;
  }
  if (!outcome.printedFiles) for (const f of report.files) if (f.state !== 'passed' && f.state !== 'skipped') process.stdout.write(fileLine(f) + '\n');
  process.stdout.write(summaryLines(report).join('\n') + '\n');
  if (state) writeStateNotice(state);
  return exitCodeFor(report);
}

export type RunOutcome =
  | {
      readonly kind: 'done';
      readonly report: RunReport;
      readonly state?: RunState;
      /** Every file's line was printed as it ended (a live terminal, with `fileLines`). */
      readonly printedFiles: boolean;
    }
  /** A usage or internal error, already said on stderr. */
  | { readonly kind: 'exit'; readonly code: number };

export interface ExecuteOptions {
  /** Named in the state store's lock, so another writer can say who holds it. */
  readonly host: string;
  /** Print each file as it ends (on a live terminal); `gate` keeps quiet unless something fails. */
  readonly fileLines: boolean;
}

/**
 * One run on a fresh runner, with live progress on a terminal and Ctrl-C to cancel. If the runner
 * dies mid-run, the report is made from what was heard (the rest `notrun`); whatever the run left
 * running is stopped either way.
 */
export async function executeRun(settings: Settings, params: RunParams, options: ExecuteOptions): Promise<RunOutcome> {
  const term = createTerminal();
  const startedAt = Date.now();
  const planned: { path: string; project?: string }[] = [];
  const finished = new Map<string, FileReport>();
  const running = new Map<number, { path: string; test?: string }>();
  let tree = { rss: 0, tier: 'ok' };

  const render = (): void => {
    if (!term.live) return;
    const done = finished.size;
    const pct = Math.round((tree.rss / settings.limitBytes) * 100);
    const now = [...running.values()][0];
    term.status(
      ` ${pc.cyan('RUN')} ${done}/${planned.length || '?'} files ${pc.dim('·')} memory ${formatBytes(tree.rss)} / ${formatBytes(settings.limitBytes)} (${pct}%) ${tierColor(tree.tier)}` +
        (now ? ` ${pc.dim('·')} ${pc.dim(now.path)}` : ''),
    );
  };
  const keyOf = (path: string, project?: string): string => (project ? `${project}\0${path}` : path);

  const client = new RunnerClient(join(__dirname, 'runner.js'), {
    'run/planned': (p) => {
      planned.push(...p.files);
      render();
    },
    'run/fileStarted': (p) => {
      running.set(p.pid, { path: p.path });
      render();
    },
    'run/testStarted': (p) => {
      const r = running.get(p.pid);
      if (r) r.test = p.fullName;
    },
    'run/fileFinished': ({ file }) => {
      finished.set(keyOf(file.path, file.project), file);
      for (const [pid, r] of running) if (r.path === file.path) running.delete(pid);
      if (term.live && options.fileLines) term.line(fileLine(file));
      render();
    },
    'memory/sample': (s) => {
      tree = { rss: s.treeRssBytes, tier: s.tier };
      render();
    },
    'guard/action': (a) => {
      if (a.action === 'stop') term.line(` ${pc.red('■ stopping')} ${a.file ?? 'a worker'}${a.test ? ` ("${a.test}")` : ''} — ${a.reason}`);
      else if (a.action !== 'gc' && a.action !== 'release' && term.live) term.line(pc.yellow(` ▲ memory ${a.tier}: ${formatBytes(a.rssBytes)} — ${a.action}`));
    },
    log: (l) => {
      if (process.env.REDLINE_LOG === 'debug' || l.level === 'error') term.line(pc.dim(`[runner ${l.level}] ${l.message}`));
    },
  });

  client.start();
  let interrupted = 0;
  const onSigint = (): void => {
    interrupted++;
    if (interrupted === 1) {
      term.line(pc.yellow(' Cancelling… (press Ctrl-C again to stop at once)'));
      void client.cancel();
    } else {
      client.killGroup('SIGKILL');
    }
  };
  process.on('SIGINT', onSigint);

  try {
    let report: RunReport;
    let state: RunState | undefined;
    try {
      const init = await client.initialize(settings.root, 'info', { host: options.host, backupsMax: settings.config.backups.max });
      if (init.kind === 'error') {
        await client.shutdown();
        if (init.code === 'internal' || init.code === 'protocol-mismatch') {
          process.stderr.write(`redline: ${init.message}\n`);
          return { kind: 'exit', code: ExitCode.internal };
        }
        throw new UsageError([init.message]);
      }
      const result = await client.run(params);
      if (result.kind === 'error') {
        await client.shutdown();
        if (result.code === 'internal') {
          process.stderr.write(`redline: internal error in the runner: ${result.message}\n`);
          return { kind: 'exit', code: ExitCode.internal };
        }
        throw new UsageError([result.message]);
      }
      report = result.report;
      state = result.state;
    } catch (error) {
      if (!(error instanceof RunnerDiedError)) throw error;
      // The runner is gone mid-run: report what was heard, and the rest as not run.
      term.clearStatus();
      const tail = error.exit.stderrTail ? `\n${error.exit.stderrTail}` : '';
      process.stderr.write(pc.red(`redline: ${error.message}${interrupted > 1 ? ' (killed by Ctrl-C)' : ''}${tail}\n`));
      report = reportFromEvents(settings, startedAt, planned, finished, `The runner exited before the run finished: ${error.message}.`);
    }
    term.clearStatus();
    await client.shutdown();
    // Belt and braces: whatever still carries this run's marker outlived the runner.
    const leftovers = await sweep(client);
    report = { ...report, orphans: mergeOrphans(report.orphans, leftovers) };
    return { kind: 'done', report, ...(state ? { state } : {}), printedFiles: term.live && options.fileLines };
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * Paths become filters as Vitest takes them. A path that looks like a file or folder but does
 * not exist is an error, rather than a filter that silently matches nothing.
 */
export function toFilters(paths: string[], root: string): string[] {
  return paths.map((p) => {
    const candidates = isAbsolute(p) ? [p] : [resolve(process.cwd(), p), resolve(root, p)];
    const found = candidates.find((c) => existsSync(c));
    if (found) return found;
    if (/[\\/]/.test(p) || /\.[cm]?[jt]sx?$/.test(p)) {
      throw new UsageError([`${p}: no such file or folder (looked in ${[...new Set(candidates.map(dirname))].join(' and ')}). Pass a test file, a folder, or part of a file name.`]);
    }
    return p;
  });
}

function reportFromEvents(
  settings: Settings,
  startedAt: number,
  planned: { path: string; project?: string }[],
  finished: Map<string, FileReport>,
  error: string,
): RunReport {
  const files: FileReport[] = planned.map(
    (p) =>
      finished.get(p.project ? `${p.project}\0${p.path}` : p.path) ?? {
        path: p.path,
        ...(p.project ? { project: p.project } : {}),
        state: 'notrun',
        cached: false,
        durationMs: 0,
        peakRssBytes: 0,
        tests: [],
      },
  );
  return {
    version: 1,
    root: settings.root,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    summary: summarize(files),
    files,
    memory: { limitBytes: settings.limitBytes, peakBytes: 0, tiers: [] },
    leaks: [],
    orphans: [],
    cache: { hits: 0, misses: 0 },
    errors: [{ message: error }],
  };
}

export async function sweep(client: RunnerClient): Promise<Orphan[]> {
  const pid = client.pid;
  if (pid === undefined) return [];
  try {
    return await emergencyStop(currentPlatform(), client.runMarker, pid);
  } catch {
    return [];
  }
}

export function mergeOrphans(a: Orphan[], b: Orphan[]): Orphan[] {
  const seen = new Set(a.map((o) => o.pid));
  return [...a, ...b.filter((o) => !seen.has(o.pid))];
}

export function writeOut(path: string, text: string): void {
  const abs = resolve(process.cwd(), path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}
