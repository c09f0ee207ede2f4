/** `ideario target` on the emulator: count, static list with progress, dynamic list, errors in en/es. */
import type { DataverseClient } from '../../dataverse/client';
import {
  contact,
  EventType,
  idr_interestprofile,
  idr_offer,
  idr_offerscore,
  list,
  listmember,
  phonecall,
  activityparty,
  ValueTier,
  idr_trigger,
  TriggerAction,
  TriggerKind,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { parseTargetFetchXml } from '../../dataverse/queries/target';
import { bind, lookupValue, recordUrl } from '../../plugins/handlers/interests/records';
import {
  orgPerTest,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../../plugins/handlers/interests/test-org.testkit';
import {
  createCampaign,
  createContacts,
  createList,
} from '../../plugins/handlers/campaigns/campaign.testkit';
import { distributeCampaignActivity } from '../../plugins/handlers/campaigns/distribute';
import { triggerJob } from '../../plugins/handlers/campaigns/triggerjob';
import { type TargetCommandDeps, runTargetCommand, runTriggersCommand } from './target';

const DAY = 86_400_000;
const START = new Date('2026-04-01T09:00:00Z');
const env = orgPerTest({ start: START });

function deps() {
  const lines: string[] = [];
  const progress: number[] = [];
  const logger = memoryLogger();
  const value: TargetCommandDeps = {
    env: {},
    logger,
    print: (line) => lines.push(line),
    clock: env.clock.now,
    client: env.client,
    progress: { update: (p) => progress.push(p.done), stop: () => undefined },
  };
  return { value, lines, progress, logger };
}

async function called(client: DataverseClient, contactId: string, on: Date) {
  await client.create(phonecall.entitySetName, {
    [phonecall.columns.subject]: 'Earlier call',
    [phonecall.columns.scheduledstart]: on.toISOString(),
    phonecall_activity_parties: [
      {
        [bind('partyid_contact')]: recordUrl(contact.entitySetName, contactId),
        [activityparty.columns.participationtypemask]:
          activityparty.choices.participationtypemask.ToRecipient,
      },
    ],
  });
}

/**
 * Cloud (half-life 10 days): Ana and Ben got 80 points 5 days ago (56.6 today), Cai 50 points (35.4
 * today, stored 50: only the score today leaves Cai out of --min-score 40). Ben is Below Zero; Ana
 * was called 3 days ago.
 */
async function seed() {
  const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 30, exit: 20, halfLifeDays: 10 });
  await seedRule(env.client, { concept: cloud.id, points: 80, eventType: EventType.WebVisit });
  await seedRule(env.client, { concept: cloud.id, points: 50, eventType: EventType.EmailClick });
  const [ana, ben, cai] = [
    await seedContact(env.client, { name: 'Ana' }),
    await seedContact(env.client, { name: 'Ben' }),
    await seedContact(env.client, { name: 'Cai' }),
  ];
  for (const who of [ana, ben])
    await seedInteraction(env.client, { contactId: who, eventType: EventType.WebVisit, occurredOn: START });
  await seedInteraction(env.client, { contactId: cai, eventType: EventType.EmailClick, occurredOn: START });
  await env.drain();
  await env.client.update(contact.entitySetName, ben, {
    [contact.columns.idr_valuetier]: ValueTier.BelowZero,
  });
  for (const who of [ana, cai])
    await env.client.update(contact.entitySetName, who, {
      [contact.columns.idr_valuetier]: ValueTier.MostValuable,
    });
  env.clock.advance(5 * DAY);
  await called(env.client, ana, new Date(env.clock.now().getTime() - 3 * DAY));
  return { cloud, ana, ben, cai };
}

describe('ideario target', () => {
  it('counts with the score today, then keeps the target as a static list in batches', async () => {
    const { ana, ben, cai } = await seed();
    const stored = await env.client.retrieveMultiple(idr_interestprofile.entitySetName, {
      filter: `${lookupValue(idr_interestprofile.columns.idr_contact)} eq ${cai}`,
      select: [idr_interestprofile.columns.idr_score],
    });
    expect(stored[0]?.[idr_interestprofile.columns.idr_score]).toBe(50);

    const count = deps();
    expect(await runTargetCommand({ concept: ['cloud'], minScore: '40' }, count.value)).toBe(0);
    expect(count.lines).toEqual(['2 contact(s) match.']);

    const tiered = deps();
    await runTargetCommand({ concept: ['CLOUD'], minScore: '30', tier: ['most-valuable'] }, tiered.value);
    expect(tiered.lines).toEqual(['2 contact(s) match.']);

    const notContacted = deps();
    await runTargetCommand(
      { concept: ['CLOUD'], minScore: '30', notContactedDays: '14' },
      notContacted.value,
    );
    expect(notContacted.lines).toEqual(['2 contact(s) match.']);

    const saved = deps();
    expect(
      await runTargetCommand({ concept: ['CLOUD'], minScore: '40', list: 'Cloud fans' }, saved.value),
    ).toBe(0);
    expect(saved.lines[0]).toMatch(/^Static list "Cloud fans" created with 2 member\(s\): /);
    expect(saved.progress).toEqual([2]);
    const [created] = await env.client.retrieveMultiple(list.entitySetName, {
      filter: `${list.columns.listname} eq 'Cloud fans'`,
      select: [list.columns.listid],
    });
    const members = await env.client.retrieveMultiple(listmember.entitySetName, {
      filter: `${lookupValue(listmember.columns.listid)} eq ${String(created?.listid)}`,
      select: [lookupValue(listmember.columns.entityid)],
    });
    expect(members.map((m) => m[lookupValue(listmember.columns.entityid)]).sort()).toEqual([ana, ben].sort());
  });

  it('keeps a dynamic list as its query', async () => {
    await seed();
    const run = deps();
    expect(
      await runTargetCommand(
        { segment: ['CLOUD'], tier: ['Most valuable'], list: 'Cloud VIP', dynamic: true },
        run.value,
      ),
    ).toBe(0);
    expect(run.lines[0]).toMatch(/^Dynamic list "Cloud VIP" created \(2 contact\(s\) today/);
    const [created] = await env.client.retrieveMultiple(list.entitySetName, {
      filter: `${list.columns.listname} eq 'Cloud VIP'`,
      select: [list.columns.type, list.columns.query],
    });
    expect(created?.[list.columns.type]).toBe(true);
    expect(String(created?.[list.columns.query])).toContain("link-type='any'");
  });

  it("keeps a dynamic list's minimum score as of today: the hourly job moves it as scores decay", async () => {
    const { ana, ben } = await seed();
    const run = deps();
    expect(
      await runTargetCommand(
        { concept: ['CLOUD'], minScore: '40', list: 'Cloud 40', dynamic: true },
        run.value,
      ),
    ).toBe(0);
    const members = async () => {
      const [row] = await env.client.retrieveMultiple(list.entitySetName, {
        filter: `${list.columns.listname} eq 'Cloud 40'`,
        select: [list.columns.query],
      });
      const rows = await env.client.fetchXml(contact.entitySetName, String(row?.[list.columns.query]));
      return rows.map((r) => String(r[contact.columns.contactid])).sort();
    };
    // Today Ana and Ben score 56.6 and Cai 35.4 (stored 50): the query tests the score today.
    expect(await members()).toEqual([ana, ben].sort());
    const hourly = triggerJob();
    const jobDeps = { client: env.client, clock: env.clock.now, logger: memoryLogger() };
    // Four days on they score 42.9: still in.
    env.clock.advance(4 * DAY);
    await hourly.run(jobDeps);
    expect(await members()).toEqual([ana, ben].sort());
    // Two more days and 37.3: out, though nothing happened to them and their stored score is 80.
    env.clock.advance(2 * DAY);
    expect(await members()).toEqual([ana, ben].sort());
    await hourly.run(jobDeps);
    expect(await members()).toEqual([]);
  });

  it('refuses unknown names and bad numbers with one clear line, in English or Spanish', async () => {
    await seed();
    const gold = deps();
    expect(await runTargetCommand({ concept: ['CLOUD'], tier: ['Gold'] }, gold.value)).toBe(1);
    expect(gold.logger.lines).toEqual([
      'error target failed: Target: value tier "Gold" is not valid; use one of most-valuable, most-growable, maintain, below-zero (or their labels).',
    ]);
    const golf = deps();
    expect(await runTargetCommand({ concept: ['Golf'], lang: 'es' }, golf.value)).toBe(1);
    expect(golf.logger.lines).toEqual([
      'error target failed: Objetivo: el concepto de marketing "Golf" no existe o no está activo; use el código o el nombre de uno activo: CLOUD.',
    ]);
    const bad = deps();
    expect(await runTargetCommand({ concept: ['CLOUD'], minScore: 'forty' }, bad.value)).toBe(1);
    expect(bad.logger.lines).toEqual(['error target failed: --min-score "forty" is not a number.']);
    const dyn = deps();
    expect(await runTargetCommand({ dynamic: true }, dyn.value)).toBe(1);
  });
});

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

/** The CLOUD-PLAN offer, Ben the most likely to take it (0.7), Ana and Cai less (0.3). */
async function cloudPlan(who: { ana: string; ben: string; cai: string }) {
  const offerId = await env.client.create(idr_offer.entitySetName, {
    [idr_offer.columns.idr_name]: 'Cloud migration plan',
    [idr_offer.columns.idr_code]: 'CLOUD-PLAN',
  });
  await score(offerId, who.ben, 0.7);
  await score(offerId, who.ana, 0.3);
  await score(offerId, who.cai, 0.3);
}

describe('ideario target --offer --top', () => {
  it('keeps the most likely contacts for an offer, equal propensities by contact id', async () => {
    const { ana, ben, cai } = await seed();
    await cloudPlan({ ana, ben, cai });
    const [first] = [ana, cai].sort();

    const counted = deps();
    expect(
      await runTargetCommand({ concept: ['CLOUD'], minScore: '30', offer: 'cloud-plan' }, counted.value),
    ).toBe(0);
    expect(counted.lines).toEqual([
      '3 of 3 matching contact(s) kept, most likely first for offer CLOUD-PLAN (propensity 0.700 down to 0.300; 3 of 3 scored).',
    ]);

    const saved = deps();
    expect(
      await runTargetCommand(
        { concept: ['CLOUD'], minScore: '30', offer: 'CLOUD-PLAN', top: '2', list: 'Likely' },
        saved.value,
      ),
    ).toBe(0);
    expect(saved.lines[0]).toBe(
      '2 of 3 matching contact(s) kept, most likely first for offer CLOUD-PLAN (propensity 0.700 down to 0.300; 3 of 3 scored).',
    );
    const [created] = await env.client.retrieveMultiple(list.entitySetName, {
      filter: `${list.columns.listname} eq 'Likely'`,
      select: [list.columns.listid],
    });
    const members = await env.client.retrieveMultiple(listmember.entitySetName, {
      filter: `${lookupValue(listmember.columns.listid)} eq ${String(created?.listid)}`,
      select: [lookupValue(listmember.columns.entityid)],
    });
    expect(members.map((m) => m[lookupValue(listmember.columns.entityid)]).sort()).toEqual(
      [ben, first].sort(),
    );
  });

  it('leaves exclusion-list members out before keeping the most likely, so the list reaches its size', async () => {
    const { ana, ben, cai } = await seed();
    await cloudPlan({ ana, ben, cai });
    // Ben, the most likely, asked never to be contacted.
    await createList(env.client, 'Robinson', [ben], { [list.columns.idr_isexclusionlist]: true });
    const run = deps();
    expect(
      await runTargetCommand(
        { concept: ['CLOUD'], minScore: '30', offer: 'CLOUD-PLAN', top: '2', lang: 'es' },
        run.value,
      ),
    ).toBe(0);
    expect(run.lines).toEqual([
      '2 de 3 contacto(s) que cumplen la condición, los más probables primero para la oferta CLOUD-PLAN (propensión de 0.300 a 0.300; 2 de 3 puntuados). 1 en una lista de exclusión (Robinson), fuera antes del corte.',
    ]);
  });

  it('names an unknown offer with the codes there are, and refuses --top without --offer', async () => {
    await seed();
    await env.client.create(idr_offer.entitySetName, {
      [idr_offer.columns.idr_name]: 'Cloud migration plan',
      [idr_offer.columns.idr_code]: 'CLOUD-PLAN',
    });
    const unknown = deps();
    expect(await runTargetCommand({ concept: ['CLOUD'], offer: 'GOLF', lang: 'es' }, unknown.value)).toBe(1);
    expect(unknown.logger.lines).toEqual([
      'error target failed: La oferta "GOLF" no existe o no está activa; use el código de una oferta activa: CLOUD-PLAN.',
    ]);
    const noOffer = deps();
    expect(await runTargetCommand({ concept: ['CLOUD'], top: '2000' }, noOffer.value)).toBe(1);
    expect(noOffer.logger.lines).toEqual([
      'error target failed: --top needs --offer <code> (the offer whose propensity orders the target).',
    ]);
    const zero = deps();
    expect(await runTargetCommand({ concept: ['CLOUD'], offer: 'CLOUD-PLAN', top: '0' }, zero.value)).toBe(1);
  });

  it('keeps a dynamic list of those at or above a minimum propensity, the condition the Target Builder writes', async () => {
    const { cloud, ana, ben, cai } = await seed();
    await cloudPlan({ ana, ben, cai });
    const run = deps();
    expect(
      await runTargetCommand(
        {
          concept: ['CLOUD'],
          minScore: '30',
          offer: 'cloud-plan',
          minPropensity: '0.5',
          list: 'Cloud plan, likely',
          dynamic: true,
        },
        run.value,
      ),
    ).toBe(0);
    expect(run.lines[0]).toMatch(/^Dynamic list "Cloud plan, likely" created \(1 contact\(s\) today/);
    const [created] = await env.client.retrieveMultiple(list.entitySetName, {
      filter: `${list.columns.listname} eq 'Cloud plan, likely'`,
      select: [list.columns.query],
    });
    const query = String(created?.[list.columns.query]);
    const [offer] = await env.client.retrieveMultiple(idr_offer.entitySetName, {
      select: [idr_offer.columns.idr_offerid],
    });
    expect(parseTargetFetchXml(query, new Map([[cloud.id, 10]]))?.offer).toEqual({
      offerId: offer?.[idr_offer.columns.idr_offerid],
      minPropensity: 0.5,
    });
    const members = await env.client.fetchXml(contact.entitySetName, query);
    expect(members.map((m) => m[contact.columns.contactid])).toEqual([ben]);

    const cases: [Parameters<typeof runTargetCommand>[0], string][] = [
      [
        { concept: ['CLOUD'], minPropensity: '0.5' },
        '--min-propensity needs --offer <code> (the offer whose propensity it is).',
      ],
      [{ offer: 'CLOUD-PLAN', minPropensity: '1.5' }, '--min-propensity "1.5" is not a number from 0 to 1.'],
      [
        { offer: 'CLOUD-PLAN', minPropensity: '0.5', top: '10' },
        'Use either --top or --min-propensity, not both.',
      ],
    ];
    for (const [flags, message] of cases) {
      const bad = deps();
      expect(await runTargetCommand(flags, bad.value)).toBe(1);
      expect(bad.logger.lines).toEqual([`error target failed: ${message}`]);
    }
  });
});

describe('ideario triggers --once', () => {
  it('runs the job now, prints what it did, and names an incomplete trigger (exit 1)', async () => {
    const eva = await seedContact(env.client, { name: 'Eva' });
    await env.client.update(contact.entitySetName, eva, { [contact.columns.birthdate]: '1990-04-02' });
    const T = idr_trigger.columns;
    await env.client.create(idr_trigger.entitySetName, {
      [T.idr_name]: 'Birthday card',
      [T.idr_kind]: TriggerKind.BirthdayInNDays,
      [T.idr_action]: TriggerAction.TaskForTheOwner,
      [T.idr_days]: 3,
    });
    const run = deps();
    expect(await runTriggersCommand({}, run.value)).toBe(0);
    expect(run.lines).toEqual([
      'Triggers: 1 occurrence(s), 1 action(s) created (0 postponed by the contact policy), 0 done before.',
    ]);
    await env.client.create(idr_trigger.entitySetName, {
      [T.idr_name]: 'Welcome',
      [T.idr_kind]: TriggerKind.EntersASegment,
      [T.idr_action]: TriggerAction.Email,
    });
    const again = deps();
    expect(await runTriggersCommand({}, again.value)).toBe(1);
    expect(again.lines).toEqual([
      'Triggers: 1 occurrence(s), 0 action(s) created (0 postponed by the contact policy), 1 done before.',
      "Left out: Trigger 'Welcome': Marketing Concept is null; set it to a marketing concept.",
    ]);
  });

  it('re-checks campaign distributions due now, as the job does, and says how many it called off', async () => {
    const [ana, ben] = await createContacts(env.client, 2);
    const target = await createList(env.client, 'Target', [ana, ben]);
    const spring = await createCampaign(env.client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      scheduledStart: '2026-04-03T09:00:00Z',
    });
    await distributeCampaignActivity({ client: env.client, clock: env.clock.now }, spring.campaignActivityId);
    await env.client.update(contact.entitySetName, ana, { [contact.columns.donotbulkemail]: true });
    env.clock.set(new Date('2026-04-03T10:00:00Z'));
    const run = deps();
    expect(await runTriggersCommand({}, run.value)).toBe(0);
    expect(run.lines).toContain('Campaign distributions: 1 activity(ies) called off on their day.');
  });
});
