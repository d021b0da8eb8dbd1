// One suspected leak: the file, its figures, the post-GC series as a sparkline, the hint, the
// constructors that grew, and its heap snapshots. And one memory stop with heap snapshots: the
// same table of what grew and the same buttons, under what the guard stopped it at.
import { sparklinePath, type GrewRow, type LeakCard, type SnapshotLink, type StopCard } from '../../core/views/leaks-view';
import { h, icon, svg, svgTitle } from '../dom';
import { button } from '../elements';
import { runCommand } from '../host';
import { fileLink } from '../ui/link';

const SPARK_W = 240;
const SPARK_H = 44;

export function renderLeakCard(card: LeakCard): HTMLElement {
  const runs = card.per === 'run';
  return h(
    'article',
    { class: 'leak-card', attrs: { 'aria-label': `Suspected leak${runs ? ' across runs' : ''} in ${card.file}` } },
    h(
      'header',
      { class: 'leak-header' },
      icon('flame', 'leak-icon'),
      fileLink(card.file),
      h('span', { class: 'row-spacer' }),
      h('span', { class: 'leak-total', title: runs ? 'Total growth across the watch runs, after garbage collection' : 'Total growth over the file, after garbage collection' }, card.totalText),
    ),
    h(
      'div',
      { class: 'leak-body' },
      h(
        'dl',
        { class: 'leak-figures' },
        runs
          ? figure('Per run', card.perTestText, 'Fitted growth per watch run of the file’s post-GC memory at its end (Theil–Sen slope)')
          : figure('Per test', card.perTestText, 'Fitted growth of post-GC memory per test (Theil–Sen slope)'),
        figure('Fit (R²)', card.fitText, 'How well a straight line fits the series: 1.00 is a perfectly steady climb'),
        figure('Samples', String(card.samples), runs ? 'Watch runs of the file measured' : 'Tests measured in the file'),
        card.seriesText ? figure('Memory', card.seriesText, 'Which memory grew') : null,
      ),
      card.points ? sparkline(card.points, card.pointsRangeText ?? '') : null,
    ),
    card.hint ? h('p', { class: 'leak-hint' }, icon('lightbulb'), h('span', null, card.hint)) : null,
    grewTable(card.grew, 'Grew between the heap snapshots'),
    snapshotNote(card.note),
    snapshotActions(card.snapshots),
  );
}

/** A file the memory guard stopped, with what its heap snapshots say it was filling memory with. */
export function renderStopCard(card: StopCard): HTMLElement {
  return h(
    'article',
    { class: 'leak-card stop-card', attrs: { 'aria-label': `Stopped by the memory guard: ${card.file}` } },
    h(
      'header',
      { class: 'leak-header' },
      icon('debug-stop', 'stop-icon'),
      fileLink(card.file),
      h('span', { class: 'row-spacer' }),
      h('span', { class: 'stop-title', title: 'The test processes’ memory when the guard stopped the file' }, card.title),
    ),
    h('p', { class: 'muted' }, card.test ? `Running “${card.test}” when it was stopped.` : 'No test had started: it was loading the file.'),
    grewTable(card.grew, 'Grew between the guard’s heap snapshots'),
    snapshotNote(card.note),
    snapshotActions(card.snapshots),
  );
}

function grewTable(grew: readonly GrewRow[], heading: string): HTMLElement | null {
  if (grew.length === 0) return null;
  return h(
    'div',
    { class: 'leak-grew' },
    h('h3', null, heading),
    h(
      'table',
      { class: 'data-table compact' },
      h('tbody', null, ...grew.map((g) => h('tr', null, h('td', { class: 'mono' }, g.name), h('td', { class: 'num' }, g.countText), h('td', { class: 'num' }, g.bytesText)))),
    ),
  );
}

function snapshotNote(note: string | null): HTMLElement | null {
  return note ? h('p', { class: 'leak-hint snapshot-note' }, icon('info'), h('span', null, note)) : null;
}

function snapshotActions(snapshots: readonly SnapshotLink[]): HTMLElement | null {
  if (snapshots.length === 0) return null;
  return h(
    'div',
    { class: 'leak-actions' },
    ...snapshots.map((s) =>
      button(`Open ${s.label.toLowerCase()}`, () => runCommand({ command: 'redline.openHeapSnapshot', args: { path: s.path } }), { icon: 'file-binary', secondary: true, title: `${s.name} — opens in Chrome DevTools (Memory → Load) or a heap snapshot viewer` }),
    ),
  );
}

function figure(label: string, value: string, title: string) {
  return h('div', { class: 'figure', title }, h('dt', null, label), h('dd', null, value));
}

function sparkline(points: readonly number[], caption: string): HTMLElement {
  const d = sparklinePath(points, SPARK_W, SPARK_H);
  const area = `${d}L${SPARK_W - 2},${SPARK_H - 2}L2,${SPARK_H - 2}Z`;
  return h(
    'figure',
    { class: 'sparkline' },
    svg(
      'svg',
      { viewBox: `0 0 ${SPARK_W} ${SPARK_H}`, width: SPARK_W, height: SPARK_H, role: 'img', 'aria-label': caption, preserveAspectRatio: 'none' },
      svgTitle(caption),
      svg('path', { d: area, class: 'spark-area' }),
      svg('path', { d, class: 'spark-line' }),
    ),
    h('figcaption', null, caption),
  );
}
