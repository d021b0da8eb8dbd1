#!/usr/bin/env node
// Issue 5's figures: leak detection scored on a generated corpus, and what it costs.
//
//   node bench/leaks.mjs [--seed 1[,2…]]… [--files 60] [--pairs 3] [--dist DIR] [--keep]
//
// --seed: one corpus per seed (default 1). --pairs: timed rounds per seed (default 3).
// --dist: run Redline from this build instead of dist/. --keep: keep the temp dir (corpora, reports).
// --render FILE: run nothing; re-render the table of a saved leaks.json (after a change to the
// table's layout) and write it beside that file.
//
// For each seed, bench/gen-leaks.mjs writes a corpus (half the files leak 0.5–4 MB per test, half
// are look-alikes: churn, one-time tables, bounded caches, files too short to judge) with its
// truth in manifest.json, into a temp dir. Then:
//
//   detection  `redline run --no-cache --leaks --json` once (untimed; it also warms the caches),
//              scored against the manifest: recall at ≥ 1 MB per test (target ≥ 95 %), recall
//              over all leaking files, false positives (target 0), and the measured bytesPerTest
//              over the planted one (median, min, max). Every timed run with leak detection is
//              scored too, to show whether the verdicts hold from run to run.
//   overhead   rounds of `redline run --no-cache --leaks` (leak detection on: the probe's
//              collections after each test) / `redline run --no-cache --no-leaks` / plain
//              `vitest run`, the order rotated each round so no command always goes first; wall
//              times are medians, and the overhead is the ratio of the medians on / off
//              (target ≤ 1.15), with the per-round ratios.
//
// Every command is spawned in a process group of its own with the environment of a user's shell
// (no VITEST*, REDLINE_*, CI, NODE_ENV, TEST, FORCE_COLOR). Nothing samples memory from outside
// while a command runs (a 20 Hz sampler would compete for the CPUs it measures): a 1 Hz scan of /proc
// only notes the process groups of the tree, so a timeout or a leftover can be killed. CPU time
// of the tree is what the bench process reaps (cutime + cstime of /proc/self/stat), or the last
// scan's sum when that is more. Redline runs from a copy of dist/ taken at the start, so a
// rebuild during the bench cannot mix two builds.
//
// Writes bench/results/leaks.json (every run, raw) and bench/results/leaks.md (the table); a run
// with --files other than 60 or --pairs below 3 writes leaks-partial.*. Linux only (/proc).
// Build first (node esbuild.mjs): it runs dist/cli.js.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getconf, CLK_TCK, readText, parseStat, procTable, treeOf, cmdlineOf, machineTicks } from './lib/proc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let DIST = join(ROOT, 'dist');
const DIST_FILES = ['cli.js', 'runner.js', 'probe.mjs'];
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const GEN = join(ROOT, 'bench', 'gen-leaks.mjs');
const RESULTS = join(ROOT, 'bench', 'results');
const NODE = process.execPath;
const MB = 1024 * 1024;
const GB = 1024 * MB;
const DEFAULT_FILES = 60;
const MIN_PAIRS = 3;
const RUN_TIMEOUT_MS = 600_000;
const SCAN_MS = 1000;

// Targets (issue 5, "How it is checked").
const TARGET_RECALL = 0.95; // at ≥ 1 MB per test
const RECALL_FLOOR = 1 * MB;
const TARGET_OVERHEAD = 1.15;
// Leak detection is opt-in (leaks.enabled, default off): both ways are said explicitly, so the
// bench measures the same thing whatever the default or a config file says.
const LEAKS_ON = ['--leaks'];
const LEAKS_OFF = ['--no-leaks'];

// ---------------------------------------------------------------------------------------------
// Options

function usage(message) {
  if (message) console.error(`leaks bench: ${message}`);
  console.error('usage: node bench/leaks.mjs [--seed N[,N…]]… [--files N] [--pairs N] [--dist DIR] [--keep] | --render leaks.json');
  process.exit(3);
}

function parseArgs(argv) {
  const opts = { seeds: [], files: DEFAULT_FILES, pairs: MIN_PAIRS, keep: false };
  const int = (name, v, min) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) usage(`${name} needs an integer of at least ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--seed' || flag === '--seeds') {
      const v = value();
      if (!v) usage('--seed needs a value');
      for (const s of v.split(',').map((x) => x.trim()).filter(Boolean)) {
        const n = Number(s);
        if (!Number.isInteger(n)) usage(`--seed must be an integer, got ${s}`);
        if (!opts.seeds.includes(n)) opts.seeds.push(n);
      }
    } else if (flag === '--files') opts.files = int('--files', value(), 2);
    else if (flag === '--pairs') opts.pairs = int('--pairs', value(), 1);
    else if (flag === '--keep') opts.keep = true;
    else if (flag === '--render') {
      const v = value();
      if (!v) usage('--render needs a leaks.json');
      opts.render = resolve(v);
    } else if (flag === '--dist') {
      const v = value();
      if (!v) usage('--dist needs a folder');
      DIST = resolve(v);
    }
    else if (flag === '--help' || flag === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  if (opts.seeds.length === 0) opts.seeds.push(1);
  return opts;
}

// ---------------------------------------------------------------------------------------------
// /proc


const selfStat = () => parseStat(readText('/proc/self/stat') ?? '');
const OWN_PGID = selfStat()?.pgid ?? process.pid;

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

const active = new Set();
function emergencyKill() {
  for (const run of active) run.killAll();
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    emergencyKill();
    console.error(`\nleaks bench: ${sig}, stopped every measured process`);
    process.exit(130);
  });
}
process.on('exit', emergencyKill);

/** The environment of a user's shell: nothing that says "inside a test run" or "in CI". */
function userEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VITEST') || k.startsWith('REDLINE_') || k === 'FORCE_COLOR' || k === 'CI' || k === 'NODE_ENV' || k === 'TEST') continue;
    if (k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1' };
}

const outsideLoads = []; // other load on the machine during every timed run, in cores

/**
 * Spawns `node args…` detached and resolves when it exits: { wallMs, code, signal, treeCpuMs,
 * outsideCores, timedOut, leftovers, stdout, stderr }.
 */
function runMeasured({ args, cwd, timeoutMs = RUN_TIMEOUT_MS, timed = true }) {
  return new Promise((resolvePromise, reject) => {
    const self0 = selfStat();
    const m0 = machineTicks();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const child = spawn(NODE, args, { cwd, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
    let rootStart;
    let lastTree = [];
    let scannedTicks = 0;
    let timedOut = false;
    const run = {
      killAll() {
        for (const g of seenPgids) killGroup(g);
        for (const p of lastTree) killPid(p);
      },
    };
    active.add(run);
    const scan = () => {
      const table = procTable();
      const tree = treeOf(table, pid);
      if (tree.length === 0) return;
      if (rootStart === undefined) rootStart = table.get(pid).start;
      let ticks = 0;
      for (const p of tree) {
        const s = table.get(p);
        seenPgids.add(s.pgid);
        ticks += s.cpuTicks + s.childTicks;
      }
      scannedTicks = Math.max(scannedTicks, ticks);
      lastTree = tree;
      if (!timedOut && performance.now() - t0 > timeoutMs) {
        timedOut = true;
        console.error(`  ! timeout after ${Math.round(timeoutMs / 1000)} s — killing the process groups ${[...seenPgids].join(', ')}`);
        run.killAll();
      }
    };
    const timer = setInterval(scan, SCAN_MS);
    scan();

    child.once('exit', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearInterval(timer);
      const m1 = machineTicks();
      const cpu = process.cpuUsage(cpu0);
      const table = procTable();
      const leftovers = [];
      for (const [p, s] of table) {
        if (s.state === 'Z' || !seenPgids.has(s.pgid) || s.pgid === OWN_PGID) continue;
        if (rootStart !== undefined && s.start < rootStart) continue;
        leftovers.push({ pid: p, command: cmdlineOf(p).slice(0, 200) });
      }
      if (leftovers.length > 0) for (const g of seenPgids) killGroup(g);
      active.delete(run);
      const finish = () => {
        // The child has been reaped by now: its CPU, and that of every descendant reaped in turn,
        // is in this process's cutime + cstime.
        const self1 = selfStat();
        const reapedTicks = self1 && self0 ? self1.childTicks - self0.childTicks : 0;
        const treeTicks = Math.max(reapedTicks, scannedTicks);
        const machineCores = m1.total > m0.total ? ((m1.busy - m0.busy) / (m1.total - m0.total)) * cpus().length : 0;
        const treeCores = ((treeTicks / CLK_TCK) * 1000) / wallMs;
        const benchCores = (cpu.user + cpu.system) / 1000 / wallMs;
        const outsideCores = Math.max(0, machineCores - treeCores - benchCores);
        if (timed) outsideLoads.push(outsideCores);
        resolvePromise({
          wallMs,
          code,
          signal,
          timedOut,
          treeCpuMs: Math.round((treeTicks / CLK_TCK) * 1000),
          outsideCores,
          leftovers,
          stdout: out.stdout,
          stderr: out.stderr,
        });
      };
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

let tmpRoot;
let distCopy;
let reportSeq = 0;

async function runRedline(ws, flags, rest = {}) {
  const json = join(tmpRoot, `report-${++reportSeq}.json`);
  const r = await runMeasured({ args: [join(distCopy, 'cli.js'), 'run', '--root', ws, '--no-cache', ...flags, '--json', json], cwd: ws, ...rest });
  try {
    r.report = JSON.parse(readFileSync(json, 'utf8'));
  } catch (e) {
    r.report = undefined;
    r.reportError = String(e);
  }
  return r;
}

function runVitest(ws, rest = {}) {
  return runMeasured({ args: [VITEST, 'run', '--root', ws], cwd: ws, ...rest });
}

// ---------------------------------------------------------------------------------------------
// Figures

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
const finite = (values) => values.filter((x) => typeof x === 'number' && Number.isFinite(x));
const minOf = (values) => (finite(values).length ? Math.min(...finite(values)) : undefined);
const maxOf = (values) => (finite(values).length ? Math.max(...finite(values)) : undefined);
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

const fmtMB = (b) => (b === undefined ? '—' : `${(b / MB).toFixed(2)} MB`);
const fmtBytes = (b) => (b === undefined ? '—' : b >= GB ? `${(b / GB).toFixed(2)} GB` : `${(b / MB).toFixed(0)} MB`);
const fmtS = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
const fmtMs = (ms) => (ms === undefined ? '—' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const fmtRatio = (r) => (r === undefined || !Number.isFinite(r) ? '—' : r.toFixed(3));
const fmtPct = (p) => (p === undefined ? '—' : `${(p * 100).toFixed(p === 1 || p === 0 ? 0 : 1)} %`);
const mark = (ok) => (ok === undefined ? '' : ok ? ' ✓' : ' ✗');
/** "median (min–max)", or just the median when all values are one. */
const withRange = (values, fmt) => {
  const v = finite(values);
  if (v.length === 0) return '—';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return v.length > 1 && lo !== hi ? `${fmt(median(v))} (${fmt(lo)}–${fmt(hi)})` : fmt(median(v));
};
const short = (path) => path.replace(/^test\//, '').replace(/\.test\.js$/, '');

// ---------------------------------------------------------------------------------------------
// Scoring a report against the manifest

function normalizePath(file, ws) {
  const rel = isAbsolute(file) ? relative(ws, file) : file;
  return rel.split('\\').join('/');
}

function score(report, manifest, ws) {
  const truth = manifest.files;
  const flagged = new Map();
  for (const leak of report.leaks ?? []) flagged.set(normalizePath(leak.file, ws), leak);
  const found = [];
  const missed = [];
  const falsePositives = [];
  const unknown = [];
  for (const [path, t] of Object.entries(truth)) {
    const leak = flagged.get(path);
    if (t.leaks && leak) {
      found.push({ file: path, planted: t.bytesPerTest, measured: leak.bytesPerTest, ratio: leak.bytesPerTest / t.bytesPerTest, fit: leak.fit, totalBytes: leak.totalBytes, samples: leak.samples, series: leak.series, shape: t.shape, pattern: t.pattern, tests: t.tests });
    } else if (t.leaks) {
      missed.push({ file: path, planted: t.bytesPerTest, shape: t.shape, pattern: t.pattern, tests: t.tests });
    } else if (leak) {
      falsePositives.push({ file: path, measured: leak.bytesPerTest, fit: leak.fit, totalBytes: leak.totalBytes, samples: leak.samples, series: leak.series, shape: t.shape, pattern: t.pattern, tests: t.tests });
    }
  }
  for (const [path, leak] of flagged) if (!(path in truth)) unknown.push({ file: path, measured: leak.bytesPerTest, fit: leak.fit });
  const leaking = Object.values(truth).filter((t) => t.leaks);
  const atFloor = leaking.filter((t) => t.bytesPerTest >= RECALL_FLOOR).length;
  const below = leaking.length - atFloor;
  const foundAtFloor = found.filter((f) => f.planted >= RECALL_FLOOR).length;
  const ratios = found.map((f) => f.ratio);
  const files = report.files ?? [];
  return {
    flagged: [...flagged.keys()].sort(),
    recallAtFloor: { hit: foundAtFloor, of: atFloor, rate: atFloor ? foundAtFloor / atFloor : undefined },
    recallBelow: { hit: found.length - foundAtFloor, of: below, rate: below ? (found.length - foundAtFloor) / below : undefined },
    recallAll: { hit: found.length, of: leaking.length, rate: leaking.length ? found.length / leaking.length : undefined },
    falsePositives,
    unknown,
    lookAlikes: Object.values(truth).filter((t) => !t.leaks).length,
    ratio: { median: median(ratios), min: minOf(ratios), max: maxOf(ratios) },
    found,
    missed,
    filesNotPassed: files.filter((f) => f.state !== 'passed').map((f) => ({ path: f.path, state: f.state })),
    filesInReport: files.length,
  };
}

const describeMiss = (m) => `${short(m.file)} (${fmtMB(m.planted)}/test, ${m.shape} ${m.pattern}, ${m.tests} tests)`;
const describeFp = (f) => `${short(f.file)} (${f.shape} ${f.pattern}, ${f.tests} tests: read ${fmtMB(f.measured)}/test, fit ${f.fit.toFixed(2)}, ${f.series ?? '?'})`;

// ---------------------------------------------------------------------------------------------
// One seed

const notes = [];

function slim(run) {
  const { stdout: _o, stderr: _e, report, ...rest } = run;
  return {
    ...rest,
    wallMs: Math.round(run.wallMs),
    outsideCores: Number(run.outsideCores.toFixed(2)),
    ...(report
      ? {
          report: {
            durationMs: report.durationMs,
            summary: report.summary,
            peakBytes: report.memory?.peakBytes,
            filesDurationMs: sumDurations(report),
            leaks: report.leaks,
          },
        }
      : { stderrTail: run.stderr.slice(-3000), stdoutTail: run.stdout.slice(-3000) }),
  };
}

const sumDurations = (report, only) => (report?.files ?? []).filter((f) => !only || only(f.path)).reduce((a, f) => a + (f.durationMs ?? 0), 0);

function progress(label, run, extra = '') {
  const exit = run.signal ? run.signal : `exit ${run.code}`;
  console.error(`  ${label.padEnd(32)} ${fmtS(run.wallMs).padStart(8)}  cpu ${fmtS(run.treeCpuMs).padStart(7)}  other load ${run.outsideCores.toFixed(2)}  ${exit}${run.timedOut ? ' (timeout)' : ''}${extra}`);
  if (run.leftovers.length > 0) console.error(`    left behind: ${run.leftovers.map((l) => `${l.pid} ${l.command}`).join('; ')}`);
}

const scoreLine = (s) =>
  ` — flagged ${s.flagged.length}: recall ≥1 MB ${s.recallAtFloor.hit}/${s.recallAtFloor.of}, all ${s.recallAll.hit}/${s.recallAll.of}, false positives ${s.falsePositives.length + s.unknown.length}`;

async function seedSection(seed, opts) {
  const ws = join(tmpRoot, `corpus-seed-${seed}`);
  console.error(`\nseed ${seed}: generating ${opts.files} files`);
  execFileSync(NODE, [GEN, ws, '--files', String(opts.files), '--seed', String(seed)], { stdio: ['ignore', 'inherit', 'inherit'] });
  const manifest = JSON.parse(readFileSync(join(ws, 'manifest.json'), 'utf8'));
  const truth = Object.values(manifest.files);
  const leaking = truth.filter((t) => t.leaks);
  const tests = truth.reduce((a, t) => a + t.tests, 0);

  // Detection (untimed; also the warm-up of Vite's cache and the page cache for every command).
  console.error(`seed ${seed}: detection run (untimed, warm-up)`);
  const detection = await runRedline(ws, LEAKS_ON, { timed: false });
  const detectionScore = detection.report ? score(detection.report, manifest, ws) : undefined;
  progress('redline run (detection)', detection, detectionScore ? scoreLine(detectionScore) : ` — no report: ${detection.reportError}`);
  if (!detectionScore) notes.push(`seed ${seed}: the detection run wrote no report (${detection.reportError}); exit ${detection.signal ?? detection.code}. stderr: ${detection.stderr.slice(-500)}`);

  // Overhead: rounds of on / off / plain Vitest, the order rotated each round.
  const kinds = ['leaks', 'noLeaks', 'vitest'];
  const runs = { leaks: [], noLeaks: [], vitest: [] };
  console.error(`seed ${seed}: ${opts.pairs} timed rounds of redline run --no-cache --leaks / … --no-leaks / vitest run (order rotated)`);
  for (let i = 0; i < opts.pairs; i++) {
    const order = kinds.slice(i % kinds.length).concat(kinds.slice(0, i % kinds.length));
    for (const kind of order) {
      if (kind === 'vitest') {
        const v = await runVitest(ws);
        runs.vitest[i] = v;
        progress(`round ${i + 1} vitest run`, v);
      } else {
        const r = await runRedline(ws, kind === 'leaks' ? LEAKS_ON : LEAKS_OFF);
        runs[kind][i] = r;
        const s = kind === 'leaks' && r.report ? score(r.report, manifest, ws) : undefined;
        r.score = s;
        progress(`round ${i + 1} redline${kind === 'leaks' ? '' : ' --no-leaks'}`, r, s ? scoreLine(s) : r.report ? ` — ${r.report.leaks.length} leaks reported` : ` — no report: ${r.reportError}`);
        if (kind === 'noLeaks' && r.report && r.report.leaks.length > 0) notes.push(`seed ${seed}: --no-leaks still reported ${r.report.leaks.length} leak(s).`);
      }
    }
  }
  const all = [detection, ...runs.leaks, ...runs.noLeaks, ...runs.vitest];
  const bad = all.filter((r) => r.code !== 0 || r.timedOut);
  if (bad.length > 0) notes.push(`seed ${seed}: ${bad.length} run(s) did not exit 0 (${bad.map((r) => r.signal ?? `exit ${r.code}`).join(', ')}): the corpus's tests all pass, so something went wrong.`);
  const leftovers = all.flatMap((r) => r.leftovers);
  if (leftovers.length > 0) notes.push(`seed ${seed}: processes left behind after exit: ${leftovers.map((l) => l.command).join('; ')}`);
  const notPassed = detectionScore?.filesNotPassed ?? [];
  if (notPassed.length > 0) notes.push(`seed ${seed}: files not passed in the detection run: ${notPassed.map((f) => `${f.path} (${f.state})`).join(', ')}`);

  const wall = (list) => list.map((r) => r.wallMs);
  const wallOn = median(wall(runs.leaks));
  const wallOff = median(wall(runs.noLeaks));
  const wallVitest = median(wall(runs.vitest));
  const overhead = ratio(wallOn, wallOff);
  const pairRatios = runs.leaks.map((r, i) => r.wallMs / runs.noLeaks[i].wallMs);
  const cpu = (list) => median(list.map((r) => r.treeCpuMs));
  const scores = [detectionScore, ...runs.leaks.map((r) => r.score)].filter(Boolean);
  const sameFlags = scores.every((s) => JSON.stringify(s.flagged) === JSON.stringify(scores[0].flagged));

  return {
    seed,
    corpus: { files: truth.length, leaking: leaking.length, atFloor: leaking.filter((t) => t.bytesPerTest >= RECALL_FLOOR).length, lookAlikes: truth.length - leaking.length, tests, minRate: minOf(leaking.map((t) => t.bytesPerTest)), maxRate: maxOf(leaking.map((t) => t.bytesPerTest)) },
    detection: detectionScore,
    stability: {
      runs: scores.length,
      sameFlags,
      recallAtFloor: scores.map((s) => s.recallAtFloor.hit),
      recallAll: scores.map((s) => s.recallAll.hit),
      falsePositives: scores.map((s) => s.falsePositives.length + s.unknown.length),
      flagged: scores.map((s) => s.flagged),
    },
    overhead: {
      rounds: opts.pairs,
      wallMs: { leaks: wallOn, noLeaks: wallOff, vitest: wallVitest },
      wallRange: { leaks: wall(runs.leaks), noLeaks: wall(runs.noLeaks), vitest: wall(runs.vitest) },
      ratio: overhead,
      pairRatios,
      leaksOverVitest: ratio(wallOn, wallVitest),
      noLeaksOverVitest: ratio(wallOff, wallVitest),
      perTestMs: wallOn !== undefined && wallOff !== undefined ? (wallOn - wallOff) / tests : undefined,
      treeCpuMs: { leaks: cpu(runs.leaks), noLeaks: cpu(runs.noLeaks), vitest: cpu(runs.vitest) },
      filesDurationMs: { leaks: median(runs.leaks.map((r) => sumDurations(r.report))), noLeaks: median(runs.noLeaks.map((r) => sumDurations(r.report))) },
      // Where the time goes: a full collection marks every live object, so it costs most in the
      // files whose heap is large (the leaking ones, and look-alikes holding a big table).
      filesDurationMsByKind: Object.fromEntries(
        [['leaking', true], ['lookAlikes', false]].map(([name, leaks]) => {
          const only = (path) => manifest.files[normalizePath(path, ws)]?.leaks === leaks;
          return [name, { leaks: median(runs.leaks.map((r) => sumDurations(r.report, only))), noLeaks: median(runs.noLeaks.map((r) => sumDurations(r.report, only))) }];
        }),
      ),
      peakBytes: { leaks: median(runs.leaks.map((r) => r.report?.memory?.peakBytes)), noLeaks: median(runs.noLeaks.map((r) => r.report?.memory?.peakBytes)) },
      outsideCores: median(all.slice(1).map((r) => r.outsideCores)),
    },
    runs: { detection: slim(detection), leaks: runs.leaks.map(slim), noLeaks: runs.noLeaks.map(slim), vitest: runs.vitest.map(slim) },
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function rowsFor(sections, cpuCount) {
  const rows = [];
  const row = (measure, cell, target = '—') => rows.push({ measure, cells: sections.map(cell), target });
  const d = (s) => s.detection;
  row('corpus: files — leaking (of them ≥ 1 MB per test) / look-alikes · tests', (s) => `${s.corpus.files} — ${s.corpus.leaking} (${s.corpus.atFloor}) / ${s.corpus.lookAlikes} · ${s.corpus.tests} tests; rates ${fmtMB(s.corpus.minRate)}–${fmtMB(s.corpus.maxRate)} per test`);
  row('recall at ≥ 1 MB per test (detection run)', (s) => (d(s) ? `${fmtPct(d(s).recallAtFloor.rate)} (${d(s).recallAtFloor.hit}/${d(s).recallAtFloor.of})${mark(d(s).recallAtFloor.rate >= TARGET_RECALL)}` : '— (no report) ✗'), '≥ 95 %');
  row('recall below 1 MB per test (0.5–1 MB)', (s) => (d(s) ? `${fmtPct(d(s).recallBelow.rate)} (${d(s).recallBelow.hit}/${d(s).recallBelow.of})` : '—'));
  row('recall over all leaking files · missed', (s) => (d(s) ? `${fmtPct(d(s).recallAll.rate)} (${d(s).recallAll.hit}/${d(s).recallAll.of})${d(s).missed.length ? ` · missed ${d(s).missed.map(describeMiss).join('; ')}` : ''}` : '—'));
  row('false positives (look-alikes flagged, of all look-alikes)', (s) => {
    if (!d(s)) return '— ✗';
    const fp = [...d(s).falsePositives, ...d(s).unknown];
    return `${fp.length} of ${d(s).lookAlikes}${fp.length ? `: ${d(s).falsePositives.map(describeFp).concat(d(s).unknown.map((u) => `${u.file} (not in the manifest)`)).join('; ')}` : ''}${mark(fp.length === 0)}`;
  }, '0');
  row('measured / planted bytes per test, leaks found: median (min–max)', (s) => (d(s)?.found.length ? `${fmtRatio(d(s).ratio.median)} (${fmtRatio(d(s).ratio.min)}–${fmtRatio(d(s).ratio.max)})` : '—'));
  row('verdicts from run to run (detection + timed runs with leak detection)', (s) => {
    const st = s.stability;
    if (st.runs === 0) return '—';
    const range = (v) => (Math.min(...v) === Math.max(...v) ? String(v[0]) : `${Math.min(...v)}–${Math.max(...v)}`);
    // The files each run flagged (older results: from the reports kept in the runs).
    const flags = st.flagged ?? [s.runs.detection, ...s.runs.leaks].filter((r) => r.report).map((r) => r.report.leaks.map((l) => l.file).sort());
    const sometimes = [...new Set(flags.flat())].filter((f) => !flags.every((x) => x.includes(f))).sort();
    const which = sometimes.map((f) => `${short(f)} in ${flags.filter((x) => x.includes(f)).length}`).join(', ');
    return `${st.sameFlags ? `the same files flagged in all ${st.runs} runs` : `not the same in all ${st.runs} runs: flagged ${which}`}; recall ≥ 1 MB ${range(st.recallAtFloor)}, over all ${range(st.recallAll)}, false positives ${range(st.falsePositives)}`;
  });
  const o = (s) => s.overhead;
  row('wall time: `redline run --no-cache --leaks`, median (min–max)', (s) => withRange(o(s).wallRange.leaks, fmtS));
  row('wall time: `redline run --no-cache --no-leaks`, median (min–max)', (s) => withRange(o(s).wallRange.noLeaks, fmtS));
  row('wall time: plain `vitest run` (reference), median (min–max)', (s) => withRange(o(s).wallRange.vitest, fmtS));
  row('**overhead of leak detection: wall on / off** (ratio of medians; per round)', (s) => `**${fmtRatio(o(s).ratio)}** (${o(s).pairRatios.map((x) => x.toFixed(3)).join(' / ')})${mark(o(s).ratio !== undefined ? o(s).ratio <= TARGET_OVERHEAD : undefined)}`, '≤ 1.15');
  row('… that is, per test (difference of medians / tests)', (s) => fmtMs(o(s).perTestMs));
  row('wall over plain Vitest: on · off', (s) => `${fmtRatio(o(s).leaksOverVitest)} · ${fmtRatio(o(s).noLeaksOverVitest)}`);
  row('CPU time of the tree (user+sys), median: on / off / Vitest', (s) => `${fmtS(o(s).treeCpuMs.leaks)} / ${fmtS(o(s).treeCpuMs.noLeaks)} / ${fmtS(o(s).treeCpuMs.vitest)} (on/off ${fmtRatio(ratio(o(s).treeCpuMs.leaks, o(s).treeCpuMs.noLeaks))})`);
  row("sum of the files' durations in Redline's report, median: on / off", (s) => `${fmtS(o(s).filesDurationMs.leaks)} / ${fmtS(o(s).filesDurationMs.noLeaks)} (${fmtRatio(ratio(o(s).filesDurationMs.leaks, o(s).filesDurationMs.noLeaks))})`);
  row("… of which the leaking files · the look-alikes: on / off", (s) => {
    const k = o(s).filesDurationMsByKind;
    const part = (x) => `${fmtS(x.leaks)} / ${fmtS(x.noLeaks)} (${fmtRatio(ratio(x.leaks, x.noLeaks))})`;
    return `${part(k.leaking)} · ${part(k.lookAlikes)}`;
  });
  row("peak tree RSS in Redline's report (memory.peakBytes), median: on / off", (s) => `${fmtBytes(o(s).peakBytes.leaks)} / ${fmtBytes(o(s).peakBytes.noLeaks)}`);
  row(`other load on the machine during the timed runs, median (cores of ${cpuCount})`, (s) => `${o(s).outsideCores?.toFixed(2) ?? '—'}${o(s).outsideCores > 0.3 ? ' — noisy' : ''}`);
  return rows;
}

function markdown(meta, sections, rows) {
  const lines = [];
  lines.push(`\`\`\`\n$ ${meta.command}\n\`\`\``);
  lines.push('');
  lines.push(
    `${meta.date} · commit ${meta.commit}${meta.dirty ? ' (+ local changes)' : ''} · dist built ${meta.distBuilt} (${meta.distHash}) · Node ${meta.node} · Vitest ${meta.vitest} · ${meta.cpus} CPUs · ${fmtBytes(meta.memBytes)} RAM · ${fmtS(meta.elapsedMs)} · load average ${meta.loadBefore} before, ${meta.loadAfter} after`,
  );
  lines.push('');
  lines.push(`| measure | ${sections.map((s) => `seed ${s.seed}`).join(' | ')} | target |`);
  lines.push(`|---|${sections.map(() => '---|').join('')}---|`);
  for (const r of rows) lines.push(`| ${r.measure} | ${r.cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} | ${r.target} |`);
  lines.push('');
  lines.push(
    `Method: bench/gen-leaks.mjs writes ${meta.files} files per seed (half leaking at rates spread from 0.5 to 4 MB per test, in several shapes and patterns; half look-alikes), with the truth in manifest.json. ` +
      'One untimed `redline run --no-cache --leaks --json` is scored against it (and warms the caches); a file counts as found when the report\'s `leaks` names it. ' +
      `Then ${meta.pairs} rounds of \`redline run --no-cache --leaks\` / \`redline run --no-cache --no-leaks\` / \`vitest run\`, the order rotated each round; figures are medians, wall time from spawn to exit. ` +
      'Each command runs in its own process group with a user\'s environment; tree CPU is what the bench reaps (cutime + cstime). "Other load" is machine CPU outside the measured tree and the bench, from /proc/stat. MB is 2^20 bytes.',
  );
  if (notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const n of notes) lines.push(`- ${n}`);
  }
  return lines.join('\n') + '\n';
}

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

/** The newest file under src/, to tell whether dist/ was built from the working tree. */
function newestSource(dir) {
  let newest = { path: undefined, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      const n = newestSource(full);
      if (n.mtimeMs > newest.mtimeMs) newest = n;
    } else {
      const m = statSync(full).mtimeMs;
      if (m > newest.mtimeMs) newest = { path: full, mtimeMs: m };
    }
  }
  return newest;
}

/** Copies dist/ aside (a rebuild during the bench must not mix two builds); returns facts about it. */
function snapshotDist(into) {
  mkdirSync(into, { recursive: true });
  const hash = createHash('sha256');
  let builtMs = 0;
  for (const name of DIST_FILES) {
    const from = join(DIST, name);
    copyFileSync(from, join(into, name));
    hash.update(readFileSync(join(into, name)));
    builtMs = Math.max(builtMs, statSync(from).mtimeMs);
  }
  return { hash: hash.digest('hex').slice(0, 12), builtMs };
}

function render(file) {
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  notes.push(...saved.notes);
  const rows = rowsFor(saved.seeds, saved.meta.cpus);
  const md = markdown(saved.meta, saved.seeds, rows);
  const out = file.replace(/\.json$/, '.md');
  writeFileSync(out, md);
  writeFileSync(file, `${JSON.stringify({ ...saved, rows }, null, 2)}\n`);
  process.stdout.write(md);
  console.error(`\nwrote ${relative(process.cwd(), out)} (re-rendered from ${relative(process.cwd(), file)})`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.render) return render(opts.render);
  if (process.platform !== 'linux') usage('the bench reads /proc: Linux only');
  for (const [file, what] of [...DIST_FILES.map((f) => [join(DIST, f), `dist/${f} (run \`node esbuild.mjs\` first)`]), [VITEST, 'node_modules/vitest (run `npm install`)']]) {
    if (!existsSync(file)) usage(`missing ${what}`);
  }
  const partial = opts.files !== DEFAULT_FILES || opts.pairs < MIN_PAIRS;
  const t0 = performance.now();
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  const args = process.argv.slice(2).join(' ');
  const event = process.env.npm_lifecycle_event;
  const command = event && /bench\/leaks\.mjs/.test(process.env.npm_lifecycle_script ?? '') ? `npm run ${event}${args ? ` -- ${args}` : ''}   # = ${process.env.npm_lifecycle_script}` : `node bench/leaks.mjs${args ? ` ${args}` : ''}`;
  console.error(`$ ${command}`);
  if (opts.pairs < MIN_PAIRS) notes.push(`--pairs ${opts.pairs}: fewer than ${MIN_PAIRS} rounds — a check, not figures to quote.`);

  tmpRoot = mkdtempSync(join(tmpdir(), 'redline-leaks-bench-'));
  distCopy = join(tmpRoot, 'dist');
  const dist = snapshotDist(distCopy);
  const src = newestSource(join(ROOT, 'src'));
  if (DIST !== join(ROOT, 'dist')) notes.push(`Redline ran from ${DIST}, not dist/.`);
  else if (src.mtimeMs > dist.builtMs) notes.push(`dist/ was built before the last change under src/ (${relative(ROOT, src.path)}): the figures are of the build, not of the working tree (\`node esbuild.mjs\` rebuilds).`);
  const sections = [];
  try {
    for (const seed of opts.seeds) sections.push(await seedSection(seed, opts));
  } finally {
    emergencyKill();
    if (opts.keep) console.error(`\nkept ${tmpRoot}`);
    else rmSync(tmpRoot, { recursive: true, force: true });
  }

  const meta = {
    command,
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']) || '?',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    distHash: `sha256 ${dist.hash}`,
    distBuilt: new Date(dist.builtMs).toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    vitest: versionOf(join(ROOT, 'node_modules', 'vitest', 'package.json')),
    cpus: cpus().length,
    memBytes: totalmem(),
    seeds: opts.seeds,
    files: opts.files,
    pairs: opts.pairs,
    elapsedMs: performance.now() - t0,
    loadBefore,
    loadAfter: loadavg().map((l) => l.toFixed(2)).join(' '),
    outsideLoad: median(outsideLoads),
  };
  const rows = rowsFor(sections, meta.cpus);
  const md = markdown(meta, sections, rows);
  const base = partial ? 'leaks-partial' : 'leaks';
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${base}.md`), md);
  writeFileSync(join(RESULTS, `${base}.json`), `${JSON.stringify({ meta, rows, notes, seeds: sections }, null, 2)}\n`);
  process.stdout.write(`\n${md}`);
  console.error(`\nwrote ${relative(process.cwd(), join(RESULTS, `${base}.md`))} and ${base}.json`);
}

await main();
