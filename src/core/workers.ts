// How many test files run at once when the user leaves it to Redline ("auto", and no maxWorkers
// in the Vitest config).
//
// Vitest's own default is one per core less one for `vitest run` and half the cores in watch
// mode: on a 2-core machine, a single worker either way. But a worker spends much of its start
// (~150 ms a file here) waiting, not computing: on the 200-file bench suite on 2 cores, two
// workers took 22 s where one took 36 s, for the same CPU time, and a watch rerun of 6 files
// 0.76 s instead of 1.16 s. Memory is what makes more workers risky, and that is what Redline
// watches: the guard throttles to one worker at the critical tier and holds new files beyond it.
// So: Vitest's `run` default, but never fewer than two.
export function autoWorkers(parallelism: number): number {
  return Math.max(2, Math.floor(parallelism) - 1);
}
