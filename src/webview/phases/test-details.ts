// The selected test: where it is, its phase, and its phase history with times.
import { formatAgo, formatDateTime } from '../../core/views/time-text';
import type { TestDetails } from '../../core/views/phase-tree-view';
import { h, icon } from '../dom';
import { button } from '../elements';
import { runCommand } from '../host';
import { fileLink } from '../ui/link';
import { NEVER_FAILED_TITLE, phaseBadge, phaseIcon } from '../ui/phase-badge';

export function renderTestDetails(test: TestDetails, now: number, onClose: () => void): HTMLElement {
  const approve = test.approve;
  return h(
    'div',
    { class: 'details', role: 'region', attrs: { 'aria-label': `Details of ${test.name}` } },
    h(
      'div',
      { class: 'details-header' },
      phaseBadge(test.phase),
      h('span', { class: 'details-title', title: test.fullName }, test.name),
      h('span', { class: 'row-spacer' }),
      approve ? button('Approve', () => runCommand({ command: 'redline.approve', args: { file: approve.file, ...(approve.fullName === undefined ? {} : { fullName: approve.fullName }) } }), { icon: 'check', title: approve.title }) : null,
      h('button', { class: 'icon-button', title: 'Close details', attrs: { type: 'button', 'aria-label': 'Close details' }, on: { click: onClose } }, icon('close')),
    ),
    h('div', { class: 'details-path' }, fileLink(test.file), ...test.describes.flatMap((d) => [h('span', { class: 'crumb-sep' }, icon('chevron-right')), h('span', null, d)])),
    test.neverFailed ? h('p', { class: 'details-note' }, icon('eye-closed'), ` ${NEVER_FAILED_TITLE}`) : null,
    h('h3', null, 'Phase history'),
    h(
      'ol',
      { class: 'history' },
      ...test.history.map((change, i) =>
        h(
          'li',
          { class: i === 0 ? 'current' : '' },
          phaseIcon(change.phase),
          h('span', { class: `history-phase phase-text-${change.phase.toLowerCase()}` }, change.phase),
          h('span', { class: 'history-time' }, formatDateTime(change.at)),
          h('span', { class: 'history-ago' }, i === 0 ? `${formatAgo(change.at, now)} · current` : formatAgo(change.at, now)),
        ),
      ),
    ),
  );
}
