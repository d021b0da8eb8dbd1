// The configuration a workspace folder runs with: redline.config.json, with the `redline.*` VS
// Code settings a user set laid over it (DESIGN.md "Configuration"). A bad value in either is one
// error naming the key, the value and what was expected — never a run on a half-valid config.
import { totalmem } from 'node:os';
import * as vscode from 'vscode';
import { mergeConfig, parseConfig } from '../core/config';
import { defaultLimitBytes } from '../core/tiers';
import { SETTINGS_SECTION, settingsToConfigInput } from '../core/vscode-settings';
import { loadConfigFile } from '../cli/config-file';
import type { Settings } from '../cli/settings';

export type LoadedSettings = { readonly ok: true; readonly settings: Settings } | { readonly ok: false; readonly errors: readonly string[] };

export function loadFolderSettings(folder: vscode.WorkspaceFolder): LoadedSettings {
  const root = folder.uri.fsPath;
  const file = loadConfigFile(root);
  if (!file.ok) return { ok: false, errors: file.errors.map((e) => e.message) };
  const fileParsed = parseConfig(file.input, 'redline.config.json');
  if (!fileParsed.ok) return { ok: false, errors: fileParsed.errors.map((e) => e.message) };
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder.uri);
  const fromSettings = settingsToConfigInput((key) => configuration.inspect(key));
  const settingsParsed = parseConfig(fromSettings, 'VS Code settings');
  if (!settingsParsed.ok) return { ok: false, errors: settingsParsed.errors.map((e) => e.message.replace(/^VS Code settings: /, `Setting ${SETTINGS_SECTION}.`)) };
  const merged = parseConfig(mergeConfig(file.input, fromSettings), 'redline.config.json with VS Code settings');
  if (!merged.ok) return { ok: false, errors: merged.errors.map((e) => e.message) };
  const limitBytes = merged.config.memory.limitMB !== undefined ? merged.config.memory.limitMB * 1024 * 1024 : defaultLimitBytes(totalmem());
  return { ok: true, settings: { root, config: merged.config, ...(file.path ? { configPath: file.path } : {}), limitBytes } };
}

/** Settings whose change needs a new runner (the runner takes them at start). */
export const RESTART_SETTINGS = [`${SETTINGS_SECTION}.nodeExecutable`, `${SETTINGS_SECTION}.backups.max`] as const;
