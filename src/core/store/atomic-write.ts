// Write a file so that a reader — or a process starting after a crash or a power cut — sees either
// the old content or the new, never a mix: write a temp file beside the target, fsync it, rename it
// over the target, fsync the directory. The temp file is in the same directory because rename is
// only atomic within one file system.
import type { Fs } from './fs';
import { splitPath, joinPath } from './paths';

/** Temp files start with '.' and end with this, so listings and sweeps can tell them apart. */
export const TEMP_SUFFIX = '.tmp';

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

/**
 * `tag` makes the temp name unique among concurrent writers of the same target (in this process
 * and others), e.g. a time and a counter. Rejects with the Fs error; the target is then untouched
 * and the temp file removed as far as the file system lets us — except when only the final
 * directory fsync fails: the new content is then in place, but may not survive a power cut.
 */
export async function atomicWrite(fs: Fs, path: string, data: string, tag: string): Promise<void> {
  const { dir, name } = splitPath(path);
  const temp = joinPath(dir, `.${name}.${tag}${TEMP_SUFFIX}`);
  try {
    await fs.writeFile(temp, data, { durable: true });
    await fs.rename(temp, path);
  } catch (error) {
    // Best effort: on a full disk the unlink itself may fail; a leftover temp file is harmless.
    await fs.rm(temp).catch(() => undefined);
    throw error;
  }
  await fs.syncDir(dir);
}
