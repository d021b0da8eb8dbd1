import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/cli/config-file';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'redline-config-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const write = (text: string) => writeFileSync(join(root, 'redline.config.json'), text);

function syntaxMessage(text: string): string {
  write(text);
  const result = loadConfigFile(root);
  if (result.ok) throw new Error('expected a syntax error');
  expect(result.errors).toHaveLength(1);
  return result.errors[0]!.message;
}

describe('loadConfigFile', () => {
  it('treats a missing file as empty input', () => {
    expect(loadConfigFile(root)).toEqual({ ok: true, input: {} });
  });

  it('treats an empty file as empty input', () => {
    write('  \n');
    expect(loadConfigFile(root)).toEqual({ ok: true, input: {}, path: join(root, 'redline.config.json') });
  });

  it('reads a valid file, byte-order mark and all', () => {
    write('\uFEFF{ "memory": { "limitMB": 2048 } }');
    expect(loadConfigFile(root)).toEqual({ ok: true, input: { memory: { limitMB: 2048 } }, path: join(root, 'redline.config.json') });
  });

  it('names the file, line and column of a syntax error, and what to do', () => {
    write('{\n  "memory": {\n    "limitMB": 2048,\n  }\n}\n');
    expect(loadConfigFile(root)).toEqual({
      ok: false,
      errors: [
        {
          key: '',
          value: undefined,
          expected: 'valid JSON',
          source: 'redline.config.json',
          message:
            'redline.config.json: line 3, column 20: a comma before "}" is not allowed in JSON — fix the file, or delete it to use the defaults.',
        },
      ],
    });
  });

  it('says what is wrong in words for the usual slips', () => {
    expect(syntaxMessage('{\n  // limit\n  "memory": {}\n}')).toBe(
      'redline.config.json: line 2, column 3: comments are not allowed in JSON — fix the file, or delete it to use the defaults.',
    );
    expect(syntaxMessage("{ 'run': {} }")).toBe(
      'redline.config.json: line 1, column 3: strings need double quotes (") in JSON — fix the file, or delete it to use the defaults.',
    );
    expect(syntaxMessage('{ run: {} }')).toContain('line 1, column 3: expected a property name in double quotes, found "r"');
    expect(syntaxMessage('{ "run": { "workers": tru } }')).toContain('line 1, column 23: expected a value, found "t"');
    expect(syntaxMessage('{ "a": 1 "b": 2 }')).toContain('line 1, column 10: expected "," or "}", found "\\""');
    expect(syntaxMessage('[1, 2')).toContain('line 1, column 6: the file ends where "," or "]" should come');
    expect(syntaxMessage('{ "a": "x\n" }')).toContain('line 1, column 10: a string runs past the end of its line');
    expect(syntaxMessage('{}\n{}')).toContain('line 2, column 1: expected the end of the file, found "{"');
    expect(syntaxMessage('{ "a": "c:\\q" }')).toContain('line 1, column 11: an unknown escape sequence in a string');
    expect(syntaxMessage('{ "a": 01 }')).toContain('line 1, column 9: expected "," or "}", found "1"');
  });

  it('reports a file it cannot read instead of throwing', () => {
    mkdirSync(join(root, 'redline.config.json'));
    const result = loadConfigFile(root);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors[0]!.message).toBe(
        'redline.config.json could not be read (EISDIR) — check that it is a readable file, or delete it to use the defaults.',
      );
    }
  });
});
