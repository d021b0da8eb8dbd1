// Writes the `redline.*` settings into package.json's contributes.configuration, generated from
// the zod schema (src/core/vscode-settings.ts). `npm run sync:settings` after changing the schema;
// test/unit/package-contributes.test.ts fails while package.json and the schema disagree.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const dir = mkdtempSync(join(tmpdir(), 'redline-sync-'));
const out = join(dir, 'settings.cjs');
await esbuild.build({ entryPoints: ['src/core/vscode-settings.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning' });
const { settingContributions } = createRequire(import.meta.url)(out);
rmSync(dir, { recursive: true, force: true });

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
pkg.contributes ??= {};
pkg.contributes.configuration = { title: 'Redline', properties: settingContributions() };
writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${Object.keys(pkg.contributes.configuration.properties).length} settings`);
