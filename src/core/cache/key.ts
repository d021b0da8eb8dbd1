// The cache key of a test file (DESIGN.md "Watch, affected tests and the result cache"): a hash of
// the contents — never the mtimes — of everything that can change its result. Same key, same
// result: a file changed and changed back, or a branch switched back and forth, is a hit again.

/** Bump when the stored result's shape or the key's recipe changes: old entries stop matching. */
// 2: tests with the same full name in one file are reported apart (core/test-names); a result
// stored before that may hold one test where there are two, and a pass hiding a failure.
export const CACHE_FORMAT_VERSION = 2;

export interface CacheKeyInput {
  /** Relative path of the test file ('/' separators). */
  readonly testFile: string;
  readonly project?: string;
  /** Relative path → content hash, for the test file and every module of its import closure. */
  readonly closure: ReadonlyMap<string, string>;
  /** Content hash of the file's snapshot file, or undefined when it has none. */
  readonly snapshot: string | undefined;
  /** Relative path → content hash of the Vitest config files and setup files. */
  readonly configs: ReadonlyMap<string, string>;
  readonly packageJson: string | undefined;
  readonly lockfile: string | undefined;
  readonly nodeVersion: string;
  readonly vitestVersion: string;
}

export function cacheKey(input: CacheKeyInput, hash: (data: string) => string): string {
  const lines = [
    `format ${CACHE_FORMAT_VERSION}`,
    `node ${input.nodeVersion}`,
    `vitest ${input.vitestVersion}`,
    `file ${input.testFile}`,
    `project ${input.project ?? ''}`,
    `snapshot ${input.snapshot ?? '-'}`,
    `package.json ${input.packageJson ?? '-'}`,
    `lockfile ${input.lockfile ?? '-'}`,
    ...sorted(input.configs).map(([p, h]) => `config ${p} ${h}`),
    ...sorted(input.closure).map(([p, h]) => `module ${p} ${h}`),
  ];
  return hash(lines.join('\n'));
}

function sorted(map: ReadonlyMap<string, string>): [string, string][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
