// What tdd.approveOnCommit needs from git: HEAD, the files changed against it, and which files are
// tracked. Every call has a timeout; no git, no repository, or a git that hangs (a lock, a slow
// network file system) all read as "no git" — approval on commit then does nothing, silently.
import { execFile } from 'node:child_process';
import type { GitSnapshot } from '../../core/approve-on-commit';

const TIMEOUT_MS = 3000;

function git(root: string, args: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', root, ...args],
      {
        timeout: TIMEOUT_MS,
        maxBuffer: 32 * 1024 * 1024,
        windowsHide: true,
        // Paths are passed as they are, never as globs; no pager, no prompt for credentials.
        env: { ...process.env, GIT_LITERAL_PATHSPECS: '1', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
        encoding: 'utf8',
      },
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
}

/** HEAD alone (recorded with every run); null outside a repository or before the first commit. */
export async function gitHead(root: string): Promise<string | null> {
  const out = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  const head = out?.trim() ?? '';
  return /^[0-9a-f]{40,64}$/.test(head) ? head : null;
}

/** HEAD and the changed files, relative to `root`; null when git cannot say. */
export async function gitSnapshot(root: string): Promise<GitSnapshot | null> {
  const [head, prefixOut, status] = await Promise.all([
    gitHead(root),
    git(root, ['rev-parse', '--show-prefix']),
    // -z: paths as they are, no quoting; porcelain v1 paths are relative to the repository's top.
    git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.']),
  ]);
  if (prefixOut === null || status === null) return null;
  const prefix = prefixOut.trim();
  const dirty = new Set<string>();
  const entries = status.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    addRelative(dirty, entry.slice(3), prefix);
    // A rename or copy is followed by its source path: both count as changed.
    if (code.includes('R') || code.includes('C')) addRelative(dirty, entries[++i] ?? '', prefix);
  }
  return { head, dirty };
}

/** Which of `files` (relative to root) git tracks. Empty when git cannot say. */
export async function gitTracked(root: string, files: readonly string[]): Promise<Set<string>> {
  const tracked = new Set<string>();
  // In chunks, to stay below the command-line limit (about 32 kB on Windows).
  for (let i = 0; i < files.length; i += 200) {
    const out = await git(root, ['ls-files', '-z', '--', ...files.slice(i, i + 200)]);
    for (const path of (out ?? '').split('\0')) if (path !== '') tracked.add(path);
  }
  return tracked;
}

function addRelative(into: Set<string>, fromTop: string, prefix: string): void {
  if (fromTop === '' || !fromTop.startsWith(prefix)) return;
  into.add(fromTop.slice(prefix.length));
}
