// The operating-system layer of the memory guard: list processes, read their memory, signal them.
// Injected everywhere it is used, so the guard and the tree logic are tested without a real OS,
// and the macOS and Windows paths are unit-tested on Linux with fake command output.
import type { ProcessInfo } from '../../core/process-table';

export type StopSignal = 'SIGTERM' | 'SIGKILL';

export interface Platform {
  readonly name: 'linux' | 'darwin' | 'win32';
  /**
   * The whole process table. `markerNames` are environment variable names whose values should be
   * returned in `ProcessInfo.markers` where the OS lets us read another process's environment.
   * Called at 1–2 Hz and on demand, never per sample.
   */
  listProcesses(markerNames: readonly string[]): Promise<ProcessInfo[]>;
  /**
   * Resident set size in bytes of each pid still alive; exited pids are absent from the map.
   * The hot path: called ~10 Hz (faster near the limit) for a handful of known pids.
   */
  sampleRss(pids: readonly number[]): Promise<Map<number, number>>;
  /** The high-water mark of a live process's RSS in bytes (Linux VmHWM), or undefined. */
  peakRss(pid: number): Promise<number | undefined>;
  /** Send a signal to one process. Returns false if it no longer exists. Never throws. */
  signal(pid: number, signal: StopSignal): boolean;
  /**
   * Send a signal to a whole process group (POSIX: kill(-pgid)); on Windows, kill the process
   * and its descendants (taskkill /T). Returns false if nothing was signalled. Never throws.
   */
  signalGroup(pgid: number, signal: StopSignal): boolean;
  /** Whether the pid exists right now. */
  isAlive(pid: number): boolean;
  /** The machine's physical memory in bytes. */
  totalMemoryBytes(): number;
}
