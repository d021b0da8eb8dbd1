// One row of the phase tree: file, describe block or test, drawn at a fixed height for the
// virtual list. Clicks are handled by the list (one listener for all rows), using data-action.
import { PHASE_ORDER, type PhaseRow } from '../../core/views/phase-tree-view';
import { h, icon, setStyle } from '../dom';
import { neverFailedIcon, phaseIcon } from '../ui/phase-badge';

export const ROW_HEIGHT = 22;

export interface RowFlags {
  readonly focused: boolean;
  readonly selected: boolean;
}

export function renderPhaseRow(row: PhaseRow, index: number, flags: RowFlags): HTMLElement {
  const expandable = row.kind !== 'test';
  const el = h('div', {
    class: `tree-row kind-${row.kind}${flags.focused ? ' focused' : ''}${flags.selected ? ' selected' : ''}`,
    role: 'treeitem',
    attrs: {
      id: `row-${index}`,
      'data-index': index,
      'aria-level': row.depth + 1,
      'aria-expanded': expandable ? String(row.expanded) : undefined,
      'aria-selected': row.kind === 'test' ? String(flags.selected) : undefined,
    },
  });
  setStyle(el, { 'padding-left': `${6 + row.depth * 16}px` });
  el.append(
    expandable ? icon(row.expanded ? 'chevron-down' : 'chevron-right', 'twistie') : h('span', { class: 'twistie' }),
    phaseIcon(row.phase),
  );
  if (row.kind === 'file') {
    el.append(
      h('span', { class: 'row-label file-name', title: `${row.file} — click to open`, attrs: { 'data-action': 'open' } }, row.label),
      h('button', { class: 'row-action', title: `Open ${row.file}`, attrs: { type: 'button', 'data-action': 'open', 'aria-label': `Open ${row.file}`, tabindex: -1 } }, icon('go-to-file')),
      h('span', { class: 'row-desc', title: row.file }, row.dir),
    );
    if (row.broken !== null) el.append(h('span', { class: 'row-broken', title: row.broken }, icon('warning'), ' could not load'));
  } else {
    el.append(h('span', { class: 'row-label', title: row.kind === 'test' ? row.fullName : row.fullName }, row.label));
    if (row.kind === 'test' && row.neverFailed) el.append(neverFailedIcon());
  }
  el.append(h('span', { class: 'row-spacer' }));
  if (row.kind !== 'test') el.append(counts(row.counts));
  if (row.approve) {
    el.append(
      h(
        'button',
        { class: 'row-approve', title: row.approve.title, attrs: { type: 'button', 'data-action': 'approve', 'aria-label': row.approve.title, tabindex: -1 } },
        icon('check'),
        row.kind === 'test' ? 'Approve' : `Approve ${row.approve.count}`,
      ),
    );
  }
  return el;
}

function counts(byPhase: Readonly<Record<string, number>>): HTMLElement {
  const el = h('span', { class: 'row-counts' });
  for (const phase of PHASE_ORDER) {
    const n = byPhase[phase] ?? 0;
    if (n > 0) el.append(h('span', { class: `count phase-${phase.toLowerCase()}`, title: `${n} ${phase}` }, n.toLocaleString('en-US')));
  }
  return el;
}
