// The crash-safe state store in `<workspace>/.redline/` (DESIGN.md "State store"): typed documents
// read with validation and written atomically, automatic quarantine and restore of damaged ones,
// backups, resets, and a health report for `redline doctor`. Pure over the injected Fs, Clock and
// hash. Mutating operations run one at a time, in this process through a queue and across
// processes through the optional lock.
import { isTempName } from './atomic-write';
import { createBackup, DEFAULT_BACKUPS_MAX, readBackupDocument, removeBackup, scanBackups, selectOverBound, selectPrunable } from './backups';
import type { BackupInfo, CreatedBackup } from './backups';
import type { Clock } from './clock';
import { timeStamp } from './clock';
import type { DocumentSpec, Hash } from './envelope';
import type { Fs } from './fs';
import { errorCode } from './fs';
import type { Lock, LockHolder } from './lock';
import { LOCK_FILE } from './lock';
import type { Logger } from './logger';
import { joinPath } from './paths';
import { completeRecovery, recoverDocument, RESTORING_SUFFIX, restoringPath } from './recovery';
import type { Recovery } from './recovery';
import { BACKUPS_DIR, documentFile, documentPath, QUARANTINE_DIR, readDocumentText, writeDocument } from './store-context';
import { decode } from './envelope';
import type { Decoded } from './envelope';
import type { StoreContext } from './store-context';
import { fail, ioFailure, ok } from './store-result';
import type { StoreResult } from './store-result';

export type DocumentSpecs = Readonly<Record<string, DocumentSpec<unknown>>>;
export type DocumentValue<S extends DocumentSpecs, K extends keyof S> = S[K] extends DocumentSpec<infer T> ? T : never;

export interface StoreOptions<S extends DocumentSpecs> {
  readonly fs: Fs;
  /** `<workspace>/.redline`; created on the first write. */
  readonly dir: string;
  readonly clock: Clock;
  readonly hash: Hash;
  readonly logger: Logger;
  /** The documents kept here, e.g. { phases: phasesDocument, cache: …, runs: … }. */
  readonly documents: S;
  /** Serializes writers across processes; without it only this process's calls are serialized. */
  readonly lock?: Lock;
  /** Config `backups.max`: the bound applied after every new backup. */
  readonly backupsMax?: number;
  /**
   * Documents read again and again by one process (the phases after every run): the value of the
   * text last read or written is kept, by the text's hash, and the same text is not parsed and
   * validated again. Values a store hands out are shared then — they are immutable by contract
   * (typed readonly), as every value the store returns.
   */
  readonly memoize?: readonly string[];
}

export interface Loaded<T> {
  readonly value: T;
  /** ok: read and valid · missing: not written yet, `value` is empty · recovered: see `recovered`. */
  readonly status: 'ok' | 'missing' | 'recovered';
  /** Set when the file failed validation: what was wrong and what the store did about it. */
  readonly recovered?: Recovery;
  /** Set when the file had an older schema version; the next save writes the current one. */
  readonly migratedFrom?: number;
}

export interface Restored {
  readonly restored: BackupInfo;
  /** The automatic backup of the state as it was just before. */
  readonly safetyBackup: BackupInfo;
}

export interface ResetDone {
  /** The automatic backup of the state as it was just before. */
  readonly safetyBackup: BackupInfo;
  /** Names removed from the state directory. */
  readonly removed: readonly string[];
}

export interface BackupCreated extends CreatedBackup {
  /** Backups removed to keep within `backupsMax`. */
  readonly evicted: readonly string[];
}

export interface PruneOptions {
  readonly keep?: number;
  readonly olderThanDays?: number;
}

export interface DocumentHealth {
  readonly kind: string;
  readonly status: Loaded<unknown>['status'];
  readonly recovered?: Recovery;
}

export interface StoreHealth {
  readonly dir: string;
  readonly documents: readonly DocumentHealth[];
  readonly backups: number;
  /** Directories in backups/ without a valid manifest. */
  readonly damagedBackups: readonly string[];
  /** Files kept in quarantine/. */
  readonly quarantined: number;
  /** Temp files left by a writer that died between writing and renaming; harmless. */
  readonly strayTempFiles: number;
  /** Who holds the lock now, when a lock is configured. */
  readonly lockHolder: LockHolder | null;
}

export interface Store<S extends DocumentSpecs> {
  readonly dir: string;
  /** Never rejects: a damaged document is quarantined and restored, and the result says so. */
  load<K extends keyof S & string>(kind: K): Promise<Loaded<DocumentValue<S, K>>>;
  /**
   * On failure the previous file is intact. `validated`: the caller vouches that `value` matches
   * the document's schema — it validated every part it changed (a large document of which a run
   * changes a few entries) — so it is written without being parsed as a whole again.
   */
  save<K extends keyof S & string>(kind: K, value: DocumentValue<S, K>, options?: { readonly validated?: boolean }): Promise<StoreResult<void>>;
  /** Load, change and save as one step under the lock, so another writer's change is not lost. */
  update<K extends keyof S & string>(
    kind: K,
    change: (current: DocumentValue<S, K>) => DocumentValue<S, K>,
  ): Promise<StoreResult<Loaded<DocumentValue<S, K>>>>;
  backup(label?: string): Promise<StoreResult<BackupCreated>>;
  /** Newest first. */
  listBackups(): Promise<readonly BackupInfo[]>;
  /** Takes an automatic backup first; documents the backup does not hold are removed. */
  restore(id: string): Promise<StoreResult<Restored>>;
  /** With neither option, applies the default bound (`backupsMax`). */
  prune(options: PruneOptions): Promise<StoreResult<{ readonly removed: readonly string[] }>>;
  /** Backs up, then removes the documents whose spec says softReset 'clear' (cache, run history). */
  resetSoft(): Promise<StoreResult<ResetDone>>;
  /** Backs up, then removes everything in the state directory but backups/ (and the held lock). */
  resetHard(): Promise<StoreResult<ResetDone>>;
  /** Loads every document (recovering damaged ones) and counts the rest, for `redline doctor`. */
  health(): Promise<StoreHealth>;
}

export function openStore<S extends DocumentSpecs>(options: StoreOptions<S>): Store<S> {
  const { fs, dir, clock, logger, lock } = options;
  const backupsMax = options.backupsMax ?? DEFAULT_BACKUPS_MAX;
  const specs = Object.values(options.documents);
  const kinds = new Set(specs.map((spec) => spec.kind));
  if (kinds.size !== specs.length) throw new Error('openStore: two documents share a kind');

  let counter = 0;
  const ctx: StoreContext = {
    fs,
    dir,
    clock,
    hash: options.hash,
    logger,
    specs,
    // Time and counter keep this process's temp names apart; the random part keeps them apart
    // from another process's writing the same file in the same millisecond.
    tempTag: () => `${timeStamp(clock.now())}-${counter++}-${Math.random().toString(36).slice(2, 8)}`,
  };

  function specOf(kind: string): DocumentSpec<unknown> {
    const spec = options.documents[kind];
    if (!spec) throw new Error(`openStore: no document "${kind}"`);
    return spec;
  }

  let tail: Promise<unknown> = Promise.resolve();
  /**
   * One mutating operation at a time: queued here, locked across processes. `what` names the
   * operation in the message of anything it throws, so a caller never sees a raw exception.
   */
  function exclusive<T>(what: string, operation: () => Promise<StoreResult<T>>): Promise<StoreResult<T>> {
    const guarded = async (): Promise<StoreResult<T>> => {
      try {
        return await operation();
      } catch (error) {
        return ioFailure(what, error);
      }
    };
    const run = tail.then(async (): Promise<StoreResult<T>> => {
      if (!lock) return guarded();
      const held = await lock.withLock(guarded);
      if (held.ok) return held.value;
      // A lock file that cannot be written is a disk problem (full, read-only), not a writer.
      return held.code === 'io' ? ioFailure(`${what}: taking the lock`, held.error) : fail('locked', held.message);
    });
    tail = run.catch(() => undefined);
    return run;
  }

  /** Per memoized document: the hash of the text last read or written, and its decoded value. */
  const memo = new Map<string, { readonly digest: string; readonly decoded: Extract<Decoded<unknown>, { ok: true }> }>();
  const memoized = new Set(options.memoize ?? []);

  /** readDocument of the document's own file, through the memo for the documents that have one. */
  async function readCurrent(spec: DocumentSpec<unknown>): Promise<Decoded<unknown>> {
    const read = await readDocumentText(ctx, documentPath(ctx, spec));
    if (!read.ok) {
      memo.delete(spec.kind);
      return read;
    }
    if (!memoized.has(spec.kind)) return decode(spec, read.text, ctx.hash);
    const digest = ctx.hash(read.text);
    const known = memo.get(spec.kind);
    if (known?.digest === digest) return known.decoded;
    const decoded = decode(spec, read.text, ctx.hash);
    if (decoded.ok) memo.set(spec.kind, { digest, decoded });
    else memo.delete(spec.kind);
    return decoded;
  }

  /** Read one document; a damaged one is recovered in place (the caller holds the lock). */
  async function loadLocked(spec: DocumentSpec<unknown>): Promise<Loaded<unknown>> {
    const decoded = await readCurrent(spec);
    if (decoded.ok) return loadedOk(decoded.value, decoded.migratedFrom);
    if (decoded.reason === 'missing') {
      const finished = await completeRecovery(ctx, spec);
      return finished ? { value: finished.value, status: 'recovered', recovered: finished.recovery } : { value: spec.empty(), status: 'missing' };
    }
    const { value, recovery } = await recoverDocument(ctx, spec, { reason: decoded.reason, detail: decoded.detail }, true);
    return { value, status: 'recovered', recovered: recovery };
  }

  async function load(kind: string): Promise<Loaded<unknown>> {
    const spec = specOf(kind);
    // Reads need no lock — writes are atomic renames, so a reader sees a whole old or new file.
    const first = await readCurrent(spec);
    if (first.ok) return loadedOk(first.value, first.migratedFrom);
    if (first.reason === 'missing' && !(await exists(restoringPath(ctx, spec)))) return { value: spec.empty(), status: 'missing' };
    // Repairs are writes: take the lock, and look again, as another process may have repaired it.
    const repaired = await exclusive(`Repairing ${documentFile(spec)}`, async () => ok(await loadLocked(spec)));
    if (repaired.ok) return repaired.value;
    if (first.reason === 'missing') return { value: spec.empty(), status: 'missing' };
    const { value, recovery } = await recoverDocument(ctx, spec, { reason: first.reason, detail: first.detail }, false, repaired.error.message);
    return { value, status: 'recovered', recovered: recovery };
  }

  async function exists(path: string): Promise<boolean> {
    return fs.stat(path).then(
      () => true,
      () => false,
    );
  }

  /** Remove a document and any staged replacement, which would otherwise bring it back. */
  async function removeDocument(spec: DocumentSpec<unknown>): Promise<void> {
    await fs.rm(documentPath(ctx, spec));
    await fs.rm(restoringPath(ctx, spec));
  }

  async function saveLocked(spec: DocumentSpec<unknown>, value: unknown, validated = false): Promise<StoreResult<void>> {
    const parsed = validated ? { success: true as const, data: value } : spec.schema.safeParse(value);
    if (!parsed.success) {
      return fail('invalid-value', `Refused to save ${documentFile(spec)}: the value does not match its schema (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
    }
    try {
      const text = await writeDocument(ctx, spec, parsed.data, { validated: true });
      if (memoized.has(spec.kind)) memo.set(spec.kind, { digest: ctx.hash(text), decoded: { ok: true, value: parsed.data } });
      return ok(undefined);
    } catch (error) {
      memo.delete(spec.kind);
      return ioFailure(`Saving ${documentPath(ctx, spec)}`, error, `The previous ${documentFile(spec)} is unchanged.`);
    }
  }

  async function backupLocked(label: string | undefined, auto: boolean, protect: readonly string[] = []): Promise<StoreResult<BackupCreated>> {
    let created: CreatedBackup;
    try {
      created = await createBackup(ctx, { ...(label === undefined ? {} : { label }), auto });
    } catch (error) {
      return ioFailure(`Backing up ${dir}`, error, 'No backup was made; the state is unchanged.');
    }
    for (const skipped of created.skipped) {
      logger.warn(`Backup ${created.backup.id} left out ${skipped.kind}: it is damaged (${skipped.detail}).`);
    }
    const evicted: string[] = [];
    try {
      const { backups } = await scanBackups(ctx);
      for (const old of selectOverBound(backups, backupsMax, [created.backup.id, ...protect])) {
        await removeBackup(ctx, old.id);
        evicted.push(old.id);
      }
    } catch (error) {
      // The backup itself is made; a failed clean-up only leaves one backup too many.
      logger.warn(`Backup ${created.backup.id} was made, but older backups could not be pruned: ${String(error)}`);
    }
    if (evicted.length > 0) logger.info(`Removed backups ${evicted.join(', ')} to keep at most ${backupsMax}.`);
    return ok({ ...created, evicted });
  }

  async function restoreLocked(id: string): Promise<StoreResult<Restored>> {
    const { backups } = await scanBackups(ctx);
    const backup = backups.find((b) => b.id === id);
    if (!backup) return fail('no-such-backup', `There is no backup "${id}" in ${joinPath(dir, BACKUPS_DIR)}; \`redline backups\` lists them.`);
    // Validate everything before changing anything: a damaged backup changes nothing.
    const values = new Map<DocumentSpec<unknown>, unknown>();
    for (const spec of specs) {
      if (!backup.documents.includes(spec.kind)) continue;
      const copy = await readBackupDocument(ctx, id, spec);
      if (!copy.ok) return fail('bad-backup', `Backup ${id} is damaged: its ${documentFile(spec)} fails validation (${copy.detail}). Nothing was changed.`);
      values.set(spec, copy.value);
    }
    const safety = await backupLocked(`before restore ${id}`, true, [id]);
    if (!safety.ok) return fail(safety.error.code, `Restore refused: the safety backup failed. ${safety.error.message}`, safety.error.fsCode);
    try {
      for (const spec of specs) {
        if (values.has(spec)) {
          await fs.rm(restoringPath(ctx, spec));
          await writeDocument(ctx, spec, values.get(spec));
        } else {
          await removeDocument(spec);
        }
      }
    } catch (error) {
      return ioFailure(`Restoring backup ${id}`, error, `The restore stopped part-way; the state from before it is in backup ${safety.value.backup.id}.`);
    }
    logger.info(`Restored backup ${id}; the state before it is in backup ${safety.value.backup.id}.`);
    return ok({ restored: backup, safetyBackup: safety.value.backup });
  }

  async function resetLocked(hard: boolean): Promise<StoreResult<ResetDone>> {
    const safety = await backupLocked(hard ? 'before hard reset' : 'before soft reset', true);
    if (!safety.ok) return fail(safety.error.code, `Reset refused: the safety backup failed. ${safety.error.message}`, safety.error.fsCode);
    const removed: string[] = [];
    try {
      const names = await fs.readdir(dir).catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') return [] as string[];
        throw error;
      });
      const clear = hard
        ? names.filter((name) => name !== BACKUPS_DIR && name !== LOCK_FILE && !name.startsWith(`${LOCK_FILE}.`))
        : names.filter(
            (name) =>
              isTempName(name) ||
              specs.some((spec) => spec.softReset === 'clear' && (name === documentFile(spec) || name === documentFile(spec) + RESTORING_SUFFIX)),
          );
      for (const name of clear) {
        await fs.rm(joinPath(dir, name));
        removed.push(name);
      }
    } catch (error) {
      return ioFailure(`Resetting ${dir}`, error, `The reset stopped part-way; the state from before it is in backup ${safety.value.backup.id}.`);
    }
    logger.info(`${hard ? 'Hard' : 'Soft'} reset of ${dir}; the state before it is in backup ${safety.value.backup.id}.`);
    return ok({ safetyBackup: safety.value.backup, removed });
  }

  async function pruneLocked(options: PruneOptions): Promise<StoreResult<{ readonly removed: readonly string[] }>> {
    const { keep, olderThanDays } = options;
    if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0)) return fail('invalid-argument', `--keep takes a whole number ≥ 0, not ${keep}.`);
    if (olderThanDays !== undefined && !(Number.isFinite(olderThanDays) && olderThanDays >= 0)) {
      return fail('invalid-argument', `--older-than takes a number of days ≥ 0, not ${olderThanDays}.`);
    }
    const { backups } = await scanBackups(ctx);
    const doomed = keep === undefined && olderThanDays === undefined
      ? selectOverBound(backups, backupsMax, [])
      : selectPrunable(backups, options, clock.now());
    const removed: string[] = [];
    try {
      for (const backup of doomed) {
        await removeBackup(ctx, backup.id);
        removed.push(backup.id);
      }
    } catch (error) {
      return ioFailure(`Pruning backups (removed ${removed.length} of ${doomed.length})`, error);
    }
    return ok({ removed });
  }

  async function health(): Promise<StoreHealth> {
    const documents: DocumentHealth[] = [];
    for (const spec of specs) {
      const loaded = await load(spec.kind);
      documents.push(loaded.recovered ? { kind: spec.kind, status: loaded.status, recovered: loaded.recovered } : { kind: spec.kind, status: loaded.status });
    }
    const scan = await scanBackups(ctx);
    const quarantined = (await fs.readdir(joinPath(dir, QUARANTINE_DIR)).catch(() => [] as string[])).length;
    const strayTempFiles = (await fs.readdir(dir).catch(() => [] as string[])).filter(isTempName).length;
    const lockHolder = lock ? await lock.holder().catch(() => null) : null;
    return { dir, documents, backups: scan.backups.length, damagedBackups: scan.damaged, quarantined, strayTempFiles, lockHolder };
  }

  // The public methods are typed per document kind; inside, documents are DocumentSpec<unknown>.
  const store: Store<DocumentSpecs> = {
    dir,
    load,
    save: (kind, value, options) => exclusive(`Saving ${kind}`, () => saveLocked(specOf(kind), value, options?.validated)),
    update: (kind, change) =>
      exclusive(`Updating ${kind}`, async () => {
        const spec = specOf(kind);
        const current = await loadLocked(spec);
        const value = change(current.value);
        const saved = await saveLocked(spec, value, spec.validChange?.(current.value, value) === true);
        return saved.ok ? ok({ ...current, value }) : saved;
      }),
    backup: (label) => exclusive('Backing up', () => backupLocked(label, false)),
    listBackups: async () => (await scanBackups(ctx)).backups,
    restore: (id) => exclusive(`Restoring backup ${id}`, () => restoreLocked(id)),
    prune: (options) => exclusive('Pruning backups', () => pruneLocked(options)),
    resetSoft: () => exclusive('The soft reset', () => resetLocked(false)),
    resetHard: () => exclusive('The hard reset', () => resetLocked(true)),
    health,
  };
  return store as unknown as Store<S>;
}

function loadedOk(value: unknown, migratedFrom: number | undefined): Loaded<unknown> {
  return migratedFrom === undefined ? { value, status: 'ok' } : { value, status: 'ok', migratedFrom };
}
