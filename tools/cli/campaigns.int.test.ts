import type { EntityRecord } from '../../dataverse/client';
import {
  campaign,
  contact,
  EventType,
  ExclusionReason,
  idr_interaction,
  idr_offer,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import {
  addCampaignActivity,
  createCampaign,
  createCampaignOrg,
  createContacts,
  createList,
  recipients,
  storedCampaignResults,
} from '../../plugins/handlers/campaigns/campaign.testkit';
import { bind, recordUrl } from '../../plugins/handlers/interests/records';
import type { DistributeProgress } from '../../plugins/handlers/campaigns/distribute';
import { dashboardChart } from '../emulator/pages/dashboard.testkit';
import type { TestOrg } from '../emulator/testing';
import { eraseContact } from '../erase/erase';
import { type CampaignCommandDeps, runDistributeCommand, runResultsCommand } from './campaigns';

let org: TestOrg;
beforeEach(() => {
  org = createCampaignOrg();
});
afterEach(() => org.close());

function deps(env: CampaignCommandDeps['env'] = {}) {
  const lines: string[] = [];
  const shown: DistributeProgress[] = [];
  let stopped = false;
  const logger = memoryLogger();
  const value: CampaignCommandDeps = {
    env,
    logger,
    print: (line) => lines.push(line),
    clock: org.clock.now,
    client: org.client,
    progress: { update: (p) => shown.push(p), stop: () => (stopped = true) },
  };
  return { value, lines, shown, logger, stopped: () => stopped };
}

describe('ideario distribute and ideario results', () => {
  it('distributes with progress, prints the counts, then prints the results', async () => {
    const ids = await createContacts(org.client, 40, (i) =>
      i < 4 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const target = await createList(org.client, 'Target', ids);
    const spring = await createCampaign(org.client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      controlPercent: 25,
      scheduledStart: '2026-03-10T09:00:00Z',
    });

    const dry = deps();
    expect(await runDistributeCommand(spring.campaignActivityId, { dryRun: true }, dry.value)).toBe(0);
    expect(dry.lines[0]).toBe(
      `Would distribute campaign activity ${spring.campaignActivityId} (email): 40 targeted, 27 to create, 0 postponed, 13 not contacted (no consent 4, control group 9).`,
    );

    const run = deps();
    expect(await runDistributeCommand(spring.campaignActivityId, { dryRun: false }, run.value)).toBe(0);
    expect(run.lines).toEqual([
      `Distributed campaign activity ${spring.campaignActivityId} (email): 40 targeted, 27 created, 0 postponed, 13 not contacted (no consent 4, control group 9).`,
      'Per day: 2026-03-10 27.',
    ]);
    expect(run.shown.at(-1)).toEqual({ phase: 'exclusions', done: 13, total: 13 });
    expect(run.stopped()).toBe(true);

    const results = deps();
    expect(await runResultsCommand(spring.campaignId, {}, results.value)).toBe(0);
    expect(results.lines).toEqual([
      'Campaign "Spring offer" (1 campaign activity)',
      '  targeted: 40; contacted: 27; control group: 9',
      '  excluded: no consent for the channel 4',
      '  responses: 0 (responders: 0 contacted, 0 control, 0 other)',
      '  response rate: contacted 0.0 %, control 0.0 %',
      '  uplift: +0.0 points (95 % CI 0.0 to 0.0); ratio: needs a response in both groups',
      '  orders attributed (30 days after sending): contacted 0 worth 0.00, control 0 worth 0.00',
      '  revenue per contact: contacted 0.00, control 0.00; uplift +0.00 per contact',
    ]);
  });

  it('keeps the results it prints on the campaign row, for the Marketing app', async () => {
    const { client } = org;
    const ids = await createContacts(client, 40);
    const target = await createList(client, 'Target', ids);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      controlPercent: 25,
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    expect(await runDistributeCommand(spring.campaignActivityId, { dryRun: false }, deps().value)).toBe(0);
    const contacted = [...(await recipients(client, 'email', spring.campaignActivityId)).keys()];
    const control = ids.filter((id) => !contacted.includes(id));
    expect([contacted.length, control.length]).toEqual([30, 10]);
    const i = idr_interaction.columns;
    let n = 0;
    const event = (contactId: string, eventType: number, extra: EntityRecord = {}) =>
      client.create(idr_interaction.entitySetName, {
        [i.idr_name]: `Event ${++n}`,
        [i.idr_source]: 'esp',
        [i.idr_externalid]: `evt-${n}`,
        [i.idr_eventtype]: eventType,
        [i.idr_occurredon]: '2026-03-12T10:00:00Z',
        [bind(i.idr_contact)]: recordUrl(contact.entitySetName, contactId),
        ...extra,
      });
    const fromCampaign = { [bind(i.idr_campaign)]: recordUrl(campaign.entitySetName, spring.campaignId) };
    for (const id of contacted.slice(0, 9)) await event(id, EventType.EmailClick, fromCampaign);
    await event(control[0], EventType.WebVisit, fromCampaign);
    const spa = await client.create(idr_offer.entitySetName, {
      [idr_offer.columns.idr_name]: 'Spa weekend',
      [idr_offer.columns.idr_code]: 'SPA',
      [idr_offer.columns.idr_value]: 500,
    });
    await event(contacted[0], EventType.OrderConfirmed, {
      [bind(i.idr_offer)]: recordUrl(idr_offer.entitySetName, spa),
    });

    const results = deps();
    expect(await runResultsCommand(spring.campaignId, {}, results.value)).toBe(0);
    expect(results.lines).toContain('  response rate: contacted 30.0 %, control 10.0 %');
    const k = campaign.columns;
    const row = await storedCampaignResults(client, spring.campaignId);
    expect(row).toMatchObject({
      [k.idr_contacted]: 30,
      [k.idr_responses]: 10,
      [k.idr_responserate]: 30,
      [k.idr_controlresponserate]: 10,
      [k.idr_uplift]: 20,
      [k.idr_attributedrevenue]: 500,
      [k.idr_resultson]: org.clock
        .now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z'),
    });
  });

  it('prints the results in Spanish with IDEARIO_LANGUAGE=es or --lang es, numbers as es-ES writes them', async () => {
    const ids = await createContacts(org.client, 20, (i) =>
      i < 2 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const target = await createList(org.client, 'Objetivo', ids);
    const autumn = await createCampaign(org.client, {
      name: 'Oferta de otoño',
      channel: 'email',
      listIds: [target],
      controlPercent: 25,
      scheduledStart: '2026-09-10T09:00:00Z',
    });
    expect(await runDistributeCommand(autumn.campaignActivityId, { dryRun: false }, deps().value)).toBe(0);

    const byEnv = deps({ IDEARIO_LANGUAGE: 'es' });
    expect(await runResultsCommand(autumn.campaignId, {}, byEnv.value)).toBe(0);
    expect(byEnv.lines).toEqual([
      'Campaña "Oferta de otoño" (1 actividad de campaña)',
      expect.stringMatching(/^ {2}objetivo: 20; contactados: \d+; grupo de control: \d+$/),
      '  excluidos: sin consentimiento para el canal 2',
      '  respuestas: 0 (respondieron: 0 contactados, 0 de control, 0 otros)',
      '  tasa de respuesta: contactados 0,0 %, control 0,0 %',
      '  incremento (uplift): +0,0 puntos (IC 95 % 0,0 a 0,0); razón: necesita una respuesta en ambos grupos',
      '  pedidos atribuidos (30 días tras el envío): contactados 0 por 0,00, control 0 por 0,00',
      '  ingresos por contacto: contactados 0,00, control 0,00; incremento +0,00 por contacto',
    ]);

    // The flag wins over the environment, both ways.
    const byFlag = deps();
    expect(await runResultsCommand(autumn.campaignId, { lang: 'es' }, byFlag.value)).toBe(0);
    expect(byFlag.lines).toEqual(byEnv.lines);
    const english = deps({ IDEARIO_LANGUAGE: 'es' });
    expect(await runResultsCommand(autumn.campaignId, { lang: 'en' }, english.value)).toBe(0);
    expect(english.lines[0]).toBe('Campaign "Oferta de otoño" (1 campaign activity)');
  });

  it('says which record is missing, with exit code 1', async () => {
    const run = deps();
    const missing = '00000000-0000-0000-0000-0000000000aa';
    expect(await runDistributeCommand(missing, { dryRun: false }, run.value)).toBe(1);
    expect(run.logger.lines.join('\n')).toContain(`distribute failed: No campaignactivity ${missing}`);
    expect(await runResultsCommand(missing, {}, run.value)).toBe(1);
    expect(run.logger.lines.join('\n')).toContain(`results failed: No campaign ${missing}`);
  });
});

describe('erased contacts in ideario results and the exclusions chart', () => {
  const CAMPAIGN_RESULTS_DASHBOARD = '17382642-c632-48f1-9df2-694c0e88e8c1';

  it('count the same: an erased contact left out of two activities is counted as nobody by either', async () => {
    const c = contact.columns;
    // 0–2 take neither bulk email nor calls: each is left out of both activities; the rest take both.
    const ids = await createContacts(org.client, 10, (i) => ({
      [c.donotbulkemail]: i <= 2,
      [c.donotphone]: i <= 2,
    }));
    const target = await createList(org.client, 'Everyone', ids);
    const spring = await createCampaign(org.client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    const calls = await addCampaignActivity(org.client, spring.campaignId, {
      name: 'Spring offer calls',
      channel: 'phone',
      listIds: [target],
      scheduledStart: '2026-03-11T10:00:00Z',
    });
    expect(await runDistributeCommand(spring.campaignActivityId, { dryRun: false }, deps().value)).toBe(0);
    expect(await runDistributeCommand(calls, { dryRun: false }, deps().value)).toBe(0);
    const logger = memoryLogger();
    await eraseContact(ids[0], { dryRun: false }, { client: org.client, clock: org.clock.now, logger });

    const chart = dashboardChart(org.engine, CAMPAIGN_RESULTS_DASHBOARD, 'Exclusions by Reason per Campaign');
    const figures = Object.fromEntries(chart.categories.map((k, i) => [k.key, chart.series[0]?.values[i]]));
    const noConsent = figures[`${spring.campaignId} · ${ExclusionReason.NoConsentForTheChannel}`];
    expect(noConsent).toBe(2);

    const results = deps();
    expect(await runResultsCommand(spring.campaignId, {}, results.value)).toBe(0);
    expect(results.lines).toContain(`  excluded: no consent for the channel ${noConsent}`);
    expect(results.lines).toContain('  targeted: 9; contacted: 7; control group: 0');
    // Its two rows stay, without the person, and the report says they are counted nowhere.
    expect(results.lines).toContain('  exclusion rows of erased contacts (not counted as people): 2');
  });
});
