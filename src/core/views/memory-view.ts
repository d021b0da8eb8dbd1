// The memory panel's view model: the gauge, the chart geometry and the tables, computed from
// the panel state. Pure, so the geometry is tested in Node and the page only draws.
import { formatBytes } from '../format';
import type { Tier } from '../../protocol/report';
import type { GuardAction, MemorySample, TierPercents } from '../../protocol/runner';
import type { ChartSample, MemoryPanelState } from '../../protocol/webview';
import { formatRunOffset } from './time-text';

export const TIER_LABELS: Readonly<Record<Tier, string>> = {
  ok: 'OK',
  warning: 'Warning',
  critical: 'Critical',
  emergency: 'Emergency',
  terminal: 'Terminal',
};

/** What each tier means for the run, in the words of the guard (README "Tiers of that limit"). */
export const TIER_MEANINGS: Readonly<Record<Tier, string>> = {
  ok: 'Below every tier.',
  warning: 'Reported only.',
  critical: 'One file at a time; workers are asked to collect garbage.',
  emergency: 'No new files; the fastest-growing worker is stopped if memory keeps rising.',
  terminal: 'The worker holding the most memory is killed at once.',
};

export interface GaugeView {
  readonly usedBytes: number;
  readonly limitBytes: number;
  /** Of the limit, may pass 100. */
  readonly percent: number;
  /** 0 to 1, for drawing. */
  readonly fraction: number;
  readonly tier: Tier;
  readonly usedText: string;
  readonly limitText: string;
  readonly percentText: string;
  /** Where each tier starts, 0 to 1 of the limit, for the gauge's tick marks. */
  readonly ticks: readonly { readonly tier: Exclude<Tier, 'ok'>; readonly fraction: number }[];
  readonly peakText: string;
  readonly processCount: number;
}

export interface ProcessRowView {
  readonly pid: number;
  readonly role: MemorySample['processes'][number]['role'];
  readonly rssBytes: number;
  readonly rssText: string;
  /** Of the largest process, 0 to 1: the width of the row's bar. */
  readonly share: number;
  readonly file?: string;
  readonly test?: string;
}

export type ActionTone = 'info' | 'warning' | 'error';

export interface ActionRowView {
  readonly key: string;
  readonly action: GuardAction['action'];
  readonly tone: ActionTone;
  readonly tier: Tier;
  readonly timeText: string;
  readonly rssText: string;
  readonly file?: string;
  readonly test?: string;
  readonly reason: string;
}

export interface MemoryView {
  /** Nothing sampled yet: the panel shows its empty state. */
  readonly empty: boolean;
  /** Tests are running: the figures are live, not the end of the last run. */
  readonly live: boolean;
  readonly gauge: GaugeView | null;
  readonly processes: readonly ProcessRowView[];
  /** Newest first. */
  readonly actions: readonly ActionRowView[];
}

const TIER_KEYS = ['warning', 'critical', 'emergency', 'terminal'] as const;

export function memoryView(state: MemoryPanelState): MemoryView {
  const latest = state.latest ?? lastSampleAsLatest(state.samples);
  const gauge = latest ? gaugeView(latest, state.samples, state.tierPercents) : null;
  return {
    empty: latest === null,
    live: state.runner.state === 'running',
    gauge,
    processes: latest ? processRows(latest.processes) : [],
    actions: actionRows(state.actions),
  };
}

function lastSampleAsLatest(samples: readonly ChartSample[]): MemorySample | null {
  const last = samples.at(-1);
  return last ? { atMs: last.atMs, treeRssBytes: last.rssBytes, limitBytes: last.limitBytes, tier: last.tier, processes: [] } : null;
}

function gaugeView(latest: MemorySample, samples: readonly ChartSample[], percents: TierPercents): GaugeView {
  const limit = latest.limitBytes > 0 ? latest.limitBytes : 1;
  const percent = (latest.treeRssBytes / limit) * 100;
  const peak = samples.reduce((max, s) => Math.max(max, s.rssBytes), latest.treeRssBytes);
  return {
    usedBytes: latest.treeRssBytes,
    limitBytes: latest.limitBytes,
    percent,
    fraction: clamp01(percent / 100),
    tier: latest.tier,
    usedText: formatBytes(latest.treeRssBytes),
    limitText: formatBytes(latest.limitBytes),
    percentText: `${Math.round(percent)}%`,
    ticks: TIER_KEYS.map((tier) => ({ tier, fraction: clamp01(percents[tier] / 100) })),
    peakText: formatBytes(peak),
    processCount: latest.processes.length,
  };
}

/** Largest first: the process to look at is at the top. */
export function processRows(processes: MemorySample['processes']): ProcessRowView[] {
  const sorted = [...processes].sort((a, b) => b.rssBytes - a.rssBytes || a.pid - b.pid);
  const max = sorted[0]?.rssBytes ?? 0;
  return sorted.map((p) => ({
    pid: p.pid,
    role: p.role,
    rssBytes: p.rssBytes,
    rssText: formatBytes(p.rssBytes),
    share: max > 0 ? p.rssBytes / max : 0,
    ...(p.file === undefined ? {} : { file: p.file }),
    ...(p.test === undefined ? {} : { test: p.test }),
  }));
}

/** How many guard actions the panel lists: a long run throttles often, and only the latest matter. */
export const MAX_ACTION_ROWS = 50;

const ACTION_TONES: Readonly<Record<GuardAction['action'], ActionTone>> = {
  warn: 'warning',
  throttle: 'warning',
  block: 'error',
  stop: 'error',
  release: 'info',
  gc: 'info',
};

export function actionRows(actions: readonly GuardAction[]): ActionRowView[] {
  const rows: ActionRowView[] = [];
  for (let i = actions.length - 1; i >= 0 && rows.length < MAX_ACTION_ROWS; i--) {
    const a = actions[i]!;
    rows.push({
      key: `${i}:${a.atMs}:${a.action}`,
      action: a.action,
      tone: ACTION_TONES[a.action],
      tier: a.tier,
      timeText: formatRunOffset(a.atMs),
      rssText: formatBytes(a.rssBytes),
      ...(a.file === undefined ? {} : { file: a.file }),
      ...(a.test === undefined ? {} : { test: a.test }),
      reason: a.reason,
    });
  }
  return rows;
}

// ---- the chart ---------------------------------------------------------------------------------

export interface ChartSize {
  readonly width: number;
  readonly height: number;
  /** Room on the left for nothing and on the right for the tier labels; at the bottom for the time axis. */
  readonly padLeft: number;
  readonly padRight: number;
  readonly padTop: number;
  readonly padBottom: number;
}

export interface ChartGeometry {
  /** SVG path of the tree's memory; empty when there is nothing to draw. */
  readonly line: string;
  /** The same line closed down to the axis, for the fill under it. */
  readonly area: string;
  readonly last: { readonly x: number; readonly y: number; readonly tier: Tier } | null;
  /** Horizontal lines where each tier starts, and the limit itself. */
  readonly tierLines: readonly { readonly tier: Exclude<Tier, 'ok'> | 'limit'; readonly y: number; readonly label: string; readonly labelY: number }[];
  /** Where a new run started (the runner's clock went back to 0). */
  readonly runStarts: readonly number[];
  readonly timeTicks: readonly { readonly x: number; readonly label: string }[];
  /** The plot area. */
  readonly plot: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
}

/** Pixels between two tier labels, so they never overlap. */
const LABEL_GAP = 13;

/** The chart never spans less than this, so a run's first seconds do not fill the width. */
export const MIN_WINDOW_MS = 60_000;
/** A new run starts this far right of the last run's last sample, so the two do not join. */
const RUN_GAP_MS = 2_000;

/**
 * Samples on one time axis. `atMs` counts from each run's start, so where it falls back a new
 * run began: it is placed after the previous one, and the idle time between them (which nobody
 * sampled) is left out.
 */
export function timeline(samples: readonly ChartSample[]): { readonly t: number[]; readonly runStarts: Set<number> } {
  const t: number[] = [];
  /** Indices of the samples that start a new run. */
  const runStarts = new Set<number>();
  let offset = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const prev = samples[i - 1];
    if (prev && s.atMs < prev.atMs) {
      offset = t[i - 1]! + RUN_GAP_MS - s.atMs;
      runStarts.add(i);
    }
    t.push(s.atMs + offset);
  }
  return { t, runStarts };
}

export function chartGeometry(samples: readonly ChartSample[], percents: TierPercents, size: ChartSize): ChartGeometry {
  const plot = {
    left: size.padLeft,
    right: Math.max(size.padLeft + 1, size.width - size.padRight),
    top: size.padTop,
    bottom: Math.max(size.padTop + 1, size.height - size.padBottom),
  };
  const limit = samples.at(-1)?.limitBytes ?? 0;
  const maxRss = samples.reduce((max, s) => Math.max(max, s.rssBytes), 0);
  // The limit is the top unless memory went past it (the terminal tier kills at 95%, but a
  // sample may land above the limit before the kill takes effect).
  const top = Math.max(limit, maxRss, 1);
  const y = (bytes: number) => round1(plot.bottom - (bytes / top) * (plot.bottom - plot.top));

  const tierLines: ChartGeometry['tierLines'][number][] = [];
  if (limit > 0) {
    const lines = [
      { tier: 'limit' as const, y: y(limit), label: `Limit ${formatBytes(limit)}` },
      ...[...TIER_KEYS].reverse().map((tier) => ({ tier, y: y((limit * percents[tier]) / 100), label: `${TIER_LABELS[tier]} ${percents[tier]}%` })),
    ];
    // Top to bottom; a label too close to the one above moves down (95% sits just under the limit).
    let previous = Number.NEGATIVE_INFINITY;
    for (const line of lines) {
      const labelY = Math.max(line.y, previous + LABEL_GAP);
      tierLines.push({ ...line, labelY });
      previous = labelY;
    }
  }

  const { t, runStarts } = timeline(samples);
  const end = t.at(-1) ?? 0;
  const start = Math.min(t[0] ?? 0, end - MIN_WINDOW_MS);
  const span = Math.max(1, end - start);
  const x = (ms: number) => round1(plot.left + ((ms - start) / span) * (plot.right - plot.left));

  let line = '';
  for (let i = 0; i < samples.length; i++) {
    // A new run starts a new segment: the line does not bridge the idle gap.
    const jump = runStarts.has(i);
    line += `${i === 0 || jump ? 'M' : 'L'}${x(t[i]!)},${y(samples[i]!.rssBytes)}`;
  }
  const area = areaPath(samples, t, runStarts, x, y, plot.bottom);
  const lastSample = samples.at(-1);
  return {
    line,
    area,
    last: lastSample ? { x: x(end), y: y(lastSample.rssBytes), tier: lastSample.tier } : null,
    tierLines,
    runStarts: [...runStarts].map((i) => x(t[i]!)),
    timeTicks: timeTicks(span, end, x),
    plot,
  };
}

function areaPath(
  samples: readonly ChartSample[],
  t: readonly number[],
  runStarts: ReadonlySet<number>,
  x: (ms: number) => number,
  y: (bytes: number) => number,
  bottom: number,
): string {
  let path = '';
  let segmentStart = 0;
  const close = (from: number, to: number) => {
    if (to <= from) return;
    path += `M${x(t[from]!)},${bottom}`;
    for (let i = from; i < to; i++) path += `L${x(t[i]!)},${y(samples[i]!.rssBytes)}`;
    path += `L${x(t[to - 1]!)},${bottom}Z`;
  };
  for (let i = 1; i < samples.length; i++) {
    if (runStarts.has(i)) {
      close(segmentStart, i);
      segmentStart = i;
    }
  }
  close(segmentStart, samples.length);
  return path;
}

const TICK_STEPS_MS = [10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

/** Ticks counted back from the newest sample ("now", "-30 s", "-1 min"), at most 6. */
function timeTicks(span: number, end: number, x: (ms: number) => number): { x: number; label: string }[] {
  const step = TICK_STEPS_MS.find((s) => span / s <= 5) ?? TICK_STEPS_MS.at(-1)!;
  const ticks: { x: number; label: string }[] = [];
  for (let back = 0; back <= span; back += step) ticks.push({ x: x(end - back), label: back === 0 ? 'now' : `−${agoLabel(back)}` });
  return ticks.reverse();
}

function agoLabel(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  return `${ms / 3_600_000} h`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}
