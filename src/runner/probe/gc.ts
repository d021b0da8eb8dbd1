// `gc()` without starting Node with --expose-gc: a flag on the command line makes Node reject the
// shared compile cache (every module compiled afresh, ~25 ms per test file), so the flag is set
// at run time, only in a process that actually needs a collection, and the function is taken
// from a fresh context where V8 then defines it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

let cached: Gc | undefined;

export function getGc(): Gc {
  if (cached) return cached;
  const existing = (globalThis as { gc?: Gc }).gc;
  if (typeof existing === 'function') return (cached = existing);
  setFlagsFromString('--expose-gc');
  cached = runInNewContext('gc') as Gc;
  return cached;
}
