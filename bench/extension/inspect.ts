// The extension host's JavaScript heap, through the Node inspector: SIGUSR1 makes a Node process
// open its inspector on 127.0.0.1:9229 (VS Code's extension host included); a short child process
// (Node 20 needs --experimental-websocket for a WebSocket) connects, checks that the target is
// that pid, and reads process.memoryUsage() and the heap, after a full GC when asked, or writes a
// heap snapshot's histogram (objects by constructor, strings, arrays… with count and self size).
// Used only after the RSS figures are taken, or before the run without GC, so it does not move
// the figures it explains. RL_BENCH_KEEP_SNAPSHOTS=1 (with --heap-snapshots --keep) keeps each
// snapshot beside its histogram, for DevTools' Memory tab.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface HeapFigures {
  readonly rssMB: number;
  readonly heapUsedMB: number;
  readonly heapTotalMB: number;
  readonly externalMB: number;
  readonly arrayBuffersMB: number;
  readonly gc: boolean;
}

/** name → [count, self bytes]. */
export type Histogram = Record<string, [number, number]>;

const CHILD = String.raw`
const [pid, mode, out] = process.argv.slice(1);
const MB = 1024 * 1024;
const fail = (m) => { process.stdout.write(JSON.stringify({ error: m })); process.exit(0); };
let list;
for (let i = 0; i < 50 && !list; i++) {
  try { list = await (await fetch('http://127.0.0.1:9229/json/list')).json(); } catch { await new Promise((r) => setTimeout(r, 100)); }
}
if (!list) fail('no inspector on 127.0.0.1:9229');
const connect = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  let id = 0;
  const pending = new Map();
  const listeners = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
    else for (const l of listeners) l(m);
  };
  ws.onerror = () => reject(new Error('websocket error'));
  ws.onopen = () => resolve({
    send: (method, params = {}) => new Promise((res, rej) => { const n = ++id; pending.set(n, (m) => (m.error ? rej(new Error(m.error.message)) : res(m.result))); ws.send(JSON.stringify({ id: n, method, params })); }),
    on: (l) => listeners.push(l),
    close: () => ws.close(),
  });
});
let session;
for (const target of list) {
  try {
    const s = await connect(target.webSocketDebuggerUrl);
    const r = await s.send('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
    if (String(r.result.value) === pid) { session = s; break; }
    s.close();
  } catch {}
}
if (!session) fail('the inspector on 9229 is not pid ' + pid);
const usage = async () => {
  const r = await session.send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
  const u = JSON.parse(r.result.value);
  return { rssMB: u.rss / MB, heapUsedMB: u.heapUsed / MB, heapTotalMB: u.heapTotal / MB, externalMB: u.external / MB, arrayBuffersMB: u.arrayBuffers / MB };
};
if (mode === 'usage') {
  process.stdout.write(JSON.stringify({ ...(await usage()), gc: false }));
} else {
  await session.send('HeapProfiler.enable');
  await session.send('HeapProfiler.collectGarbage');
  await session.send('HeapProfiler.collectGarbage');
  const figures = { ...(await usage()), gc: true };
  if (mode === 'snapshot') {
    let text = '';
    session.on((m) => { if (m.method === 'HeapProfiler.addHeapSnapshotChunk') text += m.params.chunk; });
    await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    if (process.env.RL_BENCH_KEEP_SNAPSHOTS === '1') (await import('node:fs')).writeFileSync(out + '.heapsnapshot', text);
    const snap = JSON.parse(text);
    text = '';
    const meta = snap.snapshot.meta;
    const fields = meta.node_fields;
    const types = meta.node_types[0];
    const n = fields.length;
    const iType = fields.indexOf('type'), iName = fields.indexOf('name'), iSize = fields.indexOf('self_size');
    const hist = {};
    const nodes = snap.nodes;
    for (let i = 0; i < nodes.length; i += n) {
      const type = types[nodes[i + iType]];
      const key = type === 'object' || type === 'closure' ? (type === 'closure' ? 'closure ' : '') + snap.strings[nodes[i + iName]] : '(' + type + ')';
      const h = hist[key] || (hist[key] = [0, 0]);
      h[0]++;
      h[1] += nodes[i + iSize];
    }
    (await import('node:fs')).writeFileSync(out, JSON.stringify(hist));
  }
  await session.send('HeapProfiler.disable');
  process.stdout.write(JSON.stringify(figures));
}
session.close();
process.exit(0);
`;

const opened = new Set<number>();

async function child(pid: number, mode: 'usage' | 'gc' | 'snapshot', out = ''): Promise<HeapFigures | { error: string }> {
  if (!opened.has(pid)) {
    try {
      process.kill(pid, 'SIGUSR1');
      opened.add(pid);
    } catch (error) {
      return { error: `SIGUSR1 to ${pid}: ${String(error)}` };
    }
  }
  const proc = spawn(process.execPath, ['--max-old-space-size=4096', '--experimental-websocket', '--no-warnings', '--input-type=module', '-e', CHILD, String(pid), mode, out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  await new Promise((resolve) => proc.once('close', resolve));
  clearTimeout(timer);
  try {
    return JSON.parse(stdout) as HeapFigures | { error: string };
  } catch {
    return { error: `inspector helper: ${stdout}${stderr}`.slice(0, 500) };
  }
}

/** process.memoryUsage() of `pid`, without a GC (before a run: leaves the heap as it is). */
export const heapUsage = (pid: number): Promise<HeapFigures | { error: string }> => child(pid, 'usage');

/** The same after two full GCs: what the heap still holds. */
export const heapAfterGc = (pid: number): Promise<HeapFigures | { error: string }> => child(pid, 'gc');

/** After two full GCs, a heap snapshot's histogram written to `out`, then read back. */
export async function heapHistogram(pid: number, out: string): Promise<{ figures: HeapFigures; histogram: Histogram } | { error: string }> {
  const figures = await child(pid, 'snapshot', out);
  if ('error' in figures) return figures;
  return { figures, histogram: JSON.parse(readFileSync(out, 'utf8')) as Histogram };
}

/** Where the heap grew between two histograms: the biggest growths in self size. */
export function histogramGrowth(before: Histogram, after: Histogram, top = 20): Array<{ name: string; count: number; bytes: number }> {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  const rows = [...names].map((name) => {
    const [c0, b0] = before[name] ?? [0, 0];
    const [c1, b1] = after[name] ?? [0, 0];
    return { name, count: c1 - c0, bytes: b1 - b0 };
  });
  return rows.sort((a, b) => b.bytes - a.bytes).slice(0, top);
}
