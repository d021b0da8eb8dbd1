// What `redline approve` takes: a test file, or one test or describe block in it —
// `FILE > describe > test` as Vitest prints a full name, or `FILE::full name` when a name itself
// holds " > ". The file may be given relative to the root or to the current directory.
import { isAbsolute, relative, resolve } from 'node:path';
import { NAME_SEPARATOR } from '../core/phases';

export interface ApproveTarget {
  /** As the user typed it, for messages. */
  readonly text: string;
  /** Relative to the root, '/' separators: the phase tree's key. */
  readonly file: string;
  /** A test's full name or a describe block's; absent for the whole file. */
  readonly fullName?: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Splits a target into its file and its name; the file is not resolved yet. */
export function parseTarget(text: string): Parsed<{ readonly file: string; readonly fullName?: string }> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'an empty target: pass a test file, "FILE > describe > test" or "FILE::full name".' };
  // Searched in the text as typed: " > adds" and "a.test.ts > " are a separator with a part missing.
  const colons = text.indexOf('::');
  const arrow = text.indexOf(NAME_SEPARATOR);
  // Whichever separator comes first splits: "a.test.ts::x > y" names the test "x > y".
  const at = colons >= 0 && (arrow < 0 || colons < arrow) ? { index: colons, length: 2 } : arrow >= 0 ? { index: arrow, length: NAME_SEPARATOR.length } : null;
  if (!at) return { ok: true, value: { file: trimmed } };
  const file = text.slice(0, at.index).trim();
  const fullName = text.slice(at.index + at.length).trim();
  if (file === '') return { ok: false, message: `"${text}": no file before the test name. Write "FILE > describe > test".` };
  if (fullName === '') return { ok: false, message: `"${text}": no test name after the file. Write "FILE > describe > test", or the file alone.` };
  return { ok: true, value: { file, fullName } };
}

export interface ResolveContext {
  readonly root: string;
  readonly cwd: string;
  /** Files of the phase tree (relative to the root, '/' separators). */
  readonly known: ReadonlySet<string>;
  readonly exists: (absolutePath: string) => boolean;
}

/**
 * The file relative to the root. A relative path is tried against the current directory first
 * (what a shell's completion gives) and then the root (what `redline phases` prints); one the
 * phase tree knows wins, then one that exists. A file that is neither is returned as given from
 * the root, so the phase machine can refuse it with its own reason.
 */
export function resolveTargetFile(file: string, ctx: ResolveContext): Parsed<string> {
  const fromRoot = (abs: string): string | null => {
    const rel = relative(ctx.root, abs).split('\\').join('/');
    return rel === '' || rel.startsWith('../') || rel === '..' || isAbsolute(rel) ? null : rel;
  };
  const candidates = isAbsolute(file) ? [resolve(file)] : [resolve(ctx.cwd, file), resolve(ctx.root, file)];
  const inside = candidates.map((abs) => ({ abs, rel: fromRoot(abs) })).filter((c): c is { abs: string; rel: string } => c.rel !== null);
  if (inside.length === 0) return { ok: false, message: `${file}: not inside the root ${ctx.root}. Pass a test file of this project, or --root.` };
  const chosen = inside.find((c) => ctx.known.has(c.rel)) ?? inside.find((c) => ctx.exists(c.abs)) ?? inside[inside.length - 1]!;
  return { ok: true, value: chosen.rel };
}

export function resolveTarget(text: string, ctx: ResolveContext): Parsed<ApproveTarget> {
  const parsed = parseTarget(text);
  if (!parsed.ok) return parsed;
  const file = resolveTargetFile(parsed.value.file, ctx);
  if (!file.ok) return file;
  return { ok: true, value: { text, file: file.value, ...(parsed.value.fullName === undefined ? {} : { fullName: parsed.value.fullName }) } };
}
