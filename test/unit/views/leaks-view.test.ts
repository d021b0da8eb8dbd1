import { describe, expect, it } from 'vitest';
import { leakCards, memoryStops, sparklinePath, stopCards } from '../../../src/core/views/leaks-view';
import type { FileReport, Leak } from '../../../src/protocol/report';
import { PanelStateSchemas } from '../../../src/protocol/webview';

const MB = 1024 * 1024;

const leak = (file: string, totalMb: number, extra: Partial<Leak> = {}): Leak => ({ file, bytesPerTest: 2 * MB, fit: 0.987, totalBytes: totalMb * MB, samples: 20, ...extra });

describe('leakCards', () => {
  it('puts the largest growth first and states every figure', () => {
    const cards = leakCards([leak('small.test.ts', 9), leak('big.test.ts', 38, { series: 'external', hint: 'Buffers kept alive' })]);
    expect(cards.map((c) => c.file)).toEqual(['big.test.ts', 'small.test.ts']);
    expect(cards[0]).toMatchObject({
      perTestText: '+2.0 MB / test',
      totalText: '+38.0 MB',
      fitText: '0.99',
      samples: 20,
      series: 'external',
      seriesText: 'Outside the JS heap (Buffers, typed arrays)',
      hint: 'Buffers kept alive',
      grew: [],
      points: null,
      snapshots: [],
      note: null,
    });
    expect(cards[1]).toMatchObject({ seriesText: null, hint: null });
  });

  it('lists what grew, most bytes first', () => {
    const [card] = leakCards([leak('a.test.ts', 10, { grew: [{ name: 'Small', countDelta: 3, bytesDelta: 1024 }, { name: 'system / JSArrayBufferData', countDelta: 1800, bytesDelta: 18 * MB }] })]);
    expect(card!.grew).toEqual([
      { name: 'system / JSArrayBufferData', countText: '+1,800 objects', bytesText: '+18.0 MB' },
      { name: 'Small', countText: '+3 objects', bytesText: '+1.0 KB' },
    ]);
  });

  it('names the two snapshots early and late', () => {
    const [card] = leakCards([leak('a.test.ts', 10, { snapshots: ['/w/.redline/snapshots/a-1.heapsnapshot', 'C:\\w\\.redline\\snapshots\\a-2.heapsnapshot'] })]);
    expect(card!.snapshots).toEqual([
      { label: 'Early snapshot', path: '/w/.redline/snapshots/a-1.heapsnapshot', name: 'a-1.heapsnapshot' },
      { label: 'Late snapshot', path: 'C:\\w\\.redline\\snapshots\\a-2.heapsnapshot', name: 'a-2.heapsnapshot' },
    ]);
  });

  it('keeps the post-GC series for the sparkline, with its range as text', () => {
    const [card] = leakCards([leak('a.test.ts', 10, { points: [10 * MB, 12 * MB, 14 * MB] })]);
    expect(card!.points).toEqual([10 * MB, 12 * MB, 14 * MB]);
    expect(card!.pointsRangeText).toBe('10.0 MB → 14.0 MB after garbage collection, over 3 tests');
    expect(leakCards([leak('b.test.ts', 1, { points: [1] })])[0]!.points).toBeNull();
  });

  it('says why a leak has no snapshots to compare', () => {
    const [card] = leakCards([leak('a.test.ts', 10, { snapshotNote: 'no late heap snapshot: …' })]);
    expect(card!.note).toBe('no late heap snapshot: …');
  });

  it('clamps a fit outside 0..1', () => {
    expect(leakCards([leak('a.test.ts', 1, { fit: 1.2 })])[0]!.fitText).toBe('1.00');
    expect(leakCards([leak('a.test.ts', 1, { fit: Number.NaN })])[0]!.fitText).toBe('0.00');
  });
});

const file = (path: string, stopped?: FileReport['stopped'], extra: Partial<FileReport> = {}): FileReport => ({
  path, state: stopped ? 'stopped' : 'passed', cached: false, durationMs: 10, peakRssBytes: 0, tests: [], ...(stopped ? { stopped } : {}), ...extra,
});
const SNAPS = ['/w/.redline/snapshots/7-hog.test.ts-guard1.heapsnapshot', '/w/.redline/snapshots/7-hog.test.ts-guard2.heapsnapshot'];

describe('memoryStops', () => {
  it('keeps the memory stops with snapshots or what grew, in the report order', () => {
    const files = [
      file('ok.test.ts'),
      file('slow.test.ts', { reason: 'timeout', rssBytes: MB, atMs: 5 }),
      file('bare.test.ts', { reason: 'memory', rssBytes: 400 * MB, atMs: 5 }),
      file('noted.test.ts', { reason: 'memory', rssBytes: 400 * MB, atMs: 5, snapshotNote: 'no heap snapshot: the worker was stopped before one was due' }),
      file('hog.test.ts', { reason: 'memory', rssBytes: 420 * MB, atMs: 5, snapshots: SNAPS }, { project: 'web' }),
      file('one.test.ts', { reason: 'memory', rssBytes: 420 * MB, atMs: 5, snapshots: [SNAPS[0]!], snapshotNote: 'one heap snapshot only: nothing to compare it with' }),
    ];
    expect(memoryStops(files).map((s) => [s.file, s.project])).toEqual([['hog.test.ts', 'web'], ['one.test.ts', undefined]]);
  });
});

describe('stopCards', () => {
  const stopped = { reason: 'memory' as const, test: 'hoards', rssBytes: 420 * MB, atMs: 1200, snapshots: SNAPS, grew: [{ name: 'HoardedRecord', countDelta: 280, bytesDelta: 11_200 }, { name: 'system / JSArrayBufferData', countDelta: 2800, bytesDelta: 70 * MB }] };

  it('says what the guard stopped the file at and what grew, with its two snapshots to open', () => {
    const [card] = stopCards([{ file: 'hog.test.ts', stopped }]);
    expect(card).toEqual({
      key: 'stop:0::hog.test.ts',
      file: 'hog.test.ts',
      title: 'Stopped at 420.0 MB — what grew',
      test: 'hoards',
      grew: [
        { name: 'system / JSArrayBufferData', countText: '+2,800 objects', bytesText: '+70.0 MB' },
        { name: 'HoardedRecord', countText: '+280 objects', bytesText: '+10.9 KB' },
      ],
      snapshots: [
        { label: 'Early snapshot', path: SNAPS[0], name: '7-hog.test.ts-guard1.heapsnapshot' },
        { label: 'Late snapshot', path: SNAPS[1], name: '7-hog.test.ts-guard2.heapsnapshot' },
      ],
      note: null,
    });
  });

  it('with one snapshot only: no "what grew", and the note says why', () => {
    const [card] = stopCards([{ file: 'one.test.ts', stopped: { reason: 'memory', rssBytes: 300 * MB, atMs: 1, snapshots: [SNAPS[0]!], snapshotNote: 'one heap snapshot only: nothing to compare it with' } }]);
    expect(card).toMatchObject({ title: 'Stopped at 300.0 MB', test: null, grew: [], note: 'one heap snapshot only: nothing to compare it with' });
    expect(card!.snapshots.map((s) => s.label)).toEqual(['Snapshot 1']);
  });

  it('leaves out stops without snapshots, and the state that carries them validates', () => {
    expect(stopCards([{ file: 'slow.test.ts', stopped: { reason: 'timeout', rssBytes: MB, atMs: 1, snapshots: SNAPS } }])).toEqual([]);
    const state = { leaks: [], enabled: false, heapSnapshot: true, lastRun: null, stops: memoryStops([file('hog.test.ts', stopped)]) };
    expect(PanelStateSchemas.leaks.safeParse(state).success).toBe(true);
    expect(PanelStateSchemas.leaks.safeParse({ ...state, stops: [{ file: 'hog.test.ts', stopped: { reason: 'memory' } }] }).success).toBe(false);
    // Absent (a host that does not send them): still a valid state.
    expect(PanelStateSchemas.leaks.safeParse({ leaks: [], enabled: false, heapSnapshot: true, lastRun: null }).success).toBe(true);
  });
});

describe('sparklinePath', () => {
  it('spans the box, lowest point at the bottom, highest at the top', () => {
    expect(sparklinePath([0, 5, 10], 104, 24, 2)).toBe('M2,22L52,12L102,2');
  });

  it('draws a flat series along the bottom, and nothing for fewer than two points', () => {
    expect(sparklinePath([3, 3], 10, 10, 0)).toBe('M0,10L10,10');
    expect(sparklinePath([3], 10, 10)).toBe('');
  });
});
