// The result cache's contents and its bound: entries by key, least recently used out first when
// there are more than `maxEntries` or they weigh more than `maxBytes`. Pure; the store keeps it in
// `.redline/cache.json`.
import type { FileReport, Leak } from '../../protocol/report';

export interface CacheEntry {
  readonly key: string;
  readonly path: string;
  readonly project?: string;
  readonly report: FileReport;
  /** The file's suspected leak in the run that stored it: a cached file still reports it. */
  readonly leak?: Leak;
  /** Whether that run looked for leaks; a run that does cannot reuse a result that did not. */
  readonly leakChecked?: boolean;
  readonly storedAt: number;
  readonly lastUsedAt: number;
  /** Size of the stored report (JSON), for the byte bound. */
  readonly bytes: number;
}

export interface CacheContents {
  readonly entries: readonly CacheEntry[];
}

export interface CacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export const EMPTY_CACHE: CacheContents = { entries: [] };

/** Only a clean, complete result may be reused: never a stopped, crashed or unfinished file. */
export function isCacheable(report: FileReport): boolean {
  if (report.state !== 'passed' && report.state !== 'failed' && report.state !== 'skipped' && report.state !== 'broken') return false;
  if (report.state === 'failed' && report.errors?.some((e) => e.message.startsWith('The worker running this file exited'))) return false;
  return !report.tests.some((t) => t.state === 'stopped');
}

export function lookup(cache: CacheContents, key: string, now: number): { cache: CacheContents; entry?: CacheEntry } {
  const i = cache.entries.findIndex((e) => e.key === key);
  if (i < 0) return { cache };
  const entry = { ...cache.entries[i]!, lastUsedAt: now };
  const entries = [...cache.entries];
  entries[i] = entry;
  return { cache: { entries }, entry };
}

/**
 * Many lookups at once (a run asks for every file): the entries by key, found in one pass, and
 * `touch` afterwards marks the ones used — the same as a `lookup` of each, without copying the
 * whole list for every hit.
 */
export function indexByKey(cache: CacheContents): ReadonlyMap<string, CacheEntry> {
  return new Map(cache.entries.map((e) => [e.key, e]));
}

/** The cache with the entries of `keys` used at `now` (LRU order), as `lookup` of each would leave it. */
export function touch(cache: CacheContents, keys: ReadonlySet<string>, now: number): CacheContents {
  if (keys.size === 0) return cache;
  return { entries: cache.entries.map((e) => (keys.has(e.key) ? { ...e, lastUsedAt: now } : e)) };
}

export function put(cache: CacheContents, entry: Omit<CacheEntry, 'bytes' | 'lastUsedAt'>, now: number, limits: CacheLimits): CacheContents {
  return putAll(cache, [entry], now, limits);
}

/** `put` of each of `entries` in turn, with the bound applied once at the end. */
export function putAll(cache: CacheContents, entries: readonly Omit<CacheEntry, 'bytes' | 'lastUsedAt'>[], now: number, limits: CacheLimits): CacheContents {
  if (entries.length === 0) return cache;
  // A later entry of the same key replaces an earlier one, as a put after a put would.
  const added = new Map(entries.map((entry) => [entry.key, { ...entry, bytes: JSON.stringify(entry.report).length, lastUsedAt: now }]));
  // Older results of the same file stay (LRU decides): an edit undone, or a branch switched
  // back, must find them again.
  const rest = cache.entries.filter((e) => !added.has(e.key));
  return evict({ entries: [...rest, ...added.values()] }, limits);
}

export function evict(cache: CacheContents, limits: CacheLimits): CacheContents {
  // Within the bound and in order already (the usual case: one run's results appended): as it is.
  if (cache.entries.length <= limits.maxEntries) {
    let total = 0;
    let ordered = true;
    for (let i = 0; i < cache.entries.length; i++) {
      const e = cache.entries[i]!;
      total += e.bytes;
      if (i > 0 && cache.entries[i - 1]!.storedAt > e.storedAt) ordered = false;
    }
    if (ordered && total <= limits.maxBytes) return cache;
  }
  const byAge = [...cache.entries].sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  const kept: CacheEntry[] = [];
  let total = 0;
  for (const e of byAge) {
    if (kept.length >= limits.maxEntries || total + e.bytes > limits.maxBytes) continue;
    kept.push(e);
    total += e.bytes;
  }
  return { entries: kept.sort((a, b) => a.storedAt - b.storedAt) };
}

/** A tiny glob matcher for `cache.exclude`: `**` any depth, `*` within a segment, `?` one char. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function isExcluded(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(path));
}
