// Backups: `backups/<id>/` holds a verbatim copy of every valid document and a manifest. A backup
// is built in a hidden `.partial-<id>` directory and renamed into place, so a crash part-way
// leaves nothing that looks like a backup; the manifest is what makes a directory one.
import { z } from 'zod';
import { timeStamp } from './clock';
import { encode } from './envelope';
import type { Decoded, DocumentSpec } from './envelope';
import { joinPath } from './paths';
import { BACKUPS_DIR, byteLength, documentFile, documentPath, freeName, readDocument } from './store-context';
import type { StoreContext } from './store-context';

/** Config `backups.max`. */
export const DEFAULT_BACKUPS_MAX = 20;

const MANIFEST_FILE = 'manifest.json';
const PARTIAL_PREFIX = '.partial-';

export interface BackupInfo {
  /** Sortable by time: 20250102T030405678Z, with -1, -2… when two share a millisecond. */
  readonly id: string;
  readonly label?: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** The documents' bytes. */
  readonly bytes: number;
  /** Taken by Redline itself (before a reset or restore); the bound removes these first. */
  readonly auto: boolean;
  /** Document kinds held. */
  readonly documents: readonly string[];
}

const BackupManifestSchema = z.object({
  id: z.string().min(1),
  label: z.string().optional(),
  createdAt: z.string(),
  bytes: z.number().int().nonnegative(),
  auto: z.boolean(),
  documents: z.array(z.string()),
});

export const backupManifestDocument: DocumentSpec<BackupInfo> = {
  kind: 'backup-manifest',
  version: 1,
  schema: BackupManifestSchema,
  migrations: {},
  empty: () => ({ id: '', createdAt: new Date(0).toISOString(), bytes: 0, auto: false, documents: [] }),
  softReset: 'keep',
};

export interface CreatedBackup {
  readonly backup: BackupInfo;
  /** Documents left out because the live copy failed validation (kind and why). */
  readonly skipped: readonly { readonly kind: string; readonly detail: string }[];
}

function backupsDir(ctx: StoreContext): string {
  return joinPath(ctx.dir, BACKUPS_DIR);
}

/** Copy every valid document into a new backup. Rejects with the Fs error; nothing is left then. */
export async function createBackup(ctx: StoreContext, options: { label?: string; auto: boolean }): Promise<CreatedBackup> {
  const { fs } = ctx;
  const root = backupsDir(ctx);
  await fs.mkdir(root);
  // Only one writer builds backups at a time (the store's lock), so any partial one is a leftover.
  for (const name of await fs.readdir(root)) if (name.startsWith(PARTIAL_PREFIX)) await fs.rm(joinPath(root, name));
  const now = ctx.clock.now();
  const id = await freeName(fs, root, timeStamp(now));
  const partial = joinPath(root, PARTIAL_PREFIX + id);
  const skipped: { kind: string; detail: string }[] = [];
  try {
    await fs.mkdir(partial);
    const documents: string[] = [];
    let bytes = 0;
    for (const spec of ctx.specs) {
      const path = documentPath(ctx, spec);
      const decoded = await readDocument(ctx, spec, path);
      if (!decoded.ok) {
        if (decoded.reason !== 'missing') skipped.push({ kind: spec.kind, detail: decoded.detail });
        continue;
      }
      // Re-encoded from the validated value rather than copied byte for byte: the copy is then
      // known good, and already at the current version.
      const text = encode(spec, decoded.value, ctx.hash);
      await fs.writeFile(joinPath(partial, documentFile(spec)), text, { durable: true });
      documents.push(spec.kind);
      bytes += byteLength(text);
    }
    const backup: BackupInfo = {
      id,
      ...(options.label === undefined ? {} : { label: options.label }),
      createdAt: new Date(now).toISOString(),
      bytes,
      auto: options.auto,
      documents,
    };
    await fs.writeFile(joinPath(partial, MANIFEST_FILE), encode(backupManifestDocument, backup, ctx.hash), { durable: true });
    await fs.syncDir(partial);
    await fs.rename(partial, joinPath(root, id));
    await fs.syncDir(root);
    return { backup, skipped };
  } catch (error) {
    await fs.rm(partial).catch(() => undefined);
    throw error;
  }
}

export interface BackupScan {
  /** Newest first. */
  readonly backups: readonly BackupInfo[];
  /** Directories under backups/ without a valid manifest: kept, but never restored from. */
  readonly damaged: readonly string[];
}

export async function scanBackups(ctx: StoreContext): Promise<BackupScan> {
  const root = backupsDir(ctx);
  let names: string[];
  try {
    names = await ctx.fs.readdir(root);
  } catch {
    return { backups: [], damaged: [] };
  }
  const backups: BackupInfo[] = [];
  const damaged: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const manifest = await readDocument(ctx, backupManifestDocument, joinPath(root, name, MANIFEST_FILE));
    if (manifest.ok && manifest.value.id === name) backups.push(manifest.value);
    else damaged.push(name);
  }
  backups.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { backups, damaged };
}

/** The newest backup holding a valid copy of the document, and that copy (migrated if older). */
export async function newestValidCopy<T>(
  ctx: StoreContext,
  spec: DocumentSpec<T>,
): Promise<{ readonly backup: BackupInfo; readonly value: T } | null> {
  const { backups } = await scanBackups(ctx);
  for (const backup of backups) {
    if (!backup.documents.includes(spec.kind)) continue;
    const copy = await readBackupDocument(ctx, backup.id, spec);
    if (copy.ok) return { backup, value: copy.value };
    ctx.logger.warn(`Backup ${backup.id} has no valid ${documentFile(spec)} (${copy.detail}); trying an older one.`);
  }
  return null;
}

export async function readBackupDocument<T>(ctx: StoreContext, id: string, spec: DocumentSpec<T>): Promise<Decoded<T>> {
  return readDocument(ctx, spec, joinPath(backupsDir(ctx), id, documentFile(spec)));
}

export async function removeBackup(ctx: StoreContext, id: string): Promise<void> {
  await ctx.fs.rm(joinPath(backupsDir(ctx), id));
}

/**
 * Which backups a prune removes. Alone, `keep` keeps the newest N and `olderThanDays` removes
 * those older than D days. Together they must both hold: the newest N always stay, and of the
 * rest only those older than D days go — so a prune never leaves fewer than N.
 */
export function selectPrunable(
  backups: readonly BackupInfo[],
  options: { readonly keep?: number; readonly olderThanDays?: number },
  now: number,
): BackupInfo[] {
  const newestFirst = [...backups].sort((a, b) => (a.id < b.id ? 1 : -1));
  const cutoff = options.olderThanDays === undefined ? undefined : now - options.olderThanDays * 86_400_000;
  return newestFirst.filter((backup, index) => {
    const beyondKeep = options.keep === undefined || index >= options.keep;
    const old = cutoff === undefined || Date.parse(backup.createdAt) < cutoff;
    return beyondKeep && old;
  });
}

/**
 * Which backups go to bring the count down to `max`: automatic ones oldest first, then the
 * user's own oldest first — a bound is a bound, but a labelled backup the user asked for is the
 * last thing to lose. `protect` (the one just taken, the one being restored) never goes.
 */
export function selectOverBound(backups: readonly BackupInfo[], max: number, protect: readonly string[]): BackupInfo[] {
  const excess = backups.length - max;
  if (excess <= 0) return [];
  const oldestFirst = [...backups].sort((a, b) => (a.id < b.id ? -1 : 1)).filter((b) => !protect.includes(b.id));
  const order = [...oldestFirst.filter((b) => b.auto), ...oldestFirst.filter((b) => !b.auto)];
  return order.slice(0, excess);
}
