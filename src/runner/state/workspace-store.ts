// The state store of one workspace (`<root>/.redline/`), wired to the real world: node:fs, the
// clock, sha256, and a lock file that names this process. The CLI and the runner open it alike;
// the lock serializes them (and an editor's runner) when they write at once.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../core/store/store';
import { createLock, type Lock } from '../../core/store/lock';
import type { LockHolder } from '../../core/store/lock';
import type { Logger } from '../../core/store/logger';
import { phasesDocument } from '../../core/store/phases-document';
import { runsDocument } from '../../core/store/runs-document';
import { cacheDocument, graphDocument } from '../../core/store/cache-document';
import { nodeFs } from './node-fs';

export const STATE_DIR = '.redline';

export const WORKSPACE_DOCUMENTS = { phases: phasesDocument, runs: runsDocument, cache: cacheDocument, graph: graphDocument } as const;
export type WorkspaceStore = Store<typeof WORKSPACE_DOCUMENTS>;

export interface WorkspaceStoreOptions {
  readonly logger: Logger;
  /** Config `backups.max`. */
  readonly backupsMax?: number;
  /** What this process is, for the lock file and the message another writer sees. */
  readonly command: string;
  /** How long to wait for another writer's lock. */
  readonly lockWaitMs?: number;
}

export const realClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

export const sha256 = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function stateDir(root: string): string {
  return join(root, STATE_DIR);
}

/** The lock of a workspace's state, naming this process as `command` while it holds it. */
export function workspaceLock(root: string, command: string, waitMs?: number): Lock {
  return createLock({
    fs: nodeFs,
    dir: stateDir(root),
    clock: realClock,
    owner: { pid: process.pid, hostname: hostname(), command },
    isAlive: isPidAlive,
    ...(waitMs !== undefined ? { waitMs } : {}),
  });
}

export function openWorkspaceStore(root: string, options: WorkspaceStoreOptions): WorkspaceStore {
  const dir = stateDir(root);
  const lock = workspaceLock(root, options.command, options.lockWaitMs);
  return openStore({
    fs: nodeFs,
    dir,
    clock: realClock,
    hash: sha256,
    logger: options.logger,
    documents: WORKSPACE_DOCUMENTS,
    lock,
    ...(options.backupsMax !== undefined ? { backupsMax: options.backupsMax } : {}),
    // Read after every run (and by the editor's panels after every run): an unchanged file is
    // not parsed and validated again. The cache and graph are read once per runner.
    memoize: ['phases', 'runs'],
  });
}

/** Who holds the workspace's lock now (null when free), to name it in a message. */
export function lockHolder(root: string): Promise<LockHolder | null> {
  const lock = createLock({
    fs: nodeFs,
    dir: stateDir(root),
    clock: realClock,
    owner: { pid: process.pid, hostname: hostname(), command: 'redline' },
    isAlive: isPidAlive,
  });
  return lock.holder().catch(() => null);
}
