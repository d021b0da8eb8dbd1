import { describe, expect, test } from 'vitest';
import { keyActions } from '../../src/cli/watch-keys';

describe('watch keys (raw mode)', () => {
  test('a, f, q and their capitals; h and ? for help', () => {
    expect(keyActions('a')).toEqual(['all']);
    expect(keyActions('F')).toEqual(['failed']);
    expect(keyActions('q')).toEqual(['quit']);
    expect(keyActions('Q')).toEqual(['quit']);
    expect(keyActions('h')).toEqual(['help']);
    expect(keyActions('?')).toEqual(['help']);
  });
  test('Ctrl-C and Ctrl-D quit: in raw mode they arrive as bytes, not signals', () => {
    expect(keyActions('\u0003')).toEqual(['quit']);
    expect(keyActions('\u0004')).toEqual(['quit']);
  });
  test('other keys do nothing', () => {
    expect(keyActions('x')).toEqual([]);
    expect(keyActions('\r')).toEqual([]);
    expect(keyActions(' ')).toEqual([]);
  });
  test('a chunk of several keys gives each action in order', () => {
    expect(keyActions('afq')).toEqual(['all', 'failed', 'quit']);
  });
  test('escape sequences (arrows, function keys, Alt-a) are not our keys', () => {
    expect(keyActions('\u001b[A')).toEqual([]);
    expect(keyActions('\u001b[15~')).toEqual([]);
    expect(keyActions('\u001ba')).toEqual([]);
    expect(keyActions('\u001b[Bf')).toEqual(['failed']);
  });
});
