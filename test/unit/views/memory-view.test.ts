import { describe, expect, it } from 'vitest';
import { actionRows, chartGeometry, MAX_ACTION_ROWS, memoryView, processRows, timeline } from '../../../src/core/views/memory-view';
import type { GuardAction, MemorySample } from '../../../src/protocol/runner';
import type { ChartSample, MemoryPanelState } from '../../../src/protocol/webview';

const MB = 1024 * 1024;
const LIMIT = 1000 * MB;
const PERCENTS = { warning: 40, critical: 60, emergency: 80, terminal: 95 };
const RUNNER = { state: 'running' as const, restarts: 0, since: 0 };
const SIZE = { width: 400, height: 200, padLeft: 0, padRight: 100, padTop: 0, padBottom: 20 };

function sample(atMs: number, rssMb: number, tier: ChartSample['tier'] = 'ok'): ChartSample {
  return { atMs, rssBytes: rssMb * MB, limitBytes: LIMIT, tier };
}

function latest(rssMb: number, tier: MemorySample['tier'], processes: MemorySample['processes'] = []): MemorySample {
  return { atMs: 5_000, treeRssBytes: rssMb * MB, limitBytes: LIMIT, tier, processes };
}

function state(overrides: Partial<MemoryPanelState> = {}): MemoryPanelState {
  return { samples: [], latest: null, actions: [], tierPercents: PERCENTS, runner: RUNNER, ...overrides };
}

describe('memoryView', () => {
  it('is empty until something was sampled', () => {
    const view = memoryView(state());
    expect(view.empty).toBe(true);
    expect(view.gauge).toBeNull();
    expect(view.processes).toEqual([]);
  });

  it('gauges the latest sample against its limit, coloured by its tier, with ticks at the tier percents', () => {
    const view = memoryView(state({ samples: [sample(0, 100), sample(1000, 700)], latest: latest(450, 'warning') }));
    expect(view.empty).toBe(false);
    expect(view.gauge).toMatchObject({ percent: 45, fraction: 0.45, tier: 'warning', percentText: '45%', usedText: '450.0 MB', limitText: '1000.0 MB', peakText: '700.0 MB' });
    expect(view.gauge!.ticks).toEqual([
      { tier: 'warning', fraction: 0.4 },
      { tier: 'critical', fraction: 0.6 },
      { tier: 'emergency', fraction: 0.8 },
      { tier: 'terminal', fraction: 0.95 },
    ]);
  });

  it('clamps the drawn gauge past the limit but says the real percentage', () => {
    const view = memoryView(state({ latest: latest(1200, 'terminal') }));
    expect(view.gauge).toMatchObject({ fraction: 1, percentText: '120%' });
  });

  it('is live only while tests run', () => {
    expect(memoryView(state({ latest: latest(100, 'ok') })).live).toBe(true);
    expect(memoryView(state({ latest: latest(100, 'ok'), runner: { ...RUNNER, state: 'watching' } })).live).toBe(false);
  });

  it('falls back to the newest history sample when there is no latest', () => {
    const view = memoryView(state({ samples: [sample(0, 300, 'ok')] }));
    expect(view.gauge).toMatchObject({ usedText: '300.0 MB', processCount: 0 });
  });
});

describe('processRows', () => {
  it('lists the largest process first with its share of the largest', () => {
    const rows = processRows([
      { pid: 3, role: 'worker', rssBytes: 100 * MB, file: 'a.test.ts', test: 'a > b' },
      { pid: 1, role: 'runner', rssBytes: 200 * MB },
      { pid: 2, role: 'child', rssBytes: 50 * MB },
    ]);
    expect(rows.map((r) => r.pid)).toEqual([1, 3, 2]);
    expect(rows.map((r) => r.share)).toEqual([1, 0.5, 0.25]);
    expect(rows[1]).toMatchObject({ role: 'worker', rssText: '100.0 MB', file: 'a.test.ts', test: 'a > b' });
    expect(rows[0]).not.toHaveProperty('file');
  });
});

describe('actionRows', () => {
  const action = (atMs: number, kind: GuardAction['action'], extra: Partial<GuardAction> = {}): GuardAction => ({ atMs, action: kind, tier: 'critical', rssBytes: 600 * MB, reason: 'r', ...extra });

  it('lists the newest first with a tone per action', () => {
    const rows = actionRows([action(1_000, 'warn'), action(2_000, 'gc'), action(3_500, 'stop', { file: 'x.test.ts', test: 'x > leaks' })]);
    expect(rows.map((r) => [r.action, r.tone, r.timeText])).toEqual([
      ['stop', 'error', '+3.5 s'],
      ['gc', 'info', '+2.0 s'],
      ['warn', 'warning', '+1.0 s'],
    ]);
    expect(rows[0]).toMatchObject({ file: 'x.test.ts', test: 'x > leaks', rssText: '600.0 MB' });
  });

  it('keeps only the newest rows', () => {
    const rows = actionRows(Array.from({ length: 120 }, (_, i) => action(i, 'throttle')));
    expect(rows).toHaveLength(MAX_ACTION_ROWS);
    expect(rows[0]!.key.startsWith('119:')).toBe(true);
  });
});

describe('timeline', () => {
  it('places a run after the one before when the runner clock starts again', () => {
    const { t, runStarts } = timeline([sample(0, 1), sample(1000, 1), sample(0, 1), sample(500, 1)]);
    expect(t).toEqual([0, 1000, 3000, 3500]);
    expect([...runStarts]).toEqual([2]);
  });
});

describe('chartGeometry', () => {
  it('draws the tiers as horizontal lines at their percent of the limit, with the limit on top', () => {
    const g = chartGeometry([sample(0, 100), sample(60_000, 500)], PERCENTS, SIZE);
    // Plot: y from 0 (the limit) to 180 (zero).
    const byTier = Object.fromEntries(g.tierLines.map((l) => [l.tier, l.y]));
    expect(byTier).toEqual({ limit: 0, terminal: 9, emergency: 36, critical: 72, warning: 108 });
    expect(g.tierLines.find((l) => l.tier === 'warning')!.label).toBe('Warning 40%');
    expect(g.tierLines.find((l) => l.tier === 'limit')!.label).toBe('Limit 1000.0 MB');
  });

  it('moves a tier label down when it would touch the one above', () => {
    const g = chartGeometry([sample(0, 100)], PERCENTS, SIZE);
    const labels = g.tierLines.map((l) => l.labelY);
    for (let i = 1; i < labels.length; i++) expect(labels[i]! - labels[i - 1]!).toBeGreaterThanOrEqual(13);
    expect(g.tierLines.find((l) => l.tier === 'warning')!.labelY).toBe(108);
  });

  it('maps time to x and memory to y, ending at the right edge of the plot', () => {
    const g = chartGeometry([sample(0, 0), sample(60_000, 500)], PERCENTS, SIZE);
    expect(g.line).toBe('M0,180L300,90');
    expect(g.area).toBe('M0,180L0,180L300,90L300,180Z');
    expect(g.last).toEqual({ x: 300, y: 90, tier: 'ok' });
    expect(g.timeTicks.at(-1)).toEqual({ x: 300, label: 'now' });
  });

  it('spans at least a minute, so a run of seconds does not fill the width', () => {
    const g = chartGeometry([sample(0, 100), sample(6_000, 100)], PERCENTS, SIZE);
    expect(g.line).toBe('M270,162L300,162');
  });

  it('starts a new segment where a new run starts, and marks it', () => {
    const g = chartGeometry([sample(0, 100), sample(58_000, 100), sample(0, 200), sample(1_000, 200)], PERCENTS, SIZE);
    expect(g.line.match(/M/g)).toHaveLength(2);
    expect(g.area.match(/Z/g)).toHaveLength(2);
    expect(g.runStarts).toHaveLength(1);
  });

  it('raises the top when a sample went past the limit', () => {
    const g = chartGeometry([sample(0, 2000)], PERCENTS, SIZE);
    expect(g.tierLines.find((l) => l.tier === 'limit')!.y).toBe(90);
    expect(g.last!.y).toBe(0);
  });

  it('has no line without samples', () => {
    const g = chartGeometry([], PERCENTS, SIZE);
    expect(g).toMatchObject({ line: '', area: '', last: null, tierLines: [] });
  });
});
