/**
 * The demo loads already scored through the bulk scorer, account interest rows included: a rescore of
 * the loaded demo (same rules, same clock) finds nothing to change, accounts included.
 */
import path from 'node:path';
import { account, idr_accountinterest } from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { lookupValue } from '../../../plugins/handlers/interests/records';
import { rescoreAll } from '../../../plugins/handlers/interests/rescore';
import { loadMetadata } from '../../solution/loader';
import { InProcessClient } from '../inprocess-client';
import { testEngine } from '../testing/engine';
import { loadDemoData } from './load';

const NOW = new Date('2025-06-10T09:30:00Z');

it('loads account interest rows with the demo, and a rescore of the demo changes nothing', async () => {
  const metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
  const { engine } = testEngine({ metadata, start: NOW });
  const client = new InProcessClient(engine);
  await loadDemoData(client, { size: 'small', now: NOW, seed: 3 });

  const rows = await client.retrieveMultiple(idr_accountinterest.entitySetName, {
    select: [
      lookupValue(idr_accountinterest.columns.idr_account),
      idr_accountinterest.columns.idr_contactcount,
    ],
  });
  expect(rows.length).toBeGreaterThan(0);
  const accounts = await client.retrieveMultiple(account.entitySetName, {
    select: [lookupValue(account.columns.idr_primaryinterest)],
  });
  const withPrimary = accounts.filter((a) => a[lookupValue(account.columns.idr_primaryinterest)]);
  expect(withPrimary.length).toBeGreaterThan(0);

  const summary = await rescoreAll({ client, clock: () => NOW, logger: silentLogger }, { dryRun: true });
  expect(summary).toMatchObject({
    profilesChanged: 0,
    interactionsChanged: 0,
    primaryInterestsChanged: 0,
    accountsChanged: 0,
    listAdds: 0,
    listRemoves: 0,
    conflicts: [],
  });
  expect(summary.interactions).toBeGreaterThan(100);
}, 120_000);
