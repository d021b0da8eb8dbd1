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
  return resolveCandidates(specifier, importer, ctx).find((candidate) => ctx.exists(candidate));
}

/**
 * The files `resolveImport` tries, in its order: the import resolves to the first that exists.
 * They depend on the importer's folder, the specifier, the aliases and tsconfig paths — not on the
 * file system — so a caller that resolves the same import again and again (every watch run) can
 * keep them, and probe only the file system each time.
 */
export function resolveCandidates(specifier: string, importer: string, ctx: Omit<ResolveContext, 'exists'>): string[] {
  const clean = specifier.replace(/[?#].*$/, '');
  if (clean.startsWith('.')) return probeCandidates(join(dirname(importer), clean));
  if (clean.startsWith('/')) return probeCandidates(clean);
  for (const alias of ctx.aliases ?? []) {
    const replaced = applyAlias(alias, clean);
    if (replaced === undefined) continue;
    const target = replaced.startsWith('/') ? replaced : undefined;
    if (target) return probeCandidates(normalize(target));
    return resolveCandidates(replaced, importer, { ...ctx, aliases: [] });
  }
  const candidates: string[] = [];
  for (const tp of ctx.tsPaths ?? []) {
    for (const [pattern, targets] of Object.entries(tp.paths)) {
      const star = matchPattern(pattern, clean);
      if (star === undefined) continue;
      for (const t of targets) candidates.push(...probeCandidates(join(tp.baseDir, t.replace('*', star))));
    }
  }
  return candidates;
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

/** A path as written, TypeScript's twin of a `.js` path, then with each extension, then its index file. */
function probeCandidates(base: string): string[] {
  const ext = extname(base);
  const candidates: string[] = [];
  if (ext) candidates.push(base);
  if (ext && JS_TO_TS[ext]) for (const ts of JS_TO_TS[ext]!) candidates.push(base.slice(0, -ext.length) + ts);
  for (const e of EXTENSIONS) candidates.push(base + e);
  for (const e of EXTENSIONS) candidates.push(base + '/index' + e);
  return candidates;
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
