import type { DataverseClient } from '../../../dataverse/client';
import {
  activityparty,
  campaignactivity,
  contact,
  email,
  ExclusionReason,
  idr_contactpolicy,
  idr_exclusion,
  list,
  opportunity,
  OverCapAction,
} from '../../../dataverse/generated';
import type { TestOrg } from '../../../tools/emulator/testing';
import { memoryLogger } from '../../../dataverse/logger';
import { bind, lookupValue, recordUrl } from '../interests/records';
import {
  createCampaign,
  createCampaignOrg,
  createContacts,
  createList,
  recipientActivity,
  recipients,
} from './campaign.testkit';
import { distributeCampaignActivity, recheckDistributed, type DistributeProgress } from './distribute';
import { triggerJob } from './triggerjob';

let org: TestOrg;
beforeEach(() => {
  org = createCampaignOrg();
});
afterEach(() => org.close());

const P = idr_contactpolicy.columns;

async function policy(client: DataverseClient, values: Record<string, number | boolean | null>) {
  await client.create(idr_contactpolicy.entitySetName, {
    [P.idr_name]: 'Test policy',
    [P.idr_excludebelowzero]: true,
    [P.idr_overcapaction]: OverCapAction.PostponeToTheFirstAllowedDay,
    [P.idr_horizondays]: 30,
    ...values,
  });
}

/** A marketing email of another campaign activity, sent on `day` to `contactId`. */
async function sentEmail(
  client: DataverseClient,
  campaignActivityId: string,
  contactId: string,
  day: string,
) {
  await client.create(email.entitySetName, {
    [email.columns.subject]: 'Earlier newsletter',
    [email.columns.scheduledstart]: `${day}T09:00:00Z`,
    [bind('regardingobjectid_campaignactivity_email')]: recordUrl(
      campaignactivity.entitySetName,
      campaignActivityId,
    ),
    email_activity_parties: [
      {
        [bind('partyid_contact')]: recordUrl(contact.entitySetName, contactId),
        [activityparty.columns.participationtypemask]:
          activityparty.choices.participationtypemask.ToRecipient,
      },
    ],
  });
}

async function exclusions(client: DataverseClient, campaignActivityId: string) {
  const e = idr_exclusion.columns;
  const rows = await client.retrieveMultiple(idr_exclusion.entitySetName, {
    filter: `_idr_campaignactivity_value eq ${campaignActivityId}`,
    select: [`_${e.idr_contact}_value`, e.idr_reason, e.idr_postponedto],
  });
  return new Map(
    rows.map((r) => [
      String(r[`_${e.idr_contact}_value`]),
      { reason: r[e.idr_reason], postponedTo: r[e.idr_postponedto] },
    ]),
  );
}

describe('guarded distribution of a campaign activity', () => {
  it('sends a 1,000-contact email campaign to exactly the eligible people, each exclusion with its reason', async () => {
    const { client } = org;
    await policy(client, { [P.idr_emailperweek]: 2 });
    const ids = await createContacts(client, 1000, (i) =>
      i >= 100 && i < 150 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const robinson = ids.slice(0, 3);
    const optedOut = new Set(ids.slice(100, 150));
    const capped = ids.slice(200, 220);
    await createList(client, 'Robinson', robinson, { [list.columns.idr_isexclusionlist]: true });
    const target = await createList(client, 'Spring target', ids);
    const earlier = await createCampaign(client, { name: 'Newsletter', channel: 'email', listIds: [] });
    for (const id of capped) {
      await sentEmail(client, earlier.campaignActivityId, id, '2026-03-06');
      await sentEmail(client, earlier.campaignActivityId, id, '2026-03-08');
    }
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      controlPercent: 10,
      scheduledStart: '2026-03-10T09:00:00Z',
    });

    const progress: DistributeProgress[] = [];
    const result = await distributeCampaignActivity(
      { client, clock: org.clock.now },
      spring.campaignActivityId,
      { onProgress: (p) => progress.push(p) },
    );

    // 1,000 − 3 Robinson − 50 opted out = 947 eligible; 10 % of them (95) held out.
    expect(result.plan.counts).toMatchObject({ targeted: 1000, created: 852, control: 95 });
    const got = await recipients(client, 'email', spring.campaignActivityId);
    const why = await exclusions(client, spring.campaignActivityId);
    expect(got.size).toBe(852);
    for (const id of robinson) expect(why.get(id)?.reason).toBe(ExclusionReason.ExclusionListRobinson);
    for (const id of optedOut) expect(why.get(id)?.reason).toBe(ExclusionReason.NoConsentForTheChannel);
    const control = [...why].filter(([, w]) => w.reason === ExclusionReason.ControlGroup).map(([id]) => id);
    expect(control).toHaveLength(95);
    for (const id of [...robinson, ...optedOut, ...control]) expect(got.has(id)).toBe(false);
    // Two emails this week already: the weekly cap of 2 moves them to the 13th, when the one of the 6th has left the week.
    for (const id of capped) {
      if (control.includes(id)) continue;
      expect(got.get(id)).toBe('2026-03-13');
      expect(why.get(id)).toEqual({
        reason: ExclusionReason.FrequencyCap,
        postponedTo: '2026-03-13T09:00:00Z',
      });
    }
    const onTime = ids.filter((id) => !capped.includes(id) && got.has(id));
    for (const id of onTime) expect(got.get(id)).toBe('2026-03-10');
    expect(onTime.length + capped.filter((id) => got.has(id)).length).toBe(852);

    const counts = await client.retrieve(campaignactivity.entitySetName, spring.campaignActivityId);
    expect(counts).toMatchObject({
      idr_targetedcount: 1000,
      idr_createdcount: 852,
      idr_controlcount: 95,
      idr_excludedcount: 148,
      idr_postponedcount: capped.filter((id) => got.has(id)).length,
    });
    expect(progress.at(-1)).toEqual({ phase: 'exclusions', done: why.size, total: why.size });
    expect(progress.filter((p) => p.phase === 'activities').at(-1)).toEqual({
      phase: 'activities',
      done: 852,
      total: 852,
    });

    // A rerun picks the same control group and creates nothing twice.
    const again = await distributeCampaignActivity(
      { client, clock: org.clock.now },
      spring.campaignActivityId,
    );
    expect(again.alreadyDistributed).toBe(852);
    expect(again.plan.counts.created).toBe(0);
    expect((await recipients(client, 'email', spring.campaignActivityId)).size).toBe(852);
    const whyAgain = await exclusions(client, spring.campaignActivityId);
    expect(
      [...whyAgain]
        .filter(([, w]) => w.reason === ExclusionReason.ControlGroup)
        .map(([id]) => id)
        .sort(),
    ).toEqual([...control].sort());
  }, 120_000);

  it('spreads 130 calls over 4 days with a call-centre capacity of 40 a day, most valuable first', async () => {
    const { client } = org;
    await policy(client, { [P.idr_callsperday]: 40 });
    const ids = await createContacts(client, 130, (i) =>
      i < 10 ? { [contact.columns.idr_valuetier]: 105200000 } : {},
    );
    const target = await createList(client, 'Call list', ids);
    const calls = await createCampaign(client, {
      name: 'Renewal calls',
      channel: 'phone',
      listIds: [target],
      scheduledStart: '2026-03-10T10:00:00Z',
    });
    const result = await distributeCampaignActivity(
      { client, clock: org.clock.now },
      calls.campaignActivityId,
    );
    const got = await recipients(client, 'phone', calls.campaignActivityId);
    const perDay = new Map<string, number>();
    for (const day of got.values()) perDay.set(day, (perDay.get(day) ?? 0) + 1);
    expect(Object.fromEntries(perDay)).toEqual({
      '2026-03-10': 40,
      '2026-03-11': 40,
      '2026-03-12': 40,
      '2026-03-13': 10,
    });
    for (const id of ids.slice(0, 10)) expect(got.get(id)).toBe('2026-03-10');
    expect(result.plan.counts.excluded.capacity).toBe(0);
  });

  it('never lets two incompatible campaigns reach a contact within their window', async () => {
    const { client } = org;
    await policy(client, {});
    const ids = await createContacts(client, 30);
    const first = await createList(client, 'First', ids.slice(0, 20));
    const second = await createList(client, 'Second', ids.slice(10));
    const a = await createCampaign(client, {
      name: 'Offer A',
      channel: 'email',
      listIds: [first],
      incompatibleWithinDays: 14,
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    const b = await createCampaign(client, {
      name: 'Offer B',
      channel: 'email',
      listIds: [second],
      incompatibleWithinDays: 14,
      scheduledStart: '2026-03-12T09:00:00Z',
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, a.campaignActivityId);
    await distributeCampaignActivity({ client, clock: org.clock.now }, b.campaignActivityId);
    const gotA = await recipients(client, 'email', a.campaignActivityId);
    const gotB = await recipients(client, 'email', b.campaignActivityId);
    expect(gotA.size).toBe(20);
    expect(gotB.size).toBe(20);
    const days = (day: string) => Date.parse(day) / 86_400_000;
    for (const [id, dayB] of gotB) {
      const dayA = gotA.get(id);
      if (dayA) expect(Math.abs(days(dayB) - days(dayA))).toBeGreaterThanOrEqual(14);
      else expect(dayB).toBe('2026-03-12');
    }
    const why = await exclusions(client, b.campaignActivityId);
    expect([...why.values()].filter((w) => w.reason === ExclusionReason.IncompatibleCampaign)).toHaveLength(
      10,
    );
  });

  it('sends letters only to contacts who allow postal mail, and counts them against the overall cap', async () => {
    const { client } = org;
    await policy(client, { [P.idr_overallperweek]: 1 });
    const ids = await createContacts(client, 10, (i) =>
      i < 3 ? { [contact.columns.donotpostalmail]: true } : {},
    );
    const target = await createList(client, 'Postal', ids);
    const earlier = await createCampaign(client, { name: 'Newsletter', channel: 'email', listIds: [] });
    await sentEmail(client, earlier.campaignActivityId, ids[9], '2026-03-09');
    const letters = await createCampaign(client, {
      name: 'Catalogue by post',
      channel: 'mail',
      listIds: [target],
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    const result = await distributeCampaignActivity(
      { client, clock: org.clock.now },
      letters.campaignActivityId,
    );
    const got = await recipients(client, 'mail', letters.campaignActivityId);
    expect([...got.keys()].sort()).toEqual(ids.slice(3).sort());
    // The contact emailed this week gets the letter on the first day the weekly cap allows.
    expect(got.get(ids[9])).toBe('2026-03-16');
    expect(got.get(ids[3])).toBe('2026-03-10');
    const why = await exclusions(client, letters.campaignActivityId);
    for (const id of ids.slice(0, 3))
      expect(why.get(id)?.reason).toBe(ExclusionReason.NoConsentForTheChannel);
    expect(why.get(ids[9])?.reason).toBe(ExclusionReason.FrequencyCap);
    expect(result.plan.counts.created).toBe(7);
  });

  it('leaves Dynamics’ own DistributeCampaignActivity as documented: every member not opted out, no policy', async () => {
    const { client } = org;
    await policy(client, { [P.idr_emailperweek]: 0 });
    const ids = await createContacts(client, 12, (i) =>
      i < 2 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const target = await createList(client, 'Plain', ids);
    const plain = await createCampaign(client, {
      name: 'Plain',
      channel: 'email',
      listIds: [target],
      controlPercent: 50,
    });
    const answer = await client.executeAction(
      'DistributeCampaignActivity',
      {
        Propagate: true,
        Activity: { '@odata.type': 'Microsoft.Dynamics.CRM.email', subject: 'Plain newsletter' },
        SendEmail: false,
        PostWorkflowEvent: false,
      },
      { entitySet: campaignactivity.entitySetName, id: plain.campaignActivityId },
    );
    expect(answer).toMatchObject({ '@odata.type': '#Microsoft.Dynamics.CRM.bulkoperation' });
    const got = await recipients(client, 'email', plain.campaignActivityId);
    expect([...got.keys()].sort()).toEqual(ids.slice(2).sort());
  });
});

describe('a distributed campaign activity on its send day', () => {
  it('is checked again: consent withdrawn since distribution calls the email off, with a why-not row linked to it', async () => {
    const { client } = org;
    const [ana, ben] = await createContacts(client, 2);
    const target = await createList(client, 'Target', [ana, ben]);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      scheduledStart: '2026-03-12T09:00:00Z',
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, spring.campaignActivityId);
    const anaEmail = await recipientActivity(client, 'email', spring.campaignActivityId, ana);
    const benEmail = await recipientActivity(client, 'email', spring.campaignActivityId, ben);
    const E = email.columns;
    const state = async (id: string | null) =>
      (await client.retrieve(email.entitySetName, id ?? '', [E.statecode]))?.[E.statecode];
    const { Open, Canceled } = email.choices.statecode;
    // Ana asks for no more marketing email two days before the send day.
    org.clock.set(new Date('2026-03-10T15:00:00Z'));
    await client.update(contact.entitySetName, ana, { [contact.columns.donotbulkemail]: true });
    const job = triggerJob();
    const run = () => job.run({ client, clock: org.clock.now, logger: memoryLogger() });
    await run();
    expect(await state(anaEmail)).toBe(Open);

    org.clock.set(new Date('2026-03-12T09:30:00Z'));
    await run();
    expect(await state(anaEmail)).toBe(Canceled);
    expect(await state(benEmail)).toBe(Open);
    const X = idr_exclusion.columns;
    const rows = await client.retrieveMultiple(idr_exclusion.entitySetName, {
      filter: `${lookupValue(X.idr_campaignactivity)} eq ${spring.campaignActivityId}`,
      select: [lookupValue(X.idr_contact), X.idr_reason, lookupValue(X.idr_activity), X.idr_postponedto],
    });
    expect(rows).toEqual([
      expect.objectContaining({
        [lookupValue(X.idr_contact)]: ana,
        [X.idr_reason]: ExclusionReason.NoConsentForTheChannel,
        [lookupValue(X.idr_activity)]: anaEmail,
        [X.idr_postponedto]: null,
      }),
    ]);
  });

  it('counts the same impacts against the caps as on distribution day: a quotation follow-up is exempt, a triggered email is not', async () => {
    const { client } = org;
    await policy(client, { [P.idr_emailperday]: 1, [P.idr_overcapaction]: OverCapAction.Drop });
    const [ana, ben] = await createContacts(client, 2);
    const sendDay = '2026-03-12';
    // Ana gets a follow-up of her quotation that day (a service message); Ben a birthday email (a triggered action).
    const deal = await client.create(opportunity.entitySetName, { [opportunity.columns.name]: 'Group trip' });
    for (const [who, regarding] of [
      [ana, `regardingobjectid_opportunity_email@odata.bind`, recordUrl(opportunity.entitySetName, deal)],
      [ben, `regardingobjectid_contact_email@odata.bind`, recordUrl(contact.entitySetName, ben)],
    ].map(([w, k, v]) => [w, { [k]: v }] as const))
      await client.create(email.entitySetName, {
        [email.columns.subject]: 'Not from this campaign',
        [email.columns.scheduledstart]: `${sendDay}T08:00:00Z`,
        ...regarding,
        email_activity_parties: [
          {
            [bind('partyid_contact')]: recordUrl(contact.entitySetName, who),
            [activityparty.columns.participationtypemask]:
              activityparty.choices.participationtypemask.ToRecipient,
          },
        ],
      });
    const target = await createList(client, 'Target', [ana, ben]);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      scheduledStart: `${sendDay}T09:00:00Z`,
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, spring.campaignActivityId);
    const anaEmail = await recipientActivity(client, 'email', spring.campaignActivityId, ana);
    expect(anaEmail).not.toBeNull();
    expect(await recipientActivity(client, 'email', spring.campaignActivityId, ben)).toBeNull();
    expect((await exclusions(client, spring.campaignActivityId)).get(ben)?.reason).toBe(
      ExclusionReason.FrequencyCap,
    );

    // On the send day nothing changed, so the decision stands: Ana's follow-up still does not use up her cap.
    expect(await recheckDistributed(client, Date.parse(`${sendDay}T09:30:00Z`), 86_400_000)).toBe(0);
    const E = email.columns;
    expect((await client.retrieve(email.entitySetName, anaEmail ?? '', [E.statecode]))?.[E.statecode]).toBe(
      email.choices.statecode.Open,
    );
  });
});
