// Path helpers for the store without node:path, so core stays free of Node imports. The store
// builds every path from its own `dir` and fixed names, so joining with '/' is enough on every OS.

export function joinPath(dir: string, ...names: string[]): string {
  const base = dir.endsWith('/') || dir.endsWith('\\') ? dir.slice(0, -1) : dir;
  return [base, ...names].join('/');
}

/** Split at the last '/' or '\\' (a Windows `dir` may come with backslashes). */
export function splitPath(path: string): { dir: string; name: string } {
  const at = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return at < 0 ? { dir: '.', name: path } : { dir: path.slice(0, at) || '/', name: path.slice(at + 1) };
}
