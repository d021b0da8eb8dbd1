import { describe, expect, it } from 'vitest';
import { COMMANDS, PANELS } from '../../src/protocol/commands';
import { commandCall, isAllowedFor, PANEL_COMMANDS } from '../../src/extension/panels/command-call';
import { CommandMessageSchema, isStateMessage, isWebviewMessage, parseWebviewMessage, stateMessage, type CommandMessage } from '../../src/protocol/webview';

const parse = (data: unknown) => parseWebviewMessage(data);

describe('parseWebviewMessage', () => {
  it('accepts the messages a panel sends', () => {
    const valid: unknown[] = [
      { type: 'ready' },
      { type: 'error', message: 'boom', stack: 'Error: boom\n    at x' },
      { type: 'openSettings', query: 'redline.leaks.enabled' },
      { type: 'command', command: 'redline.approve', args: { file: 'src/a.test.ts' } },
      { type: 'command', command: 'redline.approve', args: { file: 'src/a.test.ts', fullName: 'math > adds' } },
      { type: 'command', command: 'redline.openFile', args: { path: 'src/a.test.ts', line: 12 } },
      { type: 'command', command: 'redline.openHeapSnapshot', args: { path: '/w/.redline/snapshots/a.heapsnapshot' } },
      { type: 'command', command: 'redline.restore', args: { id: '20250514T115500000Z' } },
      { type: 'command', command: 'redline.backup', args: { label: '' } },
      { type: 'command', command: 'redline.pruneBackups' },
      { type: 'command', command: 'redline.resetSoft' },
      { type: 'command', command: 'redline.resetHard' },
      { type: 'command', command: 'redline.freeMemory' },
      { type: 'command', command: 'redline.restartRunner' },
      { type: 'command', command: 'redline.emergencyStop' },
      { type: 'command', command: 'redline.runAll' },
      { type: 'command', command: 'redline.showLog' },
    ];
    for (const message of valid) {
      const result = parse(message);
      expect(result, JSON.stringify(message)).toEqual({ ok: true, message });
      expect(isWebviewMessage(message)).toBe(true);
    }
  });

  it('rejects anything else, with a reason for the log', () => {
    const invalid: unknown[] = [
      null,
      'ready',
      {},
      { type: 'reday' },
      { type: 'ready', extra: 1 },
      { type: 'command', command: 'workbench.action.terminal.new' },
      { type: 'command', command: 'redline.approve' },
      { type: 'command', command: 'redline.approve', args: { file: '' } },
      { type: 'command', command: 'redline.approve', args: { file: 'a', fullName: 'x', extra: true } },
      { type: 'command', command: 'redline.openFile', args: { path: 'a', line: 0 } },
      { type: 'command', command: 'redline.openFile', args: { path: 'a', line: 1.5 } },
      { type: 'command', command: 'redline.openFile', args: { path: 'x'.repeat(5000) } },
      { type: 'command', command: 'redline.restore', args: { id: 7 } },
      { type: 'command', command: 'redline.backup' },
      { type: 'command', command: 'redline.resetHard', args: {} },
      { type: 'openSettings', query: 'editor.fontSize' },
      { type: 'error', message: 'x'.repeat(5000) },
    ];
    for (const message of invalid) {
      const result = parse(message);
      expect(result.ok, JSON.stringify(message)?.slice(0, 80)).toBe(false);
      if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
      expect(isWebviewMessage(message)).toBe(false);
    }
  });

  it('offers only redline.* commands that exist', () => {
    const ids = new Set<string>(Object.values(COMMANDS));
    for (const option of CommandMessageSchema.options) {
      const id = option.shape.command.value;
      expect(ids.has(id), id).toBe(true);
    }
  });
});

describe('commandCall', () => {
  const call = (message: CommandMessage) => commandCall(message);

  it('turns named args into the positional arguments of each command', () => {
    expect(call({ type: 'command', command: 'redline.approve', args: { file: 'a.ts' } })).toEqual({ command: COMMANDS.approve, args: [{ file: 'a.ts' }] });
    expect(call({ type: 'command', command: 'redline.approve', args: { file: 'a.ts', fullName: 'x > y' } })).toEqual({ command: COMMANDS.approve, args: [{ file: 'a.ts', fullName: 'x > y' }] });
    expect(call({ type: 'command', command: 'redline.openFile', args: { path: 'a.ts' } })).toEqual({ command: COMMANDS.openFile, args: ['a.ts'] });
    expect(call({ type: 'command', command: 'redline.openFile', args: { path: 'a.ts', line: 3 } })).toEqual({ command: COMMANDS.openFile, args: ['a.ts', 3] });
    expect(call({ type: 'command', command: 'redline.openHeapSnapshot', args: { path: '/s.heapsnapshot' } })).toEqual({ command: COMMANDS.openHeapSnapshot, args: ['/s.heapsnapshot'] });
    expect(call({ type: 'command', command: 'redline.restore', args: { id: 'b1' } })).toEqual({ command: COMMANDS.restore, args: ['b1'] });
    expect(call({ type: 'command', command: 'redline.backup', args: { label: 'x' } })).toEqual({ command: COMMANDS.backup, args: ['x'] });
    expect(call({ type: 'command', command: 'redline.resetHard' })).toEqual({ command: COMMANDS.resetHard, args: [] });
  });
});

describe('PANEL_COMMANDS', () => {
  it('lets each panel run only its own actions', () => {
    expect(isAllowedFor('phases', COMMANDS.approve)).toBe(true);
    expect(isAllowedFor('memory', COMMANDS.approve)).toBe(false);
    expect(isAllowedFor('leaks', COMMANDS.resetHard)).toBe(false);
    expect(isAllowedFor('recovery', COMMANDS.resetHard)).toBe(true);
    expect(isAllowedFor('memory', COMMANDS.emergencyStop)).toBe(true);
  });

  it('covers every panel, and every command a panel can send is offered by one', () => {
    expect(Object.keys(PANEL_COMMANDS).sort()).toEqual(Object.keys(PANELS).sort());
    const offered = new Set(Object.values(PANEL_COMMANDS).flatMap((set) => [...set]));
    for (const option of CommandMessageSchema.options) expect(offered.has(option.shape.command.value), option.shape.command.value).toBe(true);
  });
});

describe('state messages', () => {
  it('are recognised by kind, and checked against the kind’s schema', () => {
    const recovery = stateMessage('recovery', { runner: { state: 'idle', restarts: 0, since: 0 }, backups: [] });
    expect(recovery).toEqual({ type: 'state', kind: 'recovery', state: { runner: { state: 'idle', restarts: 0, since: 0 }, backups: [] } });
    expect(isStateMessage(recovery)).toBe(true);
    expect(isStateMessage({ ...recovery, kind: 'memory' })).toBe(false);
    expect(isStateMessage({ type: 'state', kind: 'phases', state: { phases: { files: [] } } })).toBe(true);
  });
});
