// A LEAKING file. A module-level "session cache" keeps every session a test opens and nothing ever
// evicts it, so each test leaves ~2 MB more resident data behind (Buffers: memory outside the JS
// heap). Every test passes — the leak is only visible in Redline's post-GC figures per test, which
// climb in a straight line.
import { describe, expect, test } from 'vitest';

const sessionCache = new Map(); // never cleared: the leak

function openSession(user) {
  const session = {
    user,
    openedAt: Date.now(),
    // The user's rendered dashboard, cached "for speed": 2 MB of real (filled, resident) bytes.
    dashboard: Buffer.alloc(2 * 1024 * 1024, `<section>${user}</section>`),
  };
  sessionCache.set(`${user}:${sessionCache.size}`, session);
  return session;
}

describe('session cache', () => {
  for (let i = 1; i <= 20; i++) {
    test(`user ${i} opens a session`, () => {
      const session = openSession(`user-${i}`);
      expect(session.user).toBe(`user-${i}`);
      expect(session.dashboard.length).toBe(2 * 1024 * 1024);
      expect(sessionCache.size).toBe(i);
    });
  }
});
