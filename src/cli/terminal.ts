// How the CLI writes to the terminal: live progress only on an interactive terminal outside CI;
// colours only where the terminal takes them (picocolors honours NO_COLOR and FORCE_COLOR).
import pc from 'picocolors';

export interface Terminal {
  readonly live: boolean;
  /** Replace the status line (live mode only). */
  status(text: string): void;
  /** Print a line above the status line. */
  line(text: string): void;
  clearStatus(): void;
}

export function isLive(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return Boolean(stream.isTTY) && !ci;
}

export function createTerminal(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Terminal {
  const live = isLive(stream, env);
  let shown = false;
  const clear = (): void => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    live,
    status(text) {
      if (!live) return;
      // `columns` is 0 or missing when the terminal does not say (script(1), some CI consoles).
      const width = stream.columns || 100;
      clear();
      stream.write(truncate(text, width - 1));
      shown = true;
    },
    line(text) {
      clear();
      stream.write(text + '\n');
    },
    clearStatus: clear,
  };
}

function truncate(text: string, width: number): string {
  // Count visible characters only: ANSI colour codes take no room.
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\x1b') {
      const end = text.indexOf('m', i);
      if (end > 0) {
        out += text.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (visible >= width) break;
    out += text[i];
    visible++;
  }
  return out + pc.reset('');
}
