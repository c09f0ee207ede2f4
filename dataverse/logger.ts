export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

function line(level: string, message: string, data?: Record<string, unknown>): string {
  return data ? `${level} ${message} ${JSON.stringify(data)}` : `${level} ${message}`;
}

/** Logs one line per call to stderr, so stdout stays free for command output. */
export const consoleLogger: Logger = {
  info: (m, d) => console.error(line('info', m, d)),
  warn: (m, d) => console.error(line('warn', m, d)),
  error: (m, d) => console.error(line('error', m, d)),
};

/** Passes on warnings and errors only: long-running commands stay readable. */
export function quietLogger(inner: Logger): Logger {
  return { info: () => {}, warn: (m, d) => inner.warn(m, d), error: (m, d) => inner.error(m, d) };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A logger that keeps its lines, for tests that assert what a user would read in the log. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m, d) => lines.push(line('info', m, d)),
    warn: (m, d) => lines.push(line('warn', m, d)),
    error: (m, d) => lines.push(line('error', m, d)),
  };
}
