// What the bench runs inside the workbench page and inside the Memory panel's webview. Plain
// JavaScript in strings: it runs in the browser (this project's TypeScript has no DOM library),
// and Playwright takes a string as it is.

/** Redline's status bar item: VS Code's id is `<extension id>.<item id>`. */
const ITEM = '[id="redline.redline.redline.memory"]';

/**
 * Added to the workbench page before it loads (top frame only). Records in `window.__rlBench`:
 * - `marks`: performance.now() (ms after navigation start) when `.monaco-workbench`, the status
 *   bar part and Redline's item first appear;
 * - `status`: [Date.now(), text, styles] each time Redline's item changes its text (icons as
 *   `$(name)`, the way an extension writes them) or the style attributes in it (colour,
 *   background), seen by a MutationObserver on the status bar part;
 * - `mutations`: Date.now() of each observer callback that touched Redline's item.
 */
export const INIT_SCRIPT = `(() => {
  if (window.top !== window || window.__rlBench) return;
  const bench = { marks: {}, status: [], mutations: [] };
  window.__rlBench = bench;
  const textOf = (root) => {
    const out = [];
    const walk = (node) => {
      if (node.nodeType === 3) out.push(node.textContent || '');
      else if (node.nodeType === 1) {
        const classes = Array.from(node.classList || []);
        const icon = classes.find((c) => c.startsWith('codicon-') && c !== 'codicon-modifier-spin');
        if (icon && classes.includes('codicon')) out.push('$(' + icon.slice('codicon-'.length) + ')');
        node.childNodes.forEach(walk);
      }
    };
    walk(root);
    return out.join('').replace(/\\s+/g, ' ').trim();
  };
  let last = null;
  const check = () => {
    const el = document.querySelector(${JSON.stringify(ITEM)});
    if (el && bench.marks.item === undefined) bench.marks.item = performance.now();
    const text = el ? textOf(el) : null;
    const styles = el ? [el, ...el.querySelectorAll('[style]')].map((n) => n.getAttribute('style') || '').join(';') : '';
    const key = text + '|' + styles;
    if (key !== last) {
      last = key;
      bench.status.push([Date.now(), text, styles]);
    }
  };
  const watchBar = (bar) => {
    new MutationObserver((records) => {
      const el = document.querySelector(${JSON.stringify(ITEM)});
      if (el && records.some((r) => el.contains(r.target) || r.target === el)) bench.mutations.push(Date.now());
      check();
    }).observe(bar, { subtree: true, childList: true, characterData: true, attributes: true });
    check();
  };
  const findBar = () => {
    if (bench.marks.workbench === undefined && document.querySelector('.monaco-workbench')) bench.marks.workbench = performance.now();
    const bar = document.getElementById('workbench.parts.statusbar');
    if (bar && bench.marks.statusbar === undefined) bench.marks.statusbar = performance.now();
    return bar;
  };
  const bar = findBar();
  if (bar) watchBar(bar);
  else {
    const doc = new MutationObserver(() => {
      const found = findBar();
      if (found) {
        doc.disconnect();
        watchBar(found);
      }
    });
    doc.observe(document, { childList: true, subtree: true });
  }
})();`;

export interface Marks {
  readonly workbench?: number;
  readonly statusbar?: number;
  readonly item?: number;
}

/** [Date.now(), text (null: the item is gone), style attributes]. */
export type StatusRecord = [number, string | null, string];

export interface PageRecords {
  readonly marks: Marks;
  readonly status: StatusRecord[];
  readonly mutations: number[];
}

export const READ_PAGE_RECORDS = 'window.__rlBench';

/**
 * Evaluated in the Memory panel's page (the webview's `iframe#active-frame`): counts the
 * messages it receives from the host. Each: [Date.now(), kind or 'other', runner state, the
 * latest sample's atMs (the host's clock when it got the sample), samples in the chart].
 */
export const MESSAGE_COUNTER = `(() => {
  if (window.__rlMsgs) return window.__rlMsgs.length;
  const msgs = (window.__rlMsgs = []);
  window.addEventListener('message', (event) => {
    const d = event.data;
    if (!d || d.type !== 'state') {
      msgs.push([Date.now(), 'other', null, null, null]);
      return;
    }
    const s = d.state || {};
    msgs.push([Date.now(), d.kind, s.runner ? s.runner.state : null, s.latest ? s.latest.atMs : null, Array.isArray(s.samples) ? s.samples.length : null]);
  });
  return 0;
})()`;

/** [Date.now(), kind, runner state, latest sample's atMs, chart samples]. */
export type MessageRecord = [number, string, string | null, number | null, number | null];

export const READ_MESSAGES = 'window.__rlMsgs';

/** Whether this frame is the Memory panel's content. */
export const IS_MEMORY_PANEL = `!!document.body && (document.body.textContent || '').includes('Memory over time')`;

/**
 * Rows of Developer: Show Running Extensions: [name, activation text] (e.g. "Startup
 * Activation: 75ms", "Activation: 12ms", "Activating...").
 */
export const RUNNING_EXTENSIONS = `Array.from(document.querySelectorAll('.runtime-extensions-editor .monaco-list-row')).map((row) => [
  (row.querySelector('.name') || {}).textContent || '',
  (row.querySelector('.activation-time') || {}).textContent || '',
])`;
