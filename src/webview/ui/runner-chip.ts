// The runner's state as a small coloured label with an icon (memory and recovery panels).
import { runnerStatusView } from '../../core/views/recovery-view';
import type { RunnerStatusView } from '../../protocol/webview';
import { h, icon } from '../dom';

export function runnerChip(status: RunnerStatusView, now: number): HTMLElement {
  const view = runnerStatusView(status, now);
  const busy = view.icon === 'loading' ? ' codicon-modifier-spin' : '';
  return h('span', { class: `runner-chip tone-${view.tone}`, title: `${view.summary}${view.message ? `\n${view.message}` : ''}` }, icon(view.icon, busy.trim()), `Runner: ${view.label}`);
}
