// A real VS Code for the end-to-end suite, offline: code-server (VS Code 1.100.3 with a Node
// extension host) from npm, installed once into a cache folder outside the repository, started
// per test file on loopback with a fresh profile, and killed with its whole process group.
// `@vscode/test-electron` would download desktop VS Code, which these machines cannot reach;
// scripts/test-vscode.mjs runs the same extension-host suite that way where it can.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The last code-server whose install accepts Node 20 (4.101+ want Node 22). */
export const CODE_SERVER_VERSION = '4.100.3';
/** What @vscode/ripgrep (code-server's nested dependency) would download from GitHub. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_VERSION = 'v13.0.0-10';

const log = (message: string): void => {
  if (process.env.REDLINE_E2E_QUIET !== '1') process.stderr.write(`[e2e] ${message}\n`);
};

// ---------------------------------------------------------------------------------------------
// Install

/** `REDLINE_E2E_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/redline-e2e`. Survives between runs. */
export function cacheDir(): string {
  if (process.env.REDLINE_E2E_CACHE) return process.env.REDLINE_E2E_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'redline-e2e');
}

export function toolsDir(): string {
  return join(cacheDir(), 'tools');
}

export function codeServerBin(): string {
  return join(toolsDir(), 'node_modules', '.bin', 'code-server');
}

/** Debian's Chromium unless `REDLINE_E2E_CHROMIUM` names another Chromium build. */
export function chromiumPath(): string {
  if (process.env.REDLINE_E2E_CHROMIUM) return process.env.REDLINE_E2E_CHROMIUM;
  return which('chromium') ?? which('chromium-browser') ?? '/usr/bin/chromium';
}

function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const INSTALLED_MARK = `.installed-code-server-${CODE_SERVER_VERSION}`;

function codeServerInstalled(): boolean {
  return existsSync(join(toolsDir(), INSTALLED_MARK)) && existsSync(codeServerBin());
}

/**
 * What the machine needs besides npm: Chromium (the browser Playwright drives), ripgrep (seeds
 * @vscode/ripgrep's download cache) and, only to build code-server's native modules, the krb5
 * headers. Installed with apt-get when missing and running as root (CI); otherwise an error that
 * says what to install.
 */
function ensureSystemPackages(forInstall: boolean): void {
  const missing: string[] = [];
  if (!existsSync(chromiumPath())) missing.push('chromium');
  if (forInstall && !which('rg')) missing.push('ripgrep');
  if (forInstall && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new Error(
      `The end-to-end suite needs ${missing.join(', ')}: install ${missing.length > 1 ? 'them' : 'it'} ` +
        `(Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}), or set REDLINE_E2E_CHROMIUM to a Chromium binary. ` +
        'Skip the suite with REDLINE_E2E_SKIP=1.',
    );
  }
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]): void => {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  };
  run(['update', '-qq']);
  run(['install', '-y', '-qq', ...missing]);
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache (in the OS temp dir)
 * holds the archive: put Debian's rg there, packed the way the download would be.
 */
function seedRipgrepCache(): void {
  const target = process.arch === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
  const dir = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const archive = join(dir, `ripgrep-${RIPGREP_VERSION}-${target}.tar.gz`);
  if (existsSync(archive) && statSync(archive).size > 0) return;
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep (rg) is needed to install code-server offline: apt-get install ripgrep');
  const staging = mkdtempSync(join(tmpdir(), 'redline-rg-'));
  try {
    cpSync(rg, join(staging, 'rg'));
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['czf', archive, '-C', staging, 'rg']);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** One installer at a time per cache folder (two checkouts' `npm test` may share it). */
async function withInstallLock<T>(body: () => T): Promise<T> {
  mkdirSync(cacheDir(), { recursive: true });
  const lock = join(cacheDir(), 'install.lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // Held by another installer, or left by one that died: a lock older than 15 minutes is stale.
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > 15 * 60_000) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return body();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * code-server, installed from npm into the cache folder the first time (about a minute: its
 * postinstall builds native modules), then reused. Returns the path of its launcher.
 */
export async function ensureCodeServer(): Promise<string> {
  if (codeServerInstalled()) {
    ensureSystemPackages(false);
    return codeServerBin();
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} installs only under Node 20 (this is Node ${process.versions.node}). ` +
        'Run the suite with Node 20, or skip it with REDLINE_E2E_SKIP=1.',
    );
  }
  ensureSystemPackages(true);
  return withInstallLock(() => {
    if (codeServerInstalled()) return codeServerBin();
    seedRipgrepCache();
    const dir = toolsDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'redline-e2e-tools', private: true }) + '\n');
    const started = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (once; about a minute)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        // postinstall.sh refuses to run as root without unsafe_perm; node-pty's postinstall runs
        // `npx node-gyp`, which cancels without a TTY unless told yes.
        npm_config_unsafe_perm: 'true',
        npm_config_yes: 'true',
        npm_config_fund: 'false',
        npm_config_audit: 'false',
        npm_config_update_notifier: 'false',
      },
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    writeFileSync(join(cacheDir(), 'npm-install.log'), output);
    if (result.status !== 0 || !existsSync(codeServerBin())) {
      throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${result.status}); log in ${join(cacheDir(), 'npm-install.log')}:\n${output.slice(-4000)}`);
    }
    writeFileSync(join(dir, 'config.yaml'), 'auth: none\n');
    const version = spawnSync(codeServerBin(), ['--config', join(dir, 'config.yaml'), '--version'], { encoding: 'utf8' });
    if (!new RegExp(`^${CODE_SERVER_VERSION.replaceAll('.', '\\.')} `, 'm').test(version.stdout ?? '')) {
      throw new Error(`code-server installed but does not start: ${version.stdout}${version.stderr}`);
    }
    writeFileSync(join(dir, INSTALLED_MARK), new Date().toISOString() + '\n');
    log(`code-server installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return codeServerBin();
  });
}

// ---------------------------------------------------------------------------------------------
// Run

export interface StartOptions {
  /** Label for the temp folders, e.g. "ui". */
  readonly label: string;
  /**
   * Pass `--disable-workspace-trust` (every folder trusted, no prompt). Default true; false lets
   * VS Code ask whether to trust the folder, as it does for a user.
   */
  readonly disableWorkspaceTrust?: boolean;
  /** User settings (merged over quiet defaults). */
  readonly settings?: Record<string, unknown>;
  /** .vsix files to install into this run's extensions folder before starting. */
  readonly vsix?: readonly string[];
  /** Extra environment for the server and so for the extension host. */
  readonly env?: Record<string, string>;
}

export interface CodeServer {
  readonly url: string;
  readonly pid: number;
  /** Root of this run's folders (profile, extensions, logs); removed by stop(). */
  readonly dir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  /** Overwrites the user settings file (the workbench picks the change up live). */
  writeSettings(settings: Record<string, unknown>): void;
  readSettings(): Record<string, unknown>;
  /** The workbench URL that opens `folder` (a folder or a .code-workspace file). */
  workbenchUrl(folder: string, payload?: ReadonlyArray<readonly [string, string]>): string;
  /** `vscode-remote://host/abs/path`, the form the URL payload wants paths in. */
  remoteUri(path: string): string;
  log(): string;
  stop(): Promise<void>;
}

/** Settings that keep the workbench quiet and the same on every run. */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'chat.disableAIFeatures': true,
  'window.commandCenter': false,
  'editor.minimap.enabled': false,
};

/**
 * The environment of the process running the suite carries Vitest's own worker variables; the
 * editor (and so the runner it starts, and the Vitest inside that) must start clean, as from a
 * user's shell.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('REDLINE_') || key === 'FORCE_COLOR' || key === 'NODE_ENV' || key === 'TEST' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

const running = new Set<CodeServer>();
let exitHookInstalled = false;

/** Last resort: a test process that exits without its afterAll still takes code-server with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of running) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const bin = await ensureCodeServer();
  // Short: code-server's IPC socket lives in the user-data-dir, and socket paths max out at 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), `rl-cs-${options.label}-`));
  const userDataDir = join(dir, 'udd');
  const extensionsDir = join(dir, 'exts');
  const config = join(dir, 'config.yaml');
  const logFile = join(dir, 'code-server.log');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(config, 'auth: none\ncert: false\n');
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  const writeSettings = (settings: Record<string, unknown>): void =>
    writeFileSync(settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2) + '\n');
  writeSettings(options.settings ?? {});
  const env = cleanEnv(options.env);
  const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  for (const vsix of options.vsix ?? []) {
    const installed = spawnSync(bin, [...common, '--install-extension', vsix], { encoding: 'utf8', env, timeout: 120_000 });
    if (installed.status !== 0 || !/was successfully installed/.test(installed.stdout + installed.stderr)) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${installed.status}):\n${installed.stdout}${installed.stderr}`);
    }
  }

  const args = [
    ...common,
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(options.disableWorkspaceTrust === false ? [] : ['--disable-workspace-trust']),
  ];
  const out = openSync(logFile, 'a');
  // A process group of its own (setsid): stop() kills code-server, its extension hosts, the
  // runner they start and anything below, in one signal.
  const child = spawn(bin, args, { cwd: dir, env, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${bin}`);
  const pid = child.pid;

  let exited = false;
  child.once('exit', () => (exited = true));
  const readLog = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const killGroup = async (): Promise<void> => {
    // The extension host's children may sit in groups of their own (Redline's runner is started
    // detached, so it can kill its own tree): learn the whole tree first, then end the group, then
    // whatever of the tree outlived it.
    const tree = descendants(pid);
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      try {
        process.kill(-pid, signal);
      } catch {
        break;
      }
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && groupAlive(pid)) await new Promise((r) => setTimeout(r, 50));
      if (!groupAlive(pid)) break;
    }
    const deadline = Date.now() + 5000;
    for (;;) {
      const alive = tree.filter((p) => sameProcess(p));
      if (alive.length === 0) break;
      const signal = Date.now() > deadline - 3000 ? 'SIGKILL' : 'SIGTERM';
      for (const p of alive) {
        // A group leader (the detached runner) takes its group with it (Vitest's workers).
        const targets = p.pgrp === p.pid && p.pid !== process.pid ? [-p.pid, p.pid] : [p.pid];
        for (const target of targets) {
          try {
            process.kill(target, signal);
          } catch {
            // Gone.
          }
        }
      }
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  // The port: code-server picks a free one (port 0) and says which.
  let port: number | undefined;
  const deadline = Date.now() + 60_000;
  while (port === undefined) {
    const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(readLog());
    if (m) port = Number(m[1]);
    else if (exited || Date.now() > deadline) {
      await killGroup();
      throw new Error(`code-server did not start:\n${readLog()}`);
    } else await new Promise((r) => setTimeout(r, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    const healthy = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (exited || Date.now() > deadline) {
      await killGroup();
      throw new Error(`code-server did not answer /healthz:\n${readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const host = `127.0.0.1:${port}`;
  const remoteUri = (path: string): string => `vscode-remote://${host}${path}`;
  const server: CodeServer = {
    url,
    pid,
    dir,
    userDataDir,
    extensionsDir,
    logFile,
    writeSettings,
    readSettings: () => JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>,
    workbenchUrl(folder, payload) {
      const key = folder.endsWith('.code-workspace') ? 'workspace' : 'folder';
      let href = `${url}/?${key}=${encodeURIComponent(folder)}`;
      if (payload && payload.length > 0) href += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return href;
    },
    remoteUri,
    log: readLog,
    async stop() {
      running.delete(server);
      await killGroup();
      if (process.env.REDLINE_E2E_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  installExitHook();
  log(`code-server ${url} (pid ${pid}, ${dir})`);
  return server;
}

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly state: string;
  /** Clock ticks after boot: with the pid, tells a process from a later one under the same pid. */
  readonly starttime: number;
}

function readProc(pid: number): Proc | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, state: f[0] ?? '?', ppid: Number(f[1]), pgrp: Number(f[2]), starttime: Number(f[19]) };
}

function processTable(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = readProc(Number(entry));
    if (p) out.push(p);
  }
  return out;
}

/** Every process below `root` by parent links, in one snapshot. */
export function descendants(root: number): Proc[] {
  const table = processTable();
  const out: Proc[] = [];
  const stack = [root];
  const seen = new Set<number>([root]);
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    for (const p of table) {
      if (p.ppid !== pid || seen.has(p.pid)) continue;
      seen.add(p.pid);
      out.push(p);
      stack.push(p.pid);
    }
  }
  return out;
}

/** Still running (not a zombie), and the same process as when `p` was read. */
function sameProcess(p: Proc): boolean {
  const now = readProc(p.pid);
  return !!now && now.starttime === p.starttime && now.state !== 'Z' && now.state !== 'X';
}

/** Any process left in the group `pgid` (zombies aside)? */
export function groupAlive(pgid: number): boolean {
  return processTable().some((p) => p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X');
}

// ---------------------------------------------------------------------------------------------
// Workspaces

/**
 * A fresh copy of a fixture (test/fixtures/<name>) in the OS temp dir, its `node_modules` a link
 * to this repository's (the fixtures install nothing: they use the repository's Vitest), without
 * the fixture's own Vite caches or `.redline` state. Removed by the caller.
 */
export function copyFixture(name: string, into?: string): string {
  const source = join(REPO_ROOT, 'test', 'fixtures', name);
  if (!existsSync(source)) throw new Error(`no fixture ${source}`);
  const dir = into ?? mkdtempSync(join(tmpdir(), `rl-ws-${name}-`));
  cpSync(source, dir, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(source.length);
      return !/(^|\/)(node_modules|\.redline)(\/|$)/.test(rel);
    },
  });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}
