// A temp workspace with an import graph, shared by the affected, watch and gate suites: a Vite
// alias (`@lib`), a re-export, `export *`, a dynamic `import()` of a literal and a cycle, so each
// test file's import closure is known in advance:
//
//   test/a.test.js ─▶ src/index.js ─(export { x } from)─▶ src/x.js
//   test/b.test.js ─▶ @lib/deep.js = src/lib/deep.js ─▶ src/all.js ─(export *)─▶ src/x.js
//   test/c.test.js ─▶ src/dyn.js ─(import('./x.js'))─▶ src/x.js
//   test/d.test.js ─▶ src/c2.js ⇄ src/c1.js          (a cycle)
//   test/e.test.js ─▶ src/lone.js
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, makeTempDir, REPO_ROOT } from './helpers';

export const ALL_TESTS = ['test/a.test.js', 'test/b.test.js', 'test/c.test.js', 'test/d.test.js', 'test/e.test.js'];

export const FILES: Readonly<Record<string, string>> = {
  'package.json': JSON.stringify({ name: 'redline-graph', private: true, type: 'module' }),
  'vitest.config.js': [
    "import { defineConfig } from 'vitest/config';",
    "import { fileURLToPath } from 'node:url';",
    'export default defineConfig({',
    "  resolve: { alias: { '@lib': fileURLToPath(new URL('./src/lib', import.meta.url)) } },",
    "  test: { include: ['test/**/*.test.js'] },",
    '});',
    '',
  ].join('\n'),
  '.gitignore': 'node_modules\n.redline\n',
  'src/x.js': 'export const x = () => 1;\n',
  'src/index.js': "export { x } from './x.js';\nexport const other = 2;\n",
  'src/all.js': "export * from './x.js';\n",
  'src/lib/deep.js': "import { x } from '../all.js';\nexport const deep = () => x() + 1;\n",
  'src/dyn.js': "export const later = async () => (await import('./x.js')).x();\n",
  'src/c1.js': "import { c2 } from './c2.js';\nexport const c1 = () => 'c1:' + typeof c2;\n",
  'src/c2.js': "import { c1 } from './c1.js';\nexport const c2 = () => c1();\n",
  'src/lone.js': 'export const lone = 5;\n',
  'test/a.test.js': "import { test, expect } from 'vitest';\nimport { x } from '../src/index.js';\ntest('a', () => expect(x()).toBe(1));\n",
  'test/b.test.js': "import { test, expect } from 'vitest';\nimport { deep } from '@lib/deep.js';\ntest('b', () => expect(deep()).toBe(2));\n",
  'test/c.test.js': "import { test, expect } from 'vitest';\nimport { later } from '../src/dyn.js';\ntest('c', async () => expect(await later()).toBe(1));\n",
  'test/d.test.js': "import { test, expect } from 'vitest';\nimport { c2 } from '../src/c2.js';\ntest('d', () => expect(c2()).toBe('c1:function'));\n",
  'test/e.test.js': "import { test, expect } from 'vitest';\nimport { lone } from '../src/lone.js';\ntest('e', () => expect(lone).toBe(5));\n",
};

export interface WorkspaceOptions {
  /** `git init` and a first commit of everything. */
  readonly git?: boolean;
  /**
   * A node_modules folder of links to this repository's packages plus `.bin/redline`, so that
   * `npx --no-install redline` (the pre-commit hook) finds the CLI under test. Otherwise
   * node_modules is one link to this repository's.
   */
  readonly redlineBin?: boolean;
}

export function graphWorkspace(label: string, options: WorkspaceOptions = {}): string {
  const dir = makeTempDir(label);
  for (const [name, text] of Object.entries(FILES)) write(dir, name, text);
  const modules = join(REPO_ROOT, 'node_modules');
  if (options.redlineBin) {
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    for (const entry of readdirSync(modules)) if (entry !== '.bin') symlinkSync(join(modules, entry), join(dir, 'node_modules', entry));
    symlinkSync(join(REPO_ROOT, 'dist', 'cli.js'), join(dir, 'node_modules', '.bin', 'redline'));
  } else {
    symlinkSync(modules, join(dir, 'node_modules'), 'dir');
  }
  if (options.git) {
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'init');
  }
  return dir;
}

export function write(dir: string, name: string, text: string): void {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), text);
}

/** git with a fixed identity and no user or system config (hooks, signing, templates). */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@redline.invalid', '-c', 'user.name=Redline Test', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
    // Piped, so a failing command's output (a hook's) is in the error, not on the suite's stderr.
    stdio: ['ignore', 'pipe', 'pipe'],
    // The hook git runs is the CLI under test: it gets the CLI's clean environment (no colour,
    // whatever FORCE_COLOR the CI or the suite set), so its output can be matched as text.
    env: { ...cliEnv(), GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
  });
}
