/**
 * The live handler's one read for a contact of an account with 200 contacts: today's read (the
 * contact's profiles and its account's `idr_accountinterest` rows, scoreread.ts) against the read it
 * replaced, which reached every contact of the account and their profiles to roll the account up
 * (kept below as the baseline). Both run in the emulator, in process, on the same seeded org.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EntityRecord } from '../../dataverse/client';
import {
  account,
  campaign,
  contact,
  EventType,
  idr_interaction,
  idr_interestprofile,
} from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { BulkScorer } from '../../plugins/handlers/interests/bulk';
import { loadCatalog } from '../../plugins/handlers/interests/catalog';
import { bind, CC, IC, PC, recordUrl } from '../../plugins/handlers/interests/records';
import {
  CONTACT_COLUMNS,
  PROFILE_COLUMNS,
  readScoringState,
} from '../../plugins/handlers/interests/scoreread';
import {
  createInterestsOrg,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../emulator/testing/interests';
import { figure, type Figure } from './figures';

const START = new Date('2025-06-01T09:00:00Z');
const CONTACTS = 200;
const DAY = 86_400_000;

const attributes = (columns: readonly string[]) => columns.map((c) => `<attribute name="${c}"/>`).join('');

/** The read before `idr_accountinterest`: the account's member contacts and all their profiles. */
function previousFetchXml(interactionId: string, conceptIds: readonly string[]): string {
  const profiles = (alias: string) =>
    `<link-entity name="${idr_interestprofile.logicalName}" from="${PC.idr_contact}" to="${CC.contactid}" link-type="outer" alias="${alias}">` +
    attributes(PROFILE_COLUMNS) +
    `<filter><condition attribute="${PC.statecode}" operator="eq" value="0"/>` +
    `<condition attribute="${PC.idr_concept}" operator="in">${conceptIds.map((id) => `<value>${id}</value>`).join('')}</condition></filter>` +
    '</link-entity>';
  return (
    `<fetch><entity name="${idr_interaction.logicalName}">` +
    attributes([IC.idr_interactionid, IC.idr_contact, IC.idr_eventtype, IC.idr_occurredon, IC.idr_url]) +
    `<filter><condition attribute="${IC.idr_interactionid}" operator="eq" value="${interactionId}"/></filter>` +
    `<link-entity name="${campaign.logicalName}" from="${campaign.columns.campaignid}" to="${IC.idr_campaign}" link-type="outer" alias="campaign">` +
    `<attribute name="${campaign.columns.name}"/></link-entity>` +
    `<link-entity name="${contact.logicalName}" from="${CC.contactid}" to="${IC.idr_contact}" link-type="outer" alias="contact">` +
    attributes(CONTACT_COLUMNS) +
    `<link-entity name="${account.logicalName}" from="${account.columns.accountid}" to="${CC.parentcustomerid}" link-type="outer" alias="account">` +
    attributes([account.columns.accountid, account.columns.idr_primaryinterest]) +
    `<link-entity name="${contact.logicalName}" from="${CC.parentcustomerid}" to="${account.columns.accountid}" link-type="outer" alias="member">` +
    profiles('profile') +
    '</link-entity></link-entity></link-entity></entity></fetch>'
  );
}

async function seeded() {
  const env = createInterestsOrg({ start: START });
  const concepts: { id: string }[] = [];
  for (const code of ['CLOUD', 'DATA', 'SECURITY', 'AI']) {
    const concept = await seedConcept(env.client, { code, enter: 1e6, exit: 5e5, halfLifeDays: 30 });
    await seedRule(env.client, { concept: concept.id, points: 5, match: `url=*${code.toLowerCase()}*` });
    concepts.push(concept);
  }
  const acme = await seedAccount(env.client, 'Acme');
  const people: string[] = [];
  for (let i = 0; i < CONTACTS; i++)
    people.push(await seedContact(env.client, { name: `Person ${i}`, accountId: acme }));
  await env.drain();
  // Every contact interested in two or three concepts, registered in bulk.
  const records: EntityRecord[] = people.flatMap((id, i) =>
    concepts.slice(0, 2 + (i % 3)).map((_concept, j) => ({
      [IC.idr_name]: 'bench',
      [IC.idr_source]: 'bench',
      [IC.idr_externalid]: `b-${i}-${j}`,
      [IC.idr_eventtype]: EventType.EmailClick,
      [IC.idr_occurredon]: new Date(START.getTime() - (i % 30) * DAY).toISOString(),
      [IC.idr_url]: `https://x.test/${['cloud', 'data', 'security', 'ai'][j] ?? 'cloud'}`,
      [bind(IC.idr_contact)]: recordUrl(contact.entitySetName, id),
    })),
  );
  await new BulkScorer(
    { client: env.client, clock: env.clock.now, logger: silentLogger, newId: randomUUID },
    { bypassCustomAsync: true },
  ).register(records);
  // The event to read: registered, left Pending (the read does not care).
  const target = await seedInteraction(env.client, {
    contactId: people[0],
    occurredOn: START,
    url: 'https://x.test/cloud',
  });
  return { env, target };
}

export async function figures(options: { quick: boolean }): Promise<Figure[]> {
  const { env, target } = await seeded();
  try {
    const catalog = await loadCatalog(env.client, silentLogger);
    const conceptIds = catalog.concepts.map((c) => c.id);
    const reads = options.quick ? 10 : 40;
    const ours: number[] = [];
    const before: number[] = [];
    for (let run = 0; run < (options.quick ? 3 : 5); run++) {
      let t = performance.now();
      for (let i = 0; i < reads; i++) await readScoringState(env.client, target, catalog, START.getTime());
      ours.push((performance.now() - t) / reads);
      t = performance.now();
      for (let i = 0; i < reads; i++)
        await env.client.fetchXml(idr_interaction.entitySetName, previousFetchXml(target, conceptIds));
      before.push((performance.now() - t) / reads);
    }
    return [
      figure(`webhook.read_ms.account_${CONTACTS}`, 'ms/read', ours, {
        name: 'previous read (every contact of the account and their profiles, for the roll-up)',
        samples: before,
      }),
    ];
  } finally {
    env.close();
  }
}
