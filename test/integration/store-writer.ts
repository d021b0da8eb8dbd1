// A real process writing the workspace store, for the fault-injection tests and the soak
// (test/integration/store-faults.test.ts, bench/soak-store.mjs). Bundled on the fly with esbuild
// and run under plain node, so it goes through exactly the wiring the CLI uses: openWorkspaceStore
// over node:fs with the cross-process lock.
//
//   loop   ROOT START                 save stateFor(START), stateFor(START+1)… until killed; print
//                                     each N on stdout once its save has resolved
//   update ROOT MARKER COUNT START_AT at epoch ms START_AT, append file records MARKER-0 … to the
//                                     phases with update(), printing each index once saved
//   hold   ROOT                       take the store's lock, print "held", and keep it until killed
//
// Any store error goes to stderr with exit code 2: the parent treats a missing acknowledgement
// as the failure, so the message must say why.
import type { Logger } from '../../src/core/store/logger';
import { openWorkspaceStore, realClock, workspaceLock } from '../../src/runner/state/workspace-store';
import { stateFor } from './store-fault-state';

// Longer than the lock's 5 s grace for a garbled lock file (a writer killed between creating the
// lock and filling it in), so a writer started after any kind of crash still gets through.
const LOCK_WAIT_MS = 15_000;

const logger: Logger = {
  info: (message) => process.stderr.write(`info: ${message}\n`),
  warn: (message) => process.stderr.write(`warn: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

function die(message: string): never {
  process.stderr.write(`store-writer: ${message}\n`);
  process.exit(2);
}

// process.stdout is synchronous on a pipe (POSIX): once this returns, the parent can read the
// line even if we are SIGKILLed on the next instruction. That is what makes it an acknowledgement.
function acknowledge(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function loop(root: string, start: number): Promise<void> {
  const store = openWorkspaceStore(root, { logger, command: 'store-writer loop', lockWaitMs: LOCK_WAIT_MS });
  for (let n = start; ; n++) {
    const saved = await store.save('phases', stateFor(n));
    if (!saved.ok) die(`save ${n} failed (${saved.error.code}): ${saved.error.message}`);
    acknowledge(String(n));
  }
}

async function update(root: string, marker: string, count: number, startAt: number): Promise<void> {
  const store = openWorkspaceStore(root, { logger, command: `store-writer update ${marker}`, lockWaitMs: LOCK_WAIT_MS });
  // Both writers start at the same moment, so their updates really overlap.
  await realClock.sleep(Math.max(0, startAt - Date.now()));
  for (let i = 0; i < count; i++) {
    const updated = await store.update('phases', (current) => ({
      files: [...current.files, { path: `${marker}-${i}`, broken: null, tests: [] }],
    }));
    if (!updated.ok) die(`update ${marker}-${i} failed (${updated.error.code}): ${updated.error.message}`);
    acknowledge(`${marker}-${i}`);
    // A breath between updates lets the other writer's poll find the lock free now and then, so
    // the two take turns rather than one running through all its updates first.
    await realClock.sleep(5 + Math.floor(Math.random() * 10));
  }
}

async function hold(root: string): Promise<void> {
  const lock = workspaceLock(root, 'store-writer hold');
  const got = await lock.acquire();
  if (!got.ok) die(got.message);
  acknowledge('held');
  // Keep the event loop alive until the parent kills us.
  setInterval(() => undefined, 60_000);
}

async function main(argv: readonly string[]): Promise<void> {
  const [mode, root, ...rest] = argv;
  if (!root) die('usage: store-writer loop|update|hold ROOT …');
  switch (mode) {
    case 'loop':
      return loop(root, Number(rest[0] ?? 0));
    case 'update':
      return update(root, rest[0] ?? 'w', Number(rest[1] ?? 1), Number(rest[2] ?? 0));
    case 'hold':
      return hold(root);
    default:
      die(`unknown mode ${mode ?? ''}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => die(error instanceof Error ? (error.stack ?? error.message) : String(error)));
