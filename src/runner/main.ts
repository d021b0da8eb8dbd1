// The runner process: plain Node, never `vscode`. A host (the CLI, later the extension) forks it
// and talks JSON-RPC over the Node IPC channel (src/protocol/runner.ts). It drives the
// workspace's own Vitest and guards the memory of the whole test process tree. If its host goes
// away, it stops everything it started within a second and exits.
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { join } from 'node:path';
import {
  AffectedParamsSchema, DiscoverParamsSchema, InitializeParamsSchema, PROTOCOL_VERSION, Requests, Notifications, RunParamsSchema, WatchParamsSchema, WatchTriggerSchema,
  type AffectedResult, type DiscoverResult, type FreeMemoryResult, type InitializeResult, type MemorySample, type RunResult,
} from '../protocol/runner';
import { getGc } from './probe/gc';
import { ENV } from '../protocol/probe';
import { currentPlatform } from './platform/current';
import { locateVitest, type LocatedVitest } from './vitest-locate';
import type { RunEvents } from './run-session';
import { RunExecutor } from './run-executor';
import { WatchSession } from './watch-session';
import { emergencyStop } from './emergency-stop';
import { killedRecently } from './intentional-kills';
import { openWorkspaceStore, type WorkspaceStore } from './state/workspace-store';
import { registerRunner, unregisterRunner } from './state/runner-registry';
import type { Logger } from '../core/store/logger';
import { shouldForward } from '../core/sample-forwarding';

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
/** Runs, the cache and the Vitest kept alive between runs (watch mode, the editor). */
let executor: RunExecutor | undefined;
let watch: WatchSession | undefined;
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

/** The last memory sample sent to the host (see core/sample-forwarding.ts). */
let lastForwarded: MemorySample | undefined;
let forwardedHigh = 0;

/** The run notifications, sent to the host as they happen. */
const runEvents: RunEvents = {
  planned: (files) => void connection.sendNotification(Notifications.planned, { files }),
  fileStarted: (path, project, pid) => void connection.sendNotification(Notifications.fileStarted, { path, ...(project ? { project } : {}), pid }),
  testStarted: (path, fullName, pid) => void connection.sendNotification(Notifications.testStarted, { path, fullName, pid }),
  testFinished: (path, project, test) => void connection.sendNotification(Notifications.testFinished, { path, ...(project ? { project } : {}), test }),
  fileFinished: (file) => void connection.sendNotification(Notifications.fileFinished, { file }),
  memory: (sample) => {
    // A new run's clock starts again: its high starts afresh.
    if (lastForwarded && sample.atMs < lastForwarded.atMs) forwardedHigh = 0;
    if (!shouldForward(lastForwarded, sample, forwardedHigh)) return;
    lastForwarded = sample;
    forwardedHigh = Math.max(forwardedHigh, sample.treeRssBytes);
    void connection.sendNotification(Notifications.memory, sample);
  },
  guard: (action) => void connection.sendNotification(Notifications.guard, action),
  output: (stream, text, path, fullName) => void connection.sendNotification(Notifications.output, { stream, text, ...(path ? { path } : {}), ...(fullName ? { fullName } : {}) }),
  log,
};

function theExecutor(): RunExecutor | undefined {
  if (!root || !vitest) return undefined;
  executor ??= new RunExecutor({ root, vitest, platform, runMarker, store, probePath: join(__dirname, 'probe.mjs'), log });
  return executor;
}

connection.onRequest(Requests.run, async (raw): Promise<RunResult> => {
  const exec = theExecutor();
  if (!exec) return { kind: 'error', code: 'internal', message: 'run before initialize' };
  if (watch) return { kind: 'error', code: 'busy', message: 'This runner is watching; use watch/trigger.' };
  const parsed = RunParamsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'error', code: 'internal', message: `invalid run params: ${parsed.error.message}` };
  try {
    return await exec.run(parsed.data, runEvents);
  } catch (error) {
    return { kind: 'error', code: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
});

connection.onRequest(Requests.affected, async (raw): Promise<AffectedResult> => {
  const exec = theExecutor();
  if (!exec) return { kind: 'error', code: 'internal', message: 'affected before initialize' };
  const parsed = AffectedParamsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'error', code: 'internal', message: `invalid affected params: ${parsed.error.message}` };
  const { files, vitestConfig, projects } = parsed.data;
  try {
    return await exec.affected(files, { ...(vitestConfig ? { vitestConfig } : {}), projects });
  } catch (error) {
    return { kind: 'error', code: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
});

connection.onRequest(Requests.discover, async (raw): Promise<DiscoverResult> => {
  const exec = theExecutor();
  if (!exec) return { kind: 'error', code: 'internal', message: 'discover before initialize' };
  const parsed = DiscoverParamsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'error', code: 'internal', message: `invalid discover params: ${parsed.error.message}` };
  const { vitestConfig, projects } = parsed.data;
  try {
    return await exec.discover({ ...(vitestConfig ? { vitestConfig } : {}), projects });
  } catch (error) {
    return { kind: 'error', code: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
});

connection.onRequest(Requests.freeMemory, async (): Promise<FreeMemoryResult> => {
  const beforeBytes = process.memoryUsage.rss();
  if (watch?.busy) return { beforeBytes, afterBytes: beforeBytes, skipped: 'A watch run is in progress; memory is freed between runs.' };
  const result = (await executor?.freeMemory()) ?? {};
  if (!result.skipped) {
    const gc = getGc();
    gc({ type: 'major', execution: 'sync' });
    gc({ type: 'major', execution: 'sync' });
  }
  return { beforeBytes, afterBytes: process.memoryUsage.rss(), ...result };
});

connection.onRequest(Requests.watchStart, async (raw) => {
  const exec = theExecutor();
  if (!exec || !root) return { kind: 'error' as const, code: 'internal' as const, message: 'watch before initialize' };
  if (watch) return { kind: 'error' as const, code: 'busy' as const, message: 'Already watching.' };
  const parsed = WatchParamsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'error' as const, code: 'internal' as const, message: `invalid watch params: ${parsed.error.message}` };
  watch = new WatchSession(root, exec, parsed.data, {
    events: runEvents,
    status: (status) => void connection.sendNotification(Notifications.watchStatus, status),
    runDone: (done) => void connection.sendNotification(Notifications.watchRunDone, done),
    log,
  });
  await watch.start();
  return { kind: 'started' as const };
});

connection.onRequest(Requests.watchTrigger, (raw) => {
  const parsed = WatchTriggerSchema.safeParse(raw);
  if (parsed.success) watch?.trigger(parsed.data.mode);
});

connection.onRequest(Requests.watchStop, async () => {
  const w = watch;
  watch = undefined;
  await w?.stop();
});

connection.onRequest(Requests.cancel, async () => {
  await executor?.cancel();
});

connection.onRequest(Requests.shutdown, async () => {
  await watch?.stop();
  await executor?.cancel();
  setTimeout(() => void shutdown(0), 10);
});

async function shutdown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  // Vitest gets a moment to close its server and pool; then nothing of the run may remain.
  await Promise.race([Promise.all([watch?.stop(), executor?.close()]), new Promise((r) => setTimeout(r, 1000))]).catch(() => undefined);
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
