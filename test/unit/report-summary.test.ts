import { describe, expect, it } from 'vitest';
import type { FileReport, FileState } from '../../src/protocol/report';
import { SummarySchema } from '../../src/protocol/report';
import { ExitCode, exitCodeFor, summarize } from '../../src/core/report-summary';

function file(state: FileState, cached = false): FileReport {
  return { path: `test/${state}.test.ts`, state, cached, durationMs: 10, peakRssBytes: 1024, tests: [] };
}

describe('summarize', () => {
  it('counts every file state, and cached files apart from them', () => {
    const files = [
      file('passed'),
      file('passed', true),
      file('failed', true),
      file('broken'),
      file('stopped'),
      file('skipped'),
      file('notrun'),
      file('notrun'),
    ];
    const summary = summarize(files);
    expect(summary).toEqual({ files: 8, passed: 2, failed: 1, broken: 1, stopped: 1, skipped: 1, notrun: 2, cached: 2 });
    expect(SummarySchema.parse(summary)).toEqual(summary);
  });

  it('adds up: the states sum to the number of files', () => {
    const { files, cached: _cached, ...states } = summarize([file('passed', true), file('failed'), file('notrun')]);
    expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(files);
  });

  it('gives all zeros for no files', () => {
    expect(summarize([])).toEqual({ files: 0, passed: 0, failed: 0, broken: 0, stopped: 0, skipped: 0, notrun: 0, cached: 0 });
  });
});

describe('exitCodeFor', () => {
  it('has the exit codes of the design', () => {
    expect(ExitCode).toEqual({ ok: 0, failed: 1, stopped: 2, usage: 3, internal: 4 });
  });

  it('is 0 when every file passed, cached or not', () => {
    expect(exitCodeFor({ files: [file('passed'), file('passed', true)] })).toBe(0);
  });

  it('is 0 for skipped files and for no files at all', () => {
    expect(exitCodeFor({ files: [file('passed'), file('skipped')] })).toBe(0);
    expect(exitCodeFor({ files: [] })).toBe(0);
    expect(exitCodeFor({ files: [], errors: [] })).toBe(0);
  });

  it('is 1 for a failed or a broken file', () => {
    expect(exitCodeFor({ files: [file('passed'), file('failed')] })).toBe(1);
    expect(exitCodeFor({ files: [file('broken')] })).toBe(1);
  });

  it('is 1 when a file was not run: the run did not finish', () => {
    expect(exitCodeFor({ files: [file('passed'), file('notrun')] })).toBe(1);
  });

  it('is 1 for errors of the run itself, even when every file passed', () => {
    expect(exitCodeFor({ files: [file('passed')], errors: [{ message: 'globalSetup failed' }] })).toBe(1);
  });

  it('is 2 when any file was stopped, whatever else happened', () => {
    expect(exitCodeFor({ files: [file('failed'), file('broken'), file('stopped'), file('notrun')] })).toBe(2);
    expect(exitCodeFor({ files: [file('stopped')], errors: [{ message: 'x' }] })).toBe(2);
  });
});
