import cliProgress from 'cli-progress';

export interface TerminalBar {
  update(value: number, total: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

/** A bar on stderr, started at the first update (when the total is known); stopping one never started does nothing. */
export function terminalBar(format: string): TerminalBar {
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total, payload) {
      if (!started) {
        bar.start(total, value, payload);
        started = true;
      } else bar.update(value, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
