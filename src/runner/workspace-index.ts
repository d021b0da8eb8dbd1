// What the cache and "affected tests" know of the workspace at one moment: the content hash of
// every file they look at, the import closure of each test file (the static scan, united with the
// modules the file really loaded when it last ran), and the files that affect every test (Vitest
// configs, setup files, package.json, the lockfile, tsconfig). A snapshot is taken per run; file
// contents are hashed afresh each time — never trusted from mtimes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { scanImports } from '../core/imports/scan';
import { resolveImport, type Alias, type TsPaths } from '../core/imports/resolve';
import { cacheKey } from '../core/cache/key';
import type { ModuleGraph } from '../core/store/cache-document';

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'bun.lock'];

export interface IndexSources {
  readonly root: string;
  readonly aliases: readonly Alias[];
  readonly tsPaths: readonly TsPaths[];
  /** Absolute paths of the files that affect every test: configs, setup and global setup files. */
  readonly configFiles: readonly string[];
  readonly nodeVersion: string;
  readonly vitestVersion: string;
}

const sha1 = (data: string | Buffer): string => createHash('sha1').update(data).digest('hex');

/** Specifiers by content hash, across snapshots: an unchanged file is never lexed twice. */
const scanMemo = new Map<string, string[]>();

export class WorkspaceSnapshot {
  private readonly hashes = new Map<string, string | null>();
  private readonly imports = new Map<string, string[]>();

  constructor(
    readonly sources: IndexSources,
    private readonly runtime: ModuleGraph,
  ) {}

  rel(abs: string): string {
    return relative(this.sources.root, abs).split(sep).join('/');
  }

  abs(rel: string): string {
    return isAbsolute(rel) ? rel : join(this.sources.root, rel);
  }

  /** Content hash of a file; null if it does not exist (or is not a file). */
  hash(abs: string): string | null {
    const known = this.hashes.get(abs);
    if (known !== undefined) return known;
    let h: string | null = null;
    try {
      h = sha1(readFileSync(abs));
    } catch {
      h = null;
    }
    this.hashes.set(abs, h);
    return h;
  }

  /** What `abs` imports, resolved to files of the workspace (packages left out). */
  importsOf(abs: string): string[] {
    const known = this.imports.get(abs);
    if (known) return known;
    const h = this.hash(abs);
    let found: string[] = [];
    if (h !== null && /\.[cm]?[jt]sx?$|\.vue$|\.svelte$/.test(abs)) {
      let specifiers = scanMemo.get(h);
      if (!specifiers) {
        specifiers = scanImports(readFileSync(abs, 'utf8')).map((i) => i.specifier);
        scanMemo.set(h, specifiers);
      }
      const ctx = { exists: isFile, aliases: this.sources.aliases, tsPaths: this.sources.tsPaths };
      found = specifiers
        .map((s) => resolveImport(s, toPosix(abs), ctx))
        .filter((p): p is string => p !== undefined && !p.includes('/node_modules/'))
        .map(fromPosix);
    }
    this.imports.set(abs, found);
    return found;
  }

  /** The test file and every workspace module it imports, statically or when it last ran. */
  closure(testAbs: string): Set<string> {
    const seen = new Set<string>();
    const stack = [testAbs, ...(this.runtime.files[this.rel(testAbs)] ?? []).map((r) => this.abs(r))];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const dep of this.importsOf(f)) if (!seen.has(dep)) stack.push(dep);
    }
    return seen;
  }

  /** Why a change to `abs` affects every test, or undefined if it does not. */
  affectsAll(abs: string): string | undefined {
    const { root, configFiles } = this.sources;
    if (configFiles.includes(abs)) return `${this.rel(abs)} is a Vitest config or setup file`;
    if (dirname(abs) === root) {
      const base = abs.slice(root.length + 1);
      if (base === 'package.json' || LOCKFILES.includes(base)) return `${base} changed`;
      if (/^tsconfig(\..+)?\.json$/.test(base)) return `${base} changed`;
    }
    return undefined;
  }

  /** The test files (of `tests`) that a change to any of `changed` affects. */
  affected(changed: readonly string[], tests: readonly string[]): { files: string[]; all?: string } {
    for (const c of changed) {
      const why = this.affectsAll(c);
      if (why) return { files: [...tests].sort(), all: why };
    }
    const set = new Set(changed);
    return { files: tests.filter((t) => set.has(t) || [...this.closure(t)].some((m) => set.has(m))).sort() };
  }

  /** The cache key of a test file (src/core/cache/key.ts). */
  key(testAbs: string, project: string | undefined): string {
    const { root } = this.sources;
    const closure = new Map<string, string>();
    for (const m of this.closure(testAbs)) closure.set(this.rel(m), this.hash(m) ?? 'missing');
    const configs = new Map<string, string>();
    for (const c of this.sources.configFiles) configs.set(this.rel(c), this.hash(c) ?? 'missing');
    const tsconfig = join(root, 'tsconfig.json');
    configs.set('tsconfig.json', this.hash(tsconfig) ?? 'missing');
    const lock = LOCKFILES.map((l) => this.hash(join(root, l))).find((h) => h !== null) ?? undefined;
    return cacheKey(
      {
        testFile: this.rel(testAbs),
        ...(project ? { project } : {}),
        closure,
        snapshot: this.hash(snapshotPath(testAbs)) ?? undefined,
        configs,
        packageJson: this.hash(join(root, 'package.json')) ?? undefined,
        lockfile: lock,
        nodeVersion: this.sources.nodeVersion,
        vitestVersion: this.sources.vitestVersion,
      },
      (d) => createHash('sha256').update(d).digest('hex'),
    );
  }
}

/** Vitest's default snapshot location: __snapshots__/<file>.snap beside the test file. */
export function snapshotPath(testAbs: string): string {
  return join(dirname(testAbs), '__snapshots__', `${testAbs.slice(dirname(testAbs).length + 1)}.snap`);
}

function isFile(posixAbs: string): boolean {
  try {
    return statSync(fromPosix(posixAbs)).isFile();
  } catch {
    return false;
  }
}

function toPosix(p: string): string {
  return sep === '/' ? p : '/' + p.split(sep).join('/');
}

function fromPosix(p: string): string {
  return sep === '/' ? p : p.slice(1).split('/').join(sep);
}

/** tsconfig.json `compilerOptions.paths`, read leniently (comments and trailing commas allowed). */
export function readTsPaths(root: string): TsPaths[] {
  const file = join(root, 'tsconfig.json');
  if (!existsSync(file)) return [];
  try {
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:"'])\/\/.*$/gm, '$1')
      .replace(/,(\s*[}\]])/g, '$1');
    const json = JSON.parse(text) as { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } };
    const paths = json.compilerOptions?.paths;
    if (!paths) return [];
    return [{ baseDir: toPosix(resolve(root, json.compilerOptions?.baseUrl ?? '.')), paths }];
  } catch {
    return [];
  }
}
