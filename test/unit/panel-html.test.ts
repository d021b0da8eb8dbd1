import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, escapeHtml, panelHtml, serializeState, type PanelHtmlOptions } from '../../src/extension/panels/panel-html';

const CSP_SOURCE = 'https://abc.vscode-cdn.net';
const options = (overrides: Partial<PanelHtmlOptions> = {}): PanelHtmlOptions => ({
  kind: 'phases',
  title: 'Redline TDD Phases',
  cspSource: CSP_SOURCE,
  nonce: randomBytes(18).toString('base64'),
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js',
  codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/webview/base.css', 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview/phases.css'],
  state: { phases: { files: [] } },
  ...overrides,
});

/** The content of the CSP meta tag, unescaped. */
function cspOf(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  return match![1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** The JSON in the state block. */
function stateOf(html: string): unknown {
  const match = /<script type="application\/json" id="redline-state">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(match![1]!);
}

describe('contentSecurityPolicy', () => {
  it('starts from nothing and allows only the extension’s resources and this page’s script', () => {
    expect(contentSecurityPolicy(CSP_SOURCE, 'abcdefghijklmnop')).toBe(
      `default-src 'none'; style-src ${CSP_SOURCE}; font-src ${CSP_SOURCE}; img-src ${CSP_SOURCE} data:; script-src 'nonce-abcdefghijklmnop'`,
    );
  });
});

describe('panelHtml', () => {
  it('puts the policy, the nonce on the one script, the stylesheets and the panel kind in the page', () => {
    const o = options();
    const html = panelHtml(o);
    const csp = cspOf(html);
    expect(csp).toBe(contentSecurityPolicy(CSP_SOURCE, o.nonce));
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    // Every executable script carries the nonce; the state block is data (application/json).
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    expect(scripts.filter((s) => !s.includes('type="application/json"')).every((s) => s.includes(`nonce="${o.nonce}"`))).toBe(true);
    expect(html).toContain(`src="${o.scriptUri}"`);
    expect(html).toContain(`<link rel="stylesheet" href="${o.codiconUri}" id="vscode-codicon-stylesheet">`);
    for (const uri of o.styleUris) expect(html).toContain(`<link rel="stylesheet" href="${uri}">`);
    expect(html).toContain('<body data-panel="phases">');
    // No inline style anywhere: the policy would block it.
    expect(html).not.toMatch(/style="|<style/);
    expect(stateOf(html)).toEqual(o.state);
  });

  it('keeps a test name with </script> or <!-- inside the state block, and reads it back unchanged', () => {
    const nasty = 'closes </script><script>alert(1)</script> and <!-- opens a comment & \u2028 breaks a line';
    const state = { phases: { files: [{ path: 'a.test.ts', broken: null, tests: [{ fullName: nasty, name: nasty }] }] } };
    const html = panelHtml(options({ state }));
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<!--');
    expect(html).not.toContain('alert(1)</script>');
    expect(stateOf(html)).toEqual(state);
  });

  it('escapes the title and the URIs', () => {
    const html = panelHtml(options({ title: 'A <b>"title"</b>', scriptUri: 'https://x/main.js?a=1&b="2"' }));
    expect(html).toContain('<title>A &lt;b&gt;&quot;title&quot;&lt;/b&gt;</title>');
    expect(html).toContain('src="https://x/main.js?a=1&amp;b=&quot;2&quot;"');
  });

  it('refuses a nonce that is short or could break out of its attribute', () => {
    expect(() => panelHtml(options({ nonce: 'short' }))).toThrow(/nonce/);
    expect(() => panelHtml(options({ nonce: 'abcdefghijklmnop" onload="x' }))).toThrow(/nonce/);
  });

  it('serialises a missing state as null', () => {
    expect(serializeState(undefined)).toBe('null');
    expect(serializeState('<>&')).toBe('"\\u003c\\u003e\\u0026"');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
