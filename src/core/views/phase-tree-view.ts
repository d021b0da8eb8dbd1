// The TDD phases panel's view model: the roll-up tree (core/phases.ts) flattened into the rows a
// virtual list draws, filtered by text and phase, with what each row's approve button targets.
// Flat rows keep the page fast at thousands of tests: it renders only the rows in view.
import { PHASES } from '../phases';
import type { DescribeNode, FileNode, Phase, PhaseChange, PhaseCounts, PhaseTree, TestNode } from '../phases';

export interface PhaseFilter {
  /** Case-insensitive; matches a file path, a describe block or a test name. */
  readonly text: string;
  /** The phases to show; empty shows all. */
  readonly phases: ReadonlySet<Phase>;
}

/** What an approve button approves: `redline.approve` with these args. */
export interface ApproveTarget {
  readonly file: string;
  /** A test's or a describe block's full name; absent: every YELLOW test of the file. */
  readonly fullName?: string;
  /** YELLOW tests it turns GREEN. */
  readonly count: number;
  /** For the button's tooltip. */
  readonly title: string;
}

interface RowBase {
  /** Stable across updates: the expanded set and the selection are kept by key. */
  readonly key: string;
  readonly depth: number;
  readonly phase: Phase;
  readonly label: string;
  /** The file the row belongs to (root-relative). */
  readonly file: string;
  readonly approve: ApproveTarget | null;
}

export interface FileRow extends RowBase {
  readonly kind: 'file';
  /** The folder part of the path, shown dimmed after the file name. */
  readonly dir: string;
  readonly counts: PhaseCounts;
  readonly expanded: boolean;
  readonly broken: string | null;
}

export interface DescribeRow extends RowBase {
  readonly kind: 'describe';
  readonly fullName: string;
  readonly counts: PhaseCounts;
  readonly expanded: boolean;
}

export interface TestRow extends RowBase {
  readonly kind: 'test';
  readonly fullName: string;
  readonly neverFailed: boolean;
  readonly since: number;
}

export type PhaseRow = FileRow | DescribeRow | TestRow;

export interface PhaseRowsView {
  readonly rows: readonly PhaseRow[];
  /** Tests the filter lets through (all tests without a filter). */
  readonly matchedTests: number;
  readonly totalTests: number;
  readonly filtering: boolean;
}

export function fileKey(path: string): string {
  return `f\u0000${path}`;
}
export function describeKey(path: string, fullName: string): string {
  return `d\u0000${path}\u0000${fullName}`;
}
export function testKey(path: string, fullName: string): string {
  return `t\u0000${path}\u0000${fullName}`;
}

export function isFiltering(filter: PhaseFilter): boolean {
  return filter.text.trim() !== '' || (filter.phases.size > 0 && filter.phases.size < PHASES.length);
}

/**
 * The visible rows. Without a text filter, rows follow `expanded` (keys of open files and
 * describe blocks); with one, every match is shown with its parents open, since a match hidden
 * in a closed file would read as "no match". A phase filter alone keeps the user's expansion and
 * hides the branches with no test in those phases.
 */
export function phaseRows(tree: PhaseTree, filter: PhaseFilter, expanded: ReadonlySet<string>): PhaseRowsView {
  const needle = filter.text.trim().toLowerCase();
  const phaseFilter = filter.phases.size > 0 && filter.phases.size < PHASES.length ? filter.phases : null;
  const ctx: Walk = { needle, phaseFilter, expanded, autoExpand: needle !== '', rows: [], matched: 0 };
  let total = 0;
  for (const file of tree.files) {
    total += sum(file.counts);
    walkFile(ctx, file);
  }
  return { rows: ctx.rows, matchedTests: ctx.matched, totalTests: total, filtering: needle !== '' || phaseFilter !== null };
}

interface Walk {
  readonly needle: string;
  readonly phaseFilter: ReadonlySet<Phase> | null;
  readonly expanded: ReadonlySet<string>;
  readonly autoExpand: boolean;
  readonly rows: PhaseRow[];
  matched: number;
}

function walkFile(ctx: Walk, file: FileNode): void {
  const key = fileKey(file.path);
  const textHit = ctx.needle === '' || file.path.toLowerCase().includes(ctx.needle);
  const children: PhaseRow[] = [];
  // Children are always walked for counting; rows are only kept when the file is open.
  const open = ctx.autoExpand || ctx.expanded.has(key);
  const matched = walkChildren(ctx, file.path, file.children, 1, textHit, open ? children : null);
  // A BROKEN file with no known tests still shows, so the user sees why nothing runs.
  const brokenShown = file.children.length === 0 && file.broken !== null && textHit && (ctx.phaseFilter?.has('BROKEN') ?? true);
  if (matched === 0 && !brokenShown) return;
  const slash = file.path.lastIndexOf('/');
  ctx.rows.push({
    kind: 'file',
    key,
    depth: 0,
    phase: file.phase,
    label: slash < 0 ? file.path : file.path.slice(slash + 1),
    dir: slash < 0 ? '' : file.path.slice(0, slash),
    file: file.path,
    counts: file.counts,
    expanded: open && file.children.length > 0,
    broken: file.broken?.message ?? null,
    approve: file.broken || file.counts.YELLOW === 0 ? null : { file: file.path, count: file.counts.YELLOW, title: approveTitle(file.counts.YELLOW, `in ${file.path}`) },
  });
  for (const row of children) ctx.rows.push(row);
}

/** Returns how many tests below matched; pushes their rows into `out` when it is given (the branch is open). */
function walkChildren(
  ctx: Walk,
  path: string,
  nodes: readonly (DescribeNode | TestNode)[],
  depth: number,
  inheritedHit: boolean,
  out: PhaseRow[] | null,
): number {
  let matched = 0;
  for (const node of nodes) {
    if (node.kind === 'test') {
      if (!testMatches(ctx, node, inheritedHit)) continue;
      matched++;
      ctx.matched++;
      out?.push(testRow(path, node, depth));
      continue;
    }
    const key = describeKey(path, node.fullName);
    const hit = inheritedHit || node.name.toLowerCase().includes(ctx.needle);
    const open = ctx.autoExpand || ctx.expanded.has(key);
    const below: PhaseRow[] | null = out && open ? [] : null;
    const n = walkChildren(ctx, path, node.children, depth + 1, hit, below);
    if (n === 0) continue;
    matched += n;
    if (!out) continue;
    out.push({
      kind: 'describe',
      key,
      depth,
      phase: node.phase,
      label: node.name,
      file: path,
      fullName: node.fullName,
      counts: node.counts,
      expanded: open,
      approve: node.counts.YELLOW === 0 ? null : { file: path, fullName: node.fullName, count: node.counts.YELLOW, title: approveTitle(node.counts.YELLOW, `in "${node.name}"`) },
    });
    if (below) for (const row of below) out.push(row);
  }
  return matched;
}

function testMatches(ctx: Walk, test: TestNode, inheritedHit: boolean): boolean {
  if (ctx.phaseFilter && !ctx.phaseFilter.has(test.phase)) return false;
  return inheritedHit || test.name.toLowerCase().includes(ctx.needle);
}

function testRow(path: string, test: TestNode, depth: number): TestRow {
  return {
    kind: 'test',
    key: testKey(path, test.fullName),
    depth,
    phase: test.phase,
    label: test.name,
    file: path,
    fullName: test.fullName,
    neverFailed: test.neverFailed,
    since: test.since,
    approve: test.phase === 'YELLOW' ? { file: path, fullName: test.fullName, count: 1, title: 'Approve: mark this test GREEN' } : null,
  };
}

function approveTitle(count: number, where: string): string {
  return `Approve: mark ${count === 1 ? 'the YELLOW test' : `${count} YELLOW tests`} ${where} GREEN`;
}

function sum(counts: PhaseCounts): number {
  return counts.GREEN + counts.YELLOW + counts.RED + counts.BROKEN;
}

/** Every file and describe key of the tree: "expand all". */
export function allBranchKeys(tree: PhaseTree): string[] {
  const keys: string[] = [];
  const visit = (path: string, nodes: readonly (DescribeNode | TestNode)[]) => {
    for (const node of nodes) {
      if (node.kind === 'describe') {
        keys.push(describeKey(path, node.fullName));
        visit(path, node.children);
      }
    }
  };
  for (const file of tree.files) {
    keys.push(fileKey(file.path));
    visit(file.path, file.children);
  }
  return keys;
}

// ---- the selected test's details -----------------------------------------------------------------

export interface TestDetails {
  readonly key: string;
  readonly file: string;
  readonly name: string;
  readonly fullName: string;
  /** The describe blocks, outermost first. */
  readonly describes: readonly string[];
  readonly phase: Phase;
  readonly neverFailed: boolean;
  readonly since: number;
  /** Newest first. */
  readonly history: readonly PhaseChange[];
  readonly approve: ApproveTarget | null;
}

export function findTest(tree: PhaseTree, key: string): TestDetails | null {
  for (const file of tree.files) {
    if (!key.startsWith(`t\u0000${file.path}\u0000`)) continue;
    const found = findIn(file.path, file.children, key, []);
    if (found) return found;
  }
  return null;
}

function findIn(path: string, nodes: readonly (DescribeNode | TestNode)[], key: string, describes: string[]): TestDetails | null {
  for (const node of nodes) {
    if (node.kind === 'describe') {
      const found = findIn(path, node.children, key, [...describes, node.name]);
      if (found) return found;
    } else if (testKey(path, node.fullName) === key) {
      const row = testRow(path, node, 0);
      return {
        key,
        file: path,
        name: node.name,
        fullName: node.fullName,
        describes,
        phase: node.phase,
        neverFailed: node.neverFailed,
        since: node.since,
        history: [...node.history].reverse(),
        approve: row.approve,
      };
    }
  }
  return null;
}

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  RED: 'RED',
  YELLOW: 'YELLOW',
  GREEN: 'GREEN',
  BROKEN: 'BROKEN',
};

/** What each phase means, for tooltips (DESIGN.md "TDD phases"). */
export const PHASE_MEANINGS: Readonly<Record<Phase, string>> = {
  RED: 'RED — fails: the test is written, the code is not (yet).',
  YELLOW: 'YELLOW — passes, not yet approved: refactor, then approve it.',
  GREEN: 'GREEN — passes and approved.',
  BROKEN: 'BROKEN — the file could not be loaded or collected.',
};

/** The panel lists phases in the order of the cycle. */
export const PHASE_ORDER: readonly Phase[] = ['RED', 'YELLOW', 'GREEN', 'BROKEN'];
