// Serializes writers of one `.redline/` across processes — the CLI and the editor's runner at
// once. The lock is a file created exclusively (O_EXCL), naming its holder; a holder that died
// leaves it behind, so a lock whose process is gone is stale and taken over.
import type { Clock } from './clock';
import type { Fs } from './fs';
import { errorCode, errorText } from './fs';
import { joinPath, splitPath } from './paths';

export const LOCK_FILE = 'lock';

export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** What runs, for the message another process shows: e.g. "redline watch". */
  readonly command: string;
}

export interface LockHolder extends LockOwner {
  /** ISO 8601. */
  readonly startedAt: string;
}

export interface LockOptions {
  readonly fs: Fs;
  /** The `.redline` directory; the lock is `<dir>/lock`. */
  readonly dir: string;
  readonly clock: Clock;
  readonly owner: LockOwner;
  /** Whether a pid on this host is running (process.kill(pid, 0) in the real one). */
  readonly isAlive: (pid: number) => boolean;
  /** How long to wait for a live holder before giving up. Default 10 s. */
  readonly waitMs?: number;
  /** How often to look again while waiting. Default 100 ms. */
  readonly pollMs?: number;
  /**
   * A lock file without a readable holder (its writer died between creating and writing it) is
   * stale once it is this old. Default 5 s — far longer than that write takes.
   */
  readonly garbledStaleMs?: number;
}

export type LockRefused = {
  readonly ok: false;
  /** held: a live process has it; io: the lock file could not be created. */
  readonly code: 'held' | 'io';
  readonly holder: LockHolder | null;
  readonly message: string;
  /** For code 'io': the Node error code of the failure (ENOSPC, EACCES…). */
  readonly error?: unknown;
};

export type LockAcquired = { readonly ok: true; readonly release: () => Promise<void> };

export interface Lock {
  readonly path: string;
  /** Wait for the lock (up to waitMs); the caller must call release. Prefer withLock. */
  acquire(): Promise<LockAcquired | LockRefused>;
  /** Run `fn` holding the lock and release it after, also when `fn` throws. */
  withLock<T>(fn: () => Promise<T>): Promise<{ readonly ok: true; readonly value: T } | LockRefused>;
  /** Who holds it now (null when free or unreadable), for `redline doctor`. */
  holder(): Promise<LockHolder | null>;
}

/**
 * Lock paths held by this process. A lock file naming our own pid that no Lock here holds was
 * left by an earlier process that had the same pid (pids repeat after a reboot, and containers
 * start from 1), so it is stale even though `isAlive` says yes.
 */
const heldHere = new Set<string>();

export function createLock(options: LockOptions): Lock {
  const { fs, clock, owner, isAlive } = options;
  const waitMs = options.waitMs ?? 10_000;
  const pollMs = options.pollMs ?? 100;
  const garbledStaleMs = options.garbledStaleMs ?? 5_000;
  const path = joinPath(options.dir, LOCK_FILE);
  const breakPath = `${path}.break`;
  // One holder at a time inside this process too: two overlapping withLock calls queue here
  // instead of seeing their own pid in the file.
  let tail: Promise<unknown> = Promise.resolve();

  interface Seen {
    readonly text: string;
    readonly holder: LockHolder | null;
    readonly stale: boolean;
  }

  async function inspect(): Promise<Seen | 'gone'> {
    let text: string;
    try {
      text = await fs.readFile(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'gone';
      return { text: '', holder: null, stale: false };
    }
    const holder = parseHolder(text);
    if (!holder) return { text, holder, stale: await olderThan(path, garbledStaleMs) };
    const here = holder.hostname === owner.hostname;
    const stale = here && (holder.pid === owner.pid ? !heldHere.has(path) : !isAlive(holder.pid));
    return { text, holder, stale };
  }

  async function olderThan(file: string, ms: number): Promise<boolean> {
    try {
      return clock.now() - (await fs.stat(file)).mtimeMs > ms;
    } catch {
      return false;
    }
  }

  /**
   * Remove a stale lock — but only the one we judged: two processes breaking the same stale lock
   * at once must not have the second remove the fresh lock the first has just taken. A second,
   * short-lived exclusive file makes breaking one-at-a-time, and the content is compared again.
   */
  async function breakStale(observed: string): Promise<boolean> {
    try {
      await fs.writeFile(breakPath, JSON.stringify(owner), { exclusive: true });
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && (await olderThan(breakPath, garbledStaleMs))) await fs.rm(breakPath).catch(() => undefined);
      return false;
    }
    try {
      const now = await fs.readFile(path).catch(() => null);
      if (now === observed) await fs.rm(path);
      return true;
    } finally {
      await fs.rm(breakPath).catch(() => undefined);
    }
  }

  async function acquire(): Promise<LockAcquired | LockRefused> {
    const started = clock.now();
    const mine: LockHolder = { ...owner, startedAt: new Date(started).toISOString() };
    const text = JSON.stringify(mine);
    let holder: LockHolder | null = null;
    let madeDir = false;
    for (;;) {
      try {
        await fs.writeFile(path, text, { exclusive: true, durable: true });
        heldHere.add(path);
        return { ok: true, release: () => release(text) };
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT' && !madeDir) {
          madeDir = true;
          await fs.mkdir(splitPath(path).dir).catch(() => undefined);
          continue;
        }
        if (code !== 'EEXIST') {
          // The file may exist, empty or half-written (a full disk after the create): left
          // there, every later writer would wait for it to turn stale. Remove it only if it is
          // ours — empty or a prefix of our own text — never a lock another process just took.
          const left = await fs.readFile(path).catch(() => null);
          if (left !== null && text.startsWith(left)) await fs.rm(path).catch(() => undefined);
          return { ok: false, code: 'io', holder: null, message: `Cannot create the lock file ${path}: ${errorText(error)}`, error };
        }
      }
      const seen = await inspect();
      if (seen === 'gone') continue;
      if (seen.stale && (await breakStale(seen.text))) continue;
      holder = seen.holder;
      if (clock.now() - started >= waitMs) {
        return { ok: false, code: 'held', holder, message: heldMessage(path, holder, clock.now() - started) };
      }
      await clock.sleep(pollMs);
    }
  }

  async function release(text: string): Promise<void> {
    heldHere.delete(path);
    // Someone may have judged us dead and taken over; their lock is not ours to remove.
    const now = await fs.readFile(path).catch(() => null);
    if (now === text) await fs.rm(path);
  }

  function withLock<T>(fn: () => Promise<T>): Promise<{ readonly ok: true; readonly value: T } | LockRefused> {
    const run = tail.then(async () => {
      const got = await acquire();
      if (!got.ok) return got;
      try {
        return { ok: true as const, value: await fn() };
      } finally {
        await got.release();
      }
    });
    tail = run.catch(() => undefined);
    return run;
  }

  async function currentHolder(): Promise<LockHolder | null> {
    const seen = await inspect();
    return seen === 'gone' ? null : seen.holder;
  }

  return { path, acquire, withLock, holder: currentHolder };
}

export function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} (${holder.command}) on ${holder.hostname}, since ${holder.startedAt}`;
}

function heldMessage(path: string, holder: LockHolder | null, waitedMs: number): string {
  const who = holder ? describeHolder(holder) : 'another process';
  const waited = Math.round(waitedMs / 100) / 10;
  return (
    `The Redline state is in use by ${who}; waited ${waited} s. ` +
    `Let it finish or stop it; if that process no longer runs, delete ${path}.`
  );
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { pid, hostname, command, startedAt } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof hostname !== 'string' || typeof command !== 'string' || typeof startedAt !== 'string') {
      return null;
    }
    return { pid, hostname, command, startedAt };
  } catch {
    return null;
  }
}
