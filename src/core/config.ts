// Redline's configuration (DESIGN.md "Configuration"). This zod schema is the single source of
// truth: it validates redline.config.json and the CLI flags, fills in the defaults, and generates
// the JSON Schema that gives editors completion and VS Code settings their descriptions.
// Pure: reading the file is src/cli/config-file.ts, turning flags into input src/cli/flags-to-config.ts.
import { z } from 'zod';

export const CONFIG_FILE_NAME = 'redline.config.json';

type SettingMeta = { readonly expected: string };

// What a user should have written, kept beside each setting's schema so an error can say it
// without a second table of keys to keep in step. Its own registry, so it stays out of the JSON
// Schema (which gets the `description`).
const expectations = z.registry<SettingMeta>();

function setting<T extends z.ZodType>(schema: T, description: string, expected: string): T {
  const described = schema.describe(description);
  expectations.add(described, { expected });
  return described;
}

const percent = (description: string) =>
  setting(z.number().min(1).max(100), description, 'a percentage of the memory limit from 1 to 100');

// Lists default through `prefault` so the default, too, is parsed and so frozen.
const globs = (description: string) =>
  setting(z.array(z.string()).readonly(), description, 'a list of glob patterns (strings)');

const TIER_KEYS = ['warning', 'critical', 'emergency', 'terminal'] as const;

const TiersSchema = z
  .strictObject({
    warning: percent('Percent of the memory limit at which Redline warns (status bar turns amber).').default(40),
    critical: percent(
      'Percent of the memory limit at which Redline throttles: one worker, garbage collection in workers.',
    ).default(60),
    emergency: percent(
      'Percent of the memory limit at which Redline queues no new files, and stops the fastest-growing worker if memory still rises.',
    ).default(80),
    terminal: percent(
      "Percent of the memory limit at which Redline kills the offending worker's process tree at once.",
    ).default(95),
  })
  .readonly()
  // Checked after the defaults are filled in, so `{ "warning": 70 }` alone is caught: it would
  // put warning above the default critical tier and the guard would skip a step.
  .superRefine((tiers, ctx) => {
    for (let i = 1; i < TIER_KEYS.length; i++) {
      const lower = TIER_KEYS[i - 1]!;
      const upper = TIER_KEYS[i]!;
      if (tiers[lower] >= tiers[upper]) {
        ctx.addIssue({
          code: 'custom',
          input: tiers,
          message:
            `percentages that rise strictly, ${TIER_KEYS.join(' < ')}, ` +
            `but ${lower} (${tiers[lower]}) is not below ${upper} (${tiers[upper]})`,
        });
        return;
      }
    }
  });

const MemorySchema = z
  .strictObject({
    limitMB: setting(
      z.int().positive(),
      // No default here: it depends on the machine (core/tiers.ts defaultLimitBytes), so it is filled in at run time.
      'Memory limit, in megabytes, for the resident memory of the whole test process tree. Default: half the machine\'s memory, at most 4096.',
      'a positive whole number of megabytes (e.g. 2048)',
    ).optional(),
    tiers: TiersSchema.describe('Tiers of the memory guard, in percent of the limit; each must be above the one before.').prefault({}),
    sampleIntervalMs: setting(
      z.int().min(10).max(5000),
      'How often the memory guard samples the test process tree, in milliseconds.',
      'a whole number of milliseconds from 10 to 5000',
    ).default(100),
    heapSnapshot: setting(
      z.boolean(),
      'Write V8 heap snapshots to .redline/snapshots/: of each test file (early and at its end) when leak detection is on, so a suspected leak says which constructors grew; and of a runaway test twice before the memory guard stops it, so the stop says what it was filling memory with. Slow: for hunting a leak, not for every run.',
      'true or false',
    ).default(false),
  })
  .readonly();

const RunSchema = z
  .strictObject({
    workers: setting(
      z.union([z.int().positive(), z.literal('auto')]),
      'Number of test worker processes, or "auto": the maxWorkers of the Vitest config if it sets one, else one per core less one, and at least two (the memory guard throttles when memory runs short).',
      'a positive whole number of workers, or "auto"',
    ).default('auto'),
    fileTimeoutS: setting(
      z.number().positive(),
      'Seconds a test file may run without progress (a busy loop) before Redline stops it.',
      'a positive number of seconds (e.g. 60)',
    ).default(60),
    include: globs('Glob patterns of test files, passed to Vitest. Default: Vitest\'s own.').optional(),
    exclude: globs('Glob patterns of files that are not tests, passed to Vitest. Default: Vitest\'s own.').optional(),
    config: setting(
      z.string().min(1),
      'Path of the Vitest config file to run, relative to the workspace root. Default: every Vitest config found.',
      'the path of a Vitest config file, relative to the workspace root',
    ).optional(),
    projects: setting(
      z.array(z.string().min(1)).readonly(),
      'Names of the Vitest projects to run. Default: all of them.',
      'a list of Vitest project names (strings)',
    ).optional(),
  })
  .readonly();

const WatchSchema = z
  .strictObject({
    debounceMs: setting(
      z.int().min(0).max(60_000),
      'How long watch mode waits after the last file change before it runs the affected tests, in milliseconds.',
      'a whole number of milliseconds from 0 to 60000',
    ).default(100),
    ignore: globs('Glob patterns of files that watch mode ignores, besides node_modules, .git, .redline and build output.').prefault([]),
  })
  .readonly();

const CacheSchema = z
  .strictObject({
    enabled: setting(
      z.boolean(),
      'Report a stored result instead of running a test file whose content hash (file, imports, config, versions) is unchanged.',
      'true or false',
    ).default(true),
    maxEntries: setting(
      z.int().positive(),
      'Most results the cache keeps; the least recently used go first.',
      'a positive whole number of entries',
    ).default(5000),
    maxMB: setting(
      z.number().positive(),
      'Most megabytes the cache keeps on disk; the least recently used go first.',
      'a positive number of megabytes',
    ).default(200),
    exclude: globs('Glob patterns of test files that are always run, never served from the cache.').prefault([]),
  })
  .readonly();

const TddSchema = z
  .strictObject({
    approveOnCommit: setting(
      z.boolean(),
      'Approve YELLOW tests (turn them GREEN) when their change is committed.',
      'true or false',
    ).default(false),
  })
  .readonly();

const BackupsSchema = z
  .strictObject({
    max: setting(
      z.int().positive(),
      'Most backups of the state directory (.redline) to keep; the oldest go first.',
      'a positive whole number of backups',
    ).default(20),
  })
  .readonly();

const LeaksSchema = z
  .strictObject({
    enabled: setting(
      z.boolean(),
      'Watch each file\'s post-GC memory for steady growth (a suspected leak): the probe collects garbage after every test. Off by default: it costs a few milliseconds per test, more in files that grow (`--leaks` turns it on for one run).',
      'true or false',
    ).default(false),
    minBytesPerTest: setting(
      z.number().nonnegative(),
      'Smallest growth per test, in bytes after garbage collection, reported as a suspected leak.',
      'a number of bytes, 0 or more',
    ).default(512 * 1024),
    minFit: setting(
      z.number().min(0).max(1),
      'How well a straight line must fit the growth (R², 0 to 1) for it to count as a leak rather than noise.',
      'a number from 0 to 1',
    ).default(0.8),
    minTotalBytes: setting(
      z.number().nonnegative(),
      'Smallest total growth over a file, in bytes, reported as a suspected leak.',
      'a number of bytes, 0 or more',
    ).default(8 * 1024 * 1024),
    minSamples: setting(
      z.int().min(3),
      'Fewest tests (post-GC samples) in a file before leak detection judges it.',
      'a whole number, 3 or more',
    ).default(5),
  })
  .readonly();

export const ConfigSchema = z
  .strictObject({
    // Allowed so a file can point its editor at the JSON Schema, which other editors than VS Code need.
    $schema: setting(z.string(), 'The JSON Schema of this file, for editor completion.', 'a string (a path or URL)').optional(),
    memory: MemorySchema.describe('The memory guard: limit, tiers and sampling.').prefault({}),
    run: RunSchema.describe('Which tests run, and how.').prefault({}),
    watch: WatchSchema.describe('Watch mode.').prefault({}),
    cache: CacheSchema.describe('The result cache of unchanged test files.').prefault({}),
    tdd: TddSchema.describe('The RED / YELLOW / GREEN cycle.').prefault({}),
    backups: BackupsSchema.describe('Backups of the state directory.').prefault({}),
    leaks: LeaksSchema.describe('Thresholds of leak detection.').prefault({}),
  })
  .readonly()
  .describe(`Redline configuration (${CONFIG_FILE_NAME}).`);

/** The configuration with every default filled in, deeply readonly (and frozen at run time). */
export type Config = z.infer<typeof ConfigSchema>;
/** What a file or the flags may say: every key optional. */
export type ConfigInput = z.input<typeof ConfigSchema>;

export interface ConfigError {
  /** Dotted path such as `memory.tiers.warning`, a flag such as `--memory-limit`, or '' for the whole file. */
  readonly key: string;
  readonly value: unknown;
  readonly expected: string;
  /** A file name, or the flag the value came from. */
  readonly source: string;
  /** One sentence for the user: where, what was given, what was expected. */
  readonly message: string;
}

export type ParseConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly errors: ConfigError[] };

export function parseConfig(input: unknown, source: string): ParseConfigResult {
  // reportInput puts the offending value on each issue, so the message can quote it.
  const result = ConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, config: result.data };
  const errors: ConfigError[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    for (const error of errorsOf(issue, source)) {
      // One error per key: 5.5 for an integer from 10 up is both "not whole" and "too small".
      if (seen.has(error.key)) continue;
      seen.add(error.key);
      errors.push(error);
    }
  }
  return { ok: false, errors };
}

/** Builds a ConfigError with its message, for errors found outside the schema (flags, files). */
export function configError(fields: Omit<ConfigError, 'message'>): ConfigError {
  const subject = fields.key === fields.source ? fields.key : `${fields.source}: ${fields.key || 'the configuration'}`;
  return { ...fields, message: `${subject} is ${show(fields.value)} — expected ${fields.expected}.` };
}

function errorsOf(issue: z.core.$ZodIssue, source: string): ConfigError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((name) => unknownKeyError(issue.path, name, issue.input, source));
  }
  const expected = issue.code === 'custom' ? issue.message : expectedAt(issue.path) ?? issue.message;
  return [configError({ key: dotted(issue.path), value: issue.input, expected, source })];
}

function unknownKeyError(parent: readonly PropertyKey[], name: string, input: unknown, source: string): ConfigError {
  const key = dotted([...parent, name]);
  const value = isRecord(input) ? input[name] : undefined;
  const known = knownKeys(schemasAt(parent));
  const expected = `one of ${known.join(', ')}`;
  const suggestion = suggest(name, parent, known);
  const subject = `${source}: ${key}`;
  const message = suggestion
    ? `${subject} is not a Redline setting — did you mean ${suggestion}?`
    : `${subject} is not a Redline setting — expected ${expected}.`;
  return { key, value, expected, source, message };
}

function suggest(name: string, parent: readonly PropertyKey[], siblings: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const sibling of siblings) {
    const distance = editDistance(lower, sibling.toLowerCase());
    if (distance <= Math.max(2, Math.floor(name.length / 3)) && (!best || distance < best.distance)) {
      best = { key: sibling, distance };
    }
  }
  if (best) return dotted([...parent, best.key]);
  // A setting put in the wrong section (`{ "workers": 2 }` at the top) is a common slip.
  return allKeyPaths().find((path) => path.split('.').at(-1)!.toLowerCase() === lower);
}

/** Levenshtein distance, small inputs only (key names). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

// Wrappers that stand between a key and the schema of its value.
function unwrap(schema: z.ZodType): z.ZodType[] {
  const chain: z.ZodType[] = [schema];
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodReadonly
  ) {
    current = current.unwrap() as z.ZodType;
    chain.push(current);
  }
  return chain;
}

/** The schema at a path with its wrappers, outermost first; empty where the path leads nowhere. */
function schemasAt(path: readonly PropertyKey[]): z.ZodType[] {
  let chain = unwrap(ConfigSchema);
  for (const segment of path) {
    const inner = chain.at(-1);
    let next: z.ZodType | undefined;
    if (inner instanceof z.ZodObject && typeof segment === 'string') next = inner.shape[segment] as z.ZodType | undefined;
    else if (inner instanceof z.ZodArray && typeof segment === 'number') next = inner.element as z.ZodType;
    if (!next) return [];
    chain = unwrap(next);
  }
  return chain;
}

function knownKeys(chain: readonly z.ZodType[]): string[] {
  const inner = chain.at(-1);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape).filter((key) => !key.startsWith('$')) : [];
}

function expectedAt(path: readonly PropertyKey[]): string | undefined {
  // Inside a list, the list's own words serve ("a list of glob patterns").
  for (let end = path.length; end >= 0; end--) {
    const chain = schemasAt(path.slice(0, end));
    const registered = chain.map((schema) => expectations.get(schema)).find(Boolean);
    if (registered) return registered.expected;
    const keys = knownKeys(chain);
    if (keys.length > 0) return `an object with the keys ${keys.join(', ')}`;
  }
  return undefined;
}

function allKeyPaths(): string[] {
  const paths: string[] = [];
  const visit = (prefix: string[]) => {
    for (const key of knownKeys(schemasAt(prefix))) {
      paths.push([...prefix, key].join('.'));
      visit([...prefix, key]);
    }
  };
  visit([]);
  return paths;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    return out ? `${out}.${String(segment)}` : String(segment);
  }, '');
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Lays `override` over `base`, key by key at every depth; lists and single values are replaced
 * whole, and an undefined value leaves the base alone. Neither argument is changed. The result is
 * not validated: pass it to parseConfig.
 */
export function mergeConfig(base: unknown, override: ConfigInput): unknown {
  return mergeValues(base ?? {}, override);
}

function mergeValues(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isRecord(base) || !isRecord(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** The JSON Schema of redline.config.json, generated from ConfigSchema (draft-07, which VS Code reads). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, {
    target: 'draft-7',
    // The file's form, not the parsed one: defaulted keys are optional there.
    io: 'input',
    override: ({ jsonSchema }) => {
      // `.readonly()` is about the parsed object in memory; to an editor it would mean "do not edit".
      delete jsonSchema.readOnly;
    },
  }) as Record<string, unknown>;
}
