// The settings the panels show, read from the workspace folder's configuration. Read once and
// kept until a `redline.*` setting changes or a run finishes (redline.config.json may have
// changed): the memory panel updates 20 times a second and must not read a file each time.
// The folder is asked for on each read: the panels follow the focused folder, which may change.
import * as vscode from 'vscode';
import { DEFAULT_TIER_PERCENTS } from '../../core/tiers';
import { loadFolderSettings } from '../settings';
import type { PanelSettings } from './panel-state';

const DEFAULTS: PanelSettings = { tierPercents: DEFAULT_TIER_PERCENTS, leaksEnabled: false, heapSnapshot: false };

export class PanelSettingsCache {
  private cached: PanelSettings | undefined;

  constructor(
    private readonly root: () => string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get(): PanelSettings {
    this.cached ??= this.read();
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private read(): PanelSettings {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(this.root()));
    if (!folder) return DEFAULTS;
    try {
      const loaded = loadFolderSettings(folder);
      // A bad configuration is reported by the run that uses it; the panels show the defaults.
      if (!loaded.ok) return DEFAULTS;
      const { config } = loaded.settings;
      return { tierPercents: { ...config.memory.tiers }, leaksEnabled: config.leaks.enabled, heapSnapshot: config.memory.heapSnapshot };
    } catch (error) {
      this.log.warn(`Redline panels: could not read the settings (${error instanceof Error ? error.message : String(error)}); showing the defaults.`);
      return DEFAULTS;
    }
  }
}
