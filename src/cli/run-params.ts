// The runner's RunParams from the validated settings: one place, so `run`, `gate` and `watch`
// ask the runner for the same thing given the same configuration and flags.
import { join } from 'node:path';
import type { RunParams } from '../protocol/runner';
import type { Settings } from './settings';

const MB = 1024 * 1024;

export interface RunSelection {
  /** Filters as Vitest takes them (paths made absolute by the command). */
  readonly filters: readonly string[];
  /** Run only the test files these affect (`--changed`, `gate`). */
  readonly changedFiles?: readonly string[];
}

export function runParams(settings: Settings, selection: RunSelection): RunParams {
  const { config } = settings;
  return {
    filters: [...selection.filters],
    ...(config.run.config ? { vitestConfig: config.run.config } : {}),
    projects: [...(config.run.projects ?? [])],
    ...(typeof config.run.workers === 'number' ? { workers: config.run.workers } : {}),
    fileTimeoutMs: config.run.fileTimeoutS * 1000,
    memory: {
      limitBytes: settings.limitBytes,
      tiers: { ...config.memory.tiers },
      sampleIntervalMs: config.memory.sampleIntervalMs,
    },
    tdd: { approveOnCommit: config.tdd.approveOnCommit },
    // `--no-cache` has already become `cache.enabled: false` (flags-to-config.ts).
    cache: {
      enabled: config.cache.enabled,
      maxEntries: config.cache.maxEntries,
      // The schema wants whole bytes; `maxMB` may be fractional (0.5 MB).
      maxBytes: Math.max(1, Math.round(config.cache.maxMB * MB)),
      exclude: [...config.cache.exclude],
    },
    leaks: { ...config.leaks },
    // Snapshots: per file where leaks are judged (with leak detection on), and of a runaway the
    // guard is about to stop (always, when asked for).
    ...(config.memory.heapSnapshot ? { heapSnapshot: { dir: join(settings.root, '.redline', 'snapshots'), max: 10 } } : {}),
    ...(selection.changedFiles ? { changedFiles: [...selection.changedFiles] } : {}),
  };
}
