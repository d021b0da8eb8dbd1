// A titled block of a panel: heading, optional note beside it, content below.
import { h, type Child } from '../dom';

export interface Section {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  readonly note: HTMLElement;
}

export function section(title: string, extraClass = '', ...actions: Child[]): Section {
  const note = h('span', { class: 'section-note' });
  const body = h('div', { class: 'section-body' });
  const element = h(
    'section',
    { class: `section ${extraClass}`.trim() },
    h('header', { class: 'section-header' }, h('h2', null, title), note, h('span', { class: 'section-actions' }, ...actions)),
    body,
  );
  return { element, body, note };
}
