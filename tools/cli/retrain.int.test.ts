/**
 * `ideario retrain` against the emulator over HTTP, counted by the emulator's own request counter: on
 * a seeded history with a known ground truth every offer's model beats interest alone and is
 * published, each contact gets a score per offer, and the whole run (reads included) costs at most
 * 0.01 Web API requests per contact scored.
 */
import path from 'node:path';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import { idr_offer, idr_offerscore } from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { syntheticOfferHistory, syntheticOperations } from '../emulator/demo/propensity';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { runRetrainCommand } from './retrain';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const TOKEN = 'retrain-token';
const NOW = new Date('2026-12-01T00:00:00Z');
const CONTACTS = 600;

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

// Training three models on 600 contacts is CPU work: a loaded 2-core machine needs more than the default ceiling.
it('publishes models that beat interest alone and writes every score within 0.01 requests per score', async () => {
  emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT, token: TOKEN });
  const client = createNodeClient({ url: emulator.url, getToken: () => Promise.resolve(TOKEN) });
  const history = syntheticOfferHistory({
    seed: 20261206,
    contacts: CONTACTS,
    now: NOW.getTime(),
    days: 240,
  });
  const operations = syntheticOperations(history);
  for (let i = 0; i < operations.length; i += 1000) await client.executeBatch(operations.slice(i, i + 1000));

  emulator.stats.reset();
  const lines: string[] = [];
  const progress: number[] = [];
  const code = await runRetrainCommand(
    { dryRun: false },
    {
      env: {},
      logger: memoryLogger(),
      print: (line) => lines.push(line),
      clock: () => NOW,
      client,
      progress: { update: (done) => progress.push(done), stop: () => undefined },
    },
  );
  const requests = emulator.stats.snapshot().requests;

  expect(lines.filter((l) => /: published;/.test(l))).toHaveLength(3);
  expect(code).toBe(0);
  const scores = await emulator.engine.query(idr_offerscore.entitySetName, { top: 5000 });
  expect(scores.records).toHaveLength(CONTACTS * 3);
  expect(requests / scores.records.length).toBeLessThanOrEqual(0.01);
  expect(progress.at(-1)).toBe(CONTACTS * 3);

  const offers = await emulator.engine.query(idr_offer.entitySetName, {
    select: [idr_offer.columns.idr_modelversion, idr_offer.columns.idr_modelquality],
  });
  for (const offer of offers.records) {
    expect(offer[idr_offer.columns.idr_modelversion]).toMatch(/^lr-.+-2026-12-01$/);
    expect(offer[idr_offer.columns.idr_modelquality]).toMatch(/AUC.*base rate/s);
  }

  // --offer takes a code as typed in any case, and a code that names no offer is refused with the codes.
  const codes = history.offers.map((o) => o.code).sort();
  const again = async (offer: string) => {
    const logger = memoryLogger();
    const printed: string[] = [];
    const exit = await runRetrainCommand(
      { dryRun: true, offer },
      { env: {}, logger, print: (line) => printed.push(line), clock: () => NOW, client },
    );
    return { exit, printed, errors: logger.lines.filter((l) => l.startsWith('error ')) };
  };
  const one = await again(codes[0]?.toLowerCase() ?? '');
  expect(one.exit).toBe(0);
  expect(one.printed.filter((l) => /: published;/.test(l))).toHaveLength(1);
  const typo = await again('NOPE');
  expect(typo.exit).toBe(1);
  expect(typo.errors).toEqual([
    `error retrain failed: Offer "NOPE" does not exist or is not active; use the code of an active offer: ${codes.join(', ')}.`,
  ]);
}, 360_000);
