// The memory panel's two tables: the processes of the test tree (largest first) and the
// guard's recent actions (newest first).
import { TIER_LABELS, type ActionRowView, type ProcessRowView } from '../../core/views/memory-view';
import { h, setStyle, type Child } from '../dom';
import { fileLink } from '../ui/link';

const ROLE_TITLES: Readonly<Record<ProcessRowView['role'], string>> = {
  runner: "Vitest's main process (inside the Redline runner)",
  worker: 'A Vitest worker running a test file',
  child: 'A process started by a test (or by something it called)',
};

export function renderProcessTable(rows: readonly ProcessRowView[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No test process is running.');
  return table(
    ['PID', 'Role', 'Memory', 'File', 'Test'],
    rows.map((row) => {
      const bar = h('span', { class: 'bar-fill' });
      setStyle(bar, { width: `${Math.max(2, Math.round(row.share * 100))}%` });
      return h(
        'tr',
        null,
        h('td', { class: 'num' }, String(row.pid)),
        h('td', null, h('span', { class: `role role-${row.role}`, title: ROLE_TITLES[row.role] }, row.role)),
        h('td', { class: 'mem-cell' }, h('span', { class: 'num' }, row.rssText), h('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, bar)),
        h('td', { class: 'path-cell' }, row.file ? fileLink(row.file) : h('span', { class: 'muted' }, '—')),
        h('td', { class: 'test-cell', title: row.test ?? '' }, row.test ?? h('span', { class: 'muted' }, '—')),
      );
    }),
    'process-table',
  );
}

const ACTION_LABELS: Readonly<Record<ActionRowView['action'], string>> = {
  warn: 'warn',
  throttle: 'throttle',
  block: 'block',
  release: 'release',
  gc: 'collect garbage',
  stop: 'stop',
};

export function renderActionTable(rows: readonly ActionRowView[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No guard actions in this run: memory stayed below the warning tier.');
  return table(
    ['When', 'Action', 'Tier', 'Memory', 'Where', 'Why'],
    rows.map((row) =>
      h(
        'tr',
        null,
        h('td', { class: 'num muted', title: 'Time since the run started' }, row.timeText),
        h('td', null, h('span', { class: `action-chip tone-${row.tone}` }, ACTION_LABELS[row.action])),
        h('td', null, h('span', { class: `tier-text tier-${row.tier}` }, TIER_LABELS[row.tier])),
        h('td', { class: 'num' }, row.rssText),
        h('td', { class: 'path-cell' }, ...where(row)),
        h('td', { class: 'reason-cell' }, row.reason),
      ),
    ),
    'action-table',
  );
}

function where(row: ActionRowView): Child[] {
  if (!row.file && !row.test) return [h('span', { class: 'muted' }, 'whole tree')];
  return [row.file ? fileLink(row.file) : null, row.test ? h('div', { class: 'test-name', title: row.test }, row.test) : null];
}

function table(headers: readonly string[], rows: readonly HTMLElement[], cls: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: `data-table ${cls}` }, h('thead', null, h('tr', null, ...headers.map((title) => h('th', { attrs: { scope: 'col' } }, title)))), h('tbody', null, ...rows)),
  );
}
