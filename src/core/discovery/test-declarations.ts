// Static discovery: the describes and tests a Vitest file declares, read from its source before
// it has ever run (what the Test Explorer shows until a run's results replace it). A scan over
// tokens, not a parser: it recognises `describe`/`suite`/`it`/`test` calls (and their chained
// forms) anywhere in code, and nests a call under the describe whose argument list contains it.
import { disambiguate, uniqueLeaf } from '../test-names';
import { matchBrackets, tokenize, type Token } from './js-tokens';

export type DeclarationKind = 'describe' | 'test';

export interface TestDeclaration {
  readonly kind: DeclarationKind;
  /**
   * The name as written: decoded when a plain literal, the raw text when dynamic. A test whose full
   * name an earlier test of the file already has gets the " (k)" the runner gives it (see
   * core/test-names), here and in `fullName`, so the item shown before a run is the one the run
   * reports into. Describes keep their names: two of the same name are one block to Redline.
   */
  readonly name: string;
  /** Enclosing describe names and this name joined with ' > ', as Vitest's full name without the file. */
  readonly fullName: string;
  /** Where the call starts (its `describe`/`test` word): 1-based line, 0-based column. */
  readonly line: number;
  readonly column: number;
  /** The line of the call's closing parenthesis (the last line of the input when unterminated). */
  readonly endLine: number;
  /** The chained words in order, e.g. ['concurrent', 'skip'] for `it.concurrent.skip(…)`. */
  readonly modifiers: readonly string[];
  /** The name is not a plain literal (`${…}`, a %s/$var pattern of .each/.for, or an expression). */
  readonly dynamic: boolean;
  /** A describe's declarations in source order; absent on tests. */
  readonly children?: readonly TestDeclaration[];
}

const CALLEES: ReadonlyMap<string, DeclarationKind> = new Map([
  ['describe', 'describe'], ['suite', 'describe'], ['it', 'test'], ['test', 'test'],
]);
const MODIFIERS = new Set(['skip', 'only', 'todo', 'each', 'for', 'concurrent', 'sequential', 'shuffle', 'fails', 'runIf', 'skipIf']);
/** Modifiers that take arguments before the declaring call: `.each([…])(…)`, `.skipIf(c)(…)`. */
const WITH_ARGUMENTS = new Set(['each', 'for', 'runIf', 'skipIf']);
/** …and those that may take them as a tagged template: describe.each`table`(…). */
const TAGGABLE = new Set(['each', 'for']);
/** Vitest's name formats for parametrised tests: printf-style (not %%) and $variable. */
const PARAMETER_PATTERN = /%[sdifjoO#$]|\$[A-Za-z_]/;

/**
 * The declarations of a test file as a tree: top-level ones in source order, each describe with its
 * `children`. Never throws; input it cannot read gives fewer declarations, not an error.
 */
export function findTestDeclarations(source: string): TestDeclaration[] {
  try {
    return scanTestDeclarations(source);
  } catch {
    return [];
  }
}

/** The tree as a flat list in source order (parents before their children). */
export function flattenDeclarations(tree: readonly TestDeclaration[]): TestDeclaration[] {
  const out: TestDeclaration[] = [];
  // Iterative, so a pathologically deep nesting cannot overflow the stack.
  const pending: TestDeclaration[] = [...tree].reverse();
  while (pending.length > 0) {
    const d = pending.pop()!;
    out.push(d);
    if (d.children) for (let i = d.children.length - 1; i >= 0; i--) pending.push(d.children[i]!);
  }
  return out;
}

interface OpenDescribe {
  /** Token index of the describe call's closing parenthesis (Infinity when unterminated). */
  readonly close: number;
  readonly fullName: string;
  readonly children: TestDeclaration[];
}

/** The scan itself, without the safety net (the fuzz test calls it to see real exceptions). */
export function scanTestDeclarations(source: string): TestDeclaration[] {
  const tokens = tokenize(source);
  const match = matchBrackets(tokens);
  const roots: TestDeclaration[] = [];
  const open: OpenDescribe[] = [];
  // `const myTest = test.extend({…})` makes `myTest` declare tests too.
  const callees = new Map(CALLEES);
  /** The tests in source order, which is Vitest's collection order (depth first). */
  const tests: Mutable<TestDeclaration>[] = [];
  let i = 0;
  while (i < tokens.length) {
    while (open.length > 0 && i > open[open.length - 1]!.close) open.pop();
    const t = tokens[i]!;
    const kind = t.kind === 'ident' ? callees.get(t.value) : undefined;
    if (kind === undefined || !calleePosition(tokens[i - 1])) {
      i++;
      continue;
    }
    if (kind === 'test') noteExtend(tokens, i, callees);
    const call = readCall(tokens, match, i, source);
    if (!call) {
      i++;
      continue;
    }
    const parent = open[open.length - 1];
    const fullName = parent ? `${parent.fullName} > ${call.name}` : call.name;
    const last = call.close >= 0 ? tokens[call.close]! : tokens[tokens.length - 1]!;
    const base = { kind, name: call.name, fullName, line: t.line, column: t.column, endLine: last.endLine, modifiers: call.modifiers, dynamic: call.dynamic };
    if (kind === 'describe') {
      const children: TestDeclaration[] = [];
      (parent ? parent.children : roots).push({ ...base, children });
      open.push({ close: call.close >= 0 ? call.close : Infinity, fullName, children });
      // Into the argument list, where its children are.
      i = call.open + 1;
    } else {
      const test: Mutable<TestDeclaration> = { ...base };
      tests.push(test);
      (parent ? parent.children : roots).push(test);
      // A test's body declares nothing (Vitest refuses tests inside tests): skip it whole.
      i = call.close >= 0 ? call.close + 1 : tokens.length;
    }
  }
  // Dynamic names (an `.each` pattern, an expression) take part as written: their items never
  // match the run's names anyway, and this keeps their ids apart. A literal `.each` name stands for
  // several tests at run time, which a static read cannot count; such files may number later
  // duplicates differently until a run reports the real names.
  const unique = disambiguate(tests.map((t) => t.fullName));
  tests.forEach((t, k) => {
    t.name = uniqueLeaf(t.name, t.fullName, unique[k]!);
    t.fullName = unique[k]!;
  });
  return roots;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `x.test(`, `x?.it(`, `#test(` and `function test(` are not Vitest's functions. */
function calleePosition(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === 'punct') return prev.value !== '.' && prev.value !== '?.' && prev.value !== '#';
  return !(prev.kind === 'ident' && prev.value === 'function');
}

function noteExtend(tokens: readonly Token[], i: number, callees: Map<string, DeclarationKind>): void {
  const dot = tokens[i + 1];
  const word = tokens[i + 2];
  const eq = tokens[i - 1];
  const target = tokens[i - 2];
  if (dot?.value === '.' && dot.kind === 'punct' && word?.kind === 'ident' && word.value === 'extend'
    && eq?.kind === 'punct' && eq.value === '=' && target?.kind === 'ident') {
    callees.set(target.value, 'test');
  }
}

interface Call {
  readonly modifiers: string[];
  /** Token indexes of the declaring call's parentheses; close is -1 when unterminated. */
  readonly open: number;
  readonly close: number;
  readonly name: string;
  readonly dynamic: boolean;
}

/** Reads `callee(.modifier(args)?)*<types>?(name, …)` starting at the callee's token. */
function readCall(tokens: readonly Token[], match: Int32Array, start: number, source: string): Call | undefined {
  const modifiers: string[] = [];
  let j = start + 1;
  for (;;) {
    const t = tokens[j];
    if (!t) return undefined;
    if (isPunct(t, '(')) break;
    if (isPunct(t, '.')) {
      const word = tokens[j + 1];
      if (!word || word.kind !== 'ident' || !MODIFIERS.has(word.value)) return undefined;
      modifiers.push(word.value);
      j += 2;
      if (!WITH_ARGUMENTS.has(word.value)) continue;
      j = skipTypeArguments(tokens, match, j);
      const a = tokens[j];
      if (a && isPunct(a, '(') && match[j]! > j) j = match[j]! + 1;
      else if (a && a.kind === 'template' && TAGGABLE.has(word.value)) j++;
      else return undefined;
      continue;
    }
    if (isPunct(t, '<')) {
      const after = skipTypeArguments(tokens, match, j);
      if (after === j) return undefined;
      j = after;
      continue;
    }
    return undefined;
  }
  const open = j;
  const close = match[open]!;
  const end = close >= 0 ? close : tokens.length;
  // The first argument: up to a top-level comma or the closing parenthesis.
  let k = open + 1;
  while (k < end && !isPunct(tokens[k]!, ',')) {
    const m = match[k]!;
    if (m > k) k = m + 1;
    else if (m >= 0 || !isOpener(tokens[k]!)) k++;
    else k = end;
  }
  if (k === open + 1) return undefined;
  const first = tokens[open + 1]!;
  const parametrised = modifiers.includes('each') || modifiers.includes('for');
  if (k === open + 2 && (first.kind === 'string' || (first.kind === 'template' && !first.substitution))) {
    return { modifiers, open, close, name: first.value, dynamic: parametrised && PARAMETER_PATTERN.test(first.value) };
  }
  if (k === open + 2 && first.kind === 'template') return { modifiers, open, close, name: first.value, dynamic: true };
  // A name that is an expression: only a call with a second argument, and not a method or function
  // signature like `test(a, b) {` or `it(name: string, fn: Fn): void;`.
  const hasSecond = k < end;
  const after = close >= 0 ? tokens[close + 1] : undefined;
  if (!hasSecond || (after && (isPunct(after, '{') || isPunct(after, ':') || isPunct(after, '=>')))) return undefined;
  const name = source.slice(first.start, tokens[k - 1]!.end).replace(/\s+/g, ' ');
  return { modifiers, open, close, name, dynamic: true };
}

/** Past `<…>` at `j` (TypeScript type arguments), or `j` itself when there are none or it is not one. */
function skipTypeArguments(tokens: readonly Token[], match: Int32Array, j: number): number {
  if (!tokens[j] || !isPunct(tokens[j]!, '<')) return j;
  let depth = 0;
  // Type arguments are short; a long run means this `<` was a comparison.
  const limit = Math.min(tokens.length, j + 500);
  for (let k = j; k < limit; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'punct') continue;
    if (t.value === '<') depth++;
    else if (t.value === '>' && --depth === 0) return k + 1;
    else if (t.value === ';' || t.value === ')' || t.value === ']' || t.value === '}') return j;
    else if (isOpener(t)) {
      if (match[k]! < k) return j;
      k = match[k]!;
    }
  }
  return j;
}

function isPunct(t: Token, value: string): boolean {
  return t.kind === 'punct' && t.value === value;
}

function isOpener(t: Token): boolean {
  return t.kind === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{');
}
