import { describe, expect, it } from 'vitest';
import { configJsonSchema, mergeConfig, parseConfig } from '../../src/core/config';
import type { ConfigError } from '../../src/core/config';
import { flagsToConfig } from '../../src/cli/flags-to-config';
import { DEFAULT_TIER_PERCENTS } from '../../src/core/tiers';

const FILE = 'redline.config.json';

function errorsOf(input: unknown): ConfigError[] {
  const result = parseConfig(input, FILE);
  if (result.ok) throw new Error(`expected errors for ${JSON.stringify(input)}`);
  return result.errors;
}

const messages = (input: unknown) => errorsOf(input).map((error) => error.message);

describe('parseConfig: defaults', () => {
  it('fills every section from nothing', () => {
    const result = parseConfig({}, FILE);
    expect(result).toEqual({
      ok: true,
      config: {
        memory: { tiers: { warning: 40, critical: 60, emergency: 80, terminal: 95 }, sampleIntervalMs: 100, heapSnapshot: false },
        run: { workers: 'auto', fileTimeoutS: 60 },
        watch: { debounceMs: 100, ignore: [] },
        cache: { enabled: true, maxEntries: 5000, maxMB: 200, exclude: [] },
        tdd: { approveOnCommit: false },
        backups: { max: 20 },
        leaks: { enabled: false, minBytesPerTest: 512 * 1024, minFit: 0.8, minTotalBytes: 8 * 1024 * 1024, minSamples: 5 },
      },
    });
  });

  it('agrees with the tier defaults the guard falls back on', () => {
    const result = parseConfig({}, FILE);
    expect(result.ok && result.config.memory.tiers).toEqual(DEFAULT_TIER_PERCENTS);
  });

  it('keeps given values and defaults the rest of a section', () => {
    const result = parseConfig({ memory: { limitMB: 2048, tiers: { warning: 30 } }, run: { workers: 2, projects: ['api'] } }, FILE);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    expect(result.config.memory.limitMB).toBe(2048);
    expect(result.config.memory.tiers).toEqual({ warning: 30, critical: 60, emergency: 80, terminal: 95 });
    expect(result.config.run).toEqual({ workers: 2, fileTimeoutS: 60, projects: ['api'] });
  });

  it('accepts a $schema key so editors other than VS Code can find the JSON Schema', () => {
    expect(parseConfig({ $schema: './node_modules/redline/schemas/redline.config.schema.json' }, FILE).ok).toBe(true);
  });

  it('returns a frozen config, default lists included', () => {
    const result = parseConfig({}, FILE);
    if (!result.ok) throw new Error('invalid');
    expect(Object.isFrozen(result.config)).toBe(true);
    expect(Object.isFrozen(result.config.memory.tiers)).toBe(true);
    expect(Object.isFrozen(result.config.watch.ignore)).toBe(true);
  });
});

describe('parseConfig: errors', () => {
  it('wrong type', () => {
    expect(errorsOf({ memory: { limitMB: 'lots' } })).toEqual([
      {
        key: 'memory.limitMB',
        value: 'lots',
        expected: 'a positive whole number of megabytes (e.g. 2048)',
        source: FILE,
        message: 'redline.config.json: memory.limitMB is "lots" — expected a positive whole number of megabytes (e.g. 2048).',
      },
    ]);
    expect(messages({ memory: { heapSnapshot: 'yes' } })).toEqual([
      'redline.config.json: memory.heapSnapshot is "yes" — expected true or false.',
    ]);
    expect(messages({ run: { include: ['src', 3] } })).toEqual([
      'redline.config.json: run.include[1] is 3 — expected a list of glob patterns (strings).',
    ]);
  });

  it('out of range, reported once per key', () => {
    expect(messages({ memory: { sampleIntervalMs: 5.5 } })).toEqual([
      'redline.config.json: memory.sampleIntervalMs is 5.5 — expected a whole number of milliseconds from 10 to 5000.',
    ]);
    expect(messages({ memory: { tiers: { warning: 0 } } })).toEqual([
      'redline.config.json: memory.tiers.warning is 0 — expected a percentage of the memory limit from 1 to 100.',
    ]);
    expect(messages({ run: { workers: 0 } })).toEqual([
      'redline.config.json: run.workers is 0 — expected a positive whole number of workers, or "auto".',
    ]);
    expect(messages({ leaks: { minFit: 1.5 } })).toEqual(['redline.config.json: leaks.minFit is 1.5 — expected a number from 0 to 1.']);
  });

  it('unknown key, with the closest known key suggested', () => {
    expect(errorsOf({ memory: { limitMb: 2048 } })).toEqual([
      {
        key: 'memory.limitMb',
        value: 2048,
        expected: 'one of limitMB, tiers, sampleIntervalMs, heapSnapshot',
        source: FILE,
        message: 'redline.config.json: memory.limitMb is not a Redline setting — did you mean memory.limitMB?',
      },
    ]);
    expect(messages({ run: { wrkers: 2 } })).toEqual(['redline.config.json: run.wrkers is not a Redline setting — did you mean run.workers?']);
    expect(messages({ rn: {} })).toEqual(['redline.config.json: rn is not a Redline setting — did you mean run?']);
  });

  it('unknown key in the wrong section points to the right one', () => {
    expect(messages({ workers: 2 })).toEqual(['redline.config.json: workers is not a Redline setting — did you mean run.workers?']);
  });

  it('unknown key with nothing close lists the known keys', () => {
    expect(messages({ backups: { xyzzy: 1 } })).toEqual([
      'redline.config.json: backups.xyzzy is not a Redline setting — expected one of max.',
    ]);
  });

  it('tiers that do not rise, defaults included', () => {
    expect(errorsOf({ memory: { tiers: { warning: 70 } } })).toEqual([
      {
        key: 'memory.tiers',
        value: { warning: 70, critical: 60, emergency: 80, terminal: 95 },
        expected:
          'percentages that rise strictly, warning < critical < emergency < terminal, but warning (70) is not below critical (60)',
        source: FILE,
        message:
          'redline.config.json: memory.tiers is {"warning":70,"critical":60,"emergency":80,"terminal":95} — expected ' +
          'percentages that rise strictly, warning < critical < emergency < terminal, but warning (70) is not below critical (60).',
      },
    ]);
    expect(messages({ memory: { tiers: { emergency: 95 } } })[0]).toContain('but emergency (95) is not below terminal (95)');
  });

  it('not an object: the whole file, or a section', () => {
    expect(messages([1, 2])).toEqual([
      'redline.config.json: the configuration is [1,2] — expected an object with the keys memory, run, watch, cache, tdd, backups, leaks.',
    ]);
    expect(errorsOf(null)[0]!.key).toBe('');
    expect(messages({ memory: 5 })).toEqual([
      'redline.config.json: memory is 5 — expected an object with the keys limitMB, tiers, sampleIntervalMs, heapSnapshot.',
    ]);
  });

  it('reports every problem at once', () => {
    expect(errorsOf({ memory: { limitMB: -1 }, run: { fileTimeoutS: 'soon' }, cache: { enabeld: false } }).map((e) => e.key)).toEqual([
      'memory.limitMB',
      'run.fileTimeoutS',
      'cache.enabeld',
    ]);
  });

  it('has its own words for every setting, never zod\'s', () => {
    for (const path of leafPaths(configJsonSchema())) {
      const [section, ...rest] = path;
      const wrong = { [section!]: nest(rest, { not: 'a setting value' }) };
      for (const error of errorsOf(wrong)) expect(error.expected, path.join('.')).not.toMatch(/invalid|expected (number|string)/i);
    }
  });
});

describe('mergeConfig', () => {
  it('lays flags over the file key by key, at every depth', () => {
    const file = { memory: { limitMB: 1024, tiers: { warning: 30 } }, run: { workers: 4, include: ['a'] }, cache: { maxMB: 50 } };
    const flags = { memory: { limitMB: 2048 }, run: { include: ['b'] }, cache: { enabled: false } };
    expect(mergeConfig(file, flags)).toEqual({
      memory: { limitMB: 2048, tiers: { warning: 30 } },
      run: { workers: 4, include: ['b'] },
      cache: { maxMB: 50, enabled: false },
    });
  });

  it('leaves its arguments alone and skips undefined', () => {
    const file = { run: { workers: 4 } };
    const merged = mergeConfig(file, { run: { workers: undefined, fileTimeoutS: 5 } });
    expect(merged).toEqual({ run: { workers: 4, fileTimeoutS: 5 } });
    expect(file).toEqual({ run: { workers: 4 } });
  });

  it('treats a missing file as empty', () => {
    expect(mergeConfig(undefined, { run: { workers: 2 } })).toEqual({ run: { workers: 2 } });
  });
});

describe('configJsonSchema', () => {
  const schema = configJsonSchema();

  it('describes every setting, and has the defaults and no unknown keys', () => {
    const paths = leafPaths(schema);
    expect(paths.map((path) => path.join('.'))).toContain('memory.tiers.warning');
    for (const path of paths) expect(propertyAt(schema, path).description, path.join('.')).toEqual(expect.any(String));
    expect(propertyAt(schema, ['memory', 'sampleIntervalMs']).default).toBe(100);
    expect(propertyAt(schema, ['leaks', 'minFit']).default).toBe(0.8);
    expect(schema.additionalProperties).toBe(false);
    expect(propertyAt(schema, ['memory']).additionalProperties).toBe(false);
  });

  it('describes the file as written: no key is required, none is read-only', () => {
    expect(JSON.stringify(schema)).not.toMatch(/"required"|"readOnly"/);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });
});

describe('flagsToConfig', () => {
  const input = (flags: Parameters<typeof flagsToConfig>[0]) => {
    const result = flagsToConfig(flags);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    return result.input;
  };

  it('maps each flag to its setting, and nothing for absent flags', () => {
    expect(input({})).toEqual({});
    expect(input({ cache: true })).toEqual({});
    expect(
      input({ memoryLimit: '2048', workers: '2', fileTimeout: '5', config: 'vitest.config.ts', project: ['api', 'web'], cache: false }),
    ).toEqual({
      memory: { limitMB: 2048 },
      run: { workers: 2, fileTimeoutS: 5, config: 'vitest.config.ts', projects: ['api', 'web'] },
      cache: { enabled: false },
    });
    expect(input({ workers: 'auto', project: 'api', fileTimeout: '0.5' })).toEqual({
      run: { workers: 'auto', fileTimeoutS: 0.5, projects: ['api'] },
    });
  });

  it('reads memory sizes with units', () => {
    const limit = (memoryLimit: string) => input({ memoryLimit }).memory?.limitMB;
    expect(limit('2048')).toBe(2048);
    expect(limit('2G')).toBe(2048);
    expect(limit('512M')).toBe(512);
    expect(limit('1.5GB')).toBe(1536);
    expect(limit('1gib')).toBe(1024);
  });

  it('names the flag and quotes what was typed', () => {
    const errors = (flags: Parameters<typeof flagsToConfig>[0]) => {
      const result = flagsToConfig(flags);
      return result.ok ? [] : result.errors;
    };
    expect(errors({ memoryLimit: 'abc' })).toEqual([
      {
        key: '--memory-limit',
        value: 'abc',
        expected: 'a positive whole number of megabytes, or a size with a unit such as 512M, 2G or 1.5GB',
        source: '--memory-limit',
        message:
          '--memory-limit is "abc" — expected a positive whole number of megabytes, or a size with a unit such as 512M, 2G or 1.5GB.',
      },
    ]);
    expect(errors({ memoryLimit: '2T' })[0]!.key).toBe('--memory-limit');
    expect(errors({ memoryLimit: '0G' })[0]!.key).toBe('--memory-limit');
    expect(errors({ memoryLimit: '2048.5' })[0]!.key).toBe('--memory-limit');
    expect(errors({ workers: 'many' }).map((e) => e.message)).toEqual([
      '--workers is "many" — expected a positive whole number of workers, or "auto".',
    ]);
    expect(errors({ workers: '0' }).map((e) => e.message)).toEqual(['--workers is "0" — expected a positive whole number of workers, or "auto".']);
    expect(errors({ fileTimeout: '0x10' }).map((e) => e.message)).toEqual([
      '--file-timeout is "0x10" — expected a positive number of seconds (e.g. 60).',
    ]);
    expect(errors({ project: ['api', ''] }).map((e) => e.message)).toEqual(['--project is "" — expected the name of a Vitest project.']);
    expect(errors({ memoryLimit: 'x', workers: 'y' }).map((e) => e.key)).toEqual(['--memory-limit', '--workers']);
  });
});

type JsonSchemaNode = { properties?: Record<string, JsonSchemaNode>; description?: string; default?: unknown; additionalProperties?: unknown };

function leafPaths(node: JsonSchemaNode, prefix: string[] = []): string[][] {
  return Object.entries(node.properties ?? {})
    .filter(([key]) => !key.startsWith('$'))
    .flatMap(([key, child]) => (child.properties ? leafPaths(child, [...prefix, key]) : [[...prefix, key]]));
}

function propertyAt(node: JsonSchemaNode, path: string[]): JsonSchemaNode {
  return path.reduce<JsonSchemaNode>((current, key) => current.properties![key]!, node);
}

function nest(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}
