/**
 * The Campaign Results dashboard of the Marketing app over the demo campaign: its charts hold the
 * figures `ideario results` reads for the same data (responses, contacts left out by reason).
 */
import {
  campaign,
  campaignactivity,
  contact,
  ExclusionReason,
  idr_offer,
} from '../../../dataverse/generated';
import { memoryLogger } from '../../../dataverse/logger';
import { createCampaignOrg, createContacts } from '../../../plugins/handlers/campaigns/campaign.testkit';
import { REASON_CHOICES } from '../../../plugins/handlers/campaigns/distribute';
import { CHANNEL_TABLES } from '../../../plugins/handlers/campaigns/read';
import { lookupValue } from '../../../plugins/handlers/interests/records';
import { readCampaignResults } from '../../../plugins/handlers/campaigns/results';
import { DEMO_CAMPAIGN_ID, loadCampaignDemo } from '../demo/campaign';
import type { TestOrg } from '../testing';
import { appModuleId } from './apps';
import { escapeHtml } from './html';
import { renderMain } from './shell';
import { dashboardChart } from './dashboard.testkit';

const MARKETING = appModuleId('idr_IdearioMarketing');
const DASHBOARD = '17382642-c632-48f1-9df2-694c0e88e8c1';

let org: TestOrg;
beforeAll(async () => {
  org = createCampaignOrg(new Date('2026-03-20T08:00:00Z'));
  await createContacts(org.client, 120, (i) =>
    i % 20 === 0 ? { [contact.columns.donotbulkemail]: true } : {},
  );
  await org.client.create(idr_offer.entitySetName, {
    [idr_offer.columns.idr_name]: 'Spa weekend',
    [idr_offer.columns.idr_code]: 'SPA',
  });
  const loaded = await loadCampaignDemo(org.client, {
    now: org.clock.now(),
    seed: 7,
    logger: memoryLogger(),
  });
  expect(loaded?.responses).toBeGreaterThan(0);
}, 120_000);
afterAll(() => org.close());

const chartOf = (name: string, lang: 1033 | 3082 = 1033) => dashboardChart(org.engine, DASHBOARD, name, lang);

function page(lang: 1033 | 3082 = 1033): string {
  const params = new URLSearchParams({ appid: MARKETING, pagetype: 'dashboard', id: DASHBOARD });
  const answer = renderMain(org.engine, { params, lang }, '/api/data/v9.2/');
  if (answer.kind !== 'html') throw new Error('expected a page');
  return answer.body;
}

const ACTIVITY_CHART = 'Response Rate per Campaign Activity: Contacted and Control';

function campaignPage(id: string, lang: 1033 | 3082 = 1033): string {
  const params = new URLSearchParams({
    appid: MARKETING,
    pagetype: 'entityrecord',
    etn: campaign.logicalName,
    id,
  });
  const answer = renderMain(org.engine, { params, lang }, '/api/data/v9.2/');
  if (answer.kind !== 'html') throw new Error('expected a page');
  return answer.body;
}

/**
 * The figures of the Campaign form's activity chart as its "Show the figures as a table" holds them:
 * category label → [contacted rate, control rate], as written on the page.
 */
function campaignFormChart(id: string): Map<string, string[]> {
  const html = campaignPage(id);
  expect(html).toContain(`aria-label="${ACTIVITY_CHART}"`);
  const table = new RegExp(`<caption>${ACTIVITY_CHART}</caption>([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  const rows = [...table.matchAll(/<th scope="row">([^<]*)<\/th>((?:<td class="n">[^<]*<\/td>)*)/g)];
  return new Map(
    rows.map((row) => [
      row[1] ?? '',
      [...(row[2] ?? '').matchAll(/<td class="n">([^<]*)<\/td>/g)].map((c) => c[1] ?? ''),
    ]),
  );
}

/** A rate as the chart writes it: the percentage with at most two decimals. */
function shownPercent(rate: number | undefined): string {
  return (Math.round((rate ?? NaN) * 10_000) / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

describe('the Campaign Results charts and ideario results, over the demo campaign', () => {
  it('counts the responses of the demo campaign as ideario results does', async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const chart = chartOf('Responses per Campaign');
    const i = chart.categories.findIndex((c) => c.key === DEMO_CAMPAIGN_ID);
    expect(chart.categories[i]?.label).toBe(report.name);
    expect(chart.series[0]?.values[i]).toBe(report.responses);
  });

  it('shows the response rates of the contacted and of the control group that ideario results prints', async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const chart = chartOf('Response Rate per Campaign: Contacted and Control');
    const i = chart.categories.findIndex((c) => c.label === report.name);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(report.control.size).toBeGreaterThan(0);
    const percent = (rate: number | undefined) => Math.round((rate ?? NaN) * 10_000) / 100;
    expect(chart.series.map((s) => s.values[i])).toEqual([
      percent(report.targetRate),
      percent(report.controlRate),
    ]);
    expect(chartOf('Response Rate per Campaign: Contacted and Control', 3082).title).toBe(
      'Tasa de respuesta por campaña: contactados y control',
    );
    expect(page()).toContain('aria-label="Response Rate per Campaign: Contacted and Control"');
    expect(page(3082)).toContain('aria-label="Tasa de respuesta por campaña: contactados y control"');
    // The campaign row keeps the uplift and the revenue too, for the Ideario Campaign Results view.
    const k = campaign.columns;
    const row = await org.client.retrieve(campaign.entitySetName, DEMO_CAMPAIGN_ID, [
      k.idr_uplift,
      k.idr_attributedrevenue,
    ]);
    expect(row?.[k.idr_uplift]).toBe(percent(report.uplift?.difference.value));
    expect(row?.[k.idr_attributedrevenue]).toBe(Math.round(report.attribution.target.revenue * 100) / 100);
  });

  it("shows each campaign activity's response rates, contacted and control, on its own campaign's form as ideario results prints them", async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const figures = campaignFormChart(DEMO_CAMPAIGN_ID);
    expect(report.activities.length).toBeGreaterThan(0);
    expect(figures.size).toBe(report.activities.length);
    for (const activity of report.activities)
      expect(figures.get(escapeHtml(activity.name))).toEqual([
        shownPercent(activity.targetRate),
        shownPercent(activity.controlRate),
      ]);
    expect(report.activities.some((a) => a.control.size > 0)).toBe(true);
    const es = campaignPage(DEMO_CAMPAIGN_ID, 3082);
    expect(es).toContain('aria-label="Tasa de respuesta por actividad de campaña: contactados y control"');
    expect(es).toContain('Resultados de las actividades de campaña');
    // Across campaigns the chart grouped by subject would merge activities: it is not on the dashboard.
    expect(page()).not.toContain(ACTIVITY_CHART);
  });

  it('counts the contacts left out by reason as ideario results does, the control group included', async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const chart = chartOf('Exclusions by Reason per Campaign');
    const reasonOf = new Map(
      Object.entries(REASON_CHOICES).map(([reason, value]) => [String(value), reason]),
    );
    const fromChart: Record<string, number | undefined> = {};
    chart.categories.forEach((c, i) => {
      const [campaignId, reason] = c.key.split(' · ');
      if (campaignId === DEMO_CAMPAIGN_ID)
        fromChart[reasonOf.get(reason ?? '') ?? c.key] = chart.series[0]?.values[i];
    });
    expect(Object.keys(report.excluded).length).toBeGreaterThan(1);
    expect(fromChart).toEqual(report.excluded);
    const control = chart.categories.find(
      (c) => c.key === `${DEMO_CAMPAIGN_ID} · ${ExclusionReason.ControlGroup}`,
    );
    expect(control?.label).toBe(`${report.name} · Control group`);
  });
});

describe('the Ideario Campaign Activity Results view', () => {
  const VIEW = '0a39120b-7378-4d05-a0e7-67ff55da47c6';
  function list(lang: 1033 | 3082 = 1033): string {
    const params = new URLSearchParams({
      appid: MARKETING,
      pagetype: 'entitylist',
      etn: campaignactivity.logicalName,
      viewid: VIEW,
    });
    const answer = renderMain(org.engine, { params, lang }, '/api/data/v9.2/');
    if (answer.kind !== 'html') throw new Error('expected a page');
    return answer.body;
  }
  /** The grid's rows, each as its cells' text. */
  const rows = (html: string) =>
    [
      ...(/<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(/<tr role="row">([\s\S]*?)<\/tr>/g),
    ].map((row) =>
      [...(row[1] ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => (c[1] ?? '').replace(/<[^>]+>/g, '')),
    );

  it('lists the demo campaign activity with the figures ideario results prints for it, in English and Spanish', async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const [activity] = report.activities;
    expect(activity?.control.size).toBeGreaterThan(0);
    const html = list();
    for (const header of [
      'Contacted',
      'Control Group',
      'Responses',
      'Response Rate (%)',
      'Control Response Rate (%)',
      'Uplift (Points)',
      'Results Updated On',
    ])
      expect(html).toContain(`<th scope="col">${header}</th>`);
    const row = rows(html).find((cells) => cells[0] === activity?.name);
    expect(row?.slice(3, 8)).toEqual([
      String(activity?.contacted.size),
      String(activity?.control.size),
      String(activity?.contacted.responders),
      (Math.round((activity?.targetRate ?? NaN) * 10_000) / 100).toFixed(2),
      (Math.round((activity?.controlRate ?? NaN) * 10_000) / 100).toFixed(2),
    ]);
    const es = list(3082);
    expect(es).toContain('Resultados de actividades de campaña de Ideario');
    for (const header of ['Contactados', 'Tasa de respuesta del control (%)', 'Incremento (puntos)'])
      expect(es).toContain(`<th scope="col">${header}</th>`);
  });
});

describe('the Activities Sent per Channel chart', () => {
  /** The emails, phone calls and letters regarding a distributed campaign activity, per its channel. */
  async function activitiesPerChannel(): Promise<Record<string, number>> {
    const A = campaignactivity.columns;
    const distributed = await org.client.retrieveMultiple(campaignactivity.entitySetName, {
      select: [A.activityid, A.channeltypecode],
      filter: `${A.idr_distributedon} ne null`,
    });
    const channelOf = new Map(
      distributed.map((a) => [String(a[A.activityid]), String(a[A.channeltypecode])]),
    );
    const out: Record<string, number> = {};
    for (const { table } of Object.values(CHANNEL_TABLES)) {
      const regarding = lookupValue(table.columns.regardingobjectid);
      const rows = await org.client.retrieveMultiple(table.entitySetName, {
        select: [table.columns.activityid, regarding],
        filter: `${regarding} ne null`,
      });
      for (const row of rows) {
        const channel = channelOf.get(String(row[regarding]));
        if (channel !== undefined) out[channel] = (out[channel] ?? 0) + 1;
      }
    }
    return out;
  }

  it('counts per channel the activities the distribution created, as the Web API holds them', async () => {
    const expected = await activitiesPerChannel();
    expect(Object.values(expected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const chart = chartOf('Activities Sent per Channel');
    expect(Object.fromEntries(chart.categories.map((c, i) => [c.key, chart.series[0]?.values[i]]))).toEqual(
      expected,
    );
    const email = String(campaignactivity.choices.channeltypecode.Email);
    const at = (data: typeof chart) => data.categories.find((c) => c.key === email)?.label;
    expect(expected[email]).toBeGreaterThan(0);
    expect(at(chart)).toBe('Email');
    const es = chartOf('Activities Sent per Channel', 3082);
    expect(es.title).toBe('Actividades enviadas por canal');
    expect(at(es)).toBe('Correo electrónico');
  });

  it('is drawn as a pie, as its presentation description says, each channel with its share', () => {
    const chart = chartOf('Activities Sent per Channel');
    expect(chart.kind).toBe('pie');
    const total = chart.series[0]?.values.reduce((a, b) => a + b, 0) ?? 0;
    const html = page();
    expect(html).toContain('class="chart chart-pie" role="list" aria-label="Activities Sent per Channel"');
    chart.categories.forEach((c, i) => {
      const value = chart.series[0]?.values[i] ?? 0;
      const share = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(
        value / total,
      );
      expect(html).toContain(`>${c.label}: ${value} (${share})<`);
    });
  });
});

describe('the Campaign Results page', () => {
  it('is the Marketing app first page', () => {
    const answer = renderMain(
      org.engine,
      { params: new URLSearchParams({ appid: MARKETING }), lang: 1033 },
      '/',
    );
    expect(answer.kind === 'redirect' ? answer.location : '').toContain(`pagetype=dashboard&id=${DASHBOARD}`);
  });

  it("draws the demo campaign's responses and lists the active campaigns, in English and Spanish", async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const html = page();
    expect(html).toContain('<h1>Campaign Results</h1>');
    expect(html).toContain(`aria-label="${report.name}: Count (Campaign Responses) ${report.responses}"`);
    const list = /data-component="List_ActiveCampaigns">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(list).toContain(report.name);
    const es = page(3082);
    expect(es).toContain('<h1>Resultados de campañas</h1>');
    expect(es).toContain('aria-label="Respuestas por campaña"');
  });
});

describe('the offer and campaign forms of the Marketing app', () => {
  function form(etn: string, id: string, lang: 1033 | 3082 = 1033): string {
    const params = new URLSearchParams({ appid: MARKETING, pagetype: 'entityrecord', etn, id });
    const answer = renderMain(org.engine, { params, lang }, '/api/data/v9.2/');
    if (answer.kind !== 'html') throw new Error('expected a page');
    return answer.body;
  }

  it('shows the offer with its value tiers, arguments in both languages and the model quality read-only', async () => {
    const [offer] = await org.client.retrieveMultiple(idr_offer.entitySetName, {
      select: [idr_offer.columns.idr_offerid],
      top: 1,
    });
    const html = form(idr_offer.logicalName, String(offer?.[idr_offer.columns.idr_offerid]));
    for (const label of ['Eligible Value Tiers', 'Sales Arguments (Spanish)', 'Model Quality', 'Campaign'])
      expect(html).toContain(label);
    const bootstrap = /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(
      html,
    )?.[1];
    const { disabled } = JSON.parse(bootstrap ?? '{}') as { disabled?: string[] };
    expect(disabled).toEqual([idr_offer.columns.idr_modelversion, idr_offer.columns.idr_modelquality]);
    expect(form(idr_offer.logicalName, String(offer?.[idr_offer.columns.idr_offerid]), 3082)).toContain(
      'Argumentos de venta (español)',
    );
  });

  it("shows the campaign's control group, attribution and incompatibility windows", () => {
    const html = form(campaign.logicalName, DEMO_CAMPAIGN_ID);
    for (const label of [
      'Results Measurement',
      'Control Group %',
      'Attribution Window (Days)',
      'Incompatible Within (Days)',
    ])
      expect(html).toContain(label);
  });

  it('shows the results Ideario keeps on the campaign, read-only', () => {
    const html = form(campaign.logicalName, DEMO_CAMPAIGN_ID);
    for (const label of [
      'Campaign Results',
      'Response Rate (%)',
      'Control Response Rate (%)',
      'Uplift (Points)',
    ])
      expect(html).toContain(label);
    const bootstrap = /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(
      html,
    )?.[1];
    const { disabled } = JSON.parse(bootstrap ?? '{}') as { disabled?: string[] };
    const k = campaign.columns;
    expect(disabled).toEqual(
      expect.arrayContaining([k.idr_responserate, k.idr_controlresponserate, k.idr_uplift, k.idr_resultson]),
    );
    expect(form(campaign.logicalName, DEMO_CAMPAIGN_ID, 3082)).toContain('Resultados de la campaña');
  });

  it('opens a campaign activity from its results view on the Ideario form, its results read-only', async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const [activity] = report.activities;
    if (!activity) throw new Error('The demo campaign has no campaign activity.');
    const params = new URLSearchParams({
      appid: MARKETING,
      pagetype: 'entitylist',
      etn: campaignactivity.logicalName,
      viewid: '0a39120b-7378-4d05-a0e7-67ff55da47c6',
    });
    const answer = renderMain(org.engine, { params, lang: 1033 }, '/api/data/v9.2/');
    if (answer.kind !== 'html') throw new Error('expected a page');
    expect(answer.body).toContain(
      `&amp;pagetype=entityrecord&amp;etn=campaignactivity&amp;id=${activity.campaignActivityId}&amp;lang=1033">${activity.name}</a>`,
    );
    const html = form(campaignactivity.logicalName, activity.campaignActivityId);
    for (const label of [
      'Campaign Activity Results',
      'Control Group',
      'Response Rate (%)',
      'Revenue Attributed',
    ])
      expect(html).toContain(label);
    const bootstrap = /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(
      html,
    )?.[1];
    const { disabled } = JSON.parse(bootstrap ?? '{}') as { disabled?: string[] };
    const k = campaignactivity.columns;
    expect(disabled).toEqual(
      expect.arrayContaining([
        k.idr_contacted,
        k.idr_controlcount,
        k.idr_responses,
        k.idr_responserate,
        k.idr_controlresponserate,
        k.idr_uplift,
        k.idr_attributedrevenue,
        k.idr_resultson,
      ]),
    );
    expect(disabled).not.toContain(k.subject);
    const es = form(campaignactivity.logicalName, activity.campaignActivityId, 3082);
    for (const label of ['Resultados de la actividad de campaña', 'Ingresos atribuidos', 'Campaña primaria'])
      expect(es).toContain(label);
  });
});

// Last: it adds a campaign activity the views and charts above would otherwise also show.
describe("the Campaign form's activity response rates chart", () => {
  it("keeps another campaign's activity of the same subject out of the campaign's chart, and shows it on its own", async () => {
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    const [first] = report.activities;
    if (!first) throw new Error('The demo campaign has no campaign activity.');
    const other = await org.client.create(campaign.entitySetName, {
      [campaign.columns.name]: 'Same subject elsewhere',
    });
    const a = campaignactivity.columns;
    await org.client.create(campaignactivity.entitySetName, {
      [a.subject]: first.name,
      [`${a.regardingobjectid}@odata.bind`]: `/${campaign.entitySetName}(${other})`,
      [a.idr_responserate]: 97.5,
      [a.idr_controlresponserate]: 1.25,
      [a.idr_resultson]: org.clock.now().toISOString(),
    });
    expect(campaignFormChart(DEMO_CAMPAIGN_ID).get(escapeHtml(first.name))).toEqual([
      shownPercent(first.targetRate),
      shownPercent(first.controlRate),
    ]);
    expect([...campaignFormChart(other)]).toEqual([[escapeHtml(first.name), ['97.5', '1.25']]]);
  });
});
