// `redline backup [--label L]`, `backups [--json]`, `restore ID`, `prune [--keep N]
// [--older-than DAYS]`: the backups of `.redline/` (DESIGN.md "State store"). Restore and every
// reset take a backup of their own first, and say which, so each can be undone.
import pc from 'picocolors';
import type { BackupInfo } from '../core/store/backups';
import { formatBytes } from '../core/format';
import { ExitCode } from '../core/report-summary';
import { openStateSession, reportStoreError, say } from './state-session';

export async function backupCommand(flags: { root?: string; label?: string }): Promise<number> {
  if (flags.label !== undefined && flags.label.trim() === '') return usage('--label takes some text, e.g. --label "before refactoring".');
  const session = openStateSession(flags.root, 'redline backup');
  const made = await session.store.backup(flags.label?.trim());
  if (!made.ok) return reportStoreError(session, made.error);
  session.flush();
  const { backup, skipped, evicted } = made.value;
  const what = backup.documents.length > 0 ? backup.documents.map((kind) => `${kind}.json`).join(', ') : 'no documents yet (the state is empty)';
  say(` Backed up .redline as ${pc.bold(backup.id)}${backup.label ? ` "${backup.label}"` : ''}: ${what}, ${formatBytes(backup.bytes)}.`);
  for (const s of skipped) say(pc.yellow(` Left out ${s.kind}.json: it is damaged (${s.detail}).`));
  if (evicted.length > 0) say(pc.dim(` Removed the oldest backup${evicted.length === 1 ? '' : 's'} ${evicted.join(', ')} to keep at most ${session.settings.config.backups.max} (config backups.max).`));
  return ExitCode.ok;
}

/** DESIGN.md: `{ "backups": [ { "id", "label"?, "createdAt", "bytes" } ] }`, newest first. */
export function backupsJson(backups: readonly BackupInfo[]): { backups: { id: string; label?: string; createdAt: string; bytes: number }[] } {
  return {
    backups: backups.map((b) => ({ id: b.id, ...(b.label === undefined ? {} : { label: b.label }), createdAt: b.createdAt, bytes: b.bytes })),
  };
}

export function backupLine(b: BackupInfo): string {
  const label = b.label === undefined ? '' : `  ${b.label}`;
  return ` ${b.id}  ${b.createdAt}  ${formatBytes(b.bytes).padStart(8)}${label}${b.auto ? pc.dim(' (automatic)') : ''}`;
}

export async function backupsCommand(flags: { root?: string; json?: boolean }): Promise<number> {
  const session = openStateSession(flags.root, 'redline backups');
  const backups = await session.store.listBackups();
  session.flush();
  if (flags.json) {
    say(JSON.stringify(backupsJson(backups), null, 2));
    return ExitCode.ok;
  }
  if (backups.length === 0) {
    say(' No backups yet. `redline backup --label NAME` makes one; Redline also makes one before every reset and restore.');
    return ExitCode.ok;
  }
  for (const b of backups) say(backupLine(b));
  return ExitCode.ok;
}

export async function restoreCommand(id: string, flags: { root?: string }): Promise<number> {
  const session = openStateSession(flags.root, 'redline restore');
  const restored = await session.store.restore(id.trim());
  if (!restored.ok) return reportStoreError(session, restored.error);
  session.flush();
  const { restored: from, safetyBackup } = restored.value;
  say(` Restored backup ${pc.bold(from.id)}${from.label ? ` "${from.label}"` : ''} (${from.createdAt}).`);
  say(` The state from before is in backup ${pc.bold(safetyBackup.id)}: \`redline restore ${safetyBackup.id}\` undoes this.`);
  return ExitCode.ok;
}

export async function pruneCommand(flags: { root?: string; keep?: string; olderThan?: string }): Promise<number> {
  const keep = flags.keep === undefined ? undefined : Number(flags.keep);
  if (flags.keep !== undefined && !(/^\d+$/.test(flags.keep.trim()) && Number.isSafeInteger(keep))) {
    return usage(`--keep is "${flags.keep}" — expected a whole number of backups, 0 or more.`);
  }
  const olderThanDays = flags.olderThan === undefined ? undefined : Number(flags.olderThan);
  if (flags.olderThan !== undefined && !(flags.olderThan.trim() !== '' && Number.isFinite(olderThanDays) && olderThanDays! >= 0)) {
    return usage(`--older-than is "${flags.olderThan}" — expected a number of days, 0 or more (e.g. 30 or 0.5).`);
  }
  const session = openStateSession(flags.root, 'redline prune');
  const pruned = await session.store.prune({ ...(keep === undefined ? {} : { keep }), ...(olderThanDays === undefined ? {} : { olderThanDays }) });
  if (!pruned.ok) return reportStoreError(session, pruned.error);
  session.flush();
  const { removed } = pruned.value;
  const rule = keep === undefined && olderThanDays === undefined ? ` (config backups.max is ${session.settings.config.backups.max})` : '';
  if (removed.length === 0) say(` Nothing to prune${rule}.`);
  else say(` Removed ${removed.length} backup${removed.length === 1 ? '' : 's'}${rule}: ${removed.join(', ')}.`);
  const left = await session.store.listBackups();
  say(pc.dim(` ${left.length} backup${left.length === 1 ? '' : 's'} left.`));
  return ExitCode.ok;
}

function usage(message: string): number {
  process.stderr.write(`${pc.red('redline:')} ${message}\n`);
  return ExitCode.usage;
}
