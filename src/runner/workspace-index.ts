// What the cache and "affected tests" know of the workspace at one moment: the content hash of
// every file they look at, the import closure of each test file (the static scan, united with the
// modules the file really loaded when it last ran), and the files that affect every test (Vitest
// configs, setup files, package.json, the lockfile, tsconfig). A snapshot is taken per run; file
// contents are hashed afresh each time — never trusted from mtimes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { scanImports } from '../core/imports/scan';
import { dirname as posixDirname, resolveCandidates, type Alias, type TsPaths } from '../core/imports/resolve';
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

/** Files whose imports are scanned. */
const SCANNED = /\.[cm]?[jt]sx?$|\.vue$|\.svelte$/;

/**
 * The files an import may resolve to, in order (core/imports/resolve.ts), by aliases and paths,
 * importer folder and specifier, across snapshots: they do not depend on the file system, which is
 * probed afresh in each snapshot. Bounded: cleared when it holds this many.
 */
const candidateMemos = new Map<string, Map<string, readonly string[]>>();
const CANDIDATE_MEMO_MAX = 100_000;

export class WorkspaceSnapshot {
  /** Closures by test file: `affected` walks every test's, and the cache keys want some again. */
  private readonly closures = new Map<string, Set<string>>();
  /** Import candidates by importer folder and specifier, for this snapshot's aliases and tsconfig paths. */
  private readonly candidates: Map<string, readonly string[]>;

  constructor(
    readonly sources: IndexSources,
    private readonly runtime: ModuleGraph,
    private readonly hashes = new Map<string, string | null>(),
    private readonly imports = new Map<string, string[]>(),
    private readonly relPaths = new Map<string, string>(),
    private readonly absPaths = new Map<string, string>(),
    /** Whether a path (POSIX) is a file, as import resolution probes it: many modules import the same ones. */
    private readonly files = new Map<string, boolean>(),
  ) {
    // What resolution depends on besides the file system.
    const resolution = JSON.stringify([sources.aliases.map((a) => [typeof a.find === 'string' ? ['string', a.find] : ['regexp', a.find.source, a.find.flags], a.replacement]), sources.tsPaths]);
    let memo = candidateMemos.get(resolution);
    if (!memo || memo.size >= CANDIDATE_MEMO_MAX) {
      // A new configuration (or one that has seen too many imports) starts afresh; old ones go.
      candidateMemos.clear();
      candidateMemos.set(resolution, (memo = new Map()));
    }
    this.candidates = memo;
  }

  /** The same moment of the workspace (the files as read so far, and read once), another import graph. */
  withRuntime(runtime: ModuleGraph): WorkspaceSnapshot {
    return runtime === this.runtime ? this : new WorkspaceSnapshot(this.sources, runtime, this.hashes, this.imports, this.relPaths, this.absPaths, this.files);
  }

  rel(abs: string): string {
    let r = this.relPaths.get(abs);
    if (r === undefined) {
      r = relative(this.sources.root, abs).split(sep).join('/');
      this.relPaths.set(abs, r);
    }
    return r;
  }

  abs(rel: string): string {
    if (isAbsolute(rel)) return rel;
    let a = this.absPaths.get(rel);
    if (a === undefined) this.absPaths.set(rel, (a = join(this.sources.root, rel)));
    return a;
  }

  /**
   * Content hash of a file; null if it does not exist (or is not a file). A source file not seen
   * before is scanned for imports from the same read: each file is read once per snapshot.
   */
  hash(abs: string): string | null {
    const known = this.hashes.get(abs);
    if (known !== undefined) return known;
    let content: Buffer | undefined;
    try {
      content = readFileSync(abs);
    } catch {
      content = undefined;
    }
    const h = content ? sha1(content) : null;
    if (content && h && SCANNED.test(abs) && !scanMemo.has(h)) scanMemo.set(h, scanImports(content.toString('utf8')).map((i) => i.specifier));
    this.hashes.set(abs, h);
    return h;
  }

  /** What `abs` imports, resolved to files of the workspace (packages left out). */
  importsOf(abs: string): string[] {
    const known = this.imports.get(abs);
    if (known) return known;
    const h = this.hash(abs);
    const found: string[] = [];
    const specifiers = h === null || !SCANNED.test(abs) ? undefined : scanMemo.get(h);
    if (specifiers) {
      const importer = toPosix(abs);
      const dir = posixDirname(importer);
      for (const specifier of specifiers) {
        const key = `${dir}\0${specifier}`;
        let candidates = this.candidates.get(key);
        if (!candidates) {
          candidates = resolveCandidates(specifier, importer, { aliases: this.sources.aliases, tsPaths: this.sources.tsPaths });
          this.candidates.set(key, candidates);
        }
        const resolved = candidates.find(this.isFile);
        if (resolved !== undefined && !resolved.includes('/node_modules/')) found.push(fromPosix(resolved));
      }
    }
    this.imports.set(abs, found);
    return found;
  }

  private readonly isFile = (posixAbs: string): boolean => {
    let known = this.files.get(posixAbs);
    if (known === undefined) this.files.set(posixAbs, (known = isFile(posixAbs)));
    return known;
  };

  /** The test file and every workspace module it imports, statically or when it last ran. (Not to be changed.) */
  closure(testAbs: string): ReadonlySet<string> {
    const known = this.closures.get(testAbs);
    if (known) return known;
    const seen = new Set<string>();
    const stack = [testAbs, ...(this.runtime.files[this.rel(testAbs)] ?? []).map((r) => this.abs(r))];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const dep of this.importsOf(f)) if (!seen.has(dep)) stack.push(dep);
    }
    this.closures.set(testAbs, seen);
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
    const reaches = (t: string): boolean => {
      for (const m of this.closure(t)) if (set.has(m)) return true;
      return false;
    };
    return { files: tests.filter((t) => set.has(t) || reaches(t)).sort() };
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
    // Most probes miss (extensions tried in turn): no exception for those.
    return statSync(fromPosix(posixAbs), { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    // ENOTDIR and the like: `a.ts/index.ts`.
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
