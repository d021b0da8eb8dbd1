// The extension bench (entry: bench/extension.mjs, which documents what it measures). Each step
// logs to stderr; the table goes to stdout and to bench/results/extension.{json,md}.
import { execFileSync, spawn } from 'node:child_process';
import { cpus, tmpdir, totalmem } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { formatBytes } from '../../src/core/format';
import { cleanEnv, CODE_SERVER_VERSION, startCodeServer, type CodeServer } from '../../test/e2e/code-server';
import { packageVsix } from '../../test/e2e/support';
import { launchBrowser, openWorkbench, redlineStatusItem, runCommand, webview, type Browser } from '../../test/e2e/workbench';
import { IS_MEMORY_PANEL, INIT_SCRIPT, MESSAGE_COUNTER, READ_MESSAGES, READ_PAGE_RECORDS, RUNNING_EXTENSIONS, type MessageRecord, type PageRecords } from './page';
import { heapAfterGc, heapHistogram, heapUsage, histogramGrowth, type HeapFigures, type Histogram } from './inspect';
import { coresBetween, cpuReading, load, MB, MemorySampler, processTable, roles, treeOf, rss, type MemorySample } from './proc';
import { bins, max, median, slidingMax, within } from './stats';

// ---------------------------------------------------------------------------------------------
// Targets (issue 6)

const TARGET = {
  activationMs: 100,
  extHostGrowthMB: 50,
  minTests: 5000,
  /** State messages a second: the panels' throttle allows 20; +1 for delivery jitter at a window's edge. */
  stateMessagesPerSecond: 21,
  statusChangesPerSecond: 1,
} as const;

interface Options {
  readonly files: number;
  readonly starts: number;
  readonly vsix?: string;
  readonly plain: boolean;
  readonly render: boolean;
  readonly keep: boolean;
  /** Read the extension host's JS heap through its inspector (before the run without GC, after with). */
  readonly heap: boolean;
  /** Heap snapshots before (after a GC, which moves the "before" RSS) and after the run: where the heap grew. */
  readonly snapshots: boolean;
  /** Runs after the measured one, over edited files. */
  readonly repeat: number;
}

function parseArgs(argv: readonly string[]): Options {
  let files = 700;
  let starts = 3;
  let vsix: string | undefined;
  let plain = true;
  let render = true;
  let keep = false;
  let heap = true;
  let snapshots = false;
  let repeat = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--files') files = Number(value());
    else if (arg === '--starts') starts = Number(value());
    else if (arg === '--vsix') vsix = value();
    else if (arg === '--no-plain') plain = false;
    else if (arg === '--no-render') render = false;
    else if (arg === '--keep') keep = true;
    else if (arg === '--no-heap') heap = false;
    else if (arg === '--heap-snapshots') snapshots = true;
    else if (arg === '--repeat') repeat = Number(value());
    else throw new Error(`unknown option ${arg}; usage: node bench/extension.mjs [--files N] [--starts N] [--vsix FILE] [--no-plain] [--no-render] [--no-heap] [--heap-snapshots] [--repeat N] [--keep]`);
  }
  if (!Number.isInteger(files) || files < 1) throw new Error(`--files must be a positive integer`);
  if (!Number.isInteger(starts) || starts < 1) throw new Error(`--starts must be a positive integer`);
  if (!Number.isInteger(repeat) || repeat < 0) throw new Error(`--repeat must be a whole number`);
  return { files, starts, plain, render, keep, heap: heap || snapshots, snapshots, repeat, ...(vsix ? { vsix } : {}) };
}

const t0 = Date.now();
function say(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Logs of a code-server run

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    try {
      if (statSync(path).isDirectory()) out.push(...walk(path));
      else out.push(path);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

function newestLog(server: CodeServer, name: RegExp): string {
  const files = walk(join(server.userDataDir, 'logs')).filter((f) => name.test(f));
  const newest = files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  return newest ? readFileSync(newest, 'utf8') : '';
}

const redlineLog = (server: CodeServer): string => newestLog(server, /[/\\]Redline\.log$/);
const extHostLog = (server: CodeServer): string => newestLog(server, /[/\\]remoteexthost\.log$/);

/** The time stamp of the first line matching `pattern` (VS Code's log format, local time). */
function logTime(log: string, pattern: RegExp): number | undefined {
  for (const line of log.split('\n')) {
    if (!pattern.test(line)) continue;
    const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
    if (m) return new Date(`${m[1]}T${m[2]}`).getTime();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// 1. Activation

interface StartFigures {
  readonly start: number;
  readonly load: string;
  /** "Redline activated in N ms" (its constructor's own clock). */
  readonly ownMs: number;
  /** Developer: Show Running Extensions (code loading + activate call), and its label. */
  readonly vscodeMs?: number;
  readonly vscodeText?: string;
  /** Exthost log "_doActivateExtension redline.redline" to Redline's "activated" log line. */
  readonly logGapMs?: number;
  readonly activationEvent?: string;
  /** ms after navigation start: workbench element, status bar part, Redline's item. */
  readonly navToWorkbenchMs?: number;
  readonly navToStatusBarMs?: number;
  readonly navToItemMs?: number;
  readonly statusBarToItemMs?: number;
  /** Runner processes 3 s after activation, before anything asked for tests. */
  readonly runnersAtActivation: number;
  readonly otherExtensions: ReadonlyArray<{ readonly name: string; readonly text: string; readonly ms?: number }>;
}

interface Session {
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly page: Page;
}

const cleanups: Array<() => Promise<void>> = [];

async function openSession(vsix: string, workspace: string): Promise<Session> {
  const server = await startCodeServer({ label: 'bench', vsix: [vsix] });
  const browser = await launchBrowser();
  const session = { server, browser, page: browser.page };
  cleanups.push(async () => {
    await browser.close();
    await server.stop();
  });
  await browser.page.addInitScript({ content: INIT_SCRIPT });
  await openWorkbench(browser.page, server, workspace);
  return session;
}

async function closeSession(session: Session): Promise<void> {
  await session.browser.close();
  await session.server.stop();
}

async function runningExtensions(page: Page): Promise<Array<[string, string]>> {
  await runCommand(page, 'Developer: Show Running Extensions');
  await page.locator('.runtime-extensions-editor .monaco-list-row').first().waitFor({ timeout: 30_000 });
  const seen = new Map<string, string>();
  // A virtual list: rows out of view are not in the DOM, so scroll until Redline's has a time.
  for (let i = 0; i < 20; i++) {
    const rows = (await page.evaluate(RUNNING_EXTENSIONS)) as Array<[string, string]>;
    for (const [name, text] of rows) seen.set(name, text);
    if (/\d+\s*ms/.test(seen.get('Redline') ?? '')) break;
    if (seen.has('Redline')) await sleep(250);
    else {
      await page.locator('.runtime-extensions-editor').first().hover();
      await page.mouse.wheel(0, 400);
      await sleep(150);
    }
  }
  await runCommand(page, 'View: Close All Editors');
  return [...seen];
}

async function activationStart(index: number, vsix: string, workspace: string): Promise<{ figures: StartFigures; session: Session }> {
  const loadAt = load();
  const session = await openSession(vsix, workspace);
  const { server, page } = session;
  await redlineStatusItem(page).waitFor({ timeout: 60_000 });
  const activated = await until('"Redline activated in N ms" in Redline.log', 30_000, () => /Redline activated in (\d+) ms/.exec(redlineLog(server)) ?? undefined);
  const records = (await page.evaluate(READ_PAGE_RECORDS)) as PageRecords;
  // Nothing heavy before it is needed: no runner until something asks for tests.
  await sleep(3000);
  const runnersAtActivation = roles(server.pid).runner !== undefined ? 1 : 0;
  const rows = await runningExtensions(page);
  const ext = extHostLog(server);
  const doActivate = logTime(ext, /_doActivateExtension redline\.redline\b/);
  const done = logTime(redlineLog(server), /Redline activated in/);
  const event = /_doActivateExtension redline\.redline, [^\n]*activationEvent: '([^']*)'/.exec(ext)?.[1];
  const msOf = (text: string): number | undefined => {
    const m = /(\d+)\s*ms/.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const own = rows.find(([name]) => name === 'Redline');
  const { marks } = records;
  const figures: StartFigures = {
    start: index + 1,
    load: loadAt,
    ownMs: Number(activated[1]),
    ...(own ? { vscodeText: own[1], ...(msOf(own[1]) !== undefined ? { vscodeMs: msOf(own[1])! } : {}) } : {}),
    ...(doActivate !== undefined && done !== undefined ? { logGapMs: done - doActivate } : {}),
    ...(event ? { activationEvent: event } : {}),
    ...(marks.workbench !== undefined ? { navToWorkbenchMs: marks.workbench } : {}),
    ...(marks.statusbar !== undefined ? { navToStatusBarMs: marks.statusbar } : {}),
    ...(marks.item !== undefined ? { navToItemMs: marks.item } : {}),
    ...(marks.item !== undefined && marks.statusbar !== undefined ? { statusBarToItemMs: marks.item - marks.statusbar } : {}),
    runnersAtActivation,
    otherExtensions: rows.filter(([name]) => name !== 'Redline').map(([name, text]) => ({ name, text, ...(msOf(text) !== undefined ? { ms: msOf(text)! } : {}) })),
  };
  say(
    `start ${index + 1}: Redline's own ${figures.ownMs} ms, VS Code ${figures.vscodeText ?? '?'}, log gap ${figures.logGapMs ?? '?'} ms, ` +
      `status bar → item ${figures.statusBarToItemMs?.toFixed(0) ?? '?'} ms (navigation → item ${figures.navToItemMs?.toFixed(0) ?? '?'} ms), runners ${runnersAtActivation}, load ${loadAt}`,
  );
  return { figures, session };
}

// ---------------------------------------------------------------------------------------------
// 2 + 3. A run of the whole workspace in the editor

interface RunFigures {
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly discoveryMs: number;
  readonly discoveredFiles: number;
  readonly wallMs: number;
  readonly runStartLagMs: number;
  readonly tests?: {
    readonly total: number;
    readonly passed: number;
    readonly files: number;
    readonly filesPassed: number;
    readonly filesFailed: number;
    readonly durationMs: number;
    readonly peakBytes: number;
    readonly limitBytes: number;
  };
  readonly testExplorerSummary?: string;
  readonly extHost: { readonly pid?: number; readonly beforeMB: number; readonly peakMB: number; readonly afterMB: number; readonly growthMB: number; readonly afterGrowthMB: number; readonly peakAtS: number };
  readonly heap?: { readonly before: HeapFigures | { error: string }; readonly after: HeapFigures | { error: string } };
  readonly repeats: RepeatFigures[];
  /** Cores used from the click to the end of the run, by role (and the machine's other load). */
  readonly cores: Record<string, number>;
  readonly heapGrowth?: Array<{ name: string; count: number; bytes: number }> | { error: string };
  readonly runnerPeakMB: number;
  readonly runnerBeforeMB: number;
  readonly treePeakMB: number;
  readonly treePeakProcesses: number;
  readonly samples: number;
  readonly sampleRateHz: number;
  readonly messages: {
    readonly total: number;
    readonly slidingMax: number;
    readonly binMax: number;
    readonly meanPerS: number;
    readonly distinctSamples: number;
    readonly distinctSamplesPerS: number;
    readonly atRest: number;
    readonly other: number;
  };
  readonly statusBar: {
    readonly changes: number;
    readonly meanPerS: number;
    readonly binMin: number;
    readonly binMax: number;
    readonly zeroBins: number;
    readonly bins: number;
    readonly zeroBinsFromFirstSample: number;
    readonly binsFromFirstSample: number;
    readonly firstSampleAfterS: number;
    readonly atRest: number;
    /** Text changes in the first second after the run (the rest state: expected one, to the peak). */
    readonly settling: number;
    readonly restTexts: string[];
    readonly finalText: string | null;
    readonly finalStyles: string;
    readonly expectedRestText?: string;
    readonly mutationsPerSMean: number;
  };
  readonly timeline: { readonly click: number; readonly running: number; readonly end: number; readonly firstSample?: number };
  readonly raw: { readonly messages: MessageRecord[]; readonly status: PageRecords['status']; readonly memory: MemorySample[] };
}

async function memoryFrame(page: Page): Promise<Frame> {
  return until('the Memory panel frame', 30_000, async () => {
    for (const frame of page.frames()) {
      if (!/\/fake\.html/.test(frame.url())) continue;
      if (await frame.evaluate(IS_MEMORY_PANEL).catch(() => false)) return frame;
    }
    return undefined;
  });
}

/** The first array under `key` anywhere in a parsed store document (an envelope around the payload). */
function findArray(node: unknown, key: string): unknown[] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const value = (node as Record<string, unknown>)[key];
  if (Array.isArray(value)) return value;
  for (const child of Object.values(node)) {
    const found = findArray(child, key);
    if (found) return found;
  }
  return undefined;
}

/** Tests in the file reports the run stored in .redline/cache.json (a fresh workspace: this run's only). */
function reportedTests(workspace: string): { total: number; passed: number; files: number } | undefined {
  const file = join(workspace, '.redline', 'cache.json');
  if (!existsSync(file)) return undefined;
  const entries = (findArray(JSON.parse(readFileSync(file, 'utf8')), 'entries') ?? []) as Array<{ report?: { tests?: Array<{ state?: string }> } }>;
  const tests = entries.flatMap((e) => e.report?.tests ?? []);
  return { total: tests.length, passed: tests.filter((t) => t.state === 'passed').length, files: entries.length };
}

/** The run's entry in .redline/runs.json (an envelope around { runs: [...] }). */
function lastRun(workspace: string): RunFigures['tests'] | undefined {
  const file = join(workspace, '.redline', 'runs.json');
  if (!existsSync(file)) return undefined;
  const runs = findArray(JSON.parse(readFileSync(file, 'utf8')), 'runs');
  const run = runs?.at(-1) as
    | { durationMs: number; summary: Record<string, number>; memory: { peakBytes: number; limitBytes: number } }
    | undefined;
  if (!run) return undefined;
  // The summary counts files (passed, failed, broken… files); the tests come from the file reports.
  const s = run.summary;
  const reported = reportedTests(workspace);
  return {
    total: reported?.total ?? NaN,
    passed: reported?.passed ?? NaN,
    files: s.files ?? 0,
    filesPassed: s.passed ?? 0,
    filesFailed: (s.failed ?? 0) + (s.broken ?? 0) + (s.stopped ?? 0),
    durationMs: run.durationMs,
    peakBytes: run.memory.peakBytes,
    limitBytes: run.memory.limitBytes,
  };
}

/** The run's start and end as the Memory panel saw them: its runner state turning `running`, then not. */
async function awaitRunEnd(server: CodeServer, frame: Frame, sampler: MemorySampler, click: number, timeoutMs: number): Promise<{ running: number; end: number }> {
  let running: number | undefined;
  let end: number | undefined;
  let lastLog = Date.now();
  const deadline = Date.now() + timeoutMs;
  while (end === undefined) {
    const msgs = (await frame.evaluate(READ_MESSAGES)) as MessageRecord[];
    for (const [t, kind, state] of msgs) {
      if (kind !== 'memory' || t < click) continue;
      if (running === undefined && state === 'running') running = t;
      else if (running !== undefined && state !== 'running' && t > running) {
        end = t;
        break;
      }
    }
    if (end !== undefined && running !== undefined) return { running, end };
    if (Date.now() > deadline) throw new Error(`the run did not end within ${Math.round(timeoutMs / 1000)} s (${msgs.length} state messages; running since ${running ?? 'never'})\n${redlineLog(server).slice(-3000)}`);
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      const r = sampler.samples.at(-1);
      say(`  running ${((Date.now() - click) / 1000).toFixed(0)} s: ${msgs.length} state messages, extension host ${((r?.extHost ?? 0) / MB).toFixed(1)} MB, test tree ${((r?.tree ?? 0) / MB).toFixed(0)} MB in ${r?.treeProcesses ?? 0} processes, load ${load()}`);
    }
    await sleep(250);
  }
  throw new Error('unreachable');
}

/**
 * Further runs after the measured one, each over edited test files (a comment appended: new
 * content hashes, so nothing comes from Redline's cache): does the extension host keep growing
 * run after run, or was the first run's growth the test items it now holds?
 */
async function repeatRuns(session: Session, workspace: string, frame: Frame, count: number, timeoutMs: number, opts: Options, work: string, histogram?: Histogram): Promise<RepeatFigures[]> {
  const out: RepeatFigures[] = [];
  let previous = histogram;
  for (let i = 0; i < count; i++) {
    for (const file of walk(join(workspace, 'test'))) if (file.endsWith('.test.js')) writeFileSync(file, `${readFileSync(file, 'utf8')}// edit ${i + 2}\n`);
    const sampler = new MemorySampler(session.server.pid);
    sampler.start();
    try {
      await sleep(3000);
      const baseFrom = Date.now();
      await sleep(3000);
      const before = sampler.between(baseFrom, Date.now());
      const loadBefore = load();
      say(`run ${i + 2}: Redline: Run All Tests (test files edited)`);
      const click = Date.now();
      await runCommand(session.page, 'Redline: Run All Tests');
      const { end } = await awaitRunEnd(session.server, frame, sampler, click, timeoutMs);
      await sleep(Math.max(0, end + 6500 - Date.now()));
      sampler.stop();
      const during = sampler.between(click, end + 6000);
      const after = sampler.between(end + 1000, end + 6000);
      const extPid = sampler.roles.extHost;
      let heap = opts.heap && extPid !== undefined && !opts.snapshots ? await heapAfterGc(extPid) : undefined;
      let growth: RepeatFigures['heapGrowth'];
      if (opts.snapshots && extPid !== undefined) {
        const h = await heapHistogram(extPid, join(work, `heap-run-${i + 2}.json`));
        heap = 'error' in h ? h : h.figures;
        if (!('error' in h)) {
          if (previous) growth = histogramGrowth(previous, h.histogram, 25);
          previous = h.histogram;
        }
      }
      const figures: RepeatFigures = {
        run: i + 2,
        wallMs: end - click,
        beforeMB: median(before.map((s) => s.extHost)) / MB,
        peakMB: max(during.map((s) => s.extHost)) / MB,
        afterMB: median(after.map((s) => s.extHost)) / MB,
        ...(heap ? { heapAfterGc: heap } : {}),
        ...(growth ? { heapGrowth: growth } : {}),
        load: `${loadBefore} → ${load()}`,
      };
      say(`run ${i + 2}: ${(figures.wallMs / 1000).toFixed(1)} s; extension host ${figures.beforeMB.toFixed(1)} → peak ${figures.peakMB.toFixed(1)} → ${figures.afterMB.toFixed(1)} MB${heap && !('error' in heap) ? `; heap after GC ${heap.heapUsedMB.toFixed(1)} MB` : ''}`);
      out.push(figures);
    } finally {
      sampler.stop();
    }
  }
  return out;
}

interface RepeatFigures {
  readonly run: number;
  readonly wallMs: number;
  readonly beforeMB: number;
  readonly peakMB: number;
  readonly afterMB: number;
  readonly heapAfterGc?: HeapFigures | { error: string };
  /** With --heap-snapshots: where the heap grew since the previous run. */
  readonly heapGrowth?: Array<{ name: string; count: number; bytes: number }>;
  readonly load: string;
}

async function runPhase(session: Session, workspace: string, timeoutMs: number, opts: Options, work: string): Promise<RunFigures> {
  const { server, page } = session;
  const sampler = new MemorySampler(server.pid);
  sampler.start();
  try {
    // The Test Explorer asks for its items: the runner starts and discovers the files.
    say('opening the Test Explorer (discovery)');
    const discoverFrom = Date.now();
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    await page.locator('.test-explorer').first().waitFor({ timeout: 30_000 });
    const discovered = await until('"Test Explorer: N test files" in Redline.log', 180_000, () => /Test Explorer: (\d+) test files/.exec(redlineLog(server)) ?? undefined, 250);
    const discoveryMs = Date.now() - discoverFrom;
    say(`discovery: ${discovered[1]} files in ${(discoveryMs / 1000).toFixed(1)} s`);

    say('opening the Memory panel');
    await runCommand(page, 'Redline: Show Memory');
    // Attached, not visible: before any run the panel's heading is in a hidden section.
    await webview(page).getByText('Memory over time').first().waitFor({ state: 'attached', timeout: 60_000 });
    const frame = await memoryFrame(page);
    await frame.evaluate(MESSAGE_COUNTER);

    let histogramBefore: Histogram | { error: string } | undefined;
    if (opts.snapshots && sampler.roles.extHost !== undefined) {
      say('heap snapshot of the extension host before the run');
      const h = await heapHistogram(sampler.roles.extHost, join(work, 'heap-before.json'));
      histogramBefore = 'error' in h ? h : h.histogram;
    }
    await sleep(2000);
    const baseFrom = Date.now();
    await sleep(3000);
    const before = sampler.between(baseFrom, Date.now());
    const extPid = sampler.roles.extHost;
    const heapBefore = opts.heap && extPid !== undefined ? await heapUsage(extPid) : undefined;
    if (heapBefore) say(`extension host heap before the run (no GC): ${'error' in heapBefore ? heapBefore.error : `${heapBefore.heapUsedMB.toFixed(1)} MB used of ${heapBefore.heapTotalMB.toFixed(1)} MB`}`);
    say(`before the run: extension host ${(median(before.map((s) => s.extHost)) / MB).toFixed(1)} MB (pid ${extPid}), runner ${(median(before.map((s) => s.runner)) / MB).toFixed(1)} MB, load ${load()}`);

    const loadBefore = load();
    say('Redline: Run All Tests');
    const cpuStart = cpuReading(server.pid, process.pid);
    const click = Date.now();
    await runCommand(page, 'Redline: Run All Tests');
    const { running, end } = await awaitRunEnd(server, frame, sampler, click, timeoutMs);
    const cores = coresBetween(cpuStart, cpuReading(server.pid, process.pid));
    say(`run over after ${((end - click) / 1000).toFixed(1)} s; 6 s at rest`);
    await sleep(Math.max(0, end + 6500 - Date.now()));
    const loadAfter = load();
    sampler.stop();
    // After the RSS figures: a full GC in the extension host, then what its heap still holds.
    let heapAfter: HeapFigures | { error: string } | undefined;
    let heapGrowth: RunFigures['heapGrowth'];
    let histogramAfter: Histogram | undefined;
    if (extPid !== undefined && opts.snapshots) {
      say('heap snapshot of the extension host after the run');
      const h = await heapHistogram(extPid, join(work, 'heap-after.json'));
      heapAfter = 'error' in h ? h : h.figures;
      if (!('error' in h)) histogramAfter = h.histogram;
      if ('error' in h) heapGrowth = h;
      else if (histogramBefore && 'error' in histogramBefore) heapGrowth = histogramBefore as { error: string };
      else if (histogramBefore) heapGrowth = histogramGrowth(histogramBefore as Histogram, h.histogram, 25);
    } else if (extPid !== undefined && opts.heap) heapAfter = await heapAfterGc(extPid);
    if (heapAfter) say(`extension host heap after the run, after GC: ${'error' in heapAfter ? heapAfter.error : `${heapAfter.heapUsedMB.toFixed(1)} MB used of ${heapAfter.heapTotalMB.toFixed(1)} MB, RSS ${heapAfter.rssMB.toFixed(1)} MB`}`);

    const messages = ((await frame.evaluate(READ_MESSAGES)) as MessageRecord[]).filter((m) => m[0] >= click);
    const records = (await page.evaluate(READ_PAGE_RECORDS)) as PageRecords;
    const summary = await page
      .locator('.test-explorer .result-summary')
      .first()
      .innerText({ timeout: 5000 })
      .then((t) => t.replace(/\s+/g, ' ').trim())
      .catch(() => undefined);
    const tests = lastRun(workspace);

    // Memory.
    const during = sampler.between(click, end + 1);
    const after = sampler.between(end + 1000, end + 6000);
    const beforeMB = median(before.map((s) => s.extHost)) / MB;
    const peak = during.reduce((a, b) => (b.extHost > a.extHost ? b : a), during[0]!);
    const peakMB = Math.max(peak.extHost, ...after.map((s) => s.extHost)) / MB;
    const afterMB = median(after.map((s) => s.extHost)) / MB;
    const all = sampler.samples;
    const spanS = (all.at(-1)!.t - all[0]!.t) / 1000;

    // UI updates.
    const runMsgs = messages.filter((m) => m[1] === 'memory' && m[0] >= running! && m[0] <= end!);
    const runS = (end - running) / 1000;
    const sampleTimes = new Set(runMsgs.map((m) => m[3]).filter((v): v is number => v !== null && v >= click));
    const firstSample = messages.find((m) => m[3] !== null && m[3] >= click)?.[0];
    const restFrom = end + 1000;
    const restTo = end + 6000;

    const status = records.status;
    const textChanges: number[] = [];
    for (let i = 1; i < status.length; i++) if (status[i]![1] !== status[i - 1]![1]) textChanges.push(status[i]![0]);
    const runChanges = within(textChanges, running, end);
    const statusBins = bins(runChanges, running, end);
    const fromSample = firstSample !== undefined ? bins(runChanges, firstSample, end) : [];
    const restChanges = within(textChanges, restFrom, restTo);
    const restTexts = status.filter((s) => s[0] >= end - 1000 && s[0] < restTo).map((s) => `${((s[0] - end) / 1000).toFixed(2)} s: ${s[1]} [${s[2]}]`);
    const final = status.at(-1);
    const mutations = within(records.mutations, running, end);
    say(`cores used during the run: ${Object.entries(cores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
    const repeats = opts.repeat > 0 ? await repeatRuns(session, workspace, frame, opts.repeat, timeoutMs, opts, work, histogramAfter) : [];
    return {
      repeats,
      cores,
      loadBefore,
      loadAfter,
      discoveryMs,
      discoveredFiles: Number(discovered[1]),
      wallMs: end - click,
      runStartLagMs: running - click,
      ...(tests ? { tests } : {}),
      ...(summary ? { testExplorerSummary: summary } : {}),
      extHost: { ...(extPid !== undefined ? { pid: extPid } : {}), beforeMB, peakMB, afterMB, growthMB: peakMB - beforeMB, afterGrowthMB: afterMB - beforeMB, peakAtS: (peak.t - click) / 1000 },
      ...(heapBefore && heapAfter ? { heap: { before: heapBefore, after: heapAfter } } : {}),
      ...(heapGrowth ? { heapGrowth } : {}),
      runnerBeforeMB: median(before.map((s) => s.runner)) / MB,
      runnerPeakMB: max(during.map((s) => s.runner)) / MB,
      treePeakMB: max(during.map((s) => s.tree)) / MB,
      treePeakProcesses: max(during.map((s) => s.treeProcesses)),
      samples: all.length,
      sampleRateHz: all.length / spanS,
      messages: {
        total: runMsgs.length,
        slidingMax: slidingMax(runMsgs.map((m) => m[0])),
        binMax: max(bins(runMsgs.map((m) => m[0]), running, end)),
        meanPerS: runMsgs.length / runS,
        distinctSamples: sampleTimes.size,
        distinctSamplesPerS: sampleTimes.size / runS,
        atRest: messages.filter((m) => m[0] >= restFrom && m[0] < restTo).length,
        other: messages.filter((m) => m[1] !== 'memory').length,
      },
      statusBar: {
        changes: runChanges.length,
        meanPerS: runChanges.length / runS,
        binMin: statusBins.length ? Math.min(...statusBins) : NaN,
        binMax: statusBins.length ? Math.max(...statusBins) : NaN,
        zeroBins: statusBins.filter((n) => n === 0).length,
        bins: statusBins.length,
        zeroBinsFromFirstSample: fromSample.filter((n) => n === 0).length,
        binsFromFirstSample: fromSample.length,
        firstSampleAfterS: firstSample !== undefined ? (firstSample - running) / 1000 : NaN,
        atRest: restChanges.length,
        settling: within(textChanges, end - 500, restFrom).length,
        restTexts,
        finalText: final?.[1] ?? null,
        finalStyles: final?.[2] ?? '',
        ...(tests ? { expectedRestText: `$(pulse) ${formatBytes(tests.peakBytes)} / ${formatBytes(tests.limitBytes)}` } : {}),
        mutationsPerSMean: mutations.length / runS,
      },
      timeline: { click, running, end, ...(firstSample !== undefined ? { firstSample } : {}) },
      raw: { messages, status, memory: all },
    };
  } finally {
    sampler.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Plain Vitest, and the workspace

interface PlainFigures {
  readonly wallMs: number;
  /** Cores the whole machine was busy during the run (Vitest's tree and anything else). */
  readonly machineCores: number;
  readonly tests?: number;
  readonly files?: number;
  readonly treePeakMB: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly exitCode: number | null;
}

async function plainVitest(workspace: string, timeoutMs: number): Promise<PlainFigures> {
  const loadBefore = load();
  const started = Date.now();
  const child = spawn('npx', ['vitest', 'run'], { cwd: workspace, env: cleanEnv({ CI: '1' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let peak = 0;
  const machineAt = (): number => {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return v.reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0);
  };
  const busyStart = machineAt();
  const timer = setInterval(() => {
    if (child.pid === undefined) return;
    const total = treeOf(processTable(), child.pid).reduce((n, pid) => n + rss(pid), 0);
    peak = Math.max(peak, total);
  }, 200);
  const killer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone.
    }
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(timer);
  clearTimeout(killer);
  const wallMs = Date.now() - started;
  // Cores the machine was busy: the Vitest tree and whatever else ran meanwhile.
  const machineCores = (machineAt() - busyStart) / 100 / (wallMs / 1000);
  const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
  const tests = /Tests\s+(\d+) passed/.exec(plain)?.[1];
  const files = /Test Files\s+(\d+) passed/.exec(plain)?.[1];
  if (exitCode !== 0) say(`plain vitest exited ${exitCode}:\n${plain.slice(-2000)}`);
  return { wallMs, machineCores, ...(tests ? { tests: Number(tests) } : {}), ...(files ? { files: Number(files) } : {}), treePeakMB: peak / MB, loadBefore, loadAfter: load(), exitCode };
}

/** Tests in the generated files, and how many repeat the name of an earlier test in their file. */
function countTests(workspace: string): { tests: number; duplicates: number } {
  let tests = 0;
  let duplicates = 0;
  for (const file of walk(join(workspace, 'test'))) {
    if (!file.endsWith('.test.js')) continue;
    const names = [...readFileSync(file, 'utf8').matchAll(/^\s+test\((['"])(.*?)\1/gm)].map((m) => m[2]);
    tests += names.length;
    duplicates += names.length - new Set(names).size;
  }
  return { tests, duplicates };
}

// ---------------------------------------------------------------------------------------------
// 4. The phase tree render bench

interface RenderFigures {
  readonly exitCode: number | null;
  readonly summary: string;
  readonly output: string;
  readonly load: string;
}

async function renderBench(root: string): Promise<RenderFigures> {
  const loadAt = load();
  const child = spawn(process.execPath, [join(root, 'bench', 'webview-render.mjs')], { cwd: root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  // Rows: "<scenario>  <median> ms  <p95> ms  <max> ms  ok|OVER 200 ms|info".
  const rows = out
    .split('\n')
    .map((line) => /^(.+?)\s{2,}([\d.]+) ms\s+([\d.]+) ms\s+([\d.]+) ms\s+(ok|OVER \d+ ms|info)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!.trim(), median: Number(m[2]), p95: Number(m[3]), verdict: m[5]! }));
  const gated = rows.filter((r) => r.verdict !== 'info');
  const worst = gated.reduce<(typeof gated)[number] | undefined>((a, b) => (!a || b.p95 > a.p95 ? b : a), undefined);
  const header = /TDD phases panel[^\n]*/.exec(out)?.[0] ?? '';
  const summary = worst
    ? `${gated.filter((r) => r.verdict === 'ok').length}/${gated.length} scenarios under 200 ms; slowest p95: ${worst.name} — median ${worst.median.toFixed(1)} ms, p95 ${worst.p95.toFixed(1)} ms (${header.trim()})`
    : `no figures (exit ${exitCode}): ${out.trim().split('\n').slice(-3).join(' | ')}`;
  return { exitCode, summary, output: out.trim(), load: `${loadAt} → ${load()}` };
}

// ---------------------------------------------------------------------------------------------
// Report

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly baseline: string;
  readonly target: string;
  readonly ok: boolean | undefined;
  /** False: a check of behaviour the bench saw, reported but not one of the issue's targets. */
  readonly gate?: boolean;
  readonly load: string;
}

const f1 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(1));
const f2 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(2));
const f0 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(0));
const list = (values: readonly (number | undefined)[], digits = 0): string => values.map((v) => (v === undefined ? '?' : v.toFixed(digits))).join(', ');

function verdict(r: Row): string {
  if (r.ok === undefined) return 'info';
  if (r.ok) return '✓';
  return r.gate === false ? '✗ (check, not a target)' : '✗ MISSED';
}

function table(rows: readonly Row[]): string {
  const lines = ['| measure | Redline | baseline | target | result | load avg (1/5/15 min) |', '|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.measure} | ${r.value} | ${r.baseline} | ${r.target} | ${verdict(r)} | ${r.load} |`);
  return lines.join('\n');
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------

export async function main(argv: readonly string[], root: string): Promise<number> {
  const opts = parseArgs(argv);
  if (opts.keep) process.env.REDLINE_E2E_KEEP = '1';
  const stop = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping`);
    void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const command = `node bench/extension.mjs${argv.length ? ` ${argv.join(' ')}` : ''}`;
  const startedAt = new Date();
  const loadStart = load();
  say(`${command} — load ${loadStart}, ${cpus().length} CPUs`);
  const work = mkdtempSync(join(tmpdir(), 'rl-bench-ext-'));
  const workspace = join(work, 'ws');
  let session: Session | undefined;
  let packagedDir: string | undefined;
  try {
    // The workspace: ≥ 5,000 tests.
    execFileSync(process.execPath, [join(root, 'bench', 'gen-suite.mjs'), workspace, '--files', String(opts.files)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const { tests: generated, duplicates } = countTests(workspace);
    say(`workspace: ${opts.files} files, ${generated} tests, ${duplicates} with the name of another test in their file (${workspace})`);

    say(opts.vsix ? `vsix: ${opts.vsix}` : 'npm run package (the .vsix, in a copy of the checkout)');
    const vsixStarted = Date.now();
    const vsix = opts.vsix ?? packageVsix();
    // packageVsix leaves its output folder in the temp dir: ours goes with the bench's.
    if (!opts.vsix && /[/\\]rl-vsix-out-[^/\\]+$/.test(dirname(vsix))) packagedDir = dirname(vsix);
    say(`vsix ${vsix} (${((Date.now() - vsixStarted) / 1000).toFixed(1)} s)`);

    // Plain Vitest first, with nothing else of ours running; then its caches go, so Redline's
    // Vitest starts from the same state.
    let plain: PlainFigures | undefined;
    if (opts.plain) {
      say('plain Vitest: npx vitest run');
      plain = await plainVitest(workspace, 15 * 60_000);
      rmSync(join(workspace, '.cache'), { recursive: true, force: true });
      say(`plain Vitest: ${(plain.wallMs / 1000).toFixed(1)} s, ${plain.tests ?? '?'} tests, exit ${plain.exitCode}, load ${plain.loadBefore} → ${plain.loadAfter}`);
    }

    // Activation: fresh code-servers (profile, extensions folder, extension host); the last one
    // stays for the run.
    const starts: StartFigures[] = [];
    for (let i = 0; i < opts.starts; i++) {
      const { figures, session: s } = await activationStart(i, vsix, workspace);
      starts.push(figures);
      if (i < opts.starts - 1) await closeSession(s);
      else session = s;
    }

    const runTimeout = Math.max(10 * 60_000, 4 * (plain?.wallMs ?? 0));
    const run = await runPhase(session!, workspace, runTimeout, opts, work);
    say(
      `run: ${run.tests?.total ?? '?'} tests in ${(run.wallMs / 1000).toFixed(1)} s; extension host ${run.extHost.beforeMB.toFixed(1)} → peak ${run.extHost.peakMB.toFixed(1)} → ${run.extHost.afterMB.toFixed(1)} MB; ` +
        `${run.messages.slidingMax} state messages max/s; status bar ${run.statusBar.meanPerS.toFixed(2)} changes/s, ${run.statusBar.atRest} at rest`,
    );
    await closeSession(session!);
    session = undefined;
    cleanups.length = 0;

    const render = opts.render ? await renderBench(root) : undefined;
    if (render) say(`webview-render: exit ${render.exitCode}; ${render.summary}`);

    // ------------------------------------------------------------------ the table
    const own = starts.map((s) => s.ownMs);
    const vsc = starts.map((s) => s.vscodeMs);
    const gaps = starts.map((s) => s.logGapMs);
    const sbToItem = starts.map((s) => s.statusBarToItemMs);
    const navToItem = starts.map((s) => s.navToItemMs);
    const startLoads = starts.map((s) => s.load.split(' ')[0]).join(', ');
    const others = starts.flatMap((s) => s.otherExtensions.filter((e) => e.ms !== undefined && /Startup/.test(e.text)).map((e) => ({ name: e.name, ms: e.ms! })));
    const otherByName = new Map<string, number[]>();
    for (const o of others) otherByName.set(o.name, [...(otherByName.get(o.name) ?? []), o.ms]);
    const otherMedians = [...otherByName].map(([name, ms]) => ({ name, ms: median(ms) })).sort((a, b) => b.ms - a.ms);
    const definedMedian = (values: readonly (number | undefined)[]): number => median(values.filter((v): v is number => v !== undefined));
    const tests = run.tests?.total;
    const runLoad = `${run.loadBefore} → ${run.loadAfter}`;
    const sb = run.statusBar;
    const restOk = sb.atRest === 0;
    const rows: Row[] = [
      {
        measure: `1. Activation, the extension's own work ("Redline activated in N ms"), median of ${starts.length} fresh starts`,
        value: `**${f0(median(own))} ms** (${list(own)})`,
        baseline: `budget ${TARGET.activationMs} ms`,
        target: `< ${TARGET.activationMs} ms`,
        ok: median(own) < TARGET.activationMs,
        load: startLoads,
      },
      {
        measure: '1. Activation as VS Code measures it (code loading + activate call; Developer: Show Running Extensions)',
        value: `${f0(definedMedian(vsc))} ms (${list(vsc)})`,
        baseline: otherMedians.length ? `other extensions activated at startup, same windows: median ${f0(median(otherMedians.map((o) => o.ms)))} ms; ${otherMedians.slice(0, 3).map((o) => `${o.name} ${f0(o.ms)} ms`).join(', ')}` : '—',
        target: '—',
        ok: undefined,
        load: startLoads,
      },
      {
        measure: `1. Exthost log "_doActivateExtension redline.redline" → Redline's "activated" line (event: ${starts[0]?.activationEvent ?? '?'})`,
        value: `${f0(definedMedian(gaps))} ms (${list(gaps)})`,
        baseline: '—',
        target: '—',
        ok: undefined,
        load: startLoads,
      },
      {
        measure: '1. Workbench status bar drawn → Redline\'s status bar item shown (navigation start → item)',
        value: `${f0(definedMedian(sbToItem))} ms (${list(sbToItem)}); navigation → item ${f0(definedMedian(navToItem))} ms`,
        baseline: `navigation → status bar ${f0(definedMedian(starts.map((s) => s.navToStatusBarMs)))} ms`,
        target: '—',
        ok: undefined,
        load: startLoads,
      },
      {
        measure: '1. Runner processes started by activation alone (3 s after, Test Explorer not opened)',
        value: `${starts.map((s) => s.runnersAtActivation).join(', ')}`,
        baseline: '—',
        target: '0 (nothing heavy before it is needed)',
        ok: starts.every((s) => s.runnersAtActivation === 0),
        load: startLoads,
      },
      {
        measure: '2. Tests the run executed (Vitest runs every test of the generated files)',
        value: `${generated} generated; plain Vitest ran ${plain?.tests ?? '—'}`,
        baseline: `${opts.files} files of 5–10 tests (bench/gen-suite.mjs)`,
        target: `≥ ${TARGET.minTests}`,
        ok: generated >= TARGET.minTests && (plain?.tests === undefined || plain.tests >= TARGET.minTests),
        load: runLoad,
      },
      {
        measure: `2. Tests Redline reported for that run (file reports in .redline/cache.json; Test Explorer summary "${run.testExplorerSummary ?? '?'}")`,
        value: `${f0(tests)} (${f0(run.tests?.passed)} passed) in ${run.tests?.files ?? '?'} files (${run.tests?.filesPassed ?? '?'} passed, ${run.tests?.filesFailed ?? '?'} failed/broken/stopped)`,
        baseline: `${generated} tests in the files; ${duplicates} share their full name with another test of their file`,
        target: `= ${generated} (every test Vitest ran)`,
        ok: tests === generated,
        gate: false,
        load: runLoad,
      },
      {
        measure: '2. Extension-host RSS growth during the run (peak − before, 10 Hz)',
        value: `**${f1(run.extHost.growthMB)} MB** (peak ${f1(run.extHost.peakMB)} MB at ${f0(run.extHost.peakAtS)} s)`,
        baseline: `before the run (after discovery, Memory panel open): ${f1(run.extHost.beforeMB)} MB`,
        target: `< ${TARGET.extHostGrowthMB} MB`,
        ok: run.extHost.growthMB < TARGET.extHostGrowthMB,
        load: runLoad,
      },
      {
        measure: '2. Extension-host RSS 1–6 s after the run, against before',
        value: `${f1(run.extHost.afterMB)} MB (${run.extHost.afterGrowthMB >= 0 ? '+' : ''}${f1(run.extHost.afterGrowthMB)} MB)`,
        baseline: `${f1(run.extHost.beforeMB)} MB`,
        target: '—',
        ok: undefined,
        load: runLoad,
      },
      ...(run.heap
        ? [
            {
              measure: '2. Extension-host JS heap: after the run and a full GC (inspector) vs before the run (no GC)',
              value:
                'error' in run.heap.after
                  ? run.heap.after.error
                  : `${f1(run.heap.after.heapUsedMB)} MB used${'error' in run.heap.before ? '' : ` (${run.heap.after.heapUsedMB - run.heap.before.heapUsedMB >= 0 ? '+' : ''}${f1(run.heap.after.heapUsedMB - run.heap.before.heapUsedMB)} MB)`}; RSS after GC ${f1(run.heap.after.rssMB)} MB; external ${f1(run.heap.after.externalMB)} MB`,
              baseline: 'error' in run.heap.before ? run.heap.before.error : `${f1(run.heap.before.heapUsedMB)} MB used, external ${f1(run.heap.before.externalMB)} MB`,
              target: '—',
              ok: undefined,
              load: runLoad,
            } satisfies Row,
          ]
        : []),
      ...run.repeats.map(
        (r) =>
          ({
            measure: `2. Run ${r.run} (test files edited, nothing cached): extension-host RSS before → peak → after${r.heapAfterGc ? '; JS heap after GC' : ''}`,
            value: `${f1(r.beforeMB)} → ${f1(r.peakMB)} → ${f1(r.afterMB)} MB (peak − run 1's before: ${f1(r.peakMB - run.extHost.beforeMB)} MB)${r.heapAfterGc ? `; heap ${'error' in r.heapAfterGc ? r.heapAfterGc.error : `${f1(r.heapAfterGc.heapUsedMB)} MB`}` : ''}; ${f1(r.wallMs / 1000)} s`,
            baseline: `run 1: peak ${f1(run.extHost.peakMB)} MB${run.heap && !('error' in run.heap.after) ? `, heap after GC ${f1(run.heap.after.heapUsedMB)} MB` : ''}`,
            target: '—',
            ok: undefined,
            load: r.load,
          }) satisfies Row,
      ),
      {
        measure: '2. Runner RSS peak; runner + test tree RSS peak (not the extension host)',
        value: `runner ${f1(run.runnerPeakMB)} MB; tree ${f1(run.treePeakMB)} MB (${run.treePeakProcesses} processes)`,
        baseline: `runner before the run ${f1(run.runnerBeforeMB)} MB; plain Vitest tree peak ${f1(plain?.treePeakMB)} MB`,
        target: '—',
        ok: undefined,
        load: runLoad,
      },
      {
        measure: '2. Wall time: Redline: Run All Tests in the editor (palette click → runner idle) vs `npx vitest run` in a terminal',
        value: `${f1(run.wallMs / 1000)} s`,
        baseline: plain ? `plain Vitest ${f1(plain.wallMs / 1000)} s → ratio **${(run.wallMs / plain.wallMs).toFixed(2)}**` : 'not run (--no-plain)',
        target: '—',
        ok: undefined,
        load: plain ? `Redline ${runLoad}; Vitest ${plain.loadBefore} → ${plain.loadAfter}` : runLoad,
      },
      {
        measure: '2. Cores busy during the run, by process (CPU seconds / wall seconds; the machine has 2)',
        value: `runner + Vitest workers ${f2(run.cores.runnerTree)}, extension host ${f2(run.cores.extHost)}, Chromium (workbench, webviews) ${f2(run.cores.chromium)}, rest of code-server ${f2(run.cores.codeServerRest)}, bench ${f2(run.cores.bench)}; anything else ${f2(run.cores.other)}`,
        baseline: plain ? `plain Vitest: the whole machine ${f2(plain.machineCores)} cores busy` : '—',
        target: '—',
        ok: undefined,
        load: runLoad,
      },
      {
        measure: '3. Memory panel: `state` messages its page receives per second during the run',
        value: `**max ${run.messages.slidingMax}** in any 1 s (fixed 1-s bins: ${run.messages.binMax}); mean ${f1(run.messages.meanPerS)}/s`,
        baseline: `distinct memory samples shown: ${f1(run.messages.distinctSamplesPerS)}/s (the runner sends ≤ 10 samples/s)`,
        target: `≤ 20/s (+1 for jitter at a window's edge)`,
        ok: run.messages.slidingMax <= TARGET.stateMessagesPerSecond,
        load: runLoad,
      },
      {
        measure: '3. Status bar item: text changes per second while tests run (1-s bins from the runner going busy to idle)',
        value: `**min ${f0(sb.binMin)}**/s, mean ${f1(sb.meanPerS)}/s, max ${f0(sb.binMax)}/s; seconds with none: ${sb.zeroBins} of ${sb.bins} (from the first memory sample, ${f1(sb.firstSampleAfterS)} s in: ${sb.zeroBinsFromFirstSample} of ${sb.binsFromFirstSample})`,
        baseline: `item DOM updates ${f1(sb.mutationsPerSMean)}/s; the status bar's own throttle: ≤ 4/s`,
        target: `≥ ${TARGET.statusChangesPerSecond} every second`,
        ok: sb.bins > 0 && sb.zeroBins === 0,
        load: runLoad,
      },
      {
        measure: '3. Status bar item at rest: text changes 1–6 s after the run',
        value: `**${sb.atRest}**`,
        baseline: `Memory panel state messages in the same 5 s: ${run.messages.atRest}`,
        target: '0',
        ok: restOk,
        load: runLoad,
      },
      {
        measure: "3. Status bar item once the run is over shows the run's peak (rest colour), not a live sample",
        value: `final "${sb.finalText ?? '(none)'}" [${sb.finalStyles || 'no style'}]; ${sb.settling} text change(s) from 0.5 s before the end to 1 s after`,
        baseline: `the run's peak (.redline/runs.json): "${sb.expectedRestText ?? '?'}"`,
        target: "the peak's text",
        ok: sb.expectedRestText !== undefined && sb.finalText === sb.expectedRestText,
        gate: false,
        load: runLoad,
      },
      ...(render
        ? [
            {
              measure: '4. Phase tree render, 5,000 tests (`node bench/webview-render.mjs`)',
              value: render.summary,
              baseline: 'data → painted frame',
              target: 'median and p95 < 200 ms',
              ok: render.exitCode === 0,
              load: render.load,
            } satisfies Row,
          ]
        : []),
    ];

    const missed = rows.filter((r) => r.ok === false && r.gate !== false);
    const head = git(root, ['rev-parse', '--short', 'HEAD']);
    const dirty = git(root, ['status', '--porcelain']) !== '' ? ' (+ local changes)' : '';
    const header =
      `${startedAt.toISOString()} · commit ${head}${dirty} · code-server ${CODE_SERVER_VERSION} (VS Code 1.100.3) · Chromium (Debian) · Node ${process.versions.node} · ` +
      `${cpus().length} CPUs · ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM · ${((Date.now() - t0) / 1000).toFixed(0)} s · load average ${loadStart} at the start, ${load()} at the end`;
    const method = [
      'Method. Activation: each start is a fresh code-server (new profile and extensions folder, the .vsix installed with `code-server --install-extension`) opened on the generated workspace in a fresh headless Chromium; ' +
        "the extension's own figure is its log line, VS Code's is the Running Extensions editor (code loading + activate call), the status bar figures are `performance.now()` in the page when a MutationObserver first sees the element. " +
        'Memory: RSS from /proc/<pid>/statm every 100 ms of the `--type=extensionHost` process that is the runner\'s parent, of the runner (dist/runner.js), and of the runner\'s whole tree (tree re-walked at 5 Hz, so a worker younger than 200 ms can be missed); ' +
        '"before" is the median of 3 s after discovery with the Memory panel open, "after" the median of 1–6 s after the run. ' +
        "The run starts at the palette click and ends with the first Memory panel state whose runner state is no longer `running`; state messages are counted by a `message` listener in the panel's page (iframe#active-frame), " +
        'status bar changes by a MutationObserver on the status bar part (text changes only; VS Code leaves the DOM alone when an item is set to the same text). ' +
        'Plain Vitest ran first on the same workspace (`npx vitest run`, nothing else of the bench running), then its `.cache` was removed so both runs start cold. ' +
        'Cores: utime+stime from /proc/<pid>/stat at the click and at the end (the runner\'s reaped children included), over the wall time; "anything else" is the machine\'s busy time (/proc/stat) minus these. ' +
        "JS heap: SIGUSR1 opens the extension host's Node inspector; process.memoryUsage() before the run (no GC, after the RSS baseline) and after two full GCs once the RSS figures are taken. MB = 2^20 bytes.",
    ].join('\n');
    const md = [
      '```',
      `$ ${command}`,
      '```',
      '',
      header,
      '',
      table(rows),
      '',
      missed.length ? `**Missed:** ${missed.map((r) => r.measure).join('; ')}` : 'Every target met.',
      '',
      method,
      '',
      ...(render ? ['`node bench/webview-render.mjs`:', '', '```', render.output, '```', ''] : []),
      ...(run.heapGrowth && !('error' in run.heapGrowth)
        ? [
            'Extension-host heap growth by constructor (heap snapshots after a full GC, before vs after the run; `(type)` for strings, arrays, code…):',
            '',
            '| constructor | count | self size |',
            '|---|---:|---:|',
            ...run.heapGrowth.map((g) => `| ${g.name.replace(/\|/g, '\\|')} | ${g.count >= 0 ? '+' : ''}${g.count} | ${g.bytes >= 0 ? '+' : ''}${(g.bytes / MB).toFixed(2)} MB |`),
            '',
          ]
        : []),
      ...run.repeats.flatMap((r) =>
        r.heapGrowth
          ? [
              `Extension-host heap growth by constructor from the end of run ${r.run - 1} to the end of run ${r.run} (after a full GC each):`,
              '',
              '| constructor | count | self size |',
              '|---|---:|---:|',
              ...r.heapGrowth.map((g) => `| ${g.name.replace(/\|/g, '\\|')} | ${g.count >= 0 ? '+' : ''}${g.count} | ${g.bytes >= 0 ? '+' : ''}${(g.bytes / MB).toFixed(2)} MB |`),
              '',
            ]
          : [],
      ),
      'Status bar during the last second of the run and at rest (time after the run ended, text [style attributes]):',
      '',
      '```',
      ...sb.restTexts,
      '```',
      '',
    ].join('\n');

    const results = join(root, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    const { raw, ...runFigures } = run;
    writeFileSync(
      join(results, 'extension.json'),
      JSON.stringify(
        {
          command,
          startedAt: startedAt.toISOString(),
          commit: head + dirty,
          load: { start: loadStart, end: load() },
          cpus: cpus().length,
          options: opts,
          workspace: { files: opts.files, tests: generated, duplicateNames: duplicates },
          starts,
          plain,
          run: runFigures,
          render: render ? { exitCode: render.exitCode, summary: render.summary, load: render.load } : undefined,
          rows,
          missed: missed.map((r) => r.measure),
          raw: {
            messages: raw.messages.map((m) => [m[0] - run.timeline.click, m[1], m[2], m[3] === null ? null : m[3] - run.timeline.click, m[4]]),
            status: raw.status.map((s) => [s[0] - run.timeline.click, s[1], s[2]]),
            memory: raw.memory.map((s) => [s.t - run.timeline.click, +(s.extHost / MB).toFixed(2), +(s.runner / MB).toFixed(2), +(s.tree / MB).toFixed(2), s.treeProcesses]),
            note: 'times in ms from the palette click; memory rows: [t, extension host MB, runner MB, runner tree MB, tree processes]',
          },
        },
        null,
        2,
      ) + '\n',
    );
    writeFileSync(join(results, 'extension.md'), md);
    process.stdout.write(`\n${header}\n\n${table(rows)}\n\n${missed.length ? `MISSED: ${missed.map((r) => r.measure).join('; ')}` : 'Every target met.'}\n`);
    process.stdout.write(`\nbench/results/extension.md, bench/results/extension.json\n`);
    return missed.length ? 1 : 0;
  } finally {
    if (session) await closeSession(session).catch(() => undefined);
    for (const c of cleanups.splice(0)) await c().catch(() => undefined);
    if (packagedDir) rmSync(packagedDir, { recursive: true, force: true });
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    else say(`kept ${work}`);
  }
}
