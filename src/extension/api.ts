// What `activate()` returns: the handles the extension-host test suite (test/vscode) reads to
// check the Test Explorer and the runner from inside a real VS Code. Not a public API for other
// extensions; kept small and read-only.
import type * as vscode from 'vscode';
import type { RedlineServices } from './services';

export interface RedlineApi {
  readonly testController: vscode.TestController;
  /** The workspace sessions, one per workspace folder that uses Vitest. */
  sessions(): readonly RedlineServices[];
  /** The runner's pid for a workspace folder, when it runs. */
  runnerPid(root: string): number | undefined;
  /** Resolves when every session has finished loading its first discovery (files in the Test Explorer). */
  ready(): Promise<void>;
}
