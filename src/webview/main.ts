// The panels' browser entry point. One bundle serves all four: the page says which panel it is
// (`<body data-panel>`) and carries its first state in a JSON block, so the first paint needs no
// round trip. After that the host sends `state` messages (at most ~20 a second) and the panel
// redraws what changed.
import type { PanelKind } from '../protocol/commands';
import type { HostMessage, PanelStates } from '../protocol/webview';
import { h, icon, replaceChildren } from './dom';
import './elements';
import { post, reportError } from './host';
import { LeaksPanel } from './leaks/leaks-panel';
import { MemoryPanel } from './memory/memory-panel';
import type { PanelView } from './panel';
import { PhasesPanel } from './phases/phases-panel';
import { RecoveryPanel } from './recovery/recovery-panel';

const KINDS: readonly PanelKind[] = ['memory', 'phases', 'leaks', 'recovery'];

const FACTORIES: { [K in PanelKind]: (state: PanelStates[K]) => PanelView<PanelStates[K]> } = {
  memory: (state) => new MemoryPanel(state),
  phases: (state) => new PhasesPanel(state),
  leaks: (state) => new LeaksPanel(state),
  recovery: (state) => new RecoveryPanel(state),
};

function createPanel<K extends PanelKind>(kind: K, state: PanelStates[K]): PanelView<PanelStates[K]> {
  return FACTORIES[kind](state);
}

function readInitialState(): unknown {
  const block = document.getElementById('redline-state');
  return block?.textContent ? JSON.parse(block.textContent) : undefined;
}

function showFailure(root: HTMLElement, error: unknown): void {
  reportError(error);
  replaceChildren(
    root,
    h(
      'div',
      { class: 'empty-state', role: 'alert' },
      icon('error', 'empty-state-icon'),
      h('p', { class: 'empty-state-title' }, 'This panel could not be drawn'),
      h('p', { class: 'empty-state-body' }, error instanceof Error ? error.message : String(error), ' — the details are in the Redline log.'),
    ),
  );
}

function start(): void {
  const root = document.getElementById('app') ?? document.body;
  const kind = document.body.dataset.panel as PanelKind | undefined;
  if (!kind || !KINDS.includes(kind)) {
    showFailure(root, new Error(`unknown panel "${String(kind)}"`));
    return;
  }
  let panel: PanelView<PanelStates[typeof kind]> | null = null;
  try {
    panel = createPanel(kind, readInitialState() as PanelStates[typeof kind]);
    replaceChildren(root, panel.element);
  } catch (error) {
    showFailure(root, error);
  }

  window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
    const message = event.data;
    // The host is the only sender; the check keeps a stray message (an extension of the
    // page by the host, a future message type) from reaching a panel of another kind.
    if (!message || message.type !== 'state' || message.kind !== kind) return;
    try {
      const state = message.state as PanelStates[typeof kind];
      if (panel) panel.update(state);
      else {
        panel = createPanel(kind, state);
        replaceChildren(root, panel.element);
      }
    } catch (error) {
      showFailure(root, error);
      panel = null;
    }
  });
  window.addEventListener('error', (event) => reportError(event.error ?? event.message));
  window.addEventListener('unhandledrejection', (event) => reportError(event.reason));

  // The state in the page may be older than the host's (a panel that was hidden is rebuilt from
  // its first HTML): ask for the current one.
  post({ type: 'ready' });
}

start();
