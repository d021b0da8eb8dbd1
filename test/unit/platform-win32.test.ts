import { describe, expect, it } from 'vitest';
import type { PidusageFn } from '../../src/runner/platform/darwin';
import { createWin32Platform, parseCimProcesses } from '../../src/runner/platform/win32';

const CIM = JSON.stringify([
  { ProcessId: 0, ParentProcessId: 0, Name: 'System Idle Process', CommandLine: null },
  { ProcessId: 4, ParentProcessId: 0, Name: 'System', CommandLine: null },
  { ProcessId: 5000, ParentProcessId: 4800, Name: 'node.exe', CommandLine: '"C:\\Program Files\\nodejs\\node.exe" vitest.mjs run' },
  { ProcessId: 5001, ParentProcessId: 5000, Name: 'node.exe', CommandLine: '' },
]);

const fakePidusage: PidusageFn = async (pids) => {
  const out: Record<string, { memory: number }> = {};
  for (const pid of pids) {
    if (pid === 6666) throw new Error('dead');
    out[String(pid)] = { memory: pid * 10 };
  }
  return out;
};

describe('parseCimProcesses', () => {
  it('parses the array form, with Name where CommandLine is null or empty, pgid 0', () => {
    const table = parseCimProcesses(CIM);
    expect(table).toEqual([
      { pid: 0, ppid: 0, pgid: 0, command: 'System Idle Process' },
      { pid: 4, ppid: 0, pgid: 0, command: 'System' },
      { pid: 5000, ppid: 4800, pgid: 0, command: '"C:\\Program Files\\nodejs\\node.exe" vitest.mjs run' },
      { pid: 5001, ppid: 5000, pgid: 0, command: 'node.exe' },
    ]);
  });

  it('parses the single-object form, a byte-order mark and blank output', () => {
    expect(parseCimProcesses('{"ProcessId":9,"ParentProcessId":1,"CommandLine":null}\r\n')).toEqual([
      { pid: 9, ppid: 1, pgid: 0, command: '' },
    ]);
    expect(parseCimProcesses('\uFEFF[{"ProcessId":9,"ParentProcessId":1,"Name":"a.exe"}]')).toHaveLength(1);
    expect(parseCimProcesses('  \r\n')).toEqual([]);
  });
});

describe('createWin32Platform', () => {
  function recording(status: (args: readonly string[]) => number | null = () => 0) {
    const runs: [string, readonly string[]][] = [];
    const execs: [string, readonly string[]][] = [];
    const platform = createWin32Platform({
      exec: async (file, args) => {
        execs.push([file, args]);
        return CIM;
      },
      runSync: (file, args) => {
        runs.push([file, args]);
        return { status: status(args) };
      },
      pidusage: fakePidusage,
      isAlive: (pid) => pid !== 6666,
    });
    return { platform, runs, execs };
  }

  it('lists processes through PowerShell CIM', async () => {
    const { platform, execs } = recording();
    expect((await platform.listProcesses(['REDLINE_RUN'])).map((p) => p.pid)).toEqual([0, 4, 5000, 5001]);
    expect(execs).toHaveLength(1);
    expect(execs[0]?.[0]).toBe('powershell.exe');
    expect(execs[0]?.[1].at(-1)).toContain('Get-CimInstance Win32_Process');
    expect(execs[0]?.[1].at(-1)).toContain('ConvertTo-Json -Compress');
  });

  it('samples RSS with pidusage, dropping a dead pid', async () => {
    const { platform } = recording();
    expect([...(await platform.sampleRss([5000, 6666, 5001]))]).toEqual([
      [5000, 50000],
      [5001, 50010],
    ]);
    expect(await platform.peakRss(5000)).toBeUndefined();
  });

  it('stops with taskkill: /F for KILL, none for TERM, /T /F for the tree', () => {
    const { platform, runs } = recording((args) => (args[1] === '6666' ? 128 : 0));
    expect(platform.signal(5000, 'SIGTERM')).toBe(true);
    expect(platform.signal(5000, 'SIGKILL')).toBe(true);
    expect(platform.signalGroup(5000, 'SIGTERM')).toBe(true);
    expect(platform.signal(6666, 'SIGKILL')).toBe(false);
    expect(runs).toEqual([
      ['taskkill', ['/PID', '5000']],
      ['taskkill', ['/PID', '5000', '/F']],
      ['taskkill', ['/PID', '5000', '/T', '/F']],
      ['taskkill', ['/PID', '6666', '/F']],
    ]);
  });

  it('never taskkills the idle or System process, and survives a taskkill that cannot start', () => {
    const { platform, runs } = recording(() => null);
    expect(platform.signalGroup(0, 'SIGKILL')).toBe(false);
    expect(platform.signal(4, 'SIGKILL')).toBe(false);
    expect(runs).toEqual([]);
    expect(platform.signal(5000, 'SIGKILL')).toBe(false);
  });
});
