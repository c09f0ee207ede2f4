/**
 * "Keep about the N most likely" on the emulator: the propensity the Target Builder reads for the N-th
 * most likely (one paged FetchXML read, as context.webAPI sends it) is the N-th of `ideario target
 * --offer --top N`'s ranking; the list query keeps everyone at or above it (ties a little more than N),
 * and the hourly job that moves minimum scores leaves the offer condition as it was.
 */
import { contact, EventType, idr_offer, idr_offerscore, list } from '../../dataverse/generated';
import {
  countOf,
  nthPropensityOf,
  parseTargetFetchXml,
  targetCountFetchXml,
  targetFetchXml,
} from '../../dataverse/queries/target';
import {
  countTarget,
  createDynamicList,
  rankTargetByOffer,
  refreshDynamicTargets,
} from '../../plugins/handlers/campaigns/target';
import { bind, recordUrl } from '../../plugins/handlers/interests/records';
import {
  orgPerTest,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../../plugins/handlers/interests/test-org.testkit';
import {
  type BuilderState,
  EMPTY_STATE,
  nthPropensityRequest,
  toOffers,
  OFFERS_QUERY,
  toQuery,
} from './builder';

const DAY = 86_400_000;
const START = new Date('2026-04-01T09:00:00Z');
const env = orgPerTest({ start: START });

async function score(offerId: string, contactId: string, propensity: number) {
  const S = idr_offerscore.columns;
  await env.client.create(idr_offerscore.entitySetName, {
    [S.idr_name]: 'score',
    [S.idr_propensity]: propensity,
    [S.idr_scoredon]: env.clock.now().toISOString(),
    [bind(S.idr_contact)]: recordUrl(contact.entitySetName, contactId),
    [bind(S.idr_offer)]: recordUrl(idr_offer.entitySetName, offerId),
  });
}

/**
 * Five contacts interested in Cloud, scored 0.9, 0.7, 0.5, 0.5 and 0.2 for the CLOUD-PLAN offer; Zoe,
 * not interested, 0.95 (the most likely of all, but not in the target); an inactive offer.
 */
async function seed() {
  const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 30, exit: 20, halfLifeDays: 10 });
  await seedRule(env.client, { concept: cloud.id, points: 80, eventType: EventType.WebVisit });
  const names = ['Ana', 'Ben', 'Cai', 'Dan', 'Eva'];
  const interested: string[] = [];
  for (const name of names) interested.push(await seedContact(env.client, { name }));
  const zoe = await seedContact(env.client, { name: 'Zoe' });
  for (const who of interested)
    await seedInteraction(env.client, { contactId: who, eventType: EventType.WebVisit, occurredOn: START });
  await env.drain();
  const O = idr_offer.columns;
  const offerId = await env.client.create(idr_offer.entitySetName, {
    [O.idr_name]: 'Cloud migration plan',
    [O.idr_code]: 'CLOUD-PLAN',
  });
  const retired = await env.client.create(idr_offer.entitySetName, {
    [O.idr_name]: 'Old plan',
    [O.idr_code]: 'OLD',
  });
  await env.client.update(idr_offer.entitySetName, retired, {
    [O.statecode]: idr_offer.choices.statecode.Inactive,
    [O.statuscode]: idr_offer.choices.statuscode.Inactive,
  });
  const propensities = [0.9, 0.7, 0.5, 0.5, 0.2];
  for (const [i, who] of interested.entries()) await score(offerId, who, propensities[i]);
  await score(offerId, zoe, 0.95);
  env.clock.advance(DAY);
  return { cloud, offerId };
}

/** What the control reads for "keep about the N most likely": the N-th one's propensity, or null. */
async function controlThreshold(state: BuilderState, halfLifeDays: number) {
  const concepts = state.concepts.map((c) => ({ id: c.conceptId, name: 'Cloud', halfLifeDays }));
  const options = nthPropensityRequest(state, concepts, env.clock.now().getTime());
  if (options === null) throw new Error('no request for this state');
  const fetchXml = decodeURIComponent(options.slice('?fetchXml='.length));
  // One page, as `GET idr_offerscores?fetchXml=` answers (the client's fetchXml would read every page).
  const page = await env.org.engine.fetchXml(idr_offerscore.entitySetName, fetchXml);
  expect(page.records.length).toBeLessThanOrEqual(1);
  return nthPropensityOf(page.records);
}

it('reads the propensity of the N-th most likely that ideario target --offer --top N ranks N-th', async () => {
  const { cloud, offerId } = await seed();
  const offers = toOffers(
    await env.client.retrieveMultiple(idr_offer.entitySetName, {
      filter: `${idr_offer.columns.statecode} eq ${idr_offer.choices.statecode.Active}`,
      select: [idr_offer.columns.idr_offerid, idr_offer.columns.idr_name],
    }),
  );
  expect(OFFERS_QUERY).toContain(`${idr_offer.columns.statecode} eq ${idr_offer.choices.statecode.Active}`);
  expect(offers).toEqual([{ id: offerId, name: 'Cloud migration plan' }]);

  const state: BuilderState = {
    ...EMPTY_STATE,
    concepts: [{ conceptId: cloud.id, minScore: '30' }],
    offerId,
  };
  const counted = await countTarget(
    { client: env.client, clock: env.clock.now },
    { concepts: [{ concept: 'CLOUD', minScore: 30 }] },
  );
  expect(counted.contactIds).toHaveLength(5);
  const now = env.clock.now().getTime();
  // With ties (two at 0.5) the list keeps a little more than N: the UI says so.
  const expectedCounts = [1, 2, 4, 4, 5];
  for (const n of [1, 2, 3, 4, 5]) {
    const keep = { ...state, keepMostLikely: String(n) };
    const threshold = await controlThreshold(keep, 10);
    const cli = await rankTargetByOffer(env.client, counted.contactIds, 'CLOUD-PLAN', n);
    expect([n, threshold]).toEqual([n, cli.lowest]);
    const mapped = toQuery({ ...keep, minPropensity: String(threshold) }, [
      { id: cloud.id, name: 'Cloud', halfLifeDays: 10 },
    ]);
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.problems));
    const count = countOf(
      await env.client.fetchXml(contact.entitySetName, targetCountFetchXml(mapped.query, now)),
    );
    expect([n, count]).toEqual([n, expectedCounts[n - 1]]);
    const members = await env.client.fetchXml(contact.entitySetName, targetFetchXml(mapped.query, now));
    expect(members.map((m) => String(m[contact.columns.contactid])).sort()).toEqual(
      expect.arrayContaining([...cli.contactIds].sort()),
    );
  }
  // Fewer than 6 in the target have a score: nothing on page 6, so the control keeps every scored one.
  expect(await controlThreshold({ ...state, keepMostLikely: '6' }, 10)).toBeNull();
});

it("keeps a dynamic list's offer condition while the hourly job moves its minimum score", async () => {
  const { cloud, offerId } = await seed();
  const query = {
    concepts: [{ conceptId: cloud.id, minScore: 30, halfLifeDays: 10 }],
    tiers: [],
    primaryInterestIds: [],
    segmentConceptIds: [],
    offer: { offerId, minPropensity: 0.5 },
  };
  const made = targetFetchXml(query, env.clock.now().getTime());
  const listId = await createDynamicList(env.client, 'Cloud plan, most likely', made);
  env.clock.advance(2 * DAY);
  expect(await refreshDynamicTargets(env.client, env.clock.now().getTime())).toBe(1);
  const row = await env.client.retrieve(list.entitySetName, listId, [list.columns.query]);
  const moved = String(row?.[list.columns.query]);
  expect(moved).not.toBe(made);
  expect(moved).toBe(targetFetchXml(query, env.clock.now().getTime()));
  expect(parseTargetFetchXml(moved, new Map([[cloud.id, 10]]))).toEqual(query);
  const members = await env.client.fetchXml(contact.entitySetName, moved);
  expect(members).toHaveLength(4);
});
