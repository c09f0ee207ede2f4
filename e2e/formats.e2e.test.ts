/**
 * Dates, numbers and amounts as a CRM user reads them in chromium: a list in English writes
 * `5/3/2027` and `€8,400.00`, the same list in Spanish `3/5/2027` and `8.400,00 €` (the page's language
 * is the user's personal options); the Opportunity form shows its amounts with the quotation's currency
 * symbol and decimals, and still takes the plain numbers a user types.
 */
import type { Browser, Page } from 'playwright-core';
import { campaign, idr_quotationaction, opportunity, usersettings } from '../dataverse/generated';
import { LOCAL_TOKEN } from '../tools/emulator/demo/extension';
import {
  baseUrl,
  formReady,
  GROUP_SALES_APP,
  MARKETING_APP,
  mainUrl,
  newPage,
  pagePerTest,
  screenshot,
  seriousViolations,
  webApi,
  whenJobsIdle,
} from './browser.testkit';

const O = opportunity.columns;
/** The "All Group Quotations" view: name, agency, phase, arrival date, total, owner. */
const ALL_QUOTATIONS = '25f1600e-2f7a-406b-84e3-0e315354fc09';
const NAME = 'Formatos · Congreso Valencia';

let browser: Browser;
let page: Page;
let id: string;

pagePerTest({ browser: (b) => (browser = b), page: (p) => (page = p) });

beforeAll(async () => {
  // 4 nights × (20 adults × 100 + 2 children × 50) = 8,400 in the base currency (EUR); 30 % deposit 2,520.
  const created = await webApi(`${opportunity.entitySetName}?$select=${O.opportunityid}`, {
    method: 'POST',
    headers: { Prefer: 'return=representation' },
    body: JSON.stringify({
      [O.name]: NAME,
      [O.idr_arrivaldate]: '2027-05-03',
      [O.idr_nights]: 4,
      [O.idr_adults]: 20,
      [O.idr_children]: 2,
      [O.idr_priceperpersonnight]: 100,
      [O.idr_childpricepercent]: 50,
      [O.idr_depositpercent]: 30,
    }),
  });
  id = String(created[O.opportunityid]);
  await whenJobsIdle();
  const stored = await webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_total},${O.idr_deposit}`);
  expect(stored).toMatchObject({ [O.idr_total]: 8400, [O.idr_deposit]: 2520 });
});

afterAll(async () => {
  await webApi(`${opportunity.entitySetName}(${id})`, { method: 'DELETE' });
});

async function openList(lang?: '3082'): Promise<void> {
  await page.goto(
    mainUrl({
      appid: GROUP_SALES_APP,
      pagetype: 'entitylist',
      etn: opportunity.logicalName,
      viewid: ALL_QUOTATIONS,
      search: NAME,
      ...(lang ? { lang } : {}),
    }),
  );
}

async function rowText(): Promise<string> {
  const row = page.getByRole('row').filter({ hasText: NAME });
  await row.first().waitFor();
  return (await row.first().textContent()) ?? '';
}

it('writes a list’s dates and amounts the US way in English and the Spanish way in Spanish', async () => {
  await openList();
  const english = await rowText();
  expect(english).toContain('5/3/2027');
  expect(english).toContain('€8,400.00');
  expect(await screenshot(page, 'formats-list-en')).toBeGreaterThan(20);

  await page.context().close();
  page = await newPage(browser, 3082);
  await openList('3082');
  const spanish = await rowText();
  expect(spanish).toContain('3/5/2027');
  expect(spanish).toContain('8.400,00 €');
  expect(spanish).not.toContain('5/3/2027');
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'formats-list-es')).toBeGreaterThan(20);
});

async function openForm(lang?: '3082'): Promise<void> {
  await page.goto(
    mainUrl({
      appid: GROUP_SALES_APP,
      pagetype: 'entityrecord',
      etn: opportunity.logicalName,
      id,
      ...(lang ? { lang } : {}),
    }),
  );
  await formReady(page);
}

async function typeAmount(label: string, value: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
  await formReady(page);
}

const shown = (label: string) => page.getByLabel(label, { exact: true }).inputValue();

it('shows the Opportunity’s amounts with their currency symbol, and takes a plain number typed', async () => {
  await openForm();
  await page.getByRole('tab', { name: 'Group quotation' }).click();
  await expect(shown('Total')).resolves.toBe('€8,400.00');
  await expect(shown('Deposit')).resolves.toBe('€2,520.00');
  await expect(shown('Price per Person per Night')).resolves.toBe('€100.00');
  // 4 × (20 × 90 + 2 × 45) = 7,560; a 30 % deposit is 2,268.
  await typeAmount('Price per Person per Night', '90');
  await expect(shown('Price per Person per Night')).resolves.toBe('€90.00');
  await expect(shown('Total')).resolves.toBe('€7,560.00');
  await expect(shown('Deposit')).resolves.toBe('€2,268.00');
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'formats-opportunity-en')).toBeGreaterThan(20);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await expect(
    webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_priceperpersonnight},${O.idr_total}`),
  ).resolves.toMatchObject({ [O.idr_priceperpersonnight]: 90, [O.idr_total]: 7560 });
});

it('in Spanish, shows the amounts the Spanish way and reads a decimal comma typed', async () => {
  await page.context().close();
  page = await newPage(browser, 3082);
  await openForm('3082');
  await page.getByRole('tab', { name: 'Cotización de grupo' }).click();
  await expect(shown('Total')).resolves.toBe('7.560,00 €');
  await expect(shown('Precio por persona y noche')).resolves.toBe('90,00 €');
  // 4 × (20 × 92.5 + 2 × 46.25) = 7,770.
  await typeAmount('Precio por persona y noche', '92,5');
  await expect(shown('Precio por persona y noche')).resolves.toBe('92,50 €');
  await expect(shown('Total')).resolves.toBe('7.770,00 €');
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'formats-opportunity-es')).toBeGreaterThan(20);
});

const note = (column: string) => page.locator(`#idr-note-${column}`).textContent();

it('shows a date in the user’s format, keeps text that is not a date with its error, and picks a day from the calendar by keyboard', async () => {
  await page.context().close();
  page = await newPage(browser);
  await openForm();
  await page.getByRole('tab', { name: 'Group quotation' }).click();
  const arrival = page.getByLabel('Arrival Date', { exact: true });
  await expect(arrival.inputValue()).resolves.toBe('5/3/2027');

  await typeAmount('Arrival Date', 'next week');
  await expect(arrival.inputValue()).resolves.toBe('next week');
  await expect(note(O.idr_arrivaldate)).resolves.toBe('Enter a date.');
  await expect(arrival.getAttribute('aria-invalid')).resolves.toBe('true');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await formReady(page);
  await expect(page.locator('#idr-form-notifications').textContent()).resolves.toContain(
    'correct the fields that do not hold a date',
  );
  await expect(
    webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_arrivaldate}`),
  ).resolves.toMatchObject({ [O.idr_arrivaldate]: '2027-05-03' });

  // Typed month first, as an American reads it: 4 May, and the departure follows (4 nights).
  await typeAmount('Arrival Date', '5/4/2027');
  await expect(note(O.idr_arrivaldate)).resolves.toBe('');
  await expect(shown('Departure Date')).resolves.toBe('5/8/2027');

  const button = page.getByRole('button', { name: 'Choose a date: Arrival Date' });
  await button.click();
  const calendar = page.getByRole('dialog', { name: 'Calendar' });
  await expect(calendar.getByRole('heading').textContent()).resolves.toBe('May 2027');
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  await expect(focused()).resolves.toBe('Tuesday, May 4, 2027');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  await expect(focused()).resolves.toBe('Wednesday, May 12, 2027');
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'formats-calendar-en')).toBeGreaterThan(20);
  await page.keyboard.press('Enter');
  await formReady(page);
  await expect(calendar.count()).resolves.toBe(0);
  await expect(button.evaluate((b) => b === document.activeElement)).resolves.toBe(true);
  await expect(arrival.inputValue()).resolves.toBe('5/12/2027');
  await expect(shown('Departure Date')).resolves.toBe('5/16/2027');
  // Escape closes the calendar without changing the field.
  await button.click();
  await page.keyboard.press('PageDown');
  await page.keyboard.press('Escape');
  await expect(calendar.count()).resolves.toBe(0);
  await expect(arrival.inputValue()).resolves.toBe('5/12/2027');

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await expect(
    webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_arrivaldate},${O.idr_departuredate}`),
  ).resolves.toMatchObject({ [O.idr_arrivaldate]: '2027-05-12', [O.idr_departuredate]: '2027-05-16' });
});

it('in Spanish, shows and reads dates day first, with the calendar in Spanish', async () => {
  await page.context().close();
  page = await newPage(browser, 3082);
  await openForm('3082');
  await page.getByRole('tab', { name: 'Cotización de grupo' }).click();
  const arrival = page.getByLabel('Fecha de llegada', { exact: true });
  await expect(arrival.inputValue()).resolves.toBe('12/5/2027');
  await typeAmount('Fecha de llegada', 'la semana que viene');
  await expect(note(O.idr_arrivaldate)).resolves.toBe('Escriba una fecha.');
  await typeAmount('Fecha de llegada', '3/5/2027');
  await expect(note(O.idr_arrivaldate)).resolves.toBe('');
  await page.getByRole('button', { name: 'Elegir una fecha: Fecha de llegada' }).click();
  const calendar = page.getByRole('dialog', { name: 'Calendario' });
  await expect(calendar.getByRole('heading').textContent()).resolves.toBe('mayo de 2027');
  await expect(
    calendar.getByRole('button', { name: 'lunes, 3 de mayo de 2027' }).getAttribute('aria-pressed'),
  ).resolves.toBe('true');
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await formReady(page);
  // Spanish weeks end on Sunday: 9 May.
  await expect(arrival.inputValue()).resolves.toBe('9/5/2027');
  await page.getByRole('button', { name: 'Guardar', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Guardado.' }).waitFor();
  await expect(
    webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_arrivaldate}`),
  ).resolves.toMatchObject({ [O.idr_arrivaldate]: '2027-05-09' });
});

it('shows and reads a date and time in the user’s Dataverse time zone, not the browser’s, and a Date Only one as the day alone', async () => {
  const A = idr_quotationaction.columns;
  const { UserId } = await webApi<{ UserId: string }>('WhoAmI');
  const settings = `${usersettings.entitySetName}(${UserId})`;
  const had = await fetch(`${baseUrl()}/api/data/v9.2/${settings}`, {
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}` },
  }).then((r) => r.ok);
  const zone = (code: number | null) =>
    had
      ? webApi(settings, {
          method: 'PATCH',
          body: JSON.stringify({ [usersettings.columns.timezonecode]: code }),
        })
      : code === null
        ? webApi(settings, { method: 'DELETE' })
        : webApi(usersettings.entitySetName, {
            method: 'POST',
            body: JSON.stringify({
              [usersettings.columns.systemuserid]: UserId,
              [usersettings.columns.timezonecode]: code,
            }),
          });
  await webApi(idr_quotationaction.entitySetName, {
    method: 'POST',
    body: JSON.stringify({
      [A.idr_name]: 'Formatos · hora de Tokio',
      [A.idr_key]: 'E2E-TIMEZONE',
      [A.idr_doneon]: '2027-05-03T08:00:00Z',
      'idr_opportunity@odata.bind': `/${opportunity.entitySetName}(${id})`,
    }),
  });
  const action = await webApi(`${idr_quotationaction.entitySetName}(${A.idr_key}='E2E-TIMEZONE')`);
  const actionId = String(action[A.idr_quotationactionid]);
  const made = await webApi(`${campaign.entitySetName}?$select=${campaign.columns.campaignid}`, {
    method: 'POST',
    headers: { Prefer: 'return=representation' },
    body: JSON.stringify({
      [campaign.columns.name]: 'Formatos · campaña de Tokio',
      [campaign.columns.proposedstart]: '2027-05-02T15:00:00Z',
    }),
  });
  const campaignId = String(made[campaign.columns.campaignid]);
  // Tokyo Standard Time (235): UTC+9 all year, whatever zone the browser runs in.
  await zone(235);
  try {
    await page.goto(
      mainUrl({
        appid: GROUP_SALES_APP,
        pagetype: 'entityrecord',
        etn: idr_quotationaction.logicalName,
        id: actionId,
      }),
    );
    await formReady(page);
    await expect(shown('Done On')).resolves.toBe('5/3/2027 5:00 PM');
    await typeAmount('Done On', '5/3/2027 6:30 PM');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await expect(
      webApi(`${idr_quotationaction.entitySetName}(${actionId})?$select=${A.idr_doneon}`),
    ).resolves.toMatchObject({ [A.idr_doneon]: '2027-05-03T09:30:00Z' });

    // A User Local column formatted "Date Only" (a campaign's Proposed Start) shows the day alone, and a
    // day typed starts at midnight in Tokyo.
    await page.goto(
      mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: campaign.logicalName, id: campaignId }),
    );
    await formReady(page);
    await expect(shown('Proposed Start')).resolves.toBe('5/3/2027');
    await typeAmount('Proposed Start', '5/10/2027');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await expect(
      webApi(`${campaign.entitySetName}(${campaignId})?$select=${campaign.columns.proposedstart}`),
    ).resolves.toMatchObject({ [campaign.columns.proposedstart]: '2027-05-09T15:00:00Z' });
  } finally {
    await zone(null);
    await webApi(`${idr_quotationaction.entitySetName}(${actionId})`, { method: 'DELETE' });
    await webApi(`${campaign.entitySetName}(${campaignId})`, { method: 'DELETE' });
  }
});
