// macOS: no /proc. The table comes from one `ps` (fine at 1–2 Hz, never per sample) and memory from
// pidusage. Another process's environment cannot be read reliably, so there are no markers here:
// the process group and the parent links are what find a test's children.
import { execFile } from 'node:child_process';
import { totalmem } from 'node:os';
import pidusage from 'pidusage';
import type { ProcessInfo } from '../../core/process-table';
import type { Platform } from './platform';
import { posixIsAlive, posixSignal, posixSignalGroup } from './linux';
import type { KillFn } from './linux';

export type ExecFn = (file: string, args: readonly string[]) => Promise<string>;

/** pidusage's promise form for a list of pids: a record keyed by pid, `memory` in bytes. */
export type PidusageFn = (pids: number[]) => Promise<Record<string, { readonly memory: number } | undefined>>;

export interface DarwinPlatformDeps {
  readonly exec?: ExecFn;
  readonly pidusage?: PidusageFn;
  readonly kill?: KillFn;
  readonly totalMemoryBytes?: () => number;
  /** Our own pid, to learn our own process group from the table (see posixSignalGroup). */
  readonly selfPid?: number;
}

export const defaultExec: ExecFn = (file, args) =>
  new Promise((resolve, reject) => {
    // A full process table with long command lines is far more than execFile's 1 MiB default.
    execFile(file, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });

const defaultPidusage: PidusageFn = (pids) => pidusage(pids);

const defaultKill: KillFn = (pid, signal) => {
  process.kill(pid, signal);
};

/** Parses `ps -axo pid=,ppid=,pgid=,command=`: three numbers, then the command with its spaces. */
export function parsePsOutput(text: string): ProcessInfo[] {
  const table: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)(?:\s(.*))?$/.exec(line.replace(/\r$/, ''));
    if (!match) continue;
    table.push({ pid: Number(match[1]), ppid: Number(match[2]), pgid: Number(match[3]), command: (match[4] ?? '').trim() });
  }
  return table;
}

/**
 * RSS through pidusage. It rejects the whole batch when one pid has exited (a worker finishing
 * its file is the common case), so on rejection ask again pid by pid and drop the dead ones.
 */
export async function sampleRssWithPidusage(usage: PidusageFn, pids: readonly number[]): Promise<Map<number, number>> {
  const rss = new Map<number, number>();
  const unique = [...new Set(pids)];
  if (unique.length === 0) return rss;
  const take = (stats: Record<string, { readonly memory: number } | undefined>, pid: number): void => {
    const memory = stats[String(pid)]?.memory;
    if (typeof memory === 'number' && Number.isFinite(memory)) rss.set(pid, memory);
  };
  try {
    const stats = await usage(unique);
    for (const pid of unique) take(stats, pid);
    return rss;
  } catch {
    const single = await Promise.allSettled(unique.map(async (pid) => ({ pid, stats: await usage([pid]) })));
    for (const result of single) if (result.status === 'fulfilled') take(result.value.stats, result.value.pid);
    return rss;
  }
}

export function createDarwinPlatform(deps: DarwinPlatformDeps = {}): Platform {
  const exec = deps.exec ?? defaultExec;
  const usage = deps.pidusage ?? defaultPidusage;
  const kill = deps.kill ?? defaultKill;
  const selfPid = deps.selfPid ?? process.pid;
  let ownPgid: number | undefined;

  return {
    name: 'darwin',
    async listProcesses() {
      const table = parsePsOutput(await exec('ps', ['-axo', 'pid=,ppid=,pgid=,command=']));
      ownPgid = table.find((p) => p.pid === selfPid)?.pgid ?? ownPgid;
      return table;
    },
    sampleRss: (pids) => sampleRssWithPidusage(usage, pids),
    peakRss: async () => undefined,
    signal: (pid, signal) => posixSignal(kill, pid, signal),
    signalGroup: (pgid, signal) => posixSignalGroup(kill, pgid, signal, ownPgid),
    isAlive: (pid) => posixIsAlive(kill, pid),
    totalMemoryBytes: deps.totalMemoryBytes ?? totalmem,
  };
}
