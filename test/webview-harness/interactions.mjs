// Drives the built panels in Chromium like a user and checks what they post to the host and
// how they restore: `node esbuild.mjs && node test/webview-harness/interactions.mjs`. Exits 1
// on the first failed check, naming it.
import assert from 'node:assert/strict';
import * as fx from './fixtures.mjs';
import { launch, openPanel, postToPage } from './harness.mjs';

const browser = await launch();
const posted = (page) => page.evaluate(() => window.__posted.filter((m) => m.type !== 'ready'));
const clearPosted = (page) => page.evaluate(() => (window.__posted.length = 0));
const rowLabels = (page) => page.$$eval('.tree-row .row-label', (els) => els.map((e) => e.textContent));
let checks = 0;

async function check(name, fn) {
  try {
    await fn();
    checks++;
    console.log(`ok  ${name}`);
  } catch (error) {
    console.error(`FAIL ${name}\n${error.stack ?? error}`);
    await browser.close();
    process.exit(1);
  }
}

try {
  await check('phases: typing in the filter narrows the tree and opens the matches', async () => {
    const { page, context, errors } = await openPanel(browser, { kind: 'phases', state: fx.phasesState() });
    assert.deepEqual(await rowLabels(page), ['routes.test.ts', 'tokenizer.test.ts', 'migrations.test.ts', 'session-cache.test.ts', 'format.test.ts']);
    await page.click('vscode-textfield.filter');
    await page.keyboard.type('template');
    assert.deepEqual(await rowLabels(page), ['tokenizer.test.ts', 'tokenizer', 'splits template literals']);
    assert.match(await page.textContent('.tree-status'), /Showing 1 of 19 tests/);
    await page.waitForFunction(() => window.__saved?.ui?.filter === 'template');
    assert.deepEqual(errors, []);
    await context.close();
  });

  await check('phases: the filter, open branches and selection come back after a reload (getState)', async () => {
    const ui = { filter: '', phases: ['YELLOW'], expanded: fx.PHASES_EXPANDED, selected: fx.PHASES_SELECTED, focused: null, scrollTop: 0 };
    const { page, context } = await openPanel(browser, { kind: 'phases', state: fx.phasesState(), ui });
    assert.equal(await page.getAttribute('.phase-toggle.phase-yellow', 'aria-pressed'), 'true');
    assert.deepEqual(await rowLabels(page), ['routes.test.ts', 'routes', 'GET /users/:id returns 404 for an unknown id', 'auth', 'rejects an expired token', 'session-cache.test.ts']);
    assert.match(await page.textContent('.details-title'), /splits template literals/);
    await context.close();
  });

  await check('phases: approve buttons post redline.approve with the row’s target; a file name opens the file', async () => {
    const { page, context } = await openPanel(browser, { kind: 'phases', state: fx.phasesState(), ui: { expanded: fx.PHASES_EXPANDED } });
    await clearPosted(page);
    await page.click('.tree-row.kind-test:has-text("GET /users/:id") .row-approve');
    await page.click('.tree-row.kind-describe:has-text("auth") .row-approve');
    await page.click('.tree-row.kind-file:has-text("routes.test.ts") .row-approve');
    await page.click('.tree-row.kind-file:has-text("tokenizer.test.ts") .file-name');
    assert.deepEqual(await posted(page), [
      { type: 'command', command: 'redline.approve', args: { file: 'src/api/routes.test.ts', fullName: 'routes > GET /users/:id returns 404 for an unknown id' } },
      { type: 'command', command: 'redline.approve', args: { file: 'src/api/routes.test.ts', fullName: 'routes > auth' } },
      { type: 'command', command: 'redline.approve', args: { file: 'src/api/routes.test.ts' } },
      { type: 'command', command: 'redline.openFile', args: { path: 'src/parser/tokenizer.test.ts' } },
    ]);
    await context.close();
  });

  await check('phases: the keyboard moves through the tree, opens and closes branches, selects a test', async () => {
    const { page, context } = await openPanel(browser, { kind: 'phases', state: fx.phasesState() });
    await page.focus('.vlist');
    await page.keyboard.press('ArrowDown'); // routes.test.ts
    await page.keyboard.press('ArrowRight'); // open it
    await page.keyboard.press('ArrowDown'); // routes
    await page.keyboard.press('ArrowRight'); // open it
    await page.keyboard.press('ArrowDown'); // GET /users returns 200
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('.details-title'), /GET \/users returns 200/);
    await page.keyboard.press('ArrowLeft'); // to its describe block
    await page.keyboard.press('ArrowLeft'); // close it
    assert.deepEqual((await rowLabels(page)).slice(0, 3), ['routes.test.ts', 'routes', 'tokenizer.test.ts']);
    assert.equal(await page.getAttribute('.vlist', 'aria-activedescendant'), 'row-1');
    await context.close();
  });

  await check('phases: a state message replaces the tree and keeps the selection', async () => {
    const { page, context } = await openPanel(browser, { kind: 'phases', state: fx.phasesState(), ui: { selected: fx.PHASES_SELECTED } });
    const next = fx.phasesState();
    const tokenizer = next.phases.files[1].tests[1];
    tokenizer.phase = 'YELLOW';
    tokenizer.history = [...tokenizer.history, { phase: 'YELLOW', at: fx.FIXTURE_NOW }];
    await postToPage(page, { type: 'state', kind: 'phases', state: next });
    assert.match(await page.textContent('.details .phase-badge'), /YELLOW/);
    assert.equal(await page.textContent('.phase-toggle.phase-red .toggle-count'), '1');
    await context.close();
  });

  await check('memory: buttons post freeMemory / restartRunner / emergencyStop; a sample updates the gauge', async () => {
    const { page, context, errors } = await openPanel(browser, { kind: 'memory', state: fx.memoryState() });
    await clearPosted(page);
    for (const label of ['Free memory', 'Restart runner', 'Stop everything']) await page.click(`vscode-button:has-text("${label}")`);
    assert.deepEqual((await posted(page)).map((m) => m.command), ['redline.freeMemory', 'redline.restartRunner', 'redline.emergencyStop']);
    const state = fx.memoryState();
    state.latest = { ...state.latest, treeRssBytes: 0.85 * state.latest.limitBytes, tier: 'emergency' };
    await postToPage(page, { type: 'state', kind: 'memory', state });
    assert.equal(await page.textContent('.gauge-percent'), '85%');
    assert.ok(await page.$('.gauge.tier-emergency'));
    assert.deepEqual(errors, []);
    await context.close();
  });

  await check('memory: the empty state until a sample arrives, then the gauge', async () => {
    const { page, context } = await openPanel(browser, { kind: 'memory', state: fx.memoryEmptyState() });
    assert.match(await page.textContent('.memory-empty'), /No tests running — memory is sampled while tests run/);
    await postToPage(page, { type: 'state', kind: 'memory', state: fx.memoryState() });
    assert.equal(await page.isVisible('.memory-empty'), false);
    assert.equal(await page.isVisible('.gauge'), true);
    await context.close();
  });

  await check('leaks: the file opens, the snapshots open', async () => {
    const { page, context } = await openPanel(browser, { kind: 'leaks', state: fx.leaksState() });
    await clearPosted(page);
    await page.click('.leak-card >> nth=0 >> .file-link');
    await page.click('vscode-button:has-text("Open late snapshot")');
    assert.deepEqual(await posted(page), [
      { type: 'command', command: 'redline.openFile', args: { path: 'test/session-cache.test.ts' } },
      { type: 'command', command: 'redline.openHeapSnapshot', args: { path: '/home/dev/app/.redline/snapshots/session-cache.test.ts-late.heapsnapshot' } },
    ]);
    await context.close();
  });

  await check('leaks: the empty state opens the leak setting', async () => {
    const { page, context } = await openPanel(browser, { kind: 'leaks', state: fx.leaksOffState() });
    await clearPosted(page);
    await page.click('vscode-button:has-text("Open the setting")');
    assert.deepEqual(await posted(page), [{ type: 'openSettings', query: 'redline.leaks.enabled' }]);
    await context.close();
  });

  await check('recovery: back up with a label, restore a row, prune, resets, restart', async () => {
    const { page, context } = await openPanel(browser, { kind: 'recovery', state: fx.recoveryState() });
    await clearPosted(page);
    await page.click('vscode-textfield.backup-label');
    await page.keyboard.type('before the merge');
    await page.click('vscode-button:has-text("Back up now")');
    await page.click('vscode-button:has-text("Back up now")');
    await page.click('.backups-table tbody tr >> nth=1 >> vscode-button');
    await page.click('vscode-button:has-text("Prune")');
    await page.click('vscode-button:has-text("Soft reset")');
    await page.click('vscode-button:has-text("Hard reset")');
    await page.click('vscode-button:has-text("Restart runner")');
    const ids = fx.recoveryState().backups.map((b) => b.id);
    assert.deepEqual(await posted(page), [
      { type: 'command', command: 'redline.backup', args: { label: 'before the merge' } },
      { type: 'command', command: 'redline.backup', args: { label: '' } },
      { type: 'command', command: 'redline.restore', args: { id: ids[1] } },
      { type: 'command', command: 'redline.pruneBackups' },
      { type: 'command', command: 'redline.resetSoft' },
      { type: 'command', command: 'redline.resetHard' },
      { type: 'command', command: 'redline.restartRunner' },
    ]);
    await context.close();
  });

  await check('a test name with </script> is shown as text and the page keeps working', async () => {
    const { page, context, errors } = await openPanel(browser, { kind: 'phases', state: fx.phasesState(), ui: { expanded: fx.PHASES_EXPANDED } });
    assert.ok((await rowLabels(page)).includes('keeps </script> inside a string literal'));
    assert.deepEqual(errors, []);
    await context.close();
  });
} finally {
  await browser.close();
}
console.log(`\n${checks} checks passed`);
