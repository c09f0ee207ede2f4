/**
 * `ideario retrain` in process: what it says and keeps when an offer cannot be trained, and that a
 * dry run writes nothing.
 */
import path from 'node:path';
import { idr_offer, idr_offerscore } from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { syntheticOfferHistory, syntheticOperations } from '../emulator/demo/propensity';
import { InProcessClient } from '../emulator/inprocess-client';
import { testEngine } from '../emulator/testing/engine';
import { loadMetadata } from '../solution/loader';
import { runRetrainCommand } from './retrain';

const NOW = new Date('2026-12-01T00:00:00Z');
const metadata = loadMetadata(path.join(__dirname, '..', '..', 'solution'));

async function org(contacts: number, days: number) {
  const { engine } = testEngine({ metadata, start: NOW });
  const client = new InProcessClient(engine);
  const history = syntheticOfferHistory({ seed: 5, contacts, now: NOW.getTime(), days });
  const operations = syntheticOperations(history);
  for (let i = 0; i < operations.length; i += 1000) await client.executeBatch(operations.slice(i, i + 1000));
  return { engine, client };
}

function deps(client: InProcessClient, lines: string[]) {
  return { env: {}, logger: memoryLogger(), print: (l: string) => lines.push(l), clock: () => NOW, client };
}

describe('ideario retrain', () => {
  it('says which offer lacks purchases, keeps the reason on the offer and exits 1', async () => {
    // 20 days of history: no complete training window before the held-out month
    const { engine, client } = await org(30, 20);
    try {
      const lines: string[] = [];
      expect(await runRetrainCommand({ dryRun: false }, deps(client, lines))).toBe(1);
      expect(lines).toContain(
        'Offer TRAINING-DAY: the training period has 0 purchase(s) and 90 non-purchase(s); a propensity model needs both. ' +
          'Register more orders of the offer (idr_interaction with idr_offer) or lengthen its purchase window (idr_labeldays).',
      );
      const offers = await client.retrieveMultiple(idr_offer.entitySetName, {
        select: [idr_offer.columns.idr_code, idr_offer.columns.idr_modelquality],
      });
      expect(offers.every((o) => /needs both/.test(String(o[idr_offer.columns.idr_modelquality])))).toBe(
        true,
      );
      expect(await client.retrieveMultiple(idr_offerscore.entitySetName)).toHaveLength(0);
    } finally {
      engine.close();
    }
  });

  it('reports without writing on a dry run', async () => {
    const { engine, client } = await org(150, 200);
    try {
      const lines: string[] = [];
      await runRetrainCommand({ dryRun: true, offer: 'TRAINING-DAY' }, deps(client, lines));
      expect(lines[0]).toMatch(/^Read \d+ interaction\(s\) of 150 contact\(s\); 1 offer\(s\)\.$/);
      expect(lines.some((l) => /^Offer TRAINING-DAY: (published|not published);/.test(l))).toBe(true);
      expect(await client.retrieveMultiple(idr_offerscore.entitySetName)).toHaveLength(0);
      const [offer] = await client.retrieveMultiple(idr_offer.entitySetName, {
        select: [idr_offer.columns.idr_modelquality],
        filter: `${idr_offer.columns.idr_code} eq 'TRAINING-DAY'`,
      });
      expect(offer?.[idr_offer.columns.idr_modelquality] ?? null).toBeNull();
    } finally {
      engine.close();
    }
  });
});
