/**
 * The Marketing app's admin forms: the Contact Policy (the demo's policy opened from its view with the
 * Web API's caps, a cap changed and saved, in Spanish with lang=3082), an offer's concepts (a new Offer
 * Concept created with two lookups, then listed on the offer's form), and a campaign exclusion opened
 * read-only from its view.
 */
import type { Page } from 'playwright-core';
import {
  idr_contactpolicy,
  idr_exclusion,
  idr_marketingconcept,
  idr_offer,
  idr_offerconcept,
} from '../dataverse/generated';
import {
  formReady,
  mainUrl,
  MARKETING_APP,
  pagePerTest,
  type Rows,
  screenshot,
  seriousViolations,
  webApi,
} from './browser.testkit';

const P = idr_contactpolicy.columns;
const OC = idr_offerconcept.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

let page: Page;

pagePerTest({ page: (p) => (page = p) });

async function demoPolicy(): Promise<Record<string, unknown>> {
  const found = await webApi<Rows>(
    `${idr_contactpolicy.entitySetName}?$select=${[P.idr_name, P.idr_emailperweek, P.idr_callsperday, P.idr_overcapaction].join(',')}&$filter=statecode eq 0`,
  );
  const policy = found.value[0];
  if (!policy) throw new Error('The demo has no active contact policy.');
  return policy;
}

it("opens the demo's contact policy from the site map, shows its caps, and saves a changed cap", async () => {
  const stored = await demoPolicy();
  const id = String(stored[P.idr_contactpolicyid]);
  const weekly = Number(stored[P.idr_emailperweek]);
  await page.goto(mainUrl({ appid: MARKETING_APP }));
  await page.getByRole('link', { name: 'Contact Policies', exact: true }).click();
  await page
    .locator('table.grid tbody')
    .getByRole('link', { name: String(stored[P.idr_name]), exact: true })
    .click();
  await formReady(page);
  await expect(page.getByLabel('Emails per Week', { exact: true }).inputValue()).resolves.toBe(
    String(weekly),
  );
  await expect(page.getByLabel('Call Capacity per Day', { exact: true }).inputValue()).resolves.toBe(
    String(stored[P.idr_callsperday]),
  );
  await expect(
    page.getByLabel('Over Cap', { exact: true }).locator('option:checked').textContent(),
  ).resolves.toBe(stored[`${P.idr_overcapaction}${FORMATTED}`]);
  await expect(
    page.getByRole('heading', { name: 'Emails per contact (empty: no limit)' }).isVisible(),
  ).resolves.toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'contact-policy-form')).toBeGreaterThan(20);

  const field = page.getByLabel('Emails per Week', { exact: true });
  try {
    await field.fill(String(weekly + 1));
    await field.blur();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = await webApi(`${idr_contactpolicy.entitySetName}(${id})?$select=${P.idr_emailperweek}`);
    expect(saved[P.idr_emailperweek]).toBe(weekly + 1);
  } finally {
    // The campaign browser tests read the demo's caps: put them back.
    await webApi(`${idr_contactpolicy.entitySetName}(${id})`, {
      method: 'PATCH',
      body: JSON.stringify({ [P.idr_emailperweek]: weekly }),
    });
  }
});

it('keeps text that is not a number in its field, says so, and saves nothing until it is corrected', async () => {
  const stored = await demoPolicy();
  const id = String(stored[P.idr_contactpolicyid]);
  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: idr_contactpolicy.logicalName, id }),
  );
  await formReady(page);
  const field = page.getByLabel('Emails per Week', { exact: true });
  await field.fill('two');
  await field.blur();
  await formReady(page);
  await expect(field.inputValue()).resolves.toBe('two');
  await expect(page.locator(`#idr-note-${P.idr_emailperweek}`).textContent()).resolves.toBe(
    'Enter a number.',
  );
  await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await formReady(page);
  await expect(page.locator('#idr-form-notifications').textContent()).resolves.toContain(
    'correct the fields that do not hold a number',
  );
  const kept = await webApi(`${idr_contactpolicy.entitySetName}(${id})?$select=${P.idr_emailperweek}`);
  expect(kept[P.idr_emailperweek]).toBe(stored[P.idr_emailperweek]);
  // Corrected, the error goes and the field holds the number again.
  await field.fill(String(stored[P.idr_emailperweek]));
  await field.blur();
  await formReady(page);
  await expect(page.locator(`#idr-note-${P.idr_emailperweek}`).textContent()).resolves.toBe('');
  await expect(page.locator('#idr-form-notifications').textContent()).resolves.toBe('');
});

it('shows the contact policy form in Spanish with lang=3082', async () => {
  const stored = await demoPolicy();
  await page.goto(
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entityrecord',
      etn: idr_contactpolicy.logicalName,
      id: String(stored[P.idr_contactpolicyid]),
      lang: '3082',
    }),
  );
  await formReady(page);
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
  await expect(page.getByLabel('Correos por semana', { exact: true }).inputValue()).resolves.toBe(
    String(stored[P.idr_emailperweek]),
  );
  await expect(
    page.getByRole('heading', { name: 'Capacidad del centro de llamadas' }).isVisible(),
  ).resolves.toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
});

it("creates an offer concept with its two lookups, and the offer's form lists it", async () => {
  const F = idr_offer.columns;
  const M = idr_marketingconcept.columns;
  const offers = await webApi<Rows>(
    `${idr_offer.entitySetName}?$select=${F.idr_name}&$filter=statecode eq 0&$orderby=${F.idr_name}&$top=1`,
  );
  const offer = offers.value[0];
  if (!offer) throw new Error('The demo has no offer.');
  const served = await webApi<Rows>(
    `${idr_offerconcept.entitySetName}?$select=_${OC.idr_concept}_value&$filter=_${OC.idr_offer}_value eq ${String(offer[F.idr_offerid])}`,
  );
  const taken = new Set(served.value.map((r) => r[`_${OC.idr_concept}_value`]));
  const concepts = await webApi<Rows>(
    `${idr_marketingconcept.entitySetName}?$select=${M.idr_name}&$filter=statecode eq 0&$orderby=${M.idr_name} desc`,
  );
  const concept = concepts.value.find((c) => !taken.has(c[M.idr_marketingconceptid]));
  if (!concept) throw new Error('The offer already serves every concept.');

  await page.goto(mainUrl({ appid: MARKETING_APP }));
  await page.getByRole('link', { name: 'Offer Concepts', exact: true }).click();
  await page.getByRole('toolbar').getByRole('link', { name: '+ New' }).click();
  await formReady(page);
  await page
    .getByLabel('Name', { exact: true })
    .fill(`${String(offer[F.idr_name])} · ${String(concept[M.idr_name])}`);
  for (const [labelText, name] of [
    ['Offer', offer[F.idr_name]],
    ['Concept', concept[M.idr_name]],
  ] as const) {
    const field = page.getByLabel(labelText, { exact: true });
    await field.fill(String(name));
    await field.blur();
    await formReady(page);
  }
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  // A new record's first save opens the record's own page, as Dynamics does.
  await page.waitForURL(/[?&]id=/);
  await formReady(page);
  const created = await webApi<Rows>(
    `${idr_offerconcept.entitySetName}?$select=${OC.idr_offerconceptid}&$filter=_${OC.idr_offer}_value eq ${String(offer[F.idr_offerid])} and _${OC.idr_concept}_value eq ${String(concept[M.idr_marketingconceptid])}`,
  );
  expect(created.value).toHaveLength(1);
  try {
    await page.goto(
      mainUrl({
        appid: MARKETING_APP,
        pagetype: 'entityrecord',
        etn: idr_offer.logicalName,
        id: String(offer[F.idr_offerid]),
      }),
    );
    await formReady(page);
    await expect(
      page
        .locator('[data-subgrid="offerconcepts"]')
        .getByText(String(concept[M.idr_name]))
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
  } finally {
    // Offer scores and the campaign browser tests read the demo's offers: leave them as they were.
    await webApi(`${idr_offerconcept.entitySetName}(${String(created.value[0]?.[OC.idr_offerconceptid])})`, {
      method: 'DELETE',
    });
  }
});

it('opens a campaign exclusion from its view, read-only, with its reason', async () => {
  const X = idr_exclusion.columns;
  const rows = await webApi<Rows>(
    `${idr_exclusion.entitySetName}?$select=${X.idr_name},${X.idr_reason}&$top=1`,
  );
  const exclusion = rows.value[0];
  if (!exclusion) throw new Error('The demo has no campaign exclusion.');
  await page.goto(
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entityrecord',
      etn: idr_exclusion.logicalName,
      id: String(exclusion[X.idr_exclusionid]),
    }),
  );
  await formReady(page);
  const reason = page.getByLabel('Reason', { exact: true });
  await expect(reason.locator('option:checked').textContent()).resolves.toBe(
    exclusion[`${X.idr_reason}${FORMATTED}`],
  );
  await expect(reason.isDisabled()).resolves.toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
});
