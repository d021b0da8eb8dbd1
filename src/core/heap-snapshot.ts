// What grew between two heap snapshots (issue 5, "Beyond the anchors"): a V8 `.heapsnapshot`
// (what `v8.writeHeapSnapshot()` writes, what Chrome DevTools opens) is summarized per
// constructor, and two summaries of the same file are compared, so a leak alert can say *what*
// leaked, not only how fast.
//
// Sizes are self ("shallow") sizes, as in DevTools' Comparison view: retained sizes need the
// dominator tree over every edge, which is far too slow and memory-hungry for a runner that reads
// snapshots of tens of MB. For a leak the self size is the honest figure anyway: 20,000 leaked
// objects grow their own group by their own bytes, and the strings and backing arrays they hold
// grow the "(string)" and "(array)" groups beside them.
//
// Grouping, by the node's type (from `snapshot.meta`, never hard-coded):
//   - `object`, `native` (and any type this code does not know that carries a name) group by their
//     name: "LeakyThing", "Object", "Map", "system / JSArrayBufferData" (the memory of Buffers and
//     ArrayBuffers, outside the JS heap), "Node / ...". DevTools does the same.
//   - `closure` groups by function name, "(closure) onData", "(closure) (anonymous)": a leak of
//     listeners shows which function is kept, where DevTools lumps every closure together.
//   - `string`, `concatenated string`, `sliced string` are "(string)": how V8 represents a string
//     is not what leaked.
//   - `array` is "(array)": V8's internal backing stores (the elements of a JS Array, an object's
//     out-of-line properties), not JS Arrays, which are `object` "Array".
//   - `hidden` is "(system)", `code` is "(compiled code)", `object shape` is "(object shape)"
//     (hidden classes and descriptor arrays), as in DevTools; every other unnamed type is
//     "(<type>)": "(number)", "(symbol)", "(regexp)", "(bigint)", "(synthetic)".
//
// The diff lists the groups that grew most, by bytes and then count. Growth under 1 KB and under
// 10 objects is noise; V8's own churn ("(system)", "(compiled code)", "(object shape)") is listed
// only when nothing else grew.
//
// Parsing: the text is not handed to JSON.parse whole. The `edges` array is the largest part of a
// snapshot (several numbers per reference) and a summary never needs it, nor the allocation
// traces, nor most of the `strings`; a small scanner walks the top-level object, JSON-parses only
// `snapshot` (the meta), reads `nodes` into one Float64Array, notes where each string lies (and
// decodes only the names that label a group), and skips the rest. No object is built per node.

export interface HeapGroup {
  count: number;
  /** Sum of the self sizes (bytes). */
  bytes: number;
}

export interface HeapSummary {
  /** Sum of the self sizes of every node (bytes). */
  totalBytes: number;
  nodeCount: number;
  /**
   * Group name → count and bytes. A plain record (null prototype, so a class named "constructor"
   * or "__proto__" is an ordinary key) so a summary survives JSON: a worker could send one in
   * place of a snapshot of tens of MB.
   */
  byName: Record<string, HeapGroup>;
}

export interface HeapGrowth {
  name: string;
  countDelta: number;
  bytesDelta: number;
}

/** Growth below both of these is noise: a test runner allocates a little between any two snapshots. */
export const HEAP_NOISE_BYTES = 1024;
export const HEAP_NOISE_COUNT = 10;

/**
 * V8's own structures churn between any two snapshots (lazy compilation, hidden-class
 * transitions, feedback vectors) and say nothing about the user's code: they are listed only when
 * nothing else grew.
 */
const INTERNAL_GROUPS: ReadonlySet<string> = new Set(['(system)', '(compiled code)', '(object shape)']);

const FIXED_LABELS: Readonly<Record<string, string>> = {
  hidden: '(system)',
  code: '(compiled code)',
  'object shape': '(object shape)',
  array: '(array)',
  string: '(string)',
  'concatenated string': '(string)',
  'sliced string': '(string)',
  regexp: '(regexp)',
  number: '(number)',
  symbol: '(symbol)',
  bigint: '(bigint)',
  synthetic: '(synthetic)',
};

/** Per node type: group by the node's name, by its function name, or under one fixed label. */
type Grouping = { kind: 'name'; type: string } | { kind: 'closure' } | { kind: 'fixed'; label: string };

function groupingOf(type: string): Grouping {
  if (type === 'closure') return { kind: 'closure' };
  const label = Object.hasOwn(FIXED_LABELS, type) ? FIXED_LABELS[type] : undefined;
  return label !== undefined ? { kind: 'fixed', label } : { kind: 'name', type };
}

/** Parses a V8 heap snapshot and sums count and self size per group (see the top of this file). */
export function summarizeHeapSnapshot(json: string): HeapSummary {
  const { snapshot, nodes, nodeLength, strings } = scanSnapshot(json);
  const layout = readLayout(snapshot);
  const { stride, typeOffset, nameOffset, sizeOffset, types } = layout;
  if (nodeLength % stride !== 0) {
    throw new Error(`heap snapshot: ${nodeLength} numbers in "nodes" is not a multiple of the ${stride} node fields`);
  }

  const groupings = types.map(groupingOf);
  // Fixed-label types sum into two slots per type; named types into a map keyed by type and name
  // index, resolved to strings once at the end (a few thousand keys, not one per node).
  const fixedCount = new Float64Array(types.length);
  const fixedBytes = new Float64Array(types.length);
  const named = new Map<number, HeapGroup & { type: number; name: number }>();
  const stringCount = strings.count;
  let totalBytes = 0;
  for (let i = 0; i < nodeLength; i += stride) {
    const type = nodes[i + typeOffset];
    const size = nodes[i + sizeOffset];
    const grouping = groupings[type];
    if (grouping === undefined) throw new Error(`heap snapshot: node type ${type} is not in meta.node_types`);
    totalBytes += size;
    if (grouping.kind === 'fixed') {
      fixedCount[type] += 1;
      fixedBytes[type] += size;
      continue;
    }
    const name = nodes[i + nameOffset];
    if (!(name >= 0 && name < stringCount && Number.isInteger(name))) throw new Error(`heap snapshot: node name ${name} is not in "strings"`);
    const key = name * types.length + type;
    const group = named.get(key);
    if (group) {
      group.count += 1;
      group.bytes += size;
    } else {
      named.set(key, { type, name, count: 1, bytes: size });
    }
  }

  const byName: Record<string, HeapGroup> = Object.create(null) as Record<string, HeapGroup>;
  const add = (label: string, count: number, bytes: number): void => {
    const group = byName[label];
    if (group) {
      group.count += count;
      group.bytes += bytes;
    } else {
      byName[label] = { count, bytes };
    }
  };
  groupings.forEach((grouping, type) => {
    if (grouping.kind === 'fixed' && fixedCount[type] > 0) add(grouping.label, fixedCount[type], fixedBytes[type]);
  });
  for (const group of named.values()) {
    const name = stringAt(json, strings, group.name);
    const grouping = groupings[group.type];
    const label = grouping.kind === 'closure' ? `(closure) ${name || '(anonymous)'}` : name || `(${grouping.kind === 'name' ? grouping.type : 'unknown'})`;
    add(label, group.count, group.bytes);
  }
  return { totalBytes, nodeCount: nodeLength / stride, byName };
}

/**
 * The groups that grew most from `before` to `after`, by bytes and then count: growth below both
 * noise floors is dropped, and V8's internals are listed only when no other group grew.
 */
export function diffHeapSummaries(before: HeapSummary, after: HeapSummary, top = 10): HeapGrowth[] {
  const grown: HeapGrowth[] = [];
  const names = new Set([...Object.keys(before.byName), ...Object.keys(after.byName)]);
  for (const name of names) {
    const b = Object.hasOwn(before.byName, name) ? before.byName[name] : undefined;
    const a = Object.hasOwn(after.byName, name) ? after.byName[name] : undefined;
    const countDelta = (a?.count ?? 0) - (b?.count ?? 0);
    const bytesDelta = (a?.bytes ?? 0) - (b?.bytes ?? 0);
    // Bytes are the signal, whatever the count did: a leaking array's one backing store grows
    // while a few small ones die. A count that grows while the bytes shrink is a reshuffle.
    const grew = bytesDelta >= HEAP_NOISE_BYTES || (countDelta >= HEAP_NOISE_COUNT && bytesDelta >= 0);
    if (grew) grown.push({ name, countDelta, bytesDelta });
  }
  grown.sort((x, y) => y.bytesDelta - x.bytesDelta || y.countDelta - x.countDelta || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const user = grown.filter((g) => !INTERNAL_GROUPS.has(g.name));
  return (user.length > 0 ? user : grown).slice(0, Math.max(0, top));
}

interface Layout {
  stride: number;
  typeOffset: number;
  nameOffset: number;
  sizeOffset: number;
  types: string[];
}

function readLayout(snapshot: unknown): Layout {
  const meta = isRecord(snapshot) && isRecord(snapshot.meta) ? snapshot.meta : undefined;
  if (!meta) throw new Error('heap snapshot: no "snapshot.meta"');
  const fields = meta.node_fields;
  const nodeTypes = meta.node_types;
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string') || fields.length === 0) {
    throw new Error('heap snapshot: "snapshot.meta.node_fields" is not a list of field names');
  }
  const offset = (field: string): number => {
    const at = fields.indexOf(field);
    if (at < 0) throw new Error(`heap snapshot: the node field "${field}" is missing from meta.node_fields`);
    return at;
  };
  const typeOffset = offset('type');
  const types = Array.isArray(nodeTypes) ? (nodeTypes[typeOffset] as unknown) : undefined;
  if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string')) {
    throw new Error('heap snapshot: meta.node_types has no list of type names for the "type" field');
  }
  return { stride: fields.length, typeOffset, nameOffset: offset('name'), sizeOffset: offset('self_size'), types };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- The scanner -----------------------------------------------------------------------------

interface Scanned {
  snapshot: unknown;
  nodes: Float64Array;
  /** Numbers read into `nodes` (its capacity may be larger). */
  nodeLength: number;
  strings: StringTable;
}

/**
 * Where each of `strings` lies in the text. A snapshot holds hundreds of thousands of strings
 * (every property name, every source line) and JSON-parsing them all is most of the cost of a
 * summary; only the few thousand names that label a group are ever decoded.
 */
interface StringTable {
  count: number;
  /** Offset of the opening quote of string i. */
  starts: Uint32Array;
  /** Offset just after its closing quote. */
  ends: Uint32Array;
}

function stringAt(text: string, table: StringTable, index: number): string {
  const raw = text.slice(table.starts[index], table.ends[index]);
  return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;

/** Walks the top-level object: keys in any order, unknown keys skipped, as JSON.parse would accept. */
function scanSnapshot(text: string): Scanned {
  let snapshot: unknown;
  let strings: StringTable | undefined;
  let nodes: Float64Array | undefined;
  let nodeLength = 0;
  let pos = skipSpace(text, 0);
  expect(text, pos, OPEN_BRACE, 'the snapshot to be a JSON object');
  pos = skipSpace(text, pos + 1);
  if (text.charCodeAt(pos) === CLOSE_BRACE) {
    pos += 1;
  } else {
    for (;;) {
      expect(text, pos, QUOTE, 'a key');
      const keyEnd = endOfString(text, pos);
      const key = JSON.parse(text.slice(pos, keyEnd)) as string;
      pos = skipSpace(text, keyEnd);
      expect(text, pos, COLON, '":"');
      pos = skipSpace(text, pos + 1);
      let end: number;
      if (key === 'nodes') {
        // V8 writes the meta first: its node count sizes the array in one allocation.
        const hint = isRecord(snapshot) && typeof snapshot.node_count === 'number' ? snapshot.node_count : 0;
        const fields = isRecord(snapshot) && isRecord(snapshot.meta) && Array.isArray(snapshot.meta.node_fields) ? snapshot.meta.node_fields.length : 0;
        const read = readNumberArray(text, pos, hint * fields);
        nodes = read.values;
        nodeLength = read.length;
        end = read.end;
      } else if (key === 'strings') {
        const read = readStringArray(text, pos);
        strings = read.table;
        end = read.end;
      } else {
        end = endOfValue(text, pos);
        if (key === 'snapshot') snapshot = JSON.parse(text.slice(pos, end)) as unknown;
      }
      pos = skipSpace(text, end);
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        pos = skipSpace(text, pos + 1);
        continue;
      }
      expect(text, pos, CLOSE_BRACE, '"," or "}"');
      pos += 1;
      break;
    }
  }
  if (skipSpace(text, pos) !== text.length) throw new Error(`heap snapshot: unexpected text after the snapshot at ${pos}`);
  if (nodes === undefined) throw new Error('heap snapshot: no "nodes" array');
  if (strings === undefined) throw new Error('heap snapshot: no "strings" array');
  return { snapshot, nodes, nodeLength, strings };
}

function expect(text: string, pos: number, code: number, what: string): void {
  if (text.charCodeAt(pos) !== code) {
    const found = pos < text.length ? JSON.stringify(text.slice(pos, pos + 20)) : 'the end of the text';
    throw new Error(`heap snapshot: expected ${what} at ${pos}, found ${found}`);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, pos: number): number {
  while (isSpace(text.charCodeAt(pos))) pos += 1;
  return pos;
}

/** `pos` is at an opening quote; returns the index after the closing one. */
function endOfString(text: string, pos: number): number {
  let from = pos + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new Error(`heap snapshot: unterminated string at ${pos}`);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    // An odd run of backslashes escapes the quote; an even run is escaped backslashes.
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** `pos` is at the start of any JSON value; returns the index after it, without building it. */
function endOfValue(text: string, pos: number): number {
  const first = text.charCodeAt(pos);
  if (first === QUOTE) return endOfString(text, pos);
  if (first === OPEN_BRACKET || first === OPEN_BRACE) {
    if (first === OPEN_BRACKET) {
      // Flat arrays of numbers (edges, samples, locations) are most of a snapshot: when nothing
      // between the brackets can nest or hold a "]", indexOf finds the end at memchr speed.
      const close = text.indexOf(']', pos + 1);
      if (close >= 0 && !occursBefore(text, '"', pos + 1, close) && !occursBefore(text, '[', pos + 1, close) && !occursBefore(text, '{', pos + 1, close)) {
        return close + 1;
      }
    }
    let depth = 0;
    let i = pos;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = endOfString(text, i);
        continue;
      }
      if (c === OPEN_BRACKET || c === OPEN_BRACE) depth += 1;
      else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
    throw new Error(`heap snapshot: unterminated array or object at ${pos}`);
  }
  // A number, true, false or null.
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    i += 1;
  }
  if (i === pos) throw new Error(`heap snapshot: expected a value at ${pos}`);
  return i;
}

function occursBefore(text: string, needle: string, from: number, limit: number): boolean {
  const at = text.indexOf(needle, from);
  return at >= 0 && at < limit;
}

/**
 * `pos` is at "[" of a flat array of numbers. V8 writes unsigned integers, read digit by digit;
 * any other JSON number (a sign, a fraction, an exponent) falls back to Number().
 */
function readNumberArray(text: string, pos: number, sizeHint: number): { values: Float64Array; length: number; end: number } {
  expect(text, pos, OPEN_BRACKET, '"nodes" to be an array');
  let values = new Float64Array(Math.max(1024, sizeHint));
  let length = 0;
  let i = skipSpace(text, pos + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return { values, length, end: i + 1 };
  for (;;) {
    const start = i;
    let c = text.charCodeAt(i);
    let value = 0;
    while (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      i += 1;
      c = text.charCodeAt(i);
    }
    if (i === start || !(c === COMMA || c === CLOSE_BRACKET || isSpace(c))) {
      while (i < text.length && !(c === COMMA || c === CLOSE_BRACKET || isSpace(c))) {
        i += 1;
        c = text.charCodeAt(i);
      }
      const token = text.slice(start, i);
      value = token === '' ? NaN : Number(token);
      if (!Number.isFinite(value)) throw new Error(`heap snapshot: expected a number in "nodes" at ${start}, found ${JSON.stringify(token.slice(0, 20))}`);
    }
    if (length === values.length) {
      const grown = new Float64Array(values.length * 2);
      grown.set(values);
      values = grown;
    }
    values[length] = value;
    length += 1;
    while (isSpace(c)) {
      i += 1;
      c = text.charCodeAt(i);
    }
    if (c === COMMA) {
      i = skipSpace(text, i + 1);
      continue;
    }
    expect(text, i, CLOSE_BRACKET, '"," or "]" in "nodes"');
    return { values, length, end: i + 1 };
  }
}

/** `pos` is at "[" of an array of strings: records where each lies, decodes none. */
function readStringArray(text: string, pos: number): { table: StringTable; end: number } {
  expect(text, pos, OPEN_BRACKET, '"strings" to be an array');
  let starts = new Uint32Array(1024);
  let ends = new Uint32Array(1024);
  let count = 0;
  let i = skipSpace(text, pos + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return { table: { count, starts, ends }, end: i + 1 };
  for (;;) {
    expect(text, i, QUOTE, 'a string in "strings"');
    const end = endOfString(text, i);
    if (count === starts.length) {
      const grownStarts = new Uint32Array(count * 2);
      const grownEnds = new Uint32Array(count * 2);
      grownStarts.set(starts);
      grownEnds.set(ends);
      starts = grownStarts;
      ends = grownEnds;
    }
    starts[count] = i;
    ends[count] = end;
    count += 1;
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i = skipSpace(text, i + 1);
      continue;
    }
    expect(text, i, CLOSE_BRACKET, '"," or "]" in "strings"');
    return { table: { count, starts, ends }, end: i + 1 };
  }
}
