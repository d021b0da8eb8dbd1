// The JSON report, version 1 (DESIGN.md "The JSON report"). The runner builds it, the CLI writes
// it with --json, and tests validate it: one schema for all three.
import { z } from 'zod';

export const TIERS = ['ok', 'warning', 'critical', 'emergency', 'terminal'] as const;
export const TierSchema = z.enum(TIERS);
export type Tier = z.infer<typeof TierSchema>;

export const FileStateSchema = z.enum(['passed', 'failed', 'broken', 'stopped', 'skipped', 'notrun']);
export type FileState = z.infer<typeof FileStateSchema>;

export const TestStateSchema = z.enum(['passed', 'failed', 'skipped', 'todo', 'stopped']);
export type TestState = z.infer<typeof TestStateSchema>;

export const StopReasonSchema = z.enum(['memory', 'timeout']);
export type StopReason = z.infer<typeof StopReasonSchema>;

export const TestErrorSchema = z.object({
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  stack: z.string().optional(),
});
export type TestError = z.infer<typeof TestErrorSchema>;

export const TestReportSchema = z.object({
  /** The test's own name; with the " (k)" of its full name when it has one. */
  name: z.string(),
  /**
   * Describe blocks and the test name joined with " > ", without the file; unique within the file:
   * the k-th test of a name gets " (k)" (core/test-names).
   */
  fullName: z.string(),
  state: TestStateSchema,
  durationMs: z.number().nonnegative(),
  heapAfterBytes: z.number().nonnegative().optional(),
  error: TestErrorSchema.optional(),
  /** Where the test is declared in its file, 1-based line and column (when Vitest reports it). */
  location: z.object({ line: z.number().int().positive(), column: z.number().int().nonnegative() }).optional(),
});
export type TestReport = z.infer<typeof TestReportSchema>;

/** A group of heap objects (a constructor) that grew between two heap snapshots. */
export const HeapGrowthSchema = z.object({ name: z.string(), countDelta: z.number(), bytesDelta: z.number() });
export type HeapGrowth = z.infer<typeof HeapGrowthSchema>;

export const StoppedSchema = z.object({
  reason: StopReasonSchema,
  /** Full name of the test that was running when the file was stopped, when known. */
  test: z.string().optional(),
  rssBytes: z.number().nonnegative(),
  /** Milliseconds since the run started. */
  atMs: z.number().nonnegative(),
  /** From the decision to stop to the worker being gone, in milliseconds. */
  killMs: z.number().nonnegative().optional(),
  /**
   * With --heap-snapshot, a memory stop: heap snapshots of the worker written while it grew
   * (absolute paths under .redline/snapshots/, to open in Chrome DevTools), oldest first.
   */
  snapshots: z.array(z.string()).optional(),
  /** The constructors whose instances grew most between the first and the last of them. */
  grew: z.array(HeapGrowthSchema).optional(),
  /** Why there is no snapshot, or nothing compared: a blocked event loop, no room, too large. */
  snapshotNote: z.string().optional(),
});
export type Stopped = z.infer<typeof StoppedSchema>;

export const FileReportSchema = z.object({
  /** Relative to the root, '/' separators. */
  path: z.string(),
  /** The Vitest project, when the workspace has more than one. */
  project: z.string().optional(),
  state: FileStateSchema,
  cached: z.boolean(),
  durationMs: z.number().nonnegative(),
  peakRssBytes: z.number().nonnegative(),
  /**
   * With leak detection, a file that ran to its end: its worker's post-GC memory (heap + external,
   * bytes) after its last measured test — one figure per run, whose climb across watch runs is
   * judged (core/run-trends). A cached file carries the figure of the run that stored it.
   */
  memoryAfterBytes: z.number().nonnegative().optional(),
  stopped: StoppedSchema.optional(),
  /** Errors of the file itself: a failed import, an error outside any test, a crashed worker. */
  errors: z.array(TestErrorSchema).optional(),
  tests: z.array(TestReportSchema),
});
export type FileReport = z.infer<typeof FileReportSchema>;

export const SummarySchema = z.object({
  files: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  broken: z.number().int().nonnegative(),
  stopped: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  notrun: z.number().int().nonnegative(),
  cached: z.number().int().nonnegative(),
});
export type Summary = z.infer<typeof SummarySchema>;

export const TierEventSchema = z.object({
  tier: TierSchema,
  atMs: z.number().nonnegative(),
  rssBytes: z.number().nonnegative(),
});
export type TierEvent = z.infer<typeof TierEventSchema>;

export const LeakSchema = z.object({
  file: z.string(),
  /** Fitted growth of post-GC memory per test (bytes); per run when `per` is 'run'. */
  bytesPerTest: z.number(),
  /** How well a line fits the series, 0 to 1. */
  fit: z.number(),
  totalBytes: z.number(),
  samples: z.number().int().nonnegative(),
  /**
   * What one step of the series is. Absent or 'test': the file's post-GC memory after each of its
   * tests in one run. 'run': its memory at its end across repeated watch runs (core/run-trends) —
   * `bytesPerTest` is then bytes per run, `samples` counts runs, `points` has one figure a run.
   */
  per: z.enum(['test', 'run']).optional(),
  /** Which memory grew: the JS heap, memory outside it (Buffers), or only their sum. */
  series: z.enum(['heap', 'external', 'total']).optional(),
  /** A short hint at the usual causes. */
  hint: z.string().optional(),
  /** With --heap-snapshot: the constructors whose instances grew most between two snapshots. */
  grew: z.array(HeapGrowthSchema).optional(),
  /** The two heap snapshots (early, late), to open in Chrome DevTools. */
  snapshots: z.array(z.string()).optional(),
  /**
   * With --heap-snapshot, why the file has no pair to compare: a snapshot declined because its
   * estimated cost did not fit below the terminal tier (core/guard-snapshots.ts), or not written.
   */
  snapshotNote: z.string().optional(),
  /** The fitted series itself, bytes after garbage collection after each test, in order (at most 200 points, evenly thinned). */
  points: z.array(z.number()).optional(),
});
export type Leak = z.infer<typeof LeakSchema>;

export const OrphanSchema = z.object({
  pid: z.number().int().positive(),
  command: z.string(),
  file: z.string().optional(),
});
export type Orphan = z.infer<typeof OrphanSchema>;

export const RunReportSchema = z.object({
  version: z.literal(1),
  root: z.string(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  summary: SummarySchema,
  files: z.array(FileReportSchema),
  memory: z.object({
    limitBytes: z.number().positive(),
    peakBytes: z.number().nonnegative(),
    tiers: z.array(TierEventSchema),
  }),
  leaks: z.array(LeakSchema),
  orphans: z.array(OrphanSchema),
  cache: z.object({ hits: z.number().int().nonnegative(), misses: z.number().int().nonnegative() }),
  /** Errors of the run that belong to no file (a failing globalSetup, an unhandled rejection). */
  errors: z.array(TestErrorSchema).optional(),
});
export type RunReport = z.infer<typeof RunReportSchema>;
