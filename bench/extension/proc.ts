// /proc readings for the extension bench: which process is code-server's extension host, which
// is Redline's runner and what runs below it, and their resident memory, sampled at 10 Hz.
import { loadavg } from 'node:os';
import { CLK_TCK, cmdlineOf, machineTicks, procTable, rssOf, treeOf as treeOfTable, type Stat } from '../lib/proc.mjs';

export const MB = 1024 * 1024;

/** pid → stat of every live process (zombies left out). */
export function processTable(): Map<number, Stat> {
  const table = procTable();
  for (const [pid, s] of table) if (s.state === 'Z' || s.state === 'X') table.delete(pid);
  return table;
}

/** `root` and every process below it. */
export const treeOf: (table: Map<number, Stat>, root: number) => number[] = treeOfTable;
export const cmdline: (pid: number) => string = cmdlineOf;
/** Resident set size in bytes; 0 for a process that is gone. */
export const rss: (pid: number) => number = rssOf;

export function load(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

export interface Roles {
  /** The extension host this window's Redline runs in. */
  readonly extHost?: number;
  /** Redline's runner (dist/runner.js), a child of the extension host. */
  readonly runner?: number;
  /** The runner and everything below it (Vitest's workers, the tests' children). */
  readonly tree: readonly number[];
}

/** The extension host (`--type=extensionHost`) and Redline's runner below code-server `serverPid`. */
export function roles(serverPid: number, table = processTable()): Roles {
  const below = treeOf(table, serverPid);
  const hosts = below.filter((pid) => cmdline(pid).includes('--type=extensionHost'));
  const runner = below.find((pid) => /redline\.redline-[^/]*\/dist\/runner\.js/.test(cmdline(pid)) || cmdline(pid).endsWith('dist/runner.js'));
  // With a runner, its extension host; else the newest extension host (a reloaded window leaves
  // the old one behind for a while).
  let extHost = runner !== undefined ? hosts.find((h) => treeOf(table, h).includes(runner)) : undefined;
  extHost ??= [...hosts].sort((a, b) => (table.get(b)?.start ?? 0) - (table.get(a)?.start ?? 0))[0];
  return { extHost, runner, tree: runner !== undefined ? treeOf(table, runner) : [] };
}

export interface MemorySample {
  readonly t: number;
  readonly extHost: number;
  readonly runner: number;
  readonly tree: number;
  readonly treeProcesses: number;
}

/**
 * Samples the extension host's, the runner's and the runner tree's RSS every 100 ms. The process
 * table is walked every second tick (5 Hz) and whenever a known process is gone, so the sampling
 * itself costs little next to what it measures.
 */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;
  private current: Roles = { tree: [] };

  constructor(private readonly serverPid: number, private readonly intervalMs = 100) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get roles(): Roles {
    return this.current;
  }

  /** Samples taken in [from, to). */
  between(from: number, to: number): MemorySample[] {
    return this.samples.filter((s) => s.t >= from && s.t < to);
  }

  private sample(): void {
    if (this.tick++ % 2 === 0 || this.current.extHost === undefined) this.current = roles(this.serverPid);
    let extHost = this.current.extHost !== undefined ? rss(this.current.extHost) : 0;
    if (extHost === 0 && this.current.extHost !== undefined) {
      this.current = roles(this.serverPid);
      extHost = this.current.extHost !== undefined ? rss(this.current.extHost) : 0;
    }
    let tree = 0;
    let alive = 0;
    for (const pid of this.current.tree) {
      const r = rss(pid);
      if (r > 0) alive++;
      tree += r;
    }
    const runner = this.current.runner !== undefined ? rss(this.current.runner) : 0;
    this.samples.push({ t: Date.now(), extHost, runner, tree, treeProcesses: alive });
  }
}

/** CPU seconds so far of the processes the bench watches, by role. */
export interface CpuReading {
  readonly at: number;
  /** Per role: live processes' own ticks; the runner's also counts its reaped children (Vitest's workers). */
  readonly seconds: Record<'extHost' | 'runnerTree' | 'codeServerRest' | 'chromium' | 'bench', number>;
  readonly machineBusy: number;
  readonly machineTotal: number;
}

/**
 * A CPU reading: the extension host, the runner's tree (with the workers it reaped), the rest
 * of code-server's tree, and Chromium (the bench's own children running chromium). A process
 * that ends between two readings takes its ticks with it unless its parent reaped it (the
 * runner's workers are).
 */
export function cpuReading(serverPid: number, benchPid: number): CpuReading {
  const table = processTable();
  const r = roles(serverPid, table);
  const sum = (pids: Iterable<number>, withChildren = false): number => {
    let n = 0;
    for (const pid of pids) {
      const s = table.get(pid);
      if (s) n += s.cpuTicks + (withChildren ? s.childTicks : 0);
    }
    return n;
  };
  const runnerTree = r.tree.length ? sum(r.tree.slice(0, 1), true) + sum(r.tree.slice(1)) : 0;
  const extHost = r.extHost !== undefined ? sum([r.extHost]) : 0;
  const server = treeOf(table, serverPid);
  const inRunner = new Set(r.tree);
  const codeServerRest = sum(server.filter((pid) => pid !== r.extHost && !inRunner.has(pid)));
  const mine = treeOf(table, benchPid).filter((pid) => pid !== benchPid);
  const chromium = sum(mine.filter((pid) => cmdline(pid).includes('chromium')));
  const bench = sum([benchPid]);
  const m = machineTicks();
  const sec = (ticks: number): number => ticks / CLK_TCK;
  return {
    at: Date.now(),
    seconds: { extHost: sec(extHost), runnerTree: sec(runnerTree), codeServerRest: sec(codeServerRest), chromium: sec(chromium), bench: sec(bench) },
    machineBusy: sec(m.busy),
    machineTotal: sec(m.total),
  };
}

/** Cores used by each role between two readings, and by everything else on the machine. */
export function coresBetween(a: CpuReading, b: CpuReading): Record<string, number> {
  const wall = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  let ours = 0;
  for (const key of Object.keys(a.seconds) as Array<keyof CpuReading['seconds']>) {
    const used = b.seconds[key] - a.seconds[key];
    out[key] = used / wall;
    ours += used;
  }
  out.machine = (b.machineBusy - a.machineBusy) / wall;
  out.other = Math.max(0, (b.machineBusy - a.machineBusy - ours) / wall);
  return out;
}
