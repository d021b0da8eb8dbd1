// A runaway test (memory grows without bound) is stopped by the memory guard, which names the
// test; the other files still run, and the runner is ready afterwards.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { RunReport } from '../../../src/protocol/report';
import { removeWritten, runAll, session, waitForState, writeWorkspaceFile } from '../helpers';

// The allocator of test/fixtures/runaway (really resident memory, yielding every iteration), read
// from the fixture itself; the suite is bundled to dist-test/vscode/, two levels below the repo.
const RUNAWAY_TEST = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'runaway', 'runaway.test.js'), 'utf8');

suite('runaway test', () => {
  let report: RunReport;

  suiteSetup(async () => {
    // A 1 GB limit keeps the runaway small on any machine.
    writeWorkspaceFile('redline.config.json', JSON.stringify({ memory: { limitMB: 1024 } }, null, 2));
    writeWorkspaceFile('zz-runaway.test.js', RUNAWAY_TEST);
    const s = await session();
    report = await runAll(s);
  });

  suiteTeardown(() => removeWritten());

  test('the runaway file is stopped for memory, naming the test', () => {
    const file = report.files.find((f) => f.path === 'zz-runaway.test.js');
    assert.equal(file?.state, 'stopped', JSON.stringify(file));
    assert.equal(file?.stopped?.reason, 'memory');
    assert.equal(file?.stopped?.test, 'hoards memory');
    assert.equal(file?.tests.find((t) => t.fullName === 'warms up')?.state, 'passed');
    assert.equal(report.memory.limitBytes, 1024 * 1024 * 1024);
  });

  test('the guard said which test it stopped', async () => {
    const s = await session();
    const stop = s.guardActions().find((g) => g.action === 'stop');
    assert.ok(stop, `a guard "stop" action (actions: ${s.guardActions().map((g) => g.action).join(', ')})`);
    assert.equal(stop.test, 'hoards memory');
    assert.match(stop.file ?? '', /zz-runaway\.test\.js$/);
  });

  test('the other files still ran, and the runner is ready again', async () => {
    assert.equal(report.files.find((f) => f.path === 'math.test.js')?.state, 'passed');
    await waitForState(await session(), ['ready'], 15_000);
  });
});
