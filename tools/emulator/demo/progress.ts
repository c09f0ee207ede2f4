/**
 * Progress of the demo load on the terminal: a cli-progress bar when stderr is a terminal, otherwise
 * (CI, logs, tests) one line each time another tenth is done.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { DemoProgress } from './load';

export interface ProgressReporter {
  update(progress: DemoProgress): void;
  stop(): void;
}

export function lineProgress(write: (line: string) => void): ProgressReporter {
  let lastTenth = -1;
  return {
    update({ step, done, total }) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      write(`Demo data: ${tenth * 10}% (${done}/${total}) ${step}`);
    },
    stop() {},
  };
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) return lineProgress((line) => stream.write(`${line}\n`));
  const bar = new SingleBar(
    { format: 'Demo data [{bar}] {percentage}% {value}/{total} {step}', stream, hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update({ step, done, total }) {
      if (!started) {
        bar.start(total, 0, { step });
        started = true;
      }
      bar.update(done, { step });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
