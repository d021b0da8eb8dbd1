// The leak alerts panel: one card per suspected leak of the last run that looked for leaks, and
// one per file the memory guard stopped with heap snapshots (what it was filling memory with);
// or an empty state that says how to turn leak detection on.
import { leakCards, stopCards } from '../../core/views/leaks-view';
import { formatAgo } from '../../core/views/time-text';
import type { LeaksPanelState } from '../../protocol/webview';
import { h, replaceChildren } from '../dom';
import { button } from '../elements';
import { post, runCommand } from '../host';
import type { PanelView } from '../panel';
import { emptyState } from '../ui/empty-state';
import { renderLeakCard, renderStopCard } from './leak-card';

export class LeaksPanel implements PanelView<LeaksPanelState> {
  readonly element = h('div', { class: 'leaks-panel' });

  constructor(initial: LeaksPanelState) {
    this.update(initial);
  }

  update(state: LeaksPanelState): void {
    const cards = leakCards(state.leaks);
    const stops = stopCards(state.stops ?? []);
    if (cards.length === 0 && stops.length === 0) {
      replaceChildren(this.element, state.enabled ? noLeaks(state) : turnOn());
      return;
    }
    const counts = [
      cards.length > 0 || state.enabled ? `${cards.length} suspected ${cards.length === 1 ? 'leak' : 'leaks'}` : null,
      stops.length > 0 ? `${stops.length} ${stops.length === 1 ? 'file' : 'files'} stopped for memory` : null,
    ].filter((t): t is string => t !== null);
    const header = h(
      'div',
      { class: 'toolbar' },
      h('div', { class: 'toolbar-status' }, counts.join(' · '), state.lastRun ? h('span', { class: 'muted' }, ` · run ${formatAgo(Date.parse(state.lastRun.startedAt), Date.now())}`) : null),
      !state.heapSnapshot
        ? h(
            'button',
            { class: 'link small', title: 'Setting redline.memory.heapSnapshot: two V8 heap snapshots per file, compared', attrs: { type: 'button' }, on: { click: () => post({ type: 'openSettings', query: 'redline.memory' }) } },
            'Turn on heap snapshots to see which constructors grew',
          )
        : null,
    );
    // Stops first: a stopped file did not finish, which matters more than a climb in one that did.
    replaceChildren(this.element, header, h('div', { class: 'leak-list' }, ...stops.map(renderStopCard), ...cards.map(renderLeakCard)));
  }
}

function turnOn(): HTMLElement {
  return emptyState(
    'flame',
    'Leak detection is off',
    [
      'With it on, the probe collects garbage after every test and Redline watches each file’s memory for a steady climb. Turn on the setting ',
      h('code', null, 'redline.leaks.enabled'),
      ' (or ',
      h('code', null, '"leaks": { "enabled": true }'),
      ' in redline.config.json, or ',
      h('code', null, 'redline run --leaks'),
      ' for one run). It costs a few milliseconds per test.',
    ],
    [button('Open the setting', () => post({ type: 'openSettings', query: 'redline.leaks.enabled' }), { icon: 'settings-gear' })],
  );
}

function noLeaks(state: LeaksPanelState): HTMLElement {
  return emptyState(
    'pass',
    state.lastRun ? 'No leaks found' : 'No run has looked for leaks yet',
    [
      state.lastRun
        ? `No file’s memory kept growing after garbage collection in the last run (${formatAgo(Date.parse(state.lastRun.startedAt), Date.now())}, ${state.lastRun.files} files).`
        : 'Leak detection is on: run your tests and any file whose memory keeps growing after garbage collection shows up here.',
    ],
    [button('Run all tests', () => runCommand({ command: 'redline.runAll' }), { icon: 'run-all', secondary: state.lastRun !== null })],
  );
}
