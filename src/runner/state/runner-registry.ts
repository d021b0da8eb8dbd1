// Which runners work on a workspace: each registers itself in `.redline/runners/<pid>.json` when
// it starts and removes the file when it exits, so `redline reset --hard` can stop them before it
// clears the state they write. A runner killed with SIGKILL leaves its file behind; the pid is
// then checked before anything is signalled, because the system may have given it to another
// process since.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isPidAlive, stateDir } from './workspace-store';

export const RUNNERS_DIR = 'runners';

/** What identifies a runner's process on Linux and macOS: its script, dist/runner.js. */
const RUNNER_SCRIPT = 'runner.js';

export interface RunnerEntry {
  readonly pid: number;
  /** ISO 8601. */
  readonly startedAt: string;
  /** What the runner serves, e.g. "redline run". */
  readonly command: string;
  readonly hostname?: string;
}

function runnersDir(root: string): string {
  return join(stateDir(root), RUNNERS_DIR);
}

/** Registers this process; returns the file to remove at exit, or null when it could not be written. */
export function registerRunner(root: string, command: string): string | null {
  const dir = runnersDir(root);
  const file = join(dir, `${process.pid}.json`);
  const entry: RunnerEntry = { pid: process.pid, startedAt: new Date().toISOString(), command, hostname: hostname() };
  try {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed, so a reader never sees half an entry.
    const temp = `${file}.tmp`;
    writeFileSync(temp, JSON.stringify(entry));
    renameSync(temp, file);
    return file;
  } catch {
    return null;
  }
}

export function unregisterRunner(file: string | null): void {
  if (file) rmSync(file, { force: true });
}

export function listRunners(root: string): RunnerEntry[] {
  const dir = runnersDir(root);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const entries: RunnerEntry[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const value = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Partial<RunnerEntry>;
      if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0) {
        entries.push({
          pid: value.pid,
          startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
          command: typeof value.command === 'string' ? value.command : 'a Redline runner',
          ...(typeof value.hostname === 'string' ? { hostname: value.hostname } : {}),
        });
      }
    } catch {
      // Unreadable or half-written by a runner that died: nothing to stop.
    }
  }
  return entries.sort((a, b) => a.pid - b.pid);
}

/**
 * Whether `pid` is a live Redline runner on this machine: alive, not a zombie, and running
 * runner.js — the last check keeps a reused pid from being signalled. On Windows, where no
 * command line can be read cheaply, a live pid is taken at its word.
 */
export function isLiveRunner(pid: number): boolean {
  if (!isPidAlive(pid)) return false;
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z' || state === 'X') return false;
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(RUNNER_SCRIPT);
    } catch {
      return false;
    }
  }
  if (process.platform === 'win32') return true;
  try {
    const command = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 });
    return command.includes(RUNNER_SCRIPT);
  } catch {
    return false;
  }
}

export interface StopOutcome {
  /** Runners that ended after SIGTERM. */
  readonly stopped: readonly RunnerEntry[];
  /** Runners still alive after the grace time, then sent SIGKILL. */
  readonly killed: readonly RunnerEntry[];
  /** Registrations whose process is gone or is no runner (a reused pid): removed, nothing signalled. */
  readonly stale: readonly RunnerEntry[];
  /** Registered from another machine (a shared folder): nothing Redline can signal from here. */
  readonly elsewhere: readonly RunnerEntry[];
}

/** SIGTERM every live runner of the workspace (never this process), wait up to `graceMs`, then SIGKILL. */
export async function stopRunners(root: string, graceMs = 3000): Promise<StopOutcome> {
  const here = hostname();
  const stopped: RunnerEntry[] = [];
  const stale: RunnerEntry[] = [];
  const elsewhere: RunnerEntry[] = [];
  for (const entry of listRunners(root)) {
    if (entry.pid === process.pid) continue;
    if (entry.hostname !== undefined && entry.hostname !== here) {
      elsewhere.push(entry);
      continue;
    }
    if (!isLiveRunner(entry.pid)) {
      stale.push(entry);
      rmSync(join(runnersDir(root), `${entry.pid}.json`), { force: true });
      continue;
    }
    try {
      process.kill(entry.pid, 'SIGTERM');
      stopped.push(entry);
    } catch {
      stale.push(entry);
    }
  }
  const deadline = Date.now() + graceMs;
  while (stopped.some((entry) => isLiveRunner(entry.pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const killed = stopped.filter((entry) => isLiveRunner(entry.pid));
  for (const entry of killed) {
    try {
      process.kill(entry.pid, 'SIGKILL');
    } catch {
      // Ended in the meantime.
    }
  }
  return { stopped: stopped.filter((entry) => !killed.includes(entry)), killed, stale, elsewhere };
}
