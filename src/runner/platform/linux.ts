// Linux: everything comes from /proc, read directly. Reading /proc/<pid>/statm costs a fraction of
// what pidusage or spawning `ps` does (see DESIGN.md, "Memory guard"), and /proc/<pid>/environ is
// the only place a re-parented or setsid child can be recognised as ours.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { ProcessInfo } from '../../core/process-table';
import { withDescendants } from '../../core/process-tree';
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
  /** Clock ticks after boot; with the pid, names one process even after the pid is reused. */
  readonly starttime: string;
  /** The kernel's PF_* flags of the process (its main thread). */
  readonly flags: number;
}

/** Set by the kernel when a process begins to exit: from then on it never runs its own code again. */
const PF_EXITING = 0x4;

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
  // Field 22 of the whole line (20th after the comm): start time in clock ticks since boot.
  return { comm: text.slice(open + 1, close), state: fields[0] ?? '', ppid, pgrp, starttime: fields[19] ?? '', flags: Number(fields[6]) || 0 };
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

interface Known {
  readonly id: string;
  readonly command: string;
  readonly markers: Record<string, string> | undefined;
  /** The marker names the environment was read for. */
  readonly names: string;
  ppid: number;
  pgid: number;
}

/** Every this many rescans, every process's stat is read again (see `liveSet`). */
const FULL_RESCAN_EVERY = 10;

function infoOf(pid: number, entry: Known): ProcessInfo {
  const info: ProcessInfo = { pid, ppid: entry.ppid, pgid: entry.pgid, command: entry.command };
  return entry.markers === undefined ? info : { ...info, markers: entry.markers };
}

export function createLinuxPlatform(deps: LinuxPlatformDeps = {}): Platform {
  const fs = deps.fs ?? realProcFs;
  const pageSize = deps.pageSize ?? systemPageSize();
  const kill = deps.kill ?? defaultKill;
  const ownStatText = fs.readFile('/proc/self/stat') ?? '';
  const ownPgid = parseProcStat(ownStatText)?.pgrp;

  // The command line and the environment of a process only change when it execs, which also
  // changes its comm: keyed by pid, start time and comm, they are read once per process, not at
  // every rescan (reading every environ at 2 Hz was most of the guard's cost).
  const known = new Map<number, Known>();
  const ownPid = Number(ownStatText.split(' ')[0]);
  let scans = 0;

  function readProcess(pid: number, markerNames: ReadonlySet<string>, namesKey: string): ProcessInfo | undefined {
    const text = fs.readFile(`/proc/${pid}/stat`) ?? '';
    const stat = parseProcStat(text);
    if (!stat) return undefined; // exited since readdir
    // Kernel threads (kthreadd and its children) never exec and have no command line or
    // environment, but a kworker renames itself as it picks up work: known by start time alone.
    // Not caching them re-read three files for each of them at every rescan.
    const kernel = pid === 2 || stat.ppid === 2;
    const id = kernel ? `${stat.starttime}:kernel` : `${stat.starttime}:${stat.comm}`;
    let entry = known.get(pid);
    if (!entry || entry.id !== id || entry.names !== namesKey) {
      // Arguments are NUL-separated (with a trailing NUL); kernel threads and zombies have none.
      const cmdline = kernel ? '' : (fs.readFile(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ');
      const environ = markerNames.size === 0 ? undefined : kernel ? '' : fs.readFile(`/proc/${pid}/environ`);
      entry = { id, command: cmdline || stat.comm, markers: environ === undefined ? undefined : parseEnviron(environ, markerNames), names: namesKey, ppid: stat.ppid, pgid: stat.pgrp };
      // A zombie has no cmdline yet: do not remember an empty one.
      if (cmdline || kernel) known.set(pid, entry);
    } else {
      entry.ppid = stat.ppid;
      entry.pgid = stat.pgrp;
    }
    return infoOf(pid, entry);
  }

  /**
   * The processes whose stat must be read afresh at this rescan: this process, every process
   * carrying a marker (the runs' own, wherever they were re-parented), and their descendants. A
   * process outside that set can never join it — a parent is only ever replaced by init or a
   * subreaper, and a new child is a new pid, always read — so its cached ppid and pgid stand. On a
   * desktop with hundreds of processes, reading every stat every second was most of the guard's
   * idle cost; a full rescan every FULL_RESCAN_EVERY rescans still catches a reused pid.
   */
  function liveSet(namesKey: string): Set<number> {
    const seeds = [ownPid];
    for (const [pid, entry] of known) if (entry.names === namesKey && entry.markers && Object.keys(entry.markers).length > 0) seeds.push(pid);
    return withDescendants(links(), seeds);
  }

  function* links(): Iterable<{ pid: number; ppid: number }> {
    for (const [pid, entry] of known) yield { pid, ppid: entry.ppid };
  }

  return {
    name: 'linux',
    async listProcesses(markerNames) {
      const names = new Set(markerNames);
      const namesKey = [...names].sort().join(',');
      const full = scans++ % FULL_RESCAN_EVERY === 0;
      const live = full ? undefined : liveSet(namesKey);
      const table: ProcessInfo[] = [];
      const seen = new Set<number>();
      for (const entry of fs.readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        seen.add(pid);
        const cached = live && !live.has(pid) ? known.get(pid) : undefined;
        const info = cached && cached.names === namesKey ? infoOf(pid, cached) : readProcess(pid, names, namesKey);
        if (info) table.push(info);
      }
      for (const pid of known.keys()) if (!seen.has(pid)) known.delete(pid);
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
      // runs nothing: for stopping, it is dead. So is a process the kernel has begun to tear down
      // (PF_EXITING): it will never run another instruction of its own. Freeing its memory is the
      // kernel's work from there — milliseconds for 3 GB on an idle machine, but the dying
      // process frees it on its own time slices, so on busy CPUs it took over a second to become
      // a zombie; the guard keeps counting its RSS meanwhile.
      const stat = parseProcStat(fs.readFile(`/proc/${pid}/stat`) ?? '');
      return stat === undefined ? true : stat.state !== 'Z' && stat.state !== 'X' && (stat.flags & PF_EXITING) === 0;
    },
    totalMemoryBytes: deps.totalMemoryBytes ?? totalmem,
  };
}
