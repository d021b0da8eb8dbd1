// The property that the result cache never lies (issue 4, "How it is checked"): on a generated
// workspace (cache-property-workspace.ts: 12 modules with shared utilities, re-exports, a cycle and
// a dynamic import() of a literal; 16 test files asserting on values computed through the graph),
// random steps — edit a module's constant (its dependents' tests flip), edit a module cosmetically,
// edit a test file (re-baseline it, break one expectation, break the whole file), edit the Vitest
// config, or restore the exact earlier content of any file — and after each step:
//
//   - `redline run` (cache on, a fresh CLI and runner every step, the cache read from .redline/)
//     must report, file by file and test by test, the same states as a fresh plain Vitest run;
//   - each file must be a cache hit exactly when the contents of its inputs (its import closure by
//     the generator's own graph, and the config) are a combination Redline has already reported a
//     result for: every file the step did not affect is a hit, every file it did affect is a miss
//     unless the step brought back contents seen before (a revert).
//
// REDLINE_PROP_SEED replays a run (the seed is printed); REDLINE_PROP_STEPS sets the number of
// steps (default 200); REDLINE_PROP_LOG=1 prints every step. The workspace is kept when something fails, and its path printed.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, REPO_ROOT, requireBuiltCli } from './helpers';
import { RunReportSchema, type RunReport } from '../../src/protocol/report';
import {
  CONFIG, FMT, MATH, closure, inputsKey, makeGraph, prng, renderConfig, renderTest, type ConfigState, type Graph, type SourceState, type TestState,
} from './cache-property-workspace';

const SEED = process.env.REDLINE_PROP_SEED ? Number(process.env.REDLINE_PROP_SEED) : Math.floor(Math.random() * 2 ** 31);
const STEPS = process.env.REDLINE_PROP_STEPS ? Number(process.env.REDLINE_PROP_STEPS) : 200;
/** Every this many steps (and at the first and last) the oracle is also run as the config says. */
const ISOLATED_EVERY = 20;
const VITEST = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');

beforeAll(requireBuiltCli);

const children = new Set<number>();
afterAll(() => {
  // Only what this file started, by process group (each child leads its own).
  for (const pid of children) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Processes

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The environment of a user's shell: none of this suite's Vitest or Redline variables. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('REDLINE_') || key === 'FORCE_COLOR' || key === 'NODE_ENV' || key === 'TEST') continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function exec(args: readonly string[], cwd: string, env: Record<string, string>, timeoutMs = 120_000): Promise<Exit> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = child.pid!;
    children.add(pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      reject(new Error(`${args.join(' ')} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(pid);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Results, normalized: file state and per-test states, by relative path

type Outcome = { state: string; tests: Record<string, string> };

function fromRedline(report: RunReport): Map<string, Outcome & { cached: boolean }> {
  return new Map(
    report.files.map((f) => [f.path, { state: f.state, cached: f.cached, tests: Object.fromEntries(f.tests.map((t) => [t.fullName, t.state])) }]),
  );
}

interface VitestJson {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string }[];
  }[];
}

/** Vitest's JSON reporter: a file that failed with no test collected is what Redline calls broken. */
function fromVitest(root: string, json: VitestJson): Map<string, Outcome> {
  const testState = (s: string): string => (s === 'pending' || s === 'skipped' ? 'skipped' : s);
  return new Map(
    json.testResults.map((r) => [
      r.name.slice(root.length + 1).split('\\').join('/'),
      {
        state: r.status === 'failed' && r.assertionResults.length === 0 ? 'broken' : r.status,
        tests: Object.fromEntries(r.assertionResults.map((a) => [[...a.ancestorTitles, a.title].join(' > '), testState(a.status)])),
      },
    ]),
  );
}

const same = (a: Outcome | undefined, b: Outcome | undefined): boolean =>
  a !== undefined && b !== undefined && a.state === b.state && JSON.stringify(sortKeys(a.tests)) === JSON.stringify(sortKeys(b.tests));
const sortKeys = (o: Record<string, string>): [string, string][] => Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1));
const show = (o: Outcome | undefined): string => (o ? `${o.state} ${JSON.stringify(o.tests)}` : 'absent');

// ---------------------------------------------------------------------------------------------
// The workspace and its history

interface World {
  readonly root: string;
  readonly graph: Graph;
  /** Every state each file has had, in order; the last is the current one. */
  readonly sources: Map<string, SourceState[]>;
  readonly tests: Map<string, TestState[]>;
  readonly config: ConfigState[];
  readonly texts: Map<string, string>;
}

function write(w: World, path: string, text: string): void {
  const full = join(w.root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  w.texts.set(path, text);
}

const last = <T>(xs: readonly T[]): T => xs[xs.length - 1]!;
const currentK = (w: World): Map<string, number> => new Map([...w.sources].map(([p, h]) => [p, last(h).k]));

function createWorld(seed: number): World {
  const root = mkdtempSync(join(tmpdir(), 'redline-prop-'));
  const graph = makeGraph(seed);
  const w: World = { root, graph, sources: new Map(), tests: new Map(), config: [], texts: new Map() };
  write(w, 'package.json', JSON.stringify({ name: 'redline-prop', private: true, type: 'module' }) + '\n');
  write(w, '.gitignore', 'node_modules\n.redline\n.cache\n');
  w.config.push({ timeout: 5000 });
  write(w, CONFIG, renderConfig(last(w.config)));
  for (const p of graph.sources) {
    w.sources.set(p, [{ k: graph.initialK.get(p)!, rev: 0 }]);
    write(w, p, graph.render(p, last(w.sources.get(p)!)));
  }
  const k = currentK(w);
  for (const t of graph.tests) {
    w.tests.set(t, [{ expected: graph.entries.get(t)!.map((e) => e.value(k)), rev: 0 }]);
    write(w, t, renderTest(graph, t, last(w.tests.get(t)!)));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return w;
}

type Step = { kind: string; file: string };

/**
 * A source module to edit. The shared utilities affect nearly every test file (a full rerun, the
 * slowest kind of step): a third of the weight of the others keeps the test's length in bounds.
 */
function pickSource(g: Graph, rnd: ReturnType<typeof prng>): string {
  const weight = (p: string): number => (p === MATH || p === FMT ? 1 : 3);
  let r = rnd.next() * g.sources.reduce((s, p) => s + weight(p), 0);
  for (const p of g.sources) if ((r -= weight(p)) < 0) return p;
  return last(g.sources);
}

/** One random step; the weights keep most steps small (a few affected files) as real edits are. */
function randomStep(w: World, rnd: ReturnType<typeof prng>): Step {
  const g = w.graph;
  const roll = rnd.next();
  if (roll < 0.36) {
    const file = pickSource(g, rnd);
    const h = w.sources.get(file)!;
    // Half the time back to the first value (a developer toggling a setting): the dependents'
    // tests pass again, and the content may well be one the cache has seen.
    const first = h[0]!.k;
    let k = first !== last(h).k && rnd.next() < 0.5 ? first : rnd.int(1, 999);
    while (k === last(h).k) k = rnd.int(1, 999);
    h.push({ k, rev: last(h).rev });
    write(w, file, g.render(file, last(h)));
    return { kind: 'source constant', file };
  }
  if (roll < 0.41) {
    const file = pickSource(g, rnd);
    const h = w.sources.get(file)!;
    h.push({ k: last(h).k, rev: last(h).rev + 1 });
    write(w, file, g.render(file, last(h)));
    return { kind: 'source comment', file };
  }
  if (roll < 0.67) {
    const file = rnd.pick(g.tests);
    const h = w.tests.get(file)!;
    const prev = last(h);
    const k = currentK(w);
    const r = rnd.next();
    let next: TestState;
    let kind: string;
    if (r < 0.6) {
      next = { expected: g.entries.get(file)!.map((e) => e.value(k)), rev: prev.rev };
      kind = 'test re-baselined';
    } else if (r < 0.78) {
      const i = rnd.int(0, prev.expected.length - 1);
      next = { ...prev, expected: prev.expected.map((v, j) => (j === i ? -1 : v)) };
      kind = 'test expectation broken';
    } else if (r < 0.9) {
      next = { ...prev, rev: prev.rev + 1 };
      kind = 'test comment';
    } else {
      next = { ...prev, broken: rnd.next() < 0.5 ? 'throw' : 'syntax' };
      kind = `test broken (${next.broken})`;
    }
    h.push(next);
    write(w, file, renderTest(g, file, next));
    return { kind, file };
  }
  if (roll < 0.69) {
    let timeout = 5000 + 10 * rnd.int(0, 50);
    while (timeout === last(w.config).timeout) timeout = 5000 + 10 * rnd.int(0, 50);
    w.config.push({ timeout });
    write(w, CONFIG, renderConfig(last(w.config)));
    return { kind: 'config', file: CONFIG };
  }
  // A revert: the exact content some file had before (any earlier version, not only the last).
  const candidates = [
    ...[...w.sources].filter(([, h]) => new Set(h.map((s) => JSON.stringify(s))).size > 1).map(([p]) => p),
    ...[...w.tests].filter(([, h]) => new Set(h.map((s) => JSON.stringify(s))).size > 1).map(([p]) => p),
    ...(new Set(w.config.map((c) => c.timeout)).size > 1 ? [CONFIG] : []),
  ];
  if (candidates.length === 0) return randomStep(w, rnd);
  const file = rnd.pick(candidates);
  if (file === CONFIG) {
    const older = w.config.filter((c) => c.timeout !== last(w.config).timeout);
    w.config.push(rnd.pick(older));
    write(w, CONFIG, renderConfig(last(w.config)));
  } else if (w.sources.has(file)) {
    const h = w.sources.get(file)!;
    const older = h.filter((s) => JSON.stringify(s) !== JSON.stringify(last(h)));
    h.push(rnd.pick(older));
    write(w, file, g.render(file, last(h)));
  } else {
    const h = w.tests.get(file)!;
    const older = h.filter((s) => JSON.stringify(s) !== JSON.stringify(last(h)));
    h.push(rnd.pick(older));
    write(w, file, renderTest(g, file, last(h)));
  }
  return { kind: 'revert', file };
}

// ---------------------------------------------------------------------------------------------

describe('the result cache never lies', () => {
  test(`${STEPS} random edits and reverts: Redline (cache + affected) equals a fresh plain Vitest, file by file`, { timeout: Math.max(20 * 60_000, STEPS * 10_000) }, async () => {
    const t0 = performance.now();
    console.log(`cache-property: seed ${SEED} (REDLINE_PROP_SEED=${SEED} replays it), ${STEPS} steps`);
    const w = createWorld(SEED);
    const rnd = prng(SEED ^ 0x5eed);
    const out = mkdtempSync(join(tmpdir(), 'redline-prop-out-'));
    const rJson = join(out, 'redline.json');
    const vJson = join(out, 'vitest.json');
    const vIsoJson = join(out, 'vitest-isolated.json');

    const mismatches: string[] = [];
    const cacheLies: string[] = [];
    const oracleDisagreements: string[] = [];
    const affectedMismatches: string[] = [];
    /** Test path → input keys Redline has reported a result for (cached or run). */
    const seen = new Map<string, Set<string>>(w.graph.tests.map((t) => [t, new Set<string>()]));
    const closures = new Map(w.graph.tests.map((t) => [t, [...closure(w.graph, t), CONFIG]]));
    const stats = { hits: 0, misses: 0, stepsWithHits: 0, unaffectedHits: 0, revertHits: 0, redlineMs: 0, vitestMs: 0, isolatedMs: 0, failingFiles: 0, passingFiles: 0, brokenFiles: 0 };
    const log: string[] = [];

    for (let step = 0; step <= STEPS; step++) {
      const what: Step = step === 0 ? { kind: 'initial', file: '-' } : randomStep(w, rnd);
      const keys = new Map(w.graph.tests.map((t) => [t, inputsKey(w.texts, closures.get(t)!)]));
      rmSync(rJson, { force: true });
      rmSync(vJson, { force: true });
      // Side by side: both only read the workspace, and each keeps Vite's cache in a folder of its
      // own (PROP_CACHE_DIR). The oracle runs without isolation (one module registry per worker,
      // not per file) for speed: the generated modules hold no state a test could change, so
      // sharing them between files cannot change an outcome — and every ISOLATED_EVERY steps the
      // oracle also runs as the config says (forks, isolated), which must agree, file by file.
      const [redline, vitest] = await Promise.all([
        exec([CLI, 'run', '--root', w.root, '--json', rJson], w.root, { PROP_CACHE_DIR: '.cache/redline' }),
        exec([VITEST, 'run', '--root', w.root, '--pool=threads', '--no-isolate', '--reporter=json', `--outputFile=${vJson}`], w.root, { PROP_CACHE_DIR: '.cache/plain' }),
      ]);
      stats.redlineMs += redline.ms;
      stats.vitestMs += vitest.ms;
      const where = `step ${step} (${what.kind} ${what.file})`;
      if (redline.code !== 0 && redline.code !== 1) {
        mismatches.push(`${where}: redline exited ${redline.code}\n${redline.stdout}\n${redline.stderr}`);
        continue;
      }
      const report = RunReportSchema.parse(JSON.parse(readFileSync(rJson, 'utf8')));
      const r = fromRedline(report);
      const v = fromVitest(w.root, JSON.parse(readFileSync(vJson, 'utf8')) as VitestJson);

      if (step === 0 || step === STEPS || step % ISOLATED_EVERY === 0) {
        rmSync(vIsoJson, { force: true });
        const iso = await exec([VITEST, 'run', '--root', w.root, '--reporter=json', `--outputFile=${vIsoJson}`], w.root, { PROP_CACHE_DIR: '.cache/plain-isolated' });
        stats.isolatedMs += iso.ms;
        const vi = fromVitest(w.root, JSON.parse(readFileSync(vIsoJson, 'utf8')) as VitestJson);
        for (const t of w.graph.tests) {
          if (!same(vi.get(t), v.get(t))) oracleDisagreements.push(`${where} ${t}: isolated ${show(vi.get(t))} · shared ${show(v.get(t))}`);
          if (!same(r.get(t), vi.get(t))) mismatches.push(`${where} ${t}: redline ${show(r.get(t))} · vitest (isolated) ${show(vi.get(t))}`);
        }
      }

      let hits = 0;
      for (const t of w.graph.tests) {
        const rf = r.get(t);
        const vf = v.get(t);
        if (!same(rf, vf)) mismatches.push(`${where} ${t}: redline ${show(rf)}${rf?.cached ? ' (cached)' : ''} · vitest ${show(vf)}`);
        if (!rf) continue;
        const key = keys.get(t)!;
        const expectCached = seen.get(t)!.has(key);
        if (rf.cached !== expectCached) {
          cacheLies.push(`${where} ${t}: cached ${rf.cached}, expected ${expectCached} (${expectCached ? 'inputs seen before' : 'inputs never seen: a hit would answer for code that did not run'})`);
        }
        if (rf.cached) {
          hits++;
          if (closures.get(t)!.includes(what.file) && what.kind === 'revert') stats.revertHits++;
          else stats.unaffectedHits++;
        }
        if (['passed', 'failed', 'broken', 'skipped'].includes(rf.state)) seen.get(t)!.add(key);
        if (vf?.state === 'passed') stats.passingFiles++;
        else if (vf?.state === 'broken') stats.brokenFiles++;
        else stats.failingFiles++;
      }
      if (report.cache.hits !== hits) cacheLies.push(`${where}: report.cache.hits ${report.cache.hits}, but ${hits} files are marked cached`);
      stats.hits += report.cache.hits;
      stats.misses += report.cache.misses;
      if (report.cache.hits > 0) stats.stepsWithHits++;
      log.push(`${where}: ${report.cache.hits} hits, ${report.cache.misses} misses; redline ${Math.round(redline.ms)} ms, vitest ${Math.round(vitest.ms)} ms`);

      // Now and then, `redline affected` on a source module against the generator's graph.
      if (step > 0 && step % 25 === 0) {
        const src = rnd.pick(w.graph.sources);
        const expected = w.graph.tests.filter((t) => closures.get(t)!.includes(src)).sort();
        const res = await exec([CLI, 'affected', src, '--root', w.root, '--json'], w.root, { PROP_CACHE_DIR: '.cache/redline' });
        const got = res.code === 0 ? (JSON.parse(res.stdout) as { files: string[] }).files : [`exit ${res.code}: ${res.stderr}`];
        if (JSON.stringify(got) !== JSON.stringify(expected)) affectedMismatches.push(`${where} affected ${src}: ${JSON.stringify(got)} · expected ${JSON.stringify(expected)}`);
      }
      if (step % 10 === 0) {
        const s = ((performance.now() - t0) / 1000).toFixed(0);
        console.log(`cache-property: step ${step}/${STEPS} at ${s} s · ${mismatches.length} mismatches · ${cacheLies.length} cache-flag errors · hits ${stats.hits} misses ${stats.misses}`);
      }
    }

    const total = (performance.now() - t0) / 1000;
    const files = STEPS + 1;
    console.log(
      [
        `cache-property: seed ${SEED}, ${STEPS} steps in ${total.toFixed(0)} s ` +
          `(redline ${(stats.redlineMs / files).toFixed(0)} ms/step, plain vitest ${(stats.vitestMs / files).toFixed(0)} ms/step beside it, isolated oracle ${(stats.isolatedMs / 1000).toFixed(0)} s in all)`,
        `  mismatches ${mismatches.length} · cache-flag errors ${cacheLies.length} · oracle disagreements ${oracleDisagreements.length} · affected mismatches ${affectedMismatches.length}`,
        `  cache: ${stats.hits} hits, ${stats.misses} misses; ${stats.stepsWithHits}/${files} steps with hits; ${stats.revertHits} hits of affected files after reverts`,
        `  file outcomes over all steps: ${stats.passingFiles} passed, ${stats.failingFiles} failed, ${stats.brokenFiles} broken`,
      ].join('\n'),
    );
    const ok = mismatches.length + cacheLies.length + oracleDisagreements.length + affectedMismatches.length === 0;
    if (!ok) console.log(`cache-property: workspace kept at ${w.root}`);
    if (!ok || process.env.REDLINE_PROP_LOG) console.log(log.join('\n'));
    expect(mismatches, 'Redline vs a fresh plain Vitest').toEqual([]);
    expect(cacheLies, 'cached exactly when the inputs were seen before').toEqual([]);
    expect(oracleDisagreements, 'the shared-module oracle agrees with the isolated one').toEqual([]);
    expect(affectedMismatches, 'redline affected vs the generated graph').toEqual([]);
    // The cache was really used: most steps answer most files from it, and reverts hit.
    if (STEPS >= 50) expect(stats.stepsWithHits).toBeGreaterThan(STEPS * 0.8);
    expect(stats.hits).toBeGreaterThan(stats.misses);
    if (STEPS >= 50) expect(stats.revertHits).toBeGreaterThan(0);
    // Outcomes really flipped: both passing and failing files were seen.
    expect(stats.passingFiles).toBeGreaterThan(0);
    expect(stats.failingFiles).toBeGreaterThan(0);
    rmSync(w.root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });
});
