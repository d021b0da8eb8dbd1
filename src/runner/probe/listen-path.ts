// '@name' is how an abstract Linux socket address travels in the environment (see
// probe-server.ts); the socket calls need the NUL byte back.
export function listenPath(path: string): string {
  return path.startsWith('@') ? `\0${path.slice(1)}` : path;
}
