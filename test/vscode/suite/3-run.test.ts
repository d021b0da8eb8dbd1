// A run through the command (what "Redline: Run All Tests" does) produces the fixture's results:
// passed, failed with its assertion, skipped, todo, and the broken file as broken.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import type { RunReport } from '../../../src/protocol/report';
import { runAll, session, waitForState } from '../helpers';

suite('run all', () => {
  let report: RunReport;

  suiteSetup(async () => {
    const s = await session();
    report = await runAll(s);
  });

  const testState = (file: string, fullName: string): string | undefined =>
    report.files.find((f) => f.path === file)?.tests.find((t) => t.fullName === fullName)?.state;

  test('passing tests pass', () => {
    assert.equal(testState('math.test.js', 'math > add > adds two numbers'), 'passed');
    assert.equal(testState('math.test.js', 'divides'), 'passed');
    assert.equal(testState('strings.test.js', 'concatenates'), 'passed');
  });

  test('the failing test fails with its assertion', () => {
    const failed = report.files.find((f) => f.path === 'strings.test.js')?.tests.find((t) => t.fullName === 'compares strings');
    assert.equal(failed?.state, 'failed');
    assert.match(failed?.error?.message ?? '', /abd|abc/);
  });

  test('skip, todo and the broken file are reported as such', () => {
    assert.equal(testState('strings.test.js', 'is skipped'), 'skipped');
    assert.equal(testState('strings.test.js', 'is still to be written'), 'todo');
    assert.equal(report.files.find((f) => f.path === 'broken.test.js')?.state, 'broken');
    assert.deepEqual(
      { files: report.summary.files, passed: report.summary.passed, failed: report.summary.failed, broken: report.summary.broken },
      { files: 3, passed: 1, failed: 1, broken: 1 },
    );
  });

  test('the runner is ready again after the run, and the run was measured', async () => {
    const s = await session();
    await waitForState(s, ['ready'], 10_000);
    assert.ok(report.memory.peakBytes > 0, 'peak memory measured');
    assert.ok(s.memoryHistory().length > 0 || s.latestMemory(), 'memory samples reached the extension');
  });
});
