// `redline watch` with the real CLI, without a terminal (plain lines): the first run, then real
// edits on disk — an edit reruns exactly the test files it affects, undoing it answers them from
// the cache, renames, deletions and new test files are picked up — and SIGINT, SIGTERM or `q` (on
// a terminal) end it cleanly with nothing of it left running.
import { spawn } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, CliRun, descendantsOf, describeProc, isRunning, listProcs, removeTempDirs, REPO_ROOT, requireBuiltCli, sleep, waitUntil, type ProcInfo } from './helpers';
import { FILES, graphWorkspace, write } from './graph-workspace';

beforeAll(requireBuiltCli);

const runs: CliRun[] = [];
afterAll(() => {
  for (const run of runs) run.killAll();
  removeTempDirs();
});

/** The line that ends each run: its verdict, or that the change affected no test file. */
const RUN_END = /^ (?:PASS|FAIL| STOP ) .*\n|^ · .*\n/m;

/**
 * Does `action`, then waits until the output after it matches every pattern (the last of them
 * normally the end of the run); returns that output.
 */
async function after(run: CliRun, action: () => void, patterns: readonly RegExp[], what: string): Promise<string> {
  const mark = run.stdout.length;
  action();
  const since = (): string => run.stdout.slice(mark);
  await waitUntil(() => patterns.every((p) => p.test(since())), `${what}\nstdout since:\n${since()}\nstderr:\n${run.stderr}`, { timeoutMs: 60_000 });
  return since();
}

function startWatch(root: string): CliRun {
  const run = new CliRun(['watch', '--root', root, '--debounce', '50'], { json: false });
  runs.push(run);
  return run;
}

describe('redline watch (no terminal)', () => {
  test('edits rerun what they affect, reverts come from the cache, renames, deletions and new files are seen; SIGINT exits 0', async () => {
    const root = graphWorkspace('watch');
    const w = startWatch(root);
    const first = await after(w, () => undefined, [/▶ first run[\s\S]*?PASS .*\n/], 'the first run');
    expect(first).toContain('▶ first run: 5 test files');
    expect(first).toMatch(/PASS 5 passed \(5 files\)/);
    expect(first).toMatch(/^ watching /m);

    // src/x.js: imported (re-export, alias + export *, dynamic import) by a, b and c — not d, e.
    const edit = await after(w, () => write(root, 'src/x.js', 'export const x = () => 2;\n'), [/src\/x\.js changed[\s\S]*?FAIL .*\n/], 'the edit of src/x.js');
    expect(edit).toContain('▶ src/x.js changed → 3 test files affected');
    expect(edit).toMatch(/✗ test\/a\.test\.js/);
    expect(edit).toMatch(/✗ test\/b\.test\.js/);
    expect(edit).toMatch(/✗ test\/c\.test\.js/);
    expect(edit).not.toMatch(/test\/[de]\.test\.js/);
    expect(edit).toMatch(/FAIL 3 failed \(3 files\)/);

    // Undo the edit: the same three, every one a cache hit.
    const revert = await after(w, () => write(root, 'src/x.js', FILES['src/x.js']!), [/src\/x\.js changed[\s\S]*?PASS .*\n/], 'the revert of src/x.js');
    expect(revert).toContain('▶ src/x.js changed → 3 test files affected');
    expect(revert).toMatch(/PASS 3 passed · 3 cached \(3 files\)/);

    // The cycle: c1.js affects d only.
    const c1 = "import { c2 } from './c2.js';\nexport const c1 = () => 'c1:' + typeof c2; // edited\n";
    const cycle = await after(w, () => write(root, 'src/c1.js', c1), [/src\/c1\.js changed[\s\S]*?PASS .*\n/], 'the edit of src/c1.js');
    expect(cycle).toContain('▶ src/c1.js changed → 1 test file affected');
    expect(cycle).toMatch(/PASS 1 passed \(1 file\)/);

    // Rename a test file: the new path runs; the old one is gone (in the same batch or the next).
    const renamed = await after(
      w,
      () => renameSync(join(root, 'test', 'e.test.js'), join(root, 'test', 'e2.test.js')),
      [/test\/e2\.test\.js.* changed → 1 test file affected[\s\S]*?PASS 1 passed .*\n/, /test\/e\.test\.js/],
      'the rename of e.test.js',
    );
    expect(renamed).not.toMatch(/FAIL/);
    await sleep(300);

    // Delete a test file: nothing to run, and watch says so.
    const deleted = await after(w, () => rmSync(join(root, 'test', 'd.test.js')), [RUN_END], 'the deletion of d.test.js');
    expect(deleted).toContain(' · test/d.test.js changed: no test file affected');

    // A new test file runs.
    const f = "import { test, expect } from 'vitest';\nimport { lone } from '../src/lone.js';\ntest('f', () => expect(lone + 1).toBe(6));\n";
    const added = await after(w, () => write(root, 'test/f.test.js', f), [/test\/f\.test\.js changed[\s\S]*?PASS .*\n/], 'the new test/f.test.js');
    expect(added).toContain('▶ test/f.test.js changed → 1 test file affected');
    expect(added).toMatch(/PASS 1 passed \(1 file\)/);

    // A file nothing imports: no run, one line.
    const unrelated = await after(w, () => write(root, 'notes.txt', 'hello\n'), [RUN_END], 'the new notes.txt');
    expect(unrelated).toContain(' · notes.txt changed: no test file affected');

    w.track();
    w.child.kill('SIGINT');
    const result = await w.wait(15_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('stopping…');
    await w.expectNothingLeft(3000);
  });

  test('SIGTERM ends it cleanly too, even in the middle of the first run', async () => {
    const root = graphWorkspace('watch-term');
    const run = startWatch(root);
    await waitUntil(() => run.stdout.includes('▶ first run'), 'the first run to start', { timeoutMs: 60_000 });
    run.track();
    run.child.kill('SIGTERM');
    const result = await run.wait(15_000);
    expect(result.code, result.stderr).toBe(0);
    await run.expectNothingLeft(3000);
  });
});

describe('redline watch on a terminal', () => {
  // script(1) gives the CLI a pseudo-terminal: raw-mode keys and the status line, as in a shell.
  test('f and a trigger runs, q quits with exit 0 and nothing left running', async () => {
    const root = graphWorkspace('watch-tty');
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} watch --root ${JSON.stringify(root)}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: REPO_ROOT,
      env: { ...terminalEnv(), NO_COLOR: '1', COLUMNS: '200', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    // Every process below script(1) — the CLI, the runner, Vitest and its workers — as seen.
    const seen = new Map<number, ProcInfo>();
    const track = (): void => {
      for (const p of descendantsOf(listProcs(true), child.pid!)) if (!seen.has(p.pid)) seen.set(p.pid, p);
    };
    const tracker = setInterval(track, 50);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The screen as lines: status-line rewrites (\r, erase-line) become line breaks.
    const screen = (): string => out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replaceAll('\r', '\n');
    const runEnds = (): number => (screen().match(/^\s*(?:PASS|FAIL|STOP) .*\(\d+ files?\)/gm) ?? []).length;
    try {
      await waitUntil(() => runEnds() >= 1, 'the first run', { timeoutMs: 60_000 }).catch((e: Error) => {
        throw new Error(`${e.message}\noutput:\n${JSON.stringify(out)}`);
      });
      expect(screen()).toMatch(/WATCH waiting for changes .*last: PASS 5 passed/);
      expect(out).toContain('a all · f failed · q quit');

      track();
      child.stdin.write('a');
      await waitUntil(() => runEnds() >= 2, "the run of every file after 'a'", { timeoutMs: 60_000 });
      expect(out).toContain('▶ all tests, cache off: 5 test files');

      child.stdin.write('f');
      await waitUntil(() => /no file failed in the last run/.test(out), "'f' with nothing failed", { timeoutMs: 30_000 });

      child.stdin.write('q');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(code, out).toBe(0);
      expect(out).toContain('stopping…');
      // The runner and Vitest went with it.
      expect([...seen.values()].some((p) => p.cmdline.includes('runner.js'))).toBe(true);
      const alive = (): ProcInfo[] => [...seen.values()].filter((p) => isRunning(p.pid, p.starttime));
      await waitUntil(() => alive().length === 0, 'every process of the watch to end', { timeoutMs: 5000 }).catch(() => {
        expect.fail(`still running:\n${alive().map(describeProc).join('\n')}`);
      });
    } finally {
      clearInterval(tracker);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});

/** As from a user's shell: none of this suite's Vitest variables, no CI (which turns live output off). */
function terminalEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('REDLINE_') || key === 'FORCE_COLOR' || key === 'CI' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}
