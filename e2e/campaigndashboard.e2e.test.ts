/**
 * The Marketing app as a campaign manager meets it in chromium: it opens on the Campaign Results
 * dashboard, the demo campaign's responses chart and, on the campaign's form, each of its campaign
 * activities' response rates show what the Web API holds, axe-core finds nothing serious, the offer form opens and saves a change, and a
 * campaign activity opens from its results view on a form with its results read-only.
 */
import type { Page } from 'playwright-core';
import {
  campaign,
  campaignactivity,
  campaignresponse,
  email,
  idr_offer,
  letter,
  phonecall,
} from '../dataverse/generated';
import { DEMO_CAMPAIGN_ID } from '../tools/emulator/demo/campaign';
import {
  chartBars,
  formReady,
  mainUrl,
  MARKETING_APP,
  pagePerTest,
  screenshot,
  seriousViolations,
  type Rows,
  webApi,
  whenJobsIdle,
} from './browser.testkit';

const R = campaignresponse.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const F = idr_offer.columns;

let page: Page;

pagePerTest({ page: (p) => (page = p) });

beforeAll(async () => {
  await whenJobsIdle();
});

it("opens the Marketing app on Campaign Results, with the demo campaign's responses", async () => {
  const demo = await webApi<Record<string, unknown>>(
    `${campaign.entitySetName}(${DEMO_CAMPAIGN_ID})?$select=${campaign.columns.name}`,
  );
  const responses = await webApi<Rows>(
    `${campaignresponse.entitySetName}?$select=${R.activityid}&$filter=_${R.regardingobjectid}_value eq ${DEMO_CAMPAIGN_ID}`,
  );
  expect(responses.value.length).toBeGreaterThan(0);

  await page.goto(mainUrl({ appid: MARKETING_APP }));
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Campaign Results');
  expect(await chartBars(page, 'Responses per Campaign')).toContainEqual(
    `${String(demo[campaign.columns.name])}: Count (Campaign Responses) ${responses.value.length}`,
  );
  await page.getByRole('heading', { level: 2, name: 'Exclusions by Reason per Campaign' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Active Campaigns' }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'campaign-results')).toBeGreaterThan(10);
});

it('shows Campaign Results in Spanish', async () => {
  await page.goto(mainUrl({ appid: MARKETING_APP, lang: '3082' }));
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Resultados de campañas');
  expect((await chartBars(page, 'Respuestas por campaña')).length).toBeGreaterThan(0);
  expect(await seriousViolations(page)).toEqual([]);
});

it('opens an offer and saves a new priority', async () => {
  const offers = await webApi<Rows>(
    `${idr_offer.entitySetName}?$select=${F.idr_offerid},${F.idr_priority}&$top=1`,
  );
  const offer = offers.value[0];
  if (!offer) throw new Error('The demo has no offer.');
  const id = String(offer[F.idr_offerid]);
  const priority = Number(offer[F.idr_priority] ?? 0) + 7;

  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: idr_offer.logicalName, id }),
  );
  await formReady(page);
  await expect(page.getByLabel('Model Quality', { exact: true }).isDisabled()).resolves.toBe(true);
  const field = page.getByLabel('Priority', { exact: true });
  await field.fill(String(priority));
  await field.blur();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const stored = await webApi<Record<string, unknown>>(
    `${idr_offer.entitySetName}(${id})?$select=${F.idr_priority}`,
  );
  expect(stored[F.idr_priority]).toBe(priority);
  expect(await seriousViolations(page)).toEqual([]);
});

it('shows the long exclusion labels whole or wrapped inside the chart, the full label in the tooltip', async () => {
  await page.goto(mainUrl({ appid: MARKETING_APP }));
  const bars = await chartBars(page, 'Exclusions by Reason per Campaign');
  expect(bars.length).toBeGreaterThan(1);
  const labels = await page
    .getByRole('list', { name: 'Exclusions by Reason per Campaign' })
    .locator('text.chart-label')
    .evaluateAll((texts) =>
      texts.map((t) => {
        const svg = (t as SVGTextElement).ownerSVGElement?.getBoundingClientRect();
        const box = t.getBoundingClientRect();
        return {
          title: t.querySelector('title')?.textContent ?? '',
          shown: Array.from(t.querySelectorAll('tspan'), (s) => s.textContent ?? '').join(' '),
          inside: svg !== undefined && box.left >= svg.left - 0.5 && box.width > 0,
        };
      }),
    );
  expect(labels.map((l) => l.title)).toEqual(bars.map((b) => b.slice(0, b.lastIndexOf(': Count'))));
  for (const label of labels) {
    expect(label.inside).toBe(true);
    // Shown whole (on one or two lines) or cut with an ellipsis, never cut silently.
    if (!label.shown.endsWith('…'))
      expect(label.shown.replace(/[ ·]/g, '')).toBe(label.title.replace(/[ ·]/g, ''));
  }
});

it('draws the activities the distribution created per channel, as many as the Web API holds', async () => {
  const A = campaignactivity.columns;
  const distributed = await webApi<Rows>(
    `${campaignactivity.entitySetName}?$select=${A.activityid},${A.channeltypecode}&$filter=${A.idr_distributedon} ne null`,
  );
  const channelOf = new Map(
    distributed.value.map((a) => [String(a[A.activityid]), String(a[`${A.channeltypecode}${FORMATTED}`])]),
  );
  const expected = new Map<string, number>();
  for (const table of [email, phonecall, letter]) {
    const regarding = `_${table.columns.regardingobjectid}_value`;
    const rows = await webApi<Rows>(
      `${table.entitySetName}?$select=${regarding}&$filter=${regarding} ne null`,
    );
    for (const row of rows.value) {
      const channel = channelOf.get(String(row[regarding]));
      if (channel !== undefined) expected.set(channel, (expected.get(channel) ?? 0) + 1);
    }
  }
  expect(expected.size).toBeGreaterThan(0);

  await page.goto(mainUrl({ appid: MARKETING_APP }));
  const bars = await chartBars(page, 'Activities Sent per Channel');
  expect(bars.sort()).toEqual([...expected].map(([channel, n]) => `${channel}: Sum: Created ${n}`).sort());
  expect(await seriousViolations(page)).toEqual([]);
});

it("draws each campaign activity's response rates, contacted and control, on its campaign's form as its row keeps them", async () => {
  const A = campaignactivity.columns;
  const regarding = `_${A.regardingobjectid}_value`;
  const activities = await webApi<Rows>(
    `${campaignactivity.entitySetName}?$select=${A.subject},${A.idr_responserate},${A.idr_controlresponserate},${regarding}&$filter=${A.idr_resultson} ne null and ${regarding} eq ${DEMO_CAMPAIGN_ID}`,
  );
  expect(activities.value.length).toBeGreaterThan(0);
  const figure = (v: unknown) => Number(v ?? 0).toLocaleString('en-US', { maximumFractionDigits: 2 });
  const campaignForm = (lang?: '3082') =>
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entityrecord',
      etn: campaign.logicalName,
      id: DEMO_CAMPAIGN_ID,
      ...(lang ? { lang } : {}),
    });

  // Not on the dashboard: across campaigns, activities of the same subject would share a bar.
  await page.goto(mainUrl({ appid: MARKETING_APP }));
  await chartBars(page, 'Responses per Campaign');
  await expect(
    page.getByRole('list', { name: 'Response Rate per Campaign Activity: Contacted and Control' }).count(),
  ).resolves.toBe(0);

  await page.goto(campaignForm());
  await formReady(page);
  const bars = await chartBars(page, 'Response Rate per Campaign Activity: Contacted and Control');
  expect(bars.sort()).toEqual(
    activities.value
      .map(
        (row) =>
          `${String(row[A.subject])}: Average: Response Rate (%) ${figure(row[A.idr_responserate])}, Average: Control Response Rate (%) ${figure(row[A.idr_controlresponserate])}`,
      )
      .sort(),
  );
  expect(await seriousViolations(page)).toEqual([]);
  await page
    .getByRole('list', { name: 'Response Rate per Campaign Activity: Contacted and Control' })
    .scrollIntoViewIfNeeded();
  expect(await screenshot(page, 'campaign-results-activities')).toBeGreaterThan(10);

  await page.goto(campaignForm('3082'));
  await formReady(page);
  expect(
    (await chartBars(page, 'Tasa de respuesta por actividad de campaña: contactados y control')).length,
  ).toBe(bars.length);
  await page
    .getByRole('list', { name: 'Tasa de respuesta por actividad de campaña: contactados y control' })
    .scrollIntoViewIfNeeded();
  expect(await screenshot(page, 'campaign-results-activities-es')).toBeGreaterThan(10);
});

it('opens a campaign activity from the Ideario Campaign Activity Results view, its results read-only', async () => {
  const A = campaignactivity.columns;
  const [row] = (
    await webApi<Rows>(
      `${campaignactivity.entitySetName}?$select=${A.activityid},${A.subject},${A.idr_contacted}&$filter=${A.idr_resultson} ne null&$top=1`,
    )
  ).value;
  if (!row) throw new Error('The demo has no campaign activity with results.');
  const subject = String(row[A.subject]);

  await page.goto(
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entitylist',
      etn: campaignactivity.logicalName,
      viewid: '0a39120b-7378-4d05-a0e7-67ff55da47c6',
    }),
  );
  await page.getByRole('link', { name: subject, exact: true }).first().click();
  await formReady(page);
  expect(new URL(page.url()).searchParams.get('id')).toBe(String(row[A.activityid]));
  await page.getByRole('heading', { level: 2, name: 'Campaign Activity Results' }).waitFor();
  const contacted = page.getByLabel('Contacted', { exact: true });
  await expect(contacted.inputValue()).resolves.toBe(String(row[A.idr_contacted]));
  for (const label of ['Contacted', 'Response Rate (%)', 'Uplift (Points)', 'Revenue Attributed'])
    await expect(page.getByLabel(label, { exact: true }).isDisabled()).resolves.toBe(true);
  await expect(page.getByLabel('Subject', { exact: true }).isDisabled()).resolves.toBe(false);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'campaign-activity-form')).toBeGreaterThan(10);

  await page.goto(
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entityrecord',
      etn: campaignactivity.logicalName,
      id: String(row[A.activityid]),
      lang: '3082',
    }),
  );
  await formReady(page);
  await page.getByRole('heading', { level: 2, name: 'Resultados de la actividad de campaña' }).waitFor();
  await expect(page.getByLabel('Ingresos atribuidos', { exact: true }).isDisabled()).resolves.toBe(true);
  expect(await screenshot(page, 'campaign-activity-form-es')).toBeGreaterThan(10);
});
