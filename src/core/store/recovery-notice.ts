// The sentence a user reads when the store repaired a document on its own: which file, from which
// backup, and where the damaged one is kept — with paths relative to the workspace root, as the
// user sees the folder. The store's own Recovery.message (absolute paths) goes to the log.
import type { Recovery } from './recovery';

export function describeRecovery(file: string, recovery: Recovery, root: string): string {
  const where = `.redline/${file}`;
  if (recovery.reason === 'interrupted') {
    return `Redline finished restoring ${where} (an earlier repair was interrupted); the damaged file is in .redline/quarantine/.`;
  }
  const kept = recovery.quarantinedTo === null ? null : relativeTo(root, recovery.quarantinedTo);
  const from = recovery.restoredFrom === null
    ? `found ${where} damaged (${recovery.detail}) and no backup held a valid copy, so it starts empty`
    : `restored ${where} from backup ${recovery.restoredFrom} (it was damaged: ${recovery.detail})`;
  // Without a quarantined file, the store left the file in place and says why in its message.
  return kept === null ? `Redline ${from}. ${recovery.message}` : `Redline ${from}; the damaged file is in ${kept}.`;
}

/** `path` relative to `root` when inside it, with '/' separators; else as it is. */
export function relativeTo(root: string, path: string): string {
  const norm = (p: string): string => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const base = norm(root);
  const full = norm(path);
  return full.startsWith(base + '/') ? full.slice(base.length + 1) : full;
}
