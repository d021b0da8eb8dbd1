import { describe, expect, it } from 'vitest';
import { leaksState, memoryState, MAX_ACTIONS, panelState, phasesState, recoveryState, type PanelSettings } from '../../../src/extension/panels/panel-state';
import type { RedlineServices, RunnerStatus } from '../../../src/extension/services';
import type { GuardAction, MemorySample } from '../../../src/protocol/runner';
import { PanelStateSchemas } from '../../../src/protocol/webview';
import type { RunReport } from '../../../src/protocol/report';

const MB = 1024 * 1024;
const SETTINGS: PanelSettings = { tierPercents: { warning: 40, critical: 60, emergency: 80, terminal: 95 }, leaksEnabled: true, heapSnapshot: false };
const STATUS: RunnerStatus = { state: 'running', pid: 7, restarts: 0, since: 1 };
const noEvent = () => ({ dispose: () => undefined });

function sample(atMs: number, rssMb: number): MemorySample {
  return { atMs, treeRssBytes: rssMb * MB, limitBytes: 1024 * MB, tier: 'ok', processes: [{ pid: 7, role: 'runner', rssBytes: rssMb * MB }] };
}

function services(overrides: Partial<RedlineServices> = {}): RedlineServices {
  return {
    root: '/w',
    extensionUri: undefined as never,
    onDidSampleMemory: noEvent,
    memoryHistory: () => [sample(0, 100), sample(1000, 200)],
    latestMemory: () => sample(1100, 210),
    onDidGuardAction: noEvent,
    guardActions: () => [],
    onDidChangeRunnerStatus: noEvent,
    runnerStatus: () => STATUS,
    onDidFinishRun: noEvent,
    lastReport: () => undefined,
    lastLeaks: () => [],
    onDidChangePhases: noEvent,
    loadPhases: async () => ({ files: [] }),
    onDidChangeBackups: noEvent,
    listBackups: async () => [],
    ...overrides,
  } as RedlineServices;
}

describe('panel states', () => {
  it('memory: the history without per-process rows, ending at the latest sample', () => {
    const state = memoryState(services(), SETTINGS);
    expect(state.samples).toEqual([
      { atMs: 0, rssBytes: 100 * MB, limitBytes: 1024 * MB, tier: 'ok' },
      { atMs: 1000, rssBytes: 200 * MB, limitBytes: 1024 * MB, tier: 'ok' },
      { atMs: 1100, rssBytes: 210 * MB, limitBytes: 1024 * MB, tier: 'ok' },
    ]);
    expect(state.latest?.processes).toHaveLength(1);
    expect(state.tierPercents).toBe(SETTINGS.tierPercents);
    expect(PanelStateSchemas.memory.safeParse(state).success).toBe(true);
  });

  it('memory: keeps the newest guard actions only', () => {
    const actions: GuardAction[] = Array.from({ length: 150 }, (_, i) => ({ atMs: i, action: 'gc', tier: 'critical', rssBytes: 1, reason: 'r' }));
    const state = memoryState(services({ guardActions: () => actions, latestMemory: () => undefined, memoryHistory: () => [] }), SETTINGS);
    expect(state.actions).toHaveLength(MAX_ACTIONS);
    expect(state.actions[0]!.atMs).toBe(50);
    expect(state).toMatchObject({ samples: [], latest: null });
  });

  it('phases: the state, or an error the panel can show', async () => {
    const phases = { files: [{ path: 'a.test.ts', broken: null, tests: [{ fullName: 'x', name: 'x', phase: 'RED' as const, neverFailed: false, since: 1, history: [{ phase: 'RED' as const, at: 1 }] }] }] };
    const ok = await phasesState(services({ loadPhases: async () => phases }));
    expect(ok).toEqual({ phases });
    expect(PanelStateSchemas.phases.safeParse(ok).success).toBe(true);
    const failed = await phasesState(services({ loadPhases: async () => Promise.reject(new Error('phases.json is locked')) }));
    expect(failed).toEqual({ phases: { files: [] }, error: 'phases.json is locked' });
  });

  it('leaks: the leaks with the settings and the last run', () => {
    const report = { startedAt: '2025-05-14T09:00:00.000Z', summary: { files: 12 }, files: [] as RunReport['files'] } as RunReport;
    const leaks = [{ file: 'a.test.ts', bytesPerTest: 1, fit: 1, totalBytes: 10, samples: 5 }];
    const state = leaksState(services({ lastReport: () => report, lastLeaks: () => leaks }), SETTINGS);
    expect(state).toEqual({ leaks, enabled: true, heapSnapshot: false, lastRun: { startedAt: report.startedAt, files: 12 }, stops: [] });
    expect(PanelStateSchemas.leaks.safeParse(state).success).toBe(true);
  });

  it('leaks: the files the guard stopped with heap snapshots, and no others', () => {
    const file = (path: string, stopped?: NonNullable<RunReport['files'][number]['stopped']>): RunReport['files'][number] => ({
      path, state: stopped ? 'stopped' : 'passed', cached: false, durationMs: 1, peakRssBytes: 1, tests: [], ...(stopped ? { stopped } : {}),
    });
    const snapshotted = { reason: 'memory' as const, test: 'grows', rssBytes: 9e8, atMs: 5, snapshots: ['/w/.redline/snapshots/1-a-guard1.heapsnapshot'], grew: [] };
    const report = {
      startedAt: '2025-05-14T09:00:00.000Z',
      summary: { files: 3 },
      files: [file('a.test.ts', snapshotted), file('b.test.ts', { reason: 'memory', rssBytes: 9e8, atMs: 5 }), file('c.test.ts')],
    } as unknown as RunReport;
    const state = leaksState(services({ lastReport: () => report, lastLeaks: () => [] }), SETTINGS);
    expect(state.stops).toEqual([{ file: 'a.test.ts', stopped: snapshotted }]);
    expect(PanelStateSchemas.leaks.safeParse(state).success).toBe(true);
  });

  it('recovery: the backups, or why they could not be listed', async () => {
    const backups = [{ id: 'b1', createdAt: '2025-05-14T09:00:00.000Z', bytes: 10, auto: false, documents: ['phases'] }];
    const ok = await recoveryState(services({ listBackups: async () => backups }));
    expect(ok).toEqual({ runner: STATUS, backups });
    expect(PanelStateSchemas.recovery.safeParse(ok).success).toBe(true);
    const failed = await recoveryState(services({ listBackups: async () => Promise.reject(new Error('EACCES')) }));
    expect(failed).toMatchObject({ backups: [], backupsError: 'EACCES' });
  });

  it('panelState picks the builder by kind', async () => {
    expect(await panelState('recovery', services(), SETTINGS)).toMatchObject({ runner: STATUS, backups: [] });
    expect(await panelState('memory', services(), SETTINGS)).toHaveProperty('samples');
  });
});
