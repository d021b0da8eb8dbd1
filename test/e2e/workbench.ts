// Driving the real workbench (code-server's VS Code in Debian's headless Chromium) through
// playwright-core: open it, run a command from the palette, read the status bar, reach into a
// webview, switch the colour theme, take screenshots.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { chromiumPath, type CodeServer } from './code-server';

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors and console errors, for failure messages. */
  readonly errors: string[];
  close(): Promise<void>;
}

export const VIEWPORT = { width: 1400, height: 900 } as const;

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'rl-chrome-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: VIEWPORT,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `folder` in the workbench and waits until it is drawn (the status bar is there). */
export async function openWorkbench(page: Page, server: CodeServer, folder: string, payload?: ReadonlyArray<readonly [string, string]>): Promise<void> {
  await page.goto(server.workbenchUrl(folder, payload), { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await statusBar(page).waitFor({ timeout: 60_000 });
}

export function statusBar(page: Page): Locator {
  return page.locator('#workbench\\.parts\\.statusbar');
}

/** Redline's memory item (VS Code gives it the id `<extension id>.<item id>`). */
export function redlineStatusItem(page: Page): Locator {
  return statusBar(page).locator('[id="redline.redline.redline.memory"]');
}

/** The status bar item's text, icons as `$(name)` the way an extension writes them. */
export async function statusItemText(item: Locator): Promise<string> {
  // Runs in the page; typed structurally (this project's TypeScript has no DOM library).
  interface DomNode {
    readonly nodeType: number;
    readonly textContent: string | null;
    readonly childNodes: ArrayLike<DomNode>;
    readonly classList?: ArrayLike<string> & { contains(name: string): boolean };
  }
  return item.evaluate((root: unknown) => {
    const out: string[] = [];
    const walk = (node: DomNode): void => {
      if (node.nodeType === 3) out.push(node.textContent ?? '');
      else if (node.nodeType === 1) {
        const classes = Array.from(node.classList ?? []);
        const icon = classes.find((c) => c.startsWith('codicon-') && c !== 'codicon-modifier-spin');
        if (icon && classes.includes('codicon')) out.push(`$(${icon.slice('codicon-'.length)})`);
        Array.from(node.childNodes).forEach(walk);
      }
    };
    walk(root as DomNode);
    return out.join('').replace(/\s+/g, ' ').trim();
  });
}

/** F1, the command's title, Enter: what a user does. Waits for the palette to close. */
export async function runCommand(page: Page, title: string, { opensQuickInput = false } = {}): Promise<void> {
  await dismissQuickInput(page);
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  // The row whose title is exactly this one (others may rank above it), clicked.
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(title) }) }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  // A command that asks something (a quick pick, an input box) keeps the widget open.
  if (!opensQuickInput) await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => undefined);
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

export async function dismissQuickInput(page: Page): Promise<void> {
  if (await page.locator('.quick-input-widget').isVisible().catch(() => false)) await page.keyboard.press('Escape');
}

/**
 * The content of the visible webview: VS Code puts each webview in `iframe.webview.ready`, whose
 * document holds the extension's HTML in `iframe#active-frame`.
 */
export function webview(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready:visible').first().contentFrame().locator('iframe#active-frame').contentFrame();
}

export type Theme = 'light' | 'dark';
export const THEMES: Record<Theme, string> = { light: 'Default Light Modern', dark: 'Default Dark Modern' };

/**
 * Switches the colour theme the way a user does (Preferences: Color Theme, pick, Enter), which
 * writes `workbench.colorTheme` into the user settings; waits for the workbench's theme class
 * (vs / vs-dark) to follow. (Writing settings.json behind the workbench's back is not picked up
 * by code-server's file watcher here; a theme in the settings before the start is.)
 */
export async function setTheme(page: Page, theme: Theme): Promise<void> {
  const selector = theme === 'light' ? '.monaco-workbench.vs' : '.monaco-workbench.vs-dark';
  if (await page.locator(selector).count()) return;
  await runCommand(page, 'Preferences: Color Theme', { opensQuickInput: true });
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(THEMES[theme]);
  // The picker shows "Dark Modern"; its accessible name carries the theme's id too.
  await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${THEMES[theme]}"]`).first().click();
  await page.locator(selector).waitFor({ timeout: 30_000 });
}

/** A screenshot of the whole window, once the status bar's progress spinners (a language server analysing a file) are gone. */
export async function screenshot(page: Page, path: string): Promise<string> {
  await statusBar(page).locator('.codicon-modifier-spin, .codicon-loading').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
  return path;
}

/** Clears notification toasts so they do not cover what a screenshot shows. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
}
