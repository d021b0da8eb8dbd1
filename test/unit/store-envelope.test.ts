import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalJson } from '../../src/core/store/canonical-json';
import { seededRandom } from '../../src/core/seeded-random';
import { decode, encode } from '../../src/core/store/envelope';
import type { DocumentSpec } from '../../src/core/store/envelope';
import { sha256 } from './helpers/store-fixture';

interface V2 {
  readonly items: readonly { readonly name: string; readonly done: boolean }[];
}

// Version 1 stored names only; version 2 adds `done`.
const todoV2: DocumentSpec<V2> = {
  kind: 'todo',
  version: 2,
  schema: z.object({ items: z.array(z.object({ name: z.string(), done: z.boolean() })) }),
  migrations: {
    1: (payload) => {
      const { names } = z.object({ names: z.array(z.string()) }).parse(payload);
      return { items: names.map((name) => ({ name, done: false })) };
    },
  },
  empty: () => ({ items: [] }),
  softReset: 'keep',
};

function envelopeText(fields: Record<string, unknown>): string {
  return JSON.stringify(fields);
}

describe('canonicalJson', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('is the text of its definition, JSON.stringify of copies with sorted keys, whatever the data', () => {
    const definition = (value: unknown): string =>
      JSON.stringify(value, (_key, inner: unknown) => {
        if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
        const sorted: Record<string, unknown> = {};
        for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
        return sorted;
      });
    const random = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const keys = ['a', 'B', 'b', 'ab', 'a b', '10', '9', '0', '01', '-1', '1.5', '4294967294', '4294967295', 'é', '\u{1F600}', '', 'z"q', 'toString'];
    const leaf = (): unknown => pick([1.5, -0, 1e21, Number.NaN, '', 'text', 'a "quote"', true, false, null, undefined]);
    const value = (depth: number): unknown => {
      if (depth > 3 || random() < 0.3) return leaf();
      if (random() < 0.3) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      // Up to 24 keys: both the short and the long way of sorting them.
      for (let i = Math.floor(random() * (random() < 0.2 ? 24 : 6)); i > 0; i--) o[random() < 0.5 ? pick(keys) : `k${Math.floor(random() * 40)}`] = value(depth + 1);
      return o;
    };
    for (let i = 0; i < 1000; i++) {
      const v = { root: value(0) };
      expect(canonicalJson(v)).toBe(definition(v));
      // Parsed back from its canonical text (keys in order already), the same text again.
      expect(canonicalJson(JSON.parse(canonicalJson(v)))).toBe(canonicalJson(v));
    }
    for (const v of [{ at: new Date(0) }, { n: Object(1) }, { m: new Map([[1, 2]]) }, { j: { toJSON: () => 'x' } }, Object.create(null) as object, { o: Object.assign(Object.create(null) as object, { b: 1, a: 2 }) }]) {
      expect(canonicalJson(v)).toBe(definition(v));
    }
  });

});

describe('encode / decode', () => {
  const value: V2 = { items: [{ name: 'write test', done: true }] };

  it('round-trips a value', () => {
    const text = encode(todoV2, value, sha256);
    expect(JSON.parse(text)).toMatchObject({ schema: 'redline.todo', version: 2, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(decode(todoV2, text, sha256)).toEqual({ ok: true, value });
  });

  it('writes the payload as the canonical text its checksum covers, in the layout JSON.stringify gives', () => {
    const unordered = { items: [{ done: true, name: 'write test' }] } as unknown as V2;
    const text = encode(todoV2, unordered, sha256);
    const parsed = JSON.parse(text) as { checksum: string; payload: unknown };
    expect(text).toBe(JSON.stringify(parsed) + '\n');
    expect(text).toContain(`"payload":${canonicalJson(parsed.payload)}}`);
    expect(parsed.checksum).toBe(sha256(canonicalJson(parsed.payload)));
  });

  it('accepts a file written the old way (payload in insertion order, checksum of its canonical JSON)', () => {
    const payload = { items: [{ name: 'write test', done: true }] };
    const text = envelopeText({ schema: 'redline.todo', version: 2, checksum: sha256(canonicalJson(payload)), payload }) + '\n';
    expect(text).not.toContain(canonicalJson(payload));
    expect(decode(todoV2, text, sha256)).toEqual({ ok: true, value: payload });
  });

  it('refuses a payload edited in place, however the file is laid out', () => {
    const good = encode(todoV2, value, sha256);
    expect(decode(todoV2, good.replace('"done":true', '"done":false'), sha256)).toMatchObject({ ok: false, reason: 'bad-checksum' });
    expect(decode(todoV2, good.replace('}}\n', '},"extra":1}\n'), sha256)).toMatchObject({ ok: true });
    expect(decode(todoV2, good.trimEnd() + '  \r\n\n', sha256)).toMatchObject({ ok: true });
  });

  it('accepts a file reformatted by hand: the checksum covers the data, not its layout', () => {
    const parsed = JSON.parse(encode(todoV2, value, sha256)) as Record<string, unknown>;
    const reordered = JSON.stringify({ payload: parsed.payload, checksum: parsed.checksum, version: 2, schema: 'redline.todo' }, null, 4);
    expect(decode(todoV2, reordered, sha256)).toEqual({ ok: true, value });
  });

  it('refuses to encode a value that does not match the schema', () => {
    expect(() => encode(todoV2, { items: [{ name: 1 }] } as unknown as V2, sha256)).toThrow();
  });

  const good = encode(todoV2, value, sha256);
  it.each([
    ['empty', '', 'not-json', /empty/],
    ['truncated', good.slice(0, good.length / 2), 'not-json', /not valid JSON/],
    ['random bytes', '\u0000\u00ff\u00fe\u0007garbage\u0003', 'not-json', /not valid JSON/],
    ['JSON of the wrong shape', '{"hello":"world"}', 'wrong-shape', /not a Redline state file/],
    ['a JSON array', '[1,2,3]', 'wrong-shape', /not a Redline state file/],
    ['an envelope without payload', envelopeText({ schema: 'redline.todo', version: 2, checksum: 'x' }), 'wrong-shape', /not a Redline/],
    ['another document', encode({ ...todoV2, kind: 'other' }, value, sha256), 'wrong-shape', /redline\.other/],
    ['an edited payload', good.replace('write test', 'edited'), 'bad-checksum', /checksum/],
  ] as const)('detects %s', (_name, text, reason, detail) => {
    const decoded = decode(todoV2, text, sha256);
    expect(decoded).toMatchObject({ ok: false, reason });
    if (!decoded.ok) expect(decoded.detail).toMatch(detail);
  });

  it('detects a payload that has a valid checksum but the wrong shape', () => {
    const payload = { items: 'not a list' };
    const text = envelopeText({ schema: 'redline.todo', version: 2, checksum: sha256(canonicalJson(payload)), payload });
    const decoded = decode(todoV2, text, sha256);
    expect(decoded).toMatchObject({ ok: false, reason: 'wrong-shape' });
    if (!decoded.ok) expect(decoded.detail).toMatch(/at items/);
  });

  it('refuses a newer version', () => {
    const payload = { items: [] };
    const text = envelopeText({ schema: 'redline.todo', version: 3, checksum: sha256(canonicalJson(payload)), payload });
    expect(decode(todoV2, text, sha256)).toMatchObject({ ok: false, reason: 'newer-version', detail: expect.stringMatching(/version 3.*up to 2/) });
  });

  it('migrates an older version and says from which', () => {
    const payload = { names: ['a', 'b'] };
    const text = envelopeText({ schema: 'redline.todo', version: 1, checksum: sha256(canonicalJson(payload)), payload });
    expect(decode(todoV2, text, sha256)).toEqual({
      ok: true,
      value: { items: [{ name: 'a', done: false }, { name: 'b', done: false }] },
      migratedFrom: 1,
    });
  });

  it('reports a missing or failing migration as wrong-shape', () => {
    const noPath = { ...todoV2, migrations: {} };
    const payload = { names: ['a'] };
    const text = envelopeText({ schema: 'redline.todo', version: 1, checksum: sha256(canonicalJson(payload)), payload });
    expect(decode(noPath, text, sha256)).toMatchObject({ ok: false, reason: 'wrong-shape', detail: 'no migration from version 1' });
    const badOld = { names: 'x' };
    const badText = envelopeText({ schema: 'redline.todo', version: 1, checksum: sha256(canonicalJson(badOld)), payload: badOld });
    expect(decode(todoV2, badText, sha256)).toMatchObject({ ok: false, reason: 'wrong-shape', detail: expect.stringMatching(/migration from version 1 failed/) });
  });
});
