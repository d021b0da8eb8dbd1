// The runner process: plain Node, never `vscode`. A host (the CLI, later the extension) forks it
// and talks JSON-RPC over the Node IPC channel (src/protocol/runner.ts). It drives the
// workspace's own Vitest and guards the memory of the whole test process tree. If its host goes
// away, it stops everything it started within a second and exits.
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { join } from 'node:path';
import {
  InitializeParamsSchema, PROTOCOL_VERSION, Requests, Notifications, RunParamsSchema,
  type InitializeResult, type RunResult,
} from '../protocol/runner';
import { ENV } from '../protocol/probe';
import { currentPlatform } from './platform/current';
import { locateVitest, type LocatedVitest } from './vitest-locate';
import { RunSession } from './run-session';
import { VitestHost } from './vitest-host';
import { emergencyStop } from './emergency-stop';
import { killedRecently } from './intentional-kills';
import { openWorkspaceStore, type WorkspaceStore } from './state/workspace-store';
import { registerRunner, unregisterRunner } from './state/runner-registry';
import { beforeRun, recordRun, type BeforeRun } from './state/record-run';
import type { Logger } from '../core/store/logger';

declare const RUNNER_VERSION: string | undefined;

if (!process.send) {
  process.stderr.write('dist/runner.js is started by the redline CLI or the Redline extension, not by hand. Run `redline run` instead.\n');
  process.exit(3);
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
const platform = currentPlatform();
const runMarker = process.env[ENV.run] ?? `pid-${process.pid}`;
process.env[ENV.run] = runMarker;
let root: string | undefined;
let vitest: LocatedVitest | undefined;
let session: RunSession | undefined;
/** Vitest, kept alive between runs on this runner (watch mode, the editor). */
let host: VitestHost | undefined;
let store: WorkspaceStore | undefined;
let registration: string | null = null;
let exiting = false;

const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string): void => {
  void connection.sendNotification(Notifications.log, { level, message }).catch(() => undefined);
};
const storeLogger: Logger = {
  info: (message) => log('info', message),
  warn: (message) => log('warn', message),
  error: (message) => log('error', message),
};

connection.onRequest(Requests.initialize, (raw): InitializeResult => {
  const parsed = InitializeParamsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'error', code: 'internal', message: `invalid initialize params: ${parsed.error.message}` };
  if (parsed.data.protocolVersion !== PROTOCOL_VERSION) {
    return { kind: 'error', code: 'protocol-mismatch', message: `The host speaks protocol ${parsed.data.protocolVersion}, this runner ${PROTOCOL_VERSION}. Reinstall Redline.` };
  }
  const located = locateVitest(parsed.data.root);
  if (!located.ok) return { kind: 'error', code: located.code, message: located.message };
  root = parsed.data.root;
  vitest = located.vitest;
  const hostCommand = parsed.data.state?.host ?? 'a Redline runner';
  store = openWorkspaceStore(root, {
    logger: storeLogger,
    command: hostCommand,
    ...(parsed.data.state?.backupsMax !== undefined ? { backupsMax: parsed.data.state.backupsMax } : {}),
  });
  // So `redline reset --hard` can find and stop this runner before it clears the state.
  unregisterRunner(registration);
  registration = registerRunner(root, hostCommand);
  if (!registration) log('debug', `Could not register this runner in ${join(root, '.redline', 'runners')}; a hard reset will not stop it.`);
  return {
    kind: 'ready',
    pid: process.pid,
    runnerVersion: typeof RUNNER_VERSION === 'string' ? RUNNER_VERSION : '0.0.0-dev',
    vitest: { version: located.vitest.version, packageDir: located.vitest.packageDir },
    node: process.version,
  };
});

connection.onRequest(Requests.run, async (raw): Promise<RunResult> => {
  if (!root || !vitest) return { kind: 'error', code: 'internal', message: 'run before initialize' };
  if (session) return { kind: 'error', code: 'busy', message: 'A run is already in progress on this runner.' };
  const parsed = RunParamsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'error', code: 'internal', message: `invalid run params: ${parsed.error.message}` };
  host ??= new VitestHost({ root, vitest, probePath: join(__dirname, 'probe.mjs'), log });
  session = new RunSession({
    root,
    host,
    platform,
    runMarker,
    events: {
      planned: (files) => void connection.sendNotification(Notifications.planned, { files }),
      fileStarted: (path, project, pid) => void connection.sendNotification(Notifications.fileStarted, { path, ...(project ? { project } : {}), pid }),
      testStarted: (path, fullName, pid) => void connection.sendNotification(Notifications.testStarted, { path, fullName, pid }),
      testFinished: (path, project, test) => void connection.sendNotification(Notifications.testFinished, { path, ...(project ? { project } : {}), test }),
      fileFinished: (file) => void connection.sendNotification(Notifications.fileFinished, { file }),
      memory: (sample) => void connection.sendNotification(Notifications.memory, sample),
      guard: (action) => void connection.sendNotification(Notifications.guard, action),
      output: (stream, text, path, fullName) => void connection.sendNotification(Notifications.output, { stream, text, ...(path ? { path } : {}), ...(fullName ? { fullName } : {}) }),
      log,
    },
  });
  const approveOnCommit = parsed.data.tdd.approveOnCommit;
  try {
    const before = await prepareState(root, approveOnCommit);
    const result = await session.run(parsed.data);
    if (result.kind !== 'done' || !store || !before) return result;
    const state = await recordRun(store, root, result.report, before, approveOnCommit, log).catch((error: unknown) => {
      log('warn', `Saving the TDD phases failed: ${String(error)}`);
      return { phasesSaved: false, message: `The TDD phases of this run were not saved: ${error instanceof Error ? error.message : String(error)}` };
    });
    return { ...result, state };
  } catch (error) {
    return { kind: 'error', code: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    session = undefined;
  }
});

/** The state before the run; null when there is no store or reading it failed (the run goes on). */
async function prepareState(workspace: string, approveOnCommit: boolean): Promise<BeforeRun | null> {
  if (!store) return null;
  try {
    return await beforeRun(store, workspace, approveOnCommit, log);
  } catch (error) {
    log('warn', `Reading the state before the run failed: ${String(error)}`);
    return null;
  }
}

connection.onRequest(Requests.cancel, async () => {
  await session?.cancel();
});

connection.onRequest(Requests.shutdown, async () => {
  await session?.cancel();
  setTimeout(() => void shutdown(0), 10);
});

async function shutdown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  // Vitest gets a moment to close its server and pool; then nothing of the run may remain.
  await Promise.race([host?.close(), new Promise((r) => setTimeout(r, 1000))]).catch(() => undefined);
  await emergencyStop(platform, runMarker, process.pid).catch(() => undefined);
  unregisterRunner(registration);
  process.exit(code);
}

// The host is gone (stdio/IPC closed, or we were re-parented): stop everything now.
process.on('disconnect', () => void shutdown(0));
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) void shutdown(0);
}, 250).unref();

process.on('uncaughtException', (error) => {
  // Vitest 3's pool (tinypool) throws this from a child's exit handler when Redline has killed a
  // worker on purpose; the file is already reported as stopped and the run goes on.
  if (killedRecently() && /Worker exited unexpectedly/.test(error.message)) {
    log('debug', `pool noticed a stopped worker: ${error.message}`);
    return;
  }
  log('error', `runner crashed: ${error.stack ?? error.message}`);
  process.stderr.write(`redline runner: uncaught exception: ${error.stack ?? error.message}\n`);
  setTimeout(() => void shutdown(4), 50);
});
const rejectionsSeen = new Set<string>();
process.on('unhandledRejection', (reason) => {
  const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  // A pool that keeps writing to a killed worker rejects once per message: say it once.
  if (rejectionsSeen.has(text)) return;
  rejectionsSeen.add(text);
  const expected = killedRecently() && /ERR_IPC_CHANNEL_CLOSED|Channel closed/.test(text);
  log(expected ? 'debug' : 'warn', `runner: unhandled rejection: ${text}`);
});
// However the process ends (process.exit included), its registration goes with it.
process.on('exit', () => {
  try {
    unregisterRunner(registration);
  } catch {
    // Nothing more can be done while exiting.
  }
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

connection.listen();
