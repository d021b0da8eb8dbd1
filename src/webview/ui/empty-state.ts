// The message a panel shows when it has nothing to show yet, with what to do about it.
import { h, icon, type Child } from '../dom';

export function emptyState(codicon: string, title: string, body: readonly Child[], actions: readonly Child[] = []): HTMLElement {
  return h(
    'div',
    { class: 'empty-state', role: 'status' },
    icon(codicon, 'empty-state-icon'),
    h('p', { class: 'empty-state-title' }, title),
    h('p', { class: 'empty-state-body' }, ...body),
    actions.length > 0 ? h('div', { class: 'empty-state-actions' }, ...actions) : null,
  );
}
