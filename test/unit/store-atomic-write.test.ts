import { describe, expect, it } from 'vitest';
import { atomicWrite } from '../../src/core/store/atomic-write';
import { MemoryFs, SimulatedCrash } from './helpers/memory-fs';

const PATH = '/ws/.redline/phases.json';

function setup(): MemoryFs {
  const fs = new MemoryFs();
  fs.putFile(PATH, 'old');
  return fs;
}

describe('atomicWrite', () => {
  it('writes a durable temp file in the same directory, renames it over the target, then syncs the directory', async () => {
    const fs = setup();
    await atomicWrite(fs, PATH, 'new', 'tag1');
    expect(fs.peek(PATH)).toBe('new');
    expect(fs.calls).toEqual([
      'writeFile /ws/.redline/.phases.json.tag1.tmp durable',
      'rename /ws/.redline/.phases.json.tag1.tmp -> /ws/.redline/phases.json',
      'syncDir /ws/.redline',
    ]);
    expect(fs.tree('/ws/.redline')).toEqual(['phases.json']);
  });

  it('leaves the target intact and removes the partial temp file when the disk is full', async () => {
    const fs = setup();
    fs.diskFull();
    await expect(atomicWrite(fs, PATH, 'new content', 't')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.peek(PATH)).toBe('old');
    expect(fs.tree('/ws/.redline')).toEqual(['phases.json']);
  });

  it('leaves the target intact when the rename fails', async () => {
    const fs = setup();
    fs.fail('rename', 'EPERM');
    await expect(atomicWrite(fs, PATH, 'new', 't')).rejects.toMatchObject({ code: 'EPERM' });
    expect(fs.peek(PATH)).toBe('old');
    expect(fs.tree('/ws/.redline')).toEqual(['phases.json']);
  });

  it('a crash between the temp write and the rename leaves the old content and only a stray temp file', async () => {
    const fs = setup();
    fs.crashBefore('rename');
    await expect(atomicWrite(fs, PATH, 'new', 't')).rejects.toBeInstanceOf(SimulatedCrash);
    fs.revive();
    expect(fs.peek(PATH)).toBe('old');
    expect(fs.tree('/ws/.redline')).toEqual(['.phases.json.t.tmp', 'phases.json']);
  });

  it('a crash after the rename leaves the new content', async () => {
    const fs = setup();
    fs.crashBefore('syncDir');
    await expect(atomicWrite(fs, PATH, 'new', 't')).rejects.toBeInstanceOf(SimulatedCrash);
    fs.revive();
    expect(fs.peek(PATH)).toBe('new');
  });
});
