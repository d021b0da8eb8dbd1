// Which memory samples the runner passes on to its host. The guard samples at 10 Hz because a
// runaway can grow by hundreds of MB between samples; the host only draws them. Sending every
// sample cost the runner and the CLI more CPU, at rest, than the sampling itself (an IPC message
// and two schema checks each time, 10 times a second). So a sample goes out when it says
// something new — another tier, a move of at least 1 % of the limit, a new high of the run, another
// set of processes or tests — and otherwise twice a second, so a status bar and a chart of one
// point a second stay alive. Every new high goes out so that the chart's peak is the run's peak
// (the report's, which the status bar shows at rest) and not up to 1 % below it; memory at rest
// makes no new highs, so it costs nothing there.
import type { MemorySample } from '../protocol/runner';

/** A sample is sent at least this often, however quiet the tree: every 1 s slot of a chart gets one. */
export const MAX_SILENCE_MS = 500;
/** A move of the tree's memory by this share of the limit is always sent. */
export const MOVE_SHARE = 0.01;

/**
 * `highBytes`: the highest tree memory sent in this run. A run's samples count from its start, so
 * a sample earlier than the last one sent is a new run's first (the caller resets its high then).
 */
export function shouldForward(last: MemorySample | undefined, next: MemorySample, highBytes = Infinity): boolean {
  if (!last) return true;
  if (next.atMs < last.atMs) return true;
  if (next.treeRssBytes > highBytes) return true;
  if (next.tier !== last.tier) return true;
  if (next.atMs - last.atMs >= MAX_SILENCE_MS) return true;
  if (Math.abs(next.treeRssBytes - last.treeRssBytes) >= MOVE_SHARE * next.limitBytes) return true;
  if (next.processes.length !== last.processes.length) return true;
  for (let i = 0; i < next.processes.length; i++) {
    const a = next.processes[i]!;
    const b = last.processes[i]!;
    if (a.pid !== b.pid || a.file !== b.file || a.test !== b.test) return true;
  }
  return false;
}
