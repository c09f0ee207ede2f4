import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MissingSolutionZipError } from './errors';
import { findSolutionZip } from './zips';

let dist: string;
beforeEach(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'ideario-dist-'));
});
afterEach(async () => {
  await rm(dist, { recursive: true, force: true });
});

it('picks the highest version of the wanted flavour', async () => {
  for (const name of [
    'IdearioInterests_1_0_0_9_managed.zip',
    'IdearioInterests_1_0_0_10_managed.zip',
    'IdearioInterests_1_0_1_0.zip',
    'IdearioInterestsExtra_9_0_0_0_managed.zip',
  ]) {
    await writeFile(path.join(dist, name), 'x');
  }
  expect(await findSolutionZip(dist, 'IdearioInterests', true)).toBe(
    path.join(dist, 'IdearioInterests_1_0_0_10_managed.zip'),
  );
  expect(await findSolutionZip(dist, 'IdearioInterests', false)).toBe(
    path.join(dist, 'IdearioInterests_1_0_1_0.zip'),
  );
});

it('tells the user to build first when there is no zip', async () => {
  await expect(findSolutionZip(dist, 'IdearioGroupQuotes', true)).rejects.toThrow(
    new MissingSolutionZipError('IdearioGroupQuotes', dist, true),
  );
  await expect(findSolutionZip(path.join(dist, 'missing'), 'IdearioGroupQuotes', false)).rejects.toThrow(
    'run npm run build first',
  );
});
