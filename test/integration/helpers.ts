// Shared by the integration suite: start the real built CLI on a fixture workspace, read its JSON
// report through the report's own schema, and watch the real process table (/proc) for what the
// run started — so a test can say "nothing of this run is left" without trusting the runner's word.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { RunReportSchema, type FileReport, type RunReport } from '../../src/protocol/report';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

export function fixture(name: string): string {
  return join(REPO_ROOT, 'test', 'fixtures', name);
}

/**
 * The suite runs what users run: the bundles in dist/. `npm test` builds them first; run alone,
 * a missing build must say so rather than fail every case with a confusing exit code.
 */
export function requireBuiltCli(): void {
  const missing = ['cli.js', 'runner.js', 'probe.mjs'].filter((f) => !existsSync(join(REPO_ROOT, 'dist', f)));
  if (missing.length > 0) {
    throw new Error(
      `dist/${missing.join(', dist/')} missing: the integration suite runs the built CLI. ` +
        'Run `npm run build` (node esbuild.mjs) first, or `npm run test:integration`, which builds.',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// /proc

export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  /** R, S, D, Z, X, … (man 5 proc). */
  readonly state: string;
  /** Clock ticks after boot: with the pid, identifies a process even after its pid is reused. */
  readonly starttime: number;
  readonly cmdline: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Gone since readdir, or not ours to read: either way there is nothing to learn.
    return undefined;
  }
}

export function readProc(pid: number, withCmdline = true): ProcInfo | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // comm, in parentheses, may hold spaces and parentheses: the fixed fields follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cmdline = withCmdline ? (readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ') : '';
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    starttime: Number(fields[19]),
    cmdline,
  };
}

export function listProcs(withCmdline = false): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry), withCmdline);
    if (info) out.push(info);
  }
  return out;
}

export function readEnv(pid: number, name: string): string | undefined {
  const environ = readText(`/proc/${pid}/environ`);
  if (!environ) return undefined;
  const prefix = `${name}=`;
  return environ.split('\0').find((e) => e.startsWith(prefix))?.slice(prefix.length);
}

/** Every process below `rootPid` by parent links, in one snapshot. */
export function descendantsOf(table: readonly ProcInfo[], rootPid: number): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of table) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out = new Map<number, ProcInfo>();
  const stack = [rootPid];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    for (const child of byParent.get(pid) ?? []) {
      // A snapshot taken while pids are reused can show a loop the kernel never had.
      if (out.has(child.pid) || child.pid === rootPid) continue;
      out.set(child.pid, child);
      stack.push(child.pid);
    }
  }
  return [...out.values()];
}

/**
 * Still running: present, not a zombie (a zombie holds no memory and runs nothing; it only waits
 * for a parent to reap it), and — when `starttime` is given — not a new process under a reused pid.
 */
export function isRunning(pid: number, starttime?: number): boolean {
  const p = readProc(pid, false);
  if (!p || p.state === 'Z' || p.state === 'X') return false;
  return starttime === undefined || p.starttime === starttime;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; throws `what` after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => T | undefined | null | false,
  what: string,
  { timeoutMs = 10_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// The CLI

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From spawn to exit, as the user waits for it. */
  readonly wallMs: number;
}

export interface StartOptions {
  /** Write the JSON report to a fresh temp file (see CliRun.report()). Default true. */
  readonly json?: boolean;
  readonly cwd?: string;
  /**
   * Let `run` answer from the result cache. Default false: the fixtures are shared folders whose
   * `.redline/` outlives a test, and a test of the guard must see its files really run.
   */
  readonly cache?: boolean;
}

/**
 * The environment of the process running this suite carries Vitest's own worker variables (and
 * would carry Redline's if the suite ran under Redline): the CLI under test must start clean, as
 * from a user's shell. NO_COLOR keeps messages plain for matching; no TTY keeps the CLI quiet.
 */
export function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('REDLINE_') || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  return env;
}

const tempDirs: string[] = [];

/** A fresh folder in the OS temp dir, outside the repository; removed by removeTempDirs(). */
export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `redline-it-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * One `redline run` (or any CLI command) in flight. While it runs, it polls /proc to learn every
 * process the CLI starts (its descendants, with their start times) and the run's REDLINE_RUN
 * marker, read from the runner's environment. Together they identify this run's processes
 * exactly — other sessions on the same machine run Vitest too, so matching command lines
 * ("vitest", the fixture path) would also catch theirs.
 */
export class CliRun {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly jsonPath: string | undefined;
  /** Every process seen below the CLI while it ran, by pid. */
  readonly seen = new Map<number, ProcInfo>();
  /** REDLINE_RUN of this run, once seen on the runner. */
  marker: string | undefined;
  stdout = '';
  stderr = '';
  private readonly startedAt = performance.now();
  private readonly cliStarttime: number | undefined;
  private readonly exitPromise: Promise<CliResult>;
  private readonly tracker: NodeJS.Timeout;

  constructor(args: readonly string[], options: StartOptions = {}) {
    this.jsonPath = options.json === false ? undefined : join(makeTempDir('report'), 'report.json');
    const noCache = args[0] === 'run' && options.cache !== true && !args.includes('--no-cache') ? ['--no-cache'] : [];
    const fullArgs = [...args, ...noCache, ...(this.jsonPath ? ['--json', this.jsonPath] : [])];
    // A group of its own, so a test can signal the CLI alone, as a terminal would, and nothing
    // it does reaches the test runner's group.
    this.child = spawn(process.execPath, [CLI, ...fullArgs], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (this.child.pid === undefined) throw new Error(`could not start ${CLI}`);
    this.pid = this.child.pid;
    this.cliStarttime = readProc(this.pid, false)?.starttime;
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        clearInterval(this.tracker);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, wallMs: performance.now() - this.startedAt });
      });
    });
    this.track();
    this.tracker = setInterval(() => this.track(), 50);
  }

  get exited(): Promise<CliResult> {
    return this.exitPromise;
  }

  /** Learns the CLI's current descendants (call it right before killing the CLI, too). */
  track(): ProcInfo[] {
    return descendantsOf(listProcs(), this.pid).map((p) => {
      // Read again every time: between fork and exec a child still shows its parent's command
      // line and environment (there are only a handful of these processes). A zombie has no
      // command line left: keep the one it had.
      const known = this.seen.get(p.pid);
      const read = readProc(p.pid) ?? p;
      const full = read.cmdline === '' && known?.starttime === read.starttime ? { ...read, cmdline: known.cmdline } : read;
      this.seen.set(p.pid, full);
      // The runner is the CLI's child; its environment holds the run's marker.
      if (this.marker === undefined && p.ppid === this.pid) this.marker = readEnv(p.pid, 'REDLINE_RUN');
      return full;
    });
  }

  /** The processes of this run that are still running (zombies do not count). */
  survivors(): ProcInfo[] {
    const alive = new Map<number, ProcInfo>();
    const cli = readProc(this.pid);
    if (cli && isRunning(this.pid, this.cliStarttime)) alive.set(this.pid, cli);
    for (const p of this.seen.values()) if (isRunning(p.pid, p.starttime)) alive.set(p.pid, readProc(p.pid) ?? p);
    if (this.marker !== undefined) {
      // Also the ones never seen below the CLI: a detached child, re-parented within milliseconds.
      for (const p of listProcs()) {
        if (alive.has(p.pid) || p.state === 'Z' || p.state === 'X') continue;
        if (readEnv(p.pid, 'REDLINE_RUN') === this.marker) alive.set(p.pid, readProc(p.pid) ?? p);
      }
    }
    return [...alive.values()];
  }

  /** Waits for the CLI to exit; past `timeoutMs` it kills what the run started and throws. */
  async wait(timeoutMs = 90_000): Promise<CliResult> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.killAll();
        reject(new Error(`redline did not exit within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exitPromise, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The JSON report, validated by the report's own schema (throws if absent or invalid). */
  report(): RunReport {
    if (!this.jsonPath) throw new Error('this run was started without --json');
    if (!existsSync(this.jsonPath)) {
      throw new Error(`redline wrote no JSON report to ${this.jsonPath}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
    }
    return RunReportSchema.parse(JSON.parse(readFileSync(this.jsonPath, 'utf8')));
  }

  /** Polls up to `withinMs` until nothing of the run is running: how long it took, or who is left. */
  async settle(withinMs: number): Promise<{ ms: number; left: ProcInfo[] }> {
    const start = performance.now();
    let left = this.survivors();
    while (left.length > 0 && performance.now() - start < withinMs) {
      await sleep(25);
      left = this.survivors();
    }
    return { ms: performance.now() - start, left };
  }

  /**
   * Fails, naming the survivors, unless nothing of the run is running within `withinMs`; then
   * kills them, so one failure does not leak into the next test.
   */
  async expectNothingLeft(withinMs = 2000): Promise<void> {
    const { left } = await this.settle(withinMs);
    if (left.length === 0) return;
    this.killAll();
    expect.fail(`${left.length} process(es) of the run still running ${withinMs} ms later:\n${left.map(describeProc).join('\n')}`);
  }

  /** Cleanup: SIGKILL, by pid, everything of this run that still runs. Never throws. */
  killAll(): void {
    for (const p of this.survivors()) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone in the meantime.
      }
    }
  }
}

export function describeProc(p: ProcInfo): string {
  return `  pid ${p.pid} (ppid ${p.ppid}, state ${p.state}): ${p.cmdline.slice(0, 160)}`;
}

/** A run that has ended, with how it ended. */
export type FinishedRun = CliRun & { readonly result: CliResult };

/** Starts the CLI and waits for it. */
export async function runCli(args: readonly string[], options: StartOptions & { timeoutMs?: number } = {}): Promise<FinishedRun> {
  const run = new CliRun(args, options);
  const result = await run.wait(options.timeoutMs);
  return Object.assign(run, { result });
}

/** The Vitest fork workers of this run running now (by their command line). */
export function workersOf(run: CliRun): ProcInfo[] {
  return run.track().filter((p) => p.cmdline.includes('vitest') && p.cmdline.includes('workers/forks'));
}

/**
 * Waits until a Vitest worker of the run has spent `cpuMs` of CPU time: by then it is past loading
 * its file and inside the busy loop (the only test of the fixture that burns CPU). Any worker:
 * the one that runs ok.test.js may come and go first.
 */
export async function waitForBusyWorker(run: CliRun, cpuMs = 1000): Promise<ProcInfo> {
  const ticks = cpuMs / 10; // USER_HZ is 100 on every Linux target
  return waitUntil(() => workersOf(run).find((w) => cpuTicks(w.pid) >= ticks), 'a Vitest worker to spin', { timeoutMs: 30_000 });
}

function cpuTicks(pid: number): number {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

// ---------------------------------------------------------------------------------------------
// Report checks

export function fileOf(report: RunReport, path: string, project?: string): FileReport {
  const file = report.files.find((f) => f.path === path && (project === undefined || f.project === project));
  if (!file) throw new Error(`no file ${path} in the report; it has: ${report.files.map((f) => f.path).join(', ')}`);
  return file;
}

/** The summary counts the files by state, and the states add up to the number of files. */
export function expectSummaryAddsUp(report: RunReport): void {
  const { summary } = report;
  const states = ['passed', 'failed', 'broken', 'stopped', 'skipped', 'notrun'] as const;
  expect(summary.files).toBe(report.files.length);
  expect(states.reduce((sum, s) => sum + summary[s], 0)).toBe(summary.files);
  for (const s of states) expect(summary[s], `summary.${s}`).toBe(report.files.filter((f) => f.state === s).length);
  expect(summary.cached).toBe(report.files.filter((f) => f.cached).length);
}

/** DESIGN.md's exit codes, from the report alone. */
export function expectedExitCode(report: RunReport): number {
  const states = new Set(report.files.map((f) => f.state));
  if (states.has('stopped')) return 2;
  if (states.has('failed') || states.has('broken') || states.has('notrun') || (report.errors?.length ?? 0) > 0) return 1;
  return 0;
}
