// The side channel between the probe that Redline injects into every Vitest worker (a setup file)
// and the runner: newline-delimited JSON over a local socket whose path reaches the workers in
// REDLINE_PROBE_SOCKET. It exists because Vitest's own reporter hears of a test only when it ends
// — too late to name a runaway — and because it lets the runner hold a new worker at its start
// while memory is high. The probe bundle cannot afford zod, so it sends these shapes as they are
// and only the runner validates them.
import { z } from 'zod';

export { ENV } from './probe-env';


const pid = z.number().int().positive();

export const ProbeMessageSchema = z.discriminatedUnion('t', [
  /** A worker has loaded the probe for a file and waits for `go`. */
  z.object({ t: z.literal('hello'), pid, file: z.string() }),
  z.object({ t: z.literal('testStart'), pid, file: z.string(), fullName: z.string() }),
  z.object({
    t: z.literal('testEnd'),
    pid,
    file: z.string(),
    fullName: z.string(),
    /** Post-GC figures after the test (bytes). */
    heapUsed: z.number().nonnegative(),
    external: z.number().nonnegative(),
    arrayBuffers: z.number().nonnegative(),
    maxRss: z.number().nonnegative(),
    /** Whether the test had failed by its afterEach: a provisional verdict (see run-session). */
    failed: z.boolean(),
    durationMs: z.number().nonnegative(),
    /**
     * With leak detection: whether these figures were taken after a collection on the file's
     * grid (only those make the leak series), and the grid's stride in tests.
     */
    exact: z.boolean().optional(),
    stride: z.number().int().positive().optional(),
  }),
  z.object({
    t: z.literal('fileEnd'),
    pid,
    file: z.string(),
    maxRss: z.number().nonnegative(),
    /**
     * The workspace modules the file loaded (relative paths), from the worker's module cache:
     * the real import closure, dynamic imports included, for affected tests and the cache key.
     */
    modules: z.array(z.string()).optional(),
  }),
  /**
   * A heap snapshot (--heap-snapshot): early in the file, or at its end; or one the guard asked
   * for (`guard1`, `guard2`: core/guard-snapshots.ts), which the probe acknowledges (`writing`)
   * before it writes, or declines when it would not fit below the terminal tier. Before an early
   * or late one the probe asks the guard for the room (`asking`, with its estimate; the guard
   * answers `room`), and declines it the same way when it does not fit.
   */
  z.object({
    t: z.literal('snapshot'),
    pid,
    file: z.string(),
    phase: z.enum(['early', 'late', 'guard1', 'guard2']),
    path: z.string(),
    /** Absent: written (early and late snapshots say nothing else). */
    status: z.enum(['asking', 'writing', 'written', 'declined']).optional(),
    /** Bytes of the heap's small-object spaces (what a snapshot's cost follows). */
    heapBytes: z.number().nonnegative().optional(),
    /** What the probe expected the snapshot to add to its RSS, and the room it was given. */
    estimateBytes: z.number().nonnegative().optional(),
    roomBytes: z.number().optional(),
    /** Written: what it did add at its peak (RSS), and how long it took. */
    costBytes: z.number().optional(),
    ms: z.number().nonnegative().optional(),
    /** Declined because writing failed (a full disk): why. */
    error: z.string().optional(),
  }),
  /** Sent every half second from a timer: silence means the event loop is blocked. */
  z.object({ t: z.literal('beat'), pid }),
]);
export type ProbeMessage = z.infer<typeof ProbeMessageSchema>;

export type RunnerToProbe =
  | { t: 'go' }
  | { t: 'gc' }
  /**
   * --heap-snapshot: write guard snapshot `shot` if it fits in `roomBytes` (what the tree may still
   * grow); ignored when read after `before` (epoch ms): the guard has given up waiting by then.
   */
  | { t: 'snapshot'; shot: 1 | 2; roomBytes: number; before: number }
  /** --heap-snapshot: the answer to a file snapshot's `asking`, the room as in a guard request. */
  | { t: 'room'; roomBytes: number };
