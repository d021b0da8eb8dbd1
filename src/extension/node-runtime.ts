// Which `node` runs the runner (and so the user's tests): the setting redline.nodeExecutable, else
// the `node` on PATH — the one the user's terminal and CI use — else the editor's own runtime
// (Electron run as Node), so a machine without Node on PATH still works.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface NodeRuntime {
  readonly execPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where it came from, for the log. */
  readonly source: string;
}

export function resolveNodeRuntime(setting: string, pathEnv = process.env.PATH ?? ''): NodeRuntime | { readonly error: string } {
  const wanted = setting.trim();
  if (wanted !== '') {
    const found = isAbsolute(wanted) ? (isExecutable(wanted) ? wanted : undefined) : onPath(wanted, pathEnv);
    if (!found) return { error: `redline.nodeExecutable is "${wanted}", which is not an executable file${isAbsolute(wanted) ? '' : ' on PATH'}. Set it to the absolute path of node, or clear it to use the node on PATH.` };
    return { execPath: found, source: 'redline.nodeExecutable' };
  }
  const node = onPath(process.platform === 'win32' ? 'node.exe' : 'node', pathEnv);
  if (node) return { execPath: node, source: 'PATH' };
  // The editor's runtime: in desktop VS Code an Electron binary that acts as Node with this flag.
  return { execPath: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' }, source: "the editor's runtime" };
}

function onPath(name: string, pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
