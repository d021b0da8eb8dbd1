// The memory panel: a live gauge of the test process tree against the limit, the history chart
// with the tier lines, the processes and the guard's actions, and the actions that free memory
// or stop everything. The skeleton is built once and each section redrawn on an update, so the
// buttons keep focus and hover while samples stream in.
import { memoryView } from '../../core/views/memory-view';
import type { MemoryPanelState } from '../../protocol/webview';
import { h, replaceChildren } from '../dom';
import { button } from '../elements';
import { post, runCommand } from '../host';
import type { PanelView } from '../panel';
import { emptyState } from '../ui/empty-state';
import { runnerChip } from '../ui/runner-chip';
import { section } from '../ui/section';
import { renderGauge, renderGaugeFigures } from './gauge';
import { MemoryChart } from './memory-chart';
import { renderActionTable, renderProcessTable } from './memory-tables';

export class MemoryPanel implements PanelView<MemoryPanelState> {
  readonly element: HTMLElement;
  private readonly runner = h('div', { class: 'toolbar-status' });
  private readonly empty = h('div', { class: 'memory-empty' });
  private readonly overview = h('div', { class: 'overview' });
  private readonly chart = new MemoryChart();
  private readonly chartSection = section('Memory over time', 'chart-section');
  private readonly processSection = section('Processes');
  private readonly actionSection = section('Guard actions');

  constructor(initial: MemoryPanelState) {
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      this.runner,
      h(
        'div',
        { class: 'toolbar-buttons' },
        button('Free memory', () => runCommand({ command: 'redline.freeMemory' }), { icon: 'clear-all', title: 'Ask every test worker to collect garbage now' }),
        button('Restart runner', () => runCommand({ command: 'redline.restartRunner' }), { icon: 'debug-restart', secondary: true, title: 'Stop the runner and start a fresh one (the current run is cancelled)' }),
        button('Stop everything', () => runCommand({ command: 'redline.emergencyStop' }), { icon: 'debug-stop', secondary: true, title: 'Stop the run and kill every test process at once' }),
      ),
    );
    this.chartSection.element.querySelector('.section-actions')?.append(
      h('button', { class: 'link', attrs: { type: 'button' }, title: 'Open the redline.memory settings (limit and tiers)', on: { click: () => post({ type: 'openSettings', query: 'redline.memory' }) } }, 'Configure tiers'),
    );
    this.chartSection.body.append(this.chart.element);
    this.element = h('div', { class: 'memory-panel' }, toolbar, this.empty, this.overview, this.chartSection.element, this.processSection.element, this.actionSection.element);
    this.update(initial);
  }

  update(state: MemoryPanelState): void {
    const view = memoryView(state);
    replaceChildren(this.runner, runnerChip(state.runner, Date.now()));
    this.empty.hidden = !view.empty;
    this.overview.hidden = view.empty;
    this.chartSection.element.hidden = view.empty;
    this.processSection.element.hidden = view.empty;
    // Actions stay visible without samples: a run that was stopped still has its story.
    this.actionSection.element.hidden = view.empty && view.actions.length === 0;
    if (view.empty && !this.empty.firstChild) {
      this.empty.append(
        emptyState('pulse', 'No tests running — memory is sampled while tests run', [
          'Run your tests and this panel shows the memory of the whole test process tree against the limit, tier by tier, with the process and test holding it.',
        ], [button('Run all tests', () => runCommand({ command: 'redline.runAll' }), { icon: 'run-all' })]),
      );
    }
    if (view.gauge) replaceChildren(this.overview, renderGauge(view.gauge, view.live), renderGaugeFigures(view.gauge));
    if (!view.empty) {
      this.chartSection.note.textContent = `${state.samples.length} samples · tier lines at ${state.tierPercents.warning} / ${state.tierPercents.critical} / ${state.tierPercents.emergency} / ${state.tierPercents.terminal}%`;
      this.chart.update(state.samples, state.tierPercents);
      const when = view.live ? 'live' : 'when the last run ended';
      this.processSection.note.textContent = view.processes.length > 0 ? `${view.processes.length} · ${when} · largest first` : when;
      replaceChildren(this.processSection.body, renderProcessTable(view.processes));
    }
    this.actionSection.note.textContent = view.actions.length > 0 ? `${view.actions.length} · newest first` : '';
    replaceChildren(this.actionSection.body, renderActionTable(view.actions));
  }
}
