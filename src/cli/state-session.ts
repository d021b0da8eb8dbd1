// The state store as the CLI's state commands use it (phases, approve, backup, backups, restore,
// prune, reset, doctor): opened on the validated root and config, with what the store repaired
// on its own said once, in words relative to the workspace, and every store error turned into
// one message and an exit code — never a stack trace.
import { hostname } from 'node:os';
import pc from 'picocolors';
import { ExitCode } from '../core/report-summary';
import type { Logger } from '../core/store/logger';
import { describeRecovery } from '../core/store/recovery-notice';
import type { Loaded } from '../core/store/store';
import type { StoreError } from '../core/store/store-result';
import { lockHolder, openWorkspaceStore, type WorkspaceStore } from '../runner/state/workspace-store';
import { loadSettings, type Settings } from './settings';

/**
 * How long a command waits for another writer (a run saving its phases takes milliseconds; a
 * backup of a large state a second). Short enough that a user is told soon who holds it.
 */
export const CLI_LOCK_WAIT_MS = 3000;

export interface StateSession {
  readonly root: string;
  readonly settings: Settings;
  readonly store: WorkspaceStore;
  /** Note a load's recovery (said once, by flush). */
  noteLoaded(file: string, loaded: Loaded<unknown>): void;
  /** Print what the store repaired and its other warnings to stderr. */
  flush(): void;
}

export function openStateSession(rootFlag: string | undefined, command: string): StateSession {
  const settings = loadSettings(rootFlag, {});
  const warnings: string[] = [];
  const notices: string[] = [];
  const described = new Set<string>();
  const logger: Logger = {
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };
  const store = openWorkspaceStore(settings.root, {
    logger,
    command,
    backupsMax: settings.config.backups.max,
    lockWaitMs: CLI_LOCK_WAIT_MS,
  });
  return {
    root: settings.root,
    settings,
    store,
    noteLoaded(file, loaded) {
      if (!loaded.recovered || described.has(loaded.recovered.message)) return;
      described.add(loaded.recovered.message);
      notices.push(describeRecovery(file, loaded.recovered, settings.root));
    },
    flush() {
      for (const line of notices.splice(0)) process.stderr.write(`${pc.yellow(line)}\n`);
      // The store logs each recovery too, with absolute paths: already said above.
      for (const line of warnings.splice(0)) if (!described.has(line)) process.stderr.write(`${pc.yellow('redline: warning:')} ${line}\n`);
    },
  };
}

/** Print a store error as one message; the exit code: 3, or 4 for what can only be a bug. */
export async function reportStoreError(session: StateSession, error: StoreError): Promise<number> {
  session.flush();
  const lines = error.code === 'locked' ? await lockedLines(session.root, error.message) : [error.message];
  for (const line of lines) process.stderr.write(`${pc.red('redline:')} ${line}\n`);
  return error.code === 'internal' || error.code === 'invalid-value' ? ExitCode.internal : ExitCode.usage;
}

async function lockedLines(root: string, fallback: string): Promise<string[]> {
  const holder = await lockHolder(root);
  if (!holder) return [fallback];
  const where = holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
  return [
    `${holder.command} (pid ${holder.pid}${where}) is writing .redline — try again when it finishes.`,
    `(It has held the lock since ${holder.startedAt}; if that process no longer runs, delete .redline/lock.)`,
  ];
}

export function say(line: string): void {
  process.stdout.write(line + '\n');
}
