// The TDD phases panel: counts per phase (which double as phase filters), a text filter, the
// file → describe → test tree, and the selected test's history. The tree is a virtual list over
// flat rows (core/views/phase-tree-view.ts), files start collapsed, and the UI state (filter,
// open branches, selection, scroll) is saved so the panel comes back as it was.
import { PHASES, rollUp, type Phase, type PhaseTree } from '../../core/phases';
import {
  allBranchKeys,
  findTest,
  isFiltering,
  PHASE_MEANINGS,
  PHASE_ORDER,
  phaseRows,
  type PhaseRow,
  type PhaseRowsView,
} from '../../core/views/phase-tree-view';
import type { PhasesPanelState } from '../../protocol/webview';
import { h, icon, replaceChildren } from '../dom';
import { button } from '../elements';
import { loadUiState, runCommand, saveUiState } from '../host';
import type { PanelView } from '../panel';
import { emptyState } from '../ui/empty-state';
import { VirtualList } from '../ui/virtual-list';
import { renderPhaseRow, ROW_HEIGHT } from './phase-row';
import { renderTestDetails } from './test-details';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';

interface PhasesUi {
  filter: string;
  phases: Phase[];
  expanded: string[];
  selected: string | null;
  focused: string | null;
  scrollTop: number;
}

function restoreUi(): PhasesUi {
  const saved = loadUiState('phases') as Partial<PhasesUi> | undefined;
  return {
    filter: typeof saved?.filter === 'string' ? saved.filter : '',
    phases: Array.isArray(saved?.phases) ? saved.phases.filter((p): p is Phase => (PHASES as readonly string[]).includes(p)) : [],
    expanded: Array.isArray(saved?.expanded) ? saved.expanded.filter((k) => typeof k === 'string') : [],
    selected: typeof saved?.selected === 'string' ? saved.selected : null,
    focused: typeof saved?.focused === 'string' ? saved.focused : null,
    scrollTop: typeof saved?.scrollTop === 'number' ? saved.scrollTop : 0,
  };
}

export class PhasesPanel implements PanelView<PhasesPanelState> {
  readonly element: HTMLElement;
  private state: PhasesPanelState;
  private tree: PhaseTree;
  private view: PhaseRowsView = { rows: [], matchedTests: 0, totalTests: 0, filtering: false };
  private readonly ui: PhasesUi;
  private readonly expanded: Set<string>;
  private readonly list: VirtualList<PhaseRow>;
  private readonly toggles = new Map<Phase, HTMLButtonElement>();
  private readonly filterField: VscodeTextfield;
  private readonly status = h('div', { class: 'tree-status', role: 'status' });
  private readonly body = h('div', { class: 'tree-body' });
  private readonly details = h('div', { class: 'details-host' });
  private saveTimer = 0;

  constructor(initial: PhasesPanelState) {
    this.state = initial;
    this.tree = rollUp(initial.phases);
    this.ui = restoreUi();
    this.expanded = new Set(this.ui.expanded);
    this.list = new VirtualList<PhaseRow>({
      rowHeight: ROW_HEIGHT,
      className: 'tree',
      role: 'tree',
      label: 'Tests by TDD phase',
      renderRow: (row, index) => renderPhaseRow(row, index, { focused: row.key === this.ui.focused, selected: row.key === this.ui.selected }),
    });
    this.list.element.addEventListener('click', (e) => this.onClick(e));
    this.list.element.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    this.list.element.addEventListener('keydown', (e) => this.onKey(e));
    this.list.element.addEventListener('scroll', () => this.saveSoon(), { passive: true });

    this.filterField = h('vscode-textfield', { class: 'filter', attrs: { placeholder: 'Filter by file, describe or test name', 'aria-label': 'Filter tests' } }, icon('filter'));
    this.filterField.firstElementChild?.setAttribute('slot', 'content-before');
    this.filterField.value = this.ui.filter;
    this.filterField.addEventListener('input', () => {
      this.ui.filter = this.filterField.value;
      this.refresh();
    });

    const toolbar = h(
      'div',
      { class: 'toolbar phases-toolbar' },
      h('div', { class: 'phase-toggles', role: 'group', attrs: { 'aria-label': 'Show phases' } }, ...PHASE_ORDER.map((phase) => this.toggle(phase))),
      this.filterField,
      h(
        'div',
        { class: 'toolbar-icons' },
        h('button', { class: 'icon-button', title: 'Expand all', attrs: { type: 'button', 'aria-label': 'Expand all' }, on: { click: () => this.expandAll(true) } }, icon('expand-all')),
        h('button', { class: 'icon-button', title: 'Collapse all', attrs: { type: 'button', 'aria-label': 'Collapse all' }, on: { click: () => this.expandAll(false) } }, icon('collapse-all')),
      ),
    );
    this.element = h('div', { class: 'phases-panel' }, toolbar, this.status, this.body, this.details);
    this.refresh();
    // Restore the scroll position once the list has its height (the next frame).
    requestAnimationFrame(() => {
      this.list.scrollTop = this.ui.scrollTop;
      this.list.render();
    });
  }

  update(state: PhasesPanelState): void {
    this.state = state;
    this.tree = rollUp(state.phases);
    this.refresh();
  }

  private toggle(phase: Phase): HTMLButtonElement {
    const el = h(
      'button',
      {
        class: `phase-toggle phase-${phase.toLowerCase()}`,
        title: `${PHASE_MEANINGS[phase]}\nClick to show only ${phase} tests (with the other phases you pick).`,
        attrs: { type: 'button', 'aria-pressed': 'false' },
        on: { click: () => this.togglePhase(phase) },
      },
    );
    this.toggles.set(phase, el);
    return el;
  }

  private togglePhase(phase: Phase): void {
    const on = new Set(this.ui.phases);
    if (on.has(phase)) on.delete(phase);
    else on.add(phase);
    this.ui.phases = PHASE_ORDER.filter((p) => on.has(p));
    this.refresh();
  }

  private expandAll(open: boolean): void {
    this.expanded.clear();
    if (open) for (const key of allBranchKeys(this.tree)) this.expanded.add(key);
    this.refresh();
  }

  /** Recompute the rows from the tree, filter and expansion, and redraw. */
  private refresh(): void {
    const filter = { text: this.ui.filter, phases: new Set(this.ui.phases) };
    this.view = phaseRows(this.tree, filter, this.expanded);
    this.renderToggles();
    this.renderStatus();
    this.renderBody();
    this.renderDetails();
    this.saveSoon();
  }

  private renderToggles(): void {
    const active = new Set(this.ui.phases);
    for (const phase of PHASE_ORDER) {
      const el = this.toggles.get(phase)!;
      const n = this.tree.counts[phase];
      el.setAttribute('aria-pressed', String(active.has(phase)));
      el.classList.toggle('active', active.has(phase));
      el.classList.toggle('zero', n === 0);
      replaceChildren(el, h('span', { class: `toggle-dot phase-${phase.toLowerCase()}` }), h('span', { class: 'toggle-name' }, phase), h('span', { class: 'toggle-count' }, n.toLocaleString('en-US')));
    }
  }

  private renderStatus(): void {
    const files = this.tree.files.length;
    const total = this.view.totalTests.toLocaleString('en-US');
    if (this.state.error) {
      replaceChildren(this.status, icon('warning'), ` Could not read the phases: ${this.state.error}`);
      this.status.className = 'tree-status error';
      return;
    }
    this.status.className = 'tree-status';
    if (isFiltering({ text: this.ui.filter, phases: new Set(this.ui.phases) })) {
      replaceChildren(
        this.status,
        `Showing ${this.view.matchedTests.toLocaleString('en-US')} of ${total} tests`,
        h('button', { class: 'link', attrs: { type: 'button' }, on: { click: () => this.clearFilter() } }, 'Clear filter'),
      );
    } else {
      replaceChildren(this.status, files === 0 ? '' : `${total} tests in ${files.toLocaleString('en-US')} ${files === 1 ? 'file' : 'files'}`);
    }
  }

  private renderBody(): void {
    if (this.tree.files.length === 0) {
      replaceChildren(
        this.body,
        emptyState(
          'beaker',
          this.state.error ? 'No phases to show' : 'No phases yet',
          [
            'Run your tests and each one gets its TDD phase: ',
            h('b', { class: 'phase-text-red' }, 'RED'),
            ' while it fails, ',
            h('b', { class: 'phase-text-yellow' }, 'YELLOW'),
            ' once it passes, ',
            h('b', { class: 'phase-text-green' }, 'GREEN'),
            ' when you approve it.',
          ],
          [button('Run all tests', () => runCommand({ command: 'redline.runAll' }), { icon: 'run-all' })],
        ),
      );
      return;
    }
    if (this.view.rows.length === 0) {
      replaceChildren(
        this.body,
        emptyState('filter', 'No tests match the filter', [this.ui.filter ? `Nothing matches “${this.ui.filter}” in the phases shown.` : 'No test is in the phases picked.'], [
          button('Clear filter', () => this.clearFilter(), { secondary: true }),
        ]),
      );
      return;
    }
    if (this.body.firstElementChild !== this.list.element) replaceChildren(this.body, this.list.element);
    this.list.setItems(this.view.rows);
    this.list.element.setAttribute('aria-activedescendant', this.focusedIndex() >= 0 ? `row-${this.focusedIndex()}` : '');
  }

  private renderDetails(): void {
    const test = this.ui.selected ? findTest(this.tree, this.ui.selected) : null;
    if (!test) {
      this.details.replaceChildren();
      this.details.hidden = true;
      return;
    }
    this.details.hidden = false;
    replaceChildren(this.details, renderTestDetails(test, Date.now(), () => this.select(null)));
  }

  private clearFilter(): void {
    this.ui.filter = '';
    this.ui.phases = [];
    this.filterField.value = '';
    this.refresh();
  }

  private select(key: string | null): void {
    this.ui.selected = key;
    this.list.render();
    this.renderDetails();
    this.saveSoon();
  }

  private rowAt(event: Event): { row: PhaseRow; index: number; action: string | null } | null {
    const target = event.target as Element;
    const el = target.closest<HTMLElement>('.tree-row');
    if (!el) return null;
    const index = Number(el.dataset.index);
    const row = this.view.rows[index];
    return row ? { row, index, action: target.closest<HTMLElement>('[data-action]')?.dataset.action ?? null } : null;
  }

  private onClick(event: MouseEvent): void {
    const hit = this.rowAt(event);
    if (!hit) return;
    const { row, action } = hit;
    this.ui.focused = row.key;
    if (action === 'approve' && row.approve) {
      runCommand({ command: 'redline.approve', args: { file: row.approve.file, ...(row.approve.fullName === undefined ? {} : { fullName: row.approve.fullName }) } });
    } else if (action === 'open') {
      runCommand({ command: 'redline.openFile', args: { path: row.file } });
    } else if (row.kind === 'test') {
      this.select(row.key);
      return;
    } else {
      this.setExpanded(row, !row.expanded);
      return;
    }
    this.list.render();
  }

  private onDoubleClick(event: MouseEvent): void {
    const hit = this.rowAt(event);
    if (hit && hit.action === null && hit.row.kind === 'test') runCommand({ command: 'redline.openFile', args: { path: hit.row.file } });
  }

  private setExpanded(row: PhaseRow, open: boolean): void {
    if (row.kind === 'test') return;
    if (open) this.expanded.add(row.key);
    else this.expanded.delete(row.key);
    this.refresh();
  }

  private focusedIndex(): number {
    return this.ui.focused === null ? -1 : this.view.rows.findIndex((r) => r.key === this.ui.focused);
  }

  /** Tree keyboard: arrows move and open/close, Enter acts on the row (as a click on it does). */
  private onKey(event: KeyboardEvent): void {
    const rows = this.view.rows;
    if (rows.length === 0) return;
    let index = this.focusedIndex();
    const row = rows[index];
    switch (event.key) {
      case 'ArrowDown':
        index = Math.min(rows.length - 1, index + 1);
        break;
      case 'ArrowUp':
        index = Math.max(0, index - 1);
        break;
      case 'Home':
        index = 0;
        break;
      case 'End':
        index = rows.length - 1;
        break;
      case 'ArrowRight':
        if (row && row.kind !== 'test' && !row.expanded) return this.keyed(event, () => this.setExpanded(row, true));
        index = Math.min(rows.length - 1, index + 1);
        break;
      case 'ArrowLeft':
        if (row && row.kind !== 'test' && row.expanded) return this.keyed(event, () => this.setExpanded(row, false));
        index = row ? parentIndex(rows, index) : 0;
        break;
      case 'Enter':
      case ' ':
        if (!row) return;
        return this.keyed(event, () => {
          if (row.kind === 'test') this.select(row.key);
          else if (event.key === 'Enter' && row.kind === 'file') runCommand({ command: 'redline.openFile', args: { path: row.file } });
          else this.setExpanded(row, !row.expanded);
        });
      default:
        return;
    }
    this.keyed(event, () => {
      this.ui.focused = rows[index]!.key;
      this.list.reveal(index);
      this.list.render();
      this.list.element.setAttribute('aria-activedescendant', `row-${index}`);
      this.saveSoon();
    });
  }

  private keyed(event: KeyboardEvent, action: () => void): void {
    event.preventDefault();
    action();
  }

  /** Save the UI state at most every 200 ms: a scroll fires many events. */
  private saveSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = 0;
      this.ui.expanded = [...this.expanded];
      this.ui.scrollTop = this.list.scrollTop;
      saveUiState('phases', this.ui);
    }, 200);
  }
}

function parentIndex(rows: readonly PhaseRow[], index: number): number {
  const depth = rows[index]!.depth;
  for (let i = index - 1; i >= 0; i--) if (rows[i]!.depth < depth) return i;
  return index;
}
