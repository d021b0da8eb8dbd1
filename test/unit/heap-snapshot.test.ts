import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_NOISE_BYTES, HEAP_NOISE_COUNT, diffHeapSummaries, summarizeHeapSnapshot } from '../../src/core/heap-snapshot';
import type { HeapGroup, HeapSummary } from '../../src/core/heap-snapshot';

// ---- A hand-written snapshot --------------------------------------------------------------------

// The field order is not V8's, so an offset hard-coded from V8's layout would read the wrong column.
const FIELDS = ['name', 'id', 'self_size', 'edge_count', 'type'];
const TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape', 'wasm object'];
const STRINGS = [
  '', // 0
  'Widget', // 1
  'onData', // 2
  'system / JSArrayBufferData', // 3
  'say "hi" \\ café', // 4: escapes in a name
  'constructor', // 5
  '__proto__', // 6
  'a string that mentions "nodes":[1,2] and ]}', // 7
  '(GC roots)', // 8
  'system / Map', // 9
  'Instance', // 10
];

function node(type: string, name: number, selfSize: number): number[] {
  const t = TYPES.indexOf(type);
  if (t < 0) throw new Error(`unknown type ${type}`);
  return [name, 0, selfSize, 0, t];
}

function syntheticSnapshot(): string {
  const rows = [
    node('synthetic', 8, 0),
    node('object', 1, 40),
    node('object', 1, 24),
    node('closure', 2, 32),
    node('closure', 0, 32),
    node('string', 7, 64),
    node('concatenated string', 0, 32),
    node('sliced string', 0, 20),
    node('array', 0, 100),
    node('hidden', 9, 16),
    node('code', 2, 200),
    node('object shape', 9, 80),
    node('native', 3, 1_000_000),
    node('object', 4, 8),
    node('object', 5, 12),
    node('object', 6, 14),
    node('object', 0, 10),
    node('wasm object', 10, 48),
    node('wasm object', 0, 16),
    node('number', 0, 16),
  ];
  const meta = {
    node_fields: FIELDS,
    node_types: [['string'], 'number', 'number', 'number', TYPES],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['element'], 'string_or_number', 'node'],
  };
  // Hand-formatted the way V8 writes it (a number per line group), with the keys out of V8's
  // order and an extra key whose value nests and holds brackets inside strings.
  return [
    '{ "strings": ' + JSON.stringify(STRINGS) + ',',
    ' "extra": {"a": [1, [2, "]"], {"b": "}"}], "c": null, "d": -1.5e3, "e": true},',
    ' "snapshot": ' + JSON.stringify({ meta, node_count: rows.length, edge_count: 0 }) + ',',
    ' "nodes": [' + rows.map((r) => r.join(',')).join('\n,') + '\n],',
    ' "edges": [],',
    ' "locations": [0, 1, 2]',
    '}\n',
  ].join('\n');
}

describe('summarizeHeapSnapshot: a hand-written snapshot', () => {
  const summary = summarizeHeapSnapshot(syntheticSnapshot());
  const group = (name: string): HeapGroup | undefined => (Object.hasOwn(summary.byName, name) ? summary.byName[name] : undefined);

  it('counts every node and sums every self size', () => {
    expect(summary.nodeCount).toBe(20);
    expect(summary.totalBytes).toBe(40 + 24 + 32 + 32 + 64 + 32 + 20 + 100 + 16 + 200 + 80 + 1_000_000 + 8 + 12 + 14 + 10 + 48 + 16 + 16);
    const groups = Object.values(summary.byName);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(summary.nodeCount);
    expect(groups.reduce((n, g) => n + g.bytes, 0)).toBe(summary.totalBytes);
  });

  it('groups objects and natives by name, read through the field layout in meta', () => {
    expect(group('Widget')).toEqual({ count: 2, bytes: 64 });
    expect(group('system / JSArrayBufferData')).toEqual({ count: 1, bytes: 1_000_000 });
    expect(group('say "hi" \\ café')).toEqual({ count: 1, bytes: 8 });
    expect(group('(object)')).toEqual({ count: 1, bytes: 10 });
  });

  it('keeps names such as "constructor" and "__proto__" as ordinary keys', () => {
    expect(group('constructor')).toEqual({ count: 1, bytes: 12 });
    expect(group('__proto__')).toEqual({ count: 1, bytes: 14 });
  });

  it('names closures by their function, strings and arrays by their kind, V8 internals as DevTools does', () => {
    expect(group('(closure) onData')).toEqual({ count: 1, bytes: 32 });
    expect(group('(closure) (anonymous)')).toEqual({ count: 1, bytes: 32 });
    expect(group('(string)')).toEqual({ count: 3, bytes: 64 + 32 + 20 });
    expect(group('(array)')).toEqual({ count: 1, bytes: 100 });
    expect(group('(system)')).toEqual({ count: 1, bytes: 16 });
    expect(group('(compiled code)')).toEqual({ count: 1, bytes: 200 });
    expect(group('(object shape)')).toEqual({ count: 1, bytes: 80 });
    expect(group('(number)')).toEqual({ count: 1, bytes: 16 });
    expect(group('(synthetic)')).toEqual({ count: 1, bytes: 0 });
    // A type this code has no label for groups by name, or by its type when it has none.
    expect(group('Instance')).toEqual({ count: 1, bytes: 48 });
    expect(group('(wasm object)')).toEqual({ count: 1, bytes: 16 });
    // No string is mistaken for a group: onData's compiled code is not a closure.
    expect(group('onData')).toBeUndefined();
  });

  it('survives JSON: a summary can travel in place of the snapshot', () => {
    const copy = JSON.parse(JSON.stringify(summary)) as HeapSummary;
    expect(copy.totalBytes).toBe(summary.totalBytes);
    expect({ ...copy.byName }).toEqual({ ...summary.byName });
    expect(diffHeapSummaries(copy, summary)).toEqual([]);
  });

  it('reads numbers V8 would not write (signs, fractions, exponents) as JSON does', () => {
    const text = syntheticSnapshot().replace('"nodes": [8,0,0,0,9', '"nodes": [8.0e0, -0 ,0.0,0E+1,\t9.0');
    expect(text).not.toBe(syntheticSnapshot());
    expect(summarizeHeapSnapshot(text).byName['(synthetic)']).toEqual({ count: 1, bytes: 0 });
  });

  it('rejects what is not a heap snapshot, saying why', () => {
    const good = syntheticSnapshot();
    expect(() => summarizeHeapSnapshot('')).toThrow(/JSON object/);
    expect(() => summarizeHeapSnapshot('[1, 2]')).toThrow(/JSON object/);
    expect(() => summarizeHeapSnapshot(good.slice(0, good.length / 2))).toThrow(/heap snapshot/);
    expect(() => summarizeHeapSnapshot(good + 'x')).toThrow(/after the snapshot/);
    expect(() => summarizeHeapSnapshot('{"nodes": [], "strings": []}')).toThrow(/snapshot\.meta/);
    expect(() => summarizeHeapSnapshot(good.replace('"nodes": [', '"nodes": [x,'))).toThrow(/number in "nodes"/);
    expect(() => summarizeHeapSnapshot(good.replace('"nodes": [', '"nodes": [1,'))).toThrow(/not a multiple/);
    expect(() => summarizeHeapSnapshot(good.replace('"self_size"', '"size"'))).toThrow(/"self_size" is missing/);
    // Type index 99 (the last field) and name index 99 (the first) are out of range.
    expect(() => summarizeHeapSnapshot(good.replace(/\n\]/, ',\n1,0,0,0,99\n]'))).toThrow(/node type 99/);
    expect(() => summarizeHeapSnapshot(good.replace(/\n\]/, ',\n99,0,0,0,3\n]'))).toThrow(/node name 99/);
    expect(() => summarizeHeapSnapshot(good.replace('"strings"', '"other"'))).toThrow(/no "strings"/);
  });
});

// ---- diffHeapSummaries on made-up summaries -----------------------------------------------------

function made(groups: Record<string, [count: number, bytes: number]>): HeapSummary {
  const byName: Record<string, HeapGroup> = {};
  let totalBytes = 0;
  let nodeCount = 0;
  for (const [name, [count, bytes]] of Object.entries(groups)) {
    byName[name] = { count, bytes };
    totalBytes += bytes;
    nodeCount += count;
  }
  return { totalBytes, nodeCount, byName };
}

describe('diffHeapSummaries', () => {
  it('lists what grew, by bytes and then count, and drops growth under both noise floors', () => {
    const before = made({ Big: [10, 1000], Many: [0, 0], Tiny: [5, 100], Same: [100, 50_000], Shrunk: [1000, 90_000], Tied: [1, 100] });
    const after = made({
      Big: [1010, 501_000],
      Many: [HEAP_NOISE_COUNT, 300],
      Tiny: [5 + HEAP_NOISE_COUNT - 1, 100 + HEAP_NOISE_BYTES - 1],
      Same: [100, 50_000],
      Shrunk: [10, 900],
      Tied: [3, 2100],
      New: [40, 2000],
    });
    expect(diffHeapSummaries(before, after)).toEqual([
      { name: 'Big', countDelta: 1000, bytesDelta: 500_000 },
      { name: 'New', countDelta: 40, bytesDelta: 2000 },
      { name: 'Tied', countDelta: 2, bytesDelta: 2000 },
      { name: 'Many', countDelta: HEAP_NOISE_COUNT, bytesDelta: 300 },
    ]);
  });

  it('keeps a group whose bytes grew while its count fell (one backing store outgrowing a few dead ones)', () => {
    const grew = diffHeapSummaries(made({ '(array)': [50, 10_000] }), made({ '(array)': [45, 200_000] }));
    expect(grew).toEqual([{ name: '(array)', countDelta: -5, bytesDelta: 190_000 }]);
  });

  it('drops a count that grew while the bytes shrank', () => {
    expect(diffHeapSummaries(made({ X: [10, 100_000] }), made({ X: [30, 50_000] }))).toEqual([]);
  });

  it('leaves out V8 internals when anything else grew, and lists them when nothing else did', () => {
    const before = made({ '(system)': [10, 1000], '(compiled code)': [10, 1000], '(object shape)': [10, 1000], Thing: [0, 0] });
    const internals = { '(system)': [900, 90_000], '(compiled code)': [500, 80_000], '(object shape)': [100, 70_000] } satisfies Record<string, [number, number]>;
    expect(diffHeapSummaries(before, made({ ...internals, Thing: [20, 2000] })).map((g) => g.name)).toEqual(['Thing']);
    expect(diffHeapSummaries(before, made({ ...internals, Thing: [0, 0] })).map((g) => g.name)).toEqual(['(system)', '(compiled code)', '(object shape)']);
  });

  it('returns at most `top` entries', () => {
    const before = made({});
    const after = made(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`C${i}`, [100, 10_000 * (i + 1)] as [number, number]])));
    expect(diffHeapSummaries(before, after)).toHaveLength(10);
    expect(diffHeapSummaries(before, after, 3).map((g) => g.name)).toEqual(['C29', 'C28', 'C27']);
    expect(diffHeapSummaries(before, after, 0)).toEqual([]);
  });
});

// ---- Real snapshots of this process ---------------------------------------------------------------

// Retained at module level, as a leaking test file would: the snapshots must see them.
class LeakyThing {
  payload: string;
  constructor() {
    this.payload = 'x'.repeat(64) + Math.random();
  }
}
const retained: unknown[] = [];

class ChurnedThing {
  payload: string;
  constructor() {
    this.payload = 'y'.repeat(64) + Math.random();
  }
}

describe('summarizeHeapSnapshot and diffHeapSummaries on real snapshots', () => {
  let dir = '';
  const texts: string[] = [];
  const summaries: HeapSummary[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'redline-heap-'));
    // All three are written before any is read, so reading and summarizing allocate nothing
    // between them. V8 collects garbage before it writes a snapshot.
    const paths = [join(dir, 'before.heapsnapshot'), join(dir, 'leaked.heapsnapshot'), join(dir, 'churned.heapsnapshot')];
    writeHeapSnapshot(paths[0]);
    for (let i = 0; i < 20_000; i += 1) retained.push(new LeakyThing());
    for (let i = 0; i < 50; i += 1) {
      const id = i;
      retained.push(function onLeakyEvent(): number {
        return id;
      });
    }
    writeHeapSnapshot(paths[1]);
    // Churn: as many objects again, all released before the snapshot.
    // Nothing may keep a reference to the churn (an expect() on it would), so it is only counted.
    let churned = 0;
    for (let i = 0; i < 20_000; i += 1) churned += new ChurnedThing().payload.length > 0 ? 1 : 0;
    if (churned !== 20_000) throw new Error('the churn did not run');
    writeHeapSnapshot(paths[2]);
    for (const path of paths) texts.push(readFileSync(path, 'utf8'));
    summaries.push(...texts.map(summarizeHeapSnapshot));
    // Writing a snapshot of this worker takes most of a second, longer when the machine is busy.
  }, 30_000);

  afterAll(() => {
    retained.length = 0;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names LeakyThing among the top growth, with its count and bytes', () => {
    const [before, leaked] = summaries;
    const grew = diffHeapSummaries(before, leaked);
    const leaky = grew.find((g) => g.name === 'LeakyThing');
    expect(leaky, JSON.stringify(grew)).toBeDefined();
    expect(leaky?.countDelta).toBeGreaterThanOrEqual(20_000);
    expect(leaky?.countDelta).toBeLessThanOrEqual(20_010);
    // At least a header and one field per instance.
    expect(leaky?.bytesDelta).toBeGreaterThanOrEqual(20_000 * 12);
    // The first group that is a class, not a kind of V8 storage such as "(string)", is LeakyThing.
    expect(grew.slice(0, 3).map((g) => g.name)).toContain('LeakyThing');
    expect(grew.find((g) => !g.name.startsWith('('))?.name).toBe('LeakyThing');

    const closures = diffHeapSummaries(before, leaked, 100).find((g) => g.name === '(closure) onLeakyEvent');
    expect(closures?.countDelta).toBe(50);
    expect(closures?.bytesDelta).toBeGreaterThan(0);
  });

  it('finds no user class grown when what was allocated was released', () => {
    const [, leaked, churned] = summaries;
    const grew = diffHeapSummaries(leaked, churned, 100);
    // Only V8's and Node's own storage may move between two snapshots: never a class of the test.
    const classes = grew.filter((g) => !g.name.startsWith('(') && !g.name.startsWith('system / '));
    expect(classes, JSON.stringify(grew)).toEqual([]);
    expect(churned.byName.ChurnedThing).toBeUndefined();
  });

  it('agrees with a JSON.parse reading of the same snapshot', () => {
    const text = texts[0];
    const parsed = JSON.parse(text) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
    const fields = parsed.snapshot.meta.node_fields;
    const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
    const types = parsed.snapshot.meta.node_types[type];
    const objects = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < parsed.nodes.length; i += fields.length) {
      total += parsed.nodes[i + size];
      if (types[parsed.nodes[i + type]] !== 'object') continue;
      const n = parsed.strings[parsed.nodes[i + name]];
      objects.set(n, (objects.get(n) ?? 0) + 1);
    }
    const result = summaries[0];
    expect(result.nodeCount).toBe(parsed.nodes.length / fields.length);
    expect(result.totalBytes).toBe(total);
    for (const [n, count] of objects) {
      // An object may share its name with a native: the group holds at least the objects.
      if (n !== '') expect(result.byName[n]?.count, n).toBeGreaterThanOrEqual(count);
    }
    expect(result.byName.Object?.count).toBe(objects.get('Object'));
  });

  it('reads a snapshot at well over 50 MB/s', () => {
    const text = texts[1];
    let best = Infinity;
    for (let i = 0; i < 3; i += 1) {
      const start = performance.now();
      summarizeHeapSnapshot(text);
      best = Math.min(best, performance.now() - start);
    }
    const mbPerSecond = text.length / 1e6 / (best / 1000);
    // A generous floor for a busy CI machine; it runs at several hundred MB/s.
    expect(mbPerSecond, `${(text.length / 1e6).toFixed(1)} MB in ${best.toFixed(0)} ms`).toBeGreaterThan(50);
  });
});

describe('noise floors', () => {
  it('are 1 KB and 10 objects', () => {
    expect(HEAP_NOISE_BYTES).toBe(1024);
    expect(HEAP_NOISE_COUNT).toBe(10);
  });
});
