// Linux: everything comes from /proc, read directly. Reading /proc/<pid>/statm costs a fraction of
// what pidusage or spawning `ps` does (see DESIGN.md, "Memory guard"), and /proc/<pid>/environ is
// the only place a re-parented or setsid child can be recognised as ours.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { ProcessInfo } from '../../core/process-table';
import type { Platform, StopSignal } from './platform';

/** The slice of the file system the Linux platform reads; faked in unit tests. */
export interface ProcFs {
  /** The file's text, or undefined if it cannot be read (gone, EACCES, anything). */
  readFile(path: string): string | undefined;
  /** Entry names, or [] if the directory cannot be read. */
  readdir(path: string): string[];
}

export type KillFn = (pid: number, signal: NodeJS.Signals | 0) => void;

export interface LinuxPlatformDeps {
  readonly fs?: ProcFs;
  /** Bytes per page; by default asked of `getconf PAGESIZE` once. */
  readonly pageSize?: number;
  readonly kill?: KillFn;
  readonly totalMemoryBytes?: () => number;
}

const realProcFs: ProcFs = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      // Processes exit between readdir and read, and other users' environ is EACCES: both just
      // mean "nothing to read".
      return undefined;
    }
  },
  readdir(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
};

const defaultKill: KillFn = (pid, signal) => {
  process.kill(pid, signal);
};

function systemPageSize(): number {
  try {
    const size = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8', timeout: 2000 }).trim());
    if (Number.isInteger(size) && size > 0) return size;
  } catch {
    // No getconf (a minimal container): 4 KiB is the page size of every mainstream Linux target
    // but some arm64 kernels (16/64 KiB), which ship getconf.
  }
  return 4096;
}

export interface ProcStat {
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
}

/**
 * Parses /proc/<pid>/stat. The comm field is in parentheses and may itself contain spaces and
 * parentheses ("(sd-pam)", "(a) (b)"), so the fixed fields are taken after the LAST ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(fields[1]);
  const pgrp = Number(fields[2]);
  if (fields.length < 3 || !Number.isInteger(ppid) || !Number.isInteger(pgrp)) return undefined;
  return { comm: text.slice(open + 1, close), state: fields[0] ?? '', ppid, pgrp };
}

function parseEnviron(text: string, names: ReadonlySet<string>): Record<string, string> {
  const markers: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (names.has(name)) markers[name] = entry.slice(eq + 1);
  }
  return markers;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** kill(pid, sig) that reports a vanished or foreign process as false instead of throwing. */
export function posixSignal(kill: KillFn, pid: number, signal: StopSignal): boolean {
  // kill(0) and kill(-1) would hit our own group or every process we may signal.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    kill(pid, signal);
    return true;
  } catch {
    return false; // ESRCH: gone; EPERM: not ours to stop.
  }
}

/**
 * kill(-pgid, sig). Refuses our own group: a runner started without a group of its own shares it
 * with the editor's extension host, and a wrong pgid must not take that down.
 */
export function posixSignalGroup(kill: KillFn, pgid: number, signal: StopSignal, ownPgid: number | undefined): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1 || pgid === ownPgid) return false;
  try {
    kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signal 0 probes existence; EPERM means it exists but belongs to someone else. */
export function posixIsAlive(kill: KillFn, pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

export function createLinuxPlatform(deps: LinuxPlatformDeps = {}): Platform {
  const fs = deps.fs ?? realProcFs;
  const pageSize = deps.pageSize ?? systemPageSize();
  const kill = deps.kill ?? defaultKill;
  const ownStat = parseProcStat(fs.readFile('/proc/self/stat') ?? '');
  const ownPgid = ownStat?.pgrp;

  function readProcess(pid: number, markerNames: ReadonlySet<string>): ProcessInfo | undefined {
    const stat = parseProcStat(fs.readFile(`/proc/${pid}/stat`) ?? '');
    if (!stat) return undefined; // exited since readdir
    // Arguments are NUL-separated (with a trailing NUL); kernel threads and zombies have none.
    const cmdline = (fs.readFile(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ');
    const info: ProcessInfo = { pid, ppid: stat.ppid, pgid: stat.pgrp, command: cmdline || stat.comm };
    if (markerNames.size === 0) return info;
    const environ = fs.readFile(`/proc/${pid}/environ`);
    return environ === undefined ? info : { ...info, markers: parseEnviron(environ, markerNames) };
  }

  return {
    name: 'linux',
    async listProcesses(markerNames) {
      const names = new Set(markerNames);
      const table: ProcessInfo[] = [];
      for (const entry of fs.readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const info = readProcess(Number(entry), names);
        if (info) table.push(info);
      }
      return table;
    },
    async sampleRss(pids) {
      const rss = new Map<number, number>();
      for (const pid of pids) {
        // statm: size resident shared text lib data dt, in pages.
        const resident = Number((fs.readFile(`/proc/${pid}/statm`) ?? '').split(' ')[1]);
        if (Number.isFinite(resident)) rss.set(pid, resident * pageSize);
      }
      return rss;
    },
    async peakRss(pid) {
      const match = /^VmHWM:\s*(\d+)\s*kB/m.exec(fs.readFile(`/proc/${pid}/status`) ?? '');
      return match ? Number(match[1]) * 1024 : undefined;
    },
    signal: (pid, signal) => posixSignal(kill, pid, signal),
    signalGroup: (pgid, signal) => posixSignalGroup(kill, pgid, signal, ownPgid),
    isAlive(pid) {
      if (!posixIsAlive(kill, pid)) return false;
      // A zombie still answers kill(pid, 0) until its parent reaps it, but it holds no memory and
      // runs nothing: for stopping, it is dead.
      const stat = parseProcStat(fs.readFile(`/proc/${pid}/stat`) ?? '');
      return stat === undefined ? true : stat.state !== 'Z' && stat.state !== 'X';
    },
    totalMemoryBytes: deps.totalMemoryBytes ?? totalmem,
  };
}
