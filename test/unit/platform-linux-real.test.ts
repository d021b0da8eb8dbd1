// The Linux platform against the real kernel: one idle Node child, found by its marker, measured
// and stopped. Kept small and loose on timing; everything finer is in platform-linux.test.ts.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { stopProcesses } from '../../src/runner/kill-tree';
import { createLinuxPlatform } from '../../src/runner/platform/linux';

// Reads /proc of real processes: Linux only; macOS and Windows are unit-tested with recorded output.
describe.runIf(process.platform === 'linux')('Linux platform on real processes', () => {
  const platform = createLinuxPlatform();
  let child: ChildProcess | undefined;

  afterAll(() => {
    // Never leave the child behind, whatever failed above.
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  });

  it('finds, measures and stops a marked child', async () => {
    child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      env: { ...process.env, REDLINE_TEST_MARK: 'xyz' },
      stdio: 'ignore',
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('spawn failed');
    const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
    // Give Node a moment to start, so its memory is that of a running interpreter.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const table = await platform.listProcesses(['REDLINE_TEST_MARK']);
    const found = table.find((p) => p.pid === pid);
    expect(found).toMatchObject({ ppid: process.pid, markers: { REDLINE_TEST_MARK: 'xyz' } });
    expect(found?.command).toContain('setInterval');
    expect(table.find((p) => p.pid === process.pid)?.markers?.REDLINE_TEST_MARK).toBeUndefined();

    const rss = (await platform.sampleRss([pid])).get(pid) ?? 0;
    expect(rss).toBeGreaterThan(1024 * 1024);
    expect(await platform.peakRss(pid)).toBeGreaterThanOrEqual(rss);
    expect(platform.totalMemoryBytes()).toBeGreaterThan(rss);

    const result = await stopProcesses(platform, [pid], { graceMs: 2000 });
    expect(result.killed).toEqual([pid]);
    await exited;
    expect(platform.isAlive(pid)).toBe(false);
    expect((await platform.sampleRss([pid])).has(pid)).toBe(false);
  });
});
