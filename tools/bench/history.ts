/**
 * A scored interaction history for the ingest and rescore benches: one concept and one rule in an
 * emulator, `contacts` contacts, and a CSV of `rows` e-mail clicks spread over 300 days that
 * `ideario ingest` loads (and scores in bulk).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contact, EventType, idr_interactionrule, idr_marketingconcept } from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { runIngest } from '../cli/ingest';
import type { RunningEmulator } from '../emulator/start';

export const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
export const BENCH_TOKEN = 'bench-token';

/** Seeds the concept, rule and contacts; returns the contacts' ids. */
export async function seedCatalog(emulator: RunningEmulator, contacts: number): Promise<string[]> {
  const engine = emulator.engine;
  const concept = await engine.create(idr_marketingconcept.entitySetName, {
    [idr_marketingconcept.columns.idr_name]: 'Cloud',
    [idr_marketingconcept.columns.idr_code]: 'CLOUD',
    [idr_marketingconcept.columns.idr_enterthreshold]: 20,
    [idr_marketingconcept.columns.idr_exitthreshold]: 10,
  });
  await engine.create(idr_interactionrule.entitySetName, {
    [idr_interactionrule.columns.idr_name]: 'Click',
    [idr_interactionrule.columns.idr_eventtype]: EventType.EmailClick,
    [idr_interactionrule.columns.idr_points]: 5,
    [`${idr_interactionrule.columns.idr_concept}@odata.bind`]: `/${idr_marketingconcept.entitySetName}(${concept})`,
  });
  const ids: string[] = [];
  for (let i = 0; i < contacts; i++)
    ids.push(await engine.create(contact.entitySetName, { [contact.columns.lastname]: `Bench ${i}` }));
  return ids;
}

/** Writes the CSV of `rows` clicks by the contacts in turn into `dir`; returns its path. */
export async function writeEvents(dir: string, rows: number, contacts: readonly string[]): Promise<string> {
  const start = Date.now() - 300 * 86_400_000;
  const step = Math.floor((300 * 86_400_000) / Math.max(rows, 1));
  const lines = ['source,externalid,eventtype,occurredon,contactid'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `bench,r-${i},EmailClick,${new Date(start + i * step).toISOString()},${contacts[(i * 7) % contacts.length] ?? ''}`,
    );
  const file = path.join(dir, 'events.csv');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** `ideario ingest` of the file into the emulator, `batch` rows per request, quietly. */
export async function ingest(emulator: RunningEmulator, file: string, batch: number): Promise<void> {
  await runIngest(
    file,
    { url: emulator.url, batch: String(batch), solutionRoot: SOLUTION_ROOT, bypassAsync: true },
    {
      env: { IDEARIO_TOKEN: BENCH_TOKEN },
      logger: silentLogger,
      print: () => undefined,
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      progress: { update: () => undefined, stop: () => undefined },
    },
  );
}
