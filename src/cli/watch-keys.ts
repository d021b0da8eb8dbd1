// The keys of `redline watch` on a terminal (raw mode: one key arrives as it is pressed, and
// Ctrl-C arrives as the byte 0x03 rather than as SIGINT, so it is mapped here too).

export type WatchKeyAction = 'all' | 'failed' | 'quit' | 'help';

const KEYS: Readonly<Record<string, WatchKeyAction>> = {
  a: 'all',
  A: 'all',
  f: 'failed',
  F: 'failed',
  q: 'quit',
  Q: 'quit',
  '\u0003': 'quit', // Ctrl-C
  '\u0004': 'quit', // Ctrl-D: "end of input" quits other watchers too
  h: 'help',
  H: 'help',
  '?': 'help',
};

/**
 * The actions of what stdin delivered, in order. A paste (or keys typed while the process was
 * busy) arrives as one chunk; escape sequences (arrows, function keys) are not keys of ours.
 */
export function keyActions(chunk: string): WatchKeyAction[] {
  const out: WatchKeyAction[] = [];
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] === '\u001b') {
      // ESC [ … final byte (@ to ~), or ESC and one character: skip the whole sequence.
      if (chunk[i + 1] === '[') {
        i += 2;
        while (i < chunk.length && !/[@-~]/.test(chunk[i]!)) i++;
      } else i++;
      continue;
    }
    const action = KEYS[chunk[i]!];
    if (action) out.push(action);
  }
  return out;
}

/** For the status line, where room is short. */
export const KEY_HINT = 'a all · f failed · q quit';
/** For `h`: what each key does. */
export const KEY_HELP = 'a run every test file (cache off) · f rerun the files that failed · q quit (Ctrl-C too)';
