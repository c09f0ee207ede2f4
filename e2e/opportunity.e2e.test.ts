/**
 * The Opportunity "Group Quotation" form in chromium: its form library runs against the page's Xrm
 * (OnChange fills the stay and prices, OnSave refuses impossible dates) and Save goes through the Web API.
 */
import type { Browser, Page } from 'playwright-core';
import { idr_roomblock, opportunity } from '../dataverse/generated';
import {
  baseUrl,
  formReady,
  GROUP_SALES_APP,
  mainUrl,
  newPage,
  screenshot,
  seriousViolations,
  webApi,
  whenJobsIdle,
  pagePerTest,
} from './browser.testkit';

const O = opportunity.columns;

let browser: Browser;
let page: Page;
let id: string;

pagePerTest({ browser: (b) => (browser = b), page: (p) => (page = p) });

beforeAll(async () => {
  const found = await webApi<{ value: Record<string, unknown>[] }>(
    `${opportunity.entitySetName}?$select=${O.name}&$filter=${O.idr_arrivaldate} ne null&$orderby=${O.name}&$top=1`,
  );
  id = String(found.value[0]?.[O.opportunityid]);
  // With room blocks the server sets the total from them (an asynchronous step): this test is about the
  // per-person prices the user types, so the quotation's blocks go first and their step runs out.
  const B = idr_roomblock.columns;
  const blocks = await webApi<{ value: Record<string, unknown>[] }>(
    `${idr_roomblock.entitySetName}?$select=${B.idr_roomblockid}&$filter=_${B.idr_opportunity}_value eq ${id}`,
  );
  for (const block of blocks.value)
    await webApi(`${idr_roomblock.entitySetName}(${String(block[B.idr_roomblockid])})`, { method: 'DELETE' });
  await whenJobsIdle();
});

async function openQuotation(): Promise<void> {
  await page.goto(
    mainUrl({ appid: GROUP_SALES_APP, pagetype: 'entityrecord', etn: opportunity.logicalName, id }),
  );
  await formReady(page);
  await page.getByRole('tab', { name: 'Group quotation' }).click();
}

/** Types into a field and leaves it, as a person does; waits for the OnChange handlers to finish. */
async function type(label: string, value: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
  await formReady(page);
}

it('fills departure, persons, total and deposit from what the user types, and reopens with the saved values', async () => {
  await openQuotation();
  await type('Arrival Date', '2027-05-03');
  await type('Nights', '4');
  await type('Adults', '20');
  await type('Children', '2');
  await type('Price per Person per Night', '100');
  await type('Child Price %', '50');
  await type('Deposit %', '30');
  await expect(page.getByLabel('Departure Date', { exact: true }).inputValue()).resolves.toBe('5/7/2027');
  await expect(page.getByLabel('Persons', { exact: true }).inputValue()).resolves.toBe('22');
  // 4 nights × (20 adults × 100 + 2 children × 50) = 8,400; a 30 % deposit is 2,520.
  // Amounts show the quotation's currency (the base currency, EUR) and its decimals.
  await expect(page.getByLabel('Total', { exact: true }).inputValue()).resolves.toBe('€8,400.00');
  await expect(page.getByLabel('Deposit', { exact: true }).inputValue()).resolves.toBe('€2,520.00');
  expect(await screenshot(page, 'opportunity-form')).toBeGreaterThan(20);

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const stored = await webApi(
    `${opportunity.entitySetName}(${id})?$select=${O.idr_arrivaldate},${O.idr_departuredate},${O.idr_total}`,
  );
  expect(stored).toMatchObject({
    [O.idr_arrivaldate]: '2027-05-03',
    [O.idr_departuredate]: '2027-05-07',
    [O.idr_total]: 8400,
  });

  await whenJobsIdle();
  await openQuotation();
  await expect(page.getByLabel('Arrival Date', { exact: true }).inputValue()).resolves.toBe('5/3/2027');
  await expect(page.getByLabel('Nights', { exact: true }).inputValue()).resolves.toBe('4');
  await expect(page.getByLabel('Departure Date', { exact: true }).inputValue()).resolves.toBe('5/7/2027');
  await expect(page.getByLabel('Deposit', { exact: true }).inputValue()).resolves.toBe('€2,520.00');
});

it('shows why a departure before the arrival cannot be saved, and refuses the save', async () => {
  await openQuotation();
  const before = await webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_departuredate}`);
  await type('Arrival Date', '2027-06-10');
  await type('Departure Date', '2027-06-01');
  const message = page.getByRole('alert').filter({ hasText: 'must be after the arrival' });
  await expect(message.first().isVisible()).resolves.toBe(true);

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await formReady(page);
  // The command bar's status (the hosted timeline has a status line of its own).
  await expect(
    page.getByRole('toolbar', { name: 'Commands' }).getByRole('status').textContent(),
  ).resolves.not.toContain('Saved.');
  await page.getByRole('alert').filter({ hasText: 'cannot be saved' }).first().waitFor();
  const after = await webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_departuredate}`);
  expect(after[O.idr_departuredate]).toBe(before[O.idr_departuredate]);
});

it('in Spanish, tells the user in Spanish why the dates cannot be saved, from the RESX web resource', async () => {
  await page.context().close();
  page = await newPage(browser, 3082);
  await page.goto(
    mainUrl({
      appid: GROUP_SALES_APP,
      pagetype: 'entityrecord',
      etn: opportunity.logicalName,
      id,
      lang: '3082',
    }),
  );
  await formReady(page);
  await page.getByRole('tab', { name: 'Cotización de grupo' }).click();
  await type('Fecha de llegada', '2027-06-10');
  await type('Fecha de salida', '2027-06-01');
  await page
    .getByRole('alert')
    .filter({
      hasText: 'La salida (1 de junio de 2027) debe ser posterior a la llegada (10 de junio de 2027).',
    })
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Guardar', exact: true }).click();
  await formReady(page);
  await page.getByRole('alert').filter({ hasText: 'No se puede guardar el presupuesto' }).first().waitFor();
  // The sentence is the RESX web resource's, served where Dataverse serves web resources.
  const resx = await page.request.get(`${baseUrl()}/WebResources/idr_/opportunity/strings.3082.resx`);
  expect(resx.status()).toBe(200);
  await expect(resx.text()).resolves.toContain('debe ser posterior a la llegada ({arrival})');
});

it('changes a lookup by searching for the record by name, and saves it', async () => {
  const before = await webApi(`${opportunity.entitySetName}(${id})?$select=_${O.idr_agency}_value`);
  const agencyId = before[`_${O.idr_agency}_value`];
  const current = typeof agencyId === 'string' ? agencyId : '00000000-0000-0000-0000-000000000000';
  const agencies = await webApi<{ value: Record<string, unknown>[] }>(
    `accounts?$select=name&$filter=name ne null and accountid ne ${current}&$orderby=name desc&$top=1`,
  );
  const agency = agencies.value[0] ?? {};
  await openQuotation();
  const field = page.getByLabel('Agency', { exact: true });
  await field.fill(String(agency.name));
  await field.blur();
  await formReady(page);
  await expect(field.inputValue()).resolves.toBe(String(agency.name));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const stored = await webApi(`${opportunity.entitySetName}(${id})?$select=_${O.idr_agency}_value`);
  expect(stored[`_${O.idr_agency}_value`]).toBe(agency.accountid);
});

it('after a save shows what the server stored; Refresh shows the phase its asynchronous step moved to, and the change on the timeline', async () => {
  const iso = (d: Date) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const today = new Date();
  const arrival = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 60);
  const created = await webApi(opportunity.entitySetName, {
    method: 'POST',
    headers: { Prefer: 'return=representation' },
    body: JSON.stringify({
      [O.name]: 'Zz E2E phase after save',
      [O.idr_arrivaldate]: iso(arrival),
      [O.idr_nights]: 2,
      [O.idr_adults]: 10,
      [O.idr_priceperpersonnight]: 90,
    }),
  });
  const quotation = String(created[O.opportunityid]);
  await whenJobsIdle();
  await page.goto(
    mainUrl({
      appid: GROUP_SALES_APP,
      pagetype: 'entityrecord',
      etn: opportunity.logicalName,
      id: quotation,
    }),
  );
  await formReady(page);
  await page.getByRole('tab', { name: 'Group quotation' }).click();
  const phase = page.getByLabel('Quotation Phase', { exact: true });
  const shownPhase = () => phase.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.text);
  await expect(shownPhase()).resolves.toBe('Request');

  await type('Quotation Sent On', iso(today));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  // The save re-read the record: the field shows the stored date, and nothing is left unsaved.
  await expect(page.getByLabel('Quotation Sent On', { exact: true }).inputValue()).resolves.toBe(
    `${today.getMonth() + 1}/${today.getDate()}/${today.getFullYear()}`,
  );

  // The phase moves in an asynchronous step, as in Dynamics: it shows once the user refreshes.
  await whenJobsIdle();
  await Promise.all([
    page.waitForEvent('load'),
    page.getByRole('button', { name: 'Refresh', exact: true }).click(),
  ]);
  await formReady(page);
  await page.getByRole('tab', { name: 'Group quotation' }).click();
  await expect(shownPhase()).resolves.toBe('Quotation sent');
  const timeline = page.locator('[data-control-name="Ideario.QuotationTimeline"]');
  await expect(timeline.locator('[aria-current="step"]').textContent()).resolves.toContain('Quotation sent');
  // The server recorded the change (when and who): the timeline lists it.
  const changes = timeline.getByRole('list', { name: 'Phase changes' });
  await expect(changes.getByRole('listitem').first().textContent()).resolves.toMatch(
    /^Request → Quotation sent · .+ · by \S/,
  );
});

it('has no serious or critical accessibility violation', async () => {
  await openQuotation();
  expect(await seriousViolations(page)).toEqual([]);
});
