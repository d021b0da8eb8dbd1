// The runner's end of the probe side channel (see src/protocol/probe.ts): a local socket that
// every worker's probe connects to. On Linux it lives in the abstract namespace, so nothing is
// written to disk; elsewhere it is a socket file in the temp directory or a Windows named pipe.
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { listenPath } from './probe/listen-path';
import { ProbeMessageSchema, type ProbeMessage, type RunnerToProbe } from '../protocol/probe';

export interface ProbeServer {
  readonly path: string;
  /** Send to the probe of one worker; false if it is not connected. */
  send(pid: number, message: RunnerToProbe): boolean;
  broadcast(message: RunnerToProbe): void;
  close(): Promise<void>;
}

/**
 * The socket's address as it travels in the environment. An abstract Linux socket starts with a
 * NUL byte, which no environment variable can hold, so it is written with a leading '@' there
 * (as `ss` shows it) and turned back by `listenPath` on both ends.
 */
export function socketPathFor(platform: NodeJS.Platform, token: string): string {
  if (platform === 'win32') return `\\\\.\\pipe\\redline-${token}`;
  if (platform === 'linux') return `@redline-${token}`;
  return join(tmpdir(), `redline-${token}.sock`);
}

export async function startProbeServer(
  onMessage: (message: ProbeMessage) => void,
  onInvalid: (line: string) => void,
  /** A worker's connection closed: it exited, or was stopped. */
  onDisconnect: (pid: number) => void,
): Promise<ProbeServer> {
  const path = socketPathFor(process.platform, randomBytes(8).toString('hex'));
  const byPid = new Map<number, Socket>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const parsed = safeParse(line);
        if (!parsed) {
          onInvalid(line);
          continue;
        }
        if (parsed.t === 'hello') byPid.set(parsed.pid, socket);
        onMessage(parsed);
      }
    });
    const forget = (): void => {
      if (!sockets.delete(socket)) return;
      for (const [pid, s] of byPid) {
        if (s !== socket) continue;
        byPid.delete(pid);
        onDisconnect(pid);
      }
    };
    socket.on('close', forget);
    socket.on('error', forget);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPath(path), () => resolve());
  });

  const write = (socket: Socket, message: RunnerToProbe): boolean => {
    if (socket.destroyed) return false;
    socket.write(JSON.stringify(message) + '\n');
    return true;
  };

  return {
    path,
    send: (pid, message) => {
      const socket = byPid.get(pid);
      return socket ? write(socket, message) : false;
    },
    broadcast: (message) => {
      for (const socket of sockets) write(socket, message);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          if (!path.startsWith('@') && process.platform !== 'win32') rmSync(path, { force: true });
          resolve();
        });
      }),
  };
}

function safeParse(line: string): ProbeMessage | undefined {
  try {
    const result = ProbeMessageSchema.safeParse(JSON.parse(line));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

