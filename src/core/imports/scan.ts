// The static import scan: which specifiers a source file names, before it has ever run. Uses
// es-module-lexer (fast, exact for plain ES modules and most TypeScript) and falls back to a
// careful regular scan where the lexer gives up (JSX, some TypeScript generics).
import { init, parse } from 'es-module-lexer';

export interface ScannedImport {
  readonly specifier: string;
  /** `import('…')` of a string literal. */
  readonly dynamic: boolean;
}

/** es-module-lexer needs its WebAssembly initialised once before the first scan. */
export const scannerReady: Promise<void> = init;

export function scanImports(source: string): ScannedImport[] {
  try {
    const [imports] = parse(source);
    const found: ScannedImport[] = [];
    for (const imp of imports) {
      // `n` is undefined for a dynamic import whose argument is not a plain string literal.
      if (imp.n === undefined) continue;
      // d === -2: import.meta; d > -1: dynamic import().
      if (imp.d === -2) continue;
      found.push({ specifier: imp.n, dynamic: imp.d > -1 });
    }
    return withRequires(source, found);
  } catch {
    return regexScan(source);
  }
}

const REQUIRE_RE = /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

function withRequires(source: string, found: ScannedImport[]): ScannedImport[] {
  if (!source.includes('require')) return found;
  const code = stripComments(source);
  for (const m of code.matchAll(REQUIRE_RE)) found.push({ specifier: m[2]!, dynamic: false });
  return found;
}

const STATIC_RE = /(?:^|[;\n}])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?(['"])([^'"\n]+)\1/g;
const DYNAMIC_RE = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** The fallback: comments removed, then import/export-from, import() and require() of literals. */
export function regexScan(source: string): ScannedImport[] {
  const code = stripComments(source);
  const found: ScannedImport[] = [];
  for (const m of code.matchAll(STATIC_RE)) found.push({ specifier: m[2]!, dynamic: false });
  for (const m of code.matchAll(DYNAMIC_RE)) found.push({ specifier: m[2]!, dynamic: true });
  for (const m of code.matchAll(REQUIRE_RE)) found.push({ specifier: m[2]!, dynamic: false });
  return found;
}

/** Removes // and /* *\/ comments, leaving strings (which may contain slashes) alone. */
function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '"' || c === "'" || c === '`') {
      const end = closingQuote(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '/' && next === '/') {
      const nl = source.indexOf('\n', i);
      i = nl < 0 ? source.length : nl;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function closingQuote(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i + 1;
    else if (source[i] === '\n' && quote !== '`') return i;
  }
  return source.length;
}
