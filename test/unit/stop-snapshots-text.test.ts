import { describe, expect, it } from 'vitest';
import { displayPath, growthText, stopSnapshotLines } from '../../src/core/stop-snapshots-text';

const MB = 1024 * 1024;

describe('stopSnapshotLines', () => {
  it('lists the top five constructors, the snapshots from the root, and the note', () => {
    const grew = Array.from({ length: 7 }, (_, i) => ({ name: `C${i}`, countDelta: 10 - i, bytesDelta: (10 - i) * MB }));
    const lines = stopSnapshotLines(
      { reason: 'memory', rssBytes: 400 * MB, atMs: 1, grew, snapshots: ['/w/.redline/snapshots/a-guard1.heapsnapshot', '/else/a-guard2.heapsnapshot'], snapshotNote: 'no heap snapshot 2: …' },
      '/w',
    );
    expect(lines).toEqual([
      ...grew.slice(0, 5).map((g) => ({ label: 'grew:', text: growthText(g) })),
      { label: 'heap snapshots:', text: '.redline/snapshots/a-guard1.heapsnapshot, /else/a-guard2.heapsnapshot' },
      { text: 'no heap snapshot 2: …' },
    ]);
    expect(lines[0]!.text).toBe('C0 +10 objects, +10.0 MB');
  });

  it('adds nothing to a stop without snapshots', () => {
    expect(stopSnapshotLines({ reason: 'memory', rssBytes: MB, atMs: 1 }, '/w')).toEqual([]);
  });
});

describe('displayPath', () => {
  it('is relative below the root, with / separators, and absolute elsewhere', () => {
    expect(displayPath('/w/', '/w/.redline/snapshots/x.heapsnapshot')).toBe('.redline/snapshots/x.heapsnapshot');
    expect(displayPath('C:\\w', 'C:\\w\\.redline\\snapshots\\x.heapsnapshot')).toBe('.redline/snapshots/x.heapsnapshot');
    expect(displayPath('/w', '/wx/y.heapsnapshot')).toBe('/wx/y.heapsnapshot');
    expect(displayPath('/w', '/w')).toBe('/w');
  });
});
