// The probe: a Vitest setup file that Redline adds to every project, so it runs inside each test
// worker before the test file loads. It tells the runner which worker runs which file and test
// *while* the test runs (Vitest's reporter hears of a test only when it ends — too late to name
// a runaway), sends heartbeats so a blocked event loop shows as silence, and waits at the start
// of a file until the guard admits it (that is how the guard throttles and blocks new files).
// It must stay tiny and dependency-free: it is loaded once per test file.
import { connect, type Socket } from 'node:net';
import { join, relative, sep } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import type { ProbeMessage, RunnerToProbe } from '../../protocol/probe';
import { ENV } from '../../protocol/probe-env';
import { listenPath } from './listen-path';
import { getGc } from './gc';
import { disambiguate } from '../../core/test-names';
import { SNAPSHOT_ANSWER_MS, snapshotCostEstimate, snapshotFits } from '../../core/guard-snapshots';

interface VitestApi {
  beforeEach(fn: (ctx: { task: TaskLike }) => void): void;
  afterEach(fn: (ctx: { task: TaskLike }) => void | Promise<void>): void;
  afterAll(fn: () => void | Promise<void>): void;
  expect: { getState(): { testPath?: string } };
}
interface TaskLike {
  name: string;
  result?: { errors?: unknown[]; startTime?: number };
  suite?: TaskLike;
  /** Only the file's own task has it: the file is not part of a test's name. */
  filepath?: string;
}

const socketPath = process.env[ENV.probeSocket];
const vitestEntry = process.env[ENV.vitestEntry];
const root = process.env[ENV.root];
// Captured before any test can install fake timers over the globals.
const realSetInterval = setInterval;
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;

if (socketPath && vitestEntry && root) {
  const vitest = (await import(vitestEntry)) as VitestApi;
  const absFile = vitest.expect.getState().testPath ?? '';
  const file = relative(root, absFile).split(sep).join('/');
  const pid = process.pid;
  // Whatever a test spawns inherits these, so the runner can attribute (and clean up) a child
  // even after it has been re-parented away from this worker.
  process.env[ENV.workerPid] = String(pid);
  process.env[ENV.workerFile] = file;

  const socket = await open(socketPath);
  if (socket) {
    const send = (m: ProbeMessage): void => {
      // A connected local socket writes at once when its queue is empty, so a testStart is
      // delivered even if the test then blocks the event loop for good.
      socket.write(JSON.stringify(m) + '\n');
    };
    const admitted = waitForGo(socket);
    send({ t: 'hello', pid, file });
    await admitted;
    realSetInterval(() => send({ t: 'beat', pid }), 500).unref();

    vitest.beforeEach(({ task }) => send({ t: 'testStart', pid, file, fullName: fullNameOf(task) }));
    // Leak detection wants post-GC figures, but a full collection costs ~10 ms with Vitest
    // loaded — more than most tests. So, two savings:
    // - A long file is measured on a grid: after every k-th test, k chosen from the number of
    //   tests the file will run so that it gets about LEAK_POINTS samples (k = 1 up to twice
    //   that). A steady leak is as steady every third test as after each; the runner judges the
    //   grid's samples with the stride and reports rates per test.
    // - At a grid point, a cheap young-generation collection first, and a full one only when
    //   memory has grown by more than the smallest leak worth reporting since the last full one
    //   (and for the first test). A file that does not grow pays for almost no full collections;
    //   when it has not grown, the last full figures stand (memory cannot be much past them).
    //   While the full collections keep finding growth, the young one is skipped: it would only
    //   copy the file's surviving objects once more before the full one that follows anyway.
    // Measured on bench/leaks.mjs's corpus (half the files leak up to 4 MB per test, so a full
    // collection there marks 100 MB and more): the collections' time fell from 18 s to 10 s.
    const leakProbe = process.env[ENV.probeGc] === '1';
    let stride = 1;
    const growthForFullGc = Number(process.env[ENV.probeGcGrowth] ?? 512 * 1024);
    let lastFull: NodeJS.MemoryUsage | undefined;
    let growing = false;
    const postGc = (): NodeJS.MemoryUsage => {
      const gc = getGc();
      if (lastFull && !growing) {
        gc({ type: 'minor' });
        const now = process.memoryUsage();
        const delta = now.heapUsed + now.external - (lastFull.heapUsed + lastFull.external);
        // Below the last full figure: memory was freed since, and this reading is the better one.
        if (delta < 0) lastFull = now;
        if (delta < growthForFullGc) return lastFull;
      }
      // Then a young-generation one: on Node 20 a Buffer freed by a full collection leaves
      // `external` only at the next collection of any kind (which made a bounded cache of Buffers
      // climb one entry per collection); a minor one is enough and costs a tenth of a full one.
      gc();
      gc({ type: 'minor' });
      const before = lastFull;
      lastFull = process.memoryUsage();
      growing = before !== undefined && lastFull.heapUsed + lastFull.external - (before.heapUsed + before.external) >= growthForFullGc;
      return lastFull;
    };
    // --heap-snapshot: two snapshots per file, early (after the second test) and at its end, so
    // a suspected leak can say which constructors grew in between. Both after a collection. Only
    // where leaks are judged; without leak detection the guard's snapshots of a runaway remain.
    // A snapshot costs memory while V8 writes it (core/guard-snapshots.ts: 250–1,200 bytes per
    // heap object), and at a small limit a grown file's late one could push the tree past the
    // terminal tier by itself: the guard is asked for the room first, and the snapshot is declined
    // when the estimate does not fit (the leak's report says so). Without the early one, the late
    // one has nothing to be compared with, and is not taken.
    const snapshotDir = process.env[ENV.heapSnapshotDir];
    // The small-object spaces: a snapshot's cost follows the number of objects, and large
    // objects (big arrays, strings) are one each; Buffers' memory is outside the heap.
    const smallBytes = (): number => getHeapSpaceStatistics().reduce((n, s) => (s.space_name.includes('large_object') ? n : n + s.space_used_size), 0);
    const smallAtStartBytes = snapshotDir ? smallBytes() : 0;
    let testsDone = 0;
    let earlyDeclined = false;
    const snapshot = async (phase: 'early' | 'late'): Promise<void> => {
      if (!snapshotDir || !leakProbe || (phase === 'late' && earlyDeclined)) return;
      getGc()();
      const path = join(snapshotDir, `${pid}-${file.replace(/[^\w.-]+/g, '_')}-${phase}.heapsnapshot`);
      const heapBytes = smallBytes();
      const estimateBytes = snapshotCostEstimate({ smallBytes: heapBytes, smallAtStartBytes });
      const roomBytes = await askRoom(socket, () => send({ t: 'snapshot', pid, file, phase, path, status: 'asking', heapBytes, estimateBytes }));
      const figures = { heapBytes, estimateBytes, ...(roomBytes !== undefined ? { roomBytes } : {}) };
      if (!snapshotFits(estimateBytes, roomBytes)) {
        if (phase === 'early') earlyDeclined = true;
        send({ t: 'snapshot', pid, file, phase, path, status: 'declined', ...figures });
        return;
      }
      // Said first: no heartbeat while V8 writes, and the RSS it adds is not the file's growth.
      send({ t: 'snapshot', pid, file, phase, path, status: 'writing', ...figures });
      try {
        writeHeapSnapshot(path);
        send({ t: 'snapshot', pid, file, phase, path });
      } catch (error) {
        // A full disk or a missing folder must not fail the user's tests.
        if (phase === 'early') earlyDeclined = true;
        send({ t: 'snapshot', pid, file, phase, path, status: 'declined', ...figures, error: error instanceof Error ? error.message : String(error) });
      }
    };
    // The guard's snapshots of a runaway (core/guard-snapshots.ts), asked over the socket: written
    // only if this heap's estimated cost fits the room the guard gives, and acknowledged first, so
    // the guard knows the silence that follows (no heartbeat while V8 writes) is its own doing.
    if (snapshotDir) {
      let previous: { smallBytes: number; costBytes: number } | undefined;
      socket.on('redline:snapshot', (request: Extract<RunnerToProbe, { t: 'snapshot' }>) => {
        // Read too late: the guard has stopped waiting, and its room is stale.
        if (performance.timeOrigin + performance.now() > request.before) return;
        const phase = request.shot === 1 ? 'guard1' : 'guard2';
        const path = join(snapshotDir, `${pid}-${file.replace(/[^\w.-]+/g, '_')}-${phase}.heapsnapshot`);
        const heapBytes = smallBytes();
        const estimateBytes = snapshotCostEstimate({ smallBytes: heapBytes, smallAtStartBytes, ...(previous ? { previous } : {}) });
        const figures = { heapBytes, estimateBytes, roomBytes: request.roomBytes };
        if (!snapshotFits(estimateBytes, request.roomBytes)) {
          send({ t: 'snapshot', pid, file, phase, path, status: 'declined', ...figures });
          return;
        }
        send({ t: 'snapshot', pid, file, phase, path, status: 'writing', ...figures });
        const rssBefore = process.memoryUsage.rss();
        const maxBefore = process.resourceUsage().maxRSS * 1024;
        const startedAt = performance.now();
        try {
          writeHeapSnapshot(path);
        } catch (error) {
          send({ t: 'snapshot', pid, file, phase, path, status: 'declined', ...figures, error: error instanceof Error ? error.message : String(error) });
          return;
        }
        const ms = performance.now() - startedAt;
        // The peak: glibc keeps most of it afterwards, but not always all of it.
        const maxAfter = process.resourceUsage().maxRSS * 1024;
        const costBytes = Math.max(process.memoryUsage.rss(), maxAfter > maxBefore ? maxAfter : 0) - rssBefore;
        previous = { smallBytes: heapBytes, costBytes: Math.max(costBytes, 1) };
        send({ t: 'snapshot', pid, file, phase, path, status: 'written', ...figures, costBytes, ms });
      });
    }
    vitest.afterEach(async ({ task }) => {
      if (++testsDone === 1 && leakProbe) stride = Math.max(1, Math.floor(testsToRun(task) / LEAK_POINTS));
      if (testsDone === 2) await snapshot('early');
      const exact = leakProbe && (testsDone - 1) % stride === 0;
      const m = exact ? postGc() : process.memoryUsage();
      send({
        t: 'testEnd',
        pid,
        file,
        fullName: fullNameOf(task),
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        maxRss: process.resourceUsage().maxRSS * 1024,
        failed: (task.result?.errors?.length ?? 0) > 0,
        durationMs: task.result?.startTime ? Math.max(0, Date.now() - task.result.startTime) : 0,
        ...(leakProbe ? { exact, stride } : {}),
      });
    });
    vitest.afterAll(async () => {
      if (testsDone > 2) await snapshot('late');
      send({ t: 'fileEnd', pid, file, maxRss: process.resourceUsage().maxRSS * 1024, modules: loadedModules(root) });
    });
  }
}

/** Samples a long file's leak series aims at (see the grid above). */
const LEAK_POINTS = 6;

interface CollectedTask {
  type?: string;
  mode?: string;
  tasks?: CollectedTask[];
}

/** The tests of the test's file that will run (Vitest has collected the whole file by now). */
function testsToRun(task: TaskLike & { file?: TaskLike }): number {
  // Vitest 2+ gives every task its file; a top-level test has no `suite` there.
  let top: TaskLike = task.file ?? task;
  while (top.suite) top = top.suite;
  const count = (t: CollectedTask): number =>
    t.type === 'test' ? (t.mode === 'skip' || t.mode === 'todo' ? 0 : 1) : (t.tasks ?? []).reduce((n, c) => n + count(c), 0);
  return count(top as CollectedTask);
}

function open(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect(listenPath(path));
    s.once('connect', () => {
      s.unref();
      resolve(s);
    });
    // No runner listening (the file was loaded outside Redline): run the tests unobserved.
    s.once('error', () => resolve(undefined));
  });
}

/**
 * Asks the guard how much room is left below the terminal tier (`ask` sends the question): its
 * answer, or undefined when none comes within SNAPSHOT_ANSWER_MS (then the snapshot is declined).
 */
function askRoom(socket: Socket, ask: () => void): Promise<number | undefined> {
  return new Promise((resolve) => {
    const answer = (roomBytes: number): void => {
      realClearTimeout(timer);
      resolve(roomBytes);
    };
    const timer = realSetTimeout(() => {
      socket.off('redline:room', answer);
      resolve(undefined);
    }, SNAPSHOT_ANSWER_MS);
    socket.once('redline:room', answer);
    ask();
  });
}

function waitForGo(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let msg: RunnerToProbe | undefined;
        try {
          msg = JSON.parse(line) as RunnerToProbe;
        } catch {
          continue;
        }
        if (msg.t === 'go') resolve();
        else if (msg.t === 'gc') getGc()();
        // --heap-snapshot: handled where the file's figures are (see `snapshot`).
        else if (msg.t === 'snapshot') socket.emit('redline:snapshot', msg);
        else if (msg.t === 'room') socket.emit('redline:room', msg.roomBytes);
      }
    });
    // The runner went away: do not hold the worker hostage.
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
}

/**
 * "describe > inner > test", without the file, the way the report names tests: made unique within
 * the file by the runner's rule (core/test-names), since the runner matches these messages to
 * Vitest's results by name and the guard names a runaway test by it.
 */
function fullNameOf(task: TaskLike): string {
  // The file task, from `file`: a test's `suite` chain ends at its outermost describe (or at
  // nothing, for a test outside any), not at the file.
  const file = (task as TaskTree).file;
  if (!file) return plainFullNameOf(task);
  let names = uniqueNames.get(file);
  if (!names) {
    // Vitest has collected the whole file before its first test starts: the list is complete.
    const tests = testsInOrder(file);
    const unique = disambiguate(tests.map(plainFullNameOf));
    names = new Map(tests.map((t, i) => [t, unique[i]!]));
    uniqueNames.set(file, names);
  }
  return names.get(task) ?? plainFullNameOf(task);
}

/** Per file task, its tests' unique full names: worked out once per file, not once per test. */
const uniqueNames = new WeakMap<TaskLike, Map<TaskLike, string>>();

/** A task with its children, as Vitest's worker holds the collected file. */
interface TaskTree extends TaskLike {
  type?: string;
  tasks?: TaskTree[];
  /** Every task's file task (the one with `filepath`). */
  file?: TaskTree;
}

/** The file's tests depth first in declaration order, as the runner's `allTests()` lists them. */
function testsInOrder(root: TaskTree): TaskLike[] {
  const out: TaskLike[] = [];
  const visit = (t: TaskTree): void => {
    for (const child of t.tasks ?? []) {
      if (child.type === 'suite') visit(child);
      else out.push(child);
    }
  };
  visit(root);
  return out;
}

/** The name as Vitest gives it, not yet unique. */
function plainFullNameOf(task: TaskLike): string {
  const names = [task.name];
  for (let s = task.suite; s && s.filepath === undefined; s = s.suite) names.unshift(s.name);
  return names.join(' > ');
}

interface WorkerState {
  /** Vitest 4: the module runner's cache. */
  evaluatedModules?: { idToModuleMap?: Map<string, unknown> };
  /** Vitest 3: vite-node's cache. */
  moduleCache?: Map<string, unknown>;
}

/** The files of the workspace this worker has loaded, relative to the root. */
function loadedModules(rootDir: string): string[] | undefined {
  const state = (globalThis as { __vitest_worker__?: WorkerState }).__vitest_worker__;
  const ids = state?.evaluatedModules?.idToModuleMap ?? state?.moduleCache;
  if (!ids || typeof ids.keys !== 'function') return undefined;
  const prefix = rootDir.endsWith(sep) ? rootDir : rootDir + sep;
  const out = new Set<string>();
  for (const raw of ids.keys()) {
    // Ids may carry a query (?v=…) or a /@fs/ prefix; the file path is what matters.
    const id = raw.replace(/[?#].*$/, '').replace(/^\/@fs/, '');
    if (!id.startsWith(prefix) || id.includes(`${sep}node_modules${sep}`) || id.includes('/node_modules/')) continue;
    out.add(relative(rootDir, id).split(sep).join('/'));
  }
  return [...out];
}
