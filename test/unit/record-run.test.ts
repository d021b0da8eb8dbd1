// recordRun over an in-memory store: the run's results move the phases and join the history,
// and a store problem (a held lock, a full disk) is reported in the result, never thrown. The
// root does not exist, so git has nothing to say and approval on commit stays out of it.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/store';
import type { PhaseState } from '../../src/core/phases';
import type { RunReport, FileReport } from '../../src/protocol/report';
import { recordRun, type BeforeRun } from '../../src/runner/state/record-run';
import { WORKSPACE_DOCUMENTS, type WorkspaceStore } from '../../src/runner/state/workspace-store';
import { MemoryFs } from './helpers/memory-fs';
import { DIR, FakeClock, makeLock, MemoryLogger, sha256 } from './helpers/store-fixture';

const ROOT = '/no/such/workspace-for-redline-tests';

function makeWorkspaceStore(fs = new MemoryFs(), lockHeld = false): { store: WorkspaceStore; fs: MemoryFs; logger: MemoryLogger } {
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  const lock = lockHeld ? makeLock(fs, clock, { pid: 100 }) : undefined;
  if (lockHeld) fs.putFile(`${DIR}/lock`, JSON.stringify({ pid: 999, hostname: 'box', command: 'redline watch', startedAt: '2025-01-01T00:00:00.000Z' }));
  const store = openStore({ fs, dir: DIR, clock, hash: sha256, logger, documents: WORKSPACE_DOCUMENTS, ...(lock ? { lock } : {}) });
  return { store, fs, logger };
}

function report(files: FileReport[]): RunReport {
  return {
    version: 1,
    root: ROOT,
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 10,
    summary: { files: files.length, passed: 0, failed: 0, broken: 0, stopped: 0, skipped: 0, notrun: 0, cached: 0 },
    files,
    memory: { limitBytes: 100, peakBytes: 10, tiers: [] },
    leaks: [],
    orphans: [],
    cache: { hits: 0, misses: 0 },
  };
}

function file(path: string, tests: [string, 'passed' | 'failed'][]): FileReport {
  return {
    path,
    state: tests.some(([, s]) => s === 'failed') ? 'failed' : 'passed',
    cached: false,
    durationMs: 1,
    peakRssBytes: 0,
    tests: tests.map(([fullName, state]) => ({ name: fullName, fullName, state, durationMs: 1 })),
  };
}

const before: BeforeRun = { previousHead: null, git: null, recovered: [] };
const quiet = (): void => undefined;

describe('recordRun', () => {
  it('moves the phases, appends the run, and counts the phases', async () => {
    const { store } = makeWorkspaceStore();
    const first = await recordRun(store, ROOT, report([file('a.test.ts', [['one', 'failed'], ['two', 'passed']])]), before, false, quiet);
    expect(first).toEqual({ phasesSaved: true, phases: { RED: 1, YELLOW: 1, GREEN: 0, BROKEN: 0 } });
    const second = await recordRun(store, ROOT, report([file('a.test.ts', [['one', 'passed'], ['two', 'passed']])]), before, false, quiet);
    expect(second.phases).toEqual({ RED: 0, YELLOW: 2, GREEN: 0, BROKEN: 0 });
    const phases: PhaseState = (await store.load('phases')).value;
    expect(phases.files[0]?.tests.map((t) => [t.fullName, t.phase, t.neverFailed])).toEqual([
      ['one', 'YELLOW', false],
      ['two', 'YELLOW', true],
    ]);
    const runs = (await store.load('runs')).value.runs;
    expect(runs.map((r) => r.exitCode)).toEqual([1, 0]);
    expect(runs[0]?.head).toBeUndefined();
  });

  it('a held lock fails neither the run nor the call: phasesSaved false, with the reason', async () => {
    const { store } = makeWorkspaceStore(new MemoryFs(), true);
    const logs: string[] = [];
    const state = await recordRun(store, ROOT, report([file('a.test.ts', [['one', 'passed']])]), before, false, (level, message) => logs.push(`${level} ${message}`));
    expect(state.phasesSaved).toBe(false);
    expect(state.message).toMatch(/not saved/);
    expect(state.message).toContain('redline watch');
    expect(logs.some((l) => l.startsWith('warn'))).toBe(true);
  });

  it('a full disk is reported, and the previous phases stay', async () => {
    const fs = new MemoryFs();
    const { store } = makeWorkspaceStore(fs);
    await recordRun(store, ROOT, report([file('a.test.ts', [['one', 'failed']])]), before, false, quiet);
    fs.diskFull();
    const state = await recordRun(store, ROOT, report([file('a.test.ts', [['one', 'passed']])]), before, false, quiet);
    expect(state.phasesSaved).toBe(false);
    expect(state.message).toContain('disk is full');
    fs.diskFull(false);
    expect((await store.load('phases')).value.files[0]?.tests[0]?.phase).toBe('RED');
  });

  it('says which damaged document it restored', async () => {
    const fs = new MemoryFs();
    const { store } = makeWorkspaceStore(fs);
    await recordRun(store, ROOT, report([file('a.test.ts', [['one', 'failed']])]), before, false, quiet);
    expect((await store.backup('good')).ok).toBe(true);
    fs.putFile(`${DIR}/phases.json`, 'garbage');
    const state = await recordRun(store, ROOT, report([file('a.test.ts', [['one', 'passed']])]), before, false, quiet);
    expect(state.phasesSaved).toBe(true);
    expect(state.recovered).toEqual([expect.stringMatching(/^Redline restored \.redline\/phases\.json from backup .*quarantine/)]);
    expect(state.phases).toEqual({ RED: 0, YELLOW: 1, GREEN: 0, BROKEN: 0 });
  });
});
