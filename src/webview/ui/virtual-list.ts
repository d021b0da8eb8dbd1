// A list that creates DOM only for the rows in view (plus a few either side), so a tree of
// thousands of tests costs the same to draw as one of forty. Rows have one fixed height; the
// scroll range comes from a sizer element as tall as all rows together.
import { h, setStyle } from '../dom';

export interface VirtualListOptions<T> {
  readonly rowHeight: number;
  /** Rows drawn beyond each edge of the view, so a fast scroll shows no blank strip. */
  readonly overscan?: number;
  readonly className?: string;
  readonly role?: string;
  readonly label: string;
  renderRow(item: T, index: number): HTMLElement;
}

export class VirtualList<T> {
  readonly element: HTMLDivElement;
  private readonly sizer: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private items: readonly T[] = [];
  private frame = 0;
  private readonly resize: ResizeObserver;

  constructor(private readonly options: VirtualListOptions<T>) {
    this.layer = h('div', { class: 'vlist-layer', role: 'presentation' });
    this.sizer = h('div', { class: 'vlist-sizer', role: 'presentation' }, this.layer);
    this.element = h('div', { class: `vlist ${options.className ?? ''}`.trim(), role: options.role ?? 'list', tabIndex: 0, attrs: { 'aria-label': options.label } }, this.sizer);
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.element);
  }

  get length(): number {
    return this.items.length;
  }

  /** Replace the rows and draw the ones in view at once (no frame of stale rows). */
  setItems(items: readonly T[]): void {
    this.items = items;
    setStyle(this.sizer, { height: `${items.length * this.options.rowHeight}px` });
    this.render();
  }

  /** Redraw the rows in view (after a change that keeps the items, e.g. the focused row). */
  render(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const { rowHeight } = this.options;
    const overscan = this.options.overscan ?? 8;
    const top = this.element.scrollTop;
    // Before the first layout clientHeight is 0: draw a screenful rather than nothing.
    const height = this.element.clientHeight || 800;
    const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
    const last = Math.min(this.items.length, Math.ceil((top + height) / rowHeight) + overscan);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) rows.push(this.options.renderRow(this.items[i]!, i));
    setStyle(this.layer, { transform: `translateY(${first * rowHeight}px)` });
    this.layer.replaceChildren(...rows);
  }

  /** Scroll the least needed to show row `index`. */
  reveal(index: number): void {
    const { rowHeight } = this.options;
    const top = index * rowHeight;
    const view = this.element.clientHeight;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + rowHeight > this.element.scrollTop + view) this.element.scrollTop = top + rowHeight - view;
  }

  get scrollTop(): number {
    return this.element.scrollTop;
  }

  set scrollTop(value: number) {
    this.element.scrollTop = value;
  }

  dispose(): void {
    this.resize.disconnect();
    if (this.frame) cancelAnimationFrame(this.frame);
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }
}
