// Leak detection across watch runs (README "Leak detection"): a test file whose memory climbs
// from run to run — state that outlives a run — is called out once, when its climb is found.
//
// Per test file, one figure per run in which it ran: its worker's post-GC memory (heap + external)
// after its last measured test, `memoryAfterBytes` in the run's report (the probe's leak series,
// so only with leak detection on). No sample from a run in which the file did not run (cached, not
// affected), was stopped, failed to load, was skipped, or did not run to its end: those figures
// say nothing about what the file holds when it is done. The last WINDOW figures are kept and
// judged with the leak analysis over runs (`analyzeRuns`: robust slope, fit, one-time rises taken
// out, growth that must go on to the end, a climb that starts late), with thresholds of its own.
//
// What can climb across runs with Vitest 4.1 (measured; pool forks, which Redline uses): no
// worker outlives a run. With `isolate: true` each file gets a fresh fork; with `isolate: false`
// a fork is shared by the files of one run and stopped at its end (Vitest's pool keeps a runner
// only while the next queued file can reuse it). So `globalThis` or a dependency's module-level
// registry grows within a run, never across runs. What does climb is state kept outside the
// worker and loaded again: a file, cache directory or database the tests append to and read back,
// a service they fill, data the main process hands the workers. The runner's own baseline
// (Vite's module graph, Vitest's state) is watched apart (runner/watch-session.ts).
//
// With `isolate: false`, files share a worker within a run, so a file's figure also holds what
// the files before it in that worker kept: a file that climbs can make the ones after it climb.
import type { FileReport, Leak, RunReport } from '../protocol/report';
import { analyzeRuns, type LeakThresholds, type LeakVerdict } from './leaks';

/**
 * A climb worth calling out:
 * - at least 1 MB a run: twice what a sample can be off by — the probe reuses its last full
 *   collection's figure while memory has grown less than `leaks.minBytesPerTest` (512 KB by
 *   default) since — and far above what editing a test file adds between two saves (KBs);
 * - over at least 6 runs, so a couple of odd runs cannot make a trend, and the one-time rises
 *   (a fixture added in one edit) can be told from the typical step;
 * - a line that fits at 0.8 or better, as for a file's tests: a step or a curve fits badly;
 * - 16 MB in all: a fresh worker's figure moves by a few hundred KB from run to run (measured),
 *   and a climb smaller than this over a session is not worth an interruption. At 2 MB a run
 *   that is 9 runs; at 1 MB a run, 17.
 */
export const RUN_TREND_THRESHOLDS: LeakThresholds = { minBytesPerTest: 1024 * 1024, minSamples: 6, minFit: 0.8, minTotalBytes: 16 * 1024 * 1024 };

/** Runs kept per file: enough for a slow climb to show, few enough that an old one is forgotten. */
export const RUN_TREND_WINDOW = 30;

export const RUN_TREND_HINT =
  'Its memory at the end of each run climbs from run to run: something outlives the run and is loaded again — ' +
  'a file, cache directory or database the tests append to and read back whole, a service they fill, ' +
  'or data the main process hands the workers (globalSetup, provide). Clean up what the tests add, or start each run from a fresh copy.';

/** The file's figure for this run, or undefined when the run says nothing about it (see above). */
export function runSample(file: FileReport): number | undefined {
  if (file.cached || (file.state !== 'passed' && file.state !== 'failed')) return undefined;
  const bytes = file.memoryAfterBytes;
  return bytes !== undefined && Number.isFinite(bytes) ? bytes : undefined;
}

interface FileTrend {
  readonly values: number[];
  leaking: boolean;
}

/**
 * The figures of every test file across the runs of one watch session. `observe` takes each run's
 * report and returns the leaks found with it: a file whose verdict turned into a leak in this
 * run. Once reported, a file is not reported again while it keeps climbing; if its climb stops
 * (the verdict clears), a later climb is reported anew.
 */
export class RunTrends {
  private readonly files = new Map<string, FileTrend>();

  constructor(
    private readonly thresholds: LeakThresholds = RUN_TREND_THRESHOLDS,
    private readonly window = RUN_TREND_WINDOW,
  ) {}

  observe(report: RunReport): Leak[] {
    const found: Leak[] = [];
    for (const file of report.files) {
      const sample = runSample(file);
      if (sample === undefined) continue;
      const key = file.project ? `${file.project}\0${file.path}` : file.path;
      let trend = this.files.get(key);
      if (!trend) this.files.set(key, (trend = { values: [], leaking: false }));
      trend.values.push(sample);
      if (trend.values.length > this.window) trend.values.splice(0, trend.values.length - this.window);
      const verdict = analyzeRuns(trend.values, this.thresholds);
      if (verdict.leak && !trend.leaking) found.push(runLeak(file.path, verdict, trend.values));
      trend.leaking = verdict.leak;
    }
    return found;
  }

  /** The report with the leaks `observe` finds in it added to its own. */
  withRunLeaks(report: RunReport): RunReport {
    const found = this.observe(report);
    return found.length > 0 ? { ...report, leaks: [...report.leaks, ...found] } : report;
  }

  /** The verdict on a file's figures so far (undefined: no figure yet). */
  verdict(path: string, project?: string): LeakVerdict | undefined {
    const trend = this.files.get(project ? `${project}\0${path}` : path);
    return trend ? analyzeRuns(trend.values, this.thresholds) : undefined;
  }
}

function runLeak(file: string, v: LeakVerdict, values: readonly number[]): Leak {
  return {
    file,
    per: 'run',
    bytesPerTest: Math.round(v.bytesPerTest),
    fit: Math.round(v.fit * 1000) / 1000,
    totalBytes: Math.round(v.totalBytes),
    samples: v.samples,
    series: v.series,
    hint: RUN_TREND_HINT,
    // The runs judged: all of them, or the later half when only that climbs.
    points: values.slice(-v.samples).map(Math.round),
  };
}
