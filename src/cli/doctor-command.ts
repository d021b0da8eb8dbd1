// `redline doctor`: what Redline would run with, and whether it can — Node, the workspace's
// Vitest, the configuration, the memory limit and the process table the guard reads.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import pc from 'picocolors';
import { formatBytes } from '../core/format';
import { locateVitest, SUPPORTED_VITEST } from '../runner/vitest-locate';
import { currentPlatform } from '../runner/platform/current';
import { loadSettings, UsageError } from './settings';
import { doctorStateLines, type StateLine } from './doctor-state';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export async function doctorCommand(flags: { root?: string }): Promise<number> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const nodeOk = major > 20 || (major === 20 && minor >= 19);
  checks.push({ name: 'Node', ok: nodeOk, detail: `${process.version}${nodeOk ? '' : ' — Redline needs Node 20.19 or newer'}` });

  let root: string | undefined;
  try {
    const settings = loadSettings(flags.root, {});
    root = settings.root;
    checks.push({ name: 'Root', ok: true, detail: settings.root });
    checks.push({ name: 'Config', ok: true, detail: settings.configPath ?? 'no redline.config.json (defaults)' });
    checks.push({
      name: 'Memory limit',
      ok: true,
      detail: `${formatBytes(settings.limitBytes)} (machine ${formatBytes(totalmem())}); tiers ${Object.values(settings.config.memory.tiers).join('/')} %; sampling every ${settings.config.memory.sampleIntervalMs} ms`,
    });
    checks.push({ name: 'File timeout', ok: true, detail: `${settings.config.run.fileTimeoutS} s without progress` });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    checks.push({ name: 'Config', ok: false, detail: error.lines.join('\n    ') });
  }

  if (root) {
    const vitest = locateVitest(root);
    checks.push(
      vitest.ok
        ? { name: 'Vitest', ok: true, detail: `${vitest.vitest.version} at ${vitest.vitest.packageDir} (supported: ${SUPPORTED_VITEST})` }
        : { name: 'Vitest', ok: false, detail: vitest.message },
    );
  }

  try {
    const platform = currentPlatform();
    const started = Date.now();
    const table = await platform.listProcesses([]);
    const rss = await platform.sampleRss([process.pid]);
    checks.push({
      name: 'Process table',
      ok: table.length > 0 && (rss.get(process.pid) ?? 0) > 0,
      detail: `${platform.name}: ${table.length} processes listed in ${Date.now() - started} ms; this process ${formatBytes(rss.get(process.pid) ?? 0)}`,
    });
  } catch (error) {
    checks.push({ name: 'Process table', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }

  const runner = join(__dirname, 'runner.js');
  const probe = join(__dirname, 'probe.mjs');
  const built = existsSync(runner) && existsSync(probe);
  checks.push({ name: 'Runner', ok: built, detail: built ? runner : `missing ${runner} or ${probe} — run npm run build` });

  // The state is only looked at when the root and its config are good: that is where it lives.
  const state: StateLine[] = root ? await doctorStateLines(flags.root) : [];

  const width = Math.max(...checks.map((c) => c.name.length), ...state.map((s) => s.name.length));
  for (const c of checks) process.stdout.write(` ${c.ok ? pc.green('✓') : pc.red('✗')} ${c.name.padEnd(width)}  ${c.detail}\n`);
  if (state.length > 0) {
    process.stdout.write(`\n ${pc.bold('State')}\n`);
    const mark = { ok: pc.green('✓'), warn: pc.yellow('!'), bad: pc.red('✗') } as const;
    for (const s of state) process.stdout.write(` ${mark[s.level]} ${s.name.padEnd(width)}  ${s.detail}\n`);
  }
  const failed = [...checks.filter((c) => !c.ok), ...state.filter((s) => s.level === 'bad')];
  process.stdout.write(failed.length === 0 ? pc.green('\n Ready.\n') : pc.red(`\n ${failed.length} problem${failed.length === 1 ? '' : 's'} found.\n`));
  return failed.length === 0 ? 0 : 3;
}
