// A forgiving JavaScript/TypeScript tokenizer, just enough for test discovery: it tells code from
// comments, strings, template literals and regular expressions, and knows where each token sits.
// One pass, no backtracking, never throws: garbled input gives odd tokens, not an exception.
// Strings and regular expressions cannot cross a line, so a misread quote (an apostrophe in JSX
// text) or a division taken for a regex spoils at most the rest of one line.

export type TokenKind = 'ident' | 'punct' | 'string' | 'template' | 'regex' | 'number';

export interface Token {
  readonly kind: TokenKind;
  /** Offsets into the source: [start, end). */
  readonly start: number;
  readonly end: number;
  /** 1-based. */
  readonly line: number;
  /** 0-based, in UTF-16 code units (what an editor position counts). */
  readonly column: number;
  readonly endLine: number;
  /**
   * ident: the name; punct: its characters; string: the decoded value; template: the decoded
   * value when it has no `${…}`, else its raw text between the backticks.
   */
  readonly value: string;
  /** template: whether it holds a `${…}`. */
  readonly substitution?: boolean;
}

// After these words a `/` starts a regular expression; after any other identifier it divides.
const REGEX_AFTER_WORD = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  // For each template literal now inside a `${…}`, the depth of `{` opened within it. Tokens there
  // are read (to find where the substitution ends) but not emitted: the whole template is one token.
  const substitutions: number[] = [];
  let inTemplateText = false;
  let tplStart = 0;
  let tplLine = 0;
  let tplColumn = 0;
  let tplHasSubstitution = false;
  // The previous significant token, inside templates too: it decides whether `/` is a regex.
  let prevKind: TokenKind | undefined;
  let prevValue = '';

  const countLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const c = source.charCodeAt(i);
      if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
        line++;
        lineStart = i + 1;
      }
    }
  };

  const emit = (kind: TokenKind, start: number, end: number, startLine: number, column: number, value: string): void => {
    prevKind = kind;
    prevValue = value;
    if (substitutions.length === 0) tokens.push({ kind, start, end, line: startLine, column, endLine: line, value });
  };

  const emitTemplate = (end: number): void => {
    const bodyEnd = source.charCodeAt(end - 1) === 96 && end - 1 > tplStart ? end - 1 : end;
    const raw = source.slice(tplStart + 1, bodyEnd);
    prevKind = 'template';
    tokens.push({
      kind: 'template', start: tplStart, end, line: tplLine, column: tplColumn, endLine: line,
      value: tplHasSubstitution ? raw : cook(raw, true), substitution: tplHasSubstitution,
    });
  };

  // Reads template text from `pos` up to its closing backtick or the next `${`.
  const templateText = (): void => {
    const from = pos;
    while (pos < n) {
      const c = source.charCodeAt(pos);
      if (c === 92) {
        pos += 2;
      } else if (c === 96) {
        pos++;
        inTemplateText = false;
        countLines(from, pos);
        if (substitutions.length === 0) emitTemplate(pos);
        else prevKind = 'template';
        return;
      } else if (c === 36 && source.charCodeAt(pos + 1) === 123) {
        pos += 2;
        inTemplateText = false;
        substitutions.push(0);
        tplHasSubstitution = true;
        countLines(from, pos);
        prevKind = 'punct';
        prevValue = '{';
        return;
      } else {
        pos++;
      }
    }
    pos = n;
    countLines(from, pos);
  };

  while (pos < n) {
    if (inTemplateText) {
      templateText();
      continue;
    }
    const c = source.charCodeAt(pos);
    if (c === 10) {
      pos++;
      line++;
      lineStart = pos;
      continue;
    }
    if (c === 13) {
      pos++;
      if (source.charCodeAt(pos) !== 10) {
        line++;
        lineStart = pos;
      }
      continue;
    }
    if (c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) {
      pos++;
      continue;
    }
    const start = pos;
    const startLine = line;
    const column = pos - lineStart;
    const next = source.charCodeAt(pos + 1);

    if (c === 47 && next === 47) {
      while (pos < n && source.charCodeAt(pos) !== 10 && source.charCodeAt(pos) !== 13) pos++;
      continue;
    }
    if (c === 47 && next === 42) {
      const close = source.indexOf('*/', pos + 2);
      const end = close < 0 ? n : close + 2;
      countLines(pos, end);
      pos = end;
      continue;
    }
    if (c === 47 && regexAllowed(prevKind, prevValue)) {
      const end = regexEnd(source, pos);
      if (end > 0) {
        pos = end;
        emit('regex', start, end, startLine, column, source.slice(start, end));
        continue;
      }
    }
    if (c === 39 || c === 34) {
      const end = stringEnd(source, pos, c);
      countLines(pos, end);
      pos = end;
      const bodyEnd = source.charCodeAt(end - 1) === c && end - 1 > start ? end - 1 : end;
      emit('string', start, end, startLine, column, cook(source.slice(start + 1, bodyEnd), false));
      continue;
    }
    if (c === 96) {
      if (substitutions.length === 0) {
        tplStart = pos;
        tplLine = line;
        tplColumn = column;
        tplHasSubstitution = false;
      }
      pos++;
      inTemplateText = true;
      continue;
    }
    if (isIdentStart(c)) {
      pos++;
      while (pos < n && isIdentPart(source.charCodeAt(pos))) pos++;
      emit('ident', start, pos, startLine, column, source.slice(start, pos));
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(next))) {
      pos++;
      while (pos < n && isNumberPart(source.charCodeAt(pos))) pos++;
      emit('number', start, pos, startLine, column, source.slice(start, pos));
      continue;
    }
    if (substitutions.length > 0 && (c === 123 || c === 125)) {
      const top = substitutions.length - 1;
      if (c === 123) {
        substitutions[top]!++;
      } else if (substitutions[top] === 0) {
        // The `}` that ends a `${…}`: back to the template's text.
        substitutions.pop();
        pos++;
        inTemplateText = true;
        continue;
      } else {
        substitutions[top]!--;
      }
    }
    // Punctuation, one character at a time except the few pairs that matter: `=>` (so its `>`
    // does not close a type argument list), `?.` (a member access) and `...`.
    let width = 1;
    if (c === 61 && next === 62) width = 2;
    else if (c === 63 && next === 46 && !isDigit(source.charCodeAt(pos + 2))) width = 2;
    else if (c === 46 && next === 46 && source.charCodeAt(pos + 2) === 46) width = 3;
    pos += width;
    emit('punct', start, pos, startLine, column, source.slice(start, pos));
  }
  if (inTemplateText || substitutions.length > 0) {
    // An unterminated template runs to the end of the input.
    substitutions.length = 0;
    emitTemplate(n);
  }
  return tokens;
}

function regexAllowed(kind: TokenKind | undefined, value: string): boolean {
  if (kind === undefined) return true;
  if (kind === 'ident') return REGEX_AFTER_WORD.has(value);
  // After `)` or `]` a slash divides; after `}` it is more often a statement starting with a regex.
  if (kind === 'punct') return value !== ')' && value !== ']';
  return false;
}

/** The end of a regex literal starting at `start`, or -1 when the line ends first (then it was a division). */
function regexEnd(source: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || c === 13) return -1;
    if (c === 92) {
      const d = source.charCodeAt(i + 1);
      if (d === 10 || d === 13) return -1;
      i++;
    } else if (inClass) {
      if (c === 93) inClass = false;
    } else if (c === 91) {
      inClass = true;
    } else if (c === 47) {
      let end = i + 1;
      while (end < source.length && isIdentPart(source.charCodeAt(end))) end++;
      return end;
    }
  }
  return -1;
}

/** The end of a quoted string (after its closing quote), or of its line when it is unterminated. */
function stringEnd(source: string, start: number, quote: number): number {
  for (let i = start + 1; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === quote) return i + 1;
    if (c === 10 || c === 13) return i;
    if (c === 92) {
      // A backslash before a line break continues the string on the next line.
      if (source.charCodeAt(i + 1) === 13 && source.charCodeAt(i + 2) === 10) i++;
      i++;
    }
  }
  return source.length;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

/** Decodes escape sequences; malformed ones are kept as written. Templates also turn CRLF into LF, as JS does. */
export function cook(raw: string, template: boolean): string {
  if (!raw.includes('\\') && !(template && raw.includes('\r'))) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === '\r' && template) {
      out += '\n';
      i += raw[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (ch !== '\\' || i + 1 >= raw.length) {
      out += ch;
      i++;
      continue;
    }
    const e = raw[i + 1]!;
    if (e === '\r' || e === '\n' || e === '\u2028' || e === '\u2029') {
      i += e === '\r' && raw[i + 2] === '\n' ? 3 : 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) {
      out += simple;
      i += 2;
      continue;
    }
    if (e === 'x' || e === 'u') {
      const [text, width] = hexEscape(raw, i);
      out += text;
      i += width;
      continue;
    }
    out += e;
    i += 2;
  }
  return out;
}

/** `\xHH`, `\uHHHH` or `\u{H…}` at `i`: the character and the escape's length, or the backslash kept. */
function hexEscape(raw: string, i: number): [string, number] {
  let digits: string;
  let width: number;
  if (raw[i + 1] === 'x') {
    digits = raw.slice(i + 2, i + 4);
    width = 4;
    if (digits.length !== 2) return ['\\', 1];
  } else if (raw[i + 2] === '{') {
    const close = raw.indexOf('}', i + 3);
    if (close < 0 || close - i > 12) return ['\\', 1];
    digits = raw.slice(i + 3, close);
    width = close - i + 1;
  } else {
    digits = raw.slice(i + 2, i + 6);
    width = 6;
    if (digits.length !== 4) return ['\\', 1];
  }
  if (!/^[0-9a-fA-F]+$/.test(digits)) return ['\\', 1];
  const code = parseInt(digits, 16);
  if (code > 0x10ffff) return ['\\', 1];
  return [String.fromCodePoint(code), width];
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0x80;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

function isNumberPart(c: number): boolean {
  return isIdentPart(c) || c === 46;
}

/**
 * For each bracket token, the index of its partner, or -1. A closer that does not fit the
 * innermost opener closes the nearest opener of its own kind (the ones skipped stay unmatched), or
 * is ignored if there is none: a stray bracket in JSX text then spoils little. Linear: each opener
 * is popped once, and per-kind counts make the "is there one?" question O(1).
 */
export function matchBrackets(tokens: readonly Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  const open: Record<string, number> = { '(': 0, '[': 0, '{': 0 };
  const opener: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    const v = t.value;
    if (v === '(' || v === '[' || v === '{') {
      stack.push(i);
      open[v]!++;
      continue;
    }
    const want = v === ')' || v === ']' || v === '}' ? opener[v]! : undefined;
    if (want === undefined || open[want] === 0) continue;
    for (;;) {
      const j = stack.pop()!;
      const kind = tokens[j]!.value;
      open[kind]!--;
      if (kind === want) {
        match[i] = j;
        match[j] = i;
        break;
      }
    }
  }
  return match;
}
