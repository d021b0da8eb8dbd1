// Where the store tells what it did on its own (a quarantine, a restore). The runner passes its
// log, the extension an output channel with levels; tests collect the lines.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
