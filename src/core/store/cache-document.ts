// The result cache (`.redline/cache.json`) and the import graph learnt from real runs
// (`.redline/graph.json`). Both are derived data: a soft reset clears them, and a damaged one
// costs only a rerun.
import { z } from 'zod';
import { FileReportSchema, LeakSchema } from '../../protocol/report';
import type { CacheContents, CacheEntry } from '../cache/result-cache';
import type { DocumentSpec } from './envelope';

const CacheEntrySchema = z.object({
  key: z.string(),
  path: z.string(),
  project: z.string().optional(),
  report: FileReportSchema,
  leak: LeakSchema.optional(),
  leakChecked: z.boolean().optional(),
  storedAt: z.number(),
  lastUsedAt: z.number(),
  bytes: z.number().nonnegative(),
});

export const CacheContentsSchema: z.ZodType<CacheContents> = z.object({ entries: z.array(CacheEntrySchema) });

/**
 * A new entry as the cache document keeps it (unknown fields dropped), or undefined if it does not
 * match the schema. A cache built only of loaded entries and entries passed through here is valid
 * as a whole, and can be saved without validating every entry again (store.save's `validated`).
 */
export function storableEntry(entry: Omit<CacheEntry, 'bytes' | 'lastUsedAt'>): Omit<CacheEntry, 'bytes' | 'lastUsedAt'> | undefined {
  const parsed = CacheEntrySchema.safeParse({ ...entry, bytes: 0, lastUsedAt: 0 });
  if (!parsed.success) return undefined;
  const { bytes: _bytes, lastUsedAt: _lastUsedAt, ...stored } = parsed.data;
  return stored;
}

export const cacheDocument: DocumentSpec<CacheContents> = {
  kind: 'cache',
  version: 1,
  schema: CacheContentsSchema,
  migrations: {},
  empty: () => ({ entries: [] }),
  softReset: 'clear',
};

export interface ModuleGraph {
  /** Test file (relative) → the workspace modules it loaded when it last ran (relative). */
  readonly files: Readonly<Record<string, readonly string[]>>;
}

export const ModuleGraphSchema: z.ZodType<ModuleGraph> = z.object({ files: z.record(z.string(), z.array(z.string())) });

export const graphDocument: DocumentSpec<ModuleGraph> = {
  kind: 'graph',
  version: 1,
  schema: ModuleGraphSchema,
  migrations: {},
  empty: () => ({ files: {} }),
  softReset: 'clear',
};
