// The probe: a Vitest setup file that Redline adds to every project, so it runs inside each test
// worker before the test file loads. It tells the runner which worker runs which file and test
// *while* the test runs (Vitest's reporter hears of a test only when it ends — too late to name
// a runaway), sends heartbeats so a blocked event loop shows as silence, and waits at the start
// of a file until the guard admits it (that is how the guard throttles and blocks new files).
// It must stay tiny and dependency-free: it is loaded once per test file.
import { connect, type Socket } from 'node:net';
import { join, relative, sep } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { ProbeMessage, RunnerToProbe } from '../../protocol/probe';
import { ENV } from '../../protocol/probe-env';
import { listenPath } from './listen-path';
import { getGc } from './gc';

interface VitestApi {
  beforeEach(fn: (ctx: { task: TaskLike }) => void): void;
  afterEach(fn: (ctx: { task: TaskLike }) => void): void;
  afterAll(fn: () => void): void;
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
    // Leak detection wants post-GC figures after every test, but a full collection costs ~10 ms
    // with Vitest loaded — more than most tests. So: a cheap young-generation collection after
    // every test, and a full one only when memory has grown by more than the smallest leak worth
    // reporting since the last full one (and for the first test). A file that does not grow pays
    // for almost no full collections; a leaking one gets an exact series; for the tests in
    // between, the last full figures stand (memory cannot have grown much past them).
    const leakProbe = process.env[ENV.probeGc] === '1';
    const growthForFullGc = Number(process.env[ENV.probeGcGrowth] ?? 512 * 1024);
    let lastFull: NodeJS.MemoryUsage | undefined;
    const postGc = (): NodeJS.MemoryUsage => {
      const gc = getGc();
      gc({ type: 'minor' });
      const now = process.memoryUsage();
      if (lastFull) {
        const delta = now.heapUsed + now.external - (lastFull.heapUsed + lastFull.external);
        // Below the last full figure: memory was freed since, and this reading is the better one.
        if (delta < 0) lastFull = now;
        if (delta < growthForFullGc) return lastFull;
      }
      // Twice: on Node 20 a Buffer freed by one collection leaves `external` only at the next,
      // which made a bounded cache of Buffers climb one entry per full collection.
      gc();
      gc();
      lastFull = process.memoryUsage();
      return lastFull;
    };
    // --heap-snapshot: two snapshots per file, early (after the second test) and at its end, so
    // a suspected leak can say which constructors grew in between. Both after a collection.
    const snapshotDir = process.env[ENV.heapSnapshotDir];
    let testsDone = 0;
    const snapshot = (phase: 'early' | 'late'): void => {
      if (!snapshotDir) return;
      getGc()();
      const path = join(snapshotDir, `${pid}-${file.replace(/[^\w.-]+/g, '_')}-${phase}.heapsnapshot`);
      try {
        writeHeapSnapshot(path);
        send({ t: 'snapshot', pid, file, phase, path });
      } catch {
        // A full disk or a missing folder must not fail the user's tests.
      }
    };
    vitest.afterEach(({ task }) => {
      if (++testsDone === 2) snapshot('early');
      const m = leakProbe ? postGc() : process.memoryUsage();
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
      });
    });
    vitest.afterAll(() => {
      if (testsDone > 2) snapshot('late');
      send({ t: 'fileEnd', pid, file, maxRss: process.resourceUsage().maxRSS * 1024, modules: loadedModules(root) });
    });
  }
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
      }
    });
    // The runner went away: do not hold the worker hostage.
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
}

/** "describe > inner > test", without the file, the way the report names tests. */
function fullNameOf(task: TaskLike): string {
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
