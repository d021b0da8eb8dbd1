// A snapshot of the operating system's process table, as the platform layer reads it. Pure data:
// the tree logic in process-tree.ts works on it without touching the OS, so it is unit-tested
// with fake tables.

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Process group id; equal to `pid` for a group leader. 0 where the OS has no groups (Windows). */
  readonly pgid: number;
  /** The command line, or the executable name where that is all the OS tells. */
  readonly command: string;
  /**
   * The values of the environment variables asked for (the Redline markers), read from the
   * process's initial environment where the OS allows it (/proc/<pid>/environ on Linux).
   * Absent where it cannot be read (another user's process, macOS, Windows).
   */
  readonly markers?: Readonly<Record<string, string>>;
}
