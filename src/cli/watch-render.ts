// What `redline watch` shows: the status line on a terminal, a headline when a run starts (what
// changed, how many test files it affects), and when it ends the files that did not pass and one
// line of counts. Pure, given the colours, so tests read the plain text.
import pc from 'picocolors';
import type { FileReport, Leak, RunReport } from '../protocol/report';
import { formatBytes, formatDuration } from '../core/format';
import { fileLine, tierColor, type Colors } from './summary';
import { KEY_HINT } from './watch-keys';

/** What started a run: a batch of changes, a key, or watch starting. */
export type RunTrigger = 'start' | 'changes' | 'all' | 'failed';

export interface WatchView {
  readonly state: 'starting' | 'idle' | 'running' | 'restarting';
  /** Test files of the run in progress (cached ones included), and how many have ended. */
  readonly planned: number;
  readonly done: number;
  readonly memory?: { readonly rssBytes: number; readonly limitBytes: number; readonly tier: string };
  /** The file running now, if any. */
  readonly current?: string;
  /** The last run's verdict, for the idle line. */
  readonly last?: RunReport;
  /** Keys work (a terminal in raw mode): say which. */
  readonly keys: boolean;
}

export function watchStatusLine(view: WatchView, c: Colors = pc): string {
  const sep = c.dim(' · ');
  switch (view.state) {
    case 'starting':
      return ` ${c.cyan('WATCH')} starting Vitest…`;
    case 'restarting':
      return ` ${c.yellow('WATCH')} restarting Vitest between runs (memory-safe watch)…`;
    case 'running': {
      const parts = [`${c.cyan('RUN')} ${view.done}/${view.planned || '?'} affected`];
      const m = view.memory;
      if (m) parts.push(`memory ${formatBytes(m.rssBytes)} / ${formatBytes(m.limitBytes)} ${tierColor(m.tier, c)}`);
      if (view.current) parts.push(c.dim(view.current));
      return ` ${parts.join(sep)}`;
    }
    case 'idle': {
      const parts = [`${c.cyan('WATCH')} waiting for changes`];
      if (view.last) parts.push(`last: ${verdict(view.last, c)}`);
      if (view.keys) parts.push(c.dim(KEY_HINT));
      return ` ${parts.join(sep)}`;
    }
  }
}

/** The line that opens a run. `changed` is relative to the root. */
export function runHeadline(trigger: RunTrigger, changed: readonly string[], planned: number, c: Colors = pc): string {
  const files = `${planned} test file${planned === 1 ? '' : 's'}`;
  switch (trigger) {
    case 'start':
      return ` ${c.cyan('▶')} first run: ${files} ${c.dim('(unchanged ones from the cache)')}`;
    case 'all':
      return ` ${c.cyan('▶')} all tests, cache off: ${files}`;
    case 'failed':
      return ` ${c.cyan('▶')} the files that failed: ${files}`;
    case 'changes':
      return ` ${c.cyan('▶')} ${changedText(changed)} changed ${c.dim('→')} ${files} affected`;
  }
}

/** "src/a.ts", "src/a.ts, src/b.ts", "src/a.ts, src/b.ts and 3 more". */
export function changedText(changed: readonly string[], shown = 3): string {
  if (changed.length === 0) return 'nothing';
  const head = changed.slice(0, shown).join(', ');
  return changed.length > shown ? `${head} and ${changed.length - shown} more` : head;
}

/** When a run ends: each file that did not pass, with its failing tests, then the counts. */
export function runDoneLines(report: RunReport, trigger: RunTrigger, changed: readonly string[], now: Date, c: Colors = pc): string[] {
  if (report.files.length === 0 && !report.errors?.length) {
    const what =
      trigger === 'changes' ? `${changedText(changed)} changed: no test file affected` : trigger === 'failed' ? 'no file failed in the last run: nothing to rerun' : 'no test files';
    return [` ${c.dim('·')} ${what} ${c.dim(clock(now))}`];
  }
  const lines: string[] = [];
  for (const f of report.files) {
    if (f.state === 'passed' || f.state === 'skipped') continue;
    lines.push(fileLine(f, c), ...detailLines(f, c));
  }
  for (const e of report.errors ?? []) lines.push(` ${c.red(c.bold('ERROR'))} ${firstLine(e.message)}`);
  if (report.orphans.length > 0) lines.push(` ${c.yellow('!')} ${report.orphans.length} process${report.orphans.length === 1 ? '' : 'es'} left running by tests stopped`);
  // A file found climbing across runs: the runner reports it once, in the run that found it.
  for (const leak of report.leaks) if (leak.per === 'run') lines.push(runLeakLine(leak, c));
  lines.push(runSummaryLine(report, now, c));
  return lines;
}

/** "LEAK test/a.test.js climbs about 2.0 MB per run across watch runs (+18.0 MB over 10 runs after garbage collection, fit 0.99)". */
export function runLeakLine(leak: Leak, c: Colors = pc): string {
  const figures = `+${formatBytes(leak.totalBytes)} over ${leak.samples} runs after garbage collection, fit ${leak.fit.toFixed(2)}`;
  return ` ${c.bgYellow(c.black(' LEAK '))} ${c.bold(leak.file)} climbs about ${c.bold(formatBytes(leak.bytesPerTest))} per run across watch runs ${c.dim(`(${figures})`)}`;
}

/** "PASS 4 passed · 2 cached (4 files) in 1.2 s  12:03:04". */
export function runSummaryLine(report: RunReport, now: Date, c: Colors = pc): string {
  return ` ${verdict(report, c)} ${c.dim(`in ${formatDuration(report.durationMs)}  ${clock(now)}`)}`;
}

function verdict(report: RunReport, c: Colors): string {
  const s = report.summary;
  const label = s.stopped > 0 ? c.bgRed(c.white(' STOP ')) : s.failed + s.broken + s.notrun > 0 || (report.errors?.length ?? 0) > 0 ? c.red(c.bold('FAIL')) : c.green(c.bold('PASS'));
  const parts = [
    s.passed && c.green(`${s.passed} passed`),
    s.failed && c.red(`${s.failed} failed`),
    s.broken && c.magenta(`${s.broken} broken`),
    s.stopped && c.red(`${s.stopped} stopped`),
    s.skipped && c.dim(`${s.skipped} skipped`),
    s.notrun && c.yellow(`${s.notrun} not run`),
    s.cached && c.dim(`${s.cached} cached`),
  ].filter(Boolean);
  return `${label} ${parts.join(c.dim(' · ')) || 'no files'} ${c.dim(`(${s.files} file${s.files === 1 ? '' : 's'})`)}`;
}

function detailLines(f: FileReport, c: Colors): string[] {
  const out: string[] = [];
  for (const t of f.tests) {
    if (t.state !== 'failed') continue;
    out.push(`    ${c.red('✗')} ${t.fullName}${t.error ? c.dim(` — ${firstLine(t.error.message)}`) : ''}`);
  }
  for (const e of f.errors ?? []) out.push(`    ${c.dim(firstLine(e.message))}`);
  return out;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

function clock(now: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
}
