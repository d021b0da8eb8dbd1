// What the store's parts share: the injected I/O and the registered documents, plus reading one
// document file into a typed verdict.
import type { Clock } from './clock';
import { atomicWrite } from './atomic-write';
import { decode, encode } from './envelope';
import type { Decoded, DocumentSpec, Hash } from './envelope';
import type { Fs } from './fs';
import { errorCode } from './fs';
import type { Logger } from './logger';
import { joinPath } from './paths';

export const BACKUPS_DIR = 'backups';
export const QUARANTINE_DIR = 'quarantine';

export interface StoreContext {
  readonly fs: Fs;
  /** `<workspace>/.redline`. */
  readonly dir: string;
  readonly clock: Clock;
  readonly hash: Hash;
  readonly logger: Logger;
  readonly specs: readonly DocumentSpec<unknown>[];
  /** A fresh suffix for a temp file name, unique across concurrent writers. */
  readonly tempTag: () => string;
}

export function documentFile(spec: Pick<DocumentSpec<unknown>, 'kind'>): string {
  return `${spec.kind}.json`;
}

export function documentPath(ctx: StoreContext, spec: Pick<DocumentSpec<unknown>, 'kind'>): string {
  return joinPath(ctx.dir, documentFile(spec));
}

/** Read and validate one document file; every way it can fail becomes a DecodeFailure. */
export async function readDocument<T>(ctx: StoreContext, spec: DocumentSpec<T>, path: string): Promise<Decoded<T>> {
  const read = await readDocumentText(ctx, path);
  return read.ok ? decode(spec, read.text, ctx.hash) : read;
}

/** A document file's text, or why it cannot be had (the DecodeFailure readDocument gives). */
export async function readDocumentText(ctx: StoreContext, path: string): Promise<{ readonly ok: true; readonly text: string } | Extract<Decoded<never>, { ok: false }>> {
  try {
    return { ok: true, text: await ctx.fs.readFile(path) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { ok: false, reason: 'missing', detail: 'it does not exist' };
    if (code === 'EISDIR') return { ok: false, reason: 'is-directory', detail: 'a directory is where the file should be' };
    return { ok: false, reason: 'unreadable', detail: `it cannot be read (${code ?? String(error)})` };
  }
}

/** `base`, or `base-1`, `base-2`… — the first name not yet in `dir`. */
export async function freeName(fs: Fs, dir: string, base: string): Promise<string> {
  const taken = new Set(await fs.readdir(dir).catch(() => [] as string[]));
  if (!taken.has(base)) return base;
  for (let n = 1; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Validate (unless the caller just did: `validated`), encode and write one document atomically,
 * creating the directory if needed. Resolves to the text written.
 */
export async function writeDocument<T>(ctx: StoreContext, spec: DocumentSpec<T>, value: T, options: { readonly validated?: boolean } = {}): Promise<string> {
  const text = encode(spec, value, ctx.hash, options);
  await ctx.fs.mkdir(ctx.dir);
  await atomicWrite(ctx.fs, documentPath(ctx, spec), text, ctx.tempTag());
  return text;
}
