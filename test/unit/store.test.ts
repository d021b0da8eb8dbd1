import { describe, expect, it } from 'vitest';
import { emptyPhaseState, transition } from '../../src/core/phases';
import type { PhaseState } from '../../src/core/phases';
import { encode } from '../../src/core/store/envelope';
import { phasesDocument } from '../../src/core/store/phases-document';
import { SimulatedCrash } from './helpers/memory-fs';
import { DIR, makeStore, sha256 } from './helpers/store-fixture';

const PHASES = `${DIR}/phases.json`;

function phasesWith(...names: string[]): PhaseState {
  let state = emptyPhaseState();
  for (const name of names) {
    state = transition(state, { kind: 'fileResult', file: `test/${name}.test.ts`, tests: [{ fullName: name, state: 'failed' }] }, 1_000).state;
  }
  return state;
}

async function saveOk(fixture: ReturnType<typeof makeStore>, value: PhaseState): Promise<void> {
  const saved = await fixture.store.save('phases', value);
  expect(saved).toEqual({ ok: true, value: undefined });
}

describe('load and save', () => {
  it('a document never written loads empty, marked missing, and creates nothing', async () => {
    const { store, fs } = makeStore();
    expect(await store.load('phases')).toEqual({ value: emptyPhaseState(), status: 'missing' });
    expect(fs.exists(DIR)).toBe(false);
  });

  it('round-trips a value through an enveloped file', async () => {
    const f = makeStore();
    const value = phasesWith('a', 'b');
    await saveOk(f, value);
    expect(JSON.parse(f.fs.peek(PHASES) ?? '')).toMatchObject({ schema: 'redline.phases', version: 1 });
    expect(await f.store.load('phases')).toEqual({ value, status: 'ok' });
  });

  it('refuses to save a value that does not match the schema', async () => {
    const f = makeStore();
    const saved = await f.store.save('phases', { files: [{ path: '' }] } as unknown as PhaseState);
    expect(saved).toMatchObject({ ok: false, error: { code: 'invalid-value' } });
    expect(f.fs.exists(PHASES)).toBe(false);
  });

  it('a full disk on save is a typed error with a clear message, and the previous file is intact', async () => {
    const f = makeStore();
    await saveOk(f, phasesWith('a'));
    const before = f.fs.peek(PHASES);
    f.fs.diskFull();
    const saved = await f.store.save('phases', phasesWith('a', 'b'));
    expect(saved).toMatchObject({ ok: false, error: { code: 'io', fsCode: 'ENOSPC' } });
    if (!saved.ok) expect(saved.error.message).toMatch(/disk is full.*previous phases\.json is unchanged/);
    expect(f.fs.peek(PHASES)).toBe(before);
    f.fs.diskFull(false);
    expect((await f.store.load('phases')).value).toEqual(phasesWith('a'));
  });

  it('a memoized document read again unchanged is the same value, and a change by anyone is seen', async () => {
    const f = makeStore({ memoize: ['phases'] });
    await saveOk(f, phasesWith('a'));
    const first = await f.store.load('phases');
    expect(first).toEqual({ value: phasesWith('a'), status: 'ok' });
    expect((await f.store.load('phases')).value).toBe(first.value);
    // Another process writes the file: the new text is decoded.
    await f.fs.writeFile(PHASES, encode(phasesDocument, phasesWith('a', 'b'), sha256));
    expect((await f.store.load('phases')).value).toEqual(phasesWith('a', 'b'));
    // A damaged file is never answered from the memo.
    await f.fs.writeFile(PHASES, (f.fs.peek(PHASES) ?? '').replace('"a"', '"z"'));
    expect(await f.store.load('phases')).toMatchObject({ status: 'recovered' });
    // Gone: empty again.
    await f.fs.rm(PHASES);
    expect(await f.store.load('phases')).toEqual({ value: phasesWith(), status: 'missing' });
  });

  it('an update that keeps the records it did not change validates only the ones it changed', async () => {
    const f = makeStore();
    await saveOk(f, phasesWith('a', 'b'));
    // A changed record that breaks the schema is refused, as on any save.
    const bad = await f.store.update('phases', (state) => ({ files: [...state.files.slice(1), { ...state.files[0]!, path: '' }] }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-value' } });
    expect((await f.store.load('phases')).value).toEqual(phasesWith('a', 'b'));
    // A good change: saved, and read back the same.
    const next = transition(phasesWith('a', 'b'), { kind: 'fileResult', file: 'test/a.test.ts', tests: [{ fullName: 'a', state: 'passed' }] }, 2_000).state;
    const good = await f.store.update('phases', () => next);
    expect(good).toMatchObject({ ok: true });
    expect((await f.store.load('phases')).value).toEqual(next);
    expect(phasesDocument.validChange?.(phasesWith('a'), next)).toBe(true);
    expect(phasesDocument.validChange?.(phasesWith('a'), { files: 'no' } as unknown as PhaseState)).toBe(false);
  });

  it('update loads, changes and saves in one step', async () => {
    const f = makeStore();
    await saveOk(f, phasesWith('a'));
    const updated = await f.store.update('phases', (s) => transition(s, { kind: 'fileDeleted', file: 'test/a.test.ts' }, 2_000).state);
    expect(updated).toEqual({ ok: true, value: { value: emptyPhaseState(), status: 'ok' } });
    expect((await f.store.load('phases')).value).toEqual(emptyPhaseState());
  });

  it('concurrent updates in one process do not lose each other', async () => {
    const f = makeStore();
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) =>
        f.store.update('phases', (s) => transition(s, { kind: 'fileResult', file: `${name}.ts`, tests: [{ fullName: name, state: 'passed' }] }, 1).state),
      ),
    );
    expect((await f.store.load('phases')).value.files.map((x) => x.path)).toEqual(['a.ts', 'b.ts', 'c.ts', 'd.ts']);
  });

  it('a writer killed between its temp write and its rename leaves the old state loadable', async () => {
    const f = makeStore();
    await saveOk(f, phasesWith('old'));
    f.fs.crashBefore('rename', { path: /\.tmp$/ });
    await expect(f.store.save('phases', phasesWith('new'))).resolves.toMatchObject({ ok: false });
    expect(f.fs.crashed).toBe(true);
    f.fs.revive();
    const next = makeStore({ fs: f.fs, clock: f.clock });
    expect(await next.store.load('phases')).toEqual({ value: phasesWith('old'), status: 'ok' });
    expect((await next.store.health()).strayTempFiles).toBe(1);
  });

  it('loads an older version through its migration', async () => {
    const f = makeStore();
    const v2 = { ...phasesDocument, version: 2, migrations: { 1: (p: unknown) => p } };
    f.fs.putFile(PHASES, encode(phasesDocument, phasesWith('a'), sha256));
    const { openStore } = await import('../../src/core/store/store');
    const store = openStore({ fs: f.fs, dir: DIR, clock: f.clock, hash: sha256, logger: f.logger, documents: { phases: v2 } });
    expect(await store.load('phases')).toEqual({ value: phasesWith('a'), status: 'ok', migratedFrom: 1 });
  });
});

describe('a damaged document is quarantined and restored from the newest valid backup', () => {
  const good = phasesWith('kept');
  const corruptions: [string, (fs: ReturnType<typeof makeStore>['fs'], text: string) => void, string][] = [
    ['truncated', (fs, text) => fs.putFile(PHASES, text.slice(0, 40)), 'not-json'],
    ['empty', (fs) => fs.putFile(PHASES, ''), 'not-json'],
    ['random bytes', (fs) => fs.putFile(PHASES, '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u00ff\u00d8'), 'not-json'],
    ['valid JSON of the wrong shape', (fs) => fs.putFile(PHASES, '{"files":"nope"}'), 'wrong-shape'],
    ['a wrong checksum', (fs, text) => fs.putFile(PHASES, text.replace('"kept"', '"kEpt"')), 'bad-checksum'],
    ['a newer version', (fs, text) => fs.putFile(PHASES, text.replace('"version":1', '"version":9')), 'newer-version'],
    ['unreadable permissions', (fs, text) => { fs.putFile(PHASES, text); fs.setUnreadable(PHASES); }, 'unreadable'],
    ['a directory where the file should be', (fs) => { fs.remove(PHASES); fs.putFile(`${PHASES}/inner`, 'x'); }, 'is-directory'],
  ];

  it.each(corruptions)('%s', async (_name, corrupt, reason) => {
    const f = makeStore();
    await saveOk(f, good);
    expect((await f.store.backup('known good')).ok).toBe(true);
    await saveOk(f, phasesWith('kept', 'newer'));
    corrupt(f.fs, f.fs.peek(PHASES) ?? '');
    f.clock.advance(1_000);

    const loaded = await f.store.load('phases');

    expect(loaded.status).toBe('recovered');
    expect(loaded.value).toEqual(good);
    const recovery = loaded.recovered;
    expect(recovery).toMatchObject({ reason, quarantinedTo: `${DIR}/quarantine/phases.json.20250102T030406678Z` });
    expect(recovery?.restoredFrom).toMatch(/^20250102T030405678Z$/);
    expect(recovery?.message).toMatch(/phases\.json .* was damaged: .*moved to .*quarantine.*Restored from backup 20250102T030405678Z "known good"/);
    expect(f.logger.lines.some((line) => line.startsWith('warn ') && line.includes('was damaged'))).toBe(true);
    // The bad file is kept, the restored one is in place and valid.
    expect(f.fs.exists(recovery?.quarantinedTo ?? '')).toBe(true);
    expect(await f.store.load('phases')).toEqual({ value: good, status: 'ok' });
  });

  it('skips a backup whose copy is damaged too and restores from an older valid one', async () => {
    const f = makeStore();
    await saveOk(f, phasesWith('oldest'));
    const older = await f.store.backup();
    f.clock.advance(1_000);
    await saveOk(f, phasesWith('newer'));
    const newer = await f.store.backup();
    if (!older.ok || !newer.ok) throw new Error('backup failed');
    f.fs.putFile(`${DIR}/backups/${newer.value.backup.id}/phases.json`, '{broken');
    f.fs.putFile(PHASES, '');

    const loaded = await f.store.load('phases');
    expect(loaded.value).toEqual(phasesWith('oldest'));
    expect(loaded.recovered?.restoredFrom).toBe(older.value.backup.id);
  });

  it('with no backup it starts empty and says so — the bad file is still kept', async () => {
    const f = makeStore();
    f.fs.putFile(PHASES, 'not json at all');
    const loaded = await f.store.load('phases');
    expect(loaded).toMatchObject({ value: emptyPhaseState(), status: 'recovered', recovered: { reason: 'not-json', restoredFrom: null } });
    expect(loaded.recovered?.message).toMatch(/No backup held a valid copy, so it starts empty/);
    expect(f.fs.peek(loaded.recovered?.quarantinedTo ?? '')).toBe('not json at all');
    expect(await f.store.load('phases')).toEqual({ value: emptyPhaseState(), status: 'ok' });
  });

  it('when the bad file cannot be moved it is left untouched and the backup is used in memory', async () => {
    const f = makeStore();
    await saveOk(f, good);
    await f.store.backup();
    f.fs.putFile(PHASES, '{');
    f.fs.fail('rename', 'EACCES', { path: PHASES });
    const loaded = await f.store.load('phases');
    expect(loaded).toMatchObject({ value: good, status: 'recovered', recovered: { quarantinedTo: null } });
    expect(loaded.recovered?.message).toMatch(/could not be moved to quarantine \(permission denied/);
    expect(f.fs.peek(PHASES)).toBe('{');
  });

  it('when the replacement cannot be written (full disk) the bad file stays and the value is still returned', async () => {
    const f = makeStore();
    await saveOk(f, good);
    await f.store.backup();
    f.fs.putFile(PHASES, '');
    f.fs.diskFull();
    const loaded = await f.store.load('phases');
    expect(loaded).toMatchObject({ value: good, recovered: { quarantinedTo: null } });
    expect(loaded.recovered?.message).toMatch(/replacement could not be written \(the disk is full/);
    expect(f.fs.peek(PHASES)).toBe('');
    expect(f.fs.tree(DIR).filter((p) => !p.startsWith('backups'))).toEqual(['phases.json']);
    // Once there is space again, the next load recovers for good.
    f.fs.diskFull(false);
    expect(await f.store.load('phases')).toMatchObject({ value: good, status: 'recovered', recovered: { quarantinedTo: expect.any(String) } });
    expect(await f.store.load('phases')).toMatchObject({ value: good, status: 'ok' });
  });

  it.each([
    ['staging the replacement', 'writeFile' as const, /\.restoring$/],
    ['moving the bad file to quarantine', 'rename' as const, /phases\.json$/],
    ['putting the replacement in place', 'rename' as const, /\.restoring$/],
  ])('a process killed while %s loses nothing: the next load recovers or finishes', async (_when, op, path) => {
    const f = makeStore();
    await saveOk(f, good);
    await f.store.backup();
    f.fs.putFile(PHASES, 'garbage');
    f.fs.crashBefore(op, { path });
    await f.store.load('phases').catch((error: unknown) => expect(error).toBeInstanceOf(SimulatedCrash));
    expect(f.fs.crashed).toBe(true);
    f.fs.revive();

    const next = makeStore({ fs: f.fs, clock: f.clock });
    expect(await next.store.load('phases')).toMatchObject({ value: good, status: 'recovered' });
    expect(await next.store.load('phases')).toEqual({ value: good, status: 'ok' });
    expect(f.fs.tree(`${DIR}/quarantine`)).toHaveLength(1);
    expect(f.fs.exists(`${PHASES}.restoring`)).toBe(false);
  });

  it('survives the corruption of every non-backup file at once, nothing lost that a backup held', async () => {
    const f = makeStore();
    await saveOk(f, good);
    expect((await f.store.save('cache', { entries: { k: 'v' } })).ok).toBe(true);
    expect((await f.store.save('runs', { runs: [{ at: 1, passed: 3 }] })).ok).toBe(true);
    await f.store.backup('nightly');
    for (const name of f.fs.tree(DIR).filter((p) => !p.startsWith('backups'))) f.fs.putFile(`${DIR}/${name}`, '\u0000\u0001 corrupted');
    expect(await f.store.load('phases')).toMatchObject({ value: good, status: 'recovered' });
    expect(await f.store.load('cache')).toMatchObject({ value: { entries: { k: 'v' } }, status: 'recovered' });
    expect(await f.store.load('runs')).toMatchObject({ value: { runs: [{ at: 1, passed: 3 }] }, status: 'recovered' });
    expect(f.fs.tree(`${DIR}/quarantine`)).toHaveLength(3);
  });
});
