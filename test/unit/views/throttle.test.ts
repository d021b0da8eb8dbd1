import { describe, expect, it } from 'vitest';
import { UpdateThrottle, type ThrottleTimers } from '../../../src/core/views/throttle';

/** A fake clock: timers fire when `advance` passes their time. */
function fakeTimers() {
  let now = 1_000;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const api: ThrottleTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return { api, advance, pending: () => timers.size };
}

describe('UpdateThrottle', () => {
  it('delivers the first request at once', () => {
    const clock = fakeTimers();
    let delivered = 0;
    const throttle = new UpdateThrottle(() => delivered++, clock.api, 50);
    throttle.request();
    expect(delivered).toBe(1);
  });

  it('collapses a burst into one trailing update at the end of the interval', () => {
    const clock = fakeTimers();
    const at: number[] = [];
    const throttle = new UpdateThrottle(() => at.push(clock.api.now()), clock.api, 50);
    throttle.request();
    for (let i = 0; i < 10; i++) {
      clock.advance(3);
      throttle.request();
    }
    expect(at).toEqual([1_000]);
    clock.advance(50);
    expect(at).toEqual([1_000, 1_050]);
    expect(clock.pending()).toBe(0);
  });

  it('never delivers more than 1000 / interval updates a second, however fast requests come, and ends on the last', () => {
    const clock = fakeTimers();
    const at: number[] = [];
    const throttle = new UpdateThrottle(() => at.push(clock.api.now()), clock.api, 50);
    // 1,000 requests a second for two seconds.
    for (let ms = 0; ms < 2_000; ms++) {
      throttle.request();
      clock.advance(1);
    }
    const lastRequest = clock.api.now() - 1;
    clock.advance(100);
    expect(at.length).toBeLessThanOrEqual(41);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(50);
    // The trailing update comes after the last request: the page ends on the newest state.
    expect(at.at(-1)!).toBeGreaterThanOrEqual(lastRequest);
  });

  it('delivers a request after a quiet spell without waiting', () => {
    const clock = fakeTimers();
    let delivered = 0;
    const throttle = new UpdateThrottle(() => delivered++, clock.api, 50);
    throttle.request();
    clock.advance(500);
    throttle.request();
    expect(delivered).toBe(2);
  });

  it('flush delivers a pending update now; dispose drops it', () => {
    const clock = fakeTimers();
    let delivered = 0;
    const throttle = new UpdateThrottle(() => delivered++, clock.api, 50);
    throttle.request();
    throttle.request();
    expect(throttle.pending).toBe(true);
    throttle.flush();
    expect(delivered).toBe(2);
    expect(throttle.pending).toBe(false);
    clock.advance(10);
    throttle.request();
    throttle.dispose();
    clock.advance(100);
    throttle.request();
    expect(delivered).toBe(2);
    expect(clock.pending()).toBe(0);
  });
});
