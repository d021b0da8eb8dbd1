// Reading what git prints about changed files, for `redline run --changed` and `redline gate`.
// Pure: the CLI runs git (always with -z, so no path is ever quoted or split at a space) and
// hands the text over.

/**
 * `git diff --name-status -z` output → the paths it names, relative to the repository's top.
 *
 * A rename names both paths: the new one (a file that now exists, with its own tests) and the
 * old one, whose importers now import something that is gone — they are affected too. A copy
 * leaves its source untouched, so only the new path counts.
 */
export function parseNameStatusZ(output: string): string[] {
  const fields = output.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const status = fields[i]!;
    if (status === '') continue;
    const kind = status[0];
    if (kind === 'R' || kind === 'C') {
      const from = fields[++i] ?? '';
      const to = fields[++i] ?? '';
      if (kind === 'R' && from !== '') paths.push(from);
      if (to !== '') paths.push(to);
    } else {
      const path = fields[++i] ?? '';
      if (path !== '') paths.push(path);
    }
  }
  return unique(paths);
}

/** `git ls-files -z` (and the like) output → the paths. */
export function parseZList(output: string): string[] {
  return unique(output.split('\0').filter((p) => p !== ''));
}

/** One list, each path once, in a stable order (for messages and tests). */
export function unionPaths(...lists: readonly (readonly string[])[]): string[] {
  return unique(lists.flat()).sort();
}

function unique(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}
