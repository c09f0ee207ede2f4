/**
 * Dates, numbers and amounts as a CRM user reads them in chromium: a list in English writes
 * `5/3/2027` and `€8,400.00`, the same list in Spanish `3/5/2027` and `8.400,00 €` (the page's language
 * is the user's personal options); the Opportunity form shows its amounts with the quotation's currency
 * symbol and decimals, and still takes the plain numbers a user types.
 */
import type { Browser, Page } from 'playwright-core';
import { opportunity } from '../dataverse/generated';
import {
  formReady,
  GROUP_SALES_APP,
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
