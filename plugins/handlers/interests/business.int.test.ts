/** CRM activity registers interactions, once each, which are then scored like marketing events. */
import type { EntityRecord } from '../../../dataverse/client';
import {
  account,
  contact,
  EventType,
  idr_interaction,
  idr_interestprofile,
  incident,
  opportunity,
  ProcessingStatus,
  salesorder,
} from '../../../dataverse/generated';
import { COMPLAINT_SUFFIX, DATAVERSE_SOURCE, externalId } from './business';
import { lookupValue, recordUrl } from './records';
import { orgPerTest, profileOf, seedAccount, seedConcept, seedContact, seedRule } from './test-org.testkit';

const IC = idr_interaction.columns;
const START = new Date('2025-03-01T09:00:00Z');

const env = orgPerTest({ start: START });

const customer = (table: typeof contact | typeof account, id: string): EntityRecord => ({
  [`customerid_${table.logicalName}@odata.bind`]: recordUrl(table.entitySetName, id),
});

async function registered() {
  const rows = await env.client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [
      IC.idr_externalid,
      IC.idr_eventtype,
      IC.idr_processingstatus,
      lookupValue(IC.idr_contact),
      lookupValue(IC.idr_account),
      IC.idr_source,
    ],
    orderBy: [IC.idr_externalid],
  });
  return rows.map((r) => ({
    externalId: r[IC.idr_externalid],
    eventType: r[IC.idr_eventtype],
    status: r[IC.idr_processingstatus],
    contact: r[lookupValue(IC.idr_contact)] ?? null,
    account: r[lookupValue(IC.idr_account)] ?? null,
    source: r[IC.idr_source],
  }));
}

describe('business events', () => {
  it('register one interaction each for the customer, scored like marketing activity, and a replay adds none', async () => {
    const consulting = await seedConcept(env.client, { code: 'CONSULTING', enter: 50, exit: 20 });
    for (const eventType of [
      EventType.OpportunityCreated,
      EventType.CaseOpened,
      EventType.Complaint,
      EventType.OrderConfirmed,
    ]) {
      await seedRule(env.client, {
        concept: consulting.id,
        points: eventType === EventType.Complaint ? -8 : 10,
        eventType,
      });
    }
    const acme = await seedAccount(env.client, 'Acme');
    const ana = await seedContact(env.client, { name: 'Ana', accountId: acme });

    const deal = await env.client.create(opportunity.entitySetName, {
      [opportunity.columns.name]: 'Cloud migration',
      ...customer(account, acme),
      [`${opportunity.columns.parentcontactid}@odata.bind`]: recordUrl(contact.entitySetName, ana),
    });
    const ticket = await env.client.create(incident.entitySetName, {
      [incident.columns.title]: 'Login fails',
      ...customer(contact, ana),
    });
    const order = await env.client.create(salesorder.entitySetName, {
      [salesorder.columns.name]: 'SO-1',
      ...customer(contact, ana),
    });
    const accountCase = await env.client.create(incident.entitySetName, {
      [incident.columns.title]: 'Invoice query',
      ...customer(account, acme),
    });
    await env.drain();
    await env.client.update(incident.entitySetName, ticket, { [incident.columns.idr_iscomplaint]: true });
    await env.client.update(salesorder.entitySetName, order, {
      [salesorder.columns.statecode]: salesorder.choices.statecode.Fulfilled,
      [salesorder.columns.statuscode]: salesorder.choices.statuscode.Complete,
    });
    await env.drain();

    const expected = [
      {
        externalId: externalId(incident.logicalName, accountCase),
        eventType: EventType.CaseOpened,
        status: ProcessingStatus.Ignored,
        contact: null,
        account: acme,
        source: DATAVERSE_SOURCE,
      },
      {
        externalId: externalId(incident.logicalName, ticket),
        eventType: EventType.CaseOpened,
        status: ProcessingStatus.Scored,
        contact: ana,
        account: null,
        source: DATAVERSE_SOURCE,
      },
      {
        externalId: externalId(incident.logicalName, ticket, COMPLAINT_SUFFIX),
        eventType: EventType.Complaint,
        status: ProcessingStatus.Scored,
        contact: ana,
        account: null,
        source: DATAVERSE_SOURCE,
      },
      {
        externalId: externalId(opportunity.logicalName, deal),
        eventType: EventType.OpportunityCreated,
        status: ProcessingStatus.Scored,
        contact: ana,
        account: acme,
        source: DATAVERSE_SOURCE,
      },
      {
        externalId: externalId(salesorder.logicalName, order),
        eventType: EventType.OrderConfirmed,
        status: ProcessingStatus.Scored,
        contact: ana,
        account: null,
        source: DATAVERSE_SOURCE,
      },
    ].sort((a, b) => a.externalId.localeCompare(b.externalId));
    expect(await registered()).toEqual(expected);
    expect(
      (await profileOf(env.client, ana, consulting.id))?.[idr_interestprofile.columns.idr_eventcount],
    ).toBe(4);

    for (const delivery of [...env.delivered]) expect((await env.deliver(delivery)).status).toBe(200);
    await env.drain();
    expect(await registered()).toEqual(expected);
    expect(
      (await profileOf(env.client, ana, consulting.id))?.[idr_interestprofile.columns.idr_eventcount],
    ).toBe(4);
  });

  it('registers a complaint once per case, even when the case is created as one and flagged again later', async () => {
    const ana = await seedContact(env.client, { name: 'Ana' });
    const ticket = await env.client.create(incident.entitySetName, {
      [incident.columns.title]: 'Broken again',
      [incident.columns.idr_iscomplaint]: true,
      ...customer(contact, ana),
    });
    await env.drain();
    await env.client.update(incident.entitySetName, ticket, { [incident.columns.idr_iscomplaint]: false });
    await env.client.update(incident.entitySetName, ticket, { [incident.columns.idr_iscomplaint]: true });
    await env.drain();
    expect((await registered()).map((r) => [r.externalId, r.eventType])).toEqual([
      [externalId(incident.logicalName, ticket), EventType.CaseOpened],
      [externalId(incident.logicalName, ticket, COMPLAINT_SUFFIX), EventType.Complaint],
    ]);
  });

  it('registers nothing for an order that is updated without being fulfilled', async () => {
    const ana = await seedContact(env.client, { name: 'Ana' });
    const order = await env.client.create(salesorder.entitySetName, {
      [salesorder.columns.name]: 'SO-2',
      ...customer(contact, ana),
    });
    await env.client.update(salesorder.entitySetName, order, {
      [salesorder.columns.statecode]: salesorder.choices.statecode.Canceled,
      [salesorder.columns.statuscode]: salesorder.choices.statuscode.NoMoney,
    });
    await env.drain();
    expect(await registered()).toEqual([]);
  });
});
