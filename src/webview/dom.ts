// A few helpers to build DOM without innerHTML: test names, file paths and error messages are
// user data, and textContent cannot turn them into markup. Inline `style` attributes are blocked
// by the panels' Content Security Policy, so styles are set through CSSOM (`setStyle`) or classes.

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  readonly class?: string;
  readonly title?: string;
  readonly role?: string;
  readonly tabIndex?: number;
  /** Attributes, set as given (`aria-*`, `data-*`, element properties that are attributes). */
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly on?: { readonly [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el: HTMLElement, props: Props): void {
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  if (props.tabIndex !== undefined) el.tabIndex = props.tabIndex;
  if (props.attrs) {
    for (const [name, value] of Object.entries(props.attrs)) {
      if (value === undefined || value === false) continue;
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  if (props.on) {
    for (const [type, listener] of Object.entries(props.on)) if (listener) el.addEventListener(type, listener as EventListener);
  }
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replace every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A codicon (the font comes with the page's codicon.css). */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`;
  el.setAttribute('aria-hidden', 'true');
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number>> = {},
  ...children: (SVGElement | null)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) if (child) el.appendChild(child);
  return el;
}

/** An SVG <title>: the tooltip of its parent. */
export function svgTitle(content: string): SVGTitleElement {
  const el = document.createElementNS(SVG_NS, 'title');
  el.textContent = content;
  return el;
}

/** Set style properties through CSSOM, which the Content Security Policy allows. */
export function setStyle(el: HTMLElement | SVGElement, properties: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(properties)) el.style.setProperty(name, value);
}
