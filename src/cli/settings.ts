// From --root, redline.config.json and the flags to one validated configuration, or a list of
// errors that each name the key, the value and what was expected (exit code 3, no stack trace).
import { existsSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { mergeConfig, parseConfig, type Config } from '../core/config';
import { defaultLimitBytes } from '../core/tiers';
import { loadConfigFile } from './config-file';
import { flagsToConfig, type ConfigFlags } from './flags-to-config';

export class UsageError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export interface Settings {
  readonly root: string;
  readonly config: Config;
  readonly configPath?: string;
  readonly limitBytes: number;
}

export function resolveRoot(rootFlag: string | undefined): string {
  const root = resolve(rootFlag ?? process.cwd());
  if (!existsSync(root)) throw new UsageError([`--root ${rootFlag ?? root}: ${root} does not exist. Pass the folder of a project that uses Vitest.`]);
  if (!statSync(root).isDirectory()) throw new UsageError([`--root ${rootFlag ?? root}: ${root} is a file, not a folder. Pass the folder of a project that uses Vitest.`]);
  return root;
}

export function loadSettings(rootFlag: string | undefined, flags: ConfigFlags): Settings {
  const root = resolveRoot(rootFlag);
  const file = loadConfigFile(root);
  if (!file.ok) throw new UsageError(file.errors.map((e) => e.message));
  const fromFlags = flagsToConfig(flags);
  if (!fromFlags.ok) throw new UsageError(fromFlags.errors.map((e) => e.message));
  const fileParsed = parseConfig(file.input, 'redline.config.json');
  if (!fileParsed.ok) throw new UsageError(fileParsed.errors.map((e) => e.message));
  const merged = parseConfig(mergeConfig(file.input, fromFlags.input), 'redline.config.json');
  if (!merged.ok) throw new UsageError(merged.errors.map((e) => e.message));
  const limitBytes = merged.config.memory.limitMB !== undefined ? merged.config.memory.limitMB * 1024 * 1024 : defaultLimitBytes(totalmem());
  return { root, config: merged.config, ...(file.path ? { configPath: file.path } : {}), limitBytes };
}
