/** `ideario erase`: the right to erasure against a test org scored by the real handlers. */
import {
  account,
  activityparty,
  campaign,
  contact,
  EventType,
  idr_accountinterest,
  idr_exclusion,
  idr_interaction,
  idr_interestprofile,
  idr_offer,
  idr_offerscore,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { rescoreAll } from '../../plugins/handlers/interests/rescore';
import { REASON_CHOICES } from '../../plugins/handlers/campaigns/distribute';
import { readCampaignResults, recordCampaignResponses } from '../../plugins/handlers/campaigns/results';
import { bind, lookupValue, recordUrl } from '../../plugins/handlers/interests/records';
import {
  listMembers,
  orgPerTest,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../../plugins/handlers/interests/test-org.testkit';
import { runEraseCommand } from '../cli/erase';
import { ERASED_EXCLUSION_NAME, ERASED_INTERACTION_NAME } from './erase';

const AIC = idr_accountinterest.columns;
const IC = idr_interaction.columns;
const PC = idr_interestprofile.columns;
const START = new Date('2025-03-01T09:00:00Z');
const HOUR = 3_600_000;

const env = orgPerTest({ start: START });

async function seedOrg() {
  const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 10, exit: 5 });
  const data = await seedConcept(env.client, { code: 'DATA', enter: 10, exit: 5 });
  await seedRule(env.client, { concept: cloud.id, points: 6, match: 'url=*cloud*' });
  await seedRule(env.client, { concept: data.id, points: 4, match: 'url=*data*' });
  const acme = await seedAccount(env.client, 'Acme');
  const ana = await seedContact(env.client, { name: 'Ana', accountId: acme });
  const ben = await seedContact(env.client, { name: 'Ben', accountId: acme });
  await env.client.update(contact.entitySetName, ana, { [contact.columns.emailaddress1]: 'ana@acme.test' });
  await env.drain();
  const events = [
    { contactId: ana, url: 'https://acme.test/cloud' },
    { contactId: ana, url: 'https://acme.test/cloud' },
    { contactId: ana, url: 'https://acme.test/cloud', eventType: EventType.WebVisit },
    { contactId: ben, url: 'https://acme.test/data' },
  ];
  for (const [i, event] of events.entries()) {
    const occurredOn = new Date(START.getTime() + i * HOUR);
    env.clock.set(new Date(occurredOn.getTime() + 60_000));
    await seedInteraction(env.client, { ...event, occurredOn });
    await env.drain();
  }
  return { cloud, data, acme, ana, ben };
}

async function erase(contactText: string, dryRun: boolean) {
  const lines: string[] = [];
  const logger = memoryLogger();
  const code = await runEraseCommand(
    { contact: contactText, dryRun },
    { env: {}, logger, print: (l) => lines.push(l), clock: env.clock.now, client: env.client },
  );
  return { code, text: lines.join('\n'), errors: logger.lines.filter((l) => l.startsWith('error')) };
}

async function primaryOf(entitySet: string, id: string, column: string): Promise<unknown> {
  const row = await env.client.retrieve(entitySet, id, [lookupValue(column)]);
  return row?.[lookupValue(column)] ?? null;
}

const interactionsOf = (contactId: string) =>
  env.client.retrieveMultiple(idr_interaction.entitySetName, {
    filter: `${lookupValue(IC.idr_contact)} eq ${contactId}`,
  });
const profilesOf = (contactId: string) =>
  env.client.retrieveMultiple(idr_interestprofile.entitySetName, {
    filter: `${lookupValue(PC.idr_contact)} eq ${contactId}`,
  });

it('erases by email: profiles, list membership and the account roll-up part go, anonymous counts stay', async () => {
  const { cloud, data, acme, ana, ben } = await seedOrg();
  expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ana]);
  expect(await primaryOf(account.entitySetName, acme, account.columns.idr_primaryinterest)).toBe(cloud.id);
  expect(await primaryOf(contact.entitySetName, ana, contact.columns.idr_primaryinterest)).toBe(cloud.id);

  const dry = await erase('ana@acme.test', true);
  expect(dry.errors).toEqual([]);
  expect(dry.code).toBe(0);
  expect(dry.text).toContain(`Would erase what Ideario holds of contact Ana (${ana}):`);
  expect(dry.text).toContain('interest profiles removed: 1 (and the primary interest)');
  expect(dry.text).toContain('marketing list memberships removed: 1');
  expect(dry.text).toContain('interactions cut from the contact: 3');
  expect(dry.text).toContain('account Acme: roll-up without this contact, primary interest recomputed');
  expect(dry.text).toContain('kept, anonymous: 2 email click, 1 web visit');
  expect(dry.text).toMatch(/Dry run: nothing was written\.$/);
  // The dry run wrote nothing.
  expect(await profilesOf(ana)).toHaveLength(1);
  expect(await interactionsOf(ana)).toHaveLength(3);
  expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ana]);

  const done = await erase('ana@acme.test', false);
  expect(done.errors).toEqual([]);
  expect(done.code).toBe(0);
  expect(done.text).toContain(`Erased what Ideario holds of contact Ana (${ana}):`);
  expect(await profilesOf(ana)).toEqual([]);
  expect(await interactionsOf(ana)).toEqual([]);
  expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([]);
  expect(await primaryOf(contact.entitySetName, ana, contact.columns.idr_primaryinterest)).toBeNull();
  // The account now rolls up Ben alone.
  expect(await primaryOf(account.entitySetName, acme, account.columns.idr_primaryinterest)).toBe(data.id);
  expect(await profilesOf(ben)).toHaveLength(1);
  // Its interest rows no longer count Ana: CLOUD is hers alone (now nobody's), DATA is Ben's.
  const rows = await env.client.retrieveMultiple(idr_accountinterest.entitySetName, {
    select: [lookupValue(AIC.idr_concept), AIC.idr_contactcount, AIC.idr_score],
  });
  expect(
    rows
      .map((r) => [
        r[lookupValue(AIC.idr_concept)],
        r[AIC.idr_contactcount],
        Math.round(Number(r[AIC.idr_score])),
      ])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
  ).toEqual(
    [
      [cloud.id, 0, 0],
      [data.id, 1, 4],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
  );
  // And a rescore dry run agrees with what erase left.
  expect(
    await rescoreAll({ client: env.client, clock: env.clock.now, logger: env.logger }, { dryRun: true }),
  ).toMatchObject({ accountsChanged: 0 });

  // The counts survive without the person: 4 interactions, 3 of them anonymous.
  const all = await env.client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_name, IC.idr_eventtype, IC.idr_url, IC.idr_externalid, lookupValue(IC.idr_concept)],
  });
  expect(all).toHaveLength(4);
  const anonymous = all.filter((r) => r[IC.idr_name] === ERASED_INTERACTION_NAME);
  expect(anonymous).toHaveLength(3);
  for (const row of anonymous) {
    expect(row[IC.idr_url]).toBeNull();
    expect(String(row[IC.idr_externalid])).toMatch(/^erased-/);
  }
  expect(anonymous.map((r) => r[IC.idr_eventtype]).sort()).toEqual(
    [EventType.EmailClick, EventType.EmailClick, EventType.WebVisit].sort(),
  );

  // A rescore afterwards does not bring Ana's profile back.
  await rescoreAll({ client: env.client, clock: env.clock.now, logger: env.logger });
  expect(await profilesOf(ana)).toEqual([]);

  // Run again: nothing is left to erase.
  const again = await erase(ana, false);
  expect(again.text).toContain('interest profiles removed: 0');
  expect(again.text).toContain('interactions cut from the contact: 0');
});

it('refuses an unknown or shared email address and writes nothing', async () => {
  const { ana, ben } = await seedOrg();
  const unknown = await erase('nobody@acme.test', false);
  expect(unknown.code).toBe(1);
  expect(unknown.errors).toEqual([
    "error erase failed: No contact has the email address 'nobody@acme.test'; nothing was erased.",
  ]);

  await env.client.update(contact.entitySetName, ben, { [contact.columns.emailaddress1]: 'ana@acme.test' });
  const shared = await erase('ana@acme.test', false);
  expect(shared.code).toBe(1);
  expect(shared.errors[0]).toContain(`2 contacts have the email address 'ana@acme.test'`);
  expect(shared.errors[0]).toContain(ana);
  expect(shared.errors[0]).toContain(ben);
  expect(await profilesOf(ana)).toHaveLength(1);
  expect(await interactionsOf(ana)).toHaveLength(3);
});

it('cuts the contact from campaign data: offer scores go, responses still count, exclusions count as nobody', async () => {
  const { ana, ben } = await seedOrg();
  const campaignId = await env.client.create(campaign.entitySetName, { [campaign.columns.name]: 'Spring' });
  for (const row of await env.client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_interactionid],
  }))
    await env.client.update(idr_interaction.entitySetName, String(row[IC.idr_interactionid]), {
      [bind(IC.idr_campaign)]: recordUrl(campaign.entitySetName, campaignId),
    });
  expect(await recordCampaignResponses(env.client, campaignId)).toBe(4);
  const offerId = await env.client.create(idr_offer.entitySetName, {
    [idr_offer.columns.idr_name]: 'Cloud audit',
    [idr_offer.columns.idr_code]: 'AUDIT',
  });
  const XC = idr_exclusion.columns;
  for (const who of [ana, ben]) {
    await env.client.create(idr_offerscore.entitySetName, {
      [bind(idr_offerscore.columns.idr_contact)]: recordUrl(contact.entitySetName, who),
      [bind(idr_offerscore.columns.idr_offer)]: recordUrl(idr_offer.entitySetName, offerId),
      [idr_offerscore.columns.idr_propensity]: 0.4,
    });
  }
  await env.client.create(idr_exclusion.entitySetName, {
    [bind(XC.idr_contact)]: recordUrl(contact.entitySetName, ana),
    [bind(XC.idr_campaign)]: recordUrl(campaign.entitySetName, campaignId),
    [XC.idr_reason]: REASON_CHOICES['no-consent'],
  });
  const before = await readCampaignResults(env.client, campaignId);
  expect(before.excluded['no-consent']).toBe(1);

  const done = await erase(ana, false);
  expect(done.errors).toEqual([]);
  expect(done.text).toContain('offer scores removed: 1');
  expect(done.text).toContain('campaign exclusions and responses cut from the contact: 4');

  const scores = await env.client.retrieveMultiple(idr_offerscore.entitySetName, {
    select: [lookupValue(idr_offerscore.columns.idr_contact)],
  });
  expect(scores.map((r) => r[lookupValue(idr_offerscore.columns.idr_contact)])).toEqual([ben]);
  const [exclusion] = await env.client.retrieveMultiple(idr_exclusion.entitySetName, {
    select: [lookupValue(XC.idr_contact), XC.idr_name],
  });
  expect(exclusion?.[lookupValue(XC.idr_contact)]).toBeNull();
  expect(exclusion?.[XC.idr_name]).toBe(ERASED_EXCLUSION_NAME);
  const parties = await env.client.retrieveMultiple(activityparty.entitySetName, {
    select: [lookupValue(activityparty.columns.partyid)],
  });
  expect(parties.map((r) => r[lookupValue(activityparty.columns.partyid)])).not.toContain(ana);

  // The campaign still counts the responses; only Ana is no longer among the responders. Her exclusion
  // row stays without her: a person no longer, so out of the targeted and excluded people (as the chart).
  const after = await readCampaignResults(env.client, campaignId);
  expect(after.responses).toBe(before.responses);
  expect(after.targeted).toBe(before.targeted - 1);
  expect(after.excluded['no-consent']).toBeUndefined();
  expect(after.erasedRows).toBe(1);
  expect(after.otherResponders).toBe(before.otherResponders - 1);
});
