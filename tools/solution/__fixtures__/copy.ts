import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `sample/`: a small platform and two solutions (Alpha, Beta) in the unpacked SolutionPackager layout. */
export const SAMPLE = path.join(__dirname, 'sample');

/** A private copy of `sample/` that a test may break; removed by the returned `dispose`. */
export function copySample(): {
  root: string;
  alpha: string;
  beta: string;
  edit: (file: string, from: string, to: string) => void;
  write: (file: string, content: string) => void;
  dispose: () => void;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ideario-solution-'));
  fs.cpSync(SAMPLE, root, { recursive: true });
  const resolve = (file: string): string => path.join(root, file);
  return {
    root,
    alpha: resolve('Alpha'),
    beta: resolve('Beta'),
    edit(file, from, to) {
      const full = resolve(file);
      const text = fs.readFileSync(full, 'utf8');
      if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
      fs.writeFileSync(full, text.replace(from, to));
    },
    write(file, content) {
      fs.mkdirSync(path.dirname(resolve(file)), { recursive: true });
      fs.writeFileSync(resolve(file), content);
    },
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
