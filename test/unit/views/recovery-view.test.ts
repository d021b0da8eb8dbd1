import { describe, expect, it } from 'vitest';
import { backupRows, runnerStatusView } from '../../../src/core/views/recovery-view';
import { formatDateTime } from '../../../src/core/views/time-text';

const NOW = Date.UTC(2025, 4, 14, 12, 0, 0);

describe('runnerStatusView', () => {
  it('describes a ready runner with its versions', () => {
    const view = runnerStatusView({ state: 'ready', pid: 4242, vitestVersion: '3.2.4', nodeVersion: 'v22.11.0', restarts: 1, since: NOW - 5 * 60_000 }, NOW);
    expect(view).toMatchObject({ label: 'Ready', tone: 'ok', icon: 'pass', message: null });
    expect(view.details).toEqual([
      { label: 'PID', value: '4242' },
      { label: 'Vitest', value: '3.2.4' },
      { label: 'Node', value: '22.11.0' },
      { label: 'Restarts', value: '1' },
      { label: 'Since', value: `${formatDateTime(NOW - 5 * 60_000)} (5 min ago)` },
    ]);
  });

  it('says when a crashed runner tries again, and why one failed', () => {
    expect(runnerStatusView({ state: 'restarting', restarts: 2, retryInMs: 4000, since: NOW }, NOW).summary).toMatch(/Next try in 4\.0 s\.$/);
    const failed = runnerStatusView({ state: 'failed', restarts: 3, since: NOW, message: 'Vitest not found' }, NOW);
    expect(failed).toMatchObject({ tone: 'error', message: 'Vitest not found' });
    expect(failed.details.map((d) => d.label)).toEqual(['Restarts', 'Since']);
  });

  it('has words for every state', () => {
    for (const state of ['idle', 'starting', 'ready', 'running', 'watching', 'restarting', 'failed', 'untrusted'] as const) {
      const view = runnerStatusView({ state, restarts: 0, since: NOW }, NOW);
      expect(view.label.length).toBeGreaterThan(0);
      expect(view.summary.length).toBeGreaterThan(0);
    }
  });
});

describe('backupRows', () => {
  it('lists the newest first with size, age and who made it', () => {
    const rows = backupRows(
      [
        { id: '20250514T100000000Z', createdAt: new Date(NOW - 2 * 3_600_000).toISOString(), bytes: 2048, auto: true, documents: ['phases'] },
        { id: '20250514T115500000Z', label: 'before refactor', createdAt: new Date(NOW - 5 * 60_000).toISOString(), bytes: 184 * 1024, auto: false, documents: ['phases', 'runs'] },
      ],
      NOW,
    );
    expect(rows.map((r) => r.id)).toEqual(['20250514T115500000Z', '20250514T100000000Z']);
    expect(rows[0]).toMatchObject({ label: 'before refactor', sizeText: '184.0 KB', agoText: '5 min ago', auto: false, documentsText: 'phases, runs' });
    expect(rows[1]).toMatchObject({ label: '', sizeText: '2.0 KB', agoText: '2 h ago', auto: true });
  });
});
