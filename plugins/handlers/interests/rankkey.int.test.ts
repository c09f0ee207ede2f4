/**
 * The Impact Ranking's order: profiles of one concept that started on different days (each its own
 * landmark) come back by score today when a view or the control sorts by idr_rankkey, where sorting by
 * the accumulator puts them in another order.
 */
import { idr_accountinterest, idr_interestprofile } from '../../../dataverse/generated';
import { DAY_MS } from '../../../domain/interest';
import { lookupValue } from './records';
import { rescoreAll } from './rescore';
import {
  orgPerTest,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const PC = idr_interestprofile.columns;
const START = new Date('2025-03-01T09:00:00Z');
const env = orgPerTest({ start: START });

it('sorts a concept’s profiles and account rows by score today, whatever their landmarks', async () => {
  const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 500, exit: 400, halfLifeDays: 30 });
  const people: [string, number, string][] = [
    // name, days ago, points: today 100·2^-2 = 25, 40·2^-(1/3) ≈ 31.7, 30·2^-(1/30) ≈ 29.3.
    ['Old', 60, 'old'],
    ['Mid', 10, 'mid'],
    ['New', 1, 'new'],
  ];
  const points: Record<string, number> = { old: 100, mid: 40, new: 30 };
  for (const tag of Object.keys(points))
    await seedRule(env.client, { concept: cloud.id, points: points[tag] ?? 0, match: `url=*${tag}*` });
  const names = new Map<string, string>();
  for (const [name, daysAgo, tag] of people) {
    // Each contact works for an account of the same name: the account rows rank the same way.
    const accountId = await seedAccount(env.client, name);
    names.set(accountId, name);
    const id = await seedContact(env.client, { name, accountId });
    names.set(id, name);
    await seedInteraction(env.client, {
      contactId: id,
      occurredOn: new Date(START.getTime() - daysAgo * DAY_MS),
      url: `https://example.com/${tag}`,
    });
  }
  await env.drain();

  const sorted = async (column: string) =>
    (
      await env.client.retrieveMultiple(idr_interestprofile.entitySetName, {
        filter: `${lookupValue(PC.idr_concept)} eq ${cloud.id}`,
        select: [lookupValue(PC.idr_contact)],
        orderBy: [`${column} desc`],
      })
    ).map((r) => names.get(String(r[lookupValue(PC.idr_contact)])));
  expect(await sorted(PC.idr_rankkey)).toEqual(['Mid', 'New', 'Old']);
  // What the control sorted by before: the accumulator, comparable only against one landmark.
  expect(await sorted(PC.idr_accumulator)).toEqual(['Old', 'Mid', 'New']);

  const A = idr_accountinterest.columns;
  const accounts = await env.client.retrieveMultiple(idr_accountinterest.entitySetName, {
    filter: `${lookupValue(A.idr_concept)} eq ${cloud.id}`,
    select: [lookupValue(A.idr_account)],
    orderBy: [`${A.idr_rankkey} desc`],
  });
  expect(accounts.map((r) => names.get(String(r[lookupValue(A.idr_account)])))).toEqual([
    'Mid',
    'New',
    'Old',
  ]);

  // Rows written before the key existed get it from `ideario rescore`, which otherwise finds nothing to do.
  const keyless = async () => {
    const profiles = await env.client.retrieveMultiple(idr_interestprofile.entitySetName, {
      filter: `${PC.idr_rankkey} eq null`,
      select: [PC.idr_interestprofileid],
    });
    const rows = await env.client.retrieveMultiple(idr_accountinterest.entitySetName, {
      filter: `${A.idr_rankkey} eq null`,
      select: [A.idr_accountinterestid],
    });
    return profiles.length + rows.length;
  };
  for (const row of await env.client.retrieveMultiple(idr_interestprofile.entitySetName, {
    select: [PC.idr_interestprofileid],
  }))
    await env.client.update(idr_interestprofile.entitySetName, String(row[PC.idr_interestprofileid]), {
      [PC.idr_rankkey]: null,
    });
  for (const row of await env.client.retrieveMultiple(idr_accountinterest.entitySetName, {
    select: [A.idr_accountinterestid],
  }))
    await env.client.update(idr_accountinterest.entitySetName, String(row[A.idr_accountinterestid]), {
      [A.idr_rankkey]: null,
    });
  expect(await keyless()).toBe(6);
  const deps = { client: env.client, clock: env.clock.now, logger: env.logger };
  await rescoreAll(deps);
  expect(await keyless()).toBe(0);
  expect(await sorted(PC.idr_rankkey)).toEqual(['Mid', 'New', 'Old']);
  expect(await rescoreAll(deps)).toMatchObject({ profilesChanged: 0 });
});
