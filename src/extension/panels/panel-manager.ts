// The four webview panels of a workspace: opens or reveals them, brings them back after a
// reload (serializers), and disposes them with the extension. Each open panel is a
// RedlinePanel, which holds its own subscriptions; the manager holds only the settings they
// share and the configuration listener that refreshes them. The services are the focused
// folder's (focused-services.ts): the settings follow the focus, each panel repaints itself.
import * as vscode from 'vscode';
import { PANELS, type PanelKind } from '../../protocol/commands';
import type { ViewServices } from '../focused-services';
import { PanelSettingsCache } from './panel-settings';
import { PANEL_TITLES, RedlinePanel, webviewOptions } from './redline-panel';

const KINDS = Object.keys(PANELS) as PanelKind[];

export class PanelManager implements vscode.Disposable {
  private readonly open = new Map<PanelKind, RedlinePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly settings: PanelSettingsCache;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly services: ViewServices,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.settings = new PanelSettingsCache(() => services.root, log);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('redline')) return;
        this.settings.invalidate();
        for (const panel of this.open.values()) panel.requestUpdate();
      }),
      // redline.config.json may have changed since the settings were read; a run rereads it too.
      services.onDidFinishRun(() => this.settings.invalidate()),
      // Subscribed before any panel exists, so it runs before the panels rebuild their state.
      services.onDidChangeFocus(() => this.settings.invalidate()),
    );
  }

  /** Reveal the panel if it is open, else open it in the active editor column. */
  show(kind: PanelKind): void {
    const existing = this.open.get(kind);
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANELS[kind], PANEL_TITLES[kind], vscode.ViewColumn.Active, {
      ...webviewOptions(this.context.extensionUri),
      // Ctrl+F over a long phase tree or backup list.
      enableFindWidget: true,
    });
    this.attach(kind, panel);
  }

  /** Panels left open when the window reloaded come back (their UI state is kept by the page). */
  registerSerializers(): vscode.Disposable {
    return vscode.Disposable.from(
      ...KINDS.map((kind) =>
        vscode.window.registerWebviewPanelSerializer(PANELS[kind], {
          deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
            if (this.open.has(kind)) {
              // Two restored panels of one kind cannot both be the one `show` reveals.
              panel.dispose();
              return;
            }
            this.attach(kind, panel);
          },
        }),
      ),
    );
  }

  dispose(): void {
    for (const panel of [...this.open.values()]) panel.dispose();
    this.open.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private attach(kind: PanelKind, webviewPanel: vscode.WebviewPanel): void {
    this.log.debug(`Redline ${kind} panel opened.`);
    const panel = new RedlinePanel(kind, webviewPanel, {
      extensionUri: this.context.extensionUri,
      services: this.services,
      log: this.log,
      settings: () => this.settings.get(),
    });
    this.open.set(kind, panel);
    panel.onDidDispose(() => {
      if (this.open.get(kind) === panel) this.open.delete(kind);
      this.log.debug(`Redline ${kind} panel closed.`);
    });
  }
}
