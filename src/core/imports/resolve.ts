// Resolving an import specifier to a file of the workspace, the way Vite and TypeScript would
// for the cases that matter to "which tests does this change affect": relative paths with
// extension and index probing, tsconfig `paths`, and Vite `resolve.alias`. Bare package names
// resolve to nothing: packages are covered by hashing package.json and the lockfile instead.
// Pure: the file system comes in as `exists`.

export interface Alias {
  /** A string prefix (matched as a whole path segment) or a RegExp source. */
  readonly find: string | RegExp;
  readonly replacement: string;
}

export interface TsPaths {
  /** Absolute directory the patterns' targets are relative to (baseUrl, or the tsconfig's dir). */
  readonly baseDir: string;
  /** As in tsconfig: "@app/*": ["src/app/*"]. */
  readonly paths: Readonly<Record<string, readonly string[]>>;
}

export interface ResolveContext {
  readonly exists: (absPath: string) => boolean;
  readonly aliases?: readonly Alias[];
  readonly tsPaths?: readonly TsPaths[];
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.vue', '.svelte', '.json'];
/** TypeScript lets `./a.js` name `./a.ts`. */
const JS_TO_TS: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

export function resolveImport(specifier: string, importer: string, ctx: ResolveContext): string | undefined {
  const clean = specifier.replace(/[?#].*$/, '');
  if (clean.startsWith('.') ) return probe(join(dirname(importer), clean), ctx);
  if (clean.startsWith('/')) return probe(clean, ctx);
  for (const alias of ctx.aliases ?? []) {
    const replaced = applyAlias(alias, clean);
    if (replaced === undefined) continue;
    const target = replaced.startsWith('/') ? replaced : undefined;
    if (target) return probe(normalize(target), ctx);
    return resolveImport(replaced, importer, { ...ctx, aliases: [] });
  }
  for (const tp of ctx.tsPaths ?? []) {
    for (const [pattern, targets] of Object.entries(tp.paths)) {
      const star = matchPattern(pattern, clean);
      if (star === undefined) continue;
      for (const t of targets) {
        const hit = probe(join(tp.baseDir, t.replace('*', star)), ctx);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

function applyAlias(alias: Alias, spec: string): string | undefined {
  if (typeof alias.find === 'string') {
    if (spec === alias.find) return alias.replacement;
    if (spec.startsWith(alias.find.endsWith('/') ? alias.find : alias.find + '/')) return alias.replacement + spec.slice(alias.find.length);
    return undefined;
  }
  return alias.find.test(spec) ? spec.replace(alias.find, alias.replacement) : undefined;
}

function matchPattern(pattern: string, spec: string): string | undefined {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === spec ? '' : undefined;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  if (spec.startsWith(prefix) && spec.endsWith(suffix) && spec.length >= prefix.length + suffix.length) {
    return spec.slice(prefix.length, spec.length - suffix.length);
  }
  return undefined;
}

function probe(base: string, ctx: ResolveContext): string | undefined {
  const ext = extname(base);
  if (ext && ctx.exists(base)) return base;
  if (ext && JS_TO_TS[ext]) {
    for (const ts of JS_TO_TS[ext]!) {
      const candidate = base.slice(0, -ext.length) + ts;
      if (ctx.exists(candidate)) return candidate;
    }
  }
  for (const e of EXTENSIONS) if (ctx.exists(base + e)) return base + e;
  for (const e of EXTENSIONS) if (ctx.exists(base + '/index' + e)) return base + '/index' + e;
  return undefined;
}

// Small POSIX path helpers: core stays free of node:path so it runs anywhere; paths here are
// absolute with '/' separators (the runner converts Windows paths at the edge).
export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function extname(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

export function join(a: string, b: string): string {
  return normalize(b.startsWith('/') ? b : `${a}/${b}`);
}

export function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}
