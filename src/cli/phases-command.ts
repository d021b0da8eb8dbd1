// `redline phases [--json]`: the TDD phase tree of the workspace, read from `.redline/phases.json`
// (repaired from a backup first if it is damaged). Reading takes no lock: another writer never
// makes this command wait.
import { toPhasesJson } from '../core/phases';
import { phasesLines } from './phases-render';
import { openStateSession, say } from './state-session';

export async function phasesCommand(flags: { root?: string; json?: boolean }): Promise<number> {
  const session = openStateSession(flags.root, 'redline phases');
  const loaded = await session.store.load('phases');
  session.noteLoaded('phases.json', loaded);
  session.flush();
  if (flags.json) say(JSON.stringify(toPhasesJson(loaded.value), null, 2));
  else for (const line of phasesLines(loaded.value, Date.now())) say(line);
  return 0;
}
