// Time for the store and the lock, injected so tests can move it and never wait for real.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolve after `ms` milliseconds (setTimeout in the real one). Used while waiting for a lock. */
  sleep(ms: number): Promise<void>;
}

/**
 * A sortable, file-name-safe form of a time: 2025-01-02T03:04:05.678Z → 20250102T030405678Z.
 * Fixed width, so string order is time order (until the year 10000).
 */
export function timeStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}
