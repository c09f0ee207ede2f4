/**
 * The Contact Policy form as a marketing admin meets it: Contact Policies in the Marketing app's site
 * map, the demo's policy opened from its view with the Web API's caps, a cap changed and saved, and the
 * same form in Spanish with lang=3082.
 */
import type { Page } from 'playwright-core';
import { idr_contactpolicy } from '../dataverse/generated';
import {
  formReady,
  mainUrl,
  MARKETING_APP,
  pagePerTest,
  screenshot,
  seriousViolations,
  webApi,
} from './browser.testkit';

const P = idr_contactpolicy.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

let page: Page;

pagePerTest({ page: (p) => (page = p) });

async function demoPolicy(): Promise<Record<string, unknown>> {
  const found = await webApi<{ value: Record<string, unknown>[] }>(
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
