// The closing summary of `redline run`: counts, memory, and then every stopped file and every
// failing test by name, so nobody has to scroll back through the run to find what went wrong.
import pc from 'picocolors';
import type { FileReport, RunReport, TestError } from '../protocol/report';
import { formatBytes, formatDuration } from '../core/format';
import { GREW_LINES, growthText, stopSnapshotLines } from '../core/stop-snapshots-text';

type ColorName = 'red' | 'green' | 'yellow' | 'dim' | 'bold' | 'cyan' | 'magenta' | 'bgRed' | 'bgYellow' | 'bgMagenta' | 'black' | 'white';
/** The colours the summary uses; tests pass identity functions to read the plain text. */
export type Colors = Record<ColorName, (text: string) => string>;

export function fileLine(file: FileReport, c: Colors = pc): string {
  const name = file.project ? `${c.dim(`[${file.project}]`)} ${file.path}` : file.path;
  const tests = file.tests.length;
  const dur = c.dim(formatDuration(file.durationMs));
  const cached = file.cached ? c.dim(' (cached)') : '';
  switch (file.state) {
    case 'passed':
      return ` ${c.green('✓')} ${name} ${c.dim(`(${tests} test${tests === 1 ? '' : 's'})`)} ${dur}${cached}`;
    case 'failed': {
      const failed = file.tests.filter((t) => t.state === 'failed').length;
      return ` ${c.red('✗')} ${name} ${c.dim(`(${tests} tests |`)} ${c.red(`${failed} failed`)}${c.dim(')')} ${dur}${cached}`;
    }
    case 'broken':
      return ` ${c.magenta('!')} ${name} ${c.magenta('could not load')}`;
    case 'stopped':
      return ` ${c.red('■')} ${name} ${c.red(stopText(file))}`;
    case 'skipped':
      return ` ${c.dim('↓')} ${name} ${c.dim('(skipped)')}`;
    case 'notrun':
      return ` ${c.dim('·')} ${name} ${c.dim('(not run)')}`;
  }
}

export function stopText(file: FileReport): string {
  const s = file.stopped;
  if (!s) return 'stopped';
  const test = s.test ? ` in "${s.test}"` : '';
  if (s.reason === 'memory') return `stopped: memory — ${formatBytes(s.rssBytes)}${test}`;
  return `stopped: timeout — no progress${test}`;
}

export function summaryLines(report: RunReport, c: Colors = pc): string[] {
  const s = report.summary;
  const lines: string[] = [''];
  const tests = report.files.flatMap((f) => f.tests);
  const count = (state: string): number => tests.filter((t) => t.state === state).length;

  const fileParts = [
    s.passed && c.green(`${s.passed} passed`),
    s.failed && c.red(`${s.failed} failed`),
    s.broken && c.magenta(`${s.broken} broken`),
    s.stopped && c.red(c.bold(`${s.stopped} stopped`)),
    s.skipped && c.dim(`${s.skipped} skipped`),
    s.notrun && c.yellow(`${s.notrun} not run`),
  ].filter(Boolean);
  const testParts = [
    count('passed') && c.green(`${count('passed')} passed`),
    count('failed') && c.red(`${count('failed')} failed`),
    count('stopped') && c.red(`${count('stopped')} stopped`),
    count('skipped') && c.dim(`${count('skipped')} skipped`),
    count('todo') && c.dim(`${count('todo')} todo`),
  ].filter(Boolean);
  // Cached files are also passed or failed: a count beside the total, not one more state.
  const cachedPart = s.cached > 0 ? `, ${s.cached} cached` : '';
  lines.push(` ${c.dim('Files ')}   ${fileParts.join(c.dim(' · ')) || '0'} ${c.dim(`(${s.files}${cachedPart})`)}`);
  lines.push(` ${c.dim('Tests ')}   ${testParts.join(c.dim(' · ')) || '0'} ${c.dim(`(${tests.length})`)}`);
  const m = report.memory;
  const pct = Math.round((m.peakBytes / m.limitBytes) * 100);
  const highest = m.tiers.reduce<string | undefined>((acc, t) => (rank(t.tier) > rank(acc) ? t.tier : acc), undefined);
  if (s.files > 0 && s.cached === s.files) {
    // No test process ran, so there is no peak to report: "0 B" would read as a measurement.
    lines.push(` ${c.dim('Memory ')}  no test ran: every file's result came from the cache`);
  } else {
    lines.push(
      ` ${c.dim('Memory ')}  peak ${formatBytes(m.peakBytes)} of ${formatBytes(m.limitBytes)} limit (${pct}%)${highest && highest !== 'ok' ? ` · reached ${tierColor(highest, c)}` : ''}`,
    );
  }
  if (report.cache.hits > 0) {
    const { hits, misses } = report.cache;
    lines.push(` ${c.dim('Cache ')}   ${hits} hit${hits === 1 ? '' : 's'} · ${misses} miss${misses === 1 ? '' : 'es'} ${c.dim('(--no-cache runs every file)')}`);
  }
  lines.push(` ${c.dim('Duration')} ${formatDuration(report.durationMs)}`);

  const stopped = report.files.filter((f) => f.state === 'stopped');
  const broken = report.files.filter((f) => f.state === 'broken');
  const failing = report.files.filter((f) => f.state === 'failed');
  const notrun = report.files.filter((f) => f.state === 'notrun');

  for (const f of stopped) {
    lines.push('', ` ${c.bgRed(c.white(' STOPPED '))} ${c.bold(f.path)}`);
    const st = f.stopped;
    if (st) {
      const why = st.reason === 'memory'
        ? `its process tree reached ${formatBytes(st.rssBytes)} (limit ${formatBytes(m.limitBytes)}) and was killed`
        : `it made no progress (a blocked event loop) until the file timeout and was killed`;
      const gone = st.killMs !== undefined ? ` (gone ${formatDuration(st.killMs)} later)` : '';
      lines.push(`   ${why} ${formatDuration(st.atMs)} into the run${gone}`);
      lines.push(`   ${st.test ? `running test: ${c.bold(st.test)}` : 'no test had started (it was loading the file)'}`);
      // --heap-snapshot: what it was filling memory with, as a leak alert says what grew (the
      // editor's Test Explorer message says the same lines).
      for (const l of stopSnapshotLines(st, report.root)) lines.push(`   ${l.label ? `${c.dim(l.label)} ${l.text}` : c.dim(l.text)}`);
    }
  }
  for (const f of broken) {
    lines.push('', ` ${c.bgMagenta(c.white(' BROKEN '))} ${c.bold(f.path)}`);
    for (const e of f.errors ?? []) lines.push(...indent(errorLines(e, c, false), 3));
  }
  for (const f of failing) {
    for (const t of f.tests.filter((t) => t.state === 'failed')) {
      lines.push('', ` ${c.red(c.bold('FAIL'))} ${f.path} ${c.dim('>')} ${c.bold(t.fullName)}`);
      if (t.error) lines.push(...indent(errorLines(t.error, c, true), 3));
    }
    for (const e of f.errors ?? []) {
      lines.push('', ` ${c.red(c.bold('FAIL'))} ${f.path} ${c.dim('(outside any test)')}`);
      lines.push(...indent(errorLines(e, c, false), 3));
    }
  }
  if (notrun.length > 0) {
    lines.push('', ` ${c.yellow(c.bold('NOT RUN'))} ${notrun.length} file${notrun.length === 1 ? '' : 's'}: ${notrun.slice(0, 5).map((f) => f.path).join(', ')}${notrun.length > 5 ? ', …' : ''}`);
  }
  for (const e of report.errors ?? []) {
    lines.push('', ` ${c.red(c.bold('ERROR'))} ${e.message.split('\n')[0]}`);
  }
  for (const leak of report.leaks) {
    const where = leak.series === 'external' ? ' outside the JS heap (Buffers, typed arrays)' : leak.series === 'heap' ? ' in the JS heap' : '';
    // A climb across watch runs (core/run-trends) counts runs, not tests.
    const step = leak.per === 'run' ? 'run' : 'test';
    lines.push(
      '',
      ` ${c.bgYellow(c.black(' LEAK '))} ${c.bold(leak.file)} grows about ${c.bold(formatBytes(leak.bytesPerTest))} per ${step}${where}`,
      `   +${formatBytes(leak.totalBytes)} over ${leak.samples} ${step}s after garbage collection · fit ${leak.fit.toFixed(2)}`,
    );
    if (leak.hint) lines.push(`   ${c.dim(leak.hint)}`);
    for (const g of (leak.grew ?? []).slice(0, GREW_LINES)) lines.push(`   ${c.dim('grew:')} ${growthText(g)}`);
    // --heap-snapshot: why there is nothing to compare (a snapshot declined for room, or failed).
    if (leak.snapshotNote) lines.push(`   ${c.dim(leak.snapshotNote)}`);
  }
  if (report.orphans.length > 0) {
    lines.push('', ` ${c.bgYellow(c.black(' ORPHANS '))} ${report.orphans.length} process${report.orphans.length === 1 ? '' : 'es'} left running by tests ${report.orphans.length === 1 ? 'was' : 'were'} stopped:`);
    for (const o of report.orphans.slice(0, 10)) lines.push(`   pid ${o.pid} ${c.dim(o.command.slice(0, 80))}${o.file ? ` ${c.dim('from')} ${o.file}` : ''}`);
  }
  return lines;
}

function errorLines(e: TestError, c: Colors, showDiff: boolean): string[] {
  const out = e.message.split('\n').slice(0, 8).map((l) => c.red(l));
  if (showDiff && e.expected !== undefined && e.actual !== undefined) {
    out.push(c.green(`- expected: ${oneLine(e.expected)}`), c.red(`+ actual:   ${oneLine(e.actual)}`));
  }
  const at = e.stack?.split('\n').find((l) => /^\s*at /.test(l) && !l.includes('node_modules') && !l.includes('node:'));
  if (at) out.push(c.dim(at.trim()));
  return out;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s*\n\s*/g, ' ');
  return flat.length > 160 ? flat.slice(0, 157) + '…' : flat;
}

function indent(lines: string[], n: number): string[] {
  return lines.map((l) => ' '.repeat(n) + l);
}

const TIER_ORDER = ['ok', 'warning', 'critical', 'emergency', 'terminal'];
function rank(t: string | undefined): number {
  return t === undefined ? -1 : TIER_ORDER.indexOf(t);
}

export function tierColor(tier: string, c: Colors = pc): string {
  if (tier === 'ok') return c.green(tier);
  if (tier === 'warning') return c.yellow(tier);
  return c.red(tier);
}
