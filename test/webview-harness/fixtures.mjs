// Panel states for the harness: what a workspace looks like mid-way through a day of TDD, plus
// the empty states and a 5,000-test tree for the render benchmark. Deterministic (a seeded
// random), so screenshots and figures compare from run to run.

const MB = 1024 * 1024;
const GB = 1024 * MB;
const NOW = Date.UTC(2025, 4, 14, 9, 30, 0);
export const FIXTURE_NOW = NOW;

function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TIERS = { warning: 40, critical: 60, emergency: 80, terminal: 95 };

function tierOf(bytes, limit) {
  const pct = (bytes / limit) * 100;
  if (pct >= TIERS.terminal) return 'terminal';
  if (pct >= TIERS.emergency) return 'emergency';
  if (pct >= TIERS.critical) return 'critical';
  if (pct >= TIERS.warning) return 'warning';
  return 'ok';
}

const RUNNER = { state: 'running', pid: 48211, vitestVersion: '3.2.4', nodeVersion: 'v22.11.0', restarts: 0, since: NOW - 4 * 60_000 };

// ---- memory -----------------------------------------------------------------------------------

export function memoryState() {
  const limit = 2 * GB;
  const rnd = random(7);
  const samples = [];
  // A first run of 70 s that stayed low, then the current one, 110 s in, climbing through the
  // warning tier while session-cache.test.ts leaks.
  for (let t = 0; t <= 70_000; t += 1000) {
    const rss = 380 * MB + Math.sin(t / 9000) * 60 * MB + rnd() * 25 * MB + (t > 10_000 ? 150 * MB : (t / 10_000) * 150 * MB);
    samples.push({ atMs: t, rssBytes: rss, limitBytes: limit, tier: tierOf(rss, limit) });
  }
  for (let t = 0; t <= 110_000; t += 1000) {
    const ramp = Math.min(1, t / 8000);
    const leak = t > 30_000 ? (t - 30_000) * 6.2 * 1024 : 0;
    const rss = ramp * (420 * MB) + 90 * MB + leak + rnd() * 30 * MB + Math.sin(t / 5000) * 25 * MB;
    samples.push({ atMs: t, rssBytes: rss, limitBytes: limit, tier: tierOf(rss, limit) });
  }
  const lastRss = samples.at(-1).rssBytes;
  const processes = [
    { pid: 48211, role: 'runner', rssBytes: 182 * MB },
    { pid: 48240, role: 'worker', rssBytes: 512 * MB, file: 'test/session-cache.test.ts', test: 'SessionCache > keeps every session it has seen' },
    { pid: 48241, role: 'worker', rssBytes: 131 * MB, file: 'src/parser/tokenizer.test.ts', test: 'tokenizer > splits template literals' },
    { pid: 48242, role: 'worker', rssBytes: 98 * MB, file: 'src/api/routes.test.ts', test: 'routes > GET /users returns 200' },
    { pid: 48260, role: 'child', rssBytes: 21 * MB, file: 'src/api/routes.test.ts' },
  ];
  const total = processes.reduce((s, p) => s + p.rssBytes, 0);
  const scale = lastRss / total;
  const latest = {
    atMs: 110_000,
    treeRssBytes: lastRss,
    limitBytes: limit,
    tier: tierOf(lastRss, limit),
    processes: processes.map((p) => ({ ...p, rssBytes: Math.round(p.rssBytes * scale) })),
  };
  const actions = [
    { atMs: 62_400, action: 'warn', tier: 'warning', rssBytes: 0.41 * limit, reason: 'tree memory reached the warning tier' },
    { atMs: 88_100, action: 'throttle', tier: 'critical', rssBytes: 0.61 * limit, reason: 'tree memory reached the critical tier' },
    { atMs: 88_150, action: 'gc', tier: 'critical', rssBytes: 0.61 * limit, reason: 'asked workers to collect garbage' },
    { atMs: 94_900, action: 'release', tier: 'warning', rssBytes: 0.52 * limit, reason: 'memory is back below the critical tier' },
    { atMs: 101_300, action: 'stop', tier: 'emergency', rssBytes: 0.83 * limit, file: 'test/hoard.test.ts', test: 'hoard > keeps a copy of every buffer it reads', reason: 'memory: fastest-growing worker while memory kept rising' },
  ];
  return { samples, latest, actions, tierPercents: TIERS, runner: RUNNER };
}

export function memoryEmptyState() {
  return { samples: [], latest: null, actions: [], tierPercents: TIERS, runner: { state: 'idle', restarts: 0, since: NOW - 30_000 } };
}

// ---- phases -------------------------------------------------------------------------------------

function record(fullName, phase, opts = {}) {
  const name = fullName.split(' > ').at(-1);
  const history = opts.history ?? [{ phase, at: NOW - 60_000 }];
  return { fullName, name, phase, neverFailed: opts.neverFailed ?? false, since: history.at(-1).at, history, ...(opts.beforeBroken ? { beforeBroken: opts.beforeBroken } : {}) };
}

const H = (...changes) => changes.map(([phase, minutesAgo]) => ({ phase, at: NOW - minutesAgo * 60_000 }));

export function phasesState() {
  return {
    phases: {
      files: [
        {
          path: 'src/api/routes.test.ts',
          broken: null,
          tests: [
            record('routes > GET /users returns 200', 'GREEN', { history: H(['RED', 190], ['YELLOW', 170], ['GREEN', 160]) }),
            record('routes > GET /users/:id returns 404 for an unknown id', 'YELLOW', { history: H(['RED', 14], ['YELLOW', 6]) }),
            record('routes > POST /users validates the body', 'RED', { history: H(['RED', 3]) }),
            record('routes > auth > rejects a missing token', 'GREEN', { history: H(['RED', 300], ['YELLOW', 280], ['GREEN', 250]) }),
            record('routes > auth > rejects an expired token', 'YELLOW', { neverFailed: true, history: H(['YELLOW', 20]) }),
          ],
        },
        {
          path: 'src/parser/tokenizer.test.ts',
          broken: null,
          tests: [
            record('tokenizer > splits identifiers', 'GREEN', { history: H(['RED', 2000], ['YELLOW', 1990], ['GREEN', 1900]) }),
            record('tokenizer > splits template literals', 'RED', { history: H(['RED', 900], ['YELLOW', 880], ['GREEN', 860], ['RED', 1]) }),
            record('tokenizer > keeps </script> inside a string literal', 'GREEN', { history: H(['RED', 500], ['YELLOW', 490], ['GREEN', 480]) }),
          ],
        },
        {
          path: 'src/store/migrations.test.ts',
          broken: { message: "SyntaxError: Unexpected token '}' (src/store/migrations.ts:41:2)", since: NOW - 120_000 },
          tests: [
            record('migrations > v1 to v2 keeps every record', 'BROKEN', { beforeBroken: 'GREEN', history: H(['RED', 4000], ['YELLOW', 3990], ['GREEN', 3900], ['BROKEN', 2]) }),
            record('migrations > refuses a newer version', 'BROKEN', { beforeBroken: 'YELLOW', history: H(['YELLOW', 400], ['BROKEN', 2]) }),
          ],
        },
        {
          path: 'test/session-cache.test.ts',
          broken: null,
          tests: Array.from({ length: 6 }, (_, i) => record(`SessionCache > evicts session ${i + 1} after its TTL`, i < 4 ? 'GREEN' : 'YELLOW', { neverFailed: i === 5 })),
        },
        {
          path: 'test/utils/format.test.ts',
          broken: null,
          tests: [record('formatBytes > uses binary units', 'GREEN'), record('formatBytes > keeps the sign', 'GREEN'), record('formatDuration > rounds up to the next unit', 'GREEN', { neverFailed: true })],
        },
      ],
    },
  };
}

export const PHASES_EXPANDED = [
  'f\u0000src/api/routes.test.ts',
  'd\u0000src/api/routes.test.ts\u0000routes',
  'd\u0000src/api/routes.test.ts\u0000routes > auth',
  'f\u0000src/parser/tokenizer.test.ts',
  'd\u0000src/parser/tokenizer.test.ts\u0000tokenizer',
  'f\u0000src/store/migrations.test.ts',
];
export const PHASES_SELECTED = 't\u0000src/parser/tokenizer.test.ts\u0000tokenizer > splits template literals';

export function phasesEmptyState() {
  return { phases: { files: [] } };
}

/** 250 files × 4 describe blocks × 5 tests, phases mixed as in a real suite (mostly GREEN). */
export function bigPhasesState(files = 250, describes = 4, tests = 5, seed = 42) {
  const rnd = random(seed);
  const pick = () => {
    const r = rnd();
    return r < 0.8 ? 'GREEN' : r < 0.92 ? 'YELLOW' : 'RED';
  };
  const out = [];
  for (let f = 0; f < files; f++) {
    const path = `packages/pkg-${String(f % 12).padStart(2, '0')}/src/module-${String(f).padStart(3, '0')}/feature-${f}.test.ts`;
    // About one file in fifty does not load: every test of it is BROKEN.
    const broken = rnd() < 0.02;
    const list = [];
    for (let d = 0; d < describes; d++) {
      for (let t = 0; t < tests; t++) {
        const before = pick();
        const phase = broken ? 'BROKEN' : before;
        const history = phase === 'GREEN' ? H(['RED', 900 + f], ['YELLOW', 800 + f], ['GREEN', 700 + f]) : phase === 'YELLOW' ? H(['RED', 50], ['YELLOW', 40]) : H([phase, 10]);
        list.push(record(`Feature ${f} > behaviour ${d} > handles case ${t} of input ${f * 20 + d * 5 + t}`, phase, { history, neverFailed: rnd() < 0.05, ...(broken ? { beforeBroken: before } : {}) }));
      }
    }
    out.push({ path, broken: broken ? { message: `SyntaxError: Unexpected token (feature-${f}.ts:12:4)`, since: NOW - 600_000 } : null, tests: list });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { phases: { files: out } };
}

// ---- leaks ----------------------------------------------------------------------------------------

function series(start, perTest, n, noise, seed) {
  const rnd = random(seed);
  return Array.from({ length: n }, (_, i) => start + perTest * i + (rnd() - 0.5) * noise);
}

export function leaksState() {
  return {
    enabled: true,
    heapSnapshot: true,
    lastRun: { startedAt: new Date(NOW - 5 * 60_000).toISOString(), files: 42 },
    leaks: [
      {
        file: 'test/session-cache.test.ts',
        bytesPerTest: 2 * MB,
        fit: 0.997,
        totalBytes: 38 * MB,
        samples: 20,
        series: 'external',
        hint: 'Memory outside the JS heap grows: Buffers or typed arrays kept alive, often by a cache or a module-level array that a test adds to.',
        grew: [
          { name: 'system / JSArrayBufferData', countDelta: 18, bytesDelta: 18 * MB },
          { name: 'Buffer', countDelta: 18, bytesDelta: 1.7 * 1024 },
          { name: 'SessionEntry', countDelta: 18, bytesDelta: 1.1 * 1024 },
        ],
        snapshots: ['/home/dev/app/.redline/snapshots/session-cache.test.ts-early.heapsnapshot', '/home/dev/app/.redline/snapshots/session-cache.test.ts-late.heapsnapshot'],
        points: series(96 * MB, 2 * MB, 20, 0.6 * MB, 3),
      },
      {
        file: 'src/events/bus.test.ts',
        bytesPerTest: 640 * 1024,
        fit: 0.91,
        totalBytes: 12.4 * MB,
        samples: 24,
        series: 'heap',
        hint: 'The JS heap grows: listeners added and never removed, or objects kept in a module-level Map or array.',
        points: series(41 * MB, 640 * 1024, 24, 1.4 * MB, 9),
      },
    ],
  };
}

export function leaksOffState() {
  return { enabled: false, heapSnapshot: false, lastRun: null, leaks: [] };
}

export function leaksNoneState() {
  return { enabled: true, heapSnapshot: false, lastRun: { startedAt: new Date(NOW - 90_000).toISOString(), files: 42 }, leaks: [] };
}

// ---- recovery -------------------------------------------------------------------------------------

export function recoveryState() {
  const backup = (minutesAgo, label, auto, kb) => {
    const d = new Date(NOW - minutesAgo * 60_000);
    const id = d.toISOString().replace(/[-:]/g, '').replace('.', '');
    return { id, ...(label ? { label } : {}), createdAt: d.toISOString(), bytes: kb * 1024, auto, documents: ['phases', 'runs', 'cache-index'] };
  };
  return {
    runner: { state: 'ready', pid: 48211, vitestVersion: '3.2.4', nodeVersion: 'v22.11.0', restarts: 1, since: NOW - 42 * 60_000, message: 'Restarted after the worker pool crashed (exit code 134) at 09:05.' },
    backups: [
      backup(12, 'before the parser refactor', false, 184),
      backup(55, undefined, true, 176),
      backup(60 * 5, 'green suite, release 1.4', false, 171),
      backup(60 * 26, undefined, true, 160),
      backup(60 * 24 * 6, 'first import', false, 12),
    ],
  };
}

export function recoveryFailedState() {
  return {
    runner: { state: 'failed', restarts: 3, since: NOW - 60_000, message: 'Vitest could not be found in this folder. Install it (npm i -D vitest) or set redline.nodeExecutable.' },
    backups: [],
  };
}
