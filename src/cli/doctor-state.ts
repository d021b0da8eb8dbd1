// The "State" section of `redline doctor`: the health of `.redline/` as the store sees it —
// each document (ok, not written yet, or repaired from a backup), the backups, what is kept in
// quarantine, temp files a crashed writer left, who holds the lock, and which runners are
// registered. Loading a damaged document repairs it, so doctor also fixes what it reports.
import { hostname } from 'node:os';
import pc from 'picocolors';
import type { StoreHealth } from '../core/store/store';
import { describeRecovery } from '../core/store/recovery-notice';
import { isLiveRunner, listRunners, type RunnerEntry } from '../runner/state/runner-registry';
import { openStateSession } from './state-session';

export interface StateLine {
  /** ok ✓, warn ! (worth knowing, nothing broken), bad ✗. */
  readonly level: 'ok' | 'warn' | 'bad';
  readonly name: string;
  readonly detail: string;
}

export function stateLines(health: StoreHealth, root: string, runners: readonly (RunnerEntry & { live: boolean })[]): StateLine[] {
  const lines: StateLine[] = [];
  for (const doc of health.documents) {
    const file = `${doc.kind}.json`;
    if (doc.status === 'ok') lines.push({ level: 'ok', name: file, detail: 'valid' });
    else if (doc.status === 'missing') lines.push({ level: 'ok', name: file, detail: 'not written yet' });
    else lines.push({ level: 'warn', name: file, detail: doc.recovered ? describeRecovery(file, doc.recovered, root) : 'repaired' });
  }
  const damaged = health.damagedBackups.length > 0 ? `; ${health.damagedBackups.length} damaged, never restored from: ${health.damagedBackups.join(', ')}` : '';
  lines.push({ level: health.damagedBackups.length > 0 ? 'warn' : 'ok', name: 'Backups', detail: `${health.backups}${damaged}` });
  lines.push({
    level: health.quarantined > 0 ? 'warn' : 'ok',
    name: 'Quarantine',
    detail: health.quarantined > 0 ? `${health.quarantined} damaged file${health.quarantined === 1 ? '' : 's'} kept in .redline/quarantine/ (safe to delete once you have looked)` : 'empty',
  });
  if (health.strayTempFiles > 0) {
    lines.push({ level: 'warn', name: 'Temp files', detail: `${health.strayTempFiles} left by a writer that was interrupted (harmless; a soft reset removes them)` });
  }
  const holder = health.lockHolder;
  lines.push({
    level: 'ok',
    name: 'Lock',
    detail: holder ? `held by ${holder.command} (pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`}) since ${holder.startedAt}` : 'free',
  });
  const live = runners.filter((r) => r.live);
  const stale = runners.length - live.length;
  lines.push({
    level: 'ok',
    name: 'Runners',
    detail:
      (live.length > 0 ? live.map((r) => `${r.command} (pid ${r.pid})`).join(', ') : 'none running') +
      (stale > 0 ? pc.dim(` (${stale} stale registration${stale === 1 ? '' : 's'}, ignored)`) : ''),
  });
  return lines;
}

export async function doctorStateLines(rootFlag: string | undefined): Promise<StateLine[]> {
  try {
    const session = openStateSession(rootFlag, 'redline doctor');
    const health = await session.store.health();
    const runners = listRunners(session.root).map((r) => ({ ...r, live: isLiveRunner(r.pid) }));
    return [{ level: 'ok', name: 'Directory', detail: health.dir }, ...stateLines(health, session.root, runners)];
  } catch (error) {
    return [{ level: 'bad', name: 'State', detail: `could not be read: ${error instanceof Error ? error.message : String(error)}` }];
  }
}
