import { describe, expect, it } from 'vitest';
import { createLock, describeHolder } from '../../src/core/store/lock';
import type { LockHolder } from '../../src/core/store/lock';
import { MemoryFs } from './helpers/memory-fs';
import { DIR, FakeClock, makeLock, makeStore } from './helpers/store-fixture';

const LOCK = `${DIR}/lock`;

function setup() {
  const clock = new FakeClock();
  const fs = new MemoryFs(() => clock.now());
  return { clock, fs };
}

function holderFile(fs: MemoryFs, holder: Partial<LockHolder>): void {
  fs.putFile(LOCK, JSON.stringify({ pid: 4242, hostname: 'box', command: 'redline watch', startedAt: '2025-01-02T03:00:00.000Z', ...holder }));
}

describe('lock', () => {
  it('creates the lock file exclusively, naming its holder, and removes it on release', async () => {
    const { fs, clock } = setup();
    const lock = makeLock(fs, clock, { pid: 7, command: 'redline approve' });
    const got = await lock.acquire();
    expect(got.ok).toBe(true);
    expect(fs.calls).toContain(`writeFile ${LOCK} durable exclusive`);
    expect(JSON.parse(fs.peek(LOCK) ?? '')).toEqual({ pid: 7, hostname: 'box', command: 'redline approve', startedAt: '2025-01-02T03:04:05.678Z' });
    expect(await lock.holder()).toMatchObject({ pid: 7 });
    if (got.ok) await got.release();
    expect(fs.exists(LOCK)).toBe(false);
    expect(await lock.holder()).toBeNull();
  });

  it('while a live process holds it: waits, then refuses with a message naming the holder', async () => {
    const { fs, clock } = setup();
    holderFile(fs, {});
    const lock = makeLock(fs, clock);
    const got = await lock.acquire();
    expect(got).toMatchObject({ ok: false, code: 'held', holder: { pid: 4242, command: 'redline watch' } });
    if (got.ok) return;
    expect(got.message).toBe(
      'The Redline state is in use by pid 4242 (redline watch) on box, since 2025-01-02T03:00:00.000Z; waited 1 s. ' +
        `Let it finish or stop it; if that process no longer runs, delete ${LOCK}.`,
    );
    expect(fs.exists(LOCK)).toBe(true);
  });

  it('gets the lock once the holder releases it while we wait', async () => {
    const { fs, clock } = setup();
    holderFile(fs, {});
    const lock = createLock({
      fs,
      dir: DIR,
      clock: { now: () => clock.now(), sleep: async (ms) => { clock.advance(ms); fs.remove(LOCK); } },
      owner: { pid: 1, hostname: 'box', command: 'x' },
      isAlive: () => true,
    });
    expect((await lock.acquire()).ok).toBe(true);
  });

  it('takes over a stale lock whose process is gone', async () => {
    const { fs, clock } = setup();
    holderFile(fs, { pid: 999 });
    const lock = makeLock(fs, clock, { pid: 7 }, (pid) => pid !== 999);
    const got = await lock.acquire();
    expect(got.ok).toBe(true);
    expect(JSON.parse(fs.peek(LOCK) ?? '')).toMatchObject({ pid: 7 });
    expect(fs.exists(`${LOCK}.break`)).toBe(false);
    if (got.ok) await got.release();
  });

  it('takes over a lock naming our own pid that this process does not hold (pid reuse after a reboot)', async () => {
    const { fs, clock } = setup();
    holderFile(fs, { pid: 100 });
    const got = await makeLock(fs, clock, { pid: 100 }).acquire();
    expect(got.ok).toBe(true);
    if (got.ok) await got.release();
  });

  it('cannot judge a holder on another host, so it counts as held', async () => {
    const { fs, clock } = setup();
    holderFile(fs, { pid: 999, hostname: 'other' });
    const got = await makeLock(fs, clock, {}, () => false).acquire();
    expect(got).toMatchObject({ ok: false, code: 'held', message: expect.stringMatching(/on other/) });
  });

  it('a lock file with no readable holder is stale once it is old, held while fresh', async () => {
    const { fs, clock } = setup();
    fs.putFile(LOCK, '');
    expect(await makeLock(fs, clock).acquire()).toMatchObject({ ok: false, holder: null, message: expect.stringMatching(/in use by another process/) });
    clock.advance(10_000);
    const got = await makeLock(fs, clock).acquire();
    expect(got.ok).toBe(true);
    if (got.ok) await got.release();
  });

  it('two processes breaking the same stale lock: exactly one gets it', async () => {
    const { fs, clock } = setup();
    holderFile(fs, { pid: 999 });
    const alive = (pid: number) => pid !== 999;
    const [a, b] = await Promise.all([makeLock(fs, clock, { pid: 1 }, alive).acquire(), makeLock(fs, clock, { pid: 2 }, alive).acquire()]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const loser = a.ok ? b : a;
    expect(loser).toMatchObject({ ok: false, code: 'held', holder: { pid: a.ok ? 1 : 2 } });
    for (const got of [a, b]) if (got.ok) await got.release();
  });

  it('release leaves alone a lock that someone else has taken over', async () => {
    const { fs, clock } = setup();
    const got = await makeLock(fs, clock, { pid: 7 }).acquire();
    holderFile(fs, { pid: 8 });
    if (got.ok) await got.release();
    expect(JSON.parse(fs.peek(LOCK) ?? '')).toMatchObject({ pid: 8 });
  });

  it('withLock releases also when the work throws, and serializes callers in one process', async () => {
    const { fs, clock } = setup();
    const lock = makeLock(fs, clock);
    await expect(lock.withLock(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(fs.exists(LOCK)).toBe(false);
    const order: string[] = [];
    const work = (name: string) => lock.withLock(async () => {
      order.push(`${name} in`);
      await Promise.resolve();
      order.push(`${name} out`);
      return name;
    });
    const results = await Promise.all([work('a'), work('b')]);
    expect(results).toEqual([{ ok: true, value: 'a' }, { ok: true, value: 'b' }]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('creates the state directory if needed, and reports an I/O failure as such', async () => {
    const { fs, clock } = setup();
    const got = await makeLock(fs, clock).acquire();
    expect(got.ok).toBe(true);
    if (got.ok) await got.release();
    fs.fail('writeFile', 'EACCES', { path: LOCK });
    expect(await makeLock(fs, clock).acquire()).toMatchObject({ ok: false, code: 'io', message: expect.stringMatching(/Cannot create the lock file/) });
  });

  it('describes a holder in words', () => {
    expect(describeHolder({ pid: 1, hostname: 'h', command: 'c', startedAt: 's' })).toBe('pid 1 (c) on h, since s');
  });
});

describe('the store under a lock', () => {
  it('a save while another live process holds the lock is refused with the holder named', async () => {
    const { fs, clock } = setup();
    const f = makeStore({ fs, clock, lock: makeLock(fs, clock) });
    holderFile(fs, {});
    const saved = await f.store.save('cache', { entries: {} });
    expect(saved).toMatchObject({ ok: false, error: { code: 'locked', message: expect.stringMatching(/pid 4242 \(redline watch\)/) } });
    expect(fs.exists(`${DIR}/cache.json`)).toBe(false);
  });

  it('a damaged document is recovered in memory only while the lock is held elsewhere', async () => {
    const { fs, clock } = setup();
    const f = makeStore({ fs, clock, lock: makeLock(fs, clock) });
    expect((await f.store.save('cache', { entries: { k: 'v' } })).ok).toBe(true);
    expect((await f.store.backup()).ok).toBe(true);
    fs.putFile(`${DIR}/cache.json`, '{');
    holderFile(fs, {});
    const loaded = await f.store.load('cache');
    expect(loaded).toMatchObject({ value: { entries: { k: 'v' } }, status: 'recovered', recovered: { quarantinedTo: null } });
    expect(loaded.recovered?.message).toMatch(/left as it is: The Redline state is in use by pid 4242/);
    expect(fs.peek(`${DIR}/cache.json`)).toBe('{');
    // Once the holder is gone, the next load repairs the file for good.
    fs.remove(`${DIR}/lock`);
    expect(await f.store.load('cache')).toMatchObject({ status: 'recovered', recovered: { quarantinedTo: expect.any(String) } });
    expect(await f.store.load('cache')).toMatchObject({ status: 'ok' });
  });

  it('every write takes and releases the lock', async () => {
    const { fs, clock } = setup();
    const f = makeStore({ fs, clock, lock: makeLock(fs, clock) });
    expect((await f.store.save('phases', { files: [] })).ok).toBe(true);
    const lockCalls = fs.calls.filter((c) => c.includes(LOCK));
    expect(lockCalls[0]).toBe(`writeFile ${LOCK} durable exclusive`);
    expect(lockCalls.at(-1)).toBe(`rm ${LOCK}`);
    expect(fs.exists(LOCK)).toBe(false);
    expect((await f.store.health()).lockHolder).toBeNull();
  });
});
