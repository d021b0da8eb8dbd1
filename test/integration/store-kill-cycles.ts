// The SIGKILL cycle shared by the fault-injection test and the soak (bench/soak-store.mjs): a real
// writer process saves the phases in a loop on a real workspace, is killed at a random moment, and
// the store is then loaded here. Every load must return exactly one state that was written — the
// last one the writer acknowledged, or the one it was writing when it died — with status 'ok':
// writes are temp-file-then-rename, so a reader never has anything to repair. The workspace is
// kept from cycle to cycle, so each writer also starts after a crash: with the lock of a killed
// writer left behind, temp files half-written, and whatever else a kill leaves.
//
// No esbuild here: the soak bundles this file to run it under plain node, and esbuild's API does
// not bundle. Callers build the writer (test/integration/store-writer.ts) themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isTempName } from '../../src/core/store/atomic-write';
import { LOCK_FILE } from '../../src/core/store/lock';
import { QUARANTINE_DIR } from '../../src/core/store/store-context';
import { openWorkspaceStore, stateDir } from '../../src/runner/state/workspace-store';
import { seededRandom, stateFor, writeNumberOf } from './store-fault-state';

export interface WriterRun {
  /** Each stdout line, in order: what the writer acknowledged before it died. */
  readonly lines: readonly string[];
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From the spawn to the first acknowledgement; undefined when there was none. */
  readonly firstAckMs: number | undefined;
  /** The writer was killed because it acknowledged nothing within `noAckTimeoutMs`. */
  readonly timedOut: boolean;
}

export interface StartedWriter {
  readonly child: ChildProcess;
  /** Resolves with the first acknowledgement (rejects when the writer ends without one). */
  readonly firstLine: Promise<string>;
  readonly done: Promise<WriterRun>;
}

/**
 * Start the bundled writer with `args`; `killAfterFirstAckMs` after its first line, SIGKILL it
 * (never, when undefined: it runs to its end, or until the caller kills it). A writer that says
 * nothing for `noAckTimeoutMs` is killed and reported.
 */
export function startWriter(
  writer: string,
  args: readonly string[],
  options: { readonly killAfterFirstAckMs?: number; readonly noAckTimeoutMs?: number } = {},
): StartedWriter {
  const started = Date.now();
  const child = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let firstAckMs: number | undefined;
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  let gotFirst: (line: string) => void = () => undefined;
  let noFirst: (error: Error) => void = () => undefined;
  const firstLine = new Promise<string>((resolve, reject) => {
    gotFirst = resolve;
    noFirst = reject;
  });
  // A caller that only awaits `done` must not trip over an unhandled rejection here.
  firstLine.catch(() => undefined);
  const silence = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.noAckTimeoutMs ?? 30_000);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    if (firstAckMs === undefined && stdout.includes('\n')) {
      firstAckMs = Date.now() - started;
      clearTimeout(silence);
      gotFirst(stdout.slice(0, stdout.indexOf('\n')));
      if (options.killAfterFirstAckMs !== undefined) killTimer = setTimeout(() => child.kill('SIGKILL'), options.killAfterFirstAckMs);
    }
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<WriterRun>((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': by then stdout is drained, so no acknowledgement is missed — and the
    // child is reaped, so its pid no longer answers kill(pid, 0) and its lock reads as stale.
    child.on('close', (code, signal) => {
      clearTimeout(silence);
      clearTimeout(killTimer);
      // A line cut short by the kill was never acknowledged.
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      const lines = complete.split('\n').filter((line) => line !== '');
      noFirst(new Error(`the writer ended (exit ${String(code)}, signal ${String(signal)}) without a word: ${stderr.trim()}`));
      resolve({ lines, stderr, code, signal, firstAckMs, timedOut });
    });
  });
  return { child, firstLine, done };
}

export function runWriter(
  writer: string,
  args: readonly string[],
  options: { readonly killAfterFirstAckMs?: number; readonly noAckTimeoutMs?: number } = {},
): Promise<WriterRun> {
  return startWriter(writer, args, options).done;
}

export interface KillCyclesOptions {
  /** The bundled writer (buildWriter). */
  readonly writer: string;
  /** The workspace; `.redline/` in it is written by every cycle in turn. */
  readonly root: string;
  readonly cycles: number;
  readonly seed: number;
  /** The kill comes this many ms after the writer's first acknowledgement, drawn uniformly. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called after each cycle, e.g. for progress. */
  readonly onCycle?: (cycle: CycleReport) => void;
}

export interface CycleReport {
  readonly index: number;
  readonly delayMs: number;
  /** Write numbers the writer acknowledged. */
  readonly acknowledged: number;
  readonly lastAck: number | undefined;
  /** The write number the load returned. */
  readonly loaded: number | undefined;
  /** The lock file was still there after the kill: the next writer had to break it. */
  readonly lockLeft: boolean;
  readonly firstAckMs: number | undefined;
  readonly failure?: string;
}

export interface KillCyclesSummary {
  readonly cycles: number;
  readonly failures: readonly string[];
  /** Writes acknowledged across all cycles. */
  readonly acknowledged: number;
  /** Loads that returned the write in flight (N+1) rather than the last acknowledged one. */
  readonly inFlightLoaded: number;
  /** Cycles after which the killed writer's lock was left behind. */
  readonly lockLeftBehind: number;
  /**
   * Of those, locks left empty or half-written (the kill fell between creating the lock file and
   * filling it in): the next writer can only judge these stale by age, 5 s.
   */
  readonly garbledLocksLeft: number;
  /** The longest a writer took to its first save when it started on a left-behind lock. */
  readonly slowestStartAfterStaleLockMs: number;
  /** Temp files of killed writes still in `.redline/` at the end (harmless, never read). */
  readonly strayTempFiles: number;
  readonly elapsedMs: number;
}

export async function runKillCycles(options: KillCyclesOptions): Promise<KillCyclesSummary> {
  const { writer, root, cycles, seed } = options;
  const minDelay = options.minDelayMs ?? 5;
  const maxDelay = options.maxDelayMs ?? 80;
  const random = seededRandom(seed);
  const dir = stateDir(root);
  const logged: string[] = [];
  const store = openWorkspaceStore(root, {
    logger: { info: (m) => logged.push(`info: ${m}`), warn: (m) => logged.push(`warn: ${m}`), error: (m) => logged.push(`error: ${m}`) },
    command: 'store kill cycles (checker)',
  });

  const started = Date.now();
  const failures: string[] = [];
  let next = 0;
  let acknowledged = 0;
  let inFlightLoaded = 0;
  let lockLeftBehind = 0;
  let garbledLocksLeft = 0;
  let lockLeftBefore = false;
  let slowestStartAfterStaleLockMs = 0;

  for (let index = 0; index < cycles; index++) {
    const delayMs = minDelay + Math.floor(random() * (maxDelay - minDelay + 1));
    const run = await runWriter(writer, ['loop', root, String(next)], { killAfterFirstAckMs: delayMs });
    const acks = run.lines.map(Number);
    const lastAck = acks.at(-1);
    acknowledged += acks.length;
    if (lockLeftBefore && run.firstAckMs !== undefined) slowestStartAfterStaleLockMs = Math.max(slowestStartAfterStaleLockMs, run.firstAckMs);
    const lockText = readLock(join(dir, LOCK_FILE));
    const lockLeft = lockText !== undefined;
    if (lockLeft) lockLeftBehind++;
    if (lockLeft && !isJson(lockText)) garbledLocksLeft++;
    lockLeftBefore = lockLeft;

    const where = `cycle ${index} (seed ${seed}, kill ${delayMs} ms after the first save, writer started at ${next})`;
    let failure: string | undefined;
    let loadedNumber: number | undefined;
    const expectedAcks = acks.every((n, i) => n === next + i);
    if (run.signal !== 'SIGKILL' || run.timedOut || lastAck === undefined || !expectedAcks) {
      failure =
        `${where}: the writer did not save and die as planned ` +
        `(signal ${String(run.signal)}, exit ${String(run.code)}, acknowledged [${acks.join(',')}]${run.timedOut ? ', no save within 30 s' : ''}): ${run.stderr.trim()}`;
    } else {
      logged.length = 0;
      const loaded = await store.load('phases');
      loadedNumber = writeNumberOf(loaded.value);
      if (loaded.status !== 'ok') {
        failure = `${where}: load returned status ${loaded.status}${loaded.recovered ? `: ${loaded.recovered.message}` : ''}`;
      } else if (loadedNumber === undefined || !isDeepStrictEqual(loaded.value, stateFor(loadedNumber))) {
        failure = `${where}: the loaded state is not one the writer wrote: ${JSON.stringify(loaded.value).slice(0, 200)}`;
      } else if (loadedNumber !== lastAck && loadedNumber !== lastAck + 1) {
        failure = `${where}: loaded write ${loadedNumber}, but the last acknowledged was ${lastAck} (so only ${lastAck} or ${lastAck + 1} may be on disk)`;
      } else if (logged.length > 0) {
        failure = `${where}: the load logged ${logged.join(' | ')}`;
      }
      if (loadedNumber === lastAck + 1) inFlightLoaded++;
      // Continue from what is on disk, so the next cycle's acknowledgements are checked from there.
      if (loadedNumber !== undefined) next = loadedNumber + 1;
    }
    if (failure) failures.push(failure);
    options.onCycle?.({
      index,
      delayMs,
      acknowledged: acks.length,
      lastAck,
      loaded: loadedNumber,
      lockLeft,
      firstAckMs: run.firstAckMs,
      ...(failure ? { failure } : {}),
    });
  }

  const names = existsSync(dir) ? readdirSync(dir) : [];
  if (names.includes(QUARANTINE_DIR)) failures.push(`.redline/${QUARANTINE_DIR}/ exists: some load found a damaged file (seed ${seed})`);
  return {
    cycles,
    failures,
    acknowledged,
    inFlightLoaded,
    lockLeftBehind,
    garbledLocksLeft,
    slowestStartAfterStaleLockMs,
    strayTempFiles: names.filter(isTempName).length,
    elapsedMs: Date.now() - started,
  };
}

function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Absent: the writer was not holding the lock when it died (or released it just before).
    return undefined;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
