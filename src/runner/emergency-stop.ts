// Stops every process of a run except the caller: the last resort when the host goes away or the
// run is abandoned. Finds them by the run marker, so it also reaches children that were
// re-parented or left the process group.
import { testTree } from '../core/process-tree';
import { ENV } from '../protocol/probe';
import type { Orphan } from '../protocol/report';
import { stopProcesses } from './kill-tree';
import type { Platform } from './platform/platform';

export async function emergencyStop(platform: Platform, runMarker: string, rootPid: number, exceptPid = process.pid, graceMs = 300): Promise<Orphan[]> {
  const table = await platform.listProcesses([ENV.run, ENV.workerFile]);
  const tree = testTree(table, { rootPid, marker: { name: ENV.run, value: runMarker } });
  const victims = table.filter((p) => tree.has(p.pid) && p.pid !== exceptPid);
  await stopProcesses(platform, victims.map((p) => p.pid), { graceMs });
  return victims.map((p) => {
    const file = p.markers?.[ENV.workerFile];
    return { pid: p.pid, command: p.command, ...(file ? { file } : {}) };
  });
}
