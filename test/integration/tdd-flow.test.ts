// The TDD cycle and the state commands with the real built CLI on a workspace nobody has seen: a
// fresh temp copy, its node_modules a link to this repository's, so the workspace's "own" Vitest
// is found. Real runs take a test RED → YELLOW → GREEN (with an approval), an unloadable file is
// BROKEN (not RED), new and deleted tests come and go; backups, restore, prune and resets do what
// they say; a held lock is named; a hard reset stops the runners registered on the workspace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRunning, makeTempDir, removeTempDirs, REPO_ROOT, requireBuiltCli, runCli, sleep, waitUntil, type CliResult } from './helpers';

beforeAll(requireBuiltCli);

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  removeTempDirs();
});

interface PhasesJson {
  files: { path: string; phase: string; tests: { name: string; fullName: string; phase: string; neverFailed: boolean; since: string }[] }[];
}
interface BackupsJson {
  backups: { id: string; label?: string; createdAt: string; bytes: number }[];
}

const CONFIG = "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['**/*.test.js'] } });\n";

function workspace(label: string, files: Record<string, string> = {}): string {
  const dir = makeTempDir(label);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `redline-tdd-${label}`, private: true, type: 'module' }));
  writeFileSync(join(dir, 'vitest.config.js'), CONFIG);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) write(dir, name, text);
  return dir;
}

function write(dir: string, name: string, text: string): void {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), text);
}

async function cli(root: string, ...args: string[]): Promise<CliResult> {
  const { result } = await runCli([...args, '--root', root], { json: false });
  return result;
}

function explain(result: CliResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

async function phases(root: string): Promise<PhasesJson> {
  const result = await cli(root, 'phases', '--json');
  expect(result.code, explain(result)).toBe(0);
  return JSON.parse(result.stdout) as PhasesJson;
}

async function backups(root: string): Promise<BackupsJson> {
  const result = await cli(root, 'backups', '--json');
  expect(result.code, explain(result)).toBe(0);
  return JSON.parse(result.stdout) as BackupsJson;
}

function fileOf(json: PhasesJson, path: string): PhasesJson['files'][number] {
  const file = json.files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the phases: ${JSON.stringify(json)}`);
  return file;
}

function testOf(json: PhasesJson, path: string, fullName: string): PhasesJson['files'][number]['tests'][number] {
  const test = fileOf(json, path).tests.find((t) => t.fullName === fullName);
  if (!test) throw new Error(`no test ${fullName} in ${path}: ${JSON.stringify(json)}`);
  return test;
}

async function run(root: string, expectedCode: number): Promise<CliResult> {
  const result = await cli(root, 'run');
  expect(result.code, explain(result)).toBe(expectedCode);
  expect(result.stderr).not.toMatch(/not saved/);
  return result;
}

const calc = (body: string): string => `export function add(a, b) {\n  ${body}\n}\n`;
const calcTest = (extra = ''): string =>
  `import { describe, expect, test } from 'vitest';\nimport { add } from './calc.js';\n\n` +
  `describe('calc', () => {\n  test('adds', () => {\n    expect(add(1, 2)).toBe(3);\n  });\n${extra}});\n`;
const SUBTRACTS = "  test('subtracts', () => {\n    expect(5 - 3).toBe(2);\n  });\n";

describe('RED → YELLOW → GREEN with real runs', () => {
  let root: string;
  beforeAll(() => {
    root = workspace('cycle', { 'calc.js': calc('return a - b;'), 'calc.test.js': calcTest() });
  });

  test('a failing test is RED, and the run says so', async () => {
    const result = await run(root, 1);
    expect(result.stdout).toMatch(/Phases\s+1 RED/);
    const json = await phases(root);
    expect(json.files.map((f) => [f.path, f.phase])).toEqual([['calc.test.js', 'RED']]);
    const adds = testOf(json, 'calc.test.js', 'calc > adds');
    expect(adds).toMatchObject({ name: 'adds', phase: 'RED', neverFailed: false });
    expect(Number.isNaN(Date.parse(adds.since))).toBe(false);
  });

  test('a RED test cannot be approved: refused with the reason, exit 1', async () => {
    const result = await cli(root, 'approve', 'calc.test.js');
    expect(result.code, explain(result)).toBe(1);
    expect(result.stdout).toContain('is RED');
    expect(testOf(await phases(root), 'calc.test.js', 'calc > adds').phase).toBe('RED');
  });

  test('fixed, it is YELLOW (it has failed before)', async () => {
    write(root, 'calc.js', calc('return a + b;'));
    await run(root, 0);
    expect(testOf(await phases(root), 'calc.test.js', 'calc > adds')).toMatchObject({ phase: 'YELLOW', neverFailed: false });
  });

  test('redline approve "FILE > describe > test" turns it GREEN', async () => {
    const result = await cli(root, 'approve', 'calc.test.js > calc > adds');
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toContain('approved');
    const json = await phases(root);
    expect(testOf(json, 'calc.test.js', 'calc > adds').phase).toBe('GREEN');
    expect(fileOf(json, 'calc.test.js').phase).toBe('GREEN');
  });

  test('approving it again is fine: already approved', async () => {
    const result = await cli(root, 'approve', 'calc.test.js::calc > adds');
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toContain('already approved');
  });

  test('a regression takes it from GREEN back to RED', async () => {
    write(root, 'calc.js', calc('return a * b;'));
    await run(root, 1);
    expect(testOf(await phases(root), 'calc.test.js', 'calc > adds').phase).toBe('RED');
  });

  test('a file that cannot load is BROKEN, not RED', async () => {
    write(root, 'calc.test.js', calcTest().replace("'./calc.js'", "'./no-such-module.js'"));
    const result = await run(root, 1);
    expect(result.stdout).toMatch(/Phases\s+1 BROKEN/);
    const json = await phases(root);
    expect(fileOf(json, 'calc.test.js').phase).toBe('BROKEN');
    expect(testOf(json, 'calc.test.js', 'calc > adds').phase).toBe('BROKEN');
    const plain = await cli(root, 'phases');
    expect(plain.stdout).toContain('BROKEN');
    expect(plain.stdout).toContain('could not load');
    expect(plain.stdout).toContain('no-such-module');
  });

  test('repaired, with a new test that passes at once: YELLOW, flagged never failed', async () => {
    write(root, 'calc.js', calc('return a + b;'));
    write(root, 'calc.test.js', calcTest(SUBTRACTS));
    await run(root, 0);
    const json = await phases(root);
    expect(testOf(json, 'calc.test.js', 'calc > adds')).toMatchObject({ phase: 'YELLOW', neverFailed: false });
    expect(testOf(json, 'calc.test.js', 'calc > subtracts')).toMatchObject({ phase: 'YELLOW', neverFailed: true });
    const plain = await cli(root, 'phases');
    expect(plain.stdout).toContain('(never failed)');
    expect(plain.stdout).toMatch(/Tests\s+2 YELLOW \(1 never failed\)/);
  });

  test('a deleted test leaves the tree', async () => {
    write(root, 'calc.test.js', calcTest());
    await run(root, 0);
    const json = await phases(root);
    expect(fileOf(json, 'calc.test.js').tests.map((t) => t.fullName)).toEqual(['calc > adds']);
  });

  test('approving a whole file, and a target that matches nothing (exit 3)', async () => {
    const file = await cli(root, 'approve', 'calc.test.js');
    expect(file.code, explain(file)).toBe(0);
    expect(testOf(await phases(root), 'calc.test.js', 'calc > adds').phase).toBe('GREEN');
    const nothing = await cli(root, 'approve', 'nope.test.js', 'calc.test.js > calc > nope');
    expect(nothing.code, explain(nothing)).toBe(3);
    expect(nothing.stderr).toContain('nothing matched');
    const outside = await cli(root, 'approve', '../elsewhere.test.js');
    expect(outside.code, explain(outside)).toBe(3);
  });

  test('--json is exactly the documented shape', async () => {
    const json = await phases(root);
    for (const file of json.files) {
      expect(Object.keys(file).sort()).toEqual(['path', 'phase', 'tests']);
      for (const t of file.tests) expect(Object.keys(t).sort()).toEqual(['fullName', 'name', 'neverFailed', 'phase', 'since']);
    }
  });
});

describe('backups, restore, prune and reset', () => {
  let root: string;
  let labelled: string;
  beforeAll(async () => {
    root = workspace('backups', { 'one.test.js': "import { test, expect } from 'vitest';\ntest('one', () => { expect(1).toBe(1); });\n" });
    await run(root, 0);
  });

  test('backup --label, and backups --json in the documented shape', async () => {
    const made = await cli(root, 'backup', '--label', 'before the change');
    expect(made.code, explain(made)).toBe(0);
    const list = await backups(root);
    expect(list.backups).toHaveLength(1);
    const [backup] = list.backups;
    expect(Object.keys(backup!).sort()).toEqual(['bytes', 'createdAt', 'id', 'label']);
    expect(backup).toMatchObject({ label: 'before the change' });
    expect(backup!.bytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(backup!.createdAt))).toBe(false);
    expect(made.stdout).toContain(backup!.id);
    labelled = backup!.id;
    const plain = await cli(root, 'backups');
    expect(plain.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${labelled} .*before the change$`))]);
  });

  test('reset without --yes and without a terminal refuses: exit 3, pass --yes', async () => {
    for (const args of [['reset'], ['reset', '--hard']]) {
      const result = await cli(root, ...args);
      expect(result.code, explain(result)).toBe(3);
      expect(result.stderr).toContain('--yes');
    }
    expect((await phases(root)).files).toHaveLength(1);
  });

  test('a soft reset clears the run history and keeps the phases and the backups', async () => {
    const result = await cli(root, 'reset', '--yes');
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toContain('runs.json');
    expect(existsSync(join(root, '.redline', 'runs.json'))).toBe(false);
    expect((await phases(root)).files).toHaveLength(1);
    expect((await backups(root)).backups.map((b) => b.id)).toContain(labelled);
  });

  test('a hard reset clears the phases and keeps the backups, with one of its own first', async () => {
    const before = (await backups(root)).backups.length;
    const result = await cli(root, 'reset', '--hard', '--yes');
    expect(result.code, explain(result)).toBe(0);
    expect((await phases(root)).files).toEqual([]);
    const after = (await backups(root)).backups;
    expect(after.length).toBe(before + 1);
    expect(after.map((b) => b.id)).toContain(labelled);
    expect(after[0]!.label).toBe('before hard reset');
    expect(result.stdout).toContain(after[0]!.id);
  });

  test('restore ID brings the phases back, and says which backup holds the state from before', async () => {
    const result = await cli(root, 'restore', labelled);
    expect(result.code, explain(result)).toBe(0);
    expect(fileOf(await phases(root), 'one.test.js').tests.map((t) => t.fullName)).toEqual(['one']);
    const newest = (await backups(root)).backups[0]!;
    expect(newest.label).toBe(`before restore ${labelled}`);
    expect(result.stdout).toContain(newest.id);
    const missing = await cli(root, 'restore', 'no-such-backup');
    expect(missing.code, explain(missing)).toBe(3);
    expect(missing.stderr).toContain('redline backups');
  });

  test('prune --keep 1 leaves the newest', async () => {
    const newest = (await backups(root)).backups[0]!.id;
    const result = await cli(root, 'prune', '--keep', '1');
    expect(result.code, explain(result)).toBe(0);
    expect((await backups(root)).backups.map((b) => b.id)).toEqual([newest]);
    const bad = await cli(root, 'prune', '--keep', 'some');
    expect(bad.code, explain(bad)).toBe(3);
  });

  test('a damaged phases.json is restored from the newest backup, and the user is told', async () => {
    const good = await phases(root);
    expect(good.files).toHaveLength(1);
    // The newest backup (before the restore) holds the empty state of the hard reset: back up
    // the good state, as a user would before an experiment.
    expect((await cli(root, 'backup')).code).toBe(0);
    writeFileSync(join(root, '.redline', 'phases.json'), '{"truncated": ');
    const result = await cli(root, 'phases', '--json');
    expect(result.code, explain(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(good);
    expect(result.stderr).toMatch(/Redline restored \.redline\/phases\.json from backup \S+ .*the damaged file is in \.redline\/quarantine\/phases\.json\./);
  });

  test('doctor reports the state', async () => {
    const result = await cli(root, 'doctor');
    expect(result.stdout).toContain('State');
    expect(result.stdout).toMatch(/phases\.json\s+valid/);
    expect(result.stdout).toMatch(/Backups\s+2/);
    expect(result.stdout).toMatch(/Quarantine\s+1 damaged file/);
    expect(result.stdout).toMatch(/Lock\s+free/);
  });
});

describe('two writers', () => {
  test('a held lock names its holder: exit 3, and a read still works', async () => {
    const root = workspace('lock', { 'one.test.js': "import { test } from 'vitest';\ntest('one', () => {});\n" });
    await run(root, 0);
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(holder);
    const pid = holder.pid!;
    writeFileSync(
      join(root, '.redline', 'lock'),
      JSON.stringify({ pid, hostname: hostname(), command: 'redline watch', startedAt: new Date().toISOString() }),
    );
    const started = Date.now();
    const result = await cli(root, 'approve', 'one.test.js');
    expect(result.code, explain(result)).toBe(3);
    expect(result.stderr).toContain(`redline watch (pid ${pid}) is writing .redline — try again when it finishes`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).not.toContain('    at ');
    const backup = await cli(root, 'backup');
    expect(backup.code, explain(backup)).toBe(3);
    // Reading takes no lock.
    expect((await phases(root)).files).toHaveLength(1);
    holder.kill('SIGKILL');
    await waitUntil(() => holder.exitCode !== null || holder.signalCode !== null, 'sleep to end');
    // Its holder gone, the lock is stale and taken over.
    const after = await cli(root, 'approve', 'one.test.js');
    expect(after.code, explain(after)).toBe(0);
  });

  test('a hard reset stops the runners registered on the workspace, and only those', async () => {
    const root = workspace('runners');
    const runnersDir = join(root, '.redline', 'runners');
    mkdirSync(runnersDir, { recursive: true });
    // Looks like a runner to /proc (runner.js on its command line) and ends on SIGTERM.
    const fake = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', join(REPO_ROOT, 'dist', 'runner.js')], { stdio: 'ignore' });
    // A registration whose pid now belongs to something else: it must not be signalled.
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(fake, stranger);
    for (const child of [fake, stranger]) {
      writeFileSync(join(runnersDir, `${child.pid}.json`), JSON.stringify({ pid: child.pid, startedAt: new Date().toISOString(), command: 'redline watch', hostname: hostname() }));
    }
    await waitUntil(() => readFileSync(`/proc/${fake.pid}/cmdline`, 'utf8').includes('runner.js'), 'the fake runner to start');
    const result = await cli(root, 'reset', '--hard', '--yes');
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toContain(`pid ${fake.pid}`);
    await waitUntil(() => fake.signalCode !== null || fake.exitCode !== null, 'the fake runner to end', { timeoutMs: 5000 });
    expect(fake.signalCode).toBe('SIGTERM');
    await sleep(100);
    expect(isRunning(stranger.pid!)).toBe(true);
    expect(existsSync(runnersDir)).toBe(false);
  });

  test('a real runner registers itself while it runs and is gone after', async () => {
    const root = workspace('register', { 'one.test.js': "import { test } from 'vitest';\ntest('one', () => {});\n" });
    await run(root, 0);
    const dir = join(root, '.redline', 'runners');
    expect(existsSync(dir) ? spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim() : '').toBe('');
  });
});

describe('tdd.approveOnCommit', () => {
  const git = (root: string, ...args: string[]): void => {
    const result = spawnSync('git', ['-c', 'user.email=redline@example.com', '-c', 'user.name=Redline', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  };
  const hasGit = spawnSync('git', ['--version']).status === 0;

  // approveOnCommit reads git; a machine without git cannot exercise it (CI and this repo have git).
  test.skipIf(!hasGit)('YELLOW tests of files committed clean turn GREEN when HEAD moves; a dirty file stays YELLOW', async () => {
    const root = workspace('commit', {
      'redline.config.json': JSON.stringify({ tdd: { approveOnCommit: true } }),
      '.gitignore': 'node_modules\n.redline\n',
      'calc.js': calc('return a - b;'),
      'calc.test.js': calcTest(),
      'other.test.js': "import { test, expect } from 'vitest';\ntest('other', () => { expect(1).toBe(2); });\n",
    });
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'red');
    await run(root, 1);
    write(root, 'calc.js', calc('return a + b;'));
    write(root, 'other.test.js', "import { test, expect } from 'vitest';\ntest('other', () => { expect(1).toBe(1); });\n");
    await run(root, 0);
    const yellow = await phases(root);
    expect(testOf(yellow, 'calc.test.js', 'calc > adds').phase).toBe('YELLOW');
    expect(testOf(yellow, 'other.test.js', 'other').phase).toBe('YELLOW');

    git(root, 'add', 'calc.js');
    git(root, 'commit', '-qm', 'green');
    // other.test.js is changed and not committed: it must stay YELLOW.
    const result = await run(root, 0);
    expect(result.stdout).toContain('1 approved on commit');
    const after = await phases(root);
    expect(testOf(after, 'calc.test.js', 'calc > adds').phase).toBe('GREEN');
    expect(testOf(after, 'other.test.js', 'other').phase).toBe('YELLOW');

    // No new commit: nothing more is approved.
    write(root, 'calc.test.js', calcTest(SUBTRACTS));
    git(root, 'add', 'calc.test.js');
    await run(root, 0);
    expect(testOf(await phases(root), 'calc.test.js', 'calc > subtracts').phase).toBe('YELLOW');
    rmSync(join(root, '.git'), { recursive: true, force: true });
    // Not a repository any more: runs go on, silently.
    await run(root, 0);
  });
});
