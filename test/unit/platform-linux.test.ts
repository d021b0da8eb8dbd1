import { describe, expect, it } from 'vitest';
import type { ProcFs, KillFn } from '../../src/runner/platform/linux';
import { createLinuxPlatform, parseProcStat } from '../../src/runner/platform/linux';

// A fake /proc: path → content; a path missing from the map reads as gone (ENOENT/EACCES).
function fakeProc(files: Record<string, string>): ProcFs {
  return {
    readFile: (path) => files[path],
    readdir: (path) => {
      if (path !== '/proc') return [];
      const entries = new Set<string>();
      for (const key of Object.keys(files)) entries.add(key.split('/')[2] ?? '');
      // A pid listed by readdir whose files are gone by the time they are read.
      entries.add('4242');
      return [...entries];
    },
  };
}

const stat = (pid: number, comm: string, state: string, ppid: number, pgrp: number): string =>
  `${pid} (${comm}) ${state} ${ppid} ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123 456789 100 18446744073709551615\n`;

const files: Record<string, string> = {
  '/proc/self/stat': stat(50, 'node', 'S', 1, 50),
  '/proc/1/stat': stat(1, 'systemd', 'S', 0, 1),
  '/proc/1/cmdline': '/sbin/init\0splash\0',
  // environ of init is root's: unreadable, so no entry.
  '/proc/100/stat': stat(100, 'a) (b c', 'R', 1, 100),
  '/proc/100/cmdline': 'node\0/work/vitest.mjs\0--pool\0forks\0',
  '/proc/100/environ': 'PATH=/usr/bin\0REDLINE_RUN=run-a\0REDLINE_WORKER=\0OTHER=x=y\0',
  '/proc/101/stat': stat(101, 'kworker/0:1', 'I', 2, 0),
  '/proc/101/cmdline': '',
  '/proc/101/environ': '',
  '/proc/102/stat': stat(102, 'zombie', 'Z', 100, 100),
  '/proc/100/statm': '12345 2500 700 10 0 3000 0\n',
  '/proc/100/status': 'Name:\tnode\nVmPeak:\t  900000 kB\nVmHWM:\t   48212 kB\nVmRSS:\t   10000 kB\n',
  '/proc/1/statm': '4000 300 200 10 0 100 0\n',
  '/proc/102/statm': '0 0 0 0 0 0 0\n',
};

describe('parseProcStat', () => {
  it('takes the fields after the last parenthesis, whatever comm holds', () => {
    expect(parseProcStat(stat(7, 'x) (y) z', 'S', 3, 9))).toEqual({ comm: 'x) (y) z', state: 'S', ppid: 3, pgrp: 9, starttime: '123', flags: 4194560 });
    expect(parseProcStat(stat(7, '(sd-pam)', 'S', 1, 7))).toMatchObject({ comm: '(sd-pam)', ppid: 1, pgrp: 7 });
  });

  it('rejects garbage and truncated text', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (node')).toBeUndefined();
    expect(parseProcStat('12 (node) S')).toBeUndefined();
  });
});

describe('createLinuxPlatform', () => {
  const platform = createLinuxPlatform({ fs: fakeProc(files), pageSize: 4096, totalMemoryBytes: () => 8 << 30 });

  it('lists processes with ppid, pgid and command, skipping vanished and non-numeric entries', async () => {
    const table = await platform.listProcesses([]);
    expect(table.map((p) => p.pid).sort((a, b) => a - b)).toEqual([1, 100, 101, 102]);
    const vitest = table.find((p) => p.pid === 100);
    expect(vitest).toEqual({ pid: 100, ppid: 1, pgid: 100, command: 'node /work/vitest.mjs --pool forks' });
    expect(table.find((p) => p.pid === 1)?.command).toBe('/sbin/init splash');
  });

  it('falls back to comm when cmdline is empty (kernel threads, zombies)', async () => {
    const table = await platform.listProcesses([]);
    expect(table.find((p) => p.pid === 101)).toMatchObject({ command: 'kworker/0:1', ppid: 2, pgid: 0 });
    expect(table.find((p) => p.pid === 102)?.command).toBe('zombie');
  });

  it('reads only the requested markers, and none where environ is unreadable', async () => {
    const table = await platform.listProcesses(['REDLINE_RUN', 'REDLINE_WORKER', 'MISSING']);
    expect(table.find((p) => p.pid === 100)?.markers).toEqual({ REDLINE_RUN: 'run-a', REDLINE_WORKER: '' });
    expect(table.find((p) => p.pid === 1)?.markers).toBeUndefined();
    expect(table.find((p) => p.pid === 101)?.markers).toEqual({});
    const without = await platform.listProcesses([]);
    expect(without.find((p) => p.pid === 100)?.markers).toBeUndefined();
  });

  it('samples RSS as resident pages × page size and leaves out exited pids', async () => {
    const rss = await platform.sampleRss([100, 1, 4242, 102]);
    expect(rss.get(100)).toBe(2500 * 4096);
    expect(rss.get(1)).toBe(300 * 4096);
    expect(rss.has(4242)).toBe(false);
    expect(rss.get(102)).toBe(0);
  });

  it('uses the given page size', async () => {
    const big = createLinuxPlatform({ fs: fakeProc(files), pageSize: 65536 });
    expect((await big.sampleRss([100])).get(100)).toBe(2500 * 65536);
  });

  it('reads the peak from VmHWM in bytes', async () => {
    expect(await platform.peakRss(100)).toBe(48212 * 1024);
    expect(await platform.peakRss(1)).toBeUndefined();
    expect(await platform.peakRss(4242)).toBeUndefined();
  });

  it('reports total memory', () => {
    expect(platform.totalMemoryBytes()).toBe(8 << 30);
  });
});

describe('signals', () => {
  function recordingKill(failures: Record<number, string> = {}): { kill: KillFn; calls: [number, string | 0][] } {
    const calls: [number, string | 0][] = [];
    const kill: KillFn = (pid, signal) => {
      calls.push([pid, signal]);
      const code = failures[pid];
      if (code) throw Object.assign(new Error(code), { code });
    };
    return { kill, calls };
  }

  it('signals a pid and a group, and reports a gone or foreign one as false', () => {
    const { kill, calls } = recordingKill({ 7: 'ESRCH', 8: 'EPERM', [-9]: 'ESRCH' });
    const platform = createLinuxPlatform({ fs: fakeProc(files), pageSize: 4096, kill });
    expect(platform.signal(100, 'SIGTERM')).toBe(true);
    expect(platform.signal(7, 'SIGKILL')).toBe(false);
    expect(platform.signal(8, 'SIGKILL')).toBe(false);
    expect(platform.signalGroup(100, 'SIGKILL')).toBe(true);
    expect(platform.signalGroup(9, 'SIGTERM')).toBe(false);
    expect(calls).toEqual([
      [100, 'SIGTERM'],
      [7, 'SIGKILL'],
      [8, 'SIGKILL'],
      [-100, 'SIGKILL'],
      [-9, 'SIGTERM'],
    ]);
  });

  it('never signals pid 0, -1, init or its own group', () => {
    const { kill, calls } = recordingKill();
    const platform = createLinuxPlatform({ fs: fakeProc(files), pageSize: 4096, kill });
    expect(platform.signal(0, 'SIGKILL')).toBe(false);
    expect(platform.signal(-1, 'SIGKILL')).toBe(false);
    expect(platform.signalGroup(0, 'SIGKILL')).toBe(false);
    expect(platform.signalGroup(1, 'SIGKILL')).toBe(false);
    expect(platform.signalGroup(50, 'SIGKILL')).toBe(false); // /proc/self/stat says pgrp 50
    expect(calls).toEqual([]);
  });

  it('counts EPERM as alive and a zombie as dead', () => {
    const { kill } = recordingKill({ 4242: 'ESRCH', 1: 'EPERM' });
    const platform = createLinuxPlatform({ fs: fakeProc(files), pageSize: 4096, kill });
    expect(platform.isAlive(100)).toBe(true);
    expect(platform.isAlive(1)).toBe(true);
    expect(platform.isAlive(4242)).toBe(false);
    expect(platform.isAlive(102)).toBe(false);
    expect(platform.isAlive(0)).toBe(false);
  });

  it('counts a process the kernel is tearing down (PF_EXITING) as dead, however long freeing its memory takes', () => {
    const exiting = stat(103, 'node', 'R', 100, 100).replace(' 4194560 ', ` ${4194560 | 0x4} `);
    const platform = createLinuxPlatform({ fs: fakeProc({ ...files, '/proc/103/stat': exiting }), pageSize: 4096, kill: () => undefined });
    expect(platform.isAlive(103)).toBe(false);
    expect(platform.isAlive(100)).toBe(true);
  });
});

describe('rescans read a process’s command line and environment once', () => {
  it('re-reads them only when the process is new (another start time) or has exec’d (another comm)', async () => {
    const reads: string[] = [];
    const table: Record<string, string> = {
      '/proc/self/stat': stat(50, 'node', 'S', 1, 50),
      '/proc/9/stat': stat(9, 'node', 'S', 1, 9),
      '/proc/9/cmdline': 'node\0a.js\0',
      '/proc/9/environ': 'REDLINE_RUN=r1\0',
    };
    const fs = {
      readFile: (path: string) => {
        reads.push(path);
        return table[path];
      },
      readdir: () => ['9'],
    };
    const platform = createLinuxPlatform({ fs, pageSize: 4096, kill: () => undefined, totalMemoryBytes: () => 1 });
    await platform.listProcesses(['REDLINE_RUN']);
    await platform.listProcesses(['REDLINE_RUN']);
    expect(reads.filter((p) => p === '/proc/9/environ')).toHaveLength(1);
    // The same pid, exec'd into something else: read again.
    table['/proc/9/stat'] = stat(9, 'sleep', 'S', 1, 9);
    table['/proc/9/environ'] = 'REDLINE_RUN=r2\0';
    const [p] = await platform.listProcesses(['REDLINE_RUN']);
    expect(reads.filter((p2) => p2 === '/proc/9/environ')).toHaveLength(2);
    expect(p?.markers).toEqual({ REDLINE_RUN: 'r2' });
  });
});

describe('rescans read the stat of unrelated processes only now and then', () => {
  it('re-reads this process, marked processes and their descendants every time, others every tenth rescan', async () => {
    const reads: string[] = [];
    const table: Record<string, string> = {
      '/proc/self/stat': stat(50, 'node', 'S', 1, 50),
      '/proc/50/stat': stat(50, 'node', 'S', 1, 50),
      '/proc/50/cmdline': 'node\0runner.js\0',
      '/proc/60/stat': stat(60, 'node', 'S', 50, 60), // a worker: a child of this process
      '/proc/60/cmdline': 'node\0worker.js\0',
      '/proc/70/stat': stat(70, 'sleep', 'S', 1, 70), // re-parented to init, but marked
      '/proc/70/cmdline': 'sleep\x00100\x00',
      '/proc/70/environ': 'REDLINE_RUN=r1\0',
      '/proc/80/stat': stat(80, 'sh', 'S', 70, 70), // its child, environment cleared
      '/proc/80/cmdline': 'sh\0',
      '/proc/80/environ': '',
      '/proc/90/stat': stat(90, 'editor', 'S', 1, 90), // someone else's
      '/proc/90/cmdline': 'editor\0',
      '/proc/90/environ': 'HOME=/root\0',
    };
    const pids = ['50', '60', '70', '80', '90'];
    const fs = {
      readFile: (path: string) => {
        reads.push(path);
        return table[path];
      },
      readdir: () => pids,
    };
    const platform = createLinuxPlatform({ fs, pageSize: 4096, kill: () => undefined, totalMemoryBytes: () => 1 });
    const statReads = (pid: number): number => reads.filter((p) => p === `/proc/${pid}/stat`).length;
    const first = await platform.listProcesses(['REDLINE_RUN']);
    expect(first.map((p) => p.pid)).toEqual([50, 60, 70, 80, 90]);
    for (let i = 0; i < 9; i++) await platform.listProcesses(['REDLINE_RUN']);
    expect([50, 60, 70, 80].map(statReads)).toEqual([10, 10, 10, 10]);
    expect(statReads(90)).toBe(1);
    // A new pid, a child of the worker, is read at once; the unrelated one keeps its figures.
    table['/proc/61/stat'] = stat(61, 'node', 'S', 60, 60);
    table['/proc/61/cmdline'] = 'node\0child.js\0';
    pids.push('61');
    const eleventh = await platform.listProcesses(['REDLINE_RUN']);
    expect(eleventh.find((p) => p.pid === 61)).toMatchObject({ ppid: 60, pgid: 60 });
    expect(eleventh.find((p) => p.pid === 90)).toEqual({ pid: 90, ppid: 1, pgid: 90, command: 'editor', markers: {} });
    // The tenth rescan after the first reads everything again.
    expect(statReads(90)).toBe(2);
    await platform.listProcesses(['REDLINE_RUN']);
    expect(statReads(90)).toBe(2);
    expect(statReads(61)).toBe(2);
  });
});

describe('kernel threads', () => {
  it('are known by their start time alone: a kworker that renames itself is not read again, and nothing but its stat is read', async () => {
    const reads: string[] = [];
    const table: Record<string, string> = {
      '/proc/self/stat': stat(50, 'node', 'S', 1, 50),
      '/proc/2/stat': stat(2, 'kthreadd', 'S', 0, 0),
      '/proc/10/stat': stat(10, 'kworker/0:1-events', 'I', 2, 0),
    };
    const fs = {
      readFile: (path: string) => {
        reads.push(path);
        return table[path];
      },
      readdir: () => ['2', '10'],
    };
    const platform = createLinuxPlatform({ fs, pageSize: 4096, kill: () => undefined, totalMemoryBytes: () => 1 });
    const [, kworker] = await platform.listProcesses(['REDLINE_RUN']);
    expect(kworker).toEqual({ pid: 10, ppid: 2, pgid: 0, command: 'kworker/0:1-events', markers: {} });
    table['/proc/10/stat'] = stat(10, 'kworker/0:1-mm_percpu_wq', 'I', 2, 0);
    for (let i = 0; i < 10; i++) await platform.listProcesses(['REDLINE_RUN']);
    expect(reads.filter((p) => !p.endsWith('/stat'))).toEqual([]);
    // Not re-read between full rescans: 1 + the full one.
    expect(reads.filter((p) => p === '/proc/10/stat')).toHaveLength(2);
  });
});
