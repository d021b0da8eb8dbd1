// The HTML of a panel: pure (no `vscode`), so the Content Security Policy and the escaping are
// unit-tested in plain Node. The caller passes the webview's cspSource, the resource URIs
// (asWebviewUri) and a fresh nonce from crypto.randomBytes.
//
// The policy allows only what the bundle needs: scripts with this page's nonce (no inline
// script, no eval), styles and fonts from the extension's own resources, images from them or
// data: URIs. The initial state travels in a JSON block (type application/json is data, not
// script, so the nonce does not apply) with `<` escaped, so a test named `</script>` stays text.
import type { PanelKind } from '../../protocol/commands';

export interface PanelHtmlOptions {
  readonly kind: PanelKind;
  readonly title: string;
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Base64 of at least 16 random bytes, new for every page. */
  readonly nonce: string;
  /** The bundle (dist/webview/main.js) as a webview URI. */
  readonly scriptUri: string;
  /** codicon.css as a webview URI; linked with the id VS Code Elements looks for. */
  readonly codiconUri: string;
  /** The panels' stylesheets, in order. */
  readonly styleUris: readonly string[];
  /** The panel's first state: any JSON value. */
  readonly state: unknown;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/**
 * JSON that is safe inside an HTML element: `<` (so no `</script>` and no `<!--`), `>` and `&`
 * become \u escapes, as do U+2028/U+2029; JSON.parse reads them back unchanged.
 */
export function serializeState(state: unknown): string {
  return (JSON.stringify(state) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const NONCE = /^[A-Za-z0-9+/=_-]{16,}$/;

export function panelHtml(options: PanelHtmlOptions): string {
  // A nonce that could close the attribute would defeat the policy; refuse it loudly.
  if (!NONCE.test(options.nonce)) throw new Error('panelHtml: the nonce must be base64 of at least 12 random bytes');
  const attr = escapeHtml;
  const styles = options.styleUris.map((uri) => `  <link rel="stylesheet" href="${attr(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(options.cspSource, options.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${escapeHtml(options.title)}</title>
  <link rel="stylesheet" href="${attr(options.codiconUri)}" id="vscode-codicon-stylesheet">
${styles}
  <script type="application/json" id="redline-state">${serializeState(options.state)}</script>
  <script type="module" nonce="${attr(options.nonce)}" src="${attr(options.scriptUri)}"></script>
</head>
<body data-panel="${attr(options.kind)}">
  <main id="app" aria-label="${attr(options.title)}"></main>
</body>
</html>
`;
}
