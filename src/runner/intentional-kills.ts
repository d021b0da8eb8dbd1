// When Redline kills a worker on purpose, Vitest's pool may complain afterwards, from an exit
// handler, long after the run that did it (Vitest 3's tinypool throws "Worker exited
// unexpectedly"). The runner's last-resort handlers ask here whether a complaint is expected.
let lastKillAt = -Infinity;

export function noteIntentionalKill(): void {
  lastKillAt = Date.now();
}

export function killedRecently(withinMs = 10_000): boolean {
  return Date.now() - lastKillAt <= withinMs;
}
