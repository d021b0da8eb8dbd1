// The recovery panel: the runner's status with a restart, the backups of `.redline/` with
// restore / back up / prune, and the two resets. Every button runs a `redline.*` command, and
// the commands ask for confirmation where something is lost.
import { backupRows, runnerStatusView } from '../../core/views/recovery-view';
import type { RecoveryPanelState } from '../../protocol/webview';
import { h, icon, replaceChildren } from '../dom';
import { button } from '../elements';
import { loadUiState, runCommand, saveUiState } from '../host';
import type { PanelView } from '../panel';
import { section } from '../ui/section';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';

/** "3 min ago" texts age: redraw them this often while the panel is open. */
const AGE_REFRESH_MS = 30_000;

export class RecoveryPanel implements PanelView<RecoveryPanelState> {
  readonly element: HTMLElement;
  private state: RecoveryPanelState;
  private readonly runnerSection = section('Runner', 'runner-section', button('Show log', () => runCommand({ command: 'redline.showLog' }), { icon: 'output', secondary: true }));
  private readonly backupSection = section('Backups');
  private readonly label: VscodeTextfield;

  constructor(initial: RecoveryPanelState) {
    this.state = initial;
    const saved = loadUiState('recovery') as { label?: unknown } | undefined;
    this.label = h('vscode-textfield', { class: 'backup-label', attrs: { placeholder: 'Label (optional)', 'aria-label': 'Label for the new backup', maxlength: 200 } });
    this.label.value = typeof saved?.label === 'string' ? saved.label : '';
    this.label.addEventListener('input', () => saveUiState('recovery', { label: this.label.value }));
    this.label.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.backUp();
    });
    this.backupSection.element.querySelector('.section-actions')?.append(
      this.label,
      button('Back up now', () => this.backUp(), { icon: 'save', title: 'Copy the phases, the cache index and the run history into a new backup' }),
      button('Prune', () => runCommand({ command: 'redline.pruneBackups' }), { icon: 'trash', secondary: true, title: 'Remove the oldest backups beyond the maximum kept (setting redline.backups.max)' }),
    );
    this.element = h('div', { class: 'recovery-panel' }, this.runnerSection.element, this.backupSection.element, resetSection());
    this.render();
    window.setInterval(() => this.render(), AGE_REFRESH_MS);
  }

  update(state: RecoveryPanelState): void {
    this.state = state;
    this.render();
  }

  private backUp(): void {
    const label = this.label.value.trim();
    runCommand({ command: 'redline.backup', args: { label } });
    this.label.value = '';
    saveUiState('recovery', { label: '' });
  }

  private render(): void {
    const now = Date.now();
    const status = runnerStatusView(this.state.runner, now);
    replaceChildren(
      this.runnerSection.body,
      h(
        'div',
        { class: `runner-card tone-${status.tone}` },
        h('div', { class: 'runner-head' }, icon(status.icon, `runner-icon${status.icon === 'loading' ? ' codicon-modifier-spin' : ''}`), h('span', { class: 'runner-state' }, status.label), h('span', { class: 'muted' }, status.summary)),
        status.message ? h('p', { class: 'runner-message' }, status.message) : null,
        h('dl', { class: 'runner-details' }, ...status.details.flatMap((d) => [h('dt', null, d.label), h('dd', null, d.value)])),
        h('div', { class: 'button-row' }, button('Restart runner', () => runCommand({ command: 'redline.restartRunner' }), { icon: 'debug-restart', title: 'Stop the runner and start a fresh one' })),
      ),
    );
    this.renderBackups(now);
  }

  private renderBackups(now: number): void {
    const rows = backupRows(this.state.backups, now);
    this.backupSection.note.textContent = rows.length > 0 ? `${rows.length} · newest first` : '';
    const error = this.state.backupsError ? h('p', { class: 'callout error' }, icon('warning'), ` Could not list the backups: ${this.state.backupsError}`) : null;
    if (rows.length === 0) {
      replaceChildren(
        this.backupSection.body,
        error,
        h('p', { class: 'muted' }, 'No backups yet. Redline takes one before every reset and restore; back up now to keep a state you can return to.'),
      );
      return;
    }
    replaceChildren(
      this.backupSection.body,
      error,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data-table backups-table' },
          h('thead', null, h('tr', null, ...['Created', 'Label', 'Size', 'Made by', ''].map((t) => h('th', { attrs: { scope: 'col' } }, t)))),
          h(
            'tbody',
            null,
            ...rows.map((row) =>
              h(
                'tr',
                null,
                h('td', { title: row.id }, row.createdText, h('span', { class: 'muted' }, ` · ${row.agoText}`)),
                h('td', null, row.label || h('span', { class: 'muted' }, '—')),
                h('td', { class: 'num' }, row.sizeText),
                h('td', { title: row.auto ? 'Taken by Redline before a reset or restore; pruned first' : 'Taken by you' }, row.auto ? h('span', { class: 'auto-chip' }, 'automatic') : 'you'),
                h('td', { class: 'row-buttons' }, button('Restore', () => runCommand({ command: 'redline.restore', args: { id: row.id } }), { icon: 'history', secondary: true, title: `Restore ${row.id} (asks first; the current state is backed up)` })),
              ),
            ),
          ),
        ),
      ),
    );
  }
}

function resetSection(): HTMLElement {
  const reset = section('Reset');
  reset.note.textContent = 'Either one takes a backup first, so Restore can undo it';
  reset.body.append(
    h(
      'div',
      { class: 'reset-cards' },
      resetCard(
        'Soft reset',
        'Clears the run history and the result cache, so every file runs again. Keeps the TDD phases and the backups.',
        'Soft reset…',
        () => runCommand({ command: 'redline.resetSoft' }),
      ),
      resetCard(
        'Hard reset',
        'Stops the runner and removes everything in .redline except the backups: the TDD phases too, the cache, the run history and the heap snapshots.',
        'Hard reset…',
        () => runCommand({ command: 'redline.resetHard' }),
      ),
    ),
  );
  return reset.element;
}

function resetCard(title: string, text: string, label: string, onClick: () => void): HTMLElement {
  return h('div', { class: 'reset-card' }, h('h3', null, title), h('p', null, text), button(label, onClick, { secondary: true, icon: 'discard' }));
}
