// FocusedServices with a stand-in for the few `vscode` pieces it uses: an event emitter, the
// active editor and its workspace folder. The sessions are fakes with the events a
// WorkspaceSession fires.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunnerState, RunnerStatus } from '../../src/extension/services';
import type { WorkspaceSession } from '../../src/extension/workspace-session';

type Listener<T> = (value: T) => void;

class FakeEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  get count(): number {
    return this.listeners.size;
  }
  dispose(): void {
    this.listeners.clear();
  }
}

const editor = vi.hoisted(() => ({ root: undefined as string | undefined, changed: undefined as undefined | (() => void) }));

vi.mock('vscode', () => ({
  EventEmitter: FakeEmitter,
  window: {
    get activeTextEditor() {
      return editor.root === undefined ? undefined : { document: { uri: { root: editor.root } } };
    },
    onDidChangeActiveTextEditor: (listener: () => void) => {
      editor.changed = listener;
      return { dispose: () => (editor.changed = undefined) };
    },
  },
  workspace: {
    getWorkspaceFolder: (uri: { root: string }) => ({ uri: { toString: () => `file://${uri.root}` } }),
  },
}));

const { FocusedServices } = await import('../../src/extension/focused-services');

function fakeSession(root: string) {
  const status = new FakeEmitter<RunnerStatus>();
  const phases = new FakeEmitter<void>();
  let state: RunnerState = 'ready';
  const session = {
    root,
    folder: { name: root.slice(1), uri: { toString: () => `file://${root}` } },
    extensionUri: {},
    onDidSampleMemory: new FakeEmitter().event,
    onDidGuardAction: new FakeEmitter().event,
    onDidChangeRunnerStatus: status.event,
    onDidFinishRun: new FakeEmitter().event,
    onDidChangePhases: phases.event,
    onDidChangeBackups: new FakeEmitter().event,
    runnerStatus: (): RunnerStatus => ({ state, restarts: 0, since: 0 }),
    lastReport: () => undefined,
    setState(next: RunnerState) {
      state = next;
      status.fire(session.runnerStatus());
    },
    phases,
  };
  return session;
}

type Fake = ReturnType<typeof fakeSession>;
const asSessions = (list: Fake[]) => () => list as unknown as WorkspaceSession[];

describe('FocusedServices', () => {
  let a: Fake, b: Fake, list: Fake[];
  beforeEach(() => {
    editor.root = undefined;
    a = fakeSession('/a');
    b = fakeSession('/b');
    list = [a, b];
  });

  it('starts on the first folder and names it only when there are two', () => {
    const one = new FocusedServices(asSessions([a]));
    expect(one.root).toBe('/a');
    expect(one.folderLabel()).toBeUndefined();
    one.dispose();
    const two = new FocusedServices(asSessions(list));
    expect(two.folderLabel()).toBe('a');
    two.dispose();
  });

  it("follows the active editor's folder, re-firing only the focused folder's events", () => {
    const focused = new FocusedServices(asSessions(list));
    const seen: string[] = [];
    focused.onDidChangeFocus(() => seen.push('focus'));
    focused.onDidChangePhases(() => seen.push('phases'));
    focused.onDidChangeRunnerStatus((s) => seen.push(`status ${s.state}`));
    editor.root = '/b';
    editor.changed!();
    expect(focused.root).toBe('/b');
    expect(seen).toEqual(['focus', 'status ready', 'phases']);
    seen.length = 0;
    a.phases.fire();
    expect(seen).toEqual([]);
    b.phases.fire();
    expect(seen).toEqual(['phases']);
    focused.dispose();
  });

  it('keeps the focus when the editor leaves the folders; a run starting elsewhere takes it', () => {
    const focused = new FocusedServices(asSessions(list));
    editor.root = undefined;
    editor.changed!();
    expect(focused.root).toBe('/a');
    b.setState('running');
    expect(focused.root).toBe('/b');
    focused.dispose();
  });

  it('moves off a removed folder', () => {
    const focused = new FocusedServices(asSessions(list));
    editor.root = '/b';
    editor.changed!();
    list.splice(1, 1);
    focused.sessionsChanged();
    expect(focused.root).toBe('/a');
    expect(focused.folderLabel()).toBeUndefined();
    // No longer listened to.
    b.setState('running');
    expect(focused.root).toBe('/a');
    focused.dispose();
  });
});
