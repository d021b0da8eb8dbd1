// A store over a MemoryFs with a hand-moved clock, the phases document and two stand-ins for the
// cache and run-history documents (their real schemas belong to the runner), so the store tests
// can corrupt files and watch what happens.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../../src/core/store/clock';
import type { DocumentSpec } from '../../../src/core/store/envelope';
import { createLock } from '../../../src/core/store/lock';
import type { Lock, LockOwner } from '../../../src/core/store/lock';
import type { Logger } from '../../../src/core/store/logger';
import { phasesDocument } from '../../../src/core/store/phases-document';
import { openStore } from '../../../src/core/store/store';
import type { Store } from '../../../src/core/store/store';
import { MemoryFs } from './memory-fs';

export const DIR = '/ws/.redline';

export function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CacheDoc {
  readonly entries: Readonly<Record<string, string>>;
}
export const cacheDocument: DocumentSpec<CacheDoc> = {
  kind: 'cache',
  version: 1,
  schema: z.object({ entries: z.record(z.string(), z.string()) }),
  empty: () => ({ entries: {} }),
  softReset: 'clear',
};

export interface RunsDoc {
  readonly runs: readonly { readonly at: number; readonly passed: number }[];
}
export const runsDocument: DocumentSpec<RunsDoc> = {
  kind: 'runs',
  version: 1,
  schema: z.object({ runs: z.array(z.object({ at: z.number(), passed: z.number() })) }),
  empty: () => ({ runs: [] }),
  softReset: 'clear',
};

export const documents = { phases: phasesDocument, cache: cacheDocument, runs: runsDocument };

export class FakeClock implements Clock {
  constructor(public ms = Date.UTC(2025, 0, 2, 3, 4, 5, 678)) {}
  now(): number {
    return this.ms;
  }
  async sleep(ms: number): Promise<void> {
    this.ms += ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

export interface Fixture {
  readonly fs: MemoryFs;
  readonly clock: FakeClock;
  readonly logger: MemoryLogger;
  readonly store: Store<typeof documents>;
}

export function makeStore(
  options: { fs?: MemoryFs; clock?: FakeClock; backupsMax?: number; lock?: Lock; memoize?: readonly string[] } = {},
): Fixture {
  const clock = options.clock ?? new FakeClock();
  const fs = options.fs ?? new MemoryFs(() => clock.now());
  const logger = new MemoryLogger();
  const store = openStore({
    fs,
    dir: DIR,
    clock,
    hash: sha256,
    logger,
    documents,
    ...(options.lock ? { lock: options.lock } : {}),
    ...(options.backupsMax === undefined ? {} : { backupsMax: options.backupsMax }),
    ...(options.memoize ? { memoize: options.memoize } : {}),
  });
  return { fs, clock, logger, store };
}

export function makeLock(fs: MemoryFs, clock: FakeClock, owner: Partial<LockOwner> = {}, alive: (pid: number) => boolean = () => true): Lock {
  return createLock({
    fs,
    dir: DIR,
    clock,
    owner: { pid: 100, hostname: 'box', command: 'redline test', ...owner },
    isAlive: alive,
    waitMs: 1_000,
    pollMs: 100,
  });
}
