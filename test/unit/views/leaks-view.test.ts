import { describe, expect, it } from 'vitest';
import { leakCards, sparklinePath } from '../../../src/core/views/leaks-view';
import type { Leak } from '../../../src/protocol/report';

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

  it('clamps a fit outside 0..1', () => {
    expect(leakCards([leak('a.test.ts', 1, { fit: 1.2 })])[0]!.fitText).toBe('1.00');
    expect(leakCards([leak('a.test.ts', 1, { fit: Number.NaN })])[0]!.fitText).toBe('0.00');
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
