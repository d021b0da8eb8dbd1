#!/usr/bin/env node
// Issue 4's figures: the result cache, affected-test selection and watch mode, against plain
// Vitest in the same run, on the generated suite (bench/gen-suite.mjs, 200 files):
//
//   node bench/cache-watch.mjs [--quick] [--only a,b,c,d] [--files N] [--pairs N] [--edits N]
//                              [--reruns N] [--keep]
//
//   a  unchanged rerun: `redline run` served from the cache vs `vitest run`        target ≥ 20× faster
//   b  one source file edited: `redline run` (cache + the affected files rerun) vs
//      `vitest related FILE --run`                                                  target ≤ 1.0×
//   c  watch: save-to-result latency of `redline watch` vs `vitest --watch`         target ≤ 1.0×
//      and tree RSS after N reruns vs after the first rerun (Redline within 10 %; Vitest's beside it;
//      Redline's first run is all cache hits, so its warm-up is the first rerun — both sides are
//      measured from there, and from the first run too)
//   d  `git checkout` to a branch that touches 10 % of the sources and back: hits and misses each
//      way (the way back must be all hits)
//
// Redline and Vitest alternate (R V R V … in a and b; in c one watcher at a time, as both would
// react to the same save). Every command is spawned in a process group of its own, with the
// environment of a user's shell (no VITEST*, REDLINE_*, CI), no TTY. Memory is the RSS of the
// command's whole process tree, summed from /proc/<pid>/statm over the ppid links of /proc/*/stat.
//
// Writes bench/results/cache-watch.json (every measurement, raw) and bench/results/cache-watch.md
// (the table); a partial run (--quick, --only, --files other than 200) writes cache-watch-partial.*. Linux only (/proc). Build first (node esbuild.mjs): it runs dist/cli.js.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const RESULTS = join(ROOT, 'bench', 'results');
const NODE = process.execPath;
const SECTIONS = ['a', 'b', 'c', 'd'];
/** Redline's watch: the line that ends a run (its verdict), as watch-render.ts prints it. */
const REDLINE_RUN_END = /^ (?:PASS|FAIL| STOP ) .*\(\d+ files?\).*$/m;
/** Vitest's watch: the summary of a run ("Test Files  8 passed (8)"). */
const VITEST_RUN_END = /^\s*Test Files\s+.*\(\d+\)\s*$/m;

// ---------------------------------------------------------------------------------------------
// Options

function usage(message) {
  if (message) console.error(`cache-watch: ${message}`);
  console.error('usage: node bench/cache-watch.mjs [--quick] [--only a,b,c,d] [--files N] [--pairs N] [--edits N] [--reruns N] [--keep]');
  process.exit(3);
}

function parseArgs(argv) {
  const opts = { quick: false, only: new Set(), files: 200, pairs: undefined, edits: undefined, reruns: undefined, keep: false };
  const int = (name, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`${name} needs a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--keep') opts.keep = true;
    else if (arg === '--only') for (const s of (argv[++i] ?? '').split(',').filter(Boolean)) SECTIONS.includes(s) ? opts.only.add(s) : usage(`unknown section ${s}`);
    else if (arg === '--files') opts.files = int(arg, argv[++i]);
    else if (arg === '--pairs') opts.pairs = int(arg, argv[++i]);
    else if (arg === '--edits') opts.edits = int(arg, argv[++i]);
    else if (arg === '--reruns') opts.reruns = int(arg, argv[++i]);
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  opts.pairs ??= opts.quick ? 1 : 3;
  opts.edits ??= opts.quick ? 2 : 5;
  opts.reruns ??= opts.quick ? 10 : 100;
  return opts;
}

// ---------------------------------------------------------------------------------------------
// /proc: tree RSS

const PAGE = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** pid → ppid for every process, in one pass over /proc. */
function parents() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readText(`/proc/${name}/stat`);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue;
    out.set(Number(name), Number(fields[1]));
  }
  return out;
}

/** Summed RSS of `root` and every process below it. */
function treeRss(root) {
  const table = parents();
  const children = new Map();
  for (const [pid, ppid] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let sum = 0;
  const stack = table.has(root) ? [root] : [];
  while (stack.length > 0) {
    const pid = stack.pop();
    const statm = readText(`/proc/${pid}/statm`);
    if (statm) sum += Number(statm.split(' ')[1]) * PAGE;
    stack.push(...(children.get(pid) ?? []));
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** A user's shell: none of a test runner's variables, no CI (which changes both tools' output). */
function userEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VITEST') || k.startsWith('REDLINE_') || k === 'FORCE_COLOR' || k === 'CI' || k === 'NODE_ENV' || k === 'TEST') continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1' };
}

const groups = new Set();
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone.
  }
}
process.on('exit', () => {
  for (const g of groups) killGroup(g);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`\ncache-watch: ${sig}: stopped every process it started`);
    process.exit(130);
  });
}

/** A long-lived command (a watcher): output kept with the time each chunk arrived. */
class Proc {
  constructor(args, cwd) {
    this.out = '';
    this.t0 = performance.now();
    this.child = spawn(NODE, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.pid = this.child.pid;
    groups.add(this.pid);
    this.waiters = new Set();
    const onData = (chunk) => {
      this.out += chunk.toString('utf8');
      const at = performance.now();
      for (const w of this.waiters) w(at);
    };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => {
      groups.delete(this.pid);
      res({ code, signal, wallMs: performance.now() - this.t0 });
    }));
  }

  /** When `re` first matches the output after `mark` (an offset into it): the time it arrived. */
  waitFor(re, mark, timeoutMs, what) {
    return new Promise((res, rej) => {
      const check = (at) => {
        if (!re.test(this.out.slice(mark))) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        res(at);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output since:\n${this.out.slice(mark).slice(-3000)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check(performance.now());
    });
  }

  /** SIGTERM (both tools end cleanly on it), then the group killed if it lingers. */
  async stop() {
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      // Gone.
    }
    const t = setTimeout(() => killGroup(this.pid), 15_000);
    const exit = await this.exited;
    clearTimeout(t);
    killGroup(this.pid); // whatever of its group outlived it
    return exit;
  }
}

/** Runs `node args…` to the end: wall time, exit code, output. */
async function run(args, cwd, timeoutMs = 300_000) {
  const p = new Proc(args, cwd);
  const timer = setTimeout(() => killGroup(p.pid), timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  killGroup(p.pid);
  return { ...exit, out: p.out };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** RSS of the tree once it is idle: the median of 5 samples over a second. */
async function idleRss(pid) {
  await sleep(1000);
  const samples = [];
  for (let i = 0; i < 5; i++) {
    samples.push(treeRss(pid));
    await sleep(200);
  }
  return median(samples);
}

// ---------------------------------------------------------------------------------------------
// Figures

function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function quantile(xs, q) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : undefined;
}
const fmtS = (ms) => (ms === undefined ? '—' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const fmtMB = (b) => (b === undefined ? '—' : `${(b / 1048576).toFixed(0)} MB`);
const range = (xs, f) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const mark = (ok) => (ok === undefined ? '' : ok ? ' ✓' : ' ✗');

const rows = [];
function row(measure, redline, vitest, ratio, target) {
  rows.push({ measure, redline, vitest, ratio, target });
  console.error(`  → ${measure}: Redline ${redline} · Vitest ${vitest} · ${ratio} · ${target}`);
}

function readReport(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The workspace

function git(dir, ...args) {
  return execFileSync('git', ['-c', 'user.email=bench@redline.invalid', '-c', 'user.name=Redline Bench', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
  });
}

/** Module path → the generated module paths it imports (the suite's own relative imports). */
function importGraph(ws) {
  const graph = new Map();
  const scan = (rel) => {
    const text = readFileSync(join(ws, rel), 'utf8');
    const deps = [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => join(dirname(rel), m[1]).split('\\').join('/'));
    graph.set(rel, deps);
  };
  for (const f of readdirSync(join(ws, 'src'))) if (f.endsWith('.js')) scan(`src/${f}`);
  for (const f of readdirSync(join(ws, 'test'))) if (f.endsWith('.js')) scan(`test/${f}`);
  return graph;
}

/** Test files whose closure holds `file`. */
function dependents(graph, file) {
  const out = [];
  for (const t of graph.keys()) {
    if (!t.startsWith('test/')) continue;
    const seen = new Set();
    const stack = [t];
    while (stack.length) {
      const f = stack.pop();
      if (seen.has(f)) continue;
      seen.add(f);
      stack.push(...(graph.get(f) ?? []));
    }
    if (seen.has(file)) out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const want = (s) => opts.only.size === 0 || opts.only.has(s);
  if (!existsSync(CLI)) usage('dist/cli.js is missing: run `node esbuild.mjs` first');
  const started = Date.now();
  const load0 = loadavg();
  const vitestVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'vitest', 'package.json'), 'utf8')).version;
  let commit = '?';
  try {
    commit = git(ROOT, 'rev-parse', '--short', 'HEAD').trim() + (git(ROOT, 'status', '--porcelain', '--', 'src').trim() ? ' (+ local changes in src/)' : '');
  } catch {
    // Not a git checkout.
  }

  const base = mkdtempSync(join(tmpdir(), 'redline-cache-watch-'));
  const ws = join(base, 'suite');
  execFileSync(NODE, [join(ROOT, 'bench', 'gen-suite.mjs'), ws, '--files', String(opts.files)], { stdio: 'inherit' });
  writeFileSync(join(ws, '.gitignore'), 'node_modules\n.redline\n.cache\n');
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'add', '-A');
  git(ws, 'commit', '-q', '-m', 'suite');
  const report = join(base, 'report.json');
  const raw = { opts, ws, sections: {} };

  const redlineRun = async (label) => {
    rmSync(report, { force: true });
    const r = await run([CLI, 'run', '--root', ws, '--json', report], ws);
    const rep = readReport(report);
    const res = { label, wallMs: r.wallMs, code: r.code, hits: rep?.cache?.hits, misses: rep?.cache?.misses, files: rep?.summary?.files, passed: rep?.summary?.passed };
    console.error(`  redline ${label.padEnd(28)} ${fmtS(r.wallMs).padStart(9)}  exit ${r.code}  hits ${res.hits} misses ${res.misses}`);
    if (!rep) console.error(r.out.slice(-2000));
    return res;
  };
  const vitestCmd = async (label, args) => {
    const r = await run([VITEST, ...args, '--root', ws], ws);
    const files = /Test Files\s+(.*)\((\d+)\)/.exec(r.out);
    const res = { label, wallMs: r.wallMs, code: r.code, files: files ? Number(files[2]) : undefined, summary: files?.[1]?.trim() };
    console.error(`  vitest  ${label.padEnd(28)} ${fmtS(r.wallMs).padStart(9)}  exit ${r.code}  files ${res.files} (${res.summary})`);
    if (r.code !== 0) console.error(r.out.slice(-2000));
    return res;
  };

  // The cache's first fill: every file runs (a cold Redline run, beside a plain one for scale).
  console.error('\ncold: the first Redline run fills the cache');
  const cold = await redlineRun('cold (cache empty)');
  raw.cold = cold;

  // The module edited in b and c: the one whose edit affects the median number of test files
  // among the modules that affect any — an ordinary edit, neither a leaf nor a hub.
  const graph = importGraph(ws);
  const modules = [...graph.keys()].filter((f) => /^src\/mod-\d+\.js$/.test(f)).map((f) => ({ f, n: dependents(graph, f).length })).filter((m) => m.n > 0).sort((a, b) => a.n - b.n);
  const target = modules[modules.length >> 1];
  const targetText = readFileSync(join(ws, target.f), 'utf8');
  let editNo = 0;
  /** A new content for the target every time (a comment), so Redline's cache cannot answer it. */
  const editTarget = () => writeFileSync(join(ws, target.f), `${targetText}// bench edit ${++editNo}\n`);
  const restoreTarget = () => writeFileSync(join(ws, target.f), targetText);
  console.error(`edited module for b and c: ${target.f} (${target.n} of ${opts.files} test files import it, directly or not)`);
  raw.target = target;

  if (want('a')) {
    console.error(`\na: unchanged rerun, ${opts.pairs} pairs`);
    const r = [];
    const v = [];
    for (let i = 0; i < opts.pairs; i++) {
      // Alternate who goes first, so a warming machine favours neither.
      if (i % 2 === 0) {
        r.push(await redlineRun(`unchanged #${i + 1}`));
        v.push(await vitestCmd(`run #${i + 1}`, ['run']));
      } else {
        v.push(await vitestCmd(`run #${i + 1}`, ['run']));
        r.push(await redlineRun(`unchanged #${i + 1}`));
      }
    }
    raw.sections.a = { redline: r, vitest: v };
    const mr = median(r.map((x) => x.wallMs));
    const mv = median(v.map((x) => x.wallMs));
    const speedup = mv / mr;
    row(`a. unchanged rerun, ${opts.files} files: wall time, median of ${opts.pairs} (min–max)`, range(r.map((x) => x.wallMs), fmtS), range(v.map((x) => x.wallMs), fmtS), `${speedup.toFixed(1)}× faster`, `≥ 20×${mark(speedup >= 20)}`);
    row('a. … served from the cache (hits / misses per run)', r.map((x) => `${x.hits}/${x.misses}`).join(', '), '—', '—', `all hits${mark(r.every((x) => x.hits === opts.files && x.misses === 0))}`);
    row(`a. (scale) Redline's first, cold run that filled the cache`, fmtS(cold.wallMs), fmtS(mv), (cold.wallMs / mv).toFixed(2), '—');
  }

  if (want('b')) {
    console.error(`\nb: one source file edited (${target.f}), ${opts.edits} edits`);
    const r = [];
    const v = [];
    for (let i = 0; i < opts.edits; i++) {
      editTarget();
      const doR = async () => r.push(await redlineRun(`edit #${i + 1}`));
      const doV = async () => v.push(await vitestCmd(`related #${i + 1}`, ['related', target.f, '--run']));
      if (i % 2 === 0) {
        await doR();
        await doV();
      } else {
        await doV();
        await doR();
      }
    }
    restoreTarget();
    raw.sections.b = { target, redline: r, vitest: v };
    const mr = median(r.map((x) => x.wallMs));
    const mv = median(v.map((x) => x.wallMs));
    row(`b. one source file edited (${target.f}, ${target.n} test files affected): wall time, median of ${opts.edits} (min–max) · vs \`vitest related FILE --run\``, range(r.map((x) => x.wallMs), fmtS), range(v.map((x) => x.wallMs), fmtS), (mr / mv).toFixed(2), `≤ 1.0${mark(mr / mv <= 1)}`);
    row('b. … test files run (Redline: cache misses, the rest hits)', `${median(r.map((x) => x.misses))} run, ${median(r.map((x) => x.hits))} from cache`, `${median(v.map((x) => x.files))} run`, '—', `${target.n} (the affected ones)${mark(r.every((x) => x.misses === target.n))}`);
  }

  if (want('d')) {
    console.error('\nd: switching branches (10 % of the sources touched) and back');
    // The cache holds main: make sure (nothing changed since, so this is all hits).
    const warm = await redlineRun('main (warm)');
    const sources = [...graph.keys()].filter((f) => /^src\/mod-\d+\.js$/.test(f));
    const count = Math.max(1, Math.round(sources.length / 10));
    // Every n-th module. gen-suite makes every fifth module a hub, so with 50 modules these are
    // all hubs: a branch of wide reach (over half the test files), the hard case for the way
    // there; the way back must be all hits whatever the reach.
    const touched = sources.filter((_, i) => i % Math.floor(sources.length / count) === 0).slice(0, count);
    git(ws, 'checkout', '-q', '-b', 'feature');
    for (const f of touched) writeFileSync(join(ws, f), `${readFileSync(join(ws, f), 'utf8')}\nexport const FEATURE = ${touched.indexOf(f) + 1};\n`);
    git(ws, 'commit', '-q', '-am', 'feature: touch 10% of the sources');
    git(ws, 'checkout', '-q', 'main');
    const affected = new Set(touched.flatMap((f) => dependents(graph, f)));
    const steps = [];
    for (const [branch, label] of [['feature', 'to feature (first time)'], ['main', 'back to main'], ['feature', 'to feature again'], ['main', 'back to main again']]) {
      git(ws, 'checkout', '-q', branch);
      steps.push({ branch, label, ...(await redlineRun(label)) });
    }
    raw.sections.d = { warm, touched, affected: affected.size, steps };
    for (const s of steps) {
      const allHits = s.hits === opts.files && s.misses === 0;
      const expect = s.label === 'to feature (first time)' ? `${affected.size} misses (the affected files)${mark(s.misses === affected.size)}` : `all hits${mark(allHits)}`;
      row(`d. \`git checkout\` ${s.label} (${touched.length} of ${sources.length} sources differ): hits / misses, wall time`, `${s.hits} / ${s.misses}, ${fmtS(s.wallMs)}`, '—', '—', expect);
    }
  }

  if (want('c')) {
    console.error(`\nc: watch, ${opts.reruns} edits of ${target.f} per watcher`);
    const watchers = [
      { name: 'redline', args: [CLI, 'watch', '--root', ws], end: REDLINE_RUN_END },
      { name: 'vitest', args: [VITEST, '--watch', '--root', ws], end: VITEST_RUN_END },
    ];
    const results = {};
    for (const w of watchers) {
      const p = new Proc(w.args, ws);
      const res = { latencies: [], startMs: undefined, rssFirst: undefined, rssLast: undefined, rssAt: [] };
      try {
        const startAt = await p.waitFor(w.end, 0, 300_000, `${w.name}'s first run`);
        res.startMs = startAt - p.t0;
        res.rssFirst = await idleRss(p.pid);
        console.error(`  ${w.name}: first run done after ${fmtS(res.startMs)}, idle tree RSS ${fmtMB(res.rssFirst)}`);
        for (let i = 0; i < opts.reruns; i++) {
          const before = p.out.length;
          // Let the watcher settle (its debounce, Vitest's "waiting" line) before the next save.
          await sleep(300);
          const at = performance.now();
          editTarget();
          const done = await p.waitFor(w.end, before, 120_000, `${w.name}'s rerun #${i + 1}`);
          res.latencies.push(done - at);
          // The growth target is measured from here: Redline's first run answers everything from
          // the cache, so the first real run (Vite's transforms, the pool) is the warm-up that
          // Vitest's first run already paid. Both sides are measured from their first rerun.
          if (i === 0) res.rssFirstRerun = await idleRss(p.pid);
          if ((i + 1) % 10 === 0) {
            const rss = treeRss(p.pid);
            res.rssAt.push({ rerun: i + 1, rss });
            console.error(`  ${w.name}: rerun ${i + 1}: latency median ${fmtS(median(res.latencies))}, tree RSS now ${fmtMB(rss)}`);
          }
        }
        res.rssLast = await idleRss(p.pid);
      } catch (error) {
        res.error = error instanceof Error ? error.message : String(error);
        console.error(`  ${w.name}: ${res.error}`);
      } finally {
        res.exit = await p.stop();
        restoreTarget();
      }
      results[w.name] = res;
    }
    raw.sections.c = results;
    const R = results.redline;
    const V = results.vitest;
    const lr = median(R.latencies);
    const lv = median(V.latencies);
    const pct = (x, from = x.rssFirstRerun) => (from && x.rssLast ? ((x.rssLast - from) / from) * 100 : undefined);
    const fmtLat = (x) => (x.latencies.length ? `${fmtS(median(x.latencies))} (p90 ${fmtS(quantile(x.latencies, 0.9))}; ${x.latencies.length} saves)` : `not measured${x.error ? `: ${x.error.split('\n')[0]}` : ''}`);
    row(`c. watch: save-to-result latency, edit of ${target.f} (${target.n} test files affected), median (p90)`, fmtLat(R), fmtLat(V), lr && lv ? (lr / lv).toFixed(2) : '—', `≤ 1.0${lr && lv ? mark(lr / lv <= 1) : ''}`);
    row('c. watch: start to first result (Redline: from the cache)', fmtS(R.startMs), fmtS(V.startMs), R.startMs && V.startMs ? (R.startMs / V.startMs).toFixed(2) : '—', '—');
    const fmtGrowth = (x, from) => (from && x.rssLast ? `${fmtMB(from)} → ${fmtMB(x.rssLast)} (${pct(x, from) >= 0 ? '+' : ''}${pct(x, from).toFixed(1)} %)` : '—');
    row(`c. watch: idle tree RSS after the first rerun → after ${opts.reruns} reruns`, fmtGrowth(R, R.rssFirstRerun), fmtGrowth(V, V.rssFirstRerun), '—', `Redline within 10 %${pct(R) !== undefined ? mark(Math.abs(pct(R)) <= 10) : ''}`);
    row(`c. … from the first run (Redline's: all from the cache, before any worker ran) → after ${opts.reruns} reruns`, fmtGrowth(R, R.rssFirst), fmtGrowth(V, V.rssFirst), '—', '—');
  }

  // -------------------------------------------------------------------------------------------
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const header =
    '```\n$ node bench/cache-watch.mjs' + (process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : '') + '\n```\n\n' +
    `${new Date(started).toISOString()} · commit ${commit} · Node ${process.version} · Vitest ${vitestVersion} · ${cpus().length} CPUs · ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GB RAM · ${opts.files}-file generated suite (bench/gen-suite.mjs) · ${seconds} s · ` +
    `load average ${load0.map((l) => l.toFixed(2)).join(' ')} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after\n`;
  const table = ['| measure | Redline | plain Vitest | ratio | target |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.measure} | ${r.redline} | ${r.vitest} | ${r.ratio} | ${r.target} |`)].join('\n');
  const md = `${header}\n${table}\n`;
  mkdirSync(RESULTS, { recursive: true });
  // A partial or quick run keeps its own files: the full run's figures (quoted in the README) stay.
  const partial = opts.only.size > 0 || opts.quick || opts.files !== 200;
  const only = partial ? `-partial` : '';
  writeFileSync(join(RESULTS, `cache-watch${only}.md`), md);
  writeFileSync(join(RESULTS, `cache-watch${only}.json`), JSON.stringify({ startedAt: new Date(started).toISOString(), commit, node: process.version, vitest: vitestVersion, cpus: cpus().length, rows, raw }, null, 2) + '\n');
  console.log(md);
  if (opts.keep) console.error(`workspace kept: ${ws}`);
  else rmSync(base, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(4);
});
