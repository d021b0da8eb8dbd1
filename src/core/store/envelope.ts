// Every file the store writes is an envelope: which document it is, its schema version, a checksum
// of the payload, and the payload. Reading checks all four and says precisely what was wrong, so
// the store can quarantine the file and the user can be told why.
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { errorText } from './fs';

/** Hex sha256 of a UTF-8 string; node:crypto lives outside core, so it is passed in. */
export type Hash = (data: string) => string;

export interface DocumentSpec<T> {
  /** The file name (`<kind>.json`) and the envelope's `schema` (`redline.<kind>`). */
  readonly kind: string;
  /** The version this build writes; older ones are migrated on read, newer ones refused. */
  readonly version: number;
  readonly schema: z.ZodType<T>;
  /**
   * `migrations[n]` turns a version-n payload into a version n+1 payload. A read of version v runs
   * v, v+1, … up to `version - 1`; a missing step makes the file unreadable (wrong-shape).
   */
  readonly migrations?: Readonly<Record<number, (payload: unknown) => unknown>>;
  /** The value of a document that does not exist yet. */
  readonly empty: () => T;
  /** What a soft reset does with it: phases are kept, cache and run history cleared. */
  readonly softReset: 'keep' | 'clear';
  /**
   * For `update`: whether `next`, made from the valid `previous`, is valid — checking only what
   * differs (a document of many records of which an update changes a few, sharing the rest).
   * False, or absent, and the whole value is validated as on any save.
   */
  validChange?(previous: T, next: T): boolean;
}

export type DecodeFailure =
  | 'missing'
  | 'unreadable'
  | 'not-json'
  | 'wrong-shape'
  | 'bad-checksum'
  | 'newer-version'
  | 'is-directory';

export type Decoded<T> =
  | { readonly ok: true; readonly value: T; /** Set when the file had an older version. */ readonly migratedFrom?: number }
  | { readonly ok: false; readonly reason: DecodeFailure; /** One sentence for a person. */ readonly detail: string };

const EnvelopeSchema = z.object({
  schema: z.string(),
  version: z.number().int().positive(),
  checksum: z.string(),
  payload: z.unknown(),
});

export function schemaName(spec: DocumentSpec<unknown>): string {
  return `redline.${spec.kind}`;
}

/**
 * The file text for `value`. Throws when `value` does not match the spec's schema: that is a bug
 * in the caller, and writing it would only make the next read fail. `validated`: the caller has
 * just parsed `value` with the spec's schema (the store's save), so it is not parsed again.
 *
 * The payload is written as its canonical JSON, the very text the checksum covers: a reader can
 * check the checksum against the bytes as they are (see `decode`), and the file is still what
 * `JSON.stringify` of the envelope would give, keys in canonical order.
 */
export function encode<T>(spec: DocumentSpec<T>, value: T, hash: Hash, options: { readonly validated?: boolean } = {}): string {
  const payload = options.validated ? value : spec.schema.parse(value);
  const text = canonicalJson(payload);
  return `${envelopePrefix(schemaName(spec), spec.version, hash(text))}${text}}\n`;
}

/** Everything before the payload, as `encode` writes it. */
function envelopePrefix(schema: string, version: number, checksum: string): string {
  return `{"schema":${JSON.stringify(schema)},"version":${version},"checksum":${JSON.stringify(checksum)},"payload":`;
}

/**
 * Whether the checksum covers the payload. A file as `encode` wrote it holds the canonical text
 * itself, checked as it is; any other layout (an older writer's key order, a file reformatted by
 * hand) is checked against the canonical JSON of the parsed payload. Both say the same of the
 * same data: the fast path only skips building a text the file already holds.
 */
function checksumMatches(text: string, schema: string, version: number, checksum: string, payload: unknown, hash: Hash): boolean {
  const prefix = envelopePrefix(schema, version, checksum);
  if (text.startsWith(prefix)) {
    let end = text.length;
    while (end > prefix.length && /\s/.test(text[end - 1]!)) end--;
    if (text[end - 1] === '}' && hash(text.slice(prefix.length, end - 1)) === checksum) return true;
  }
  return hash(canonicalJson(payload)) === checksum;
}

export function decode<T>(spec: DocumentSpec<T>, text: string, hash: Hash): Decoded<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the content, which may be binary garbage.
    const detail = text.trim() === '' ? 'the file is empty' : `it is not valid JSON (${text.length} characters)`;
    return { ok: false, reason: 'not-json', detail };
  }
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success || !(typeof json === 'object' && json !== null && 'payload' in json)) {
    return { ok: false, reason: 'wrong-shape', detail: 'it is JSON, but not a Redline state file' };
  }
  const { schema, version, checksum, payload } = envelope.data;
  if (schema !== schemaName(spec)) {
    return { ok: false, reason: 'wrong-shape', detail: `it holds "${schema}", not "${schemaName(spec)}"` };
  }
  if (!checksumMatches(text, schema, version, checksum, payload, hash)) {
    return { ok: false, reason: 'bad-checksum', detail: 'its checksum does not match its content' };
  }
  if (version > spec.version) {
    return {
      ok: false,
      reason: 'newer-version',
      detail: `it was written by a newer Redline (version ${version}; this one reads up to ${spec.version})`,
    };
  }
  let current = payload;
  for (let from = version; from < spec.version; from++) {
    const migrate = spec.migrations?.[from];
    if (!migrate) return { ok: false, reason: 'wrong-shape', detail: `no migration from version ${from}` };
    try {
      current = migrate(current);
    } catch (error) {
      return { ok: false, reason: 'wrong-shape', detail: `the migration from version ${from} failed: ${errorText(error)}` };
    }
  }
  const parsed = spec.schema.safeParse(current);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, reason: 'wrong-shape', detail: `its content does not match the schema${where}: ${issue?.message ?? 'invalid'}` };
  }
  return version < spec.version ? { ok: true, value: parsed.data, migratedFrom: version } : { ok: true, value: parsed.data };
}
