// The memory tiers of DESIGN.md: which tier a tree RSS falls in, given the limit and the
// configured percentages.
import type { Tier } from '../protocol/report';
import type { TierPercents } from '../protocol/runner';

export const DEFAULT_TIER_PERCENTS: TierPercents = { warning: 40, critical: 60, emergency: 80, terminal: 95 };

const ORDER: readonly Tier[] = ['ok', 'warning', 'critical', 'emergency', 'terminal'];

export function tierRank(tier: Tier): number {
  return ORDER.indexOf(tier);
}

export function tierOf(rssBytes: number, limitBytes: number, percents: TierPercents): Tier {
  const pct = (rssBytes / limitBytes) * 100;
  if (pct >= percents.terminal) return 'terminal';
  if (pct >= percents.emergency) return 'emergency';
  if (pct >= percents.critical) return 'critical';
  if (pct >= percents.warning) return 'warning';
  return 'ok';
}

/** The RSS at which a tier starts. */
export function tierThreshold(tier: Exclude<Tier, 'ok'>, limitBytes: number, percents: TierPercents): number {
  return (limitBytes * percents[tier]) / 100;
}

/** The default limit: the smaller of half the machine's memory and 4 GiB. */
export function defaultLimitBytes(totalMemoryBytes: number): number {
  return Math.min(Math.floor(totalMemoryBytes / 2), 4 * 1024 ** 3);
}
