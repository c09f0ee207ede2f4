/**
 * Copy to Static on a dynamic marketing list, as a marketer meets it in the Marketing app: the command
 * says it is copying while Dataverse works, then the new static list opens holding the members the query
 * finds now; a list without a query says why it cannot be copied; Spanish labels; axe-clean.
 */
import type { Page } from 'playwright-core';
import { contact, list, listmember } from '../dataverse/generated';
import {
  formReady,
  MARKETING_APP,
  mainUrl,
  pagePerTest,
  type Rows,
  screenshot,
  seriousViolations,
  webApi,
} from './browser.testkit';

const L = list.columns;
const SURNAME = 'Zz E2E Copia';

let page: Page;

pagePerTest({ page: (p) => (page = p) });

async function createList(name: string, query?: string): Promise<string> {
  const created = await webApi<Record<string, unknown>>(list.entitySetName, {
    method: 'POST',
    headers: { Prefer: 'return=representation' },
    body: JSON.stringify({
      [L.listname]: name,
      [L.type]: true,
      [L.createdfromcode]: list.choices.createdfromcode.Contact,
      ...(query ? { [L.query]: query } : {}),
    }),
  });
  return String(created[L.listid]);
}

function listForm(id: string, lang?: '3082'): string {
  return mainUrl({
    appid: MARKETING_APP,
    pagetype: 'entityrecord',
    etn: list.logicalName,
    id,
    ...(lang ? { lang } : {}),
  });
}

it('copies a dynamic list to a new static list and opens it, saying so while it runs', async () => {
  const contacts: string[] = [];
  for (const first of ['Ana', 'Bea']) {
    const row = await webApi<Record<string, unknown>>(contact.entitySetName, {
      method: 'POST',
      headers: { Prefer: 'return=representation' },
      body: JSON.stringify({ [contact.columns.firstname]: first, [contact.columns.lastname]: SURNAME }),
    });
    contacts.push(String(row[contact.columns.contactid]));
  }
  const query = `<fetch><entity name="${contact.logicalName}"><attribute name="${contact.columns.contactid}" /><filter><condition attribute="${contact.columns.lastname}" operator="eq" value="${SURNAME}" /></filter></entity></fetch>`;
  const dynamic = await createList('Zz E2E copy to static', query);

  await page.goto(listForm(dynamic));
  await formReady(page);
  const copy = page.getByRole('button', { name: 'Copy to Static', exact: true });
  // The action is held until the page has said it is running, so the progress is seen, not raced.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/Microsoft.Dynamics.CRM.CopyDynamicListToStatic', async (route) => {
    await held;
    await route.continue();
  });
  await copy.click();
  await page
    .getByRole('status')
    .filter({ hasText: 'Copying the members the query finds now to a new static list…' })
    .waitFor();
  await expect(copy.isDisabled()).resolves.toBe(true);
  release();

  await page.waitForURL((url) => {
    const id = url.searchParams.get('id');
    return id !== null && id !== dynamic;
  });
  await formReady(page);
  const copied = new URL(page.url()).searchParams.get('id') ?? '';
  await expect(page.getByLabel('Type', { exact: true }).inputValue()).resolves.toBe('0');
  await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Zz E2E copy to static');
  await expect(page.getByRole('button', { name: 'Copy to Static' }).count()).resolves.toBe(0);
  const members = await webApi<Rows>(
    `${listmember.entitySetName}?$select=_${listmember.columns.entityid}_value&$filter=_${listmember.columns.listid}_value eq ${copied}`,
  );
  expect(members.value.map((m) => m[`_${listmember.columns.entityid}_value`]).sort()).toEqual(
    [...contacts].sort(),
  );
  expect(await seriousViolations(page)).toEqual([]);
});

it('says why a dynamic list without a query cannot be copied, in English and Spanish', async () => {
  const empty = await createList('Zz E2E no query');
  await page.goto(listForm(empty));
  await formReady(page);
  await page.getByRole('button', { name: 'Copy to Static', exact: true }).click();
  const banner = page
    .locator('#idr-form-notifications .banner.error')
    .filter({ hasText: 'The list could not be copied to a static list:' });
  await banner.waitFor();
  await expect(banner.textContent()).resolves.toContain(
    `marketing list ${empty} is not a dynamic list with a query`,
  );
  await formReady(page);
  expect(new URL(page.url()).searchParams.get('id')).toBe(empty);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'list-copy-to-static-error')).toBeGreaterThan(10);

  await page.goto(listForm(empty, '3082'));
  await formReady(page);
  await page.getByRole('button', { name: 'Copiar en lista estática', exact: true }).click();
  await page
    .locator('#idr-form-notifications .banner.error')
    .filter({ hasText: 'No se pudo copiar la lista en una lista estática:' })
    .waitFor();
});
