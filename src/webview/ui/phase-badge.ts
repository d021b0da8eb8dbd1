// A TDD phase as the panels show it: a coloured codicon and, for badges, the phase's name.
// Colours come from the theme (testing.icon*, charts.yellow, errorForeground) through CSS classes.
import type { Phase } from '../../core/phases';
import { PHASE_MEANINGS } from '../../core/views/phase-tree-view';
import { h, icon } from '../dom';

const PHASE_ICONS: Readonly<Record<Phase, string>> = {
  RED: 'error',
  // An open check: it passes, and waits for approval; GREEN's is filled in.
  YELLOW: 'pass',
  GREEN: 'pass-filled',
  BROKEN: 'circle-slash',
};

export function phaseIcon(phase: Phase): HTMLSpanElement {
  const el = icon(PHASE_ICONS[phase], `phase-icon phase-${phase.toLowerCase()}`);
  el.title = PHASE_MEANINGS[phase];
  return el;
}

export function phaseBadge(phase: Phase): HTMLSpanElement {
  return h('span', { class: `phase-badge phase-${phase.toLowerCase()}`, title: PHASE_MEANINGS[phase] }, phase);
}

export const NEVER_FAILED_TITLE = 'Never seen failing: it passed on its first run, so it may have been written after the code (test-after).';

export function neverFailedIcon(): HTMLSpanElement {
  const el = icon('eye-closed', 'never-failed');
  el.title = NEVER_FAILED_TITLE;
  el.removeAttribute('aria-hidden');
  el.setAttribute('aria-label', 'never seen failing');
  el.setAttribute('role', 'img');
  return el;
}
