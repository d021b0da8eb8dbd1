// The VS Code Elements the panels use, imported one by one so the bundle holds only these.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import { h } from './dom';

export interface ButtonOptions {
  readonly icon?: string;
  readonly secondary?: boolean;
  readonly title?: string;
  readonly class?: string;
}

export function button(label: string, onClick: () => void, options: ButtonOptions = {}): VscodeButton {
  const el = h('vscode-button', { class: options.class ?? '', title: options.title ?? '' }, label);
  if (options.icon) el.icon = options.icon;
  el.secondary = options.secondary ?? false;
  el.addEventListener('click', () => {
    if (!el.disabled) onClick();
  });
  return el;
}
