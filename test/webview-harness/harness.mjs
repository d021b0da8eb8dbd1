// Loads the built panels (dist/webview/main.js and media/webview/*.css) in Debian's Chromium the
// way VS Code does: the page from panelHtml() (src/extension/panels/panel-html.ts) with its real
// Content Security Policy, resources served from one origin that stands in for cspSource, a fake
// acquireVsCodeApi that records what the page posts, and a theme's --vscode-* variables on
// <html> with the body class VS Code sets. Console errors (CSP violations among them) are kept
// so a caller can fail on them.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { themeVariables, THEME_KINDS } from './themes.mjs';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
const ORIGIN = 'https://redline.test';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json' };

let panelHtmlModule;

/** panelHtml() from its TypeScript source, bundled once for Node. */
async function panelHtml(options) {
  if (!panelHtmlModule) {
    const out = join(mkdtempSync(join(tmpdir(), 'redline-harness-')), 'panel-html.mjs');
    await esbuild.build({ entryPoints: [join(REPO, 'src/extension/panels/panel-html.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' });
    panelHtmlModule = await import(pathToFileURL(out).href);
  }
  return panelHtmlModule.panelHtml(options);
}

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  if (!existsSync(join(REPO, 'dist/webview/main.js'))) throw new Error('dist/webview/main.js is missing: run `node esbuild.mjs` first');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu-sandbox'] });
}

/**
 * Open one panel. `ui` is the state the page's getState() returns (what setState saved before a
 * reload); `now` fixes Date.now() so relative times ("5 min ago") are the same on every run.
 */
export async function openPanel(browser, { kind, state, theme = 'dark-modern', width = 1000, height = 720, ui, now }) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') errors.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));

  const html = await panelHtml({
    kind,
    title: `Redline ${kind}`,
    cspSource: ORIGIN,
    nonce: 'aGFybmVzcy1ub25jZS0xMjM0NTY=',
    scriptUri: `${ORIGIN}/dist/webview/main.js`,
    codiconUri: `${ORIGIN}/dist/webview/codicon.css`,
    styleUris: [`${ORIGIN}/media/webview/base.css`, `${ORIGIN}/media/webview/${kind}.css`],
    state,
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/panel.html') return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    const file = join(REPO, path);
    if (!file.startsWith(REPO) || !(path.startsWith('/dist/webview/') || path.startsWith('/media/')) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  await page.addInitScript(
    ({ vars, bodyClass, ui, kind, now }) => {
      if (now !== undefined) {
        const realNow = Date.now.bind(Date);
        const offset = now - realNow();
        Date.now = () => realNow() + offset;
      }
      window.__posted = [];
      let saved = ui === undefined ? undefined : { kind, ui };
      let acquired = false;
      window.acquireVsCodeApi = () => {
        if (acquired) throw new Error('acquireVsCodeApi called twice');
        acquired = true;
        return {
          postMessage: (message) => window.__posted.push(message),
          getState: () => saved,
          setState: (state) => {
            saved = state;
            window.__saved = state;
            return state;
          },
        };
      };
      // The init script runs before the document has an element: theme <html> and <body> as
      // soon as the parser creates them, before any of the page's scripts run.
      const applyTheme = () => {
        const root = document.documentElement;
        if (root && !root.dataset.harnessThemed) {
          root.dataset.harnessThemed = 'true';
          for (const [name, value] of Object.entries(vars)) root.style.setProperty(name, value);
        }
        if (document.body && !document.body.classList.contains(bodyClass)) {
          document.body.classList.add(bodyClass);
          document.body.dataset.vscodeThemeKind = bodyClass;
        }
        return Boolean(root && document.body);
      };
      if (!applyTheme()) {
        const observer = new MutationObserver(() => {
          if (applyTheme()) observer.disconnect();
        });
        observer.observe(document, { childList: true, subtree: true });
      }
    },
    { vars: themeVariables(theme), bodyClass: THEME_KINDS[theme], ui, kind, now },
  );
  await page.goto(`${ORIGIN}/panel.html`);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  await page.evaluate(() => document.fonts.ready);
  return { page, context, errors };
}

/** Send the page a host message, as webview.postMessage does. */
export async function postToPage(page, message) {
  await page.evaluate((m) => window.dispatchEvent(new MessageEvent('message', { data: m })), message);
}

export function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2));
}
