// The page's side of the webview API: posting messages to the host and keeping UI state (filter
// text, open branches, the selected test) with setState, so a panel that was hidden or reloaded
// comes back as it was. `acquireVsCodeApi` may be called once per page, hence one module.
import type { PanelKind } from '../protocol/commands';
import type { CommandMessage, WebviewMessage } from '../protocol/webview';

/** A command message without its `type`, kept discriminated by `command`. */
export type CommandRequest = CommandMessage extends infer M ? (M extends unknown ? Omit<M, 'type'> : never) : never;

interface SavedState {
  readonly kind: PanelKind;
  readonly ui: unknown;
}

const api = acquireVsCodeApi<SavedState>();

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

/** Ask the host to run a `redline.*` command; the command confirms what needs confirming. */
export function runCommand(message: CommandRequest): void {
  post({ type: 'command', ...message } as CommandMessage);
}

/** The UI state saved for this panel, or undefined (first open, or a state of another panel kind). */
export function loadUiState(kind: PanelKind): unknown {
  const saved = api.getState();
  return saved && saved.kind === kind ? saved.ui : undefined;
}

export function saveUiState(kind: PanelKind, ui: unknown): void {
  api.setState({ kind, ui });
}

/** Report an error to the host's log (the page has no console the user sees). */
export function reportError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error && error.stack ? error.stack.slice(0, 20_000) : undefined;
  post({ type: 'error', message: message.slice(0, 4000), ...(stack ? { stack } : {}) });
}
