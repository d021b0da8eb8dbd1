// Types of bench/lib/proc.mjs for the TypeScript benches (bench/extension).
export interface Stat {
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** cutime + cstime: the children it has waited for. */
  readonly childTicks: number;
  readonly start: number;
}
export function getconf(name: string, fallback: number): number;
export const PAGE: number;
export const CLK_TCK: number;
export function readText(path: string): string | undefined;
export function parseStat(text: string): Stat | undefined;
export function procTable(): Map<number, Stat>;
export function treeOf(table: Map<number, Stat>, root: number): number[];
export function rssOf(pid: number): number;
export function cmdlineOf(pid: number): string;
export function machineTicks(): { busy: number; total: number };
