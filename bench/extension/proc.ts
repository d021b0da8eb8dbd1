// /proc readings for the extension bench: which process is code-server's extension host, which
// is Redline's runner and what runs below it, and their resident memory, sampled at 10 Hz.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const PAGE = (() => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
})();

export const MB = 1024 * 1024;

interface Stat {
  readonly ppid: number;
  readonly state: string;
  readonly start: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function stat(pid: number): Stat | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return undefined;
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: f[0] ?? '?', ppid: Number(f[1]), start: Number(f[19]) };
}

/** pid → stat of every live process (zombies left out). */
export function processTable(): Map<number, Stat> {
  const table = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const s = stat(Number(name));
    if (s && s.state !== 'Z' && s.state !== 'X') table.set(Number(name), s);
  }
  return table;
}

/** `root` and every process below it. */
export function treeOf(table: Map<number, Stat>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, s] of table) {
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  if (!table.has(root)) return [];
  const out: number[] = [];
  const stack = [root];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function cmdline(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
}

/** Resident set size in bytes; 0 for a process that is gone. */
export function rss(pid: number): number {
  const text = read(`/proc/${pid}/statm`);
  return text ? Number(text.split(' ')[1]) * PAGE : 0;
}

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
