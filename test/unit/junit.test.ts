import { describe, expect, it } from 'vitest';
import type { FileReport, RunReport } from '../../src/protocol/report';
import { RunReportSchema } from '../../src/protocol/report';
import { RUN_SUITE, SyntheticCase, describeStop, toJUnitXml, xmlSafe } from '../../src/core/junit';
import { summarize } from '../../src/core/report-summary';

// ---------------------------------------------------------------------------------------------
// A deliberately strict little XML 1.0 reader: no XML parser is installed, and the point of the
// test is that a real one would accept the output. It rejects unbalanced or mismatched tags,
// bare '&' and '<', unknown entities, duplicate attributes, characters XML forbids, and anything
// but one root element.

interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const NAME = /[A-Za-z_:][\w:.-]*/y;
const ATTR = /\s+([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;]*);|&/g, (_whole, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare '&' at ${where}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ref in named) return named[ref];
    const code = /^#x([0-9a-f]+)$/i.exec(ref)?.[1] ?? /^#([0-9]+)$/.exec(ref)?.[1];
    if (code === undefined) throw new Error(`unknown entity &${ref}; at ${where}`);
    const cp = ref.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
    const ch = String.fromCodePoint(cp);
    if (FORBIDDEN.test(ch)) throw new Error(`reference to a forbidden character at ${where}`);
    return ch;
  });
}

function parseXml(xml: string): XmlElement {
  const bad = FORBIDDEN.exec(xml);
  if (bad) throw new Error(`forbidden character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`);
  if (/[\ud800-\udfff]/u.test(xml)) throw new Error('lone surrogate');
  let pos = 0;
  const decl = /^<\?xml[^?]*\?>/.exec(xml);
  if (decl) pos = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const text = xml.slice(pos, lt === -1 ? xml.length : lt);
    if (text.includes(']]>')) throw new Error(`']]>' in text at ${pos}`);
    const top = stack.at(-1);
    if (top) top.text += decode(text, pos);
    else if (text.trim() !== '') throw new Error(`text outside the root at ${pos}`);
    if (lt === -1) break;
    pos = lt;
    if (xml.startsWith('</', pos)) {
      NAME.lastIndex = pos + 2;
      const name = NAME.exec(xml)?.[0];
      const open = stack.pop();
      if (!name || !open || open.name !== name) throw new Error(`</${name}> does not close <${open?.name}> at ${pos}`);
      pos = NAME.lastIndex;
      const end = /\s*>/y;
      end.lastIndex = pos;
      if (!end.exec(xml)) throw new Error(`bad end tag at ${pos}`);
      pos = end.lastIndex;
      continue;
    }
    NAME.lastIndex = pos + 1;
    const name = NAME.exec(xml)?.[0];
    if (!name) throw new Error(`bad tag at ${pos}`);
    pos = NAME.lastIndex;
    const attrs: Record<string, string> = {};
    for (;;) {
      ATTR.lastIndex = pos;
      const m = ATTR.exec(xml);
      if (!m) break;
      if (m[1] in attrs) throw new Error(`duplicate attribute ${m[1]} at ${pos}`);
      // Attribute-value normalisation: literal whitespace becomes a space, references survive.
      attrs[m[1]] = decode((m[2] ?? m[3]).replace(/[\t\n\r]/g, ' '), pos);
      pos = ATTR.lastIndex;
    }
    const close = /\s*(\/?)>/y;
    close.lastIndex = pos;
    const c = close.exec(xml);
    if (!c) throw new Error(`unterminated tag <${name}> at ${pos}`);
    pos = close.lastIndex;
    const element: XmlElement = { name, attrs, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new Error(`second root <${name}>`);
    else root = element;
    if (c[1] !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
const kid = (el: XmlElement, name: string) => kids(el, name)[0];

describe('the test XML reader', () => {
  it('accepts well-formed XML and rejects what a real parser would', () => {
    expect(parseXml('<a x="1 &amp; 2"><b/>t&lt;</a>').attrs.x).toBe('1 & 2');
    expect(() => parseXml('<a><b></a></b>')).toThrow();
    expect(() => parseXml('<a>')).toThrow();
    expect(() => parseXml('<a>&</a>')).toThrow();
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow();
    expect(() => parseXml('<a x="<"/>')).toThrow();
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow();
    expect(() => parseXml('<a>\u0000</a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------

const GB = 1024 ** 3;
const ESC = '\u001b';

function fileReport(path: string, rest: Partial<FileReport> & Pick<FileReport, 'state'>): FileReport {
  return { path, cached: false, durationMs: 1234, peakRssBytes: 200 * 1024 * 1024, tests: [], ...rest };
}

const files: FileReport[] = [
  fileReport('test/passed.test.ts', {
    state: 'passed',
    cached: true,
    project: 'web',
    tests: [
      { name: 'a', fullName: 'math > a', state: 'passed', durationMs: 5 },
      { name: 'b', fullName: 'math > b', state: 'passed', durationMs: 1500 },
      { name: 'c', fullName: 'math > c', state: 'todo', durationMs: 0 },
      { name: 'd', fullName: 'math > d', state: 'skipped', durationMs: 0 },
    ],
  }),
  fileReport('test/failed.test.ts', {
    state: 'failed',
    errors: [{ message: 'Unhandled rejection in afterAll' }],
    tests: [
      { name: 'ok', fullName: 'ok', state: 'passed', durationMs: 1 },
      {
        name: 'compares <tags> & "quotes"',
        fullName: "parser > compares <tags> & \"quotes\" it's",
        state: 'failed',
        durationMs: 12,
        error: {
          message: `expected ${ESC}[31m<a href="x">${ESC}[39m & 'b'\u0000 to equal\nsecond line\u0007 ${ESC}]8;;http://x${ESC}\\link${ESC}]8;;${ESC}\\`,
          expected: '<b>',
          actual: '<a> ]]> \ud83d',
          stack: 'AssertionError: expected <a> to equal <b>\n    at test/failed.test.ts:3:5',
        },
      },
    ],
  }),
  fileReport('test/broken.test.ts', {
    state: 'broken',
    errors: [{ message: "Cannot find module './missing'", stack: "Error: Cannot find module './missing'\n    at import" }],
  }),
  fileReport('test/leak.test.ts', {
    state: 'stopped',
    stopped: { reason: 'memory', test: 'grows > forever', rssBytes: 1.02 * GB, atMs: 5000 },
    tests: [
      { name: 'first', fullName: 'grows > first', state: 'passed', durationMs: 3 },
      { name: 'forever', fullName: 'grows > forever', state: 'stopped', durationMs: 900 },
      { name: 'later', fullName: 'grows > later', state: 'skipped', durationMs: 0 },
    ],
  }),
  fileReport('test/spin.test.ts', {
    state: 'stopped',
    durationMs: 30_000,
    stopped: { reason: 'timeout', rssBytes: 100 * 1024 * 1024, atMs: 31_000 },
  }),
  fileReport('test/skipped.test.ts', {
    state: 'skipped',
    tests: [
      { name: 'x', fullName: 'x', state: 'skipped', durationMs: 0 },
      { name: 'y', fullName: 'y', state: 'todo', durationMs: 0 },
    ],
  }),
  fileReport('test/empty-skip.test.ts', { state: 'skipped' }),
  fileReport('test/never.test.ts', { state: 'notrun', durationMs: 0, peakRssBytes: 0 }),
  fileReport('test/never-known.test.ts', {
    state: 'notrun',
    durationMs: 0,
    peakRssBytes: 0,
    tests: [
      { name: 'p', fullName: 'p', state: 'skipped', durationMs: 0 },
      { name: 'q', fullName: 'q', state: 'skipped', durationMs: 0 },
    ],
  }),
];

const report: RunReport = RunReportSchema.parse({
  version: 1,
  root: '/work/project',
  startedAt: '2025-03-04T05:06:07.891Z',
  durationMs: 42_500,
  summary: summarize(files),
  files,
  memory: { limitBytes: GB, peakBytes: 1.02 * GB, tiers: [{ tier: 'terminal', atMs: 5000, rssBytes: 1.02 * GB }] },
  leaks: [{ file: 'test/passed.test.ts', bytesPerTest: 1536, fit: 0.987, totalBytes: 1536 * 40, samples: 40 }],
  orphans: [{ pid: 4242, command: 'node server.js --name "<x>" & sleep', file: 'test/leak.test.ts' }],
  cache: { hits: 1, misses: 8 },
  errors: [{ message: 'globalSetup failed', stack: 'TypeError: x is undefined\n    at setup.ts:1:1' }],
});

const xml = toJUnitXml(report);
const root = parseXml(xml);
const suites = kids(root, 'testsuite');
const suite = (name: string) => {
  const found = suites.find((s) => s.attrs.name === name);
  if (!found) throw new Error(`no suite ${name}`);
  return found;
};
const testcase = (suiteName: string, name: string) => {
  const found = kids(suite(suiteName), 'testcase').find((c) => c.attrs.name === name);
  if (!found) throw new Error(`no testcase ${name} in ${suiteName}`);
  return found;
};

describe('toJUnitXml', () => {
  it('writes a well-formed document with an XML declaration and a <testsuites name="redline"> root', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.name).toBe('testsuites');
    expect(root.attrs.name).toBe('redline');
    expect(root.attrs.time).toBe('42.500');
  });

  it('has one suite per file, named by path, plus one for the run', () => {
    expect(suites.map((s) => s.attrs.name)).toEqual([...files.map((f) => f.path), RUN_SUITE]);
  });

  it('counts that agree with the testcases, per suite and in total', () => {
    const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const s of suites) {
      const cases = kids(s, 'testcase');
      const counts = {
        tests: cases.length,
        failures: cases.filter((c) => kid(c, 'failure')).length,
        errors: cases.filter((c) => kid(c, 'error')).length,
        skipped: cases.filter((c) => kid(c, 'skipped')).length,
      };
      expect(s.attrs, s.attrs.name).toMatchObject({
        tests: String(counts.tests),
        failures: String(counts.failures),
        errors: String(counts.errors),
        skipped: String(counts.skipped),
      });
      total.tests += counts.tests;
      total.failures += counts.failures;
      total.errors += counts.errors;
      total.skipped += counts.skipped;
    }
    expect(total).toEqual({ tests: 19, failures: 1, errors: 5, skipped: 9 });
    expect(root.attrs).toMatchObject({ tests: '19', failures: '1', errors: '5', skipped: '9' });
  });

  it('gives suites a zone-less timestamp and times in seconds', () => {
    const s = suite('test/passed.test.ts');
    expect(s.attrs.timestamp).toBe('2025-03-04T05:06:07');
    expect(s.attrs.time).toBe('1.234');
    expect(testcase('test/passed.test.ts', 'math > b').attrs.time).toBe('1.500');
  });

  it('writes passed, todo and skipped tests with the file as classname and the full name', () => {
    const cases = kids(suite('test/passed.test.ts'), 'testcase');
    expect(cases.map((c) => [c.attrs.classname, c.attrs.name])).toEqual([
      ['test/passed.test.ts', 'math > a'],
      ['test/passed.test.ts', 'math > b'],
      ['test/passed.test.ts', 'math > c'],
      ['test/passed.test.ts', 'math > d'],
    ]);
    expect(cases[0].children).toEqual([]);
    expect(kid(cases[2], 'skipped').attrs.message).toBe('todo');
    expect(kid(cases[3], 'skipped')).toBeDefined();
  });

  it('marks cached files and carries the project and leak figures as properties', () => {
    const props = kids(kid(suite('test/passed.test.ts'), 'properties'), 'property');
    const byName = Object.fromEntries(props.map((p) => [p.attrs.name, p.attrs.value]));
    expect(byName['redline.cached']).toBe('true');
    expect(byName['redline.project']).toBe('web');
    expect(byName['redline.state']).toBe('passed');
    expect(byName['redline.leak']).toContain('1.5 KB per test');
    const uncached = kids(kid(suite('test/failed.test.ts'), 'properties'), 'property');
    expect(uncached.some((p) => p.attrs.name === 'redline.cached')).toBe(false);
  });

  it('writes a failed test as <failure> with message, type, expected/actual and stack, escaped', () => {
    const failure = kid(testcase('test/failed.test.ts', "parser > compares <tags> & \"quotes\" it's"), 'failure');
    expect(failure.attrs.type).toBe('AssertionError');
    // ANSI colours and hyperlinks gone, NUL and BEL stripped, markup characters intact, the
    // line break kept as a character reference.
    expect(failure.attrs.message).toBe(`expected <a href="x"> & 'b' to equal\nsecond line link`);
    expect(failure.text).toContain(`expected <a href="x"> & 'b' to equal\nsecond line link`);
    expect(failure.text).toContain('Expected: <b>\nActual: <a> ]]> \ufffd');
    expect(failure.text).toContain('AssertionError: expected <a> to equal <b>\n    at test/failed.test.ts:3:5');
    expect(xml).not.toContain(ESC);
    expect(xml).not.toContain(']]>');
  });

  it('gives errors outside tests a testcase of their own so CI does not show the file green', () => {
    const error = kid(testcase('test/failed.test.ts', SyntheticCase.fileErrors), 'error');
    expect(error.attrs.message).toBe('Unhandled rejection in afterAll');
  });

  it('writes a broken file as one "(file could not load)" testcase with <error>', () => {
    const cases = kids(suite('test/broken.test.ts'), 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['(file could not load)']);
    const error = kid(cases[0], 'error');
    expect(error.attrs.message).toBe("Cannot find module './missing'");
    expect(error.text).toContain('at import');
  });

  it('puts a memory stop on the test that was running, and skips the tests it cut off', () => {
    const error = kid(testcase('test/leak.test.ts', 'grows > forever'), 'error');
    expect(error.attrs.type).toBe('stopped:memory');
    expect(error.attrs.message).toBe("stopped by Redline: memory 1.02 GB of 1.00 GB limit while running 'grows > forever'");
    expect(error.text).toContain('Memory at stop: 1.02 GB (limit 1.00 GB)');
    expect(testcase('test/leak.test.ts', 'grows > first').children).toEqual([]);
    expect(kid(testcase('test/leak.test.ts', 'grows > later'), 'skipped')).toBeDefined();
  });

  it('names a synthetic testcase after the file when a stop names no test', () => {
    const error = kid(testcase('test/spin.test.ts', 'test/spin.test.ts'), 'error');
    expect(error.attrs.type).toBe('stopped:timeout');
    expect(error.attrs.message).toBe('stopped by Redline: timeout, no progress after 30.0 s');
  });

  it('names the synthetic testcase after the stopped test when the report lists no such test', () => {
    const lone = fileReport('test/x.test.ts', { state: 'stopped', stopped: { reason: 'memory', test: 'big', rssBytes: GB, atMs: 1 } });
    const doc = parseXml(toJUnitXml({ ...report, files: [lone], errors: [], orphans: [] }));
    const cases = kids(kid(doc, 'testsuite'), 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['big']);
    expect(kid(cases[0], 'error').attrs.type).toBe('stopped:memory');
  });

  it('writes skipped files as skipped testcases, with a synthetic one when no test is known', () => {
    expect(kids(suite('test/skipped.test.ts'), 'testcase').every((c) => kid(c, 'skipped'))).toBe(true);
    expect(kid(testcase('test/empty-skip.test.ts', SyntheticCase.skipped), 'skipped')).toBeDefined();
  });

  it('writes a file that never ran as <skipped message="not run"/>', () => {
    expect(kid(testcase('test/never.test.ts', '(file not run)'), 'skipped').attrs.message).toBe('not run');
    for (const c of kids(suite('test/never-known.test.ts'), 'testcase')) {
      expect(kid(c, 'skipped').attrs.message).toBe('not run');
    }
  });

  it('lists leftover processes and run errors in a suite of the run', () => {
    const run = suite(RUN_SUITE);
    expect(kid(run, 'system-err').text).toContain('pid 4242 (from test/leak.test.ts): node server.js --name "<x>" & sleep');
    const error = kid(testcase(RUN_SUITE, SyntheticCase.runErrors), 'error');
    expect(error.attrs).toMatchObject({ message: 'globalSetup failed', type: 'TypeError' });
  });

  it('adds no run suite when the run has neither errors nor leftovers', () => {
    const clean = toJUnitXml({ ...report, files: [files[0]], errors: undefined, orphans: [] });
    expect(kids(parseXml(clean), 'testsuite').map((s) => s.attrs.name)).toEqual(['test/passed.test.ts']);
  });

  it('writes an empty run as an empty, valid <testsuites>', () => {
    const doc = parseXml(toJUnitXml({ ...report, files: [], errors: [], orphans: [], leaks: [] }));
    expect(doc.attrs).toMatchObject({ tests: '0', failures: '0', errors: '0', skipped: '0' });
    expect(doc.children).toEqual([]);
  });
});

describe('describeStop', () => {
  it('says what the guard saw, without a test when none is known', () => {
    const f = fileReport('a.test.ts', { state: 'stopped', stopped: { reason: 'memory', rssBytes: 1.5 * GB, atMs: 0 } });
    expect(describeStop(f, 2 * GB)).toBe('stopped by Redline: memory 1.50 GB of 2.00 GB limit');
    expect(describeStop(fileReport('a.test.ts', { state: 'stopped' }), GB)).toBe('stopped by Redline');
  });
});

describe('xmlSafe', () => {
  it('strips ANSI codes and XML-illegal characters and keeps tab, LF, CR and astral characters', () => {
    expect(xmlSafe(`${ESC}[1m${ESC}[31mred${ESC}[0m\u009b2Kx`)).toBe('redx');
    expect(xmlSafe('a\u0000b\u0008c\u000bd\u001fe\ufffef')).toBe('abcdef');
    expect(xmlSafe('t\tl\nc\r😀')).toBe('t\tl\nc\r😀');
    expect(xmlSafe('cut \ud83d')).toBe('cut \ufffd');
  });
});
