// Windows: no signals and no process groups. The table comes from CIM through PowerShell, memory
// from pidusage, and stopping is taskkill: /T takes the descendants with it, /F is the only way
// to end a console process (Node, Vitest workers) at all.
import { spawnSync } from 'node:child_process';
import { totalmem } from 'node:os';
import pidusage from 'pidusage';
import type { ProcessInfo } from '../../core/process-table';
import type { Platform, StopSignal } from './platform';
import { defaultExec, sampleRssWithPidusage } from './darwin';
import type { ExecFn, PidusageFn } from './darwin';

/** Runs a command to completion; `status` is its exit code, null if it could not run. */
export type RunSyncFn = (file: string, args: readonly string[]) => { readonly status: number | null };

export interface Win32PlatformDeps {
  readonly exec?: ExecFn;
  readonly runSync?: RunSyncFn;
  readonly pidusage?: PidusageFn;
  readonly isAlive?: (pid: number) => boolean;
  readonly totalMemoryBytes?: () => number;
}

// Name is the fallback where CommandLine is null (system processes, other users' processes).
const LIST_SCRIPT =
  'Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,Name,CommandLine | ConvertTo-Json -Compress';

const defaultRunSync: RunSyncFn = (file, args) => spawnSync(file, [...args], { stdio: 'ignore', windowsHide: true, timeout: 10_000 });

const defaultPidusage: PidusageFn = (pids) => pidusage(pids);

// process.kill(pid, 0) works on Windows too: libuv opens the process to test for it.
function defaultIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

interface CimProcess {
  readonly ProcessId?: unknown;
  readonly ParentProcessId?: unknown;
  readonly Name?: unknown;
  readonly CommandLine?: unknown;
}

/** Parses the JSON of LIST_SCRIPT: an array, or a bare object when there is one process. */
export function parseCimProcesses(text: string): ProcessInfo[] {
  // Windows PowerShell may put a byte-order mark before redirected output.
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  const parsed: unknown = JSON.parse(trimmed);
  const rows = (Array.isArray(parsed) ? parsed : [parsed]) as CimProcess[];
  const table: ProcessInfo[] = [];
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const pid = Number(row.ProcessId);
    const ppid = Number(row.ParentProcessId);
    if (!Number.isInteger(pid) || !Number.isInteger(ppid)) continue;
    const command =
      typeof row.CommandLine === 'string' && row.CommandLine !== ''
        ? row.CommandLine
        : typeof row.Name === 'string'
          ? row.Name
          : '';
    table.push({ pid, ppid, pgid: 0, command });
  }
  return table;
}

export function createWin32Platform(deps: Win32PlatformDeps = {}): Platform {
  const exec = deps.exec ?? defaultExec;
  const runSync = deps.runSync ?? defaultRunSync;
  const usage = deps.pidusage ?? defaultPidusage;
  const isAlive = deps.isAlive ?? defaultIsAlive;

  const taskkill = (pid: number, args: readonly string[]): boolean => {
    // pid 0 is the System Idle Process and 4 is System; neither is ever ours.
    if (!Number.isInteger(pid) || pid <= 4) return false;
    try {
      return runSync('taskkill', ['/PID', String(pid), ...args]).status === 0;
    } catch {
      return false;
    }
  };

  return {
    name: 'win32',
    async listProcesses() {
      const out = await exec('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', LIST_SCRIPT]);
      return parseCimProcesses(out);
    },
    sampleRss: (pids) => sampleRssWithPidusage(usage, pids),
    peakRss: async () => undefined,
    // Without /F taskkill only asks a windowed process to close; a console process refuses, and
    // the caller's KILL after the grace period ends it.
    signal: (pid, signal: StopSignal) => taskkill(pid, signal === 'SIGKILL' ? ['/F'] : []),
    // The "group" on Windows is the process and its descendants, always forced: a polite /T
    // would be refused by every console process in the tree.
    signalGroup: (pid) => taskkill(pid, ['/T', '/F']),
    isAlive,
    totalMemoryBytes: deps.totalMemoryBytes ?? totalmem,
  };
}
