#!/usr/bin/env node
// The memory guard's hot path on Linux, measured on the real code: src/runner/platform/linux.ts is
// bundled on the fly (esbuild, in memory) and driven the way src/runner/memory-guard.ts drives it
// while a run is idle — sampleRss of 4 processes at 10 Hz (a runner, helpers and a worker), and a
// rescan of the process table (listProcesses with the run's marker names) at 1 Hz. The 4
// processes carry the run marker, as a run's do, so every rescan reads them afresh. Prints one
// JSON line: the CPU this process spent, as a percentage of one core over the wall time.
// bench/run.mjs runs it; it can also run alone.
//
//   node bench/sampler-cost.mjs [--seconds 10] [--baseline]
//
// --baseline keeps the same timers but reads nothing: the floor of an idle Node process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const seconds = Number(args.includes('--seconds') ? args[args.indexOf('--seconds') + 1] : 10);
const baseline = args.includes('--baseline');
if (!(seconds > 0)) {
  console.error('usage: node bench/sampler-cost.mjs [--seconds S] [--baseline]');
  process.exit(3);
}

const SAMPLE_MS = 100; // 10 Hz, the default memory.sampleIntervalMs
const RESCAN_MS = 1000; // memory-guard.ts RESCAN_MS
// The marker names memory-guard.ts asks listProcesses for (src/protocol/probe-env.ts).
const MARKERS = ['REDLINE_RUN', 'REDLINE_WORKER_PID', 'REDLINE_WORKER_FILE'];

const built = await esbuild.build({
  entryPoints: [join(ROOT, 'src', 'runner', 'platform', 'linux.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
  logLevel: 'error',
});
const tmp = mkdtempSync(join(tmpdir(), 'redline-sampler-'));
const modulePath = join(tmp, 'linux.mjs');
writeFileSync(modulePath, built.outputFiles[0].text);
const { createLinuxPlatform } = await import(pathToFileURL(modulePath).href);
rmSync(tmp, { recursive: true, force: true });
const platform = createLinuxPlatform();

const targets = Array.from({ length: 4 }, () =>
  spawn('sleep', [String(Math.ceil(seconds) + 30)], { stdio: 'ignore', env: { ...process.env, REDLINE_RUN: 'sampler-bench' } }),
);
const pids = targets.map((c) => c.pid);

let samples = 0;
let scans = 0;
let listed = 0;
let rssBytes = 0; // summed so the reads cannot be optimised away

async function sample() {
  samples++;
  if (baseline) return;
  for (const v of (await platform.sampleRss(pids)).values()) rssBytes += v;
}

async function rescan() {
  scans++;
  if (baseline) return;
  listed += (await platform.listProcesses(MARKERS)).length;
}

// Let the spawns settle, and the first (full) rescan happen, before the clock starts.
await new Promise((r) => setTimeout(r, 200));
if (!baseline) await platform.listProcesses(MARKERS);
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
  processesPerScan: scans > 0 && !baseline ? Math.round(listed / scans) : 0,
  machineProcesses: readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length,
  sawRss: rssBytes > 0,
}));
