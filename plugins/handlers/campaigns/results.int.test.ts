import type { DataverseClient } from '../../../dataverse/client';
import {
  campaign,
  campaignactivity,
  campaignresponse,
  contact,
  EventType,
  ExclusionReason,
  idr_exclusion,
  idr_interaction,
  idr_offer,
  salesorder,
} from '../../../dataverse/generated';
import { DATAVERSE_SOURCE, externalId } from '../interests/business';
import { dashboardChart } from '../../../tools/emulator/pages/dashboard.testkit';
import type { TestOrg } from '../../../tools/emulator/testing';
import { bind, lookupValue, recordUrl } from '../interests/records';
import {
  addCampaignActivity,
  createCampaign,
  createCampaignOrg,
  createContacts,
  emailThenCalls,
  createList,
  recipientActivity,
  recipients,
} from './campaign.testkit';
import { distributeCampaignActivity, recheckDistributed } from './distribute';
import {
  createCampaignResponse,
  describeCampaignResults,
  readCampaignResults,
  recordCampaignResponses,
  storeCampaignResults,
} from './results';

let org: TestOrg;
beforeEach(() => {
  org = createCampaignOrg();
});
afterEach(() => org.close());

let counter = 0;
async function interaction(
  client: DataverseClient,
  contactId: string,
  campaignId: string,
  eventType: number,
  occurredOn = '2026-03-11T10:00:00Z',
) {
  const i = idr_interaction.columns;
  return client.create(idr_interaction.entitySetName, {
    [i.idr_name]: `Event ${++counter}`,
    [i.idr_source]: 'esp',
    [i.idr_externalid]: `click-${counter}`,
    [i.idr_eventtype]: eventType,
    [i.idr_occurredon]: occurredOn,
    [bind(i.idr_contact)]: recordUrl(contact.entitySetName, contactId),
    [bind(i.idr_campaign)]: recordUrl(campaign.entitySetName, campaignId),
  });
}

async function order(client: DataverseClient, contactId: string, offerId: string | null, on: string) {
  const i = idr_interaction.columns;
  await client.create(idr_interaction.entitySetName, {
    [i.idr_name]: 'Order confirmed',
    [i.idr_source]: 'erp',
    [i.idr_externalid]: `order-${++counter}`,
    [i.idr_eventtype]: EventType.OrderConfirmed,
    [i.idr_occurredon]: on,
    [bind(i.idr_contact)]: recordUrl(contact.entitySetName, contactId),
    ...(offerId ? { [bind(i.idr_offer)]: recordUrl(idr_offer.entitySetName, offerId) } : {}),
  });
}

describe('campaign results', () => {
  it('turns campaign interactions into responses once each and reports rates and uplift against the control group', async () => {
    const { client } = org;
    const ids = await createContacts(client, 200, (i) =>
      i < 5 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const target = await createList(client, 'Target', ids);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      controlPercent: 10,
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, spring.campaignActivityId);
    const contacted = [...(await recipients(client, 'email', spring.campaignActivityId)).keys()];
    const control = ids.slice(5).filter((id) => !contacted.includes(id));
    expect(contacted).toHaveLength(175);
    expect(control).toHaveLength(20);

    for (const id of contacted.slice(0, 35))
      await interaction(client, id, spring.campaignId, EventType.EmailClick);
    // A second click of the same person is a second response, not a second responder.
    await interaction(client, contacted[0], spring.campaignId, EventType.OrderConfirmed);
    for (const id of control.slice(0, 2))
      await interaction(client, id, spring.campaignId, EventType.WebVisit);
    // Opens are not responses.
    await interaction(client, contacted[50], spring.campaignId, EventType.EmailOpen);

    expect(await recordCampaignResponses(client, spring.campaignId)).toBe(38);
    expect(await recordCampaignResponses(client, spring.campaignId)).toBe(0);

    // Orders: an offer's order is worth the offer's value; the window is 30 days after sending by default.
    const spa = await client.create(idr_offer.entitySetName, {
      [idr_offer.columns.idr_name]: 'Spa weekend',
      [idr_offer.columns.idr_code]: 'SPA',
      [idr_offer.columns.idr_value]: 500,
    });
    await order(client, contacted[1], spa, '2026-03-20T12:00:00Z');
    await order(client, contacted[2], spa, '2026-05-01T12:00:00Z');
    await order(client, control[0], spa, '2026-03-15T12:00:00Z');
    await order(client, ids[0], spa, '2026-03-15T12:00:00Z');

    const report = await readCampaignResults(client, spring.campaignId);
    expect(report).toMatchObject({
      targeted: 200,
      responses: 38,
      contacted: { size: 175, responders: 35 },
      control: { size: 20, responders: 2 },
      excluded: { 'no-consent': 5, control: 20 },
      otherResponders: 0,
    });
    expect(report.targetRate).toBeCloseTo(0.2, 10);
    expect(report.controlRate).toBeCloseTo(0.1, 10);
    expect(report.uplift?.difference.value).toBeCloseTo(0.1, 10);
    // Its one campaign activity holds the same groups as the campaign.
    expect(report.activities.map((a) => [a.contacted, a.control])).toEqual([
      [report.contacted, report.control],
    ]);
    expect(describeCampaignResults(report)).toEqual([
      'Campaign "Spring offer" (1 campaign activity)',
      '  targeted: 200; contacted: 175; control group: 20',
      '  excluded: no consent for the channel 5',
      '  responses: 38 (responders: 35 contacted, 2 control, 0 other)',
      '  response rate: contacted 20.0 %, control 10.0 %',
      expect.stringMatching(
        /^ {2}uplift: \+10\.0 points \(95 % CI -4\.\d to 24\.\d\); ratio ×2\.00 \(95 % CI 0\.\d\d to \d+\.\d\d\)$/,
      ),
      // contacted[0]'s campaign order has no offer (worth 0); contacted[2] ordered after 30 days; ids[0] was not contacted.
      '  orders attributed (30 days after sending): contacted 2 worth 500.00, control 1 worth 500.00',
      '  revenue per contact: contacted 2.86, control 25.00; uplift -22.14 per contact',
    ]);
    // In Spanish: the words, and numbers as es-ES writes them (decimal comma).
    expect(describeCampaignResults(report, 'es')).toEqual([
      'Campaña "Spring offer" (1 actividad de campaña)',
      '  objetivo: 200; contactados: 175; grupo de control: 20',
      '  excluidos: sin consentimiento para el canal 5',
      '  respuestas: 38 (respondieron: 35 contactados, 2 de control, 0 otros)',
      '  tasa de respuesta: contactados 20,0 %, control 10,0 %',
      expect.stringMatching(
        /^ {2}incremento \(uplift\): \+10,0 puntos \(IC 95 % -4,\d a 24,\d\); razón ×2,00 \(IC 95 % 0,\d\d a \d+,\d\d\)$/,
      ),
      '  pedidos atribuidos (30 días tras el envío): contactados 2 por 500,00, control 1 por 500,00',
      '  ingresos por contacto: contactados 2,86, control 25,00; incremento -22,14 por contacto',
    ]);

    await client.update(campaign.entitySetName, spring.campaignId, {
      [campaign.columns.idr_attributiondays]: 60,
    });
    const longer = await readCampaignResults(client, spring.campaignId);
    expect(longer.attribution.target).toMatchObject({ orders: 3, revenue: 1000 });
  });
});

describe('responses linked to the campaign activity', () => {
  it('counts a responder for the activity its response answers, and an older unlinked response for every activity', async () => {
    const { client } = org;
    const ids = await createContacts(client, 6);
    const everyone = await createList(client, 'Everyone', ids.slice(0, 4));
    const spring = await emailThenCalls(client, org.clock.now, {
      name: 'Spring offer',
      listId: everyone,
      emailOn: '2026-03-10T09:00:00Z',
      callsOn: '2026-03-12T10:00:00Z',
    });
    const { calls } = spring;

    // 0 answers between the email and the call, 1 after the call, 4 was never targeted.
    const first = counter + 1;
    await interaction(client, ids[0], spring.campaignId, EventType.EmailClick, '2026-03-11T10:00:00Z');
    await interaction(client, ids[1], spring.campaignId, EventType.WebVisit, '2026-03-13T10:00:00Z');
    await interaction(client, ids[4], spring.campaignId, EventType.WebVisit, '2026-03-13T10:00:00Z');
    expect(await recordCampaignResponses(client, spring.campaignId)).toBe(3);
    // A response recorded before responses named their activity (contact 2, reached by both).
    await createCampaignResponse(
      client,
      {
        interactionId: await interaction(
          client,
          ids[2],
          spring.campaignId,
          EventType.EmailClick,
          '2026-03-13T10:00:00Z',
        ),
        campaignId: spring.campaignId,
        contactId: ids[2],
        eventType: EventType.EmailClick,
        offerOutcome: null,
        name: 'Older response',
        occurredOn: '2026-03-13T10:00:00Z',
      },
      null,
    );

    const R = campaignresponse.columns;
    const rows = await client.retrieveMultiple(campaignresponse.entitySetName, {
      filter: `${lookupValue(R.regardingobjectid)} eq ${spring.campaignId}`,
      select: [R.subject, lookupValue(R.originatingactivityid)],
    });
    const linkOf = Object.fromEntries(
      rows.map((r) => [String(r[R.subject]), r[lookupValue(R.originatingactivityid)] ?? null] as const),
    );
    expect(linkOf).toEqual({
      [`Event ${first}`]: spring.campaignActivityId,
      [`Event ${first + 1}`]: calls,
      [`Event ${first + 2}`]: null,
      'Older response': null,
    });

    const report = await readCampaignResults(client, spring.campaignId);
    expect(report.contacted).toEqual({ size: 4, responders: 3 });
    expect(report.otherResponders).toBe(1);
    const byActivity = new Map(report.activities.map((a) => [a.campaignActivityId, a.contacted]));
    // The email: contact 0, and 2's unlinked response; the calls: contact 1, and 2 again.
    expect(byActivity.get(spring.campaignActivityId)).toEqual({ size: 4, responders: 2 });
    expect(byActivity.get(calls)).toEqual({ size: 4, responders: 2 });
    expect(describeCampaignResults(report)).toContain(
      '  activity "Spring offer": contacted 4 (rate 50.0 %), control 0 (rate —); uplift: needs a control group; orders attributed 0 worth 0.00',
    );
  });

  it('credits each order to the activity its response is linked to, else the one that reached the contact last, and keeps it on the activity row', async () => {
    const { client } = org;
    const ids = await createContacts(client, 4);
    const spring = await emailThenCalls(client, org.clock.now, {
      name: 'Spring offer',
      listId: await createList(client, 'Everyone', ids),
      emailOn: '2026-03-10T09:00:00Z',
      callsOn: '2026-03-12T10:00:00Z',
    });
    const offer = async (code: string, value: number) =>
      client.create(idr_offer.entitySetName, {
        [idr_offer.columns.idr_name]: code,
        [idr_offer.columns.idr_code]: code,
        [idr_offer.columns.idr_value]: value,
      });
    const spa = await offer('SPA', 100);
    const dinner = await offer('DINNER', 40);
    const i = idr_interaction.columns;
    const ordered = (contactId: string, offerId: string, on: string, withCampaign: boolean) =>
      client.create(idr_interaction.entitySetName, {
        [i.idr_name]: `Order ${++counter}`,
        [i.idr_source]: 'erp',
        [i.idr_externalid]: `order-${counter}`,
        [i.idr_eventtype]: EventType.OrderConfirmed,
        [i.idr_occurredon]: on,
        [bind(i.idr_contact)]: recordUrl(contact.entitySetName, contactId),
        [bind(i.idr_offer)]: recordUrl(idr_offer.entitySetName, offerId),
        ...(withCampaign
          ? { [bind(i.idr_campaign)]: recordUrl(campaign.entitySetName, spring.campaignId) }
          : {}),
      });
    // 0 orders after the calls, through the campaign: its response is linked to the calls.
    await ordered(ids[0], spa, '2026-03-13T10:00:00Z', true);
    // 1 orders between the email and the calls, with no campaign on the order: no response, the email.
    await ordered(ids[1], dinner, '2026-03-11T10:00:00Z', false);
    // 2 orders after the calls, but its response was linked to the email (recorded by hand).
    const byHand = await ordered(ids[2], spa, '2026-03-13T10:00:00Z', true);
    await createCampaignResponse(
      client,
      {
        interactionId: byHand,
        campaignId: spring.campaignId,
        contactId: ids[2],
        eventType: EventType.OrderConfirmed,
        offerOutcome: null,
        name: 'Ordered after the email',
        occurredOn: '2026-03-13T10:00:00Z',
      },
      spring.campaignActivityId,
    );
    // 3 ordered before anything was sent: no activity's, nor the campaign's (an unlinked response, for each rate).
    await ordered(ids[3], spa, '2026-03-09T10:00:00Z', true);
    await recordCampaignResponses(client, spring.campaignId);

    const report = await storeCampaignResults(client, spring.campaignId, org.clock.now());
    const attributed = new Map(report.activities.map((a) => [a.campaignActivityId, a.attributed]));
    expect(attributed.get(spring.campaignActivityId)).toEqual({ orders: 2, revenue: 140 });
    expect(attributed.get(spring.calls)).toEqual({ orders: 1, revenue: 100 });
    expect(report.attribution.target).toMatchObject({ orders: 3, revenue: 240 });
    const A = campaignactivity.columns;
    const kept = async (id: string) =>
      (await client.retrieve(campaignactivity.entitySetName, id, [A.idr_attributedrevenue]))?.[
        A.idr_attributedrevenue
      ];
    expect([await kept(spring.campaignActivityId), await kept(spring.calls)]).toEqual([140, 100]);
    expect(describeCampaignResults(report)).toContain(
      '  activity "Spring offer": contacted 4 (rate 50.0 %), control 0 (rate —); uplift: needs a control group; orders attributed 2 worth 140.00',
    );
    expect(describeCampaignResults(report, 'es')).toContain(
      '  actividad "Spring offer calls": contactados 4 (tasa 50,0 %), control 0 (tasa —); incremento (uplift): necesita un grupo de control; pedidos atribuidos 1 por 100,00',
    );
  });
});

describe('results kept on each campaign activity', () => {
  const A = campaignactivity.columns;
  /** What the Ideario Campaign Activity Results view shows of a campaign activity. */
  async function stored(campaignActivityId: string) {
    return org.client.retrieve(campaignactivity.entitySetName, campaignActivityId, [
      A.idr_contacted,
      A.idr_responses,
      A.idr_responserate,
      A.idr_controlresponserate,
      A.idr_uplift,
      A.idr_resultson,
    ]);
  }
  const when = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

  it("stores each activity's groups, rates and uplift, and rewrites only the rows whose figures changed", async () => {
    const { client } = org;
    const ids = await createContacts(client, 40);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [await createList(client, 'Email list', ids.slice(0, 20))],
      controlPercent: 25,
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    const calls = await addCampaignActivity(client, spring.campaignId, {
      name: 'Spring offer calls',
      channel: 'phone',
      listIds: [await createList(client, 'Call list', ids.slice(20))],
      scheduledStart: '2026-03-10T10:00:00Z',
    });
    const planned = await addCampaignActivity(client, spring.campaignId, {
      name: 'Spring offer letters',
      channel: 'mail',
      listIds: [],
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, spring.campaignActivityId);
    await distributeCampaignActivity({ client, clock: org.clock.now }, calls);
    const emailed = [...(await recipients(client, 'email', spring.campaignActivityId)).keys()];
    const called = [...(await recipients(client, 'phone', calls)).keys()];
    const emailControl = ids.slice(0, 20).filter((id) => !emailed.includes(id));
    expect([emailed.length, called.length]).toEqual([15, 15]);

    // Email: 6 of 15 contacted and 1 of its 5 held back answer; calls: 3 of 15, none of its 5 held back.
    for (const id of [...emailed.slice(0, 6), emailControl[0]])
      await interaction(client, id, spring.campaignId, EventType.EmailClick);
    for (const id of called.slice(0, 3))
      await interaction(client, id, spring.campaignId, EventType.WebVisit, '2026-03-11T12:00:00Z');
    await recordCampaignResponses(client, spring.campaignId);
    const first = org.clock.now();
    await storeCampaignResults(client, spring.campaignId, first);

    expect(await stored(spring.campaignActivityId)).toMatchObject({
      [A.idr_contacted]: 15,
      [A.idr_responses]: 6,
      [A.idr_responserate]: 40,
      [A.idr_controlresponserate]: 20,
      [A.idr_uplift]: 20,
      [A.idr_resultson]: when(first),
    });
    expect(await stored(calls)).toMatchObject({
      [A.idr_contacted]: 15,
      [A.idr_responses]: 3,
      [A.idr_responserate]: 20,
      [A.idr_controlresponserate]: 0,
      [A.idr_uplift]: 20,
      [A.idr_resultson]: when(first),
    });
    // The letters were never distributed: no results to show, the row is left as it was.
    expect(await stored(planned)).toMatchObject({ [A.idr_contacted]: null, [A.idr_resultson]: null });

    // A later answer to the calls moves the calls' figures only; the email row keeps its date.
    org.clock.advance(3_600_000);
    await interaction(client, called[3], spring.campaignId, EventType.WebVisit, '2026-03-12T12:00:00Z');
    await recordCampaignResponses(client, spring.campaignId);
    await storeCampaignResults(client, spring.campaignId, org.clock.now());
    expect(await stored(calls)).toMatchObject({
      [A.idr_responses]: 4,
      [A.idr_responserate]: 26.67,
      [A.idr_uplift]: 26.67,
      [A.idr_resultson]: when(org.clock.now()),
    });
    expect((await stored(spring.campaignActivityId))?.[A.idr_resultson]).toBe(when(first));
    // Nothing new: no row is rewritten, decimals read back included.
    const second = when(org.clock.now());
    org.clock.advance(3_600_000);
    await storeCampaignResults(client, spring.campaignId, org.clock.now());
    expect((await stored(calls))?.[A.idr_resultson]).toBe(second);
    // Figures stored once are kept true when the activity no longer reaches anyone (its letters called off).
    await client.update(campaignactivity.entitySetName, planned, {
      [A.idr_contacted]: 5,
      [A.idr_resultson]: first.toISOString(),
    });
    await storeCampaignResults(client, spring.campaignId, org.clock.now());
    expect(await stored(planned)).toMatchObject({
      [A.idr_contacted]: 0,
      [A.idr_responses]: 0,
      [A.idr_responserate]: null,
      [A.idr_resultson]: when(org.clock.now()),
    });
  });
});

describe('contacts left out of a campaign', () => {
  const CAMPAIGN_RESULTS_DASHBOARD = '17382642-c632-48f1-9df2-694c0e88e8c1';

  it('counts a contact once, and only when no activity of the campaign reached them, in the report and the chart', async () => {
    const { client } = org;
    const c = contact.columns;
    // 0–3 take no bulk email but calls; 4–5 neither; 6 takes no calls; 7–11 take both.
    const ids = await createContacts(client, 12, (i) => ({
      [c.donotbulkemail]: i <= 5,
      [c.donotphone]: (i >= 4 && i <= 5) || i === 6,
    }));
    const target = await createList(client, 'Everyone', ids);
    const spring = await emailThenCalls(client, org.clock.now, {
      name: 'Spring offer',
      listId: target,
      emailOn: '2026-03-10T09:00:00Z',
      callsOn: '2026-03-11T10:00:00Z',
    });
    const { calls } = spring;

    // Contact 0 (called, no email) and contact 7 (both) answer the campaign.
    await interaction(client, ids[0], spring.campaignId, EventType.WebVisit);
    await interaction(client, ids[7], spring.campaignId, EventType.EmailClick);
    await recordCampaignResponses(client, spring.campaignId);
    const report = await readCampaignResults(client, spring.campaignId);
    // Only 4 and 5 got nothing; each was left out of both activities, and counts once.
    expect(report.excluded).toEqual({ 'no-consent': 2 });
    expect(report.targeted).toBe(12);
    expect(report.contacted.size).toBe(10);
    // Each activity's own figures: the email reached 6–11, the calls 0–3 and 7–11. Contact 7 answered as
    // the call came, after the email: its response answers the call only.
    const byActivity = new Map(report.activities.map((a) => [a.campaignActivityId, a]));
    expect(byActivity.get(spring.campaignActivityId)?.contacted).toEqual({ size: 6, responders: 0 });
    expect(byActivity.get(calls)?.contacted).toEqual({ size: 9, responders: 2 });
    expect(describeCampaignResults(report)).toContain(
      '  activity "Spring offer calls": contacted 9 (rate 22.2 %), control 0 (rate —); uplift: needs a control group; orders attributed 0 worth 0.00',
    );

    const chart = dashboardChart(org.engine, CAMPAIGN_RESULTS_DASHBOARD, 'Exclusions by Reason per Campaign');
    const figures = Object.fromEntries(chart.categories.map((k, i) => [k.key, chart.series[0]?.values[i]]));
    expect(figures).toEqual({ [`${spring.campaignId} · ${ExclusionReason.NoConsentForTheChannel}`]: 2 });

    // "Why did contact 0 not get the email?": its row names the call that reached it instead, and
    // contact 6's row for the calls names the email it got.
    const X = idr_exclusion.columns;
    const linkOf = async (contactId: string, campaignActivityId: string) =>
      (
        await client.retrieveMultiple(idr_exclusion.entitySetName, {
          filter: `${lookupValue(X.idr_contact)} eq ${contactId} and ${lookupValue(X.idr_campaignactivity)} eq ${campaignActivityId}`,
          select: [lookupValue(X.idr_activity)],
        })
      )[0]?.[lookupValue(X.idr_activity)];
    const callOf = await recipientActivity(client, 'phone', calls, ids[0]);
    expect(await linkOf(ids[0], spring.campaignActivityId)).toBe(callOf);
    const emailOf = await recipientActivity(client, 'email', spring.campaignActivityId, ids[6]);
    expect(await linkOf(ids[6], calls)).toBe(emailOf);
    expect(await linkOf(ids[4], calls)).toBeNull();
  });

  it('counts a contact whose only activity was called off on its send day as left out, not reached', async () => {
    const { client } = org;
    const ids = await createContacts(client, 3);
    const target = await createList(client, 'Everyone', ids);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, spring.campaignActivityId);
    const chartFigures = () => {
      const chart = dashboardChart(
        org.engine,
        CAMPAIGN_RESULTS_DASHBOARD,
        'Exclusions by Reason per Campaign',
      );
      return Object.fromEntries(chart.categories.map((k, i) => [k.key, chart.series[0]?.values[i]]));
    };
    expect((await readCampaignResults(client, spring.campaignId)).contacted.size).toBe(3);
    expect(chartFigures()).toEqual({});

    // Contact 0 withdraws consent before the send day; the send-day re-check calls its email off.
    await client.update(contact.entitySetName, ids[0], { [contact.columns.donotbulkemail]: true });
    const sendDay = Date.parse('2026-03-10T09:30:00Z');
    expect(await recheckDistributed(client, sendDay, 86_400_000)).toBe(1);

    const report = await readCampaignResults(client, spring.campaignId);
    expect(report.contacted.size).toBe(2);
    expect(report.excluded).toEqual({ 'no-consent': 1 });
    expect(report.targeted).toBe(3);
    expect(describeCampaignResults(report)).toContain('  excluded: no consent for the channel 1');
    expect(chartFigures()).toEqual({
      [`${spring.campaignId} · ${ExclusionReason.NoConsentForTheChannel}`]: 1,
    });
  });
});

describe('orders attributed to a campaign', () => {
  it("are worth the sales order's total amount, whatever the offer's list value", async () => {
    const { client } = org;
    const ids = await createContacts(client, 3);
    const target = await createList(client, 'Target', ids);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, spring.campaignActivityId);
    const spa = await client.create(idr_offer.entitySetName, {
      [idr_offer.columns.idr_name]: 'Spa weekend',
      [idr_offer.columns.idr_code]: 'SPA',
      [idr_offer.columns.idr_value]: 500,
    });
    // Two Dataverse orders of the spa offer, one with extras, as the fulfilled-order step registers them.
    const i = idr_interaction.columns;
    const S = salesorder.columns;
    for (const [who, amount] of [
      [ids[0], 1234.5],
      [ids[1], 380],
    ] as const) {
      const orderId = await client.create(salesorder.entitySetName, {
        [S.name]: `SO for ${who}`,
        [S.totalamount]: amount,
        [bind(`${S.customerid}_${contact.logicalName}`)]: recordUrl(contact.entitySetName, who),
      });
      await client.create(idr_interaction.entitySetName, {
        [i.idr_name]: 'Order fulfilled',
        [i.idr_source]: DATAVERSE_SOURCE,
        [i.idr_externalid]: externalId(salesorder.logicalName, orderId),
        [i.idr_eventtype]: EventType.OrderConfirmed,
        [i.idr_occurredon]: '2026-03-15T12:00:00Z',
        [bind(i.idr_contact)]: recordUrl(contact.entitySetName, who),
        [bind(i.idr_offer)]: recordUrl(idr_offer.entitySetName, spa),
      });
    }
    // An order another system reported has no amount: it counts at its offer's value.
    await order(client, ids[2], spa, '2026-03-16T12:00:00Z');

    const report = await readCampaignResults(client, spring.campaignId);
    expect(report.attribution.target).toMatchObject({ orders: 3, revenue: 2114.5 });
    expect(describeCampaignResults(report)).toContain(
      '  orders attributed (30 days after sending): contacted 3 worth 2114.50, control 0 worth 0.00',
    );
  });
});
