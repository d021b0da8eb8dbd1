// Small things both e2e files need: the opt-out, the build check, and log files of a run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cleanEnv, REPO_ROOT, type CodeServer } from './code-server';

/**
 * REDLINE_E2E_SKIP=1 skips the end-to-end suite (a machine that cannot run code-server: not
 * Linux, no Node 20, no Chromium and no root to install it). Never set in CI.
 */
export function e2eSkipped(): boolean {
  return process.env.REDLINE_E2E_SKIP === '1';
}

/** The suite drives the extension users get: the bundle in dist/. */
export function requireBuiltExtension(dir = REPO_ROOT): void {
  const missing = ['extension.js', 'runner.js', 'probe.mjs'].filter((f) => !existsSync(join(dir, 'dist', f)));
  if (missing.length > 0) {
    throw new Error(`dist/${missing.join(', dist/')} missing: run \`npm run build\` first (\`npm test\` and \`npm run test:e2e\` do).`);
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: string };
  if (!pkg.main) throw new Error('package.json has no "main": VS Code would not load the extension.');
}

/** Every file under `dir`, recursively. */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** The last lines of the newest log file of this run whose path matches `pattern` (e.g. the Redline output channel). */
export function logTail(server: CodeServer, pattern: RegExp, lines: number): string {
  const files = walk(join(server.userDataDir, 'logs')).filter((f) => pattern.test(f) && statSync(f).size > 0);
  const newest = files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) return `(no log matching ${pattern})`;
  return readFileSync(newest, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * The .vsix a user installs, made by `npm run package` (production bundles, then `vsce package`)
 * — in a copy of the checkout (tracked and new files, as a clone would have them, node_modules
 * linked), so the dev build in dist/ that the rest of `npm test` uses is left alone.
 * REDLINE_E2E_VSIX=<file> tests a .vsix made elsewhere instead.
 */
let packaged: string | undefined;

export function packageVsix(): string {
  if (process.env.REDLINE_E2E_VSIX) return process.env.REDLINE_E2E_VSIX;
  if (packaged && existsSync(packaged)) return packaged;
  const stage = mkdtempSync(join(tmpdir(), 'rl-vsix-'));
  try {
    const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (listed.status === 0) {
      for (const file of listed.stdout.split('\0').filter(Boolean)) {
        const from = join(REPO_ROOT, file);
        if (!existsSync(from)) continue; // deleted in the working tree
        mkdirSync(dirname(join(stage, file)), { recursive: true });
        cpSync(from, join(stage, file));
      }
    } else {
      // Not a git checkout: everything but what a build or an install makes.
      cpSync(REPO_ROOT, stage, { recursive: true, filter: (src) => !/^\/?(node_modules|\.git|dist|dist-test|\.vscode-test)(\/|$)/.test(src.slice(REPO_ROOT.length)) && !/\/node_modules(\/|$)/.test(src.slice(REPO_ROOT.length)) });
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const run = spawnSync(npm, ['run', 'package'], { cwd: stage, encoding: 'utf8', env: cleanEnv(), timeout: 300_000 });
    const vsix = readdirSync(stage).find((f) => /^redline-.*\.vsix$/.test(f));
    if (run.status !== 0 || !vsix) {
      throw new Error(`\`npm run package\` failed (exit ${run.status}${vsix ? '' : ', no redline-*.vsix'}):\n${(run.stdout + run.stderr).slice(-4000)}`);
    }
    const outDir = mkdtempSync(join(tmpdir(), 'rl-vsix-out-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    cpSync(join(stage, vsix), join(outDir, vsix));
    packaged = join(outDir, vsix);
    return packaged;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
