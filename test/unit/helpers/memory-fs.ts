// An in-memory Fs for the store's unit tests, with the faults a real disk has: a full disk
// (ENOSPC part-way through a write), unreadable files (EACCES), a directory where a file should
// be, any error code on any operation, and a process crash at a chosen operation — after which
// every call fails until `revive()`, as if the process had been SIGKILLed and a new one started.
import type { Fs, FsStat, FsWriteOptions } from '../../../src/core/store/fs';

export type FsOp = 'readFile' | 'writeFile' | 'rename' | 'syncDir' | 'mkdir' | 'readdir' | 'stat' | 'rm';

type Node =
  | { kind: 'file'; data: string; mtimeMs: number; unreadable: boolean }
  | { kind: 'dir'; mtimeMs: number };

interface Fault {
  readonly op: FsOp;
  readonly path: string | RegExp | undefined;
  readonly code: string;
  remaining: number;
}

/** Thrown by every call from the moment of a simulated crash until revive(). */
export class SimulatedCrash extends Error {
  constructor(op: FsOp, path: string) {
    super(`simulated crash at ${op} ${path}`);
  }
}

export function fsError(code: string, op: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${op} '${path}'`), { code });
}

export class MemoryFs implements Fs {
  private readonly nodes = new Map<string, Node>([['/', { kind: 'dir', mtimeMs: 0 }]]);
  private faults: Fault[] = [];
  private crashAt: { op: FsOp; path: string | RegExp | undefined; skip: number } | undefined;
  private dead = false;
  /** Every call, in order: "op path" (writeFile adds " durable" / " exclusive"). */
  readonly calls: string[] = [];

  constructor(private readonly now: () => number = () => 0) {}

  // ----- fault injection -----

  /** The next `times` calls of `op` (on a path matching `path`) reject with `code`. */
  fail(op: FsOp, code: string, options: { path?: string | RegExp; times?: number } = {}): void {
    this.faults.push({ op, path: options.path, code, remaining: options.times ?? 1 });
  }

  /** Every write fails with ENOSPC after writing half its data, until `diskFull(false)`. */
  diskFull(full = true): void {
    this.faults = this.faults.filter((f) => !(f.op === 'writeFile' && f.code === 'ENOSPC'));
    if (full) this.fail('writeFile', 'ENOSPC', { times: Infinity });
  }

  /** The process dies at the matching call (after `skip` earlier matches): it does not happen. */
  crashBefore(op: FsOp, options: { path?: string | RegExp; skip?: number } = {}): void {
    this.crashAt = { op, path: options.path, skip: options.skip ?? 0 };
  }

  get crashed(): boolean {
    return this.dead;
  }

  /** A new process starts on the same disk. */
  revive(): void {
    this.dead = false;
    this.crashAt = undefined;
  }

  clearFaults(): void {
    this.faults = [];
    this.crashAt = undefined;
  }

  // ----- direct access for arranging and asserting -----

  putFile(path: string, data: string): void {
    const p = norm(path);
    this.mkdirSync(parent(p));
    this.nodes.set(p, { kind: 'file', data, mtimeMs: this.now(), unreadable: false });
  }

  /** Remove a file or a tree at once, bypassing faults (for arranging a test). */
  remove(path: string): void {
    const p = norm(path);
    for (const key of [...this.nodes.keys()]) if (key === p || key.startsWith(p + '/')) this.nodes.delete(key);
  }

  putDir(path: string): void {
    this.mkdirSync(norm(path));
  }

  /** The file's content, or undefined when there is no file there. */
  peek(path: string): string | undefined {
    const node = this.nodes.get(norm(path));
    return node?.kind === 'file' ? node.data : undefined;
  }

  isDir(path: string): boolean {
    return this.nodes.get(norm(path))?.kind === 'dir';
  }

  exists(path: string): boolean {
    return this.nodes.has(norm(path));
  }

  setUnreadable(path: string, unreadable = true): void {
    const node = this.nodes.get(norm(path));
    if (node?.kind !== 'file') throw new Error(`no file ${path}`);
    node.unreadable = unreadable;
  }

  setMtime(path: string, mtimeMs: number): void {
    const node = this.nodes.get(norm(path));
    if (!node) throw new Error(`nothing at ${path}`);
    node.mtimeMs = mtimeMs;
  }

  /** Every path under `dir` (files and directories), relative to it, sorted. */
  tree(dir: string): string[] {
    const base = norm(dir) + '/';
    return [...this.nodes.keys()].filter((p) => p.startsWith(base)).map((p) => p.slice(base.length)).sort();
  }

  // ----- Fs -----

  async readFile(path: string): Promise<string> {
    const p = this.enter('readFile', path);
    const node = this.nodes.get(p);
    if (!node) throw fsError(this.nodes.get(parent(p))?.kind === 'file' ? 'ENOTDIR' : 'ENOENT', 'open', p);
    if (node.kind === 'dir') throw fsError('EISDIR', 'read', p);
    if (node.unreadable) throw fsError('EACCES', 'open', p);
    return node.data;
  }

  async writeFile(path: string, data: string, options: FsWriteOptions = {}): Promise<void> {
    const p = norm(path);
    this.record('writeFile', p, [options.durable ? 'durable' : '', options.exclusive ? 'exclusive' : ''].filter(Boolean).join(' '));
    this.checkCrash('writeFile', p);
    const fault = this.takeFault('writeFile', p);
    this.requireParentDir(p, 'open');
    const existing = this.nodes.get(p);
    if (existing?.kind === 'dir') throw fsError('EISDIR', 'open', p);
    if (existing && options.exclusive) throw fsError('EEXIST', 'open', p);
    if (fault === 'ENOSPC') {
      // open(O_TRUNC) succeeded, the write ran out of space part-way.
      this.nodes.set(p, { kind: 'file', data: data.slice(0, Math.floor(data.length / 2)), mtimeMs: this.now(), unreadable: false });
      throw fsError('ENOSPC', 'write', p);
    }
    if (fault) throw fsError(fault, 'open', p);
    this.nodes.set(p, { kind: 'file', data, mtimeMs: this.now(), unreadable: false });
  }

  async rename(from: string, to: string): Promise<void> {
    const f = norm(from);
    const t = norm(to);
    this.record('rename', f, `-> ${t}`);
    this.checkCrash('rename', f);
    this.throwFault('rename', f);
    const node = this.nodes.get(f);
    if (!node) throw fsError('ENOENT', 'rename', f);
    this.requireParentDir(t, 'rename');
    const target = this.nodes.get(t);
    if (node.kind === 'file') {
      if (target?.kind === 'dir') throw fsError('EISDIR', 'rename', t);
      this.nodes.delete(f);
      this.nodes.set(t, node);
      return;
    }
    if (target?.kind === 'file') throw fsError('ENOTDIR', 'rename', t);
    if (target && this.children(t).length > 0) throw fsError('ENOTEMPTY', 'rename', t);
    if (t.startsWith(f + '/')) throw fsError('EINVAL', 'rename', t);
    const moved = [...this.nodes.entries()].filter(([p]) => p === f || p.startsWith(f + '/'));
    for (const [p] of moved) this.nodes.delete(p);
    for (const [p, n] of moved) this.nodes.set(t + p.slice(f.length), n);
  }

  async syncDir(path: string): Promise<void> {
    const p = this.enter('syncDir', path);
    const node = this.nodes.get(p);
    if (!node) throw fsError('ENOENT', 'open', p);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'open', p);
  }

  async mkdir(path: string): Promise<void> {
    this.mkdirSync(this.enter('mkdir', path));
  }

  async readdir(path: string): Promise<string[]> {
    const p = this.enter('readdir', path);
    const node = this.nodes.get(p);
    if (!node) throw fsError('ENOENT', 'scandir', p);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', p);
    return this.children(p);
  }

  async stat(path: string): Promise<FsStat> {
    const p = this.enter('stat', path);
    const node = this.nodes.get(p);
    if (!node) throw fsError('ENOENT', 'stat', p);
    return { isDirectory: node.kind === 'dir', size: node.kind === 'file' ? new TextEncoder().encode(node.data).length : 0, mtimeMs: node.mtimeMs };
  }

  async rm(path: string): Promise<void> {
    const p = this.enter('rm', path);
    for (const key of [...this.nodes.keys()]) if (key === p || key.startsWith(p + '/')) this.nodes.delete(key);
  }

  // ----- internals -----

  private enter(op: FsOp, path: string): string {
    const p = norm(path);
    this.record(op, p);
    this.checkCrash(op, p);
    this.throwFault(op, p);
    return p;
  }

  private record(op: FsOp, path: string, extra = ''): void {
    this.calls.push(extra ? `${op} ${path} ${extra}` : `${op} ${path}`);
  }

  private checkCrash(op: FsOp, path: string): void {
    if (this.dead) throw new SimulatedCrash(op, path);
    const at = this.crashAt;
    if (at && at.op === op && matches(at.path, path)) {
      if (at.skip > 0) {
        at.skip--;
        return;
      }
      this.dead = true;
      throw new SimulatedCrash(op, path);
    }
  }

  private takeFault(op: FsOp, path: string): string | undefined {
    const fault = this.faults.find((f) => f.op === op && f.remaining > 0 && matches(f.path, path));
    if (!fault) return undefined;
    fault.remaining--;
    return fault.code;
  }

  private throwFault(op: FsOp, path: string): void {
    const code = this.takeFault(op, path);
    if (code) throw fsError(code, op, path);
  }

  private requireParentDir(path: string, op: string): void {
    const node = this.nodes.get(parent(path));
    if (!node) throw fsError('ENOENT', op, path);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', op, path);
  }

  private mkdirSync(path: string): void {
    if (path === '/') return;
    const node = this.nodes.get(path);
    if (node?.kind === 'dir') return;
    if (node) throw fsError('EEXIST', 'mkdir', path);
    this.mkdirSync(parent(path));
    this.nodes.set(path, { kind: 'dir', mtimeMs: this.now() });
  }

  private children(dir: string): string[] {
    const base = dir === '/' ? '/' : dir + '/';
    return [...this.nodes.keys()]
      .filter((p) => p !== dir && p.startsWith(base) && !p.slice(base.length).includes('/'))
      .map((p) => p.slice(base.length))
      .sort();
  }
}

function norm(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return '/' + parts.join('/');
}

function parent(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? norm(pattern) === path : pattern.test(path);
}
