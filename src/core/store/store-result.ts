// What a store operation returns instead of throwing: bad data and failed I/O are expected in a
// state directory on a user's disk, and each caller (CLI, runner, extension) words them its own way.
import { errorCode, errorText } from './fs';

export type StoreErrorCode =
  /** The file system refused (full disk, permissions, read-only…); `fsCode` says which. */
  | 'io'
  /** Another process holds the state lock; the message names it. */
  | 'locked'
  | 'no-such-backup'
  /** The backup exists but a document in it fails validation; nothing was changed. */
  | 'bad-backup'
  /** The value given to save does not match its document's schema (a bug in the caller). */
  | 'invalid-value'
  | 'invalid-argument'
  /** An unexpected exception (a bug); the message carries its text. */
  | 'internal';

export interface StoreError {
  readonly code: StoreErrorCode;
  /** A sentence for the user that says what happened and what to do next. */
  readonly message: string;
  readonly fsCode?: string;
}

export type StoreResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StoreError };

export function ok<T>(value: T): StoreResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: StoreErrorCode, message: string, fsCode?: string): StoreResult<T> {
  return { ok: false, error: fsCode === undefined ? { code, message } : { code, message, fsCode } };
}

/** An Fs failure as a store error: `action` says what was being done, `after` what it means. */
export function ioFailure<T>(action: string, error: unknown, after = ''): StoreResult<T> {
  const code = errorCode(error);
  const message = `${action} failed: ${describeFsError(error)}.${after ? ' ' + after : ''}`;
  // Only an error with a Node code came from the file system; anything else is a bug of ours.
  return fail(code === undefined ? 'internal' : 'io', message, code);
}

export function describeFsError(error: unknown): string {
  switch (errorCode(error)) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC); free some space and try again';
    case 'EDQUOT':
      return 'the disk quota is exceeded (EDQUOT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${errorCode(error) ?? ''}); check the owner and mode of the .redline directory`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    default:
      return errorText(error);
  }
}
