// Renders media/redline.svg to the extension's 128×128 media/icon.png with the harness's
// Chromium (transparent corners): `node test/webview-harness/render-icon.mjs`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, REPO } from './harness.mjs';

const svg = readFileSync(join(REPO, 'media/redline.svg'), 'utf8');
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(REPO, 'media/icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
console.log('media/icon.png');
