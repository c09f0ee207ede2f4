import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readResx } from './resx.testkit';

const root = join(__dirname, '..');
const controls = readdirSync(root, { withFileTypes: true })
  .filter(
    (entry) =>
      entry.isDirectory() && readdirSync(join(root, entry.name)).includes('ControlManifest.Input.xml'),
  )
  .map((entry) => entry.name);

describe('control strings', () => {
  it.each(controls)('%s has a Spanish string for every English one, none left empty', (control) => {
    const english = readResx(join(root, control, 'strings', `${control}.1033.resx`));
    const spanish = readResx(join(root, control, 'strings', `${control}.3082.resx`));
    expect(Object.keys(spanish).sort()).toEqual(Object.keys(english).sort());
    expect(Object.entries(spanish).filter(([, text]) => text.trim() === '')).toEqual([]);
    // Placeholders ({0}, {1}) must survive translation, or the Spanish text loses its values.
    for (const [key, text] of Object.entries(english))
      expect([key, (spanish[key].match(/\{\d\}/g) ?? []).sort()]).toEqual([
        key,
        (text.match(/\{\d\}/g) ?? []).sort(),
      ]);
  });

  it('finds the three controls', () => {
    expect(controls.length).toBeGreaterThanOrEqual(2);
  });
});
