/**
 * `ideario ingest` against the in-memory emulator, scoring included: rows per second, and Web API
 * requests per row as the emulator's own counter sees them, against the baseline of one request per
 * row (each row sent alone and scored by its webhook would cost more: the handler's two reads/writes).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { contact, EventType, idr_interactionrule, idr_marketingconcept } from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { runIngest } from '../cli/ingest';
import { startEmulator } from '../emulator/start';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const TOKEN = 'bench-token';
const ROWS = 10_000;
const CONTACTS = 300;

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
}

export async function figures(): Promise<Figure[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ideario-bench-ingest-'));
  const emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT, token: TOKEN });
  try {
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
    const contacts: string[] = [];
    for (let i = 0; i < CONTACTS; i++)
      contacts.push(await engine.create(contact.entitySetName, { [contact.columns.lastname]: `Bench ${i}` }));
    const start = Date.now() - 300 * 86_400_000;
    const lines = ['source,externalid,eventtype,occurredon,contactid'];
    for (let i = 0; i < ROWS; i++)
      lines.push(
        `bench,r-${i},EmailClick,${new Date(start + i * 600_000).toISOString()},${contacts[(i * 7) % CONTACTS] ?? ''}`,
      );
    const file = path.join(dir, 'events.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    emulator.stats.reset();
    const began = performance.now();
    await runIngest(
      file,
      { url: emulator.url, batch: '1000', solutionRoot: SOLUTION_ROOT, bypassAsync: true },
      {
        env: { IDEARIO_TOKEN: TOKEN },
        logger: silentLogger,
        print: () => undefined,
        clock: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        progress: { update: () => undefined, stop: () => undefined },
      },
    );
    const seconds = (performance.now() - began) / 1000;
    const requests = emulator.stats.snapshot().requests;
    return [
      { name: 'ingest.rows_per_s', value: ROWS / seconds, unit: 'rows/s' },
      { name: 'ingest.requests_per_row', value: requests / ROWS, unit: 'requests/row', baseline: 1 },
    ];
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  for (const figure of await figures()) {
    const against = figure.baseline === undefined ? '' : ` (baseline ${figure.baseline})`;
    console.log(`${figure.name}: ${figure.value.toFixed(4)} ${figure.unit}${against}`);
  }
}
