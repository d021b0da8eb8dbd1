// Turns the CLI's flags, as commander hands them over (strings), into configuration input. The
// values are checked by the same schema as the file, but an error names the flag and quotes what
// was typed, since that is what the user can see on their command line.
import { configError, parseConfig } from '../core/config';
import type { ConfigError, ConfigInput } from '../core/config';

/** Commander's option values for `redline run` / `watch` (camel-cased flag names). */
export interface ConfigFlags {
  readonly memoryLimit?: string;
  readonly workers?: string;
  readonly fileTimeout?: string;
  readonly config?: string;
  /** `--project NAME`, repeatable. */
  readonly project?: string | readonly string[];
  /** Commander sets this to false for `--no-cache`, and to true when the flag is absent. */
  readonly cache?: boolean;
  /** true for `--leaks`, false for `--no-leaks`, undefined for neither. */
  readonly leaks?: boolean;
  readonly heapSnapshot?: boolean;
  /** `redline watch --debounce MS`. */
  readonly debounce?: string;
}

export type FlagsToConfigResult =
  | { readonly ok: true; readonly input: ConfigInput }
  | { readonly ok: false; readonly errors: ConfigError[] };

type FlagSpec = {
  readonly flag: string;
  /** What the user typed, to quote back. */
  readonly typed: (flags: ConfigFlags, error: ConfigError) => unknown;
  /** Where the flag takes other words than the file's setting. */
  readonly expected?: string;
};

// The setting each flag feeds.
const FLAGS: Readonly<Record<string, FlagSpec>> = {
  'memory.limitMB': {
    flag: '--memory-limit',
    typed: (flags) => flags.memoryLimit,
    expected: 'a positive whole number of megabytes, or a size with a unit such as 512M, 2G or 1.5GB',
  },
  'run.workers': { flag: '--workers', typed: (flags) => flags.workers },
  'run.fileTimeoutS': { flag: '--file-timeout', typed: (flags) => flags.fileTimeout },
  'run.config': { flag: '--config', typed: (flags) => flags.config, expected: 'the path of a Vitest config file' },
  // Repeatable: quote the one name that is wrong.
  'run.projects': { flag: '--project', typed: (_, error) => error.value, expected: 'the name of a Vitest project' },
  'watch.debounceMs': { flag: '--debounce', typed: (flags) => flags.debounce },
};

export function flagsToConfig(flags: ConfigFlags): FlagsToConfigResult {
  const memory =
    flags.memoryLimit === undefined && flags.heapSnapshot !== true
      ? undefined
      : withoutUndefined({
          limitMB: flags.memoryLimit === undefined ? undefined : megabytes(flags.memoryLimit),
          heapSnapshot: flags.heapSnapshot === true ? true : undefined,
        });
  // Commander: true for --leaks, false for --no-leaks, undefined for neither (both defined).
  const leaks = flags.leaks === undefined ? undefined : { enabled: flags.leaks };
  const run = {
    workers: flags.workers === undefined ? undefined : workers(flags.workers),
    fileTimeoutS: flags.fileTimeout === undefined ? undefined : decimal(flags.fileTimeout),
    config: flags.config,
    projects: flags.project === undefined ? undefined : typeof flags.project === 'string' ? [flags.project] : flags.project,
  };
  // Only `--no-cache` says anything: the `true` commander gives without it must not override the file.
  const cache = flags.cache === false ? { enabled: false } : undefined;
  const watch = flags.debounce === undefined ? undefined : { debounceMs: decimal(flags.debounce) };
  const input = withoutUndefined({ memory, run, cache, watch, leaks });

  // Validated whole, but the input (not the parsed config) is what is returned: defaults filled
  // in here would override the file's values when the two are merged.
  const parsed = parseConfig(input, 'flags');
  if (parsed.ok) return { ok: true, input: input as ConfigInput };
  const errors: ConfigError[] = [];
  for (const error of parsed.errors) {
    const spec = FLAGS[error.key.replace(/\[\d+\]$/, '')];
    if (!spec) {
      errors.push(error);
      continue;
    }
    if (errors.some((known) => known.key === spec.flag)) continue;
    errors.push(
      configError({ key: spec.flag, value: spec.typed(flags, error), expected: spec.expected ?? error.expected, source: spec.flag }),
    );
  }
  return { ok: false, errors };
}

// Binary units, as the limit is in MiB and DESIGN.md's default is "4 GiB = 4096".
const UNIT_MB: Record<string, number> = { m: 1, mb: 1, mib: 1, g: 1024, gb: 1024, gib: 1024 };

/**
 * `2048` → 2048; `512M` → 512; `2G` → 2048; `1.5GB` → 1536. A size with a unit is rounded to
 * whole megabytes; a bare number is passed on as it is, for the schema to judge. Anything else
 * is passed on as the string, which the schema rejects.
 */
function megabytes(raw: string): number | string {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  if (!match) return raw;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (unit === '') return amount;
  const factor = UNIT_MB[unit];
  return factor === undefined ? raw : Math.round(amount * factor);
}

function workers(raw: string): number | string {
  if (raw.trim().toLowerCase() === 'auto') return 'auto';
  return /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
}

// Number('') is 0 and Number('0x10') is 16: only plain decimals become numbers.
function decimal(raw: string): number | string {
  return /^\s*\d+(?:\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      const nested = withoutUndefined(inner as Record<string, unknown>);
      if (Object.keys(nested).length > 0) out[key] = nested;
    } else {
      out[key] = inner;
    }
  }
  return out;
}
