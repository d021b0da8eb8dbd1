import { describe, expect, it } from 'vitest';
import { formatAgo, formatClock, formatDateTime, formatRunOffset } from '../../../src/core/views/time-text';

describe('time texts', () => {
  const now = Date.UTC(2025, 0, 10, 12, 0, 0);

  it('formatAgo reads like a person would say it', () => {
    expect(formatAgo(now, now)).toBe('just now');
    expect(formatAgo(now + 60_000, now)).toBe('just now');
    expect(formatAgo(now - 42_000, now)).toBe('42 s ago');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
    expect(formatAgo(Number.NaN, now)).toBe('just now');
  });

  it('formatDateTime and formatClock use the local time zone, zero-padded', () => {
    const at = new Date(2025, 2, 4, 5, 6, 7).getTime();
    expect(formatDateTime(at)).toBe('2025-03-04 05:06');
    expect(formatClock(at)).toBe('05:06:07');
    expect(formatDateTime(Number.NaN)).toBe('—');
  });

  it('formatRunOffset counts from the start of a run', () => {
    expect(formatRunOffset(0)).toBe('+0.0 s');
    expect(formatRunOffset(12_345)).toBe('+12.3 s');
    expect(formatRunOffset(125_000)).toBe('+2 m 05 s');
    expect(formatRunOffset(2 * 3_600_000 + 5 * 60_000)).toBe('+2 h 05 m');
    expect(formatRunOffset(-5)).toBe('+0.0 s');
  });
});
