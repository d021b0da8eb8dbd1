#!/usr/bin/env node
// Redline against plain Vitest, in one run (`npm run bench` builds first, then runs this):
//
//   node bench/run.mjs [--quick] [--only NAME[,NAME…]]… [--heap-pairs N] [--dist DIR]
//
// --quick: fewer repetitions (a check that everything works, not figures to quote).
// --heap-pairs: Redline/plain-Vitest pairs on the heap runaway (default 1: plain Vitest takes
// about a minute to die of it, and the full bench should stay near 10 minutes).
// --dist: run Redline from this build (`node esbuild.mjs --outdir DIR`) instead of dist/.
//
// Sections (names for --only):
//   all-pass      wall time and peak tree memory on test/fixtures/all-pass
//   suite         the same on a generated 200-file suite (bench/gen-suite.mjs, in a temp dir)
//   sampler-cpu   the guard's platform code (src/runner/platform/linux.ts) driven by bench/sampler-cost.mjs: CPU % of one core
//   idle-cpu      the real runner idle (bench/fixtures/idle) vs plain Vitest's main process
//   runaway       Redline on the Buffer runaways (test/fixtures/runaway-sync, runaway) at 1024 MB
//   heap-runaway  bench/fixtures/heap-runaway: plain Vitest's time to die vs Redline's stop
//
// Redline and plain Vitest runs alternate (A B A B …) so machine noise hits both alike; the
// table shows medians. Every measured command is spawned in a process group of its own and
// watched from here: every 50 ms a sampler sums the RSS (/proc/<pid>/statm × page size) of the
// command's process tree (found by walking the ppid of every /proc/<pid>/stat), and a watchdog
// kills every process group of the tree (SIGKILL) past 6 GB of tree RSS or a time limit.
// The Buffer-based runaways never run under plain Vitest: Buffers live outside the V8 heap, so
// nothing would stop them short of the machine.
//
// Writes bench/results/latest.json (every run, raw) and bench/results/latest.md (the table).
// Linux only (/proc).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getconf, PAGE, CLK_TCK, readText, parseStat, procTable, treeOf, rssOf, cmdlineOf, machineTicks } from './lib/proc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// --dist DIR (a build made with `node esbuild.mjs --outdir DIR`) replaces dist/: the bench can
// measure one build while the tree is edited and rebuilt.
const distArg = process.argv.indexOf('--dist');
const CLI = join(distArg > 0 ? resolve(process.argv[distArg + 1] ?? 'dist') : join(ROOT, 'dist'), 'cli.js');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const RESULTS = join(ROOT, 'bench', 'results');
const NODE = process.execPath;
const MB = 1024 * 1024;
const GB = 1024 * MB;

const SECTIONS = ['all-pass', 'suite', 'sampler-cpu', 'idle-cpu', 'runaway', 'heap-runaway'];
const SAMPLE_MS = 50;
const WATCHDOG_RSS = 6 * GB;
const IDLE_TEST_MS = 11_000; // the idle test's wait
const IDLE_WINDOW_MS = 10_000; // measured inside it, starting 500 ms after the wait began

// ---------------------------------------------------------------------------------------------
// Options

function usage(message) {
  if (message) console.error(`bench: ${message}`);
  console.error(`usage: node bench/run.mjs [--quick] [--only ${SECTIONS.join('|')}[,…]] [--heap-pairs N] [--dist DIR]`);
  process.exit(3);
}

function parseArgs(argv) {
  const opts = { quick: false, only: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) usage('--only needs a section name');
      for (const name of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!SECTIONS.includes(name)) usage(`unknown section "${name}"`);
        opts.only.add(name);
      }
    } else if (arg === '--heap-pairs') {
      opts.heapPairs = Number(argv[++i]);
      if (!Number.isInteger(opts.heapPairs) || opts.heapPairs < 1) usage('--heap-pairs needs a positive integer');
    } else if (arg === '--dist') {
      if (!argv[++i]) usage('--dist needs a directory');
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// /proc


const OWN_PGID = parseStat(readText('/proc/self/stat') ?? '')?.pgid ?? process.pid;

function killGroup(pgid) {
  if (!Number.isInteger(pgid) || pgid <= 1 || pgid === OWN_PGID) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone
  }
}

function killPid(pid) {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

// ---------------------------------------------------------------------------------------------
// Running one measured command

const active = new Set(); // runs in flight, for the emergency exit

function emergencyKill() {
  for (const run of active) run.killAll();
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    emergencyKill();
    console.error(`\nbench: ${sig}, stopped every measured process`);
    process.exit(130);
  });
}
process.on('exit', emergencyKill);

/**
 * Spawns `node args…` detached, samples its tree every 50 ms, and resolves when it exits:
 * { wallMs, code, signal, peakRssBytes, peakAtMs, crossings, watchdog, stdout, stderr, treeCpuMs,
 *   outsideCores, leftovers }.
 * `watchdog.rssBytes` / `watchdog.ms`: past either, every process group of the tree is killed.
 * `crossAt`: RSS levels whose first crossing time is recorded. `onTick(ctx)` runs after each sample.
 */
function runMeasured({ args, cwd, env = {}, watchdogRss = WATCHDOG_RSS, watchdogMs = 180_000, crossAt = [], onTick, kind }) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const m0 = machineTicks();
    const cpu0 = process.cpuUsage();
    const child = spawn(NODE, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      child.once('error', reject);
      return;
    }
    const pid = child.pid;
    const out = { stdout: '', stderr: '' };
    const keep = (key) => (chunk) => {
      out[key] += chunk.toString('utf8');
      if (out[key].length > 400_000) out[key] = out[key].slice(0, 100_000) + '\n…\n' + out[key].slice(-200_000);
    };
    child.stdout.on('data', keep('stdout'));
    child.stderr.on('data', keep('stderr'));

    const seenPgids = new Set([pid]);
    let rootStart; // starttime of the root: anything of ours started at or after it
    let peak = 0;
    let peakAtMs = 0;
    let samples = 0;
    let lastTable = new Map();
    let lastTree = [];
    let treeCpuTicks = 0;
    let cpuRoles; // CPU ticks by role, from the last sample that saw them all
    let watchdog;
    const crossings = crossAt.map((bytes) => ({ bytes, atMs: undefined }));

    const run = {
      killAll() {
        for (const g of seenPgids) killGroup(g);
        for (const p of lastTree) killPid(p);
      },
    };
    active.add(run);

    const tick = () => {
      const atMs = performance.now() - t0;
      const table = procTable();
      const tree = treeOf(table, pid);
      let sum = 0;
      let ticks = 0;
      for (const p of tree) {
        sum += rssOf(p);
        const s = table.get(p);
        seenPgids.add(s.pgid);
        // A process's own CPU plus that of the children it has reaped: the tree's CPU so far.
        ticks += s.cpuTicks + s.childTicks;
      }
      if (rootStart === undefined && table.has(pid)) rootStart = table.get(pid).start;
      if (kind && tree.length > 0) cpuRoles = rolesOf(kind, table, tree, pid) ?? cpuRoles;
      if (tree.length > 0) {
        samples++;
        treeCpuTicks = Math.max(treeCpuTicks, ticks);
        lastTable = table;
        lastTree = tree;
      }
      if (sum > peak) {
        peak = sum;
        peakAtMs = atMs;
      }
      for (const c of crossings) if (c.atMs === undefined && sum >= c.bytes) c.atMs = atMs;
      if (!watchdog && (sum > watchdogRss || atMs > watchdogMs)) {
        watchdog = { reason: sum > watchdogRss ? 'rss' : 'time', atMs: Math.round(atMs), rssBytes: sum };
        console.error(`  ! watchdog: ${watchdog.reason === 'rss' ? `tree RSS ${fmtBytes(sum)}` : `${Math.round(atMs / 1000)} s`} — killing the process groups ${[...seenPgids].join(', ')}`);
        run.killAll();
      }
      onTick?.({ pid, atMs, table, tree, rssBytes: sum });
    };
    const timer = setInterval(tick, SAMPLE_MS);
    tick();

    child.once('exit', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearInterval(timer);
      const m1 = machineTicks();
      const cpu = process.cpuUsage(cpu0);
      // What is left of the run: processes in a group it used, started after it began.
      const table = procTable();
      const leftovers = [];
      for (const [p, s] of table) {
        if (s.state === 'Z' || !seenPgids.has(s.pgid) || s.pgid === OWN_PGID) continue;
        if (rootStart !== undefined && s.start < rootStart) continue;
        leftovers.push({ pid: p, command: cmdlineOf(p).slice(0, 200) });
      }
      for (const g of seenPgids) if (leftovers.length > 0) killGroup(g);
      active.delete(run);
      // Machine CPU outside this run and the bench itself: how noisy the neighbourhood was.
      const machineCores = m1.total > m0.total ? ((m1.busy - m0.busy) / (m1.total - m0.total)) * cpus().length : 0;
      const treeCores = (treeCpuTicks / CLK_TCK) * 1000 / wallMs;
      const benchCores = (cpu.user + cpu.system) / 1000 / wallMs;
      outsideLoads.push(Math.max(0, machineCores - treeCores - benchCores));
      const finish = () =>
        resolvePromise({
          wallMs,
          code,
          signal,
          samples,
          peakRssBytes: peak,
          peakAtMs,
          crossings,
          watchdog,
          treeCpuMs: Math.round((treeCpuTicks / CLK_TCK) * 1000),
          cpuMsByRole: cpuRoles && Object.fromEntries(Object.entries(cpuRoles).map(([k, t]) => [k, Math.round((t / CLK_TCK) * 1000)])),
          outsideCores: Math.max(0, machineCores - treeCores - benchCores),
          benchCores,
          leftovers,
          stdout: out.stdout,
          stderr: out.stderr,
          lastTable,
        });
      // stdio may be held open by a leftover: do not wait on it for long.
      let done = false;
      const once = () => {
        if (!done) {
          done = true;
          finish();
        }
      };
      child.once('close', once);
      setTimeout(once, 2000).unref();
    });
  });
}

/**
 * CPU ticks of a tree by role. Redline: the CLI (root), the runner (its child) and the workers
 * (everything below, live or reaped by the runner) — only while the runner is alive, so that its
 * figures are not folded into the CLI's reaped-children count. Vitest: the main process (root) and
 * the workers (everything below, live or reaped).
 */
function rolesOf(kind, table, tree, root) {
  const r = table.get(root);
  const below = (top) => {
    let t = 0;
    for (const p of treeOf(table, top)) if (p !== top) t += table.get(p).cpuTicks + table.get(p).childTicks;
    return t;
  };
  if (kind === 'vitest') return { main: r.cpuTicks, workers: r.childTicks + below(root) };
  const runner = tree.find((p) => table.get(p)?.ppid === root);
  if (runner === undefined) return undefined;
  const rs = table.get(runner);
  return { cli: r.cpuTicks, runner: rs.cpuTicks, workers: rs.childTicks + below(runner) };
}

let tmpRoot;
let reportSeq = 0;

async function runRedline(ws, { flags = [], ...rest } = {}) {
  const json = join(tmpRoot, `report-${++reportSeq}.json`);
  // --no-cache: these figures compare the guard's cost on a real run with plain Vitest; the
  // cache's own gains are measured by bench/cache-watch.mjs.
  const r = await runMeasured({ args: [CLI, 'run', '--root', ws, '--no-cache', ...flags, '--json', json], cwd: ws, kind: 'redline', ...rest });
  try {
    r.report = JSON.parse(readFileSync(json, 'utf8'));
  } catch (e) {
    r.report = undefined;
    r.reportError = String(e);
  }
  return r;
}

function runVitest(ws, rest = {}) {
  return runMeasured({ args: [VITEST, 'run', '--root', ws], cwd: ws, kind: 'vitest', ...rest });
}

// ---------------------------------------------------------------------------------------------
// Figures

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function spread(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length < 2) return undefined;
  const min = Math.min(...v);
  const max = Math.max(...v);
  const med = median(v);
  return { min, max, relative: med ? (max - min) / med : 0 };
}

function fmtBytes(b) {
  if (b === undefined) return '—';
  return b >= GB ? `${(b / GB).toFixed(2)} GB` : `${(b / MB).toFixed(0)} MB`;
}
const fmtS = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
const fmtMs = (ms) => (ms === undefined ? '—' : `${Math.round(ms)} ms`);
const fmtPct = (p, digits = 2) => (p === undefined ? '—' : `${p.toFixed(digits)} %`);
const fmtRatio = (r) => (r === undefined || !Number.isFinite(r) ? '—' : r.toFixed(3));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
/** "median (min–max)", or just the median when there is one value. */
const withRange = (med, values, fmt) => {
  const s = spread(values);
  return s ? `${fmt(med)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(med);
};
const signedPct = (p) => (p === undefined ? '—' : `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(2)} %`);
const outsideLoads = []; // other load on the machine during every measured run

const rows = []; // { measure, redline, vitest, ratio, target, ok? }
const notes = [];
const results = {};

function row(measure, redline, vitest, r, target, ok) {
  rows.push({ measure, redline, vitest, ratio: r, target, ...(ok === undefined ? {} : { ok }) });
}

function slim(run) {
  const { stdout: _o, stderr: _e, lastTable: _t, report, ...rest } = run;
  return {
    ...rest,
    wallMs: Math.round(run.wallMs),
    peakAtMs: Math.round(run.peakAtMs),
    outsideCores: Number(run.outsideCores.toFixed(2)),
    benchCores: Number(run.benchCores.toFixed(3)),
    ...(report
      ? {
          report: {
            durationMs: report.durationMs,
            summary: report.summary,
            memory: { limitBytes: report.memory.limitBytes, peakBytes: report.memory.peakBytes, tiers: report.memory.tiers },
            stopped: report.files.filter((f) => f.stopped).map((f) => ({ path: f.path, ...f.stopped })),
            states: Object.fromEntries(report.files.map((f) => [f.path, f.state])),
            orphans: report.orphans,
          },
        }
      : {}),
  };
}

function progress(label, run, extra = '') {
  const exit = run.signal ? run.signal : `exit ${run.code}`;
  console.error(`  ${label.padEnd(34)} ${fmtS(run.wallMs).padStart(8)}  peak ${fmtBytes(run.peakRssBytes).padStart(8)}  ${exit}${run.watchdog ? ` (watchdog: ${run.watchdog.reason})` : ''}${extra}`);
  if (run.leftovers.length > 0) console.error(`    left behind: ${run.leftovers.map((l) => `${l.pid} ${l.command}`).join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// 1 + 2: wall time and peak tree memory

async function wallSection(name, ws, pairs, label) {
  console.error(`\n${label}: warm-up (untimed), then ${pairs} alternating pairs`);
  const warmR = await runRedline(ws);
  progress('warm-up redline', warmR);
  const warmV = await runVitest(ws);
  progress('warm-up vitest', warmV);
  const redline = [];
  const vitest = [];
  for (let i = 0; i < pairs; i++) {
    const r = await runRedline(ws);
    progress(`pair ${i + 1} redline`, r, ` (report: peak ${fmtBytes(r.report?.memory.peakBytes)}, ${r.report?.summary.passed ?? '?'}/${r.report?.summary.files ?? '?'} files passed)`);
    redline.push(r);
    const v = await runVitest(ws);
    progress(`pair ${i + 1} vitest`, v);
    vitest.push(v);
  }
  const bad = [...redline, ...vitest].filter((r) => r.code !== 0);
  if (bad.length > 0) notes.push(`${label}: ${bad.length} run(s) did not exit 0 — the figures compare unlike runs.`);
  const leftovers = [...redline, ...vitest].flatMap((r) => r.leftovers);
  if (leftovers.length > 0) notes.push(`${label}: processes left behind after exit: ${leftovers.map((l) => l.command).join('; ')}`);

  const wallR = median(redline.map((r) => r.wallMs));
  const wallV = median(vitest.map((r) => r.wallMs));
  const wr = ratio(wallR, wallV);
  // Per-pair ratios: noise that hit one pair shows here, not in the medians.
  const pairRatios = redline.map((r, i) => r.wallMs / vitest[i].wallMs);
  row(`${label}: wall time, median of ${pairs} (min–max); ratio of medians (per pair)`, withRange(wallR, redline.map((r) => r.wallMs), fmtS), withRange(wallV, vitest.map((r) => r.wallMs), fmtS), `${fmtRatio(wr)} (${pairRatios.map((x) => x.toFixed(2)).join(' / ')})`, '≤ 1.05', wr !== undefined && wr <= 1.05);
  const memR = median(redline.map((r) => r.peakRssBytes));
  const memV = median(vitest.map((r) => r.peakRssBytes));
  row(`${label}: peak tree RSS seen from outside at 20 Hz (Redline: CLI + runner + workers), median (min–max)`, withRange(memR, redline.map((r) => r.peakRssBytes), fmtBytes), withRange(memV, vitest.map((r) => r.peakRssBytes), fmtBytes), fmtRatio(ratio(memR, memV)), '—');
  const memReport = median(redline.map((r) => r.report?.memory.peakBytes));
  row(`${label}: peak tree RSS in Redline's report (memory.peakBytes: runner + workers, no CLI)`, withRange(memReport, redline.map((r) => r.report?.memory.peakBytes), fmtBytes), '—', '—', '—');
  const cpuR = median(redline.map((r) => r.treeCpuMs));
  const cpuV = median(vitest.map((r) => r.treeCpuMs));
  row(`${label}: CPU time of the whole tree (user+sys), median`, fmtS(cpuR), fmtS(cpuV), fmtRatio(ratio(cpuR, cpuV)), '—');
  const role = (list, key) => median(list.map((r) => r.cpuMsByRole?.[key]));
  const rolesR = { cli: role(redline, 'cli'), runner: role(redline, 'runner'), workers: role(redline, 'workers') };
  const rolesV = { main: role(vitest, 'main'), workers: role(vitest, 'workers') };
  row(`${label}: … of which Redline CLI / runner (Vitest main + guard) / workers · Vitest main / workers`, `${fmtS(rolesR.cli)} / ${fmtS(rolesR.runner)} / ${fmtS(rolesR.workers)}`, `— / ${fmtS(rolesV.main)} / ${fmtS(rolesV.workers)}`, `runner/main ${fmtRatio(ratio(rolesR.runner, rolesV.main))}, workers ${fmtRatio(ratio(rolesR.workers, rolesV.workers))}`, '—');
  results[name] = {
    pairs,
    wallMs: { redline: wallR, vitest: wallV, ratio: wr, pairRatios },
    peakRssBytes: { redline: memR, vitest: memV, redlineReport: memReport },
    treeCpuMs: { redline: cpuR, vitest: cpuV, redlineByRole: rolesR, vitestByRole: rolesV },
    outsideCores: median([...redline, ...vitest].map((r) => r.outsideCores)),
    runs: { warmup: [slim(warmR), slim(warmV)], redline: redline.map(slim), vitest: vitest.map(slim) },
  };
  notes.push(`${label}: other load on the machine during these runs ≈ ${results[name].outsideCores?.toFixed(2)} cores of ${cpus().length} (median); per-pair wall ratios ${pairRatios.map((x) => x.toFixed(2)).join(', ')}.`);
  console.error(`  → wall ratio ${fmtRatio(wr)} (per pair: ${pairRatios.map(fmtRatio).join(', ')}); other load on the machine meanwhile ≈ ${results[name].outsideCores?.toFixed(2)} cores`);
}

// ---------------------------------------------------------------------------------------------
// 3a: the sampler's hot path: the real platform code, driven as the guard drives it

async function samplerCpuSection(quick) {
  const seconds = quick ? 5 : 10;
  console.error(`\nsampler CPU (bench/sampler-cost.mjs, ${seconds} s each: baseline, then sampler)`);
  const script = join(ROOT, 'bench', 'sampler-cost.mjs');
  const parse = (r) => {
    try {
      return JSON.parse(r.stdout.trim().split('\n').pop());
    } catch {
      return undefined;
    }
  };
  const base = await runMeasured({ args: [script, '--seconds', String(seconds), '--baseline'], cwd: ROOT, watchdogMs: seconds * 1000 + 30_000 });
  const baseline = parse(base);
  console.error(`  baseline (timers only)            ${fmtPct(baseline?.cpuPercentOfCore)} of a core`);
  const real = await runMeasured({ args: [script, '--seconds', String(seconds)], cwd: ROOT, watchdogMs: seconds * 1000 + 30_000 });
  const sampler = parse(real);
  console.error(`  sampleRss×4 @10 Hz + listProcesses @1 Hz ${fmtPct(sampler?.cpuPercentOfCore)} of a core (${sampler?.processesPerScan} processes per rescan)`);
  const net = sampler && baseline ? sampler.cpuPercentOfCore - baseline.cpuPercentOfCore : undefined;
  row(`sampler CPU: the guard's platform code, RSS of 4 run processes @10 Hz + process table @1 Hz (${sampler?.machineProcesses ?? '?'} processes on the machine), ${seconds} s`, `${fmtPct(sampler?.cpuPercentOfCore)} (${fmtPct(net)} above an idle Node's ${fmtPct(baseline?.cpuPercentOfCore)})`, '—', '—', '< 1 %', sampler ? sampler.cpuPercentOfCore < 1 : undefined);
  results['sampler-cpu'] = { seconds, baseline, sampler, netPercent: net };
}

// ---------------------------------------------------------------------------------------------
// 3b: the real runner, idle, against plain Vitest's main process

async function idleRun(kind, ws) {
  const mark = join(tmpRoot, `idle-mark-${++reportSeq}`);
  let markSeenAt;
  let before;
  let after;
  let rootPid;
  const snapshot = (table, tree) => new Map(tree.map((p) => [p, table.get(p)?.cpuTicks ?? 0]));
  const onTick = ({ pid, atMs, table, tree }) => {
    rootPid = pid;
    if (markSeenAt === undefined && existsSync(mark)) markSeenAt = atMs;
    if (markSeenAt === undefined) return;
    if (!before && atMs >= markSeenAt + 500) before = { atMs, cpu: snapshot(table, tree), table };
    else if (before && !after && atMs >= before.atMs + IDLE_WINDOW_MS) {
      after = { atMs, cpu: snapshot(table, tree), table, cmd: new Map(tree.map((p) => [p, cmdlineOf(p)])) };
    }
  };
  const env = { REDLINE_BENCH_MARK: mark, REDLINE_BENCH_IDLE_MS: String(IDLE_TEST_MS) };
  const r = kind === 'redline' ? await runRedline(ws, { env, onTick, watchdogMs: 90_000 }) : await runVitest(ws, { env, onTick, watchdogMs: 90_000 });
  if (!before || !after) return { run: r, error: 'the idle window was not observed (no mark file, or the run ended early)' };
  if (kind === 'redline' && ![...after.cmd.values()].some((c) => /\/runner\.js/.test(c))) return { run: r, error: 'no dist/runner.js process in the tree' };
  const windowMs = after.atMs - before.atMs;
  // Roles: Redline = CLI (the root) → runner (dist/runner.js) → workers; Vitest = main → workers.
  const roles = {};
  for (const [pid, t1] of after.cpu) {
    const t0 = before.cpu.get(pid);
    if (t0 === undefined) continue;
    let role = 'workers';
    if (pid === rootPid) role = kind === 'redline' ? 'cli' : 'main';
    else if (kind === 'redline' && after.table.get(pid)?.ppid === rootPid && /\/runner\.js/.test(after.cmd.get(pid) ?? '')) role = 'main';
    roles[role] = (roles[role] ?? 0) + ((t1 - t0) / CLK_TCK) * 1000;
    if (process.env.BENCH_DEBUG) console.error(`    ${pid} ppid ${after.table.get(pid)?.ppid} ${role} ${t1 - t0} ticks: ${(after.cmd.get(pid) ?? '').slice(0, 120)}`);
  }
  const pct = (ms) => (ms === undefined ? undefined : (ms / windowMs) * 100);
  return {
    run: r,
    windowMs,
    percent: { main: pct(roles.main ?? 0), cli: kind === 'redline' ? pct(roles.cli ?? 0) : undefined, workers: pct(roles.workers ?? 0), tree: pct(Object.values(roles).reduce((a, b) => a + b, 0)) },
  };
}

async function idleCpuSection(pairs) {
  const ws = join(ROOT, 'bench', 'fixtures', 'idle');
  console.error(`\nidle CPU: bench/fixtures/idle (one test waits ${IDLE_TEST_MS / 1000} s; ${IDLE_WINDOW_MS / 1000} s window), ${pairs} alternating pairs`);
  const redline = [];
  const vitest = [];
  for (let i = 0; i < pairs; i++) {
    for (const kind of ['redline', 'vitest']) {
      const m = await idleRun(kind, ws);
      (kind === 'redline' ? redline : vitest).push(m);
      const p = m.percent;
      progress(`pair ${i + 1} ${kind}`, m.run, p ? `  main ${fmtPct(p.main)}${p.cli !== undefined ? ` · cli ${fmtPct(p.cli)}` : ''} · workers ${fmtPct(p.workers)} · tree ${fmtPct(p.tree)}` : `  ${m.error}`);
    }
  }
  const med = (list, key) => median(list.map((m) => m.percent?.[key]));
  const mainR = med(redline, 'main');
  const mainV = med(vitest, 'main');
  const treeR = med(redline, 'tree');
  const treeV = med(vitest, 'tree');
  const cliR = med(redline, 'cli');
  const diffs = redline.map((m, i) => (m.percent && vitest[i]?.percent ? m.percent.main - vitest[i].percent.main : undefined));
  const diff = median(diffs);
  row(`idle CPU of the main process over ${IDLE_WINDOW_MS / 1000} s: runner (Vitest + guard) vs Vitest main (median of ${pairs})`, fmtPct(mainR), fmtPct(mainV), `${signedPct(diff)} (median pair difference)`, 'difference < 1 %', diff !== undefined ? diff < 1 : undefined);
  row(`idle CPU of the whole tree (Redline: + CLI ${fmtPct(cliR)} + worker)`, fmtPct(treeR), fmtPct(treeV), fmtRatio(ratio(treeR, treeV)), '—');
  results['idle-cpu'] = {
    pairs,
    windowMs: IDLE_WINDOW_MS,
    clockTicksPerSecond: CLK_TCK,
    medianPercent: { redlineMain: mainR, vitestMain: mainV, redlineCli: cliR, redlineTree: treeR, vitestTree: treeV, mainDifference: diff },
    runs: {
      redline: redline.map((m) => ({ percent: m.percent, windowMs: m.windowMs, error: m.error, run: slim(m.run) })),
      vitest: vitest.map((m) => ({ percent: m.percent, windowMs: m.windowMs, error: m.error, run: slim(m.run) })),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 4a: Redline on the Buffer runaways

function stopFigures(run) {
  const report = run.report;
  const stopped = report?.files.find((f) => f.stopped)?.stopped;
  const file = report?.files.find((f) => f.stopped);
  const tierAtStop = stopped ? [...report.memory.tiers].filter((t) => t.atMs <= stopped.atMs).pop()?.tier : undefined;
  return {
    file: file?.path,
    test: stopped?.test,
    reason: stopped?.reason,
    atMs: stopped?.atMs,
    killMs: stopped?.killMs,
    rssAtStop: stopped?.rssBytes,
    tierAtStop,
    limitBytes: report?.memory.limitBytes,
    reportPeak: report?.memory.peakBytes,
    states: report ? Object.fromEntries(report.files.map((f) => [f.path, f.state])) : undefined,
  };
}

async function runawaySection(reps) {
  console.error(`\nrunaway (Redline only, --memory-limit 1024), ${reps} run(s) each`);
  results.runaway = {};
  for (const fixture of ['runaway-sync', 'runaway']) {
    const ws = join(ROOT, 'test', 'fixtures', fixture);
    const runs = [];
    for (let i = 0; i < reps; i++) {
      // 1 GB limit: if the guard failed, the watchdog ends it at 4 GB.
      const r = await runRedline(ws, { flags: ['--memory-limit', '1024'], watchdogRss: 4 * GB, watchdogMs: 60_000 });
      const s = stopFigures(r);
      runs.push({ run: r, stop: s });
      progress(`${fixture} #${i + 1}`, r, `  stopped ${s.file ?? 'NOTHING'} at ${fmtS(s.atMs)} (tier ${s.tierAtStop ?? '?'}), killMs ${fmtMs(s.killMs)}, report peak ${fmtBytes(s.reportPeak)}`);
      if (r.code !== 2) notes.push(`${fixture}: Redline exited ${r.signal ?? r.code}, expected 2.`);
      if (!s.file) notes.push(`${fixture}: Redline stopped no file (run #${i + 1}).`);
    }
    const limit = 1024 * MB;
    const killMs = median(runs.map((x) => x.stop.killMs));
    const peakReport = median(runs.map((x) => x.stop.reportPeak));
    const peakSampler = median(runs.map((x) => x.run.peakRssBytes));
    const maxPeak = Math.max(...runs.map((x) => Math.max(x.stop.reportPeak ?? 0, x.run.peakRssBytes)));
    const exitMs = median(runs.map((x) => x.run.wallMs));
    const atMs = median(runs.map((x) => x.stop.atMs));
    const tiers = [...new Set(runs.map((x) => x.stop.tierAtStop))].join('/');
    row(`${fixture} @ 1024 MB: stop decision → worker gone (killMs, median of ${reps} (min–max))`, withRange(killMs, runs.map((x) => x.stop.killMs), fmtMs), 'not run (Buffers: unbounded)', '—', '≤ 250 ms', killMs !== undefined ? killMs <= 250 : undefined);
    row(`${fixture} @ 1024 MB: tree peak / limit (report · sampler; worst run)`, `${fmtRatio(ratio(peakReport, limit))} · ${fmtRatio(ratio(peakSampler, limit))}; worst ${fmtRatio(maxPeak / limit)}`, '—', '—', '≤ 1.10', maxPeak / limit <= 1.1);
    row(`${fixture} @ 1024 MB: run start → stop (tier at stop) · total time to exit`, `${fmtS(atMs)} (${tiers}) · ${fmtS(exitMs)}`, '—', '—', '—');
    results.runaway[fixture] = {
      limitBytes: limit,
      killMs,
      peakReportBytes: peakReport,
      peakSamplerBytes: peakSampler,
      worstPeakOverLimit: maxPeak / limit,
      exitMs,
      stopAtMs: atMs,
      runs: runs.map((x) => ({ stop: x.stop, run: slim(x.run) })),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// 4b: a V8-heap runaway: plain Vitest's death against Redline's stop

function outputFacts(run) {
  const text = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
  const summary = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(Test Files|Tests|Errors?)\s/.test(l));
  return {
    namesFile: /heap-hog\.test\.js/.test(text),
    heapOutOfMemory: /heap out of memory/i.test(text),
    workerExitedUnexpectedly: /Worker exited unexpectedly/i.test(text),
    summary,
  };
}

async function heapRunawaySection(pairs, reps1024) {
  const ws = join(ROOT, 'bench', 'fixtures', 'heap-runaway');
  const terminal = 0.95 * 4 * GB; // where Redline's default limit would have stopped it
  console.error(`\nheap runaway (bench/fixtures/heap-runaway): ${pairs} alternating pair(s) Redline (default limit) / plain Vitest, then Redline @ 1024 MB ×${reps1024}`);
  const redline = [];
  const vitest = [];
  for (let i = 0; i < pairs; i++) {
    const r = await runRedline(ws, { watchdogRss: WATCHDOG_RSS, watchdogMs: 120_000 });
    const s = stopFigures(r);
    redline.push({ run: r, stop: s, output: outputFacts(r) });
    progress(`pair ${i + 1} redline (default limit)`, r, `  ${s.file ? `stopped ${s.file} at ${fmtS(s.atMs)} (tier ${s.tierAtStop}), killMs ${fmtMs(s.killMs)}` : `no stop; states ${JSON.stringify(s.states)}`}`);
    const v = await runVitest(ws, { watchdogRss: WATCHDOG_RSS, watchdogMs: 60_000, crossAt: [terminal] });
    const f = outputFacts(v);
    vitest.push({ run: v, output: f });
    progress(`pair ${i + 1} vitest`, v, `  crossed ${fmtBytes(terminal)} at ${fmtS(v.crossings[0].atMs)}; names file: ${f.namesFile}, "heap out of memory": ${f.heapOutOfMemory}, "Worker exited unexpectedly": ${f.workerExitedUnexpectedly}`);
  }
  const low = [];
  for (let i = 0; i < reps1024; i++) {
    const r = await runRedline(ws, { flags: ['--memory-limit', '1024'], watchdogRss: 4 * GB, watchdogMs: 60_000 });
    const s = stopFigures(r);
    low.push({ run: r, stop: s });
    progress(`redline @ 1024 MB #${i + 1}`, r, `  ${s.file ? `stopped ${s.file} at ${fmtS(s.atMs)} (tier ${s.tierAtStop}), killMs ${fmtMs(s.killMs)}` : 'no stop'}`);
  }

  const vWall = median(vitest.map((x) => x.run.wallMs));
  const vCross = median(vitest.map((x) => x.run.crossings[0].atMs));
  const vAfterCross = median(vitest.map((x) => (x.run.crossings[0].atMs === undefined ? undefined : x.run.wallMs - x.run.crossings[0].atMs)));
  const vPeak = median(vitest.map((x) => x.run.peakRssBytes));
  const watchdogged = vitest.filter((x) => x.run.watchdog).length;
  const rStop = median(redline.map((x) => x.stop.atMs));
  const rKill = median(redline.map((x) => x.stop.killMs));
  const rWall = median(redline.map((x) => x.run.wallMs));
  const rPeak = median(redline.map((x) => x.run.peakRssBytes));
  const rPeakReport = median(redline.map((x) => x.stop.reportPeak));
  const rStopped = redline.filter((x) => x.stop.file).length;
  const vExits = [...new Set(vitest.map((x) => (x.run.watchdog ? `killed by watchdog (${x.run.watchdog.reason})` : x.run.signal ?? `exit ${x.run.code}`)))].join(', ');
  const vNames = vitest.map((x) => x.output);
  const yesNo = (list, key) => `${list.filter((o) => o[key]).length}/${list.length}`;

  row(`heap runaway, default limit (4 GB): start → stopped (Redline) vs start → process exited (Vitest), median of ${pairs}`, `${fmtS(rStop)} (stopped ${rStopped}/${pairs}; tier ${[...new Set(redline.map((x) => x.stop.tierAtStop))].join('/')})`, `${fmtS(vWall)} (${vExits}${watchdogged ? `, ${watchdogged} killed at the watchdog` : ''})`, fmtRatio(ratio(rStop, vWall)), '—');
  row('heap runaway, default limit: stop decision → worker gone (killMs) · Vitest: tree crossing 3.8 GB (95 % of 4 GB) → exited', `${fmtMs(rKill)}`, `${fmtS(vAfterCross)} (crossed at ${fmtS(vCross)})`, '—', '≤ 250 ms', rKill !== undefined ? rKill <= 250 : undefined);
  row('heap runaway, default limit: whole run, start → exit', fmtS(rWall), fmtS(vWall), fmtRatio(ratio(rWall, vWall)), '—');
  row('heap runaway, default limit: peak tree RSS (sampler; Redline report)', `${fmtBytes(rPeak)}; ${fmtBytes(rPeakReport)}`, fmtBytes(vPeak), fmtRatio(ratio(rPeak, vPeak)), '≤ 1.10 × limit (Redline)', rPeak !== undefined ? Math.max(rPeak, rPeakReport ?? 0) <= 1.1 * 4 * GB : undefined);
  row('heap runaway: output names the file (heap-hog.test.js) · says "heap out of memory" · "Worker exited unexpectedly"', `${yesNo(redline.map((x) => x.output), 'namesFile')} · ${yesNo(redline.map((x) => x.output), 'heapOutOfMemory')} · ${yesNo(redline.map((x) => x.output), 'workerExitedUnexpectedly')}`, `${yesNo(vNames, 'namesFile')} · ${yesNo(vNames, 'heapOutOfMemory')} · ${yesNo(vNames, 'workerExitedUnexpectedly')}`, '—', '—');
  const lStop = median(low.map((x) => x.stop.atMs));
  const lKill = median(low.map((x) => x.stop.killMs));
  const lPeak = Math.max(...low.map((x) => Math.max(x.stop.reportPeak ?? 0, x.run.peakRssBytes)));
  row(`heap runaway @ 1024 MB: start → stopped · killMs · worst peak / limit (${reps1024} runs)`, `${fmtS(lStop)} · ${fmtMs(lKill)} · ${fmtRatio(lPeak / (1024 * MB))}`, '—', '—', '≤ 250 ms · ≤ 1.10', lKill !== undefined ? lKill <= 250 && lPeak / (1024 * MB) <= 1.1 : undefined);
  for (const x of vitest) if (x.output.summary.length > 0) notes.push(`plain Vitest on the heap runaway said: ${x.output.summary.join(' | ')}`);

  results['heap-runaway'] = {
    pairs,
    redline: { stopAtMs: rStop, killMs: rKill, wallMs: rWall, peakSamplerBytes: rPeak, peakReportBytes: rPeakReport, runs: redline.map((x) => ({ stop: x.stop, output: x.output, run: slim(x.run) })) },
    vitest: {
      wallMs: vWall,
      crossedTerminalAtMs: vCross,
      exitAfterCrossingMs: vAfterCross,
      peakSamplerBytes: vPeak,
      runs: vitest.map((x) => ({ output: x.output, run: slim(x.run), stderrTail: x.run.stderr.slice(-3000), stdoutTail: x.run.stdout.slice(-3000) })),
    },
    redline1024: { stopAtMs: lStop, killMs: lKill, worstPeakOverLimit: lPeak / (1024 * MB), runs: low.map((x) => ({ stop: x.stop, run: slim(x.run) })) },
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function versionOf(pkgJson) {
  try {
    return JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  } catch {
    return '?';
  }
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim();
  } catch {
    return '';
  }
}

function markdown(meta) {
  const lines = [];
  lines.push(`\`\`\`\n$ ${meta.command}\n\`\`\``);
  lines.push('');
  lines.push(`${meta.date} · commit ${meta.commit}${meta.dirty ? ' (+ local changes)' : ''} · Node ${meta.node} · Vitest ${meta.vitest} (pool forks both ways) · ${meta.cpus} CPUs · ${fmtBytes(meta.memBytes)} RAM · ${meta.quick ? 'quick' : 'full'} run, ${fmtS(meta.elapsedMs)} · load average ${meta.loadBefore} before, ${meta.loadAfter} after`);
  lines.push('');
  lines.push('| measure | Redline | plain Vitest | ratio | target |');
  lines.push('|---|---|---|---|---|');
  for (const r of rows) {
    const target = r.ok === undefined ? r.target : `${r.target} ${r.ok ? '✓' : '✗'}`;
    lines.push(`| ${r.measure} | ${r.redline} | ${r.vitest} | ${r.ratio} | ${target} |`);
  }
  lines.push('');
  lines.push('Method: every command is spawned in its own process group; a sampler in the bench process sums the RSS of the command\'s process tree every 50 ms (so it can miss peaks shorter than that; Vitest forks a short-lived worker per file). Redline and plain Vitest alternate run by run; figures are medians. GB and MB are 2^30 and 2^20 bytes. CPU figures come from utime+stime in /proc/<pid>/stat (10 ms ticks). "Other load" is machine CPU outside the measured tree and the bench during the runs, from /proc/stat.');
  if (meta.outsideLoad !== undefined) lines.push(`Other load on the machine during the timed runs: median ${meta.outsideLoad.toFixed(2)} cores of ${meta.cpus}${meta.outsideLoad > 0.3 ? ' — noisy: other processes were competing for the CPUs' : ''}.`);
  if (notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const n of notes) lines.push(`- ${n}`);
  }
  return lines.join('\n') + '\n';
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux') usage('the bench reads /proc: Linux only');
  for (const [file, what] of [[CLI, 'dist/cli.js (run `node esbuild.mjs` first; `npm run bench` does)'], [VITEST, 'node_modules/vitest (run `npm install`)']]) {
    if (!existsSync(file)) usage(`missing ${what}`);
  }
  const want = (name) => opts.only.size === 0 || opts.only.has(name);
  const heapPairs = opts.heapPairs ?? 1;
  const t0 = performance.now();
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  const args = process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : '';
  const command = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args ? ` --${args}` : ''}   # = node esbuild.mjs && node bench/run.mjs${args}` : `node bench/run.mjs${args}`;
  console.error(`$ ${command}`);
  tmpRoot = mkdtempSync(join(tmpdir(), 'redline-bench-'));
  try {
    if (want('all-pass')) await wallSection('all-pass', join(ROOT, 'test', 'fixtures', 'all-pass'), opts.quick ? 3 : 5, 'all-pass (2 files)');
    if (want('suite')) {
      // 200 files take about a minute a run on 2 cores: the suite dominates the bench's time.
      const ws = join(tmpRoot, 'suite');
      execFileSync(NODE, [join(ROOT, 'bench', 'gen-suite.mjs'), ws, '--files', '200'], { stdio: ['ignore', 'ignore', 'inherit'] });
      await wallSection('suite', ws, opts.quick ? 1 : 3, 'generated suite (200 files)');
    }
    if (want('sampler-cpu')) await samplerCpuSection(opts.quick);
    if (want('idle-cpu')) await idleCpuSection(opts.quick ? 1 : 3);
    if (want('runaway')) await runawaySection(opts.quick ? 1 : 3);
    if (want('heap-runaway')) await heapRunawaySection(heapPairs, opts.quick ? 1 : 3);
  } finally {
    emergencyKill();
    rmSync(tmpRoot, { recursive: true, force: true });
  }

  const outside = median(outsideLoads);
  const meta = {
    command,
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']) || '?',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    node: process.version,
    vitest: versionOf(join(ROOT, 'node_modules', 'vitest', 'package.json')),
    cpus: cpus().length,
    memBytes: totalmem(),
    quick: opts.quick,
    sections: SECTIONS.filter(want),
    elapsedMs: performance.now() - t0,
    loadBefore,
    loadAfter: loadavg().map((l) => l.toFixed(2)).join(' '),
    outsideLoad: outside,
  };
  const md = markdown(meta);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.md'), md);
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify({ meta, rows, notes, results }, null, 2)}\n`);
  process.stdout.write(`\n${md}`);
  console.error(`\nwrote ${relative(process.cwd(), join(RESULTS, 'latest.md'))} and latest.json`);
}

await main();
