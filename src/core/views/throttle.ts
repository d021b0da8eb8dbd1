// Panels redraw on every runner event, and the runner sends memory samples ten times a second
// (more when a test is busy) while phase and backup events come in bursts. Posting each one to
// a webview would make the page re-render faster than anyone can read, so updates go through
// this throttle: the first request after a quiet spell is delivered at once (no added latency),
// later ones collapse into a single trailing delivery, so the page always ends on the latest
// state and never sees more than 1000 / intervalMs updates a second.

/** The timer functions the throttle needs; injected so tests run on a fake clock. */
export interface ThrottleTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** 20 updates a second: smooth for a gauge, cheap for the extension host. */
export const DEFAULT_UPDATE_INTERVAL_MS = 50;

export class UpdateThrottle {
  private lastDelivered = Number.NEGATIVE_INFINITY;
  private timer: unknown = undefined;
  private disposed = false;

  constructor(
    private readonly deliver: () => void,
    private readonly timers: ThrottleTimers,
    private readonly intervalMs: number = DEFAULT_UPDATE_INTERVAL_MS,
  ) {}

  /** Ask for an update: now if none was delivered in the last interval, else once at its end. */
  request(): void {
    if (this.disposed || this.timer !== undefined) return;
    const wait = this.lastDelivered + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
  }

  /** Whether a trailing update is scheduled. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Deliver a scheduled update now (e.g. before the panel is hidden). */
  flush(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.fire();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    if (this.disposed) return;
    this.lastDelivered = this.timers.now();
    this.deliver();
  }
}
