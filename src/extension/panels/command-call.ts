// A validated command message from a panel, as the `executeCommand` call it asks for: the
// command id and its positional arguments (src/protocol/commands.ts documents each one).
// Pure, so the mapping is unit-tested without VS Code.
import { COMMANDS, type PanelKind } from '../../protocol/commands';
import type { CommandMessage } from '../../protocol/webview';

export interface CommandCall {
  readonly command: CommandMessage['command'];
  readonly args: readonly unknown[];
}

export function commandCall(message: CommandMessage): CommandCall {
  switch (message.command) {
    case COMMANDS.approve:
      return { command: message.command, args: [message.args.fullName === undefined ? { file: message.args.file } : { file: message.args.file, fullName: message.args.fullName }] };
    case COMMANDS.openFile:
      return { command: message.command, args: message.args.line === undefined ? [message.args.path] : [message.args.path, message.args.line] };
    case COMMANDS.openHeapSnapshot:
      return { command: message.command, args: [message.args.path] };
    case COMMANDS.restore:
      return { command: message.command, args: [message.args.id] };
    case COMMANDS.backup:
      return { command: message.command, args: [message.args.label] };
    default:
      return { command: message.command, args: [] };
  }
}

/**
 * The commands each panel offers. A message asking another panel's command is dropped: a page
 * can only do what its own buttons do, whatever script ends up running in it.
 */
export const PANEL_COMMANDS: Readonly<Record<PanelKind, ReadonlySet<CommandMessage['command']>>> = {
  memory: new Set([COMMANDS.freeMemory, COMMANDS.restartRunner, COMMANDS.emergencyStop, COMMANDS.runAll, COMMANDS.openFile]),
  phases: new Set([COMMANDS.approve, COMMANDS.openFile, COMMANDS.runAll]),
  leaks: new Set([COMMANDS.openFile, COMMANDS.openHeapSnapshot, COMMANDS.runAll]),
  recovery: new Set([COMMANDS.restartRunner, COMMANDS.showLog, COMMANDS.backup, COMMANDS.restore, COMMANDS.pruneBackups, COMMANDS.resetSoft, COMMANDS.resetHard]),
};

export function isAllowedFor(kind: PanelKind, command: CommandMessage['command']): boolean {
  return PANEL_COMMANDS[kind].has(command);
}
