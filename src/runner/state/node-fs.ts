// The store's file system (src/core/store/fs.ts) over node:fs/promises. Each method is the plain
// mapping the interface documents; the store decides what each error code means.
import { open, readFile, rename, mkdir, readdir, stat, rm } from 'node:fs/promises';
import type { Fs } from '../../core/store/fs';

const RENAME_RETRY_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);

export const nodeFs: Fs = {
  readFile: (path) => readFile(path, 'utf8'),

  async writeFile(path, data, options = {}) {
    const handle = await open(path, options.exclusive ? 'wx' : 'w');
    try {
      await handle.writeFile(data, 'utf8');
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
  },

  async rename(from, to) {
    // Windows refuses a rename over a file another process has open (an editor, a virus
    // scanner) for a moment; retry briefly, as graceful-fs does.
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(from, to);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (process.platform !== 'win32' || !RENAME_RETRY_CODES.has(code) || attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
  },

  async syncDir(path) {
    if (process.platform === 'win32') return;
    let handle;
    try {
      handle = await open(path, 'r');
      await handle.sync();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM') return;
      throw error;
    } finally {
      await handle?.close();
    }
  },

  async mkdir(path) {
    await mkdir(path, { recursive: true });
  },

  readdir: (path) => readdir(path),

  async stat(path) {
    const s = await stat(path);
    return { isDirectory: s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs };
  },

  rm: (path) => rm(path, { recursive: true, force: true }),
};
