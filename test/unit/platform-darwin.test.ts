import { describe, expect, it } from 'vitest';
import type { PidusageFn } from '../../src/runner/platform/darwin';
import { createDarwinPlatform, parsePsOutput, sampleRssWithPidusage } from '../../src/runner/platform/darwin';

const PS = [
  '    1     0     1 /sbin/launchd',
  '  321     1   321 /Applications/Visual Studio Code.app/Contents/MacOS/Electron --type=utility',
  ' 4000   321  4000 node /Users/me/My Project/node_modules/.bin/vitest run --pool forks',
  ' 4001  4000  4000 node  two  spaces (and) parens',
  ' 4002  4000  4000 ',
  'garbage line',
  '',
].join('\n');

// A fake pidusage: rejects a batch that holds a dead pid, as the real one does.
function fakePidusage(memory: Record<number, number>): { usage: PidusageFn; calls: number[][] } {
  const calls: number[][] = [];
  const usage: PidusageFn = async (pids) => {
    calls.push([...pids]);
    const out: Record<string, { memory: number }> = {};
    for (const pid of pids) {
      const bytes = memory[pid];
      if (bytes === undefined) throw new Error('No matching pid found');
      out[String(pid)] = { memory: bytes };
    }
    return out;
  };
  return { usage, calls };
}

describe('parsePsOutput', () => {
  it('parses pid, ppid, pgid and a command with spaces, skipping what does not parse', () => {
    const table = parsePsOutput(PS);
    expect(table.map((p) => p.pid)).toEqual([1, 321, 4000, 4001, 4002]);
    expect(table[2]).toEqual({
      pid: 4000,
      ppid: 321,
      pgid: 4000,
      command: 'node /Users/me/My Project/node_modules/.bin/vitest run --pool forks',
    });
    expect(table[3]?.command).toBe('node  two  spaces (and) parens');
    expect(table[4]?.command).toBe('');
    expect(table.every((p) => p.markers === undefined)).toBe(true);
  });

  it('accepts CRLF line ends', () => {
    expect(parsePsOutput('  5  1  5 a b\r\n')).toEqual([{ pid: 5, ppid: 1, pgid: 5, command: 'a b' }]);
  });
});

describe('createDarwinPlatform', () => {
  it('runs ps once with the agreed columns', async () => {
    const calls: [string, readonly string[]][] = [];
    const platform = createDarwinPlatform({
      exec: async (file, args) => {
        calls.push([file, args]);
        return PS;
      },
    });
    expect((await platform.listProcesses(['REDLINE_RUN'])).length).toBe(5);
    expect(calls).toEqual([['ps', ['-axo', 'pid=,ppid=,pgid=,command=']]]);
  });

  it('samples RSS in one pidusage call when every pid is alive', async () => {
    const { usage, calls } = fakePidusage({ 10: 1000, 11: 2000 });
    const platform = createDarwinPlatform({ pidusage: usage });
    expect([...(await platform.sampleRss([10, 11]))]).toEqual([
      [10, 1000],
      [11, 2000],
    ]);
    expect(calls).toEqual([[10, 11]]);
  });

  it('falls back to one pid at a time when a pid has died, dropping it', async () => {
    const { usage, calls } = fakePidusage({ 10: 1000, 12: 3000 });
    const rss = await sampleRssWithPidusage(usage, [10, 11, 12, 10]);
    expect([...rss].sort()).toEqual([
      [10, 1000],
      [12, 3000],
    ]);
    expect(calls).toEqual([[10, 11, 12], [10], [11], [12]]);
  });

  it('does not call pidusage for no pids', async () => {
    const { usage, calls } = fakePidusage({});
    expect((await sampleRssWithPidusage(usage, [])).size).toBe(0);
    expect(calls).toEqual([]);
  });

  it('has no peak figure', async () => {
    expect(await createDarwinPlatform({ pidusage: fakePidusage({}).usage }).peakRss(1)).toBeUndefined();
  });

  it('signals with POSIX kill and refuses its own group once it has seen it', async () => {
    const calls: [number, string | 0][] = [];
    const platform = createDarwinPlatform({
      exec: async () => PS,
      selfPid: 4001,
      kill: (pid, signal) => {
        calls.push([pid, signal]);
        if (pid === 77 || pid === -77) throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
      },
    });
    expect(platform.signal(4002, 'SIGTERM')).toBe(true);
    expect(platform.signal(77, 'SIGKILL')).toBe(false);
    expect(platform.signalGroup(321, 'SIGKILL')).toBe(true);
    expect(platform.signalGroup(77, 'SIGKILL')).toBe(false);
    await platform.listProcesses([]);
    expect(platform.signalGroup(4000, 'SIGKILL')).toBe(false);
    expect(platform.isAlive(4002)).toBe(true);
    expect(platform.isAlive(77)).toBe(false);
    expect(calls).toEqual([
      [4002, 'SIGTERM'],
      [77, 'SIGKILL'],
      [-321, 'SIGKILL'],
      [-77, 'SIGKILL'],
      [4002, 0],
      [77, 0],
    ]);
  });
});
