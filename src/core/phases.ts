// The TDD phase machine (DESIGN.md "TDD phases"): RED → YELLOW → GREEN, with BROKEN for files
// that cannot load. Pure: `transition` takes the state and one event and returns the next state
// plus the effects a host reports to the user; the caller persists the state through the store.
import type { TestState } from '../protocol/report';

/** Ordered from best to worst: a roll-up shows its worst child. */
export const PHASES = ['GREEN', 'YELLOW', 'RED', 'BROKEN'] as const;
export type Phase = (typeof PHASES)[number];

/** How many phase changes each test keeps; older ones fall off so the state stays small. */
export const HISTORY_LIMIT = 20;

/** Separator between describe blocks and the test name in a Vitest full name. */
export const NAME_SEPARATOR = ' > ';

export interface PhaseChange {
  readonly phase: Phase;
  /** Epoch milliseconds. */
  readonly at: number;
}

export interface TestRecord {
  /** Describe blocks and the test name joined with " > ", without the file: the key in a file. */
  readonly fullName: string;
  /** The test's own name (the last part of fullName, kept because a name may contain " > "). */
  readonly name: string;
  readonly phase: Phase;
  /** Passed on its first run and has never been seen failing since (test-after). */
  readonly neverFailed: boolean;
  /** When the test entered its current phase, epoch milliseconds. */
  readonly since: number;
  /**
   * The phase the test had when its file broke; present only while it is BROKEN. A BROKEN test
   * tells nothing about the code under test, so the phase before it is what a pass returns to.
   */
  readonly beforeBroken?: Exclude<Phase, 'BROKEN'>;
  /** The last HISTORY_LIMIT phase changes, oldest first, the current phase last. */
  readonly history: readonly PhaseChange[];
}

export interface FileBroken {
  readonly message: string;
  readonly since: number;
}

export interface FileRecord {
  /** Relative to the workspace root, '/' separators. */
  readonly path: string;
  /** Set while the file cannot be loaded or collected. */
  readonly broken: FileBroken | null;
  /** In the order of the file's latest result. */
  readonly tests: readonly TestRecord[];
}

export interface PhaseState {
  /** Sorted by path. A file is here while it has a test with a phase or is BROKEN. */
  readonly files: readonly FileRecord[];
}

export interface TestOutcome {
  readonly fullName: string;
  /** Defaults to the last " > " part of fullName. */
  readonly name?: string;
  readonly state: TestState;
}

export type PhaseEvent =
  | {
      readonly kind: 'fileResult';
      readonly file: string;
      /** The file could not be loaded or collected; `tests` is then ignored. */
      readonly broken?: { readonly message: string };
      /** Every test of the file: one absent from the list was renamed or deleted. */
      readonly tests: readonly TestOutcome[];
    }
  /** Without fullName: every YELLOW test of the file. fullName may also name a describe block. */
  | { readonly kind: 'approve'; readonly file: string; readonly fullName?: string }
  /** The files were committed clean (tdd.approveOnCommit): their YELLOW tests become GREEN. */
  | { readonly kind: 'committed'; readonly files: readonly string[] }
  | { readonly kind: 'fileDeleted'; readonly file: string }
  | { readonly kind: 'fileRenamed'; readonly from: string; readonly to: string };

export type RefusalCode = 'red' | 'broken' | 'unknown-file' | 'unknown-test';

export type PhaseEffect =
  /** `from` is null for a test seen for the first time. */
  | { readonly kind: 'phaseChanged'; readonly file: string; readonly fullName: string; readonly from: Phase | null; readonly to: Phase }
  | { readonly kind: 'testRemoved'; readonly file: string; readonly fullName: string; readonly phase: Phase }
  | { readonly kind: 'fileBroken'; readonly file: string; readonly message: string }
  | { readonly kind: 'fileRepaired'; readonly file: string }
  | { readonly kind: 'fileRemoved'; readonly file: string }
  | { readonly kind: 'fileMoved'; readonly from: string; readonly to: string }
  | { readonly kind: 'refused'; readonly file: string; readonly fullName?: string; readonly code: RefusalCode; readonly reason: string };

export interface Transition {
  readonly state: PhaseState;
  readonly effects: readonly PhaseEffect[];
}

export function emptyPhaseState(): PhaseState {
  return { files: [] };
}

/** `now` is epoch milliseconds; it stamps every phase change the event causes. */
export function transition(state: PhaseState, event: PhaseEvent, now: number): Transition {
  const effects: PhaseEffect[] = [];
  let next: PhaseState;
  switch (event.kind) {
    case 'fileResult':
      next = event.broken
        ? applyBroken(state, event.file, event.broken.message, now, effects)
        : applyResult(state, event.file, event.tests, now, effects);
      break;
    case 'approve':
      next = applyApprove(state, event.file, event.fullName, now, effects);
      break;
    case 'committed':
      next = applyCommitted(state, event.files, now, effects);
      break;
    case 'fileDeleted':
      next = applyDeleted(state, event.file, effects);
      break;
    case 'fileRenamed':
      next = applyRenamed(state, event.from, event.to, effects);
      break;
  }
  return { state: next, effects };
}

/** The worse of two phases (BROKEN > RED > YELLOW > GREEN). */
export function worstPhase(a: Phase, b: Phase): Phase {
  return PHASES.indexOf(a) >= PHASES.indexOf(b) ? a : b;
}

function applyBroken(state: PhaseState, path: string, message: string, now: number, effects: PhaseEffect[]): PhaseState {
  const existing = findFile(state, path);
  const tests = (existing?.tests ?? []).map((test) => {
    if (test.phase === 'BROKEN') return test;
    effects.push({ kind: 'phaseChanged', file: path, fullName: test.fullName, from: test.phase, to: 'BROKEN' });
    return { ...withPhase(test, 'BROKEN', now), beforeBroken: test.phase };
  });
  if (!existing?.broken) effects.push({ kind: 'fileBroken', file: path, message });
  // Keep the time it first broke: a file that stays broken over many saves has one `since`.
  const broken: FileBroken = { message, since: existing?.broken?.since ?? now };
  return putFile(state, { path, broken, tests });
}

function applyResult(
  state: PhaseState,
  path: string,
  outcomes: readonly TestOutcome[],
  now: number,
  effects: PhaseEffect[],
): PhaseState {
  const existing = findFile(state, path);
  if (existing?.broken) effects.push({ kind: 'fileRepaired', file: path });
  const known = new Map((existing?.tests ?? []).map((test) => [test.fullName, test]));
  const tests: TestRecord[] = [];
  for (const outcome of mergeDuplicates(outcomes)) {
    const previous = known.get(outcome.fullName);
    const record = nextRecord(previous, outcome, now);
    if (!record) continue;
    if (record.phase !== previous?.phase) {
      effects.push({ kind: 'phaseChanged', file: path, fullName: outcome.fullName, from: previous?.phase ?? null, to: record.phase });
    }
    tests.push(record);
  }
  // A known test that is skipped keeps its record; one absent from the result was renamed or deleted.
  const kept = new Set(tests.map((test) => test.fullName));
  for (const test of existing?.tests ?? []) {
    if (!kept.has(test.fullName)) {
      effects.push({ kind: 'testRemoved', file: path, fullName: test.fullName, phase: test.phase });
    }
  }
  if (tests.length === 0) {
    if (existing) effects.push({ kind: 'fileRemoved', file: path });
    return removeFile(state, path);
  }
  return putFile(state, { path, broken: null, tests });
}

/**
 * Within one file the runner makes full names unique (core/test-names), but a file that runs in
 * two Vitest projects reports each name once per project: those share one record, and a failure
 * of either one is a failure of the record (the safe reading for TDD).
 */
function mergeDuplicates(outcomes: readonly TestOutcome[]): TestOutcome[] {
  const rank: Record<TestState, number> = { failed: 4, passed: 3, stopped: 2, skipped: 1, todo: 0 };
  const byName = new Map<string, TestOutcome>();
  for (const outcome of outcomes) {
    const seen = byName.get(outcome.fullName);
    if (!seen || rank[outcome.state] > rank[seen.state]) byName.set(outcome.fullName, outcome);
  }
  return [...byName.values()];
}

/**
 * One test's next record, or undefined for a new test with no verdict (skipped, todo, stopped):
 * it has no phase yet, so it stays out of the tree until it runs.
 *
 * Decisions where DESIGN.md is silent:
 * - skipped / todo / stopped give no verdict and keep the phase. `stopped` (killed by the memory
 *   guard or the file timeout) is not "failed on an assertion", so it is not RED; the run report
 *   and exit code 2 make it loud instead.
 * - Leaving BROKEN: a failure is RED. A pass restores the phase from before the break, except
 *   that RED becomes YELLOW (it now passes after having been RED) — so a GREEN test whose file
 *   broke and was fixed is GREEN again without a second approval. A verdict-less result restores
 *   the phase from before the break as it was, since the file loads again.
 */
function nextRecord(previous: TestRecord | undefined, outcome: TestOutcome, now: number): TestRecord | undefined {
  const name = outcome.name ?? lastPart(outcome.fullName);
  if (!previous) {
    if (outcome.state === 'failed') return newRecord(outcome.fullName, name, 'RED', false, now);
    if (outcome.state === 'passed') return newRecord(outcome.fullName, name, 'YELLOW', true, now);
    return undefined;
  }
  const current = previous.name === name ? previous : { ...previous, name };
  switch (outcome.state) {
    case 'failed':
      return { ...withPhase(current, 'RED', now), neverFailed: false };
    case 'passed': {
      const from = current.phase === 'BROKEN' ? (current.beforeBroken ?? 'RED') : current.phase;
      return withPhase(current, from === 'RED' ? 'YELLOW' : from, now);
    }
    case 'skipped':
    case 'todo':
    case 'stopped':
      return current.phase === 'BROKEN' ? withPhase(current, current.beforeBroken ?? 'RED', now) : current;
  }
}

function newRecord(fullName: string, name: string, phase: Phase, neverFailed: boolean, now: number): TestRecord {
  return { fullName, name, phase, neverFailed, since: now, history: [{ phase, at: now }] };
}

/** The record in `phase`; unchanged when it already is. Leaving BROKEN drops beforeBroken. */
function withPhase(test: TestRecord, phase: Phase, now: number): TestRecord {
  if (test.phase === phase) return test;
  const { beforeBroken: _dropped, ...rest } = test;
  const history = [...test.history, { phase, at: now }].slice(-HISTORY_LIMIT);
  return { ...rest, phase, since: now, history };
}

function applyApprove(
  state: PhaseState,
  path: string,
  fullName: string | undefined,
  now: number,
  effects: PhaseEffect[],
): PhaseState {
  const file = findFile(state, path);
  if (!file) {
    effects.push({ kind: 'refused', file: path, ...(fullName === undefined ? {} : { fullName }), code: 'unknown-file', reason: `${path} has no tests with a phase: run it first.` });
    return state;
  }
  if (file.broken) {
    effects.push({
      kind: 'refused',
      file: path,
      ...(fullName === undefined ? {} : { fullName }),
      code: 'broken',
      reason: `${path} is BROKEN (it could not be loaded: ${file.broken.message}); fix the file and run it first.`,
    });
    return state;
  }
  const targets = selectTests(file, fullName);
  if (targets.size === 0) {
    effects.push({ kind: 'refused', file: path, ...(fullName === undefined ? {} : { fullName }), code: 'unknown-test', reason: `${path} has no test or describe block named "${fullName ?? ''}".` });
    return state;
  }
  const tests = file.tests.map((test) => {
    if (!targets.has(test.fullName)) return test;
    if (test.phase === 'RED') {
      effects.push({ kind: 'refused', file: path, fullName: test.fullName, code: 'red', reason: `"${test.fullName}" is RED: it fails. Make it pass (YELLOW) before approving it.` });
    } else if (test.phase === 'BROKEN') {
      effects.push({ kind: 'refused', file: path, fullName: test.fullName, code: 'broken', reason: `"${test.fullName}" is BROKEN: its file could not be loaded. Fix the file and run it first.` });
    } else if (test.phase === 'YELLOW') {
      effects.push({ kind: 'phaseChanged', file: path, fullName: test.fullName, from: 'YELLOW', to: 'GREEN' });
      return withPhase(test, 'GREEN', now);
    }
    return test;
  });
  return putFile(state, { ...file, tests });
}

/** A test by its full name, else every test inside the describe block of that name, else all. */
function selectTests(file: FileRecord, fullName: string | undefined): Set<string> {
  if (fullName === undefined) return new Set(file.tests.map((test) => test.fullName));
  if (file.tests.some((test) => test.fullName === fullName)) return new Set([fullName]);
  const prefix = fullName + NAME_SEPARATOR;
  return new Set(file.tests.filter((test) => test.fullName.startsWith(prefix)).map((test) => test.fullName));
}

function applyCommitted(state: PhaseState, paths: readonly string[], now: number, effects: PhaseEffect[]): PhaseState {
  let next = state;
  for (const path of new Set(paths)) {
    const file = findFile(next, path);
    if (!file || file.broken) continue;
    const tests = file.tests.map((test) => {
      if (test.phase !== 'YELLOW') return test;
      effects.push({ kind: 'phaseChanged', file: path, fullName: test.fullName, from: 'YELLOW', to: 'GREEN' });
      return withPhase(test, 'GREEN', now);
    });
    next = putFile(next, { ...file, tests });
  }
  return next;
}

function applyDeleted(state: PhaseState, path: string, effects: PhaseEffect[]): PhaseState {
  if (!findFile(state, path)) return state;
  effects.push({ kind: 'fileRemoved', file: path });
  return removeFile(state, path);
}

/** The records follow the file; a record already at `to` is replaced (the rename overwrote it). */
function applyRenamed(state: PhaseState, from: string, to: string, effects: PhaseEffect[]): PhaseState {
  const file = findFile(state, from);
  if (!file || from === to) return state;
  effects.push({ kind: 'fileMoved', from, to });
  return putFile(removeFile(state, from), { ...file, path: to });
}

function findFile(state: PhaseState, path: string): FileRecord | undefined {
  return state.files.find((file) => file.path === path);
}

function putFile(state: PhaseState, file: FileRecord): PhaseState {
  const files = state.files.filter((f) => f.path !== file.path);
  files.push(file);
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { files };
}

function removeFile(state: PhaseState, path: string): PhaseState {
  return { files: state.files.filter((file) => file.path !== path) };
}

/** Code-unit order, not locale order: the same on every machine, so JSON output is stable. */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lastPart(fullName: string): string {
  const at = fullName.lastIndexOf(NAME_SEPARATOR);
  return at < 0 ? fullName : fullName.slice(at + NAME_SEPARATOR.length);
}

// ---------------------------------------------------------------------------------------------
// Roll-up: file → describe blocks → tests, the worst child wins.

export type PhaseCounts = Readonly<Record<Phase, number>>;

export interface TestNode {
  readonly kind: 'test';
  readonly name: string;
  readonly fullName: string;
  readonly phase: Phase;
  readonly neverFailed: boolean;
  readonly since: number;
  readonly history: readonly PhaseChange[];
}

export interface DescribeNode {
  readonly kind: 'describe';
  readonly name: string;
  /** The describe blocks down to this one, joined with " > ": what `approve` takes. */
  readonly fullName: string;
  readonly phase: Phase;
  /** Tests below this block, by phase. */
  readonly counts: PhaseCounts;
  readonly children: readonly (DescribeNode | TestNode)[];
}

export interface FileNode {
  readonly kind: 'file';
  readonly path: string;
  readonly phase: Phase;
  readonly counts: PhaseCounts;
  readonly broken: FileBroken | null;
  readonly children: readonly (DescribeNode | TestNode)[];
}

export interface PhaseTree {
  /** Null when no file has a phase. */
  readonly phase: Phase | null;
  readonly counts: PhaseCounts;
  readonly files: readonly FileNode[];
}

export function rollUp(state: PhaseState): PhaseTree {
  const files = state.files.map(fileNode);
  return {
    phase: worstOf(files.map((file) => file.phase)),
    counts: sumCounts(files.map((file) => file.counts)),
    files,
  };
}

interface MutableDescribe {
  readonly name: string;
  readonly fullName: string;
  readonly children: (MutableDescribe | TestNode)[];
  readonly blocks: Map<string, MutableDescribe>;
}

function fileNode(file: FileRecord): FileNode {
  const root: MutableDescribe = { name: '', fullName: '', children: [], blocks: new Map() };
  for (const test of file.tests) {
    let parent = root;
    for (const block of describePath(test)) {
      let child = parent.blocks.get(block);
      if (!child) {
        const fullName = parent.fullName ? parent.fullName + NAME_SEPARATOR + block : block;
        child = { name: block, fullName, children: [], blocks: new Map() };
        parent.blocks.set(block, child);
        parent.children.push(child);
      }
      parent = child;
    }
    parent.children.push({
      kind: 'test',
      name: test.name,
      fullName: test.fullName,
      phase: test.phase,
      neverFailed: test.neverFailed,
      since: test.since,
      history: test.history,
    });
  }
  const children = root.children.map(freeze);
  const counts = sumCounts(children.map(countsOf));
  // A BROKEN file is BROKEN even with no known tests (a new file that never loaded).
  const phase = file.broken ? 'BROKEN' : (worstOf(children.map((child) => child.phase)) ?? 'GREEN');
  return { kind: 'file', path: file.path, phase, counts, broken: file.broken, children };
}

function describePath(test: TestRecord): string[] {
  const suffix = NAME_SEPARATOR + test.name;
  if (test.fullName === test.name || !test.fullName.endsWith(suffix)) return [];
  return test.fullName.slice(0, -suffix.length).split(NAME_SEPARATOR);
}

function freeze(node: MutableDescribe | TestNode): DescribeNode | TestNode {
  if ('kind' in node) return node;
  const children = node.children.map(freeze);
  return {
    kind: 'describe',
    name: node.name,
    fullName: node.fullName,
    // A describe block exists only because a test is under it, so it has a worst phase.
    phase: worstOf(children.map((child) => child.phase)) ?? 'GREEN',
    counts: sumCounts(children.map(countsOf)),
    children,
  };
}

function countsOf(node: DescribeNode | TestNode): PhaseCounts {
  return node.kind === 'test' ? { ...zeroCounts(), [node.phase]: 1 } : node.counts;
}

function zeroCounts(): Record<Phase, number> {
  return { GREEN: 0, YELLOW: 0, RED: 0, BROKEN: 0 };
}

function sumCounts(all: readonly PhaseCounts[]): PhaseCounts {
  const total = zeroCounts();
  for (const counts of all) for (const phase of PHASES) total[phase] += counts[phase];
  return total;
}

function worstOf(phases: readonly Phase[]): Phase | null {
  return phases.length === 0 ? null : phases.reduce(worstPhase);
}

// ---------------------------------------------------------------------------------------------
// `redline phases --json` (DESIGN.md "Command line", machine-readable forms).

export interface PhasesJson {
  readonly files: readonly {
    readonly path: string;
    readonly phase: Phase;
    readonly tests: readonly {
      readonly name: string;
      readonly fullName: string;
      readonly phase: Phase;
      readonly neverFailed: boolean;
      /** ISO 8601. */
      readonly since: string;
    }[];
  }[];
}

export function toPhasesJson(state: PhaseState): PhasesJson {
  return {
    files: state.files.map((file) => ({
      path: file.path,
      phase: fileNode(file).phase,
      tests: file.tests.map((test) => ({
        name: test.name,
        fullName: test.fullName,
        phase: test.phase,
        neverFailed: test.neverFailed,
        since: new Date(test.since).toISOString(),
      })),
    })),
  };
}
