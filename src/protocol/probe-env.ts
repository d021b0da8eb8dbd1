// The environment variables of the probe side channel, apart from the schemas so the probe
// bundle (loaded once per test file) does not carry zod.
/** Environment variables the runner sets and the probe reads or extends. */
export const ENV = {
  /** Marks every process of one run; inherited by all descendants, read back from /proc. */
  run: 'REDLINE_RUN',
  /** Set by the probe in its worker: the worker's pid, inherited by whatever a test spawns. */
  workerPid: 'REDLINE_WORKER_PID',
  /** Set by the probe: the test file the worker runs, relative to the root. */
  workerFile: 'REDLINE_WORKER_FILE',
  probeSocket: 'REDLINE_PROBE_SOCKET',
  vitestEntry: 'REDLINE_VITEST_ENTRY',
  root: 'REDLINE_ROOT',
  /** '1': collect garbage after each test, so heap figures are post-GC (leak detection). */
  probeGc: 'REDLINE_PROBE_GC',
  /** Bytes of growth since the last full collection that call for another (leak detection). */
  probeGcGrowth: 'REDLINE_PROBE_GC_GROWTH',
  /** A folder: write heap snapshots of each file there (--heap-snapshot). */
  heapSnapshotDir: 'REDLINE_HEAP_SNAPSHOT_DIR',
} as const;
