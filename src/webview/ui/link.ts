// A file path that opens the file: a real <button> so it is reachable by keyboard, styled as a link.
import { h } from '../dom';
import { runCommand } from '../host';

export function fileLink(path: string, text: string = path, line?: number): HTMLButtonElement {
  return h(
    'button',
    {
      class: 'link file-link',
      title: `Open ${path}`,
      attrs: { type: 'button' },
      on: {
        click: (event) => {
          event.stopPropagation();
          runCommand({ command: 'redline.openFile', args: line === undefined ? { path } : { path, line } });
        },
      },
    },
    text,
  );
}
