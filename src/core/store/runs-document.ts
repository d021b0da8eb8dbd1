// The run history (`.redline/runs.json`): a bounded list of what each run found, newest last.
// Cleared by a soft reset; the phases are what survive it.
import { z } from 'zod';
import { SummarySchema, StopReasonSchema } from '../../protocol/report';
import type { DocumentSpec } from './envelope';

export const RUN_HISTORY_LIMIT = 100;

const RunEntrySchema = z.object({
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  exitCode: z.number().int(),
  summary: SummarySchema,
  memory: z.object({ limitBytes: z.number(), peakBytes: z.number() }),
  stopped: z.array(z.object({ path: z.string(), reason: StopReasonSchema, test: z.string().optional() })),
  /**
   * The git commit checked out when the run started, when the root is in a git repository.
   * tdd.approveOnCommit compares it with the next run's: HEAD moved means something was
   * committed in between. Kept here rather than in phases.json because it describes a run, and
   * losing it (a soft reset) costs at most one approval round, never a phase.
   */
  head: z.string().optional(),
});
export type RunEntry = z.infer<typeof RunEntrySchema>;

export const RunHistorySchema = z.object({ runs: z.array(RunEntrySchema) });
export type RunHistory = z.infer<typeof RunHistorySchema>;

export const runsDocument: DocumentSpec<RunHistory> = {
  kind: 'runs',
  version: 1,
  schema: RunHistorySchema,
  migrations: {},
  empty: () => ({ runs: [] }),
  softReset: 'clear',
  // appendRun adds one entry and keeps the others as they were.
  validChange: (previous, next) => {
    if (!Array.isArray((next as Partial<RunHistory> | undefined)?.runs)) return false;
    const kept = new Set(previous.runs);
    return next.runs.every((run) => kept.has(run) || RunEntrySchema.safeParse(run).success);
  },
};

/** Appends a run and keeps the newest RUN_HISTORY_LIMIT. */
export function appendRun(history: RunHistory, entry: RunEntry): RunHistory {
  return { runs: [...history.runs, entry].slice(-RUN_HISTORY_LIMIT) };
}
