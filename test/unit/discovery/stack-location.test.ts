import { describe, expect, test } from 'vitest';
import { firstUserFrame, normalizePath, stackFrames, stackLocation } from '../../../src/core/discovery/stack-location';

// Shapes copied from Vitest 4 failures (JSON reporter's failureMessages), paths changed.
const runnerFrames = [
  '    at file:///ws/node_modules/@vitest/runner/dist/chunk-artifact.js:302:11',
  '    at new Promise (<anonymous>)',
  '    at runWithCancel (file:///ws/node_modules/@vitest/runner/dist/chunk-artifact.js:2323:10)',
].join('\n');
const assertion = `AssertionError: expected 6 to be 5 // Object.is equality\n    at /tmp/ws/test/e.test.js:3:30\n${runnerFrames}`;
const thrown = `Error: kaboom\n    at boom (/tmp/ws/src/thing.js:2:9)\n    at /tmp/ws/test/e.test.js:7:3\n${runnerFrames}`;

describe('the frame in the test file', () => {
  test('an assertion in the test body', () => {
    expect(stackLocation(assertion, '/tmp/ws/test/e.test.js')).toEqual({ line: 3, column: 30 });
  });

  test('an error thrown from a source file: the test file frame below it', () => {
    expect(stackLocation(thrown, '/tmp/ws/test/e.test.js')).toEqual({ line: 7, column: 3 });
  });

  test('the topmost of several frames in the file (a helper defined in the test file)', () => {
    const stack = 'Error: x\n    at check (/w/a.test.ts:20:11)\n    at /w/a.test.ts:31:5';
    expect(stackLocation(stack, '/w/a.test.ts')).toEqual({ line: 20, column: 11 });
  });

  test('named, anonymous, async, constructor and file: URL frames', () => {
    for (const frame of [
      'at fn (/abs/path/file.ts:12:5)',
      'at /abs/path/file.ts:12:5',
      'at file:///abs/path/file.ts:12:5',
      'at async Promise.all (index 0)\n    at async fn (file:///abs/path/file.ts:12:5)',
      'at new Thing (/abs/path/file.ts:12:5)',
      'at Object.<anonymous> (/abs/path/file.ts:12:5)',
      'at Foo.bar [as baz] (/abs/path/file.ts:12:5)',
    ]) {
      expect(stackLocation(`Error: e\n    ${frame}`, '/abs/path/file.ts'), frame).toEqual({ line: 12, column: 5 });
    }
  });

  test('paths with spaces and parentheses, plain or percent-encoded in a URL', () => {
    const file = '/tmp/my ws (copy)/test/e.test.js';
    expect(stackLocation('Error\n    at /tmp/my ws (copy)/test/e.test.js:4:17', file)).toEqual({ line: 4, column: 17 });
    expect(stackLocation('Error\n    at boom (/tmp/my ws (copy)/test/e.test.js:4:17)', file)).toEqual({ line: 4, column: 17 });
    expect(stackLocation('Error\n    at file:///tmp/my%20ws%20(copy)/test/e.test.js:4:17', file)).toEqual({ line: 4, column: 17 });
  });

  test('Windows paths: backslashes, file:///C:/ URLs, drive letter and case differences', () => {
    const file = 'C:\\x\\y.test.ts';
    expect(stackLocation('Error\n    at C:\\x\\y.test.ts:3:9', file)).toEqual({ line: 3, column: 9 });
    expect(stackLocation('Error\n    at fn (C:\\x\\y.test.ts:3:9)', file)).toEqual({ line: 3, column: 9 });
    expect(stackLocation('Error\r\n    at file:///C:/x/y.test.ts:3:9', file)).toEqual({ line: 3, column: 9 });
    expect(stackLocation('Error\n    at c:/X/Y.test.ts:3:9', file)).toEqual({ line: 3, column: 9 });
    expect(stackLocation('Error\n    at \\\\srv\\share\\y.test.ts:3:9', '//srv/share/y.test.ts')).toEqual({ line: 3, column: 9 });
  });

  test('POSIX paths compare with case', () => {
    expect(stackLocation('Error\n    at /w/A.test.ts:1:1', '/w/a.test.ts')).toBeUndefined();
  });

  test('no frame in the file, another file ending the same way, or no stack at all', () => {
    expect(stackLocation(assertion, '/tmp/ws/test/other.test.js')).toBeUndefined();
    expect(stackLocation('Error\n    at /tmp/other/test/e.test.js:1:1', '/tmp/ws/test/e.test.js')).toBeUndefined();
    expect(stackLocation('Error\n    at /x/y/e.test.js:1:1', '/y/e.test.js')).toBeUndefined();
    expect(stackLocation('', '/tmp/ws/test/e.test.js')).toBeUndefined();
  });

  test('a message that names the file is not a frame', () => {
    const stack = 'Error: failed at /w/a.test.ts:9:9\n    at /w/a.test.ts:2:3';
    expect(stackLocation(stack, '/w/a.test.ts')).toEqual({ line: 2, column: 3 });
  });

  test('eval frames and frames without a location are skipped', () => {
    const stack = 'Error\n    at eval (eval at <anonymous> (/w/a.test.ts:1:2), <anonymous>:1:1)\n    at <anonymous>\n    at node:internal/process/task_queues:95:5\n    at /w/a.test.ts:5:6';
    expect(stackLocation(stack, '/w/a.test.ts')).toEqual({ line: 5, column: 6 });
    expect(stackFrames(stack).map((f) => f.file)).toEqual(['/w/a.test.ts']);
  });
});

describe('the first frame in the workspace', () => {
  test('the source file that threw, before the test file', () => {
    expect(firstUserFrame(thrown, '/tmp/ws')).toEqual({ file: '/tmp/ws/src/thing.js', line: 2, column: 9 });
  });

  test('node_modules inside the root are skipped, and so are frames outside it', () => {
    const stack = 'Error: bad\n    at lib (/tmp/ws/node_modules/dep/index.js:1:1)\n    at /elsewhere/x.js:1:1\n    at /tmp/wsx/y.js:1:1\n    at run (file:///tmp/ws/src/app.ts:10:4)';
    expect(firstUserFrame(stack, '/tmp/ws/')).toEqual({ file: '/tmp/ws/src/app.ts', line: 10, column: 4 });
  });

  test('other ignored folders, by whole path segment', () => {
    const stack = 'Error\n    at /w/.vite/deps/x.js:1:1\n    at /w/dist/out.js:2:2\n    at /w/distant/a.ts:3:3';
    expect(firstUserFrame(stack, '/w', ['node_modules', '.vite/deps', 'dist'])).toMatchObject({ file: '/w/distant/a.ts', line: 3 });
  });

  test("Windows: the file in the root's own style", () => {
    const stack = 'Error\n    at f (file:///c:/Proj/node_modules/x/i.js:1:1)\n    at g (file:///c:/Proj/src/a%20b.ts:4:2)';
    expect(firstUserFrame(stack, 'C:\\proj')).toEqual({ file: 'C:\\proj\\src\\a b.ts', line: 4, column: 2 });
    // Windows folds case in the ignore list too; with nothing ignored node_modules comes first.
    expect(firstUserFrame(stack, 'C:\\proj', ['NODE_MODULES'])).toMatchObject({ line: 4 });
    expect(firstUserFrame(stack, 'c:/proj/', [])).toEqual({ file: 'c:/proj/node_modules/x/i.js', line: 1, column: 1 });
  });

  test('nothing in the workspace', () => {
    expect(firstUserFrame(`Error\n${runnerFrames}`, '/tmp/ws')).toBeUndefined();
  });
});

describe('path normalisation', () => {
  test.each([
    ['file:///tmp/a%20b.ts', '/tmp/a b.ts'],
    ['file:///C:/x/y.ts', 'c:/x/y.ts'],
    ['C:\\x\\y.ts', 'c:/x/y.ts'],
    ['file://server/share/y.ts', '//server/share/y.ts'],
    ['file:///tmp/x.ts?v=123', '/tmp/x.ts'],
    ['file:///tmp/100%.ts', '/tmp/100%.ts'],
  ])('%s → %s', (input, expected) => expect(normalizePath(input)).toBe(expected));
});
