// Where in a V8 stack (Node, and Vitest's errors, which keep V8's shape) a failure points: the
// frame in the test file, for the red squiggle on the failing line, or the first frame in the
// workspace's own code, for errors thrown from a source file. Frames are `at fn (LOCATION)` or
// `at LOCATION`, LOCATION being `path:line:column` with path plain, Windows or a file: URL.

export interface StackPosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, as stacks print it. */
  readonly column: number;
}

export interface StackFrame extends StackPosition {
  /** A file-system path (file: URLs decoded). */
  readonly file: string;
}

/** The topmost frame that points into `file` (an absolute path), or undefined if none does. */
export function stackLocation(stack: string, file: string): StackPosition | undefined {
  const want = normalizePath(file);
  for (const frame of stackFrames(stack)) {
    if (samePath(normalizePath(frame.file), want)) return { line: frame.line, column: frame.column };
  }
  return undefined;
}

/**
 * The topmost frame inside the workspace `root` whose path below the root has none of the
 * `ignore` folders (whole path segments, e.g. 'node_modules' or '.vite/deps'). Its `file` is the
 * root as given joined with the path below it, in the root's separator style.
 */
export function firstUserFrame(stack: string, root: string, ignore: readonly string[] = ['node_modules']): StackFrame | undefined {
  const base = normalizePath(root).replace(/\/+$/, '');
  for (const frame of stackFrames(stack)) {
    const path = normalizePath(frame.file);
    const prefix = path.slice(0, base.length);
    if (path[base.length] !== '/' || !samePath(prefix, base)) continue;
    const below = path.slice(base.length + 1);
    const within = `/${below}/`;
    const folded = isWindowsPath(base) ? within.toLowerCase() : within;
    if (ignore.some((dir) => folded.includes(`/${isWindowsPath(base) ? dir.toLowerCase() : dir}/`))) continue;
    const separator = root.includes('\\') ? '\\' : '/';
    const file = `${root.replace(/[\\/]+$/, '')}${separator}${separator === '\\' ? below.replace(/\//g, '\\') : below}`;
    return { file, line: frame.line, column: frame.column };
  }
  return undefined;
}

/** The frames of a stack that name a file, in order; other lines (the message, `at <anonymous>`, eval frames) are skipped. */
export function stackFrames(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const raw of stack.split(/\r?\n/)) {
    const frame = parseFrame(raw);
    if (frame) frames.push(frame);
  }
  return frames;
}

function parseFrame(raw: string): StackFrame | undefined {
  const text = raw.trim();
  // Only V8 frame lines: a message line may well mention a path:line:column too.
  if (!text.startsWith('at ') || text.includes('(eval at ')) return undefined;
  const s = text.slice(3);
  // `:line:column` at the very end (before a closing parenthesis), read backwards: no regex to backtrack.
  let end = s.endsWith(')') ? s.length - 1 : s.length;
  const column = trailingNumber(s, end);
  if (!column) return undefined;
  end = column.start - 1;
  const line = trailingNumber(s, end);
  if (!line) return undefined;
  const head = s.slice(0, line.start - 1);
  // The location starts at the first path-like text at the start or after `(` or a space; paths
  // may hold spaces and parentheses themselves, function names do not start like a path.
  for (let k = 0; k < head.length; k++) {
    if (k > 0 && head[k - 1] !== '(' && head[k - 1] !== ' ') continue;
    if (looksLikePath(head, k)) return { file: head.slice(k), line: line.value, column: column.value };
  }
  return undefined;
}

/** The number ending at `end` and preceded by ':' (so `start - 1` is the colon), or undefined. */
function trailingNumber(s: string, end: number): { value: number; start: number } | undefined {
  let start = end;
  while (start > 0 && s.charCodeAt(start - 1) >= 48 && s.charCodeAt(start - 1) <= 57) start--;
  if (start === end || end - start > 9 || s[start - 1] !== ':') return undefined;
  return { value: Number(s.slice(start, end)), start };
}

function looksLikePath(s: string, k: number): boolean {
  const c = s[k];
  if (c === '/' || c === '\\') return true;
  if (s.startsWith('file:', k)) return true;
  return /^[A-Za-z]:[\\/]/.test(s.slice(k, k + 3));
}

/**
 * A path in one comparable form: file: URLs decoded to paths, backslashes as slashes, a Windows
 * drive letter lower-cased.
 */
export function normalizePath(p: string): string {
  let s = p.trim();
  if (/^file:/i.test(s)) {
    s = s.slice(5).replace(/[?#].*$/, '');
    try {
      s = decodeURIComponent(s);
    } catch {
      // A malformed escape: compare it as written.
    }
    if (s.startsWith('///')) s = s.slice(2);
    // file:///C:/x → C:/x; file://host/share → //host/share (UNC).
    if (/^\/[A-Za-z]:[\\/]/.test(s)) s = s.slice(1);
  }
  s = s.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(s)) s = s[0]!.toLowerCase() + s.slice(1);
  return s;
}

/** Windows paths (a drive letter or UNC) compare without case, as the file system does. */
function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  return isWindowsPath(a) && isWindowsPath(b) && a.toLowerCase() === b.toLowerCase();
}

function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:\//.test(p) || p.startsWith('//');
}
