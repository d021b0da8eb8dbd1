import { describe, expect, it } from 'vitest';
import { chooseFocus, focusLabel, titleWithFolder } from '../../../src/core/views/focus';

const roots = ['/ws/api', '/ws/web', '/ws/lib'];

describe('chooseFocus', () => {
  it('follows nothing when no folder uses Vitest', () => {
    expect(chooseFocus({ roots: [], current: undefined, editorRoot: undefined })).toBeUndefined();
    expect(chooseFocus({ roots: [], current: '/ws/api', editorRoot: '/ws/api', startedRoot: '/ws/api' })).toBeUndefined();
  });

  it('starts on the first folder', () => {
    expect(chooseFocus({ roots, current: undefined, editorRoot: undefined })).toBe('/ws/api');
  });

  it("follows the active editor's folder", () => {
    expect(chooseFocus({ roots, current: '/ws/api', editorRoot: '/ws/web' })).toBe('/ws/web');
  });

  it('keeps the current folder when the editor is in none of them (or there is no editor)', () => {
    expect(chooseFocus({ roots, current: '/ws/lib', editorRoot: undefined })).toBe('/ws/lib');
    expect(chooseFocus({ roots, current: '/ws/lib', editorRoot: '/elsewhere' })).toBe('/ws/lib');
  });

  it('moves to a folder whose run started when the editor is in no folder', () => {
    expect(chooseFocus({ roots, current: '/ws/api', editorRoot: undefined, startedRoot: '/ws/lib' })).toBe('/ws/lib');
  });

  it('keeps the editor’s folder when a run starts in another', () => {
    expect(chooseFocus({ roots, current: '/ws/web', editorRoot: '/ws/web', startedRoot: '/ws/lib' })).toBe('/ws/web');
  });

  it('falls back to the first folder when the current one was removed', () => {
    expect(chooseFocus({ roots: ['/ws/web', '/ws/lib'], current: '/ws/api', editorRoot: undefined })).toBe('/ws/web');
  });

  it('ignores a started folder that is not (or no longer) a session', () => {
    expect(chooseFocus({ roots, current: '/ws/web', editorRoot: undefined, startedRoot: '/ws/gone' })).toBe('/ws/web');
  });

  it('is the only folder of a single-folder workspace whatever happens', () => {
    const one = ['/ws/api'];
    expect(chooseFocus({ roots: one, current: '/ws/api', editorRoot: undefined })).toBe('/ws/api');
    expect(chooseFocus({ roots: one, current: undefined, editorRoot: '/elsewhere', startedRoot: '/elsewhere' })).toBe('/ws/api');
  });
});

describe('focusLabel', () => {
  it('names the folder only when there is more than one', () => {
    expect(focusLabel('api', 1)).toBeUndefined();
    expect(focusLabel('api', 2)).toBe('api');
  });
});

describe('titleWithFolder', () => {
  it('adds the folder name only when there is one', () => {
    expect(titleWithFolder('Redline Memory', undefined)).toBe('Redline Memory');
    expect(titleWithFolder('Redline Memory', 'api')).toBe('Redline Memory — api');
  });
});
