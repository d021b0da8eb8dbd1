// The memory gauge: a half-ring filled to the tree's share of the limit, in the tier's colour,
// with a tick where each tier starts.
import type { GaugeView } from '../../core/views/memory-view';
import { TIER_LABELS, TIER_MEANINGS } from '../../core/views/memory-view';
import { h, svg, svgTitle } from '../dom';

const R = 64;
const STROKE = 12;
const CX = 80;
const CY = 78;

/** A point on the half-ring at `fraction` (0 at the left end, 1 at the right). */
function at(fraction: number, radius: number): [number, number] {
  const angle = Math.PI * (1 - fraction);
  return [round(CX + radius * Math.cos(angle)), round(CY - radius * Math.sin(angle))];
}

function arc(from: number, to: number): string {
  const [x1, y1] = at(from, R);
  const [x2, y2] = at(to, R);
  return `M${x1},${y1}A${R},${R} 0 0 1 ${x2},${y2}`;
}

export function renderGauge(gauge: GaugeView, live: boolean): HTMLElement {
  const ticks = gauge.ticks.map((t) => {
    const [x1, y1] = at(t.fraction, R + STROKE / 2 + 1);
    const [x2, y2] = at(t.fraction, R + STROKE / 2 + 6);
    return svg('line', { x1, y1, x2, y2, class: `gauge-tick tier-${t.tier}` }, svgTitle(`${TIER_LABELS[t.tier]} from ${Math.round(t.fraction * 100)}%`));
  });
  const value = gauge.fraction > 0.001 ? svg('path', { d: arc(0, gauge.fraction), class: `gauge-value tier-${gauge.tier}`, 'stroke-width': STROKE }) : null;
  const ring = svg(
    'svg',
    { viewBox: '0 0 160 92', class: 'gauge-svg', role: 'img', 'aria-label': `Memory ${gauge.percentText} of the limit, tier ${TIER_LABELS[gauge.tier]}` },
    svg('path', { d: arc(0, 1), class: 'gauge-track', 'stroke-width': STROKE }),
    value,
    ...ticks,
  );
  return h(
    'div',
    { class: `gauge tier-${gauge.tier}` },
    ring,
    h('div', { class: 'gauge-percent' }, gauge.percentText),
    h('div', { class: 'gauge-caption' }, live ? 'of the limit' : 'of the limit, last run'),
  );
}

export function renderGaugeFigures(gauge: GaugeView): HTMLElement {
  return h(
    'dl',
    { class: 'figures' },
    h('dt', null, 'Test process tree'),
    h('dd', null, h('span', { class: 'figure-big' }, gauge.usedText), h('span', { class: 'figure-dim' }, ` of ${gauge.limitText}`)),
    h('dt', null, 'Tier'),
    h('dd', { title: TIER_MEANINGS[gauge.tier] }, h('span', { class: `tier-chip tier-${gauge.tier}` }, TIER_LABELS[gauge.tier]), h('span', { class: 'figure-dim' }, ` ${TIER_MEANINGS[gauge.tier]}`)),
    h('dt', null, 'Peak in view'),
    h('dd', null, gauge.peakText),
    h('dt', null, 'Processes'),
    h('dd', null, String(gauge.processCount)),
  );
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
