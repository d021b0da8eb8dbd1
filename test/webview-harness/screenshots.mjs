// Screenshots of the four panels in light, dark and high-contrast themes, with their empty
// states, for a person to look at: `node esbuild.mjs && node test/webview-harness/screenshots.mjs`
// (writes /tmp/redline-shots or the folder given). Exits non-zero when a page logged an error
// (a CSP violation, an exception).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as fx from './fixtures.mjs';
import { launch, openPanel } from './harness.mjs';
import { THEMES } from './themes.mjs';

const out = process.argv[2] ?? '/tmp/redline-shots';
mkdirSync(out, { recursive: true });

const SHOTS = [
  { name: 'memory', kind: 'memory', state: fx.memoryState(), height: 980 },
  { name: 'memory-empty', kind: 'memory', state: fx.memoryEmptyState(), height: 420, themes: ['light-modern', 'dark-modern'] },
  { name: 'phases', kind: 'phases', state: fx.phasesState(), height: 620, ui: { expanded: fx.PHASES_EXPANDED, selected: fx.PHASES_SELECTED, focused: fx.PHASES_SELECTED } },
  { name: 'phases-empty', kind: 'phases', state: fx.phasesEmptyState(), height: 420, themes: ['light-modern', 'dark-modern'] },
  { name: 'phases-5000', kind: 'phases', state: fx.bigPhasesState(), height: 620, ui: { expanded: ['f\u0000packages/pkg-00/src/module-000/feature-0.test.ts', 'd\u0000packages/pkg-00/src/module-000/feature-0.test.ts\u0000Feature 0', 'd\u0000packages/pkg-00/src/module-000/feature-0.test.ts\u0000Feature 0 > behaviour 0'] }, themes: ['dark-modern'] },
  { name: 'leaks', kind: 'leaks', state: fx.leaksState(), height: 720 },
  { name: 'leaks-off', kind: 'leaks', state: fx.leaksOffState(), height: 420, themes: ['light-modern', 'dark-modern'] },
  { name: 'leaks-none', kind: 'leaks', state: fx.leaksNoneState(), height: 420, themes: ['dark-modern'] },
  { name: 'recovery', kind: 'recovery', state: fx.recoveryState(), height: 900 },
  { name: 'recovery-failed', kind: 'recovery', state: fx.recoveryFailedState(), height: 760, themes: ['light-modern', 'dark-modern'] },
];

const browser = await launch();
let failed = false;
try {
  for (const shot of SHOTS) {
    for (const theme of shot.themes ?? THEMES) {
      const { page, context, errors } = await openPanel(browser, { kind: shot.kind, state: shot.state, theme, width: shot.width ?? 1000, height: shot.height, ui: shot.ui, now: fx.FIXTURE_NOW + 60_000 });
      // Let the chart's ResizeObserver and the restored scroll position settle.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const file = join(out, `${shot.name}-${theme}.png`);
      await page.screenshot({ path: file, fullPage: false });
      const posted = await page.evaluate(() => window.__posted.map((m) => m.type));
      console.log(`${file}${errors.length ? `  ERRORS: ${errors.join(' | ')}` : ''}  (posted: ${posted.join(', ')})`);
      if (errors.length) failed = true;
      await context.close();
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
