/**
 * The Account "Ideario" form as a marketer meets it: from the Accounts list to a demo account whose
 * contacts have interests, its interest roll-up per concept (idr_accountinterest) listed by score as
 * the Web API holds it, its contacts with their primary interest and value tier, axe-clean, and in
 * Spanish with lang=3082.
 */
import type { Page } from 'playwright-core';
import { account, contact, type contactRecord, idr_accountinterest } from '../dataverse/generated';
import {
  formReady,
  mainUrl,
  MARKETING_APP,
  pagePerTest,
  screenshot,
  seriousViolations,
  webApi,
  whenJobsIdle,
} from './browser.testkit';

const A = account.columns;
const R = idr_accountinterest.columns;
const C = contact.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

let page: Page;

pagePerTest({ page: (p) => (page = p) });

/** The demo account with the most interest roll-up rows, and those rows as the Web API holds them, by score. */
async function accountWithInterests(): Promise<{ id: string; name: string; rows: string[][] }> {
  await whenJobsIdle();
  const all = await webApi<{ value: Record<string, unknown>[] }>(
    `${idr_accountinterest.entitySetName}?$select=_${R.idr_account}_value&$filter=statecode eq 0`,
  );
  const counts = new Map<string, number>();
  for (const row of all.value) {
    const id = String(row[`_${R.idr_account}_value`]);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const [id] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [''];
  if (!id) throw new Error('The demo has no account interest rows.');
  const found = await webApi<Record<string, unknown>>(`${account.entitySetName}(${id})?$select=${A.name}`);
  const rows = await webApi<{ value: Record<string, unknown>[] }>(
    `${idr_accountinterest.entitySetName}?$select=_${R.idr_concept}_value,${R.idr_score},${R.idr_contactcount}` +
      `&$filter=_${R.idr_account}_value eq ${id} and statecode eq 0&$orderby=${R.idr_score} desc`,
  );
  return {
    id,
    name: String(found[A.name]),
    rows: rows.value.map((r) => [
      String(r[`_${R.idr_concept}_value${FORMATTED}`]),
      String(r[`${R.idr_score}${FORMATTED}`] ?? r[R.idr_score]),
    ]),
  };
}

/** The account's active contacts as the Web API holds them, by name: name, primary interest, value tier. */
async function contactsOf(accountId: string): Promise<string[][]> {
  const rows = await webApi<{ value: contactRecord[] }>(
    `${contact.entitySetName}?$select=${C.fullname},_${C.idr_primaryinterest}_value,${C.idr_valuetier}` +
      `&$filter=_${C.parentcustomerid}_value eq ${accountId} and statecode eq 0&$orderby=${C.fullname} asc`,
  );
  return rows.value.map((r) => [
    r.fullname ?? '',
    r[`_${C.idr_primaryinterest}_value${FORMATTED}`] ?? '',
    r[`${C.idr_valuetier}${FORMATTED}`] ?? '',
  ]);
}

/** The contacts subgrid's rows as shown: name, primary interest and value tier, top to bottom. */
async function shownContacts(): Promise<string[][]> {
  const rows = page.locator('[data-subgrid="accountcontacts"] tbody').getByRole('row');
  await rows.first().waitFor();
  return Promise.all(
    (await rows.all()).map(async (row) =>
      (await row.getByRole('cell').allTextContents()).slice(0, 3).map((cell) => cell.trim()),
    ),
  );
}

/** The roll-up subgrid's rows as shown: concept and score, top to bottom. */
async function shownInterests(): Promise<string[][]> {
  const rows = page.locator('[data-subgrid="accountinterests"] tbody').getByRole('row');
  await rows.first().waitFor();
  return (await rows.all()).length === 0
    ? []
    : Promise.all(
        (await rows.all()).map(async (row) => {
          const cells = await row.getByRole('cell').allTextContents();
          return [cells[0]?.trim() ?? '', cells[1]?.trim() ?? ''];
        }),
      );
}

it("opens an account from the Accounts list and lists its interests by concept with the Web API's scores", async () => {
  const target = await accountWithInterests();
  expect(target.rows.length).toBeGreaterThan(1);
  await page.goto(mainUrl({ appid: MARKETING_APP, pagetype: 'entitylist', etn: account.logicalName }));
  await page.getByLabel('Search this view').fill(target.name);
  await page.getByRole('button', { name: 'Show' }).click();
  await page
    .locator('table.grid tbody')
    .getByRole('link', { name: target.name, exact: true })
    .first()
    .click();
  await formReady(page);
  await expect(page.getByLabel('Account Name', { exact: true }).inputValue()).resolves.toBe(target.name);
  await expect(page.getByRole('heading', { name: 'Account interests' }).isVisible()).resolves.toBe(true);
  expect(await shownInterests()).toEqual(target.rows.slice(0, 20));
  await expect(page.getByRole('heading', { name: 'Contacts', exact: true }).isVisible()).resolves.toBe(true);
  const contacts = await contactsOf(target.id);
  expect(contacts.length).toBeGreaterThan(0);
  expect(await shownContacts()).toEqual(contacts.slice(0, 20));
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'account-form')).toBeGreaterThan(20);
});

it('shows the account form in Spanish with lang=3082', async () => {
  const target = await accountWithInterests();
  await page.goto(
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entityrecord',
      etn: account.logicalName,
      id: target.id,
      lang: '3082',
    }),
  );
  await formReady(page);
  await expect(page.getByLabel('Nombre de cuenta', { exact: true }).inputValue()).resolves.toBe(target.name);
  await expect(page.getByLabel('Interés principal', { exact: true }).isVisible()).resolves.toBe(true);
  await expect(page.getByRole('heading', { name: 'Intereses de la cuenta' }).isVisible()).resolves.toBe(true);
  const headers = await page
    .locator('[data-subgrid="accountinterests"] thead')
    .getByRole('columnheader')
    .allTextContents();
  expect(headers.slice(0, 3)).toEqual(['Concepto', 'Puntuación', 'Contactos que contribuyen']);
  expect((await shownInterests()).map((r) => r[0])).toEqual(target.rows.slice(0, 20).map((r) => r[0]));
  expect(await seriousViolations(page)).toEqual([]);
});
