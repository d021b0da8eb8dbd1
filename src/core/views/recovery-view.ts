// The recovery panel's view model: the runner's status as a sentence with its details, and the
// backups as table rows.
import { formatBytes, formatDuration } from '../format';
import type { BackupRow, RunnerStatusView } from '../../protocol/webview';
import { formatAgo, formatDateTime } from './time-text';

export type StatusTone = 'ok' | 'busy' | 'idle' | 'warning' | 'error';

export interface RunnerStatusViewModel {
  readonly label: string;
  readonly tone: StatusTone;
  /** A codicon name. */
  readonly icon: string;
  /** What the state means, one sentence. */
  readonly summary: string;
  readonly details: readonly { readonly label: string; readonly value: string }[];
  readonly message: string | null;
}

const STATES: Readonly<Record<RunnerStatusView['state'], { label: string; tone: StatusTone; icon: string; summary: string }>> = {
  idle: { label: 'Idle', tone: 'idle', icon: 'circle-large-outline', summary: 'Not started: it starts with the first run or watch.' },
  starting: { label: 'Starting', tone: 'busy', icon: 'loading', summary: 'Starting the runner and loading Vitest.' },
  ready: { label: 'Ready', tone: 'ok', icon: 'pass', summary: 'Ready to run tests.' },
  running: { label: 'Running', tone: 'busy', icon: 'play-circle', summary: 'Running tests.' },
  watching: { label: 'Watching', tone: 'ok', icon: 'eye', summary: 'Watching for changes and rerunning what they affect.' },
  restarting: { label: 'Restarting', tone: 'warning', icon: 'debug-restart', summary: 'The runner crashed and is being restarted.' },
  failed: { label: 'Failed', tone: 'error', icon: 'error', summary: 'The runner stopped and will not restart on its own.' },
  untrusted: { label: 'Restricted', tone: 'warning', icon: 'shield', summary: 'No test code runs until you trust this folder (Workspace Trust).' },
};

export function runnerStatusView(status: RunnerStatusView, nowMs: number): RunnerStatusViewModel {
  const state = STATES[status.state];
  const details: { label: string; value: string }[] = [];
  if (status.pid !== undefined) details.push({ label: 'PID', value: String(status.pid) });
  if (status.vitestVersion) details.push({ label: 'Vitest', value: status.vitestVersion });
  if (status.nodeVersion) details.push({ label: 'Node', value: status.nodeVersion.replace(/^v/, '') });
  details.push({ label: 'Restarts', value: String(status.restarts) });
  details.push({ label: 'Since', value: `${formatDateTime(status.since)} (${formatAgo(status.since, nowMs)})` });
  const retry = status.state === 'restarting' && status.retryInMs !== undefined ? ` Next try in ${formatDuration(status.retryInMs)}.` : '';
  return {
    label: state.label,
    tone: state.tone,
    icon: state.icon,
    summary: state.summary + retry,
    details,
    message: status.message ?? null,
  };
}

export interface BackupRowView {
  readonly id: string;
  readonly label: string;
  readonly createdText: string;
  readonly agoText: string;
  readonly sizeText: string;
  readonly auto: boolean;
  readonly documentsText: string;
}

/** Newest first, whatever order they came in (ids sort by time). */
export function backupRows(backups: readonly BackupRow[], nowMs: number): BackupRowView[] {
  return [...backups]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((b) => {
      const created = Date.parse(b.createdAt);
      return {
        id: b.id,
        label: b.label ?? '',
        createdText: formatDateTime(created),
        agoText: formatAgo(created, nowMs),
        sizeText: formatBytes(b.bytes),
        auto: b.auto,
        documentsText: b.documents.join(', '),
      };
    });
}
