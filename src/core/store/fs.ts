// The file system the store works through. Core never touches node:fs: the runner and the CLI pass
// an adapter over node:fs/promises, the unit tests an in-memory one that injects faults. Every
// method is a thin, obvious mapping onto node:fs, noted beside it. Paths are strings as the OS
// takes them; the store joins them with '/', which Windows accepts too.
//
// Errors: reject with an Error carrying the Node `code` (ENOENT, EEXIST, EISDIR, ENOTDIR, EACCES,
// EPERM, ENOSPC, EIO…) exactly as node:fs does — the store decides what each one means.

export interface FsStat {
  readonly isDirectory: boolean;
  /** Bytes. */
  readonly size: number;
  /** Last modification, epoch milliseconds (same clock as `Clock.now`). */
  readonly mtimeMs: number;
}

export interface FsWriteOptions {
  /** Fail with EEXIST when the path exists (open flag 'wx': O_CREAT | O_EXCL). For lock files. */
  readonly exclusive?: boolean;
  /** fsync the file before resolving (FileHandle.sync() before close): the data is on disk. */
  readonly durable?: boolean;
}

export interface Fs {
  /** The whole file as UTF-8 (fs.readFile(path, 'utf8')). ENOENT, EISDIR, EACCES as node:fs. */
  readFile(path: string): Promise<string>;
  /**
   * Create or truncate `path` and write `data` as UTF-8 (fs.open(path, exclusive ? 'wx' : 'w'),
   * handle.writeFile, durable ? handle.sync() : nothing, handle.close — close also on failure).
   * The parent directory must exist (ENOENT otherwise). A failure part-way (ENOSPC) may leave a
   * partial file: the store only ever writes this way to temp files.
   */
  writeFile(path: string, data: string, options?: FsWriteOptions): Promise<void>;
  /**
   * Atomic rename (fs.rename): replaces `to` when it is a file, or an empty directory. Windows:
   * fs.rename replaces files too, but may fail with EPERM/EBUSY while another process has `to`
   * open — an adapter may retry briefly, as graceful-fs does.
   */
  rename(from: string, to: string): Promise<void>;
  /**
   * fsync a directory so that a rename or create in it survives a power cut (open the directory
   * read-only, handle.sync(), close). Resolve without doing anything where the OS does not
   * support it (Windows: EPERM/EISDIR/EINVAL on opening a directory).
   */
  syncDir(path: string): Promise<void>;
  /** mkdir -p (fs.mkdir(path, { recursive: true })): no error when it exists. */
  mkdir(path: string): Promise<void>;
  /** Entry names, not paths (fs.readdir(path)). ENOENT when absent, ENOTDIR for a file. */
  readdir(path: string): Promise<string[]>;
  /** fs.stat. ENOENT when absent. */
  stat(path: string): Promise<FsStat>;
  /** rm -rf (fs.rm(path, { recursive: true, force: true })): a file or a tree; none is fine. */
  rm(path: string): Promise<void>;
}

/** The Node error code of a rejected Fs call (ENOENT…), or undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
