import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../../src/core/format';

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [1.5 * KB, '1.5 KB'],
    [12.3 * MB, '12.3 MB'],
    [1.02 * GB, '1.02 GB'],
    [GB, '1.00 GB'],
    [2 * 1024 * GB, '2.00 TB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('uses binary units, as the memory limit does', () => {
    expect(formatBytes(1000)).toBe('1000 B');
    expect(formatBytes(4096 * MB)).toBe('4.00 GB');
  });

  it('moves to the next unit when rounding reaches 1024', () => {
    expect(formatBytes(1023.96 * KB)).toBe('1.0 MB');
    expect(formatBytes(1023.97 * MB)).toBe('1.00 GB');
  });

  it('keeps the sign of a negative figure (a shrinking heap)', () => {
    expect(formatBytes(-1.5 * KB)).toBe('-1.5 KB');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [12.4, '12 ms'],
    [1000, '1.0 s'],
    [1200, '1.2 s'],
    [59_900, '59.9 s'],
    [60_000, '1 m 00 s'],
    [125_000, '2 m 05 s'],
    [3_599_000, '59 m 59 s'],
    [3_720_000, '1 h 02 m'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('decides the unit after rounding', () => {
    expect(formatDuration(999.6)).toBe('1.0 s');
    expect(formatDuration(59_960)).toBe('1 m 00 s');
    expect(formatDuration(119_600)).toBe('2 m 00 s');
  });

  it('reads negative and non-finite input as 0 ms', () => {
    expect(formatDuration(-5)).toBe('0 ms');
    expect(formatDuration(Number.NaN)).toBe('0 ms');
  });
});
