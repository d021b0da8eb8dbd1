// The Test Explorer's Run profile (and its continuous-run form, which is Redline's watch mode):
// turns a request into runner runs per workspace folder and streams their results into a
// TestRun as they arrive. Stop cancels the run; the runner kills the workers' whole trees.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { stackLocation } from '../../core/discovery/stack-location';
import { formatBytes } from '../../core/format';
import { stopSnapshotLines } from '../../core/stop-snapshots-text';
import type { FileReport, RunReport, TestError, TestReport } from '../../protocol/report';
import type { RunObserver, WatchObserver, WorkspaceSession } from '../workspace-session';
import type { TestTree } from './test-tree';

export class RunHandler implements vscode.Disposable {
  readonly profile: vscode.TestRunProfile;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly controller: vscode.TestController,
    private readonly tree: TestTree,
    private readonly sessions: () => readonly WorkspaceSession[],
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.profile = controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.handle(request, token), true, undefined, true);
    this.disposables.push(this.profile);
  }

  /** Runs the request to its end (a continuous one until cancelled). */
  async handle(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const plan = this.plan(request);
    if (request.continuous) return this.watch(request, plan, token);
    const run = this.controller.createTestRun(request, undefined, true);
    const stop = (): void => {
      for (const session of plan.keys()) void session.cancel();
    };
    // Stop comes through the profile's token (a run the Test Explorer started) or the run's own
    // (the Test Results view's Stop on a run a command started).
    const cancels = [token.onCancellationRequested(stop), run.token.onCancellationRequested(stop)];
    try {
      await Promise.all(
        [...plan].map(async ([session, files]) => {
          const stream = new ResultStream(run, this.tree, session);
          const result = await session.run({ filters: files.map((f) => join(session.root, f)) }, stream.observer);
          if (result.kind === 'unavailable' || result.kind === 'error') {
            run.appendOutput(`Redline: ${result.message.replace(/\n/g, '\r\n')}\r\n`);
            for (const item of stream.requested(files)) run.errored(item, new vscode.TestMessage(result.message));
            if (!token.isCancellationRequested && !run.token.isCancellationRequested) void showError(result.message, this.log);
            return;
          }
          stream.finish(result.report);
        }),
      );
    } finally {
      for (const c of cancels) c.dispose();
      run.end();
    }
  }

  /** Which files each folder's runner should run; an empty list means all of them. */
  private plan(request: vscode.TestRunRequest): Map<WorkspaceSession, string[]> {
    const plan = new Map<WorkspaceSession, string[]>();
    if (!request.include) {
      for (const session of this.sessions()) plan.set(session, []);
      return plan;
    }
    for (const item of request.include) {
      const data = this.tree.data.get(item);
      if (!data) continue;
      const files = plan.get(data.session) ?? [];
      // Vitest runs whole files here: a test or describe runs its file (the cache keys files).
      if (data.kind === 'folder') plan.set(data.session, []);
      else if (!plan.has(data.session) || files.length > 0) plan.set(data.session, [...new Set([...files, data.path])]);
    }
    return plan;
  }

  private async watch(request: vscode.TestRunRequest, plan: Map<WorkspaceSession, string[]>, token: vscode.CancellationToken): Promise<void> {
    await Promise.all(
      [...plan.keys()].map(
        (session) =>
          new Promise<void>((resolve) => {
            let run: vscode.TestRun | undefined;
            let stream: ResultStream | undefined;
            // The watch's runs come one after another; each streams into a TestRun of its own.
            const forward = <K extends keyof RunObserver>(key: K) =>
              ((params: never) => (stream?.observer[key] as ((p: never) => void) | undefined)?.(params)) as NonNullable<RunObserver[K]>;
            const observer: WatchObserver = {
              'run/planned': forward('run/planned'),
              'run/fileStarted': forward('run/fileStarted'),
              'run/testStarted': forward('run/testStarted'),
              'run/testFinished': forward('run/testFinished'),
              'run/fileFinished': forward('run/fileFinished'),
              output: forward('output'),
              runStarted: (changed) => {
                run?.end();
                run = this.controller.createTestRun(request, changed.length > 0 ? `Redline watch: ${changed.slice(0, 3).join(', ')}` : 'Redline watch', true);
                stream = new ResultStream(run, this.tree, session);
              },
              runDone: (report) => {
                stream?.finish(report);
                run?.end();
                run = undefined;
                stream = undefined;
              },
              stopped: (message) => {
                run?.end();
                if (message && !token.isCancellationRequested) void vscode.window.showWarningMessage(`Redline: ${message}`);
                resolve();
              },
            };
            void session.startWatch(observer).then((error) => {
              if (error) {
                void showError(error, this.log);
                resolve();
              }
            });
            token.onCancellationRequested(() => void session.stopWatch());
          }),
      ),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** One run's results for one folder, streamed into the TestRun as the runner sends them. */
class ResultStream {
  private readonly reported = new Set<vscode.TestItem>();
  private readonly finishedFiles = new Set<string>();

  constructor(
    private readonly run: vscode.TestRun,
    private readonly tree: TestTree,
    private readonly session: WorkspaceSession,
  ) {}

  readonly observer: RunObserver = {
      'run/planned': ({ files }) => {
        for (const f of files) {
          const item = this.tree.fileItem(this.session, f.path, f.project);
          this.run.enqueued(item);
          for (const test of this.tree.testsUnder(item)) this.run.enqueued(test);
        }
      },
      'run/fileStarted': ({ path, project }) => {
        const item = this.tree.fileItem(this.session, path, project);
        setDescription(item, undefined);
        this.run.started(item);
      },
      'run/testStarted': ({ path, fullName }) => {
        const file = this.tree.findFile(this.session, path);
        if (file) this.run.started(this.tree.testItem(file, fullName));
      },
      'run/testFinished': ({ path, project, test }) => {
        const file = this.tree.fileItem(this.session, path, project);
        this.test(file, test, false);
      },
      'run/fileFinished': ({ file }) => this.file(file),
      output: ({ path, fullName, text }) => {
        const file = path ? this.tree.findFile(this.session, path) : undefined;
        const item = file && fullName ? this.tree.testItem(file, fullName) : file;
        this.run.appendOutput(text.replace(/\r?\n/g, '\r\n'), undefined, item);
      },
  };

  /** The items a failed request covered, to mark them errored. */
  requested(files: readonly string[]): vscode.TestItem[] {
    const all = files.length === 0 ? this.tree.allFiles(this.session) : files.map((f) => this.tree.findFile(this.session, f)).filter((i): i is vscode.TestItem => !!i);
    return all;
  }

  /** After the run: anything the stream missed (a file served from the cache reports at once). */
  finish(report: RunReport): void {
    for (const file of report.files) if (!this.finishedFiles.has(key(file))) this.file(file);
    for (const error of report.errors ?? []) this.run.appendOutput(`\r\n${error.message}\r\n${(error.stack ?? '').replace(/\n/g, '\r\n')}\r\n`);
    for (const orphan of report.orphans) this.run.appendOutput(`Redline stopped a process the tests left behind: pid ${orphan.pid} ${orphan.command}${orphan.file ? ` (from ${orphan.file})` : ''}\r\n`);
  }

  private file(file: FileReport): void {
    this.finishedFiles.add(key(file));
    const item = this.tree.fileItem(this.session, file.path, file.project);
    for (const test of file.tests) this.test(item, test, file.cached);
    setDescription(item, file.cached ? 'cached' : undefined);
    const abs = join(this.session.root, file.path);
    if (file.stopped) {
      const text = stoppedText(file, this.session.root);
      const message = new vscode.TestMessage(text);
      message.location = new vscode.Location(vscode.Uri.file(abs), new vscode.Position(0, 0));
      this.run.errored(item, message, file.durationMs);
      this.run.appendOutput(`\r\n${text.replace(/\n/g, '\r\n')}\r\n`, undefined, item);
      return;
    }
    const errors = file.errors ?? [];
    if (file.state === 'broken' || errors.length > 0) {
      const messages = errors.map((e) => testMessage(e, abs, undefined));
      if (messages.length === 0) messages.push(new vscode.TestMessage(`${file.path} could not be loaded.`));
      this.run.errored(item, messages, file.durationMs);
    }
  }

  private test(file: vscode.TestItem, test: TestReport, cached: boolean): void {
    const item = this.tree.testItem(file, test.fullName, test.name, test.location);
    // Streamed as it finished, then listed again with its file: reported once.
    if (this.reported.has(item)) return;
    this.reported.add(item);
    setDescription(item, cached ? 'cached' : undefined);
    const abs = join(this.session.root, this.tree.data.get(file)!.path);
    switch (test.state) {
      case 'passed':
        this.run.passed(item, test.durationMs);
        break;
      case 'failed':
        this.run.failed(item, test.error ? testMessage(test.error, abs, item) : new vscode.TestMessage('Failed'), test.durationMs);
        break;
      case 'stopped':
        this.run.errored(item, new vscode.TestMessage('Stopped by Redline while this test ran: see its file for why.'), test.durationMs);
        break;
      default:
        this.run.skipped(item);
    }
    if (cached) this.run.appendOutput(`${test.fullName}: result from the cache (nothing it depends on changed)\r\n`, undefined, item);
  }
}

/** Every change to an item is a message to the workbench: only real changes are made. */
function setDescription(item: vscode.TestItem, description: string | undefined): void {
  if (item.description !== description) item.description = description;
}

function key(file: FileReport): string {
  return `${file.project ?? ''}\0${file.path}`;
}

function testMessage(error: TestError, absFile: string, item: vscode.TestItem | undefined): vscode.TestMessage {
  const message =
    error.expected !== undefined && error.actual !== undefined
      ? vscode.TestMessage.diff(error.message, error.expected, error.actual)
      : new vscode.TestMessage(error.message);
  const at = error.stack ? stackLocation(error.stack, absFile) : undefined;
  if (at) message.location = new vscode.Location(vscode.Uri.file(absFile), new vscode.Position(at.line - 1, Math.max(0, at.column - 1)));
  else if (item?.uri && item.range) message.location = new vscode.Location(item.uri, item.range);
  if (error.stack) message.stackTrace = stackFrames(error.stack);
  return message;
}

/** Stack frames for the Test Results view (clickable). */
function stackFrames(stack: string): vscode.TestMessageStackFrame[] {
  const frames: vscode.TestMessageStackFrame[] = [];
  for (const line of stack.split('\n')) {
    const m = /^\s*at (?:(.*?) \()?(?:file:\/\/)?(.+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[2]!;
    if (!isAbsolute(file) || file.includes('/node_modules/')) continue;
    frames.push(new vscode.TestMessageStackFrame(m[1] ?? '<anonymous>', vscode.Uri.file(file), new vscode.Position(Number(m[3]) - 1, Math.max(0, Number(m[4]) - 1))));
  }
  return frames;
}

/**
 * Why a file was stopped; with heap snapshots (a memory stop), also what it was filling memory
 * with, the snapshots relative to `root` and why any is missing — the CLI summary's lines.
 */
export function stoppedText(file: FileReport, root: string): string {
  const s = file.stopped!;
  const during = s.test ? ` while "${s.test}" ran` : '';
  const took = s.killMs !== undefined ? `, its process tree stopped in ${Math.round(s.killMs)} ms` : '';
  const head = s.reason === 'memory'
    ? `Stopped by Redline's memory guard${during}: the test processes used ${formatBytes(s.rssBytes)}${took}.`
    : `Stopped by Redline: no progress for too long${during} (a busy loop or a hung await; setting redline.run.fileTimeoutS)${took}.`;
  const more = stopSnapshotLines(s, root).map((l) => (l.label ? `${l.label} ${l.text}` : l.text));
  // The snapshots open from the Leak Alerts panel (Redline: Show Leak Alerts).
  return [head, ...more].join('\n');
}

async function showError(message: string, log: vscode.LogOutputChannel): Promise<void> {
  log.error(message);
  const choice = await vscode.window.showErrorMessage(`Redline: ${message.split('\n')[0]}`, 'Show Log');
  if (choice === 'Show Log') log.show();
}
