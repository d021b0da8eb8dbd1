// The memory history chart: the tree's memory over the last minutes against horizontal lines
// where each tier starts. Drawn at the container's pixel size (re-drawn on resize) so lines and
// labels stay crisp rather than stretched.
import { chartGeometry, type ChartGeometry } from '../../core/views/memory-view';
import type { TierPercents } from '../../protocol/runner';
import type { ChartSample } from '../../protocol/webview';
import { h, svg, svgTitle } from '../dom';

const HEIGHT = 180;
const PAD = { padLeft: 4, padRight: 112, padTop: 10, padBottom: 22 };

export class MemoryChart {
  readonly element = h('div', { class: 'chart', role: 'img' });
  private samples: readonly ChartSample[] = [];
  private percents: TierPercents | null = null;
  private width = 0;
  private readonly resize = new ResizeObserver((entries) => {
    const width = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (width !== this.width) {
      this.width = width;
      this.draw();
    }
  });

  constructor() {
    this.resize.observe(this.element);
  }

  update(samples: readonly ChartSample[], percents: TierPercents): void {
    this.samples = samples;
    this.percents = percents;
    if (!this.width) this.width = Math.floor(this.element.clientWidth);
    this.draw();
  }

  private draw(): void {
    if (!this.percents) return;
    const width = Math.max(this.width || 600, 160);
    const geometry = chartGeometry(this.samples, this.percents, { width, height: HEIGHT, ...PAD });
    this.element.setAttribute('aria-label', `Memory of the test process tree over the last ${this.samples.length} samples`);
    this.element.replaceChildren(drawChart(geometry, width));
  }
}

function drawChart(g: ChartGeometry, width: number): SVGSVGElement {
  const { plot } = g;
  const root = svg('svg', { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, class: 'chart-svg' });
  root.append(svg('line', { x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom, class: 'chart-axis' }));
  for (const line of g.tierLines) {
    root.append(
      svg('line', { x1: plot.left, x2: plot.right, y1: line.y, y2: line.y, class: `chart-tier tier-${line.tier}` }),
      text(plot.right + 8, line.labelY + 4, line.label, `chart-tier-label tier-${line.tier}`),
    );
  }
  for (const x of g.runStarts) root.append(svg('line', { x1: x, x2: x, y1: plot.top, y2: plot.bottom, class: 'chart-run-start' }, svgTitle('A new run started here')));
  if (g.area) root.append(svg('path', { d: g.area, class: 'chart-area' }));
  if (g.line) root.append(svg('path', { d: g.line, class: 'chart-line' }));
  if (g.last) root.append(svg('circle', { cx: g.last.x, cy: g.last.y, r: 3.5, class: `chart-dot tier-${g.last.tier}` }));
  for (const tick of g.timeTicks) {
    root.append(svg('line', { x1: tick.x, x2: tick.x, y1: plot.bottom, y2: plot.bottom + 4, class: 'chart-axis' }));
    const anchor = tick.x < plot.left + 20 ? 'start' : tick.x > plot.right - 20 ? 'end' : 'middle';
    const label = text(tick.x, HEIGHT - 6, tick.label, 'chart-time');
    label.setAttribute('text-anchor', anchor);
    root.append(label);
  }
  return root;
}

function text(x: number, y: number, content: string, cls: string): SVGTextElement {
  const el = svg('text', { x, y, class: cls });
  el.textContent = content;
  return el;
}
