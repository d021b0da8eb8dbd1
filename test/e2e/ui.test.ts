// Redline as a user gets it: the .vsix from `npm run package`, installed with
// `code-server --install-extension`, in a real workbench on a copy of test/fixtures/basic. Checks
// what a user sees — the status bar item, a run from the palette landing in the Test Explorer,
// each panel from the palette with its content — and writes screenshots of every panel and the
// Test Explorer in the light and the dark theme to test/e2e/screenshots/<panel>-<theme>.png.
//
// A second workbench opens the folder with Workspace Trust on: VS Code asks, the user says no,
// Redline runs nothing until the folder is trusted, then runs.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFixture, descendants, REPO_ROOT, startCodeServer, type CodeServer, type StartOptions } from './code-server';
import { e2eSkipped, logTail, packageVsix } from './support';
import {
  clearNotifications,
  launchBrowser,
  openWorkbench,
  redlineStatusItem,
  runCommand,
  screenshot,
  setTheme,
  statusBar,
  statusItemText,
  THEMES,
  webview,
  type Browser,
  type Theme,
} from './workbench';

const SCREENSHOTS = join(REPO_ROOT, 'test', 'e2e', 'screenshots');
/** Each UI test: seconds when things work; a stuck one fails here rather than at the project's 10 minutes. */
const TEST_TIMEOUT_MS = 120_000;

/** Each panel: its palette command, its tab title, and text its webview must show. */
const PANELS = [
  { name: 'memory', command: 'Redline: Show Memory', tab: /Memory/, text: ['Memory over time', 'Processes'] },
  { name: 'phases', command: 'Redline: Show TDD Phases', tab: /Phases/, text: ['strings.test.js'] },
  { name: 'leaks', command: 'Redline: Show Leak Alerts', tab: /Leak/, text: ['map-cache.test.js', 'listener-closures.test.js'] },
  { name: 'recovery', command: 'Redline: Show Recovery', tab: /Recovery/, text: ['Runner', 'Backups'] },
] as const;

/** Processes below this code-server running Redline's runner. */
function runnerProcesses(server: CodeServer): number[] {
  return descendants(server.pid)
    .filter((p) => {
      try {
        return p.state !== 'Z' && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('dist/runner.js');
      } catch {
        return false; // gone since
      }
    })
    .map((p) => p.pid);
}

/** Expands the Test Explorer's files that hold a failure, and math.test.js. */
async function expandTree(page: Page): Promise<void> {
  const tree = page.locator('.test-explorer');
  for (const file of ['strings.test.js', 'math.test.js']) {
    const row = tree.locator('.monaco-list-row', { hasText: file }).first();
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  }
}

async function closeEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
}

async function showTestExplorer(page: Page): Promise<void> {
  await runCommand(page, 'Testing: Focus on Test Explorer View');
  await page.locator('.test-explorer').first().waitFor({ timeout: 20_000 });
}

/** Opens a panel from the palette and waits for its webview to show `text`. */
async function openPanel(page: Page, panel: (typeof PANELS)[number]): Promise<void> {
  await closeEditors(page);
  await runCommand(page, panel.command);
  await page.locator('.tabs-container .tab', { hasText: panel.tab }).first().waitFor({ timeout: 30_000 });
  for (const text of panel.text) await webview(page).getByText(text).first().waitFor({ timeout: 30_000 });
}

/**
 * The UI's workspace: test/fixtures/basic (passing, failing, skipped, todo tests and a broken
 * file) plus two leaking files of test/fixtures/leaks, with leak detection on — so every panel
 * has something to show, and the run lasts long enough to draw a memory chart.
 */
function uiWorkspace(): string {
  const dir = copyFixture('basic');
  for (const file of LEAK_FILES) cpSync(join(REPO_ROOT, 'test', 'fixtures', 'leaks', file), join(dir, file));
  writeFileSync(join(dir, 'redline.config.json'), JSON.stringify({ leaks: { enabled: true } }, null, 2) + '\n');
  return dir;
}

const LEAK_FILES = ['listener-closures.test.js', 'map-cache.test.js'];

interface Opened {
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly page: Page;
}

/** A code-server with the .vsix installed, and a browser on `workspace`: what a user opens. */
async function openInstalled(workspace: string, options: Omit<StartOptions, 'vsix'>): Promise<Opened> {
  const server = await startCodeServer({ ...options, vsix: [packageVsix()] });
  const browser = await launchBrowser();
  await openWorkbench(browser.page, server, workspace);
  return { server, browser, page: browser.page };
}

async function closeInstalled(opened: Partial<Opened>, workspace: string | undefined): Promise<void> {
  await opened.browser?.close();
  await opened.server?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
}

// Skipped only when REDLINE_E2E_SKIP=1 says so (a machine that cannot run code-server/Chromium).
describe.skipIf(e2eSkipped())('Redline installed from the .vsix, in the workbench', { timeout: TEST_TIMEOUT_MS }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workspace: string | undefined;
  let page: Page;

  beforeAll(async () => {
    workspace = uiWorkspace();
    ({ server, browser, page } = await openInstalled(workspace, { label: 'ui', settings: { 'workbench.colorTheme': THEMES.light } }));
  });

  afterAll(async () => {
    if (page) await screenshot(page, join(SCREENSHOTS, 'last-state.png')).catch(() => undefined);
    await closeInstalled({ server, browser }, workspace);
  });

  const redlineLog = (): string => (server ? logTail(server, /Redline\.log$/, 40) : '');

  test('the .vsix installed as redline.redline', () => {
    const installed = readdirSync(server!.extensionsDir);
    expect(installed.some((d) => /^redline\.redline-\d+\.\d+\.\d+$/.test(d)), installed.join(', ')).toBe(true);
  });

  test('the status bar shows the memory item', async () => {
    const item = redlineStatusItem(page);
    await item.waitFor({ timeout: 60_000 });
    const text = await statusItemText(item);
    expect(text).toMatch(/^\$\(pulse\) (Redline|[\d.]+ [KMG]B \/ [\d.]+ [KMG]B)$/);
  });

  test('Redline: Run All Tests from the palette: results in the Test Explorer, memory in the status bar', async () => {
    await runCommand(page, 'Redline: Run All Tests');
    await showTestExplorer(page);
    const tree = page.locator('.test-explorer');
    // One failing test (strings.test.js) and a broken file; the rest pass.
    await tree.locator('.codicon-testing-failed-icon, .codicon-testing-error-icon').first().waitFor({ timeout: 90_000 }).catch(async (error: unknown) => {
      throw new Error(`no failed result in the Test Explorer: ${String(error)}\n${redlineLog()}`);
    });
    await expect.poll(() => tree.locator('.codicon-testing-passed-icon').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    for (const file of ['math.test.js', 'strings.test.js', 'broken.test.js', ...LEAK_FILES]) await tree.getByText(file).first().waitFor({ timeout: 10_000 });
    // At rest after a run: the run's peak against the limit.
    await expect.poll(async () => statusItemText(redlineStatusItem(page)), { timeout: 30_000 }).toMatch(/^\$\(pulse\) [\d.]+ [KMG]B \/ [\d.]+ [KMG]B$/);
  });

  for (const panel of PANELS) {
    test(`${panel.command} opens the ${panel.name} panel with its content`, async () => {
      await openPanel(page, panel);
    });
  }

  for (const theme of ['light', 'dark'] as const satisfies readonly Theme[]) {
    test(`screenshots in the ${theme} theme (${THEMES[theme]})`, async () => {
      await setTheme(page, theme);
      const inSettings = (): unknown => {
        try {
          return server!.readSettings()['workbench.colorTheme'];
        } catch {
          return undefined; // being written
        }
      };
      await expect.poll(inSettings, { timeout: 10_000, message: 'the theme, in the user settings' }).toBe(THEMES[theme]);
      await clearNotifications(page);
      for (const panel of PANELS) {
        await openPanel(page, panel);
        await page.waitForTimeout(500); // the panel's charts settle
        await screenshot(page, join(SCREENSHOTS, `${panel.name}-${theme}.png`));
      }
      await closeEditors(page);
      await showTestExplorer(page);
      // The failing test's file, opened from the tree: the failure shows in the editor.
      const tree = page.locator('.test-explorer');
      await expandTree(page);
      await tree.locator('.monaco-list-row', { hasText: 'compares strings' }).first().dblclick();
      await page.locator('.tabs-container .tab', { hasText: 'strings.test.js' }).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(1000);
      await screenshot(page, join(SCREENSHOTS, `test-explorer-${theme}.png`));
    });
  }

  test('the status bar item sits in the status bar with no error toast from Redline', async () => {
    expect(await statusBar(page).isVisible()).toBe(true);
    const toasts = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
    expect(toasts.filter((t) => /redline/i.test(t) && /error|failed|could not/i.test(t))).toEqual([]);
  });
});

// Skipped only when REDLINE_E2E_SKIP=1 says so (a machine that cannot run code-server/Chromium).
describe.skipIf(e2eSkipped())('recovery from the palette, installed from the .vsix', { timeout: TEST_TIMEOUT_MS }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workspace: string | undefined;
  let page: Page;

  beforeAll(async () => {
    workspace = uiWorkspace();
    ({ server, browser, page } = await openInstalled(workspace, { label: 'recovery', settings: { 'workbench.colorTheme': THEMES.dark } }));
    await redlineStatusItem(page).waitFor({ timeout: 60_000 });
    // Some state to back up: a run records phases.
    await runCommand(page, 'Redline: Run All Tests');
    for (const end = Date.now() + 90_000; !existsSync(join(workspace, '.redline', 'phases.json')); ) {
      if (Date.now() > end) throw new Error('no .redline/phases.json 90 s after Run All Tests');
      await page.waitForTimeout(250);
    }
  });

  afterAll(() => closeInstalled({ server, browser }, workspace));

  const toast = (pattern: RegExp): Promise<string> =>
    expect
      .poll(async () => (await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).find((t) => pattern.test(t)), { timeout: 30_000 })
      .toBeDefined()
      .then(async () => (await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).find((t) => pattern.test(t))!);
  const confirm = async (button: string): Promise<void> => {
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^${button}$`) }).first().click();
  };
  let backupId = '';

  test('Back Up State asks for a label and makes a backup', async () => {
    await runCommand(page, 'Redline: Back Up State', { opensQuickInput: true });
    await page.locator('.quick-input-widget input').fill('before e2e reset');
    await page.keyboard.press('Enter');
    const text = await toast(/backed up \.redline as/);
    backupId = /as (\S+) "before e2e reset"/.exec(text)?.[1] ?? '';
    expect(backupId, text).not.toBe('');
    await clearNotifications(page);
  });

  test('Reset (Hard) asks first, then removes the phases and names the backup that undoes it', async () => {
    await runCommand(page, 'Redline: Reset (Hard)');
    await confirm('Reset Everything');
    await toast(/hard reset removed .*backup \S+/);
    await expect.poll(() => existsSync(join(workspace!, '.redline', 'phases.json')), { timeout: 15_000 }).toBe(false);
    await clearNotifications(page);
  });

  test('Restore Backup… picks the labelled backup, asks, and brings the phases back', async () => {
    await runCommand(page, 'Redline: Restore Backup…', { opensQuickInput: true });
    await page.locator('.quick-input-widget input').fill(backupId);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: backupId }).first().click();
    await confirm('Restore');
    await toast(new RegExp(`restored ${backupId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(existsSync(join(workspace!, '.redline', 'phases.json'))).toBe(true);
  });
});

// Skipped only when REDLINE_E2E_SKIP=1 says so (a machine that cannot run code-server/Chromium).
describe.skipIf(e2eSkipped())('an untrusted workspace', { timeout: TEST_TIMEOUT_MS }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workspace: string | undefined;
  let page: Page;

  beforeAll(async () => {
    workspace = copyFixture('basic');
    // No --disable-workspace-trust: VS Code asks whether to trust the folder, as for a user.
    ({ server, browser, page } = await openInstalled(workspace, { label: 'trust', disableWorkspaceTrust: false, settings: { 'workbench.colorTheme': THEMES.light } }));
  });

  afterAll(() => closeInstalled({ server, browser }, workspace));

  test('VS Code asks whether to trust the folder; "No" leaves it in Restricted Mode', async () => {
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 60_000 });
    expect(await dialog.innerText()).toMatch(/trust the authors/i);
    await screenshot(page, join(SCREENSHOTS, 'trust-prompt-light.png'));
    await dialog.getByRole('button', { name: /No, I don't trust the authors/i }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    await statusBar(page).getByText(/Restricted Mode/i).first().waitFor({ timeout: 15_000 });
  });

  test('Redline says the folder is untrusted and starts no runner, even when asked to run', async () => {
    const item = redlineStatusItem(page);
    await expect.poll(async () => statusItemText(item), { timeout: 60_000 }).toBe('$(shield) Redline');
    await runCommand(page, 'Redline: Run All Tests');
    await page.waitForTimeout(3000);
    expect(runnerProcesses(server!), 'runner processes in an untrusted workspace').toEqual([]);
  });

  test('trusting the folder lets Redline start its runner', async () => {
    await runCommand(page, 'Workspaces: Manage Workspace Trust');
    const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
    await trust.waitFor({ timeout: 30_000 });
    await trust.click();
    await expect.poll(async () => statusItemText(redlineStatusItem(page)), { timeout: 60_000 }).toMatch(/^\$\(pulse\) /);
    await expect.poll(() => runnerProcesses(server!).length, { timeout: 60_000 }).toBeGreaterThan(0);
  });
});
