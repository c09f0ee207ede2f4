/**
 * Triggered actions on the emulator, as a marketer sets them up and as the host runs them: the
 * interaction handler after each event, and the scheduled job on the (test) clock.
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  activityparty,
  contact,
  email,
  EventType,
  ExclusionReason,
  idr_exclusion,
  idr_marketingconcept,
  idr_trigger,
  Language,
  list,
  phonecall,
  task,
  template,
  TriggerAction,
  TriggerKind,
} from '../../../dataverse/generated';
import { SEGMENT_RECHECK_JOB } from '../interests';
import { bind, lookupValue, recordUrl } from '../interests/records';
import { describeTriggerRun } from '../../../tools/cli/target';
import {
  orgPerTest,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../interests/test-org.testkit';
import { abandonCarts, createTrigger } from './campaign.testkit';
import { triggerJob } from './triggerjob';
import { actionId, runTriggers } from './triggers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2026-05-04T09:00:00Z');
const env = orgPerTest({ start: START });
const T = idr_trigger.columns;

/** The activities of one table regarding the contact, with their subjects. */
async function actionsFor(
  client: DataverseClient,
  table: typeof email | typeof phonecall | typeof task,
  contactId: string,
): Promise<EntityRecord[]> {
  return client.retrieveMultiple(table.entitySetName, {
    filter: `${lookupValue(table.columns.regardingobjectid)} eq ${contactId}`,
    select: [table.columns.activityid, table.columns.subject, table.columns.scheduledstart],
  });
}

const runJob = () => triggerJob().run({ client: env.client, clock: env.clock.now, logger: env.logger });

describe('triggered actions', () => {
  it('a cart abandoned at 10:00 with no order by 12:00 gets one email; a coupon click then one reinforcement call', async () => {
    const ana = await seedContact(env.client, { name: 'Ana' });
    await env.client.update(contact.entitySetName, ana, { [contact.columns.idr_language]: Language.Spanish });
    await createTrigger(env.client, {
      [T.idr_name]: 'Abandoned cart',
      [T.idr_kind]: TriggerKind.CartAbandoned,
      [T.idr_action]: TriggerAction.Email,
      [T.idr_hours]: 2,
    });
    await createTrigger(env.client, {
      [T.idr_name]: 'Coupon reinforcement',
      [T.idr_kind]: TriggerKind.RespondedToACouponOrEmail,
      [T.idr_action]: TriggerAction.PhoneCallForTheOwner,
      [T.idr_subject]: 'Call about the coupon',
      [T.idr_subjectes]: 'Llamar por el cupón',
    });
    env.clock.set(new Date('2026-05-04T10:00:00Z'));
    await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.CartAbandoned,
      occurredOn: env.clock.now(),
    });
    await env.drain();
    expect(await actionsFor(env.client, email, ana)).toHaveLength(0);

    env.clock.set(new Date('2026-05-04T11:59:00Z'));
    await runJob();
    expect(await actionsFor(env.client, email, ana)).toHaveLength(0);

    env.clock.set(new Date('2026-05-04T12:00:00Z'));
    await runJob();
    await runJob();
    const emails = await actionsFor(env.client, email, ana);
    expect(emails.map((e) => e[email.columns.subject])).toEqual(['Guardamos su carrito']);
    const parties = await env.client.retrieveMultiple(activityparty.entitySetName, {
      filter: `${lookupValue(activityparty.columns.activityid)} eq ${String(emails[0]?.activityid)}`,
      select: [lookupValue(activityparty.columns.partyid)],
    });
    expect(parties.map((p) => p[lookupValue(activityparty.columns.partyid)])).toEqual([ana]);

    env.clock.set(new Date('2026-05-04T13:00:00Z'));
    await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.CouponClick,
      occurredOn: env.clock.now(),
    });
    await env.drain();
    // Event-driven: the call exists before any job runs.
    const calls = await actionsFor(env.client, phonecall, ana);
    expect(calls.map((c) => c[phonecall.columns.subject])).toEqual(['Llamar por el cupón']);
    await runJob();
    env.clock.advance(DAY);
    await runJob();
    expect(await actionsFor(env.client, phonecall, ana)).toHaveLength(1);
    expect(await actionsFor(env.client, email, ana)).toHaveLength(1);
  });

  it('an order within the hours means no cart email', async () => {
    const ben = await seedContact(env.client, { name: 'Ben' });
    await createTrigger(env.client, {
      [T.idr_name]: 'Abandoned cart',
      [T.idr_kind]: TriggerKind.CartAbandoned,
      [T.idr_action]: TriggerAction.Email,
      [T.idr_hours]: 2,
    });
    env.clock.set(new Date('2026-05-04T10:00:00Z'));
    await seedInteraction(env.client, {
      contactId: ben,
      eventType: EventType.CartAbandoned,
      occurredOn: env.clock.now(),
    });
    env.clock.set(new Date('2026-05-04T11:30:00Z'));
    await seedInteraction(env.client, {
      contactId: ben,
      eventType: EventType.OrderConfirmed,
      occurredOn: env.clock.now(),
    });
    await env.drain();
    env.clock.set(new Date('2026-05-04T15:00:00Z'));
    await runJob();
    expect(await actionsFor(env.client, email, ben)).toHaveLength(0);
  });

  it('a birthday trigger fires once per year, however often the job runs', async () => {
    const eva = await seedContact(env.client, { name: 'Eva' });
    await env.client.update(contact.entitySetName, eva, { [contact.columns.birthdate]: '1984-05-10' });
    await createTrigger(env.client, {
      [T.idr_name]: 'Birthday call',
      [T.idr_kind]: TriggerKind.BirthdayInNDays,
      [T.idr_action]: TriggerAction.TaskForTheOwner,
      [T.idr_days]: 3,
      [T.idr_subject]: 'Birthday: send a card',
    });
    const created: string[] = [];
    // Every six hours around this year's birthday, then daily for a year.
    for (
      let t = START.getTime();
      t < Date.parse('2027-06-01T00:00:00Z');
      t += t < Date.parse('2026-05-15') ? 6 * HOUR : DAY
    ) {
      env.clock.set(new Date(t));
      const before = (await actionsFor(env.client, task, eva)).length;
      await runJob();
      if ((await actionsFor(env.client, task, eva)).length > before)
        created.push(env.clock.now().toISOString().slice(0, 10));
    }
    expect(created).toEqual(['2026-05-07', '2027-05-07']);
  });

  it('a segment entry fires once, from the interaction handler, and the job adds nothing', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 20, exit: 10, halfLifeDays: 30 });
    await seedRule(env.client, {
      concept: cloud.id,
      points: 25,
      eventType: EventType.WebVisit,
      repeatable: true,
    });
    const follow = await env.client.create(list.entitySetName, {
      [list.columns.listname]: 'Cloud follow-up',
      [list.columns.createdfromcode]: list.choices.createdfromcode.Contact,
    });
    await createTrigger(env.client, {
      [T.idr_name]: 'Welcome to cloud',
      [T.idr_kind]: TriggerKind.EntersASegment,
      [T.idr_action]: TriggerAction.Email,
      [bind(T.idr_concept)]: recordUrl(idr_marketingconcept.entitySetName, cloud.id),
    });
    await createTrigger(env.client, {
      [T.idr_name]: 'Cloud list',
      [T.idr_kind]: TriggerKind.EntersASegment,
      [T.idr_action]: TriggerAction.AddToAMarketingList,
      [bind(T.idr_concept)]: recordUrl(idr_marketingconcept.entitySetName, cloud.id),
      [bind(T.idr_list)]: recordUrl(list.entitySetName, follow),
    });
    const ana = await seedContact(env.client, { name: 'Ana' });
    await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.WebVisit,
      occurredOn: env.clock.now(),
    });
    await env.drain();
    expect(await actionsFor(env.client, email, ana)).toHaveLength(1);
    // A second visit keeps Ana in the segment: no new entry, no new email.
    env.clock.advance(HOUR);
    await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.WebVisit,
      occurredOn: env.clock.now(),
    });
    await env.drain();
    const summary = await runTriggers({ client: env.client, clock: env.clock.now });
    expect(summary).toMatchObject({ created: 0, already: 2 });
    expect(await actionsFor(env.client, email, ana)).toHaveLength(1);
    const members = await env.client.retrieveMultiple('listmembers', {
      filter: `_listid_value eq ${follow}`,
      select: ['_entityid_value'],
    });
    expect(members.map((m) => m._entityid_value)).toEqual([ana]);
  });

  it('the contact policy holds: no email without consent, none for Robinson members, a second email waits a day', async () => {
    const [ok, optedOut, robinson] = await Promise.all([
      seedContact(env.client, { name: 'Ok' }),
      seedContact(env.client, { name: 'Opted out' }),
      seedContact(env.client, { name: 'Robinson' }),
    ]);
    await env.client.update(contact.entitySetName, optedOut, { [contact.columns.donotemail]: true });
    const robinsonList = await env.client.create(list.entitySetName, {
      [list.columns.listname]: 'Robinson',
      [list.columns.createdfromcode]: list.choices.createdfromcode.Contact,
      [list.columns.idr_isexclusionlist]: true,
    });
    await env.client.executeAction(
      'AddMemberList',
      { EntityId: robinson },
      { entitySet: list.entitySetName, id: robinsonList },
    );
    const cart = await abandonCarts(env, [ok, optedOut, robinson, ok]);
    const summary = await runTriggers({ client: env.client, clock: env.clock.now });
    expect(summary).toMatchObject({
      occurrences: 4,
      created: 2,
      postponed: 1,
      skipped: { 'no-consent': 1, 'exclusion-list': 1 },
    });
    const days = (await actionsFor(env.client, email, ok)).map((e) =>
      String(e[email.columns.scheduledstart]).slice(0, 10),
    );
    expect(days.sort()).toEqual(['2026-05-04', '2026-05-05']);
    expect(await actionsFor(env.client, email, optedOut)).toHaveLength(0);
    expect(await actionsFor(env.client, email, robinson)).toHaveLength(0);
    // "Why did this customer not get it?": one Campaign Exclusion row per left-out or postponed action.
    const X = idr_exclusion.columns;
    const whyNot = async () =>
      (
        await env.client.retrieveMultiple(idr_exclusion.entitySetName, {
          filter: `${lookupValue(X.idr_trigger)} eq ${cart}`,
          select: [lookupValue(X.idr_contact), X.idr_reason, X.idr_postponedto],
        })
      )
        .map((r) => [
          r[lookupValue(X.idr_contact)],
          r[X.idr_reason],
          String(r[X.idr_postponedto]).slice(0, 10),
        ])
        .sort((x, y) => Number(x[1]) - Number(y[1]));
    const expected = [
      [robinson, ExclusionReason.ExclusionListRobinson, 'null'],
      [optedOut, ExclusionReason.NoConsentForTheChannel, 'null'],
      [ok, ExclusionReason.FrequencyCap, '2026-05-05'],
    ].sort((x, y) => Number(x[1]) - Number(y[1]));
    expect(await whyNot()).toEqual(expected);
    // Evaluating the same occurrences again neither creates actions nor duplicates the rows.
    await runTriggers({ client: env.client, clock: env.clock.now });
    expect(await whyNot()).toEqual(expected);
  });

  it('checks a postponed email again on its day: consent withdrawn since means it does not go out, and the row says why', async () => {
    const [eva, pau] = await Promise.all([
      seedContact(env.client, { name: 'Eva' }),
      seedContact(env.client, { name: 'Pau' }),
    ]);
    // Two carts each on the same morning: the daily email cap puts each second email on the next day.
    const cart = await abandonCarts(env, [eva, eva, pau, pau]);
    await runJob();
    const E = email.columns;
    const emails = async (who: string) =>
      (
        await env.client.retrieveMultiple(email.entitySetName, {
          filter: `${lookupValue(E.regardingobjectid)} eq ${who}`,
          select: [E.scheduledstart, E.statecode],
          orderBy: [`${E.scheduledstart} asc`],
        })
      ).map((r) => [String(r[E.scheduledstart]).slice(0, 10), r[E.statecode]]);
    const { Open, Canceled } = email.choices.statecode;
    expect(await emails(eva)).toEqual([
      ['2026-05-04', Open],
      ['2026-05-05', Open],
    ]);
    const X = idr_exclusion.columns;
    const whyNot = async (who: string) =>
      (
        await env.client.retrieveMultiple(idr_exclusion.entitySetName, {
          filter: `${lookupValue(X.idr_trigger)} eq ${cart} and ${lookupValue(X.idr_contact)} eq ${who}`,
          select: [X.idr_reason, X.idr_postponedto],
        })
      ).map((r) => [
        r[X.idr_reason],
        r[X.idr_postponedto] === null ? null : String(r[X.idr_postponedto]).slice(0, 10),
      ]);
    expect(await whyNot(eva)).toEqual([[ExclusionReason.FrequencyCap, '2026-05-05']]);
    // The row links to the postponed email itself.
    const [evaLater] = (
      await env.client.retrieveMultiple(email.entitySetName, {
        filter: `${lookupValue(E.regardingobjectid)} eq ${eva} and ${E.scheduledstart} ge 2026-05-05T00:00:00Z`,
        select: [E.activityid],
      })
    ).map((r) => String(r[E.activityid]));
    const [link] = await env.client.retrieveMultiple(idr_exclusion.entitySetName, {
      filter: `${lookupValue(X.idr_trigger)} eq ${cart} and ${lookupValue(X.idr_contact)} eq ${eva}`,
      select: [lookupValue(X.idr_activity)],
    });
    expect(link?.[lookupValue(X.idr_activity)]).toBe(evaLater);

    // That evening Eva asks for no more email; Pau does not. Her agent also moves the waiting email to
    // the afternoon: the check on its day still finds it, through the row's link.
    env.clock.set(new Date('2026-05-04T20:00:00Z'));
    await env.client.update(contact.entitySetName, eva, { [contact.columns.donotemail]: true });
    await env.client.update(email.entitySetName, evaLater ?? '', {
      [E.scheduledstart]: '2026-05-05T16:00:00Z',
      [E.scheduledend]: '2026-05-05T17:00:00Z',
    });
    await runJob();
    expect(await emails(eva)).toEqual([
      ['2026-05-04', Open],
      ['2026-05-05', Open],
    ]);

    env.clock.set(new Date('2026-05-05T12:00:00Z'));
    const summary = await runTriggers({ client: env.client, clock: env.clock.now });
    expect(summary.cancelled).toBe(1);
    expect(describeTriggerRun(summary)[0]).toMatch(/, 1 postponed action\(s\) called off on their day\.$/);
    expect(await emails(eva)).toEqual([
      ['2026-05-04', Open],
      ['2026-05-05', Canceled],
    ]);
    expect(await whyNot(eva)).toEqual([[ExclusionReason.NoConsentForTheChannel, null]]);
    expect(await emails(pau)).toEqual([
      ['2026-05-04', Open],
      ['2026-05-05', Open],
    ]);
    expect(await whyNot(pau)).toEqual([[ExclusionReason.FrequencyCap, '2026-05-05']]);
    // Later runs that day leave both as they are.
    env.clock.advance(HOUR);
    await runJob();
    expect(await emails(eva)).toEqual([
      ['2026-05-04', Open],
      ['2026-05-05', Canceled],
    ]);
    expect(await whyNot(eva)).toEqual([[ExclusionReason.NoConsentForTheChannel, null]]);
  });

  it('checks a postponed email kept before why-not rows linked their activity, found by contact and start', async () => {
    const eva = await seedContact(env.client, { name: 'Eva' });
    const cart = await abandonCarts(env, [eva, eva]);
    await runJob();
    const X = idr_exclusion.columns;
    const E = email.columns;
    const [row] = await env.client.retrieveMultiple(idr_exclusion.entitySetName, {
      filter: `${lookupValue(X.idr_trigger)} eq ${cart} and ${lookupValue(X.idr_contact)} eq ${eva}`,
      select: [X.idr_exclusionid, lookupValue(X.idr_activity)],
    });
    const later = String(row?.[lookupValue(X.idr_activity)]);
    // As a row written before the link existed: no idr_activity.
    await env.client.update(idr_exclusion.entitySetName, String(row?.[X.idr_exclusionid]), {
      [bind(`${X.idr_activity}_${email.logicalName}`)]: null,
    });
    const unlinked = await env.client.retrieve(
      idr_exclusion.entitySetName,
      String(row?.[X.idr_exclusionid]),
      [lookupValue(X.idr_activity)],
    );
    expect(unlinked?.[lookupValue(X.idr_activity)]).toBeNull();
    env.clock.set(new Date('2026-05-04T20:00:00Z'));
    await env.client.update(contact.entitySetName, eva, { [contact.columns.donotemail]: true });

    env.clock.set(new Date('2026-05-05T12:00:00Z'));
    expect((await runTriggers({ client: env.client, clock: env.clock.now })).cancelled).toBe(1);
    const state = await env.client.retrieve(email.entitySetName, later, [E.statecode]);
    expect(state?.[E.statecode]).toBe(email.choices.statecode.Canceled);
    const after = await env.client.retrieve(idr_exclusion.entitySetName, String(row?.[X.idr_exclusionid]), [
      X.idr_reason,
      lookupValue(X.idr_activity),
    ]);
    expect(after).toMatchObject({
      [X.idr_reason]: ExclusionReason.NoConsentForTheChannel,
      [lookupValue(X.idr_activity)]: later,
    });
  });

  it('leaving a segment as the score decays, and dropping below a score, each fire once from the job', async () => {
    // Half-life 10 days: 40 points fall below 20 after 10 days and below the exit threshold 12 after ~17.4.
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 30, exit: 12, halfLifeDays: 10 });
    await seedRule(env.client, { concept: cloud.id, points: 40, eventType: EventType.WebVisit });
    const concept = recordUrl(idr_marketingconcept.entitySetName, cloud.id);
    await createTrigger(env.client, {
      [T.idr_name]: 'Left cloud',
      [T.idr_kind]: TriggerKind.LeavesASegment,
      [T.idr_action]: TriggerAction.TaskForTheOwner,
      [T.idr_subject]: 'Left the cloud segment',
      [bind(T.idr_concept)]: concept,
    });
    await createTrigger(env.client, {
      [T.idr_name]: 'Cooling on cloud',
      [T.idr_kind]: TriggerKind.DropsBelowAScore,
      [T.idr_action]: TriggerAction.TaskForTheOwner,
      [T.idr_subject]: 'Interest in cloud below 20',
      [T.idr_threshold]: 20,
      [bind(T.idr_concept)]: concept,
    });
    const ana = await seedContact(env.client, { name: 'Ana' });
    await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.WebVisit,
      occurredOn: env.clock.now(),
    });
    await env.drain();
    const subjects = async () =>
      (await actionsFor(env.client, task, ana)).map((t) => String(t[task.columns.subject])).sort();
    const deps = { client: env.client, clock: env.clock.now, logger: env.logger };
    const recheck = env.plugins.jobs.find((j) => j.name === SEGMENT_RECHECK_JOB);
    for (let day = 1; day <= 25; day++) {
      env.clock.advance(DAY);
      await recheck?.run(deps);
      await runJob();
      if (day === 9) expect(await subjects()).toEqual([]);
      if (day === 11) expect(await subjects()).toEqual(['Interest in cloud below 20']);
    }
    expect(await subjects()).toEqual(['Interest in cloud below 20', 'Left the cloud segment']);
  });

  it('derives one action id per occurrence', () => {
    expect(actionId('t|c|birthday:2026')).toBe(actionId('t|c|birthday:2026'));
    expect(actionId('t|c|birthday:2026')).not.toBe(actionId('t|c|birthday:2027'));
    expect(actionId('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('triggered emails from an email template', () => {
  const TT = template.columns;
  const seedTemplate = (language: number, subject: string, body: string, title = 'Cart reminder') =>
    env.client.create(template.entitySetName, {
      [TT.title]: title,
      [TT.templatetypecode]: contact.logicalName,
      [TT.languagecode]: language,
      [TT.ispersonal]: false,
      [TT.subject]: subject,
      [TT.body]: body,
    });
  const abandonCart = async (contactId: string) =>
    seedInteraction(env.client, {
      contactId,
      eventType: EventType.CartAbandoned,
      occurredOn: env.clock.now(),
    });
  const emailsOf = (contactId: string) =>
    env.client.retrieveMultiple(email.entitySetName, {
      filter: `${lookupValue(email.columns.regardingobjectid)} eq ${contactId}`,
      select: [email.columns.subject, email.columns.description],
    });

  it("fills the cart email from the template in the contact's language, with the contact's first name", async () => {
    const ana = await seedContact(env.client, { name: 'Ana' });
    await env.client.update(contact.entitySetName, ana, {
      [contact.columns.firstname]: 'Ana',
      [contact.columns.idr_language]: Language.Spanish,
    });
    const ben = await seedContact(env.client, { name: 'Ben' });
    await env.client.update(contact.entitySetName, ben, { [contact.columns.firstname]: 'Ben' });
    const english = await seedTemplate(
      1033,
      'Your cart, {!contact:firstname;friend}',
      'Hi {!contact:firstname;}!',
    );
    await seedTemplate(3082, 'Su carrito, {!contact:firstname;amigo}', 'Hola {!contact:firstname;}.');
    await seedTemplate(3082, 'Another template', 'Not this one.', 'Other title');
    await createTrigger(env.client, {
      [T.idr_name]: 'Abandoned cart from template',
      [T.idr_kind]: TriggerKind.CartAbandoned,
      [T.idr_action]: TriggerAction.Email,
      [T.idr_hours]: 2,
      [bind(T.idr_template)]: recordUrl(template.entitySetName, english),
    });
    env.clock.set(new Date('2026-05-04T10:00:00Z'));
    await abandonCart(ana);
    await abandonCart(ben);
    await env.drain();
    env.clock.set(new Date('2026-05-04T12:00:00Z'));
    await runJob();
    await runJob();
    expect(await emailsOf(ana)).toEqual([
      expect.objectContaining({ subject: 'Su carrito, Ana', description: 'Hola Ana.' }),
    ]);
    expect(await emailsOf(ben)).toEqual([
      expect.objectContaining({ subject: 'Your cart, Ben', description: 'Hi Ben!' }),
    ]);
  });

  it('holds the email back, saying why, while the template cannot be filled in, and sends it once fixed', async () => {
    const eva = await seedContact(env.client, { name: 'Eva' });
    const broken = await seedTemplate(1033, 'Hi {!contact:frstname;}', 'Body');
    await createTrigger(env.client, {
      [T.idr_name]: 'Cart with a typo',
      [T.idr_kind]: TriggerKind.CartAbandoned,
      [T.idr_action]: TriggerAction.Email,
      [T.idr_hours]: 2,
      [bind(T.idr_template)]: recordUrl(template.entitySetName, broken),
    });
    env.clock.set(new Date('2026-05-04T10:00:00Z'));
    await abandonCart(eva);
    await env.drain();
    env.clock.set(new Date('2026-05-04T12:00:00Z'));
    const first = await runTriggers({ client: env.client, clock: env.clock.now });
    expect(first.created).toBe(0);
    expect(first.invalid).toEqual([expect.stringContaining("Trigger 'Cart with a typo'")]);
    expect(first.invalid[0]).toContain('{!contact:frstname;}');
    expect(await emailsOf(eva)).toHaveLength(0);

    await env.client.update(template.entitySetName, broken, { [TT.subject]: 'Hi {!contact:lastname;}' });
    const second = await runTriggers({ client: env.client, clock: env.clock.now });
    expect(second.created).toBe(1);
    expect(await emailsOf(eva)).toEqual([expect.objectContaining({ subject: 'Hi Eva' })]);
  });
});
