// `redline hook install | uninstall`: the git pre-commit hook that runs `redline gate`. Written
// only where there is no hook or our own; a hook someone else wrote is left as it is and the user
// is shown the line to add (exit 1). Uninstall removes only ours.
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import pc from 'picocolors';
import { ExitCode } from '../core/report-summary';
import { gitHooksDir, gitTopLevel } from './git-changes';
import { gateLine, hookScript, planInstall, planUninstall } from './hook-script';
import { resolveRoot } from './settings';
import { say } from './state-session';

interface HookPlace {
  readonly path: string;
  /** The hook's path as the user would type it (relative to the current directory when inside it). */
  readonly shown: string;
  readonly rootFromTop: string;
}

async function hookPlace(rootFlag: string | undefined): Promise<HookPlace> {
  const root = realpathSync(resolveRoot(rootFlag));
  const top = realpathSync(await gitTopLevel(root, 'redline hook'));
  const path = join(await gitHooksDir(root), 'pre-commit');
  const fromCwd = relative(process.cwd(), path);
  return {
    path,
    shown: fromCwd.startsWith('..') ? path : fromCwd,
    rootFromTop: relative(top, root).split(sep).join('/'),
  };
}

function readHook(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

export async function hookInstallCommand(flags: { root?: string }): Promise<number> {
  const place = await hookPlace(flags.root);
  const wanted = hookScript(place.rootFromTop);
  const plan = planInstall(readHook(place.path), wanted);
  switch (plan.action) {
    case 'unchanged':
      say(`The pre-commit hook is already installed: ${place.shown}`);
      return ExitCode.ok;
    case 'write':
    case 'update':
      mkdirSync(join(place.path, '..'), { recursive: true });
      writeFileSync(place.path, wanted, { mode: 0o755 });
      // The umask may have taken bits off: git runs only an executable hook.
      chmodSync(place.path, 0o755);
      say(`${plan.action === 'write' ? 'Installed' : 'Updated'} the pre-commit hook: ${place.shown}`);
      say(pc.dim('Every commit now runs the tests its staged changes affect (redline gate); `git commit --no-verify` skips it once.'));
      return ExitCode.ok;
    case 'refuse': {
      const err = (line: string): void => void process.stderr.write(line + '\n');
      if (plan.alreadyGates) {
        err(`${place.shown} was not written by Redline, but it already runs redline gate: nothing to do.`);
        return ExitCode.ok;
      }
      err(`${pc.red('redline:')} a pre-commit hook already exists (${place.shown}) and was not written by Redline; it is left as it is.`);
      err('To run the gate from it, add this line to it (before any `exec`):');
      err('');
      err(`    ${gateLine(place.rootFromTop)}`);
      err('');
      err('With husky or lefthook, add it to their configuration instead (see the README, "Pre-commit hook").');
      return ExitCode.failed;
    }
  }
}

export async function hookUninstallCommand(flags: { root?: string }): Promise<number> {
  const place = await hookPlace(flags.root);
  const plan = planUninstall(readHook(place.path));
  switch (plan.action) {
    case 'absent':
      say(`No pre-commit hook to remove (${place.shown} does not exist).`);
      return ExitCode.ok;
    case 'remove':
      rmSync(place.path);
      say(`Removed the pre-commit hook: ${place.shown}`);
      return ExitCode.ok;
    case 'refuse':
      process.stderr.write(
        `${pc.red('redline:')} ${place.shown} was not written by Redline; it is left as it is.` +
          (plan.mentionsGate ? ' Remove its `redline gate` line by hand.' : '') +
          '\n',
      );
      return ExitCode.failed;
  }
}
