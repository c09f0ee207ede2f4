import type { DataverseClient } from '../../../dataverse/client';
import { contact, EventType, idr_accountinterest, idr_interestprofile } from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { loadCatalog } from './catalog';
import { recordUrl } from './records';
import { readScoringState } from './scoreread';
import {
  orgPerTest,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const START = new Date('2025-03-01T09:00:00Z');
const PC = idr_interestprofile.columns;

let calls: string[] = [];
/** Records every Web API call a handler makes (a `$batch` is one). */
function recording(client: DataverseClient): DataverseClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const env = orgPerTest({ start: START, wrapClient: recording });
beforeEach(() => {
  calls = [];
});

/** Two concepts, one rule each on e-mail clicks, thresholds no test reaches (no list changes). */
async function catalogue() {
  const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 1000, exit: 500 });
  const data = await seedConcept(env.client, { code: 'DATA', enter: 1000, exit: 500 });
  await seedRule(env.client, { concept: cloud.id, points: 3, match: 'url=*cloud*' });
  await seedRule(env.client, { concept: data.id, points: 2, match: 'url=*data*' });
  return { cloud, data };
}

const click = (contactId: string, url: string, minutesBefore = 60) =>
  seedInteraction(env.client, {
    contactId,
    eventType: EventType.EmailClick,
    occurredOn: new Date(START.getTime() - minutesBefore * 60_000),
    url,
  });

async function etagOf(profileId: string): Promise<unknown> {
  const row = await env.client.retrieve(idr_interestprofile.entitySetName, profileId, [PC.idr_accumulator]);
  return row?.['@odata.etag'];
}

describe('the scoring read', () => {
  it("holds the interaction, the contact, its profiles and its account's interest rows in one request", async () => {
    const { cloud, data } = await catalogue();
    const acme = await seedAccount(env.client, 'Acme');
    const ana = await seedContact(env.client, { name: 'Ana', accountId: acme });
    const ben = await seedContact(env.client, { name: 'Ben', accountId: acme });
    await click(ana, 'https://example.com/cloud', 90);
    await click(ben, 'https://example.com/data', 80);
    const next = await click(ana, 'https://example.com/data', 70);
    await env.drain();

    const catalog = await loadCatalog(env.client, silentLogger);
    const client = recording(env.client);
    calls = [];
    const state = await readScoringState(client, next, catalog, START.getTime());

    expect(calls).toEqual(['fetchXml']);
    expect(state?.interaction.id).toBe(next);
    expect(state?.interaction.etag).toMatch(/^W\/"\d+"$/);
    expect(state?.contact).toEqual(expect.objectContaining({ id: ana, name: 'Ana', parentId: acme }));
    expect(state?.account?.id).toBe(acme);
    expect(state?.profiles.map((p) => p.profile.conceptId).sort()).toEqual([cloud.id, data.id].sort());
    expect(state?.profiles.every((p) => p.contactId === ana)).toBe(true);
    // Ana's cloud, Ben's and Ana's data (the read follows the drain): one row per concept.
    const rows = new Map(state?.account?.rows.map((r) => [r.row.conceptId, r.row.contactCount]));
    expect(rows).toEqual(
      new Map([
        [cloud.id, 1],
        [data.id, 2],
      ]),
    );
    // The etags built from versionnumber are the ones If-Match is checked against.
    for (const p of state?.profiles ?? []) expect(p.etag).toBe(await etagOf(p.id));
    for (const r of state?.account?.rows ?? []) {
      const row = await env.client.retrieve(idr_accountinterest.entitySetName, r.id, [
        idr_accountinterest.columns.idr_score,
      ]);
      expect(r.etag).toBe(row?.['@odata.etag']);
    }
  });

  it('reads the own profiles of a contact without a parent, and of one whose parent is a contact', async () => {
    const { cloud } = await catalogue();
    const eva = await seedContact(env.client, { name: 'Eva' });
    const kid = await env.client.create(contact.entitySetName, {
      [contact.columns.fullname]: 'Kid',
      [contact.columns.lastname]: 'Kid',
      [`${contact.columns.parentcustomerid}_${contact.logicalName}@odata.bind`]: recordUrl(
        contact.entitySetName,
        eva,
      ),
    });
    const first = await click(eva, 'https://example.com/cloud', 90);
    const second = await click(kid, 'https://example.com/cloud', 80);
    await env.drain();
    const catalog = await loadCatalog(env.client, silentLogger);

    const solo = await readScoringState(env.client, first, catalog, START.getTime());
    expect(solo?.account).toBeNull();
    expect(solo?.profiles.map((p) => p.profile.conceptId)).toEqual([cloud.id]);

    const child = await readScoringState(env.client, second, catalog, START.getTime());
    expect(child?.contact?.parentId).toBe(eva);
    expect(child?.account).toBeNull();
    expect(child?.profiles.map((p) => p.profile.conceptId)).toEqual([cloud.id]);
  });

  it('answers null for an interaction that does not exist (deleted before it was scored)', async () => {
    await catalogue();
    const catalog = await loadCatalog(env.client, silentLogger);
    const missing = '00000000-0000-0000-0000-000000000001';
    expect(await readScoringState(env.client, missing, catalog, START.getTime())).toBeNull();
  });
});

describe('scoring an event with the rules cached', () => {
  it('takes two requests for a contact in an account: the read and one changeset (roll-up included)', async () => {
    await catalogue();
    const acme = await seedAccount(env.client, 'Acme');
    const ana = await seedContact(env.client, { name: 'Ana', accountId: acme });
    await seedContact(env.client, { name: 'Ben', accountId: acme });
    await click(ana, 'https://example.com/cloud', 90);
    await env.drain();
    calls = [];
    await click(ana, 'https://example.com/cloud', 80);
    await env.drain();
    expect(calls).toEqual(['fetchXml', 'executeBatch']);
  });
});
