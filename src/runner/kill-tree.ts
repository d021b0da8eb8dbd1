// Stopping processes the way DESIGN.md asks: TERM, a short grace to let them clean up, then KILL
// whatever is left. Written against the Platform interface so the timing logic is tested with a
// fake OS.
import { descendants } from '../core/process-tree';
import type { Platform, StopSignal } from './platform/platform';

export interface StopOptions {
  /** How long TERM may take before survivors get KILL. */
  readonly graceMs: number;
  /** 'SIGKILL' skips the grace (the guard's terminal tier). Default 'SIGTERM'. */
  readonly signal?: StopSignal;
  /** How often to look whether they are gone. Default 25 ms. */
  readonly pollMs?: number;
}

export interface StopResult {
  /** The pids that were alive when the stop began. */
  readonly killed: number[];
  /** Those that outlived TERM and needed KILL. */
  readonly forced: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Polls until every pid is gone or the deadline passes; returns the survivors.
async function waitForExit(platform: Platform, pids: readonly number[], graceMs: number, pollMs: number): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  let alive = pids.filter((pid) => platform.isAlive(pid));
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    alive = alive.filter((pid) => platform.isAlive(pid));
  }
  return alive;
}

/** Stops each of `pids` (TERM, grace, KILL, or KILL at once). Never throws. */
export async function stopProcesses(platform: Platform, pids: readonly number[], options: StopOptions): Promise<StopResult> {
  const killed = [...new Set(pids)].filter((pid) => platform.isAlive(pid));
  if (options.signal === 'SIGKILL') {
    for (const pid of killed) platform.signal(pid, 'SIGKILL');
    return { killed, forced: [...killed] };
  }
  for (const pid of killed) platform.signal(pid, 'SIGTERM');
  const forced = await waitForExit(platform, killed, options.graceMs, options.pollMs ?? 25);
  for (const pid of forced) platform.signal(pid, 'SIGKILL');
  return { killed, forced };
}

/**
 * Stops a whole process group (on Windows: the process `pgid` and its descendants, taskkill /T).
 * The members are listed first so the grace can end as soon as they are all gone, and so the
 * caller learns which pids it stopped.
 */
export async function stopGroup(
  platform: Platform,
  pgid: number,
  graceMs: number,
  options: { readonly signal?: StopSignal; readonly pollMs?: number } = {},
): Promise<StopResult> {
  const table = await platform.listProcesses([]);
  const members =
    platform.name === 'win32'
      ? [pgid, ...descendants(table, pgid)].filter((pid) => table.some((p) => p.pid === pid))
      : table.filter((p) => p.pgid === pgid).map((p) => p.pid);
  const killed = members.filter((pid) => platform.isAlive(pid));
  if (options.signal === 'SIGKILL') {
    platform.signalGroup(pgid, 'SIGKILL');
    return { killed, forced: [...killed] };
  }
  platform.signalGroup(pgid, 'SIGTERM');
  const forced = await waitForExit(platform, killed, graceMs, options.pollMs ?? 25);
  // On POSIX the final KILL is one syscall and also catches members forked during the grace; on
  // Windows it is a taskkill process, worth spawning only for survivors.
  if (forced.length > 0 || platform.name !== 'win32') platform.signalGroup(pgid, 'SIGKILL');
  return { killed, forced };
}
