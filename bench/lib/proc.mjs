// /proc readings shared by the benches: process table, trees, RSS, CPU ticks, machine load.
// Linux only, read directly (no ps), so the measuring costs little next to what it measures.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export function getconf(name, fallback) {
  try {
    const v = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isInteger(v) && v > 0 ? v : fallback;
  } catch {
    return fallback;
  }
}

export const PAGE = getconf('PAGESIZE', 4096);
export const CLK_TCK = getconf('CLK_TCK', 100);

export function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Fields of /proc/<pid>/stat after the comm (which may hold spaces and parentheses). */
export function parseStat(text) {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] state, f[1] ppid, f[2] pgrp, f[11] utime, f[12] stime, f[13] cutime, f[14] cstime, f[19] starttime
  return {
    state: f[0],
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
    start: Number(f[19]),
  };
}

/** pid → parsed stat, for every process. */
export function procTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const text = readText(`/proc/${name}/stat`);
    const stat = text && parseStat(text);
    if (stat) table.set(Number(name), stat);
  }
  return table;
}

/** The process tree under root (root included), from the ppid links of the table. */
export function treeOf(table, root) {
  const children = new Map();
  for (const [pid, s] of table) {
    let list = children.get(s.ppid);
    if (!list) children.set(s.ppid, (list = []));
    list.push(pid);
  }
  const tree = [];
  if (!table.has(root)) return tree;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop();
    tree.push(pid);
    for (const c of children.get(pid) ?? []) queue.push(c);
  }
  return tree;
}

export function rssOf(pid) {
  const text = readText(`/proc/${pid}/statm`);
  return text ? Number(text.split(' ')[1]) * PAGE : 0;
}

export function cmdlineOf(pid) {
  return (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export function machineTicks() {
  const line = (readText('/proc/stat') ?? '').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total };
}
