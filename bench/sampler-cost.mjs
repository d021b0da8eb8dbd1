#!/usr/bin/env node
// The memory guard's hot path on Linux, replicated without importing anything from src/: read
// /proc/<pid>/statm of 4 processes at 10 Hz, and rescan the process table (readdir /proc, then
// every process's stat, cmdline and environ, as src/runner/platform/linux.ts listProcesses does) at
// 2 Hz — what src/runner/memory-guard.ts does while a run is idle. Prints one JSON line: the CPU this process spent on it, as a
// percentage of one core over the wall time. bench/run.mjs runs it; it can also run alone.
//
//   node bench/sampler-cost.mjs [--seconds 10] [--baseline]
//
// --baseline keeps the same timers but reads nothing: the floor of an idle Node process.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const args = process.argv.slice(2);
const seconds = Number(args.includes('--seconds') ? args[args.indexOf('--seconds') + 1] : 10);
const baseline = args.includes('--baseline');
if (!(seconds > 0)) {
  console.error('usage: node bench/sampler-cost.mjs [--seconds S] [--baseline]');
  process.exit(3);
}

const SAMPLE_MS = 100; // 10 Hz
const RESCAN_MS = 500; // 2 Hz

// Four processes to sample, as a run with one worker has a runner, Vitest helpers and a worker.
const targets = Array.from({ length: 4 }, () => spawn('sleep', [String(Math.ceil(seconds) + 30)], { stdio: 'ignore' }));
const pids = targets.map((c) => c.pid);

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone, or another user's environ: nothing to read
  }
}

let samples = 0;
let scans = 0;
let scanned = 0;
let rssPages = 0; // summed so the reads cannot be optimised away

function sample() {
  samples++;
  if (baseline) return;
  for (const pid of pids) {
    const statm = read(`/proc/${pid}/statm`);
    if (statm) rssPages += Number(statm.split(' ')[1]);
  }
}

function rescan() {
  scans++;
  if (baseline) return;
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const stat = read(`/proc/${name}/stat`);
    if (stat === undefined) continue;
    scanned++;
    read(`/proc/${name}/cmdline`);
    const environ = read(`/proc/${name}/environ`);
    if (environ) environ.indexOf('REDLINE_RUN=');
  }
}

// Let the spawns settle before the clock starts.
await new Promise((r) => setTimeout(r, 200));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const sampler = setInterval(sample, SAMPLE_MS);
const scanner = setInterval(rescan, RESCAN_MS);
await new Promise((r) => setTimeout(r, seconds * 1000));
clearInterval(sampler);
clearInterval(scanner);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
for (const c of targets) c.kill('SIGKILL');

const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify({
  mode: baseline ? 'baseline' : 'sampler',
  wallMs: Math.round(wallMs),
  userMs: Math.round(cpu.user / 1000),
  systemMs: Math.round(cpu.system / 1000),
  cpuPercentOfCore: Number(((cpuMs / wallMs) * 100).toFixed(3)),
  samples,
  scans,
  processesPerScan: scans > 0 ? Math.round(scanned / scans) : 0,
  sawRss: rssPages > 0,
}));
