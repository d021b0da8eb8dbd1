// What happens to a document that fails validation: the bad file is moved aside into
// quarantine/ (kept, never deleted), the newest backup holding a valid copy is put in its place,
// and the user is told — never a crash, never silent loss.
//
// The recovery is itself crash-safe. The replacement is first written beside the document as
// `<file>.restoring`; only then is the bad file moved to quarantine, and the replacement renamed
// into place. A process killed between the two renames leaves the document missing but the
// `.restoring` file whole, and the next load finishes the job (completeRecovery).
import { timeStamp } from './clock';
import { newestValidCopy } from './backups';
import type { BackupInfo } from './backups';
import { encode } from './envelope';
import type { DecodeFailure, DocumentSpec } from './envelope';
import { errorText } from './fs';
import { joinPath } from './paths';
import { documentFile, documentPath, freeName, QUARANTINE_DIR, readDocument } from './store-context';
import type { StoreContext } from './store-context';
import { describeFsError } from './store-result';

export const RESTORING_SUFFIX = '.restoring';

export interface Recovery {
  /** interrupted: an earlier recovery was cut short (the process died) and this load finished it. */
  readonly reason: Exclude<DecodeFailure, 'missing'> | 'interrupted';
  /** What was wrong, in words. */
  readonly detail: string;
  /** Where the bad file now is; null when it was left in place (see message). */
  readonly quarantinedTo: string | null;
  /** The backup id the value came from; null when no backup held a valid copy (value is empty). */
  readonly restoredFrom: string | null;
  /** The whole story in one or two sentences, for the user. */
  readonly message: string;
}

export interface Recovered<T> {
  readonly value: T;
  readonly recovery: Recovery;
}

export function restoringPath(ctx: StoreContext, spec: Pick<DocumentSpec<unknown>, 'kind'>): string {
  return documentPath(ctx, spec) + RESTORING_SUFFIX;
}

/**
 * Quarantine and restore one document. The caller holds the store's lock, except when `inPlace`
 * is false: then the lock could not be had, and only the value is recovered, in memory, leaving
 * every file as it is for the holder or a later load to repair.
 */
export async function recoverDocument<T>(
  ctx: StoreContext,
  spec: DocumentSpec<T>,
  failure: { readonly reason: Exclude<DecodeFailure, 'missing'>; readonly detail: string },
  inPlace: boolean,
  lockMessage?: string,
): Promise<Recovered<T>> {
  const { fs } = ctx;
  const file = documentFile(spec);
  const notes: string[] = [];

  let copy: { readonly backup: BackupInfo; readonly value: T } | null = null;
  try {
    copy = await newestValidCopy(ctx, spec);
  } catch (error) {
    notes.push(`The backups could not be read (${errorText(error)}).`);
  }
  const value = copy ? copy.value : spec.empty();

  let quarantinedTo: string | null = null;
  if (!inPlace) {
    notes.push(`The file was left as it is: ${lockMessage ?? 'the state is locked by another process'}.`);
  } else {
    const staged = restoringPath(ctx, spec);
    // Stage first: if even that fails (a full disk), the bad file stays where it is rather than
    // leave the document missing.
    let isStaged = false;
    try {
      await fs.writeFile(staged, encode(spec, value, ctx.hash), { durable: true });
      isStaged = true;
      const qdir = joinPath(ctx.dir, QUARANTINE_DIR);
      await fs.mkdir(qdir);
      const target = joinPath(qdir, await freeName(fs, qdir, `${file}.${timeStamp(ctx.clock.now())}`));
      await fs.rename(documentPath(ctx, spec), target);
      quarantinedTo = target;
      await fs.rename(staged, documentPath(ctx, spec));
      await fs.syncDir(ctx.dir);
    } catch (error) {
      // Until the bad file has moved, the staged copy (maybe half-written) must not stay behind.
      if (quarantinedTo === null) await fs.rm(staged).catch(() => undefined);
      if (!isStaged) {
        notes.push(`The replacement could not be written (${describeFsError(error)}), so the damaged file was left as it is and the restored copy is used in memory only.`);
      } else if (quarantinedTo === null) {
        notes.push(`It could not be moved to quarantine (${describeFsError(error)}), so it was left as it is and the restored copy is used in memory only.`);
      } else {
        notes.push(`The restored copy could not be put in place (${describeFsError(error)}); the next load tries again.`);
      }
    }
  }

  const moved = quarantinedTo === null ? '' : ` It was moved to ${quarantinedTo}.`;
  const restored = copy
    ? ` Restored from backup ${copy.backup.id}${copy.backup.label === undefined ? '' : ` "${copy.backup.label}"`} (${copy.backup.createdAt}).`
    : ' No backup held a valid copy, so it starts empty.';
  const message = `${file} in ${ctx.dir} was damaged: ${failure.detail}.${moved}${restored}${notes.length > 0 ? ' ' + notes.join(' ') : ''}`;
  ctx.logger.warn(message);
  return {
    value,
    recovery: { reason: failure.reason, detail: failure.detail, quarantinedTo, restoredFrom: copy?.backup.id ?? null, message },
  };
}

/**
 * A missing document with a valid `.restoring` beside it is a recovery that was interrupted after
 * the quarantine: put the staged copy in place. Returns its value, or null when there is nothing
 * to finish (a damaged staged file is dropped: the bad original is already in quarantine).
 * The caller holds the lock.
 */
export async function completeRecovery<T>(ctx: StoreContext, spec: DocumentSpec<T>): Promise<Recovered<T> | null> {
  const staged = restoringPath(ctx, spec);
  const decoded = await readDocument(ctx, spec, staged);
  if (!decoded.ok) {
    if (decoded.reason !== 'missing') await ctx.fs.rm(staged).catch(() => undefined);
    return null;
  }
  let message = `${documentFile(spec)} in ${ctx.dir}: an earlier recovery was interrupted after the damaged file went to quarantine; its restored copy is now in place.`;
  try {
    await ctx.fs.rename(staged, documentPath(ctx, spec));
    await ctx.fs.syncDir(ctx.dir);
  } catch (error) {
    message += ` Putting it in place failed (${describeFsError(error)}); it is used in memory, and the next load tries again.`;
  }
  ctx.logger.warn(message);
  return { value: decoded.value, recovery: { reason: 'interrupted', detail: 'an earlier recovery was interrupted', quarantinedTo: null, restoredFrom: null, message } };
}
