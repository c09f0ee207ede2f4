import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../dataverse/logger';
import { copySample } from '../solution/__fixtures__/copy';
import { runTypegen } from './typegen';

describe('ideario typegen', () => {
  let sample: ReturnType<typeof copySample>;
  let out: string;
  beforeEach(() => {
    sample = copySample();
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'ideario-cli-generated-'));
  });
  afterEach(() => {
    sample.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('writes the generated files, and --check then passes', () => {
    const printed: string[] = [];
    const logger = memoryLogger();
    expect(runTypegen({ solution: sample.root, out, check: false }, logger, (l) => printed.push(l))).toBe(0);
    expect(printed).toContain(`wrote ${path.join(out, 'index.ts')}`);
    expect(runTypegen({ solution: sample.root, out, check: true }, logger, (l) => printed.push(l))).toBe(0);
    expect(logger.lines).toEqual([]);
  });

  it('--check exits 1 and names the stale files once solution/ changes', () => {
    const logger = memoryLogger();
    runTypegen({ solution: sample.root, out, check: false }, logger, () => {});
    sample.edit('Beta/src/OptionSets/idr_language.xml', 'description="Spanish"', 'description="Castilian"');
    expect(runTypegen({ solution: sample.root, out, check: true }, logger, () => {})).toBe(1);
    expect(logger.lines).toEqual([
      expect.stringMatching(
        /^error .* is out of date with solution\/ \(choices\.ts\)\. Run `npm run typegen`/,
      ),
    ]);
  });

  it('exits 1 with every problem when solution/ cannot be read', () => {
    const logger = memoryLogger();
    sample.edit('Alpha/src/Entities/idr_visit/Entity.xml', '<Type>decimal</Type>', '');
    expect(runTypegen({ solution: sample.root, out, check: false }, logger, () => {})).toBe(1);
    expect(logger.lines[0]).toMatch(/Entity\.xml:65: column idr_score on idr_visit has no <Type>\n {4}fix: /);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
