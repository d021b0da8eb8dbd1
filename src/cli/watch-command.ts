// `redline watch`: one long-lived runner watches the workspace and reruns what each change
// affects (the rest answers from the cache). On a terminal: a status line and keys (a, f, q);
// otherwise plain lines, and SIGINT or SIGTERM end it.
//
// Exit code: 0 when the user ends it (q, Ctrl-C, SIGTERM), whatever the last run said — the
// verdict of each run is on screen, and a watcher that "fails" on every q would mark every shell
// prompt red and break `redline watch && …`. 3 for a usage or configuration error at start, 4 when
// the runner dies.
import { join } from 'node:path';
import pc from 'picocolors';
import { ExitCode } from '../core/report-summary';
import { formatBytes } from '../core/format';
import { RunnerClient, type RunnerExit } from '../host/runner-client';
import { loadSettings, UsageError } from './settings';
import type { ConfigFlags } from './flags-to-config';
import { createTerminal } from './terminal';
import { runParams } from './run-params';
import { sweep, toFilters } from './run-command';
import { stateNoticeLines } from './state-notice';
import { keyActions, KEY_HELP, type WatchKeyAction } from './watch-keys';
import { runDoneLines, runHeadline, watchStatusLine, type RunTrigger, type WatchView } from './watch-render';

export interface WatchFlags extends ConfigFlags {
  readonly root?: string;
}

/** How long `watch/stop` may take (it cancels the run in progress) before shutdown goes on. */
const STOP_WAIT_MS = 5000;

type Ending = { readonly kind: 'quit' } | { readonly kind: 'died'; readonly exit: RunnerExit };

export async function watchCommand(paths: string[], flags: WatchFlags): Promise<number> {
  const settings = loadSettings(flags.root, flags);
  const filters = toFilters(paths, settings.root);
  const term = createTerminal();
  const stdin = process.stdin;
  const keys = term.live && Boolean(stdin.isTTY) && typeof stdin.setRawMode === 'function';

  let view: WatchView = { state: 'starting', planned: 0, done: 0, keys };
  // What the CLI asked for, oldest first: a run that starts with no changes answers the oldest.
  const triggers: RunTrigger[] = [];
  let current: { trigger: RunTrigger; changed: string[]; announced: boolean } | undefined;
  let firstRun = true;
  const warned = new Set<string>();

  const render = (): void => term.status(watchStatusLine(view, pc));
  const say = (line: string): void => {
    term.line(line);
    render();
  };

  const client = new RunnerClient(join(__dirname, 'runner.js'), {
    'watch/status': (s) => {
      if (s.state === 'running') {
        const trigger: RunTrigger = s.changed.length > 0 ? 'changes' : (triggers.shift() ?? (firstRun ? 'start' : 'changes'));
        firstRun = false;
        current = { trigger, changed: s.changed, announced: false };
        view = { state: 'running', planned: 0, done: 0, keys, ...(view.memory ? { memory: view.memory } : {}), ...(view.last ? { last: view.last } : {}) };
      } else {
        view = { ...view, state: s.state };
      }
      // Memory-safe watch: the user is told, in the runner's words, why Vitest restarts.
      if (s.state === 'restarting') say(` ${pc.yellow('↻')} ${s.message ?? 'Vitest restarted to keep the memory baseline down.'}`);
      else render();
    },
    'run/planned': (p) => {
      view = { ...view, planned: view.planned + p.files.length };
      // A batch that affects nothing plans nothing: the run's end says so, in one line.
      if (current && !current.announced && view.planned > 0) {
        current.announced = true;
        say(runHeadline(current.trigger, current.changed, view.planned));
      } else render();
    },
    'run/fileStarted': (p) => {
      view = { ...view, current: p.path };
      render();
    },
    'run/fileFinished': () => {
      view = { ...view, done: view.done + 1 };
      render();
    },
    'memory/sample': (s) => {
      view = { ...view, memory: { rssBytes: s.treeRssBytes, limitBytes: s.limitBytes, tier: s.tier } };
      render();
    },
    'guard/action': (a) => {
      if (a.action === 'stop') say(` ${pc.red('■ stopping')} ${a.file ?? 'a worker'}${a.test ? ` ("${a.test}")` : ''} — ${a.reason}`);
      else if (a.action !== 'gc' && a.action !== 'release' && term.live) say(pc.yellow(` ▲ memory ${a.tier}: ${formatBytes(a.rssBytes)} — ${a.action}`));
    },
    'watch/runDone': (done) => {
      const run = current ?? { trigger: 'changes' as const, changed: done.changed, announced: true };
      current = undefined;
      for (const line of runDoneLines(done.report, run.trigger, done.changed, new Date())) term.line(line);
      if (done.state) {
        // The phases line after every run would drown the output; store trouble is said, once.
        for (const line of stateNoticeLines(done.state).err) {
          if (warned.has(line)) continue;
          warned.add(line);
          process.stderr.write(line + '\n');
        }
      }
      // Idle until the runner says otherwise (a batch may already be waiting).
      view = { ...view, state: 'idle', last: done.report };
      render();
    },
    log: (l) => {
      if (process.env.REDLINE_LOG === 'debug' || l.level === 'error') say(pc.dim(`[runner ${l.level}] ${l.message}`));
    },
  });

  client.start();
  let stopping = false;
  let signals = 0;
  let resolveEnding: (ending: Ending) => void = () => undefined;
  const ending = new Promise<Ending>((resolve) => (resolveEnding = resolve));
  void client.exited.then((exit) => resolveEnding({ kind: 'died', exit }));
  const quit = (): void => resolveEnding({ kind: 'quit' });
  const onSignal = (): void => {
    signals++;
    // A second signal while stopping: the user wants out now.
    if (signals > 1 || stopping) client.killGroup('SIGKILL');
    quit();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const onKeys = (chunk: string): void => {
    for (const action of keyActions(chunk)) onKey(action);
  };
  const onKey = (action: WatchKeyAction): void => {
    if (action === 'quit') {
      if (stopping) client.killGroup('SIGKILL');
      quit();
    } else if (action === 'help') say(pc.dim(` keys: ${KEY_HELP}`));
    else if (!stopping) {
      triggers.push(action);
      void client.watchTrigger(action).catch(() => undefined);
    }
  };

  try {
    const init = await Promise.race([client.initialize(settings.root, 'info', { host: 'redline watch', backupsMax: settings.config.backups.max }), ending]);
    if (init.kind === 'died') return died(init.exit, term);
    if (init.kind === 'quit') return await stop(client, term);
    if (init.kind === 'error') {
      await client.shutdown();
      if (init.code === 'internal' || init.code === 'protocol-mismatch') {
        process.stderr.write(`redline: ${init.message}\n`);
        return ExitCode.internal;
      }
      throw new UsageError([init.message]);
    }
    render();
    const started = await Promise.race([
      client.watchStart({
        run: runParams(settings, { filters }),
        debounceMs: settings.config.watch.debounceMs,
        ignore: [...settings.config.watch.ignore],
      }),
      ending,
    ]);
    if (started.kind === 'died') return died(started.exit, term);
    if (started.kind === 'quit') return await stop(client, term);
    if (started.kind === 'error') {
      await client.shutdown();
      if (started.code === 'internal') {
        process.stderr.write(`redline: internal error in the runner: ${started.message}\n`);
        return ExitCode.internal;
      }
      throw new UsageError([started.message]);
    }
    if (!term.live) process.stdout.write(` watching ${settings.root} (debounce ${settings.config.watch.debounceMs} ms); SIGINT or SIGTERM to stop\n`);
    if (keys) {
      stdin.setRawMode(true);
      stdin.setEncoding('utf8');
      stdin.on('data', onKeys);
      stdin.resume();
    }
    const end = await ending;
    if (end.kind === 'died') return died(end.exit, term);
    stopping = true;
    return await stop(client, term);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (keys) {
      stdin.off('data', onKeys);
      stdin.setRawMode(false);
      stdin.pause();
    }
    term.clearStatus();
    // Whatever still carries this runner's marker outlived it: a watch leaves nothing behind.
    await sweep(client);
  }
}

async function stop(client: RunnerClient, term: ReturnType<typeof createTerminal>): Promise<number> {
  term.clearStatus();
  term.line(pc.dim(' stopping…'));
  await Promise.race([client.watchStop(), new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS))]);
  await client.shutdown();
  return ExitCode.ok;
}

function died(exit: RunnerExit, term: ReturnType<typeof createTerminal>): number {
  term.clearStatus();
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  process.stderr.write(pc.red(`redline: the runner exited unexpectedly (${how}); watch mode ended.${exit.stderrTail ? `\n${exit.stderrTail}` : ''}\n`));
  return ExitCode.internal;
}
