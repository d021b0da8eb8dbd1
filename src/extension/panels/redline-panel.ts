// One open panel: its webview, its subscriptions to the workspace's events (only while it is
// open), the throttle its updates go through, and the messages it accepts. Everything it holds
// is released when the user closes it. With several Vitest folders it shows the focused one
// (focused-services.ts), named in its tab title, and repaints when the focus moves.
import { randomBytes } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import * as vscode from 'vscode';
import { titleWithFolder } from '../../core/views/focus';
import { UpdateThrottle } from '../../core/views/throttle';
import { COMMANDS, type PanelKind } from '../../protocol/commands';
import type { ViewServices } from '../focused-services';
import { parseWebviewMessage, stateMessage, type PanelStates, type WebviewMessage } from '../../protocol/webview';
import { commandCall, isAllowedFor } from './command-call';
import { panelHtml } from './panel-html';
import { panelEvents, panelState, type PanelSettings } from './panel-state';

export const PANEL_TITLES: Readonly<Record<PanelKind, string>> = {
  memory: 'Redline Memory',
  phases: 'Redline TDD Phases',
  leaks: 'Redline Leaks',
  recovery: 'Redline Recovery',
};

export interface PanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly services: ViewServices;
  readonly log: vscode.LogOutputChannel;
  readonly settings: () => PanelSettings;
}

/** The folders a panel may load from: the bundle (with codicons) and the stylesheets and icons. */
export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: resourceRoots(extensionUri) };
}

export class RedlinePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly throttle: UpdateThrottle;
  private disposed = false;
  /** Updates are built asynchronously (phases and backups are read from disk): only a newer one may replace an older one. */
  private requested = 0;
  private posted = 0;
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  constructor(
    readonly kind: PanelKind,
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
  ) {
    const deliver = () => void this.update().catch((error: unknown) => deps.log.warn(`Redline ${kind} panel: could not send its state: ${describe(error)}`));
    this.throttle = new UpdateThrottle(deliver, { now: Date.now, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) });
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.iconPath = {
      light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'panel-light.svg'),
      dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'panel-dark.svg'),
    };
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.onMessage(data)),
      ...panelEvents(kind, deps.services).map((event) => event(() => this.requestUpdate())),
      // Another folder: everything shown is stale, whatever this panel's own events say.
      deps.services.onDidChangeFocus(() => {
        this.retitle();
        this.requestUpdate();
      }),
    );
    this.retitle();
    void this.load();
  }

  /** Something this panel shows may have changed: send a fresh state soon (throttled). */
  requestUpdate(): void {
    // A hidden panel's page is gone (no retainContextWhenHidden); it asks for the state with
    // `ready` when it is shown again.
    if (this.panel.visible) this.throttle.request();
  }

  /** The tab title names the folder shown when there is more than one (a restored tab's too). */
  private retitle(): void {
    const title = titleWithFolder(PANEL_TITLES[this.kind], this.deps.services.folderLabel());
    if (this.panel.title !== title) this.panel.title = title;
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.throttle.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
  }

  /** The first page, with the current state in it so the first paint needs no round trip. */
  private async load(): Promise<void> {
    // Without a state (gathering it failed, and the log says why) the page says it could not be
    // drawn, then asks again with `ready`.
    const state = await this.build();
    if (this.disposed) return;
    const webview = this.panel.webview;
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...path)).toString();
    this.panel.webview.html = panelHtml({
      kind: this.kind,
      title: PANEL_TITLES[this.kind],
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: asset('dist', 'webview', 'main.js'),
      codiconUri: asset('dist', 'webview', 'codicon.css'),
      styleUris: [asset('media', 'webview', 'base.css'), asset('media', 'webview', `${this.kind}.css`)],
      state: state ?? null,
    });
  }

  private async build(): Promise<PanelStates[PanelKind] | undefined> {
    try {
      return await panelState(this.kind, this.deps.services, this.deps.settings());
    } catch (error) {
      this.deps.log.error(`Redline ${this.kind} panel: could not gather its state: ${describe(error)}`);
      return undefined;
    }
  }

  private async update(): Promise<void> {
    const id = ++this.requested;
    const state = await this.build();
    if (this.disposed || state === undefined || id < this.posted) return;
    this.posted = id;
    await this.panel.webview.postMessage(stateMessage(this.kind, state));
  }

  private onMessage(data: unknown): void {
    const parsed = parseWebviewMessage(data);
    if (!parsed.ok) {
      this.deps.log.warn(`Redline ${this.kind} panel: dropped an invalid message (${parsed.error}).`);
      return;
    }
    void this.handle(parsed.message).catch((error: unknown) => this.deps.log.error(`Redline ${this.kind} panel: ${describe(error)}`));
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // Straight away, not throttled: the page shows the state from its HTML until this arrives.
        return this.update();
      case 'error':
        this.deps.log.error(`Redline ${this.kind} panel (page): ${message.message}${message.stack ? `\n${message.stack}` : ''}`);
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', message.query);
        return;
      case 'command': {
        if (!isAllowedFor(this.kind, message.command)) {
          this.deps.log.warn(`Redline ${this.kind} panel: dropped ${message.command}, which this panel does not offer.`);
          return;
        }
        if (message.command === COMMANDS.openFile && !this.insideRoot(message.args.path)) {
          this.deps.log.warn(`Redline ${this.kind} panel: dropped openFile of ${message.args.path}, outside the workspace folder.`);
          return;
        }
        if (message.command === COMMANDS.openHeapSnapshot && !this.knownSnapshot(message.args.path)) {
          this.deps.log.warn(`Redline ${this.kind} panel: dropped openHeapSnapshot of ${message.args.path}, which no leak of the last run names.`);
          return;
        }
        // Absolute: redline.openFile resolves a relative path against the first folder, and this
        // panel may be showing another.
        const call = commandCall(message.command === COMMANDS.openFile ? { ...message, args: { ...message.args, path: resolve(this.deps.services.root, message.args.path) } } : message);
        await vscode.commands.executeCommand(call.command, ...call.args);
        return;
      }
    }
  }

  private insideRoot(path: string): boolean {
    const root = this.deps.services.root;
    const rel = relative(root, resolve(root, path));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  }

  private knownSnapshot(path: string): boolean {
    return this.deps.services.lastLeaks().some((leak) => leak.snapshots?.includes(path) ?? false);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
