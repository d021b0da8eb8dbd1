// The webview message contract: what the four panels (src/webview) and the host
// (src/extension/panels) send each other. The host parses every message from a webview with
// `parseWebviewMessage` before acting on it — a webview is a browser page, so its messages are
// input, not trusted calls — and drops what does not parse. The host builds the state messages
// itself from typed data; their schemas document the shape and let tests check it.
//
// The webview imports only types from this module: the schemas below pull in zod and the runner
// protocol, which have no place in the browser bundle.
import { z } from 'zod';
import { COMMANDS } from './commands';
import type { PanelKind } from './commands';
import { LeakSchema, StoppedSchema, TierSchema } from './report';
import { GuardActionSchema, MemorySampleSchema, TierPercentsSchema } from './runner';

// ---- webview → host ----------------------------------------------------------------------------

// Bounds keep a misbehaving page from handing the host megabytes to log or to pass on.
const PathSchema = z.string().min(1).max(4096);
const NameSchema = z.string().min(1).max(10_000);

/** The page has loaded (first load or after being hidden); the host answers with a fresh `state`. */
export const ReadyMessageSchema = z.strictObject({ type: z.literal('ready') });

/** An error the page caught (a render that threw): the host writes it to the log. */
export const ErrorMessageSchema = z.strictObject({
  type: z.literal('error'),
  message: z.string().max(4000),
  stack: z.string().max(20_000).optional(),
});

/** The settings a panel may open (the leak-detection switch, the memory tiers). */
export const SETTING_QUERIES = ['redline.leaks.enabled', 'redline.memory'] as const;
export const OpenSettingsMessageSchema = z.strictObject({ type: z.literal('openSettings'), query: z.enum(SETTING_QUERIES) });

const command = <C extends string>(id: C) => z.strictObject({ type: z.literal('command'), command: z.literal(id) });
const commandWith = <C extends string, A extends z.ZodType>(id: C, args: A) =>
  z.strictObject({ type: z.literal('command'), command: z.literal(id), args });

/**
 * Every action a panel offers, as the `redline.*` command that does it: the commands confirm
 * what needs confirming, so the palette and the panels share one path. Args are named here and
 * turned into the command's positional arguments by the host (panels/command-call.ts).
 */
export const CommandMessageSchema = z.discriminatedUnion('command', [
  commandWith(COMMANDS.approve, z.strictObject({ file: PathSchema, fullName: NameSchema.optional() })),
  commandWith(COMMANDS.openFile, z.strictObject({ path: PathSchema, line: z.int().positive().optional() })),
  commandWith(COMMANDS.openHeapSnapshot, z.strictObject({ path: PathSchema })),
  commandWith(COMMANDS.restore, z.strictObject({ id: z.string().min(1).max(200) })),
  /** An empty label makes a backup without one (the command asks only when it gets no label at all). */
  commandWith(COMMANDS.backup, z.strictObject({ label: z.string().max(200) })),
  command(COMMANDS.pruneBackups),
  command(COMMANDS.resetSoft),
  command(COMMANDS.resetHard),
  command(COMMANDS.freeMemory),
  command(COMMANDS.restartRunner),
  command(COMMANDS.emergencyStop),
  command(COMMANDS.runAll),
  command(COMMANDS.showLog),
]);
export type CommandMessage = z.infer<typeof CommandMessageSchema>;
/** The command ids a panel may send. */
export type PanelCommandId = CommandMessage['command'];

export const WebviewMessageSchema = z.union([ReadyMessageSchema, ErrorMessageSchema, OpenSettingsMessageSchema, CommandMessageSchema]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

export type ParsedWebviewMessage =
  | { readonly ok: true; readonly message: WebviewMessage }
  | { readonly ok: false; readonly error: string };

/** Parse a message from a webview; `error` is a one-line reason for the log. */
export function parseWebviewMessage(data: unknown): ParsedWebviewMessage {
  const result = WebviewMessageSchema.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, error: `${issue?.message ?? 'invalid message'}${where}` };
}

export function isWebviewMessage(data: unknown): data is WebviewMessage {
  return WebviewMessageSchema.safeParse(data).success;
}

// ---- host → webview: each panel's state --------------------------------------------------------

/** Mirrors `RunnerStatus` (src/extension/services.ts); the host assigns one to the other, so tsc keeps them in step. */
export const RunnerStatusSchema = z.object({
  state: z.enum(['idle', 'starting', 'ready', 'running', 'watching', 'restarting', 'failed', 'untrusted']),
  pid: z.number().int().optional(),
  vitestVersion: z.string().optional(),
  nodeVersion: z.string().optional(),
  restarts: z.number().int().nonnegative(),
  retryInMs: z.number().nonnegative().optional(),
  message: z.string().optional(),
  since: z.number(),
});
export type RunnerStatusView = z.infer<typeof RunnerStatusSchema>;

/** One point of the memory history: the panel draws the tree's memory only, so the host drops the per-process rows. */
export const ChartSampleSchema = z.object({ atMs: z.number(), rssBytes: z.number(), limitBytes: z.number(), tier: TierSchema });
export type ChartSample = z.infer<typeof ChartSampleSchema>;

export const MemoryPanelStateSchema = z.object({
  /** Oldest first; `atMs` counts from each run's start, so it falls back to 0 where a run begins. */
  samples: z.array(ChartSampleSchema).readonly(),
  latest: MemorySampleSchema.nullable(),
  /** The guard's actions of the current or last run, oldest first (the newest 100 at most). */
  actions: z.array(GuardActionSchema).readonly(),
  tierPercents: TierPercentsSchema,
  runner: RunnerStatusSchema,
});
export type MemoryPanelState = z.infer<typeof MemoryPanelStateSchema>;

const PhaseSchema = z.enum(['GREEN', 'YELLOW', 'RED', 'BROKEN']);
/** Mirrors `PhaseState` (src/core/phases.ts). */
export const PhaseStateSchema = z.object({
  files: z
    .array(
      z.object({
        path: z.string(),
        broken: z.object({ message: z.string(), since: z.number() }).nullable(),
        tests: z
          .array(
            z.object({
              fullName: z.string(),
              name: z.string(),
              phase: PhaseSchema,
              neverFailed: z.boolean(),
              since: z.number(),
              beforeBroken: PhaseSchema.exclude(['BROKEN']).optional(),
              history: z.array(z.object({ phase: PhaseSchema, at: z.number() })).readonly(),
            }),
          )
          .readonly(),
      }),
    )
    .readonly(),
});

export const PhasesPanelStateSchema = z.object({
  phases: PhaseStateSchema,
  /** Set when `.redline/phases.json` could not be read: the panel says so instead of showing an empty tree. */
  error: z.string().optional(),
});
export type PhasesPanelState = z.infer<typeof PhasesPanelStateSchema>;

export const LeaksPanelStateSchema = z.object({
  leaks: z.array(LeakSchema).readonly(),
  /** Setting `redline.leaks.enabled`: the empty state says how to turn it on when it is off. */
  enabled: z.boolean(),
  /** Setting `redline.memory.heapSnapshot`: leaks name the constructors that grew only with it. */
  heapSnapshot: z.boolean(),
  /** The last finished run, if any: when it started (ISO 8601) and how many files it had. */
  lastRun: z.object({ startedAt: z.string(), files: z.number().int().nonnegative() }).nullable(),
  /**
   * With heap snapshots: the last run's files the memory guard stopped that have snapshots or what
   * grew between them (core/views/leaks-view.ts `memoryStops`). Absent: none to show.
   */
  stops: z.array(z.object({ file: z.string(), project: z.string().optional(), stopped: StoppedSchema })).readonly().optional(),
});
export type LeaksPanelState = z.infer<typeof LeaksPanelStateSchema>;

/** Mirrors `BackupInfo` (src/core/store/backups.ts). */
export const BackupRowSchema = z.object({
  id: z.string(),
  label: z.string().optional(),
  createdAt: z.string(),
  bytes: z.number().nonnegative(),
  auto: z.boolean(),
  documents: z.array(z.string()).readonly(),
});
export type BackupRow = z.infer<typeof BackupRowSchema>;

export const RecoveryPanelStateSchema = z.object({
  runner: RunnerStatusSchema,
  /** Newest first. */
  backups: z.array(BackupRowSchema).readonly(),
  /** Set when the backups could not be listed. */
  backupsError: z.string().optional(),
});
export type RecoveryPanelState = z.infer<typeof RecoveryPanelStateSchema>;

export const PanelStateSchemas = {
  memory: MemoryPanelStateSchema,
  phases: PhasesPanelStateSchema,
  leaks: LeaksPanelStateSchema,
  recovery: RecoveryPanelStateSchema,
} as const satisfies Record<PanelKind, z.ZodType>;

export interface PanelStates {
  memory: MemoryPanelState;
  phases: PhasesPanelState;
  leaks: LeaksPanelState;
  recovery: RecoveryPanelState;
}

export const StateMessageSchema = z.discriminatedUnion('kind', [
  z.object({ type: z.literal('state'), kind: z.literal('memory'), state: MemoryPanelStateSchema }),
  z.object({ type: z.literal('state'), kind: z.literal('phases'), state: PhasesPanelStateSchema }),
  z.object({ type: z.literal('state'), kind: z.literal('leaks'), state: LeaksPanelStateSchema }),
  z.object({ type: z.literal('state'), kind: z.literal('recovery'), state: RecoveryPanelStateSchema }),
]);
/** The one message the host sends: a panel's whole state (small enough to resend; the page re-renders what changed). */
export type StateMessage = { [K in PanelKind]: { type: 'state'; kind: K; state: PanelStates[K] } }[PanelKind];
export type HostMessage = StateMessage;

export function isStateMessage(data: unknown): data is StateMessage {
  return StateMessageSchema.safeParse(data).success;
}

export function stateMessage<K extends PanelKind>(kind: K, state: PanelStates[K]): StateMessage {
  return { type: 'state', kind, state } as StateMessage;
}
