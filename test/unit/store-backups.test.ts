import { describe, expect, it } from 'vitest';
import { emptyPhaseState, transition } from '../../src/core/phases';
import type { PhaseState } from '../../src/core/phases';
import { selectOverBound, selectPrunable } from '../../src/core/store/backups';
import type { BackupInfo } from '../../src/core/store/backups';
import { SimulatedCrash } from './helpers/memory-fs';
import { DIR, makeStore } from './helpers/store-fixture';
import type { Fixture } from './helpers/store-fixture';

const DAY = 86_400_000;

function phases(name: string): PhaseState {
  return transition(emptyPhaseState(), { kind: 'fileResult', file: `${name}.test.ts`, tests: [{ fullName: name, state: 'passed' }] }, 5).state;
}

async function seed(f: Fixture, name = 'a'): Promise<void> {
  expect((await f.store.save('phases', phases(name))).ok).toBe(true);
  expect((await f.store.save('cache', { entries: { [name]: 'hit' } })).ok).toBe(true);
  expect((await f.store.save('runs', { runs: [{ at: 1, passed: 1 }] })).ok).toBe(true);
}

async function backupId(f: Fixture, label?: string): Promise<string> {
  const made = await f.store.backup(label);
  if (!made.ok) throw new Error(made.error.message);
  return made.value.backup.id;
}

describe('backup and listBackups', () => {
  it('copies every document into backups/<id>/ with a manifest, listed newest first', async () => {
    const f = makeStore();
    await seed(f);
    const first = await f.store.backup('before refactor');
    f.clock.advance(1_000);
    const second = await backupId(f);
    expect(first).toMatchObject({
      ok: true,
      value: { backup: { id: '20250102T030405678Z', label: 'before refactor', createdAt: '2025-01-02T03:04:05.678Z', auto: false }, skipped: [], evicted: [] },
    });
    expect(f.fs.tree(`${DIR}/backups/20250102T030405678Z`)).toEqual(['cache.json', 'manifest.json', 'phases.json', 'runs.json']);
    const list = await f.store.listBackups();
    expect(list.map((b) => b.id)).toEqual([second, '20250102T030405678Z']);
    expect(list[1]).toMatchObject({ documents: ['phases', 'cache', 'runs'], bytes: expect.any(Number) });
    expect(list[1]?.bytes).toBeGreaterThan(100);
  });

  it('gives two backups in the same millisecond distinct ids that still sort by time', async () => {
    const f = makeStore();
    const ids = [await backupId(f), await backupId(f), await backupId(f)];
    expect(ids).toEqual(['20250102T030405678Z', '20250102T030405678Z-1', '20250102T030405678Z-2']);
  });

  it('leaves out a damaged document, says so, and still backs up the rest', async () => {
    const f = makeStore();
    await seed(f);
    f.fs.putFile(`${DIR}/cache.json`, '{');
    const made = await f.store.backup();
    expect(made).toMatchObject({ ok: true, value: { backup: { documents: ['phases', 'runs'] }, skipped: [{ kind: 'cache' }] } });
    expect(f.logger.lines.some((l) => l.includes('left out cache'))).toBe(true);
  });

  it('a full disk while backing up is a typed error and leaves no partial backup', async () => {
    const f = makeStore();
    await seed(f);
    f.fs.diskFull();
    const made = await f.store.backup();
    expect(made).toMatchObject({ ok: false, error: { code: 'io', fsCode: 'ENOSPC' } });
    expect(f.fs.tree(`${DIR}/backups`)).toEqual([]);
  });

  it('a crash part-way through a backup leaves nothing that lists, and the next backup sweeps it', async () => {
    const f = makeStore();
    await seed(f);
    f.fs.crashBefore('writeFile', { path: /manifest\.json$/ });
    await expect(f.store.backup()).resolves.toMatchObject({ ok: false });
    f.fs.revive();
    const next = makeStore({ fs: f.fs, clock: f.clock });
    expect(await next.store.listBackups()).toEqual([]);
    expect(f.fs.tree(`${DIR}/backups`).some((p) => p.startsWith('.partial-'))).toBe(true);
    await backupId(next);
    expect(f.fs.tree(`${DIR}/backups`).some((p) => p.startsWith('.partial-'))).toBe(false);
    expect(await next.store.listBackups()).toHaveLength(1);
  });

  it('ignores a directory without a valid manifest, and health reports it', async () => {
    const f = makeStore();
    await backupId(f);
    f.fs.putFile(`${DIR}/backups/stray/phases.json`, 'x');
    f.fs.putFile(`${DIR}/backups/20250101T000000000Z/manifest.json`, '{"bad":1}');
    expect(await f.store.listBackups()).toHaveLength(1);
    expect((await f.store.health()).damagedBackups).toEqual(['20250101T000000000Z', 'stray']);
  });
});

describe('restore', () => {
  it('takes an automatic backup first, then brings back every document of the backup', async () => {
    const f = makeStore();
    await seed(f, 'then');
    const id = await backupId(f, 'then');
    f.clock.advance(1_000);
    await seed(f, 'now');

    const restored = await f.store.restore(id);

    expect(restored).toMatchObject({ ok: true, value: { restored: { id, label: 'then' }, safetyBackup: { label: `before restore ${id}`, auto: true } } });
    expect((await f.store.load('phases')).value).toEqual(phases('then'));
    expect((await f.store.load('cache')).value).toEqual({ entries: { then: 'hit' } });
    // The state from just before is in the safety backup, and can itself be restored.
    if (!restored.ok) return;
    expect((await f.store.restore(restored.value.safetyBackup.id)).ok).toBe(true);
    expect((await f.store.load('phases')).value).toEqual(phases('now'));
  });

  it('removes documents the backup did not hold', async () => {
    const f = makeStore();
    expect((await f.store.save('phases', phases('only'))).ok).toBe(true);
    const id = await backupId(f);
    expect((await f.store.save('cache', { entries: { x: 'y' } })).ok).toBe(true);
    expect((await f.store.restore(id)).ok).toBe(true);
    expect((await f.store.load('cache')).status).toBe('missing');
  });

  it('refuses an unknown id', async () => {
    const f = makeStore();
    expect(await f.store.restore('nope')).toMatchObject({ ok: false, error: { code: 'no-such-backup', message: expect.stringMatching(/redline backups/) } });
  });

  it('refuses a damaged backup and changes nothing, not even a safety backup', async () => {
    const f = makeStore();
    await seed(f, 'then');
    const id = await backupId(f);
    await seed(f, 'now');
    f.fs.putFile(`${DIR}/backups/${id}/phases.json`, '{"truncated');
    expect(await f.store.restore(id)).toMatchObject({ ok: false, error: { code: 'bad-backup', message: expect.stringMatching(/Nothing was changed/) } });
    expect((await f.store.load('phases')).value).toEqual(phases('now'));
    expect(await f.store.listBackups()).toHaveLength(1);
  });

  it('does not restore when the safety backup cannot be made (full disk)', async () => {
    const f = makeStore();
    await seed(f, 'then');
    const id = await backupId(f);
    await seed(f, 'now');
    f.fs.diskFull();
    const restored = await f.store.restore(id);
    expect(restored).toMatchObject({ ok: false, error: { code: 'io', fsCode: 'ENOSPC', message: expect.stringMatching(/safety backup failed/) } });
    f.fs.diskFull(false);
    expect((await f.store.load('phases')).value).toEqual(phases('now'));
  });
});

describe('prune and the bound', () => {
  function info(id: string, createdAt: number, auto = false): BackupInfo {
    return { id, createdAt: new Date(createdAt).toISOString(), bytes: 1, auto, documents: [] };
  }
  const now = Date.UTC(2025, 5, 1);
  const all = [info('a', now - 40 * DAY), info('b', now - 20 * DAY), info('c', now - 10 * DAY), info('d', now - DAY)];

  it('selects by count, by age, and by both (the newest N always stay)', () => {
    expect(selectPrunable(all, { keep: 2 }, now).map((b) => b.id)).toEqual(['b', 'a']);
    expect(selectPrunable(all, { olderThanDays: 15 }, now).map((b) => b.id)).toEqual(['b', 'a']);
    expect(selectPrunable(all, { keep: 3, olderThanDays: 15 }, now).map((b) => b.id)).toEqual(['a']);
    expect(selectPrunable(all, { keep: 0 }, now)).toHaveLength(4);
  });

  it('the bound removes automatic backups first, oldest first, and never a protected one', () => {
    const mixed = [info('1', 1, true), info('2', 2), info('3', 3, true), info('4', 4), info('5', 5, true)];
    expect(selectOverBound(mixed, 3, ['5']).map((b) => b.id)).toEqual(['1', '3']);
    expect(selectOverBound(mixed, 1, ['5']).map((b) => b.id)).toEqual(['1', '3', '2', '4']);
    expect(selectOverBound(mixed, 5, [])).toEqual([]);
  });

  it('prune removes backups from disk', async () => {
    const f = makeStore();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(await backupId(f));
      f.clock.advance(10 * DAY);
    }
    // Taken on days 0, 10, 20, 30; it is day 40 now.
    expect(await f.store.prune({ keep: 2, olderThanDays: 15 })).toEqual({ ok: true, value: { removed: [ids[1], ids[0]] } });
    expect((await f.store.listBackups()).map((b) => b.id)).toEqual([ids[3], ids[2]]);
  });

  it('rejects nonsense', async () => {
    const f = makeStore();
    expect(await f.store.prune({ keep: -1 })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await f.store.prune({ keep: 1.5 })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await f.store.prune({ olderThanDays: Number.NaN })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('keeps at most backupsMax backups, automatic ones out first', async () => {
    const f = makeStore({ backupsMax: 3 });
    await seed(f);
    const manual1 = await backupId(f, 'mine');
    f.clock.advance(1);
    expect((await f.store.resetSoft()).ok).toBe(true); // auto
    f.clock.advance(1);
    expect((await f.store.resetSoft()).ok).toBe(true); // auto
    f.clock.advance(1);
    const made = await f.store.backup('mine too');
    expect(made).toMatchObject({ ok: true, value: { evicted: ['20250102T030405679Z'] } });
    const list = await f.store.listBackups();
    expect(list.map((b) => [b.label, b.auto])).toEqual([
      ['mine too', false],
      ['before soft reset', true],
      ['mine', false],
    ]);
    expect(list.at(-1)?.id).toBe(manual1);
  });

  it('prune without options applies the bound', async () => {
    const f = makeStore({ backupsMax: 2 });
    for (let i = 0; i < 2; i++) await backupId(f);
    const f2 = makeStore({ fs: f.fs, clock: f.clock, backupsMax: 1 });
    expect(await f2.store.prune({})).toEqual({ ok: true, value: { removed: ['20250102T030405678Z'] } });
  });
});

describe('reset', () => {
  it('soft: backs up, clears cache and run history, keeps phases and backups', async () => {
    const f = makeStore();
    await seed(f);
    const mine = await backupId(f);
    const reset = await f.store.resetSoft();
    expect(reset).toMatchObject({ ok: true, value: { safetyBackup: { label: 'before soft reset', auto: true }, removed: ['cache.json', 'runs.json'] } });
    expect(await f.store.load('phases')).toMatchObject({ status: 'ok', value: phases('a') });
    expect((await f.store.load('cache')).status).toBe('missing');
    expect((await f.store.load('runs')).status).toBe('missing');
    expect((await f.store.listBackups()).map((b) => b.id)).toContain(mine);
  });

  it('hard: backs up, removes everything but backups (and the lock), phases included', async () => {
    const f = makeStore();
    await seed(f);
    f.fs.putFile(`${DIR}/quarantine/phases.json.1`, 'bad');
    f.fs.putFile(`${DIR}/.phases.json.x.tmp`, 'stray');
    f.fs.putFile(`${DIR}/lock`, '{}');
    const reset = await f.store.resetHard();
    expect(reset).toMatchObject({ ok: true, value: { removed: ['.phases.json.x.tmp', 'cache.json', 'phases.json', 'quarantine', 'runs.json'] } });
    expect(f.fs.tree(DIR).filter((p) => !p.startsWith('backups/'))).toEqual(['backups', 'lock']);
    expect((await f.store.load('phases')).status).toBe('missing');
    // …and the phases are still in the automatic backup.
    if (!reset.ok) return;
    expect((await f.store.restore(reset.value.safetyBackup.id)).ok).toBe(true);
    expect((await f.store.load('phases')).value).toEqual(phases('a'));
  });

  it('does nothing when the safety backup fails', async () => {
    const f = makeStore();
    await seed(f);
    f.fs.fail('mkdir', 'EACCES', { path: `${DIR}/backups` });
    expect(await f.store.resetHard()).toMatchObject({ ok: false, error: { code: 'io', message: expect.stringMatching(/Reset refused.*permission denied/) } });
    expect(await f.store.load('phases')).toMatchObject({ status: 'ok' });
  });

  it('a reset on a workspace with no state yet is fine', async () => {
    const f = makeStore();
    expect(await f.store.resetHard()).toMatchObject({ ok: true, value: { removed: [] } });
  });

  it('a crash part-way through a hard reset still leaves the safety backup', async () => {
    const f = makeStore();
    await seed(f);
    f.fs.crashBefore('rm', { path: `${DIR}/phases.json` });
    await f.store.resetHard().catch((error: unknown) => expect(error).toBeInstanceOf(SimulatedCrash));
    f.fs.revive();
    const next = makeStore({ fs: f.fs, clock: f.clock });
    const [safety] = await next.store.listBackups();
    expect(safety?.label).toBe('before hard reset');
    expect(safety?.documents).toEqual(['phases', 'cache', 'runs']);
  });
});

describe('health', () => {
  it('reports each document, backups, quarantine and stray temp files', async () => {
    const f = makeStore();
    expect((await f.store.save('phases', phases('a'))).ok).toBe(true);
    await backupId(f);
    f.fs.putFile(`${DIR}/cache.json`, 'garbage');
    f.fs.putFile(`${DIR}/.runs.json.1.tmp`, '');
    const health = await f.store.health();
    expect(health).toMatchObject({
      dir: DIR,
      documents: [
        { kind: 'phases', status: 'ok' },
        { kind: 'cache', status: 'recovered', recovered: { reason: 'not-json', restoredFrom: null } },
        { kind: 'runs', status: 'missing' },
      ],
      backups: 1,
      damagedBackups: [],
      quarantined: 1,
      strayTempFiles: 1,
      lockHolder: null,
    });
  });
});
