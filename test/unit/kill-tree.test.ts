import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../src/core/process-table';
import type { Platform, StopSignal } from '../../src/runner/platform/platform';
import { stopGroup, stopProcesses } from '../../src/runner/kill-tree';

interface FakeProcess extends ProcessInfo {
  /** Whether TERM ends it (after `termDelayMs`); a stubborn one only dies of KILL. */
  readonly obeysTerm: boolean;
  readonly termDelayMs?: number;
}

// A fake OS: processes die of KILL at once, of TERM after a delay or never; group signals reach
// every member of the group (POSIX) or the process and its descendants (win32).
function fakePlatform(processes: FakeProcess[], name: Platform['name'] = 'linux') {
  const alive = new Map(processes.map((p) => [p.pid, p]));
  const sent: { pid: number; signal: StopSignal; at: number; group?: true }[] = [];
  const start = Date.now();
  const deliver = (pid: number, signal: StopSignal): void => {
    const p = alive.get(pid);
    if (!p) return;
    if (signal === 'SIGKILL') alive.delete(pid);
    else if (p.obeysTerm) setTimeout(() => alive.delete(pid), p.termDelayMs ?? 0);
  };
  const members = (pgid: number): number[] =>
    name === 'win32'
      ? [...alive.values()].filter((p) => p.pid === pgid || p.ppid === pgid).map((p) => p.pid)
      : [...alive.values()].filter((p) => p.pgid === pgid).map((p) => p.pid);
  const platform: Platform = {
    name,
    listProcesses: async () => [...alive.values()],
    sampleRss: async () => new Map(),
    peakRss: async () => undefined,
    signal(pid, signal) {
      sent.push({ pid, signal, at: Date.now() - start });
      const was = alive.has(pid);
      deliver(pid, signal);
      return was;
    },
    signalGroup(pgid, signal) {
      sent.push({ pid: pgid, signal, at: Date.now() - start, group: true });
      const targets = members(pgid);
      for (const pid of targets) deliver(pid, signal);
      return targets.length > 0;
    },
    isAlive: (pid) => alive.has(pid),
    totalMemoryBytes: () => 1 << 30,
  };
  return { platform, sent, alive };
}

const proc = (pid: number, obeysTerm: boolean, termDelayMs = 0, pgid = 10, ppid = 1): FakeProcess => ({
  pid,
  ppid,
  pgid,
  command: `p${pid}`,
  obeysTerm,
  termDelayMs,
});

describe('stopProcesses', () => {
  it('sends TERM, waits the grace, then KILLs only the survivor', async () => {
    const { platform, sent, alive } = fakePlatform([proc(1, true, 30), proc(2, false), proc(3, true)]);
    const result = await stopProcesses(platform, [1, 2, 3, 99], { graceMs: 300 });
    expect(result.killed).toEqual([1, 2, 3]);
    expect(result.forced).toEqual([2]);
    expect(alive.size).toBe(0);
    expect(sent.map((s) => `${s.signal}:${s.pid}`)).toEqual(['SIGTERM:1', 'SIGTERM:2', 'SIGTERM:3', 'SIGKILL:2']);
    const kill = sent.find((s) => s.signal === 'SIGKILL');
    expect(kill?.at).toBeGreaterThanOrEqual(250);
    expect(kill?.at).toBeLessThan(3000);
  });

  it('returns as soon as all are gone, without KILL', async () => {
    const { platform, sent } = fakePlatform([proc(1, true, 20), proc(2, true)]);
    const started = Date.now();
    const result = await stopProcesses(platform, [1, 2], { graceMs: 5000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toEqual({ killed: [1, 2], forced: [] });
    expect(sent.every((s) => s.signal === 'SIGTERM')).toBe(true);
  });

  it('KILLs at once when asked, with no TERM and no wait', async () => {
    const { platform, sent, alive } = fakePlatform([proc(1, false), proc(2, true)]);
    const result = await stopProcesses(platform, [1, 2], { graceMs: 10_000, signal: 'SIGKILL' });
    expect(result.killed).toEqual([1, 2]);
    expect(alive.size).toBe(0);
    expect(sent.map((s) => `${s.signal}:${s.pid}`)).toEqual(['SIGKILL:1', 'SIGKILL:2']);
    expect(Math.max(...sent.map((s) => s.at))).toBeLessThan(1000);
  });

  it('does nothing for pids that are already gone', async () => {
    const { platform, sent } = fakePlatform([]);
    expect(await stopProcesses(platform, [5, 6], { graceMs: 100 })).toEqual({ killed: [], forced: [] });
    expect(sent).toEqual([]);
  });
});

describe('stopGroup', () => {
  it('TERMs the group, then KILLs it when a member outlives the grace', async () => {
    const { platform, sent, alive } = fakePlatform([proc(10, true), proc(11, false), proc(20, false, 0, 20)]);
    const result = await stopGroup(platform, 10, 200);
    expect(result).toEqual({ killed: [10, 11], forced: [11] });
    expect([...alive.keys()]).toEqual([20]);
    expect(sent.map((s) => `${s.signal}:${s.pid}`)).toEqual(['SIGTERM:10', 'SIGKILL:10']);
    expect(sent.every((s) => s.group)).toBe(true);
    expect(sent[1]?.at).toBeGreaterThanOrEqual(150);
  });

  it('KILLs the group at once when asked', async () => {
    const { platform, sent, alive } = fakePlatform([proc(10, true), proc(11, false)]);
    const result = await stopGroup(platform, 10, 10_000, { signal: 'SIGKILL' });
    expect(result.killed).toEqual([10, 11]);
    expect(alive.size).toBe(0);
    expect(sent.map((s) => `${s.signal}:${s.pid}`)).toEqual(['SIGKILL:10']);
  });

  it('on Windows takes the process and its descendants, and spawns no second taskkill when all are gone', async () => {
    const { platform, sent } = fakePlatform([proc(10, true, 0, 0), proc(11, true, 0, 0, 10), proc(12, true, 0, 0)], 'win32');
    const result = await stopGroup(platform, 10, 1000);
    expect(result).toEqual({ killed: [10, 11], forced: [] });
    expect(sent.map((s) => `${s.signal}:${s.pid}`)).toEqual(['SIGTERM:10']);
  });
});
