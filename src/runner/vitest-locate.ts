// Finds the Vitest installed in the user's workspace (never Redline's own): the runner must test
// with the version and config the project itself uses.
import { createRequire } from 'node:module';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SUPPORTED_VITEST = '>=3.2.0 <6.0.0';

export interface LocatedVitest {
  readonly version: string;
  readonly packageDir: string;
  /** Absolute path of `vitest/node` (ESM). */
  readonly nodeEntry: string;
  /** Absolute path of the `vitest` main ESM entry, for the probe. */
  readonly mainEntry: string;
}

export type LocateResult =
  | { ok: true; vitest: LocatedVitest }
  | { ok: false; code: 'root-missing' | 'no-vitest' | 'unsupported-vitest'; message: string };

export function locateVitest(root: string): LocateResult {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    return { ok: false, code: 'root-missing', message: `The root ${root} does not exist or is not a directory. Pass --root with a folder that holds your project.` };
  }
  let pkgJson: string;
  try {
    pkgJson = createRequire(join(root, 'noop.js')).resolve('vitest/package.json');
  } catch {
    return {
      ok: false,
      code: 'no-vitest',
      message: `No Vitest is installed for ${root}. Install it in the project (npm install -D vitest) and run again.`,
    };
  }
  const packageDir = dirname(pkgJson);
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string; exports?: Record<string, unknown> };
  if (!isSupported(pkg.version)) {
    return {
      ok: false,
      code: 'unsupported-vitest',
      message: `Vitest ${pkg.version} (in ${packageDir}) is not supported: Redline needs Vitest ${SUPPORTED_VITEST}. Upgrade Vitest in the project.`,
    };
  }
  return {
    ok: true,
    vitest: {
      version: pkg.version,
      packageDir,
      nodeEntry: join(packageDir, importTarget(pkg.exports?.['./node']) ?? 'dist/node.js'),
      mainEntry: join(packageDir, importTarget(pkg.exports?.['.']) ?? 'dist/index.js'),
    },
  };
}

export function isSupported(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return (major === 3 && minor >= 2) || major === 4 || major === 5;
}

export function vitestMajor(version: string): number {
  return Number(version.split('.')[0]);
}

/** The ESM file of a package.json "exports" entry: a string or nested import/default conditions. */
function importTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    const e = entry as Record<string, unknown>;
    return importTarget(e.import) ?? importTarget(e.default);
  }
  return undefined;
}
