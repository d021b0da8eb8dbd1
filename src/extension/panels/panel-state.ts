// Each panel's state, read from the workspace's services. No `vscode` at run time, so tests pass
// fake services. The host sends the whole state on every update: the biggest, the phases of a
// 5,000-test workspace, is about a megabyte, and phases change only when a run or approve does.
import type * as vscode from 'vscode';
import type { PanelKind } from '../../protocol/commands';
import type { RedlineServices } from '../services';
import type { TierPercents } from '../../protocol/runner';
import { memoryStops } from '../../core/views/leaks-view';
import type {
  ChartSample,
  LeaksPanelState,
  MemoryPanelState,
  PanelStates,
  PhasesPanelState,
  RecoveryPanelState,
} from '../../protocol/webview';

/** The settings the panels show (from redline.config.json and the `redline.*` settings). */
export interface PanelSettings {
  readonly tierPercents: TierPercents;
  readonly leaksEnabled: boolean;
  readonly heapSnapshot: boolean;
}

/** The newest guard actions the memory panel gets; it lists 50 of them. */
export const MAX_ACTIONS = 100;

export function memoryState(services: RedlineServices, settings: PanelSettings): MemoryPanelState {
  const samples: ChartSample[] = services.memoryHistory().map((s) => ({ atMs: s.atMs, rssBytes: s.treeRssBytes, limitBytes: s.limitBytes, tier: s.tier }));
  const latest = services.latestMemory() ?? null;
  // The history is thinned to one sample a second; the latest may be newer, and the chart
  // should end where the gauge stands.
  const last = samples.at(-1);
  if (latest && (!last || last.atMs !== latest.atMs)) samples.push({ atMs: latest.atMs, rssBytes: latest.treeRssBytes, limitBytes: latest.limitBytes, tier: latest.tier });
  return {
    samples,
    latest,
    actions: services.guardActions().slice(-MAX_ACTIONS),
    tierPercents: settings.tierPercents,
    runner: services.runnerStatus(),
  };
}

export async function phasesState(services: RedlineServices): Promise<PhasesPanelState> {
  try {
    return { phases: await services.loadPhases() };
  } catch (error) {
    return { phases: { files: [] }, error: error instanceof Error ? error.message : String(error) };
  }
}

export function leaksState(services: RedlineServices, settings: PanelSettings): LeaksPanelState {
  const report = services.lastReport();
  return {
    leaks: services.lastLeaks(),
    enabled: settings.leaksEnabled,
    heapSnapshot: settings.heapSnapshot,
    lastRun: report ? { startedAt: report.startedAt, files: report.summary.files } : null,
    // Files the guard stopped, with the heap snapshots taken before it did and what grew.
    stops: report ? memoryStops(report.files) : [],
  };
}

export async function recoveryState(services: RedlineServices): Promise<RecoveryPanelState> {
  const runner = services.runnerStatus();
  try {
    return { runner, backups: await services.listBackups() };
  } catch (error) {
    return { runner, backups: [], backupsError: error instanceof Error ? error.message : String(error) };
  }
}

export async function panelState<K extends PanelKind>(kind: K, services: RedlineServices, settings: PanelSettings): Promise<PanelStates[K]> {
  const builders: { [P in PanelKind]: () => PanelStates[P] | Promise<PanelStates[P]> } = {
    memory: () => memoryState(services, settings),
    phases: () => phasesState(services),
    leaks: () => leaksState(services, settings),
    recovery: () => recoveryState(services),
  };
  return builders[kind]();
}

/** The events after which a panel's state may have changed; it listens only while open. */
export function panelEvents(kind: PanelKind, services: RedlineServices): readonly vscode.Event<unknown>[] {
  switch (kind) {
    case 'memory':
      return [services.onDidSampleMemory, services.onDidGuardAction, services.onDidChangeRunnerStatus];
    case 'phases':
      return [services.onDidChangePhases];
    case 'leaks':
      return [services.onDidFinishRun];
    case 'recovery':
      return [services.onDidChangeRunnerStatus, services.onDidChangeBackups];
  }
}
