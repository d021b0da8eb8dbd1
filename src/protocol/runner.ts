// The runner protocol: JSON-RPC between a host (the CLI, later the VS Code extension) and the
// runner process. Every message is declared here once, with a zod schema that both ends apply.
import { RequestType, RequestType0, NotificationType } from 'vscode-jsonrpc';
import { z } from 'zod';
import { FileReportSchema, RunReportSchema, TestReportSchema, TierSchema } from './report';

export const PROTOCOL_VERSION = 1;

// ---- initialize: the start-up handshake, a discriminated union -------------------------------

export const InitializeParamsSchema = z.object({
  protocolVersion: z.number().int(),
  root: z.string(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  /** How the runner keeps the workspace's state store (`.redline/`). */
  state: z
    .object({
      /** Config `backups.max`. */
      backupsMax: z.number().int().positive().optional(),
      /** What the host runs, e.g. "redline run": named in the lock file another writer reads. */
      host: z.string().optional(),
    })
    .optional(),
});
export type InitializeParams = z.input<typeof InitializeParamsSchema>;

export const StartupErrorCodeSchema = z.enum([
  'root-missing',
  'no-vitest',
  'unsupported-vitest',
  'protocol-mismatch',
  'internal',
]);
export type StartupErrorCode = z.infer<typeof StartupErrorCodeSchema>;

export const InitializeResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ready'),
    pid: z.number().int(),
    runnerVersion: z.string(),
    vitest: z.object({ version: z.string(), packageDir: z.string() }),
    node: z.string(),
  }),
  z.object({ kind: z.literal('error'), code: StartupErrorCodeSchema, message: z.string() }),
]);
export type InitializeResult = z.infer<typeof InitializeResultSchema>;

// ---- run ---------------------------------------------------------------------------------------

export const TierPercentsSchema = z.object({
  warning: z.number(),
  critical: z.number(),
  emergency: z.number(),
  terminal: z.number(),
});
export type TierPercents = z.infer<typeof TierPercentsSchema>;

export const RunParamsSchema = z.object({
  /** Filters as Vitest takes them on its command line (paths or parts of paths). */
  filters: z.array(z.string()).default([]),
  /** A Vitest config file, relative to the root or absolute. */
  vitestConfig: z.string().optional(),
  projects: z.array(z.string()).default([]),
  /** Vitest's maxWorkers; undefined lets Vitest decide. */
  workers: z.number().int().positive().optional(),
  fileTimeoutMs: z.number().positive(),
  memory: z.object({
    limitBytes: z.number().positive(),
    tiers: TierPercentsSchema,
    sampleIntervalMs: z.number().int().positive(),
  }),
  /** The TDD phases: every run's results feed them (DESIGN.md "TDD phases"). */
  tdd: z
    .object({
      /** Config `tdd.approveOnCommit`: YELLOW tests of files committed clean become GREEN when HEAD moves. */
      approveOnCommit: z.boolean().default(false),
    })
    .default({ approveOnCommit: false }),
  /** The result cache (DESIGN.md "Watch, affected tests and the result cache"). */
  cache: z
    .object({
      enabled: z.boolean(),
      maxEntries: z.number().int().positive(),
      maxBytes: z.number().int().positive(),
      /** Globs of test files (relative to the root) that always run. */
      exclude: z.array(z.string()),
    })
    .default({ enabled: true, maxEntries: 5000, maxBytes: 200 * 1024 * 1024, exclude: [] }),
  /**
   * Run only the test files these files affect (their import closure holds one of them).
   * Absolute, or relative to the root. Empty list: nothing is affected, nothing runs.
   */
  changedFiles: z.array(z.string()).optional(),
  /**
   * Write heap snapshots into this folder (absolute): two per file, to tell what grew in a
   * suspected leak; kept for leaking files only, at most `max` files in the folder.
   */
  heapSnapshot: z.object({ dir: z.string(), max: z.number().int().positive() }).optional(),
  /** Run only the files that failed, broke or were stopped in the previous run of this runner. */
  onlyFailed: z.boolean().optional(),
  /**
   * Leak detection: the probe collects garbage after every test and the runner fits each file's
   * post-GC series (DESIGN.md "Leak detection"). Off unless the host asks: it costs a few ms a test.
   */
  leaks: z
    .object({
      enabled: z.boolean(),
      minBytesPerTest: z.number().nonnegative(),
      minFit: z.number().min(0).max(1),
      minTotalBytes: z.number().nonnegative(),
      minSamples: z.number().int().min(3),
    })
    .default({ enabled: false, minBytesPerTest: 512 * 1024, minFit: 0.8, minTotalBytes: 8 * 1024 * 1024, minSamples: 5 }),
});
export type RunParams = z.input<typeof RunParamsSchema>;

export const PhaseCountsSchema = z.object({
  RED: z.number().int().nonnegative(),
  YELLOW: z.number().int().nonnegative(),
  GREEN: z.number().int().nonnegative(),
  BROKEN: z.number().int().nonnegative(),
});

/**
 * What became of the run in the state store. A store problem (locked too long, a full disk) never
 * fails the run: it is reported here, and the host tells the user.
 */
export const RunStateSchema = z.object({
  /** The run's results reached `.redline/phases.json`. */
  phasesSaved: z.boolean(),
  /** Why not, or what else went wrong (the run history not saved), as a sentence for the user. */
  message: z.string().optional(),
  /** One sentence per document the store found damaged and restored from a backup. */
  recovered: z.array(z.string()).optional(),
  /** Tests per phase after the run, over the whole workspace. */
  phases: PhaseCountsSchema.optional(),
  /** Tests turned GREEN because their file was committed clean (tdd.approveOnCommit). */
  approvedOnCommit: z.number().int().nonnegative().optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;

export const RunErrorCodeSchema = z.enum(['no-tests', 'config', 'busy', 'internal']);
export const RunResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('done'), report: RunReportSchema, state: RunStateSchema.optional() }),
  z.object({ kind: z.literal('error'), code: RunErrorCodeSchema, message: z.string() }),
]);
export type RunResult = z.infer<typeof RunResultSchema>;

// ---- notifications from the runner -----------------------------------------------------------

export const PlannedFileSchema = z.object({ path: z.string(), project: z.string().optional() });
export const RunPlannedSchema = z.object({ files: z.array(PlannedFileSchema) });
export const FileStartedSchema = z.object({ path: z.string(), project: z.string().optional(), pid: z.number().int() });
export const TestStartedSchema = z.object({ path: z.string(), fullName: z.string(), pid: z.number().int() });
export const TestFinishedSchema = z.object({ path: z.string(), project: z.string().optional(), test: TestReportSchema });
export const FileFinishedSchema = z.object({ file: FileReportSchema });

export const ProcessRoleSchema = z.enum(['runner', 'worker', 'child']);
export const MemorySampleSchema = z.object({
  atMs: z.number(),
  treeRssBytes: z.number(),
  limitBytes: z.number(),
  tier: TierSchema,
  processes: z.array(
    z.object({
      pid: z.number().int(),
      role: ProcessRoleSchema,
      rssBytes: z.number(),
      file: z.string().optional(),
      test: z.string().optional(),
    }),
  ),
});
export type MemorySample = z.infer<typeof MemorySampleSchema>;

export const GuardActionSchema = z.object({
  atMs: z.number(),
  action: z.enum(['warn', 'throttle', 'block', 'release', 'gc', 'stop']),
  tier: TierSchema,
  rssBytes: z.number(),
  file: z.string().optional(),
  test: z.string().optional(),
  reason: z.string(),
});
export type GuardAction = z.infer<typeof GuardActionSchema>;

export const LogSchema = z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error']), message: z.string() });
export const OutputSchema = z.object({
  path: z.string().optional(),
  fullName: z.string().optional(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
});

// ---- the typed endpoints ------------------------------------------------------------------------

// ---- affected ----------------------------------------------------------------------------------

export const AffectedParamsSchema = z.object({
  /** Changed files, absolute or relative to the root. */
  files: z.array(z.string()),
  vitestConfig: z.string().optional(),
  projects: z.array(z.string()).default([]),
});
export type AffectedParams = z.input<typeof AffectedParamsSchema>;
export const AffectedResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ok'),
    /** Test files affected, relative to the root, '/' separators, sorted. */
    files: z.array(z.string()),
    /** Set when a change affects every test (a Vitest config, a setup file, package.json, the lockfile). */
    all: z.string().optional(),
  }),
  z.object({ kind: z.literal('error'), code: RunErrorCodeSchema, message: z.string() }),
]);
export type AffectedResult = z.infer<typeof AffectedResultSchema>;

// ---- discover: the test files, without running any ----------------------------------------------

export const DiscoverParamsSchema = z.object({
  vitestConfig: z.string().optional(),
  projects: z.array(z.string()).default([]),
});
export type DiscoverParams = z.input<typeof DiscoverParamsSchema>;
export const DiscoverResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ok'),
    /** Test files relative to the root, '/' separators, sorted; one entry per file and project. */
    files: z.array(PlannedFileSchema),
  }),
  z.object({ kind: z.literal('error'), code: RunErrorCodeSchema, message: z.string() }),
]);
export type DiscoverResult = z.infer<typeof DiscoverResultSchema>;

// ---- freeMemory: drop what the runner keeps between runs ---------------------------------------

export const FreeMemoryResultSchema = z.object({
  /** The runner's resident memory before and after, in bytes. */
  beforeBytes: z.number().nonnegative(),
  afterBytes: z.number().nonnegative(),
  /** Why nothing was freed (a run in progress), as a sentence. */
  skipped: z.string().optional(),
});
export type FreeMemoryResult = z.infer<typeof FreeMemoryResultSchema>;

// ---- watch ---------------------------------------------------------------------------------------

export const WatchParamsSchema = z.object({
  run: RunParamsSchema,
  debounceMs: z.number().int().nonnegative(),
  /** Extra globs to ignore (relative to the root), beside node_modules, .git, .redline, build output and .gitignore. */
  ignore: z.array(z.string()).default([]),
  /** Restart Vitest between runs once the runner's post-GC baseline has grown this much. */
  restartAfterGrowthBytes: z.number().positive().default(256 * 1024 * 1024),
});
export type WatchParams = z.input<typeof WatchParamsSchema>;
export const WatchStartResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('started') }),
  z.object({ kind: z.literal('error'), code: RunErrorCodeSchema, message: z.string() }),
]);
export const WatchTriggerSchema = z.object({ mode: z.enum(['all', 'failed']) });

export const WatchStatusSchema = z.object({
  state: z.enum(['idle', 'running', 'restarting']),
  /** The batch of changes that started the run, relative paths. */
  changed: z.array(z.string()).default([]),
  /** How many test files the batch affects. */
  affected: z.number().int().nonnegative().default(0),
  /** The runner's own post-GC heap baseline after the last run. */
  baselineBytes: z.number().nonnegative().optional(),
  message: z.string().optional(),
});
export const WatchRunDoneSchema = z.object({ report: RunReportSchema, state: RunStateSchema.optional(), changed: z.array(z.string()) });

export const Requests = {
  initialize: new RequestType<InitializeParams, InitializeResult, void>('initialize'),
  run: new RequestType<RunParams, RunResult, void>('run'),
  affected: new RequestType<AffectedParams, AffectedResult, void>('affected'),
  discover: new RequestType<DiscoverParams, DiscoverResult, void>('discover'),
  freeMemory: new RequestType0<FreeMemoryResult, void>('freeMemory'),
  watchStart: new RequestType<WatchParams, z.infer<typeof WatchStartResultSchema>, void>('watch/start'),
  watchTrigger: new RequestType<z.infer<typeof WatchTriggerSchema>, void, void>('watch/trigger'),
  watchStop: new RequestType0<void, void>('watch/stop'),
  cancel: new RequestType0<void, void>('cancel'),
  shutdown: new RequestType0<void, void>('shutdown'),
} as const;

export const Notifications = {
  planned: new NotificationType<z.infer<typeof RunPlannedSchema>>('run/planned'),
  watchStatus: new NotificationType<z.input<typeof WatchStatusSchema>>('watch/status'),
  watchRunDone: new NotificationType<z.infer<typeof WatchRunDoneSchema>>('watch/runDone'),
  fileStarted: new NotificationType<z.infer<typeof FileStartedSchema>>('run/fileStarted'),
  testStarted: new NotificationType<z.infer<typeof TestStartedSchema>>('run/testStarted'),
  testFinished: new NotificationType<z.infer<typeof TestFinishedSchema>>('run/testFinished'),
  fileFinished: new NotificationType<z.infer<typeof FileFinishedSchema>>('run/fileFinished'),
  memory: new NotificationType<MemorySample>('memory/sample'),
  guard: new NotificationType<GuardAction>('guard/action'),
  log: new NotificationType<z.infer<typeof LogSchema>>('log'),
  output: new NotificationType<z.infer<typeof OutputSchema>>('output'),
} as const;

/** The schema each notification's params are checked against on arrival. */
export const NotificationSchemas = {
  'run/planned': RunPlannedSchema,
  'watch/status': WatchStatusSchema,
  'watch/runDone': WatchRunDoneSchema,
  'run/fileStarted': FileStartedSchema,
  'run/testStarted': TestStartedSchema,
  'run/testFinished': TestFinishedSchema,
  'run/fileFinished': FileFinishedSchema,
  'memory/sample': MemorySampleSchema,
  'guard/action': GuardActionSchema,
  log: LogSchema,
  output: OutputSchema,
} as const;
