// `redline phases` on a terminal: the tree file → describe → test, each with a coloured badge
// (RED red, YELLOW yellow, GREEN green, BROKEN magenta), the never-failed flag, and counts per
// phase. A function of the state and the colours, so tests read it with colours off.
import pc from 'picocolors';
import { PHASES, rollUp } from '../core/phases';
import type { DescribeNode, FileNode, Phase, PhaseCounts, PhaseState, TestNode } from '../core/phases';

type ColorName = 'red' | 'yellow' | 'green' | 'magenta' | 'dim' | 'bold';
/** The colours the tree uses; tests pass identity functions to read the plain text. */
export type PhaseColors = Record<ColorName, (text: string) => string>;

const BADGE_WIDTH = Math.max(...PHASES.map((phase) => phase.length));

export function phaseColor(phase: Phase, c: PhaseColors = pc): (text: string) => string {
  switch (phase) {
    case 'RED':
      return c.red;
    case 'YELLOW':
      return c.yellow;
    case 'GREEN':
      return c.green;
    case 'BROKEN':
      return c.magenta;
  }
}

/** The phase name in its colour, padded so the names after it line up. */
export function badge(phase: Phase, c: PhaseColors = pc): string {
  return phaseColor(phase, c)(c.bold(phase)) + ' '.repeat(BADGE_WIDTH - phase.length);
}

/** "1 RED · 2 YELLOW · 3 GREEN", worst first, each count in its colour; zero counts left out. */
export function countsText(counts: PhaseCounts, c: PhaseColors = pc): string {
  const parts = [...PHASES]
    .reverse()
    .filter((phase) => counts[phase] > 0)
    .map((phase) => phaseColor(phase, c)(`${counts[phase]} ${phase}`));
  return parts.length > 0 ? parts.join(c.dim(' · ')) : c.dim('no tests');
}

/** `since` as a person reads it: "just now", "5 min ago", "3 h ago", else the date. */
export function age(since: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - since) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return new Date(since).toISOString().slice(0, 10);
}

export function phasesLines(state: PhaseState, now: number, c: PhaseColors = pc): string[] {
  const tree = rollUp(state);
  if (tree.files.length === 0) {
    return [' No TDD phases yet: run the tests first (redline run), and each test gets its phase.'];
  }
  const lines: string[] = [];
  for (const file of tree.files) lines.push(...fileLines(file, now, c));
  const neverFailed = tree.files.reduce((sum, file) => sum + countNeverFailed(file.children), 0);
  const fileCounts = { GREEN: 0, YELLOW: 0, RED: 0, BROKEN: 0 } as Record<Phase, number>;
  for (const file of tree.files) fileCounts[file.phase]++;
  lines.push('');
  lines.push(` ${c.dim('Tests')}  ${countsText(tree.counts, c)}${neverFailed > 0 ? c.dim(` (${neverFailed} never failed)`) : ''}`);
  lines.push(` ${c.dim('Files')}  ${countsText(fileCounts, c)}`);
  if (tree.counts.YELLOW > 0) lines.push(c.dim(' YELLOW tests pass and await review: redline approve FILE (or "FILE > describe > test") turns them GREEN.'));
  return lines;
}

function fileLines(file: FileNode, now: number, c: PhaseColors): string[] {
  const counts = c.dim(`(${countsText(file.counts, { ...c, red: c.dim, yellow: c.dim, green: c.dim, magenta: c.dim })})`);
  const lines = [` ${badge(file.phase, c)}  ${c.bold(file.path)}  ${file.children.length > 0 ? counts : ''}`.trimEnd()];
  if (file.broken) {
    lines.push(` ${' '.repeat(BADGE_WIDTH)}  ${c.magenta(`could not load: ${file.broken.message}`)} ${c.dim(`· ${age(file.broken.since, now)}`)}`);
  }
  for (const child of file.children) lines.push(...nodeLines(child, 1, now, c));
  return lines;
}

function nodeLines(node: DescribeNode | TestNode, depth: number, now: number, c: PhaseColors): string[] {
  const pad = '  '.repeat(depth);
  if (node.kind === 'test') {
    const flag = node.neverFailed ? ` ${c.yellow('(never failed)')}` : '';
    return [` ${pad}${badge(node.phase, c)}  ${node.name}${flag} ${c.dim(`· ${age(node.since, now)}`)}`];
  }
  const lines = [` ${pad}${badge(node.phase, c)}  ${c.bold(node.name)}`];
  for (const child of node.children) lines.push(...nodeLines(child, depth + 1, now, c));
  return lines;
}

function countNeverFailed(nodes: readonly (DescribeNode | TestNode)[]): number {
  let n = 0;
  for (const node of nodes) n += node.kind === 'test' ? (node.neverFailed ? 1 : 0) : countNeverFailed(node.children);
  return n;
}
