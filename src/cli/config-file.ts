// Reads <root>/redline.config.json. Validation is parseConfig's job; this file only turns the
// bytes into a value, and a syntax error into a line and column the user can go to.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from '../core/config';
import type { ConfigError } from '../core/config';

export type LoadConfigFileResult =
  | { readonly ok: true; readonly input: unknown; readonly path?: string }
  | { readonly ok: false; readonly errors: ConfigError[] };

const FIX = `fix the file, or delete it to use the defaults`;

/** A missing file is not an error: Redline runs on its defaults (`input` is then `{}`). */
export function loadConfigFile(root: string): LoadConfigFileResult {
  const path = join(root, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, input: {} };
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    return fail(
      `${CONFIG_FILE_NAME} could not be read (${reason}) — check that it is a readable file, or delete it to use the defaults.`,
      'a readable file',
    );
  }
  // Editors on Windows may save a byte-order mark, which JSON.parse refuses.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') return { ok: true, input: {}, path };
  try {
    return { ok: true, input: JSON.parse(text) as unknown, path };
  } catch (error) {
    // V8's messages differ between Node versions and some carry no position: find it ourselves.
    const found = findSyntaxError(text) ?? {
      offset: text.length,
      reason: error instanceof Error ? error.message : 'not valid JSON',
    };
    const { line, col } = lineAndColumn(text, found.offset);
    return fail(`${CONFIG_FILE_NAME}: line ${line}, column ${col}: ${found.reason} — ${FIX}.`, 'valid JSON');
  }
}

function fail(message: string, expected: string): LoadConfigFileResult {
  return { ok: false, errors: [{ key: '', value: undefined, expected, source: CONFIG_FILE_NAME, message }] };
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, col: offset - lastBreak };
}

interface SyntaxProblem {
  readonly offset: number;
  readonly reason: string;
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * The first syntax error in `text` by the JSON grammar, or undefined if there is none. Only run
 * after JSON.parse has failed; it names the slips people make by hand (trailing commas, comments,
 * single quotes) in words rather than as an unexpected token.
 */
function findSyntaxError(text: string): SyntaxProblem | undefined {
  let at = 0;
  const problem = (reason: string, offset = at) => new JsonSyntaxError(offset, reason);
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.exec(text);
    at = WHITESPACE.lastIndex;
  };
  const describeHere = (wanted: string) => {
    if (at >= text.length) return problem(`the file ends where ${wanted} should come`);
    if (text.startsWith('//', at) || text.startsWith('/*', at)) return problem('comments are not allowed in JSON');
    if (text[at] === "'") return problem('strings need double quotes (") in JSON');
    return problem(`expected ${wanted}, found ${JSON.stringify(text[at])}`);
  };
  const string = () => {
    const start = at++;
    while (at < text.length && text[at] !== '"') {
      const char = text.charCodeAt(at);
      if (char < 0x20) throw problem('a string runs past the end of its line (missing closing ")');
      if (text[at] === '\\') {
        const escape = text.slice(at + 1, at + 6);
        if (!/^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(escape)) throw problem('an unknown escape sequence in a string');
      }
      at += text[at] === '\\' ? 2 : 1;
    }
    if (at >= text.length) throw problem('a string is never closed (missing ")', start);
    at++;
  };
  const value = (): void => {
    skipWhitespace();
    const char = text[at];
    if (char === '{') return members('}', true);
    if (char === '[') return members(']', false);
    if (char === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return;
      }
    }
    NUMBER.lastIndex = at;
    if (char !== undefined && /[-\d]/.test(char) && NUMBER.exec(text)) {
      at = NUMBER.lastIndex;
      return;
    }
    throw describeHere('a value');
  };
  const members = (close: '}' | ']', isObject: boolean): void => {
    at++;
    skipWhitespace();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      if (isObject) {
        skipWhitespace();
        if (text[at] !== '"') throw describeHere('a property name in double quotes');
        string();
        skipWhitespace();
        if (text[at] !== ':') throw describeHere('":" after the property name');
        at++;
      }
      value();
      skipWhitespace();
      if (text[at] === close) {
        at++;
        return;
      }
      if (text[at] !== ',') throw describeHere(`"," or "${close}"`);
      const comma = at++;
      skipWhitespace();
      if (text[at] === close) throw problem(`a comma before "${close}" is not allowed in JSON`, comma);
    }
  };
  try {
    value();
    skipWhitespace();
    if (at < text.length) throw describeHere('the end of the file');
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}
