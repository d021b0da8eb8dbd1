// The phases document (`.redline/phases.json`): the state of the TDD phase machine, validated on
// every read so a damaged file is caught before the machine sees it.
import { z } from 'zod';
import { emptyPhaseState, PHASES } from '../phases';
import type { PhaseState } from '../phases';
import type { DocumentSpec } from './envelope';

const PhaseSchema = z.enum(PHASES);
const time = z.number().int().nonnegative();

const TestRecordSchema = z.object({
  fullName: z.string(),
  name: z.string(),
  phase: PhaseSchema,
  neverFailed: z.boolean(),
  since: time,
  beforeBroken: z.enum(['GREEN', 'YELLOW', 'RED']).optional(),
  history: z.array(z.object({ phase: PhaseSchema, at: time })),
});

const FileRecordSchema = z.object({
  path: z.string().min(1),
  broken: z.object({ message: z.string(), since: time }).nullable(),
  tests: z.array(TestRecordSchema),
});

export const PhaseStateSchema: z.ZodType<PhaseState> = z.object({ files: z.array(FileRecordSchema) });

export const phasesDocument: DocumentSpec<PhaseState> = {
  kind: 'phases',
  version: 1,
  schema: PhaseStateSchema,
  migrations: {},
  empty: emptyPhaseState,
  softReset: 'keep',
  // A run changes the records of the files it ran; the machine keeps every other record as it was.
  validChange: (previous, next) => {
    if (!Array.isArray((next as Partial<PhaseState> | undefined)?.files)) return false;
    const kept = new Set(previous.files);
    return next.files.every((file) => kept.has(file) || FileRecordSchema.safeParse(file).success);
  },
};
