// What happens to a document that fails validation: the bad file is moved aside into
// quarantine/ (kept, never deleted), the newest backup holding a valid copy is written in its
// place, and the user is told — never a crash, never silent loss.
import { timeStamp } from './clock';
import { newestValidCopy } from './backups';
import type { BackupInfo } from './backups';
import type { DecodeFailure, DocumentSpec } from './envelope';
import { errorText } from './fs';
import { joinPath } from './paths';
import { documentFile, documentPath, freeName, QUARANTINE_DIR, writeDocument } from './store-context';
import type { StoreContext } from './store-context';
import { describeFsError } from './store-result';

export interface Recovery {
  readonly reason: Exclude<DecodeFailure, 'missing'>;
  /** What was wrong, in words. */
  readonly detail: string;
  /** Where the bad file now is; null when it could not be moved (then it was left untouched). */
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
  const file = documentFile(spec);
  const notes: string[] = [];
  let quarantinedTo: string | null = null;
  if (inPlace) {
    try {
      const qdir = joinPath(ctx.dir, QUARANTINE_DIR);
      await ctx.fs.mkdir(qdir);
      quarantinedTo = joinPath(qdir, await freeName(ctx.fs, qdir, `${file}.${timeStamp(ctx.clock.now())}`));
      await ctx.fs.rename(documentPath(ctx, spec), quarantinedTo);
    } catch (error) {
      quarantinedTo = null;
      notes.push(`It could not be moved to quarantine (${describeFsError(error)}), so it was left as it is.`);
    }
  } else {
    notes.push(`It was left as it is: ${lockMessage ?? 'the state is locked by another process'}.`);
  }

  let copy: { readonly backup: BackupInfo; readonly value: T } | null = null;
  try {
    copy = await newestValidCopy(ctx, spec);
  } catch (error) {
    notes.push(`The backups could not be read (${errorText(error)}).`);
  }
  // Write the restored copy only where the bad file was moved away: overwriting it would lose it.
  if (copy && quarantinedTo !== null) {
    try {
      await writeDocument(ctx, spec, copy.value);
    } catch (error) {
      notes.push(`The restored copy could not be written (${describeFsError(error)}); it is used in memory only.`);
    }
  }

  const moved = quarantinedTo === null ? '' : ` It was moved to ${quarantinedTo}.`;
  const restored = copy
    ? ` Restored from backup ${copy.backup.id}${copy.backup.label === undefined ? '' : ` "${copy.backup.label}"`} (${copy.backup.createdAt}).`
    : ' No backup held a valid copy, so it starts empty.';
  const message = `${file} in ${ctx.dir} was damaged: ${failure.detail}.${moved}${restored}${notes.length > 0 ? ' ' + notes.join(' ') : ''}`;
  ctx.logger.warn(message);
  return {
    value: copy ? copy.value : spec.empty(),
    recovery: { reason: failure.reason, detail: failure.detail, quarantinedTo, restoredFrom: copy?.backup.id ?? null, message },
  };
}
