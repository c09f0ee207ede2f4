/**
 * The app shell as a CRM user meets it in chromium: the apps, the site map, a list from a view (quick
 * find, view picker, paging), a row opening its main form, the Spanish switch, and axe-core on each.
 */
import type { Page } from 'playwright-core';
import {
  contact,
  idr_interaction,
  idr_marketingconcept,
  idr_quotationaction,
  list,
  opportunity,
} from '../dataverse/generated';
import {
  formReady,
  GROUP_SALES_APP,
  mainUrl,
  MARKETING_APP,
  pagePerTest,
  screenshot,
  seriousViolations,
  webApi,
} from './browser.testkit';

const C = contact.columns;
const M = idr_marketingconcept.columns;

let page: Page;

pagePerTest({ page: (p) => (page = p) });

async function firstContact(): Promise<{ id: string; firstname: string; lastname: string }> {
  const found = await webApi<{ value: Record<string, unknown>[] }>(
    `${contact.entitySetName}?$select=${C.firstname},${C.lastname}&$filter=${C.lastname} ne null&$orderby=${C.lastname}&$top=1`,
  );
  const row = found.value[0] ?? {};
  return {
    id: String(row[C.contactid]),
    firstname: String(row[C.firstname]),
    lastname: String(row[C.lastname]),
  };
}

it('lists the apps, and an app opens on its site map with the first page of its navigation', async () => {
  await page.goto(mainUrl({}));
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('link', { name: /Ideario Marketing/ }).click();
  const sitemap = page.getByRole('navigation', { name: 'Site map' });
  await expect(sitemap.getByRole('link').allTextContents()).resolves.toEqual(
    expect.arrayContaining(['Campaign Results', 'Marketing Concepts', 'Contacts']),
  );
  // The site map's first entry is the Campaign Results dashboard.
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Campaign Results');
});

it('shows a view as a grid, searches it with quick find, switches views and opens a row', async () => {
  const concepts = await webApi<{ value: Record<string, unknown>[] }>(
    `${idr_marketingconcept.entitySetName}?$select=${M.idr_name}&$filter=statecode eq 0&$orderby=${M.idr_name}`,
  );
  const names = concepts.value.map((r) => String(r[M.idr_name]));
  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entitylist', etn: idr_marketingconcept.logicalName }),
  );
  const rows = page.locator('table.grid tbody').getByRole('row');
  await expect(rows.count()).resolves.toBe(Math.min(names.length, 50));
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'concept-list')).toBeGreaterThan(20);

  const wanted = names[names.length - 1] ?? '';
  await page.getByLabel('Search this view').fill(wanted);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(rows.count()).resolves.toBe(names.filter((n) => n.startsWith(wanted)).length);
  await expect(rows.first().textContent()).resolves.toContain(wanted);

  await page.getByLabel('Search this view').fill('');
  await page.getByLabel('View', { exact: true }).selectOption({ label: 'Inactive Marketing Concepts' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
    'Inactive Marketing Concepts',
  );

  await page.getByLabel('View', { exact: true }).selectOption({ label: 'Active Concepts' });
  await page.getByRole('button', { name: 'Show' }).click();
  await rows.first().getByRole('link').click();
  await formReady(page);
  await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(names[0]);
});

it('opens a contact from the Contacts list and shows its fields and interactions', async () => {
  const person = await firstContact();
  await page.goto(mainUrl({ appid: MARKETING_APP, pagetype: 'entitylist', etn: contact.logicalName }));
  await page.getByLabel('Search this view').fill(person.lastname);
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('table.grid tbody').getByRole('row').first().getByRole('link').click();
  await formReady(page);
  await expect(page.getByLabel('First Name', { exact: true }).inputValue()).resolves.toBe(person.firstname);
  await expect(page.getByLabel('Last Name', { exact: true }).inputValue()).resolves.toBe(person.lastname);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'contact-form')).toBeGreaterThan(20);
});

it('switches to Spanish: the site map, a list and a form speak Spanish', async () => {
  const person = await firstContact();
  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: contact.logicalName, id: person.id }),
  );
  await formReady(page);
  await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Español' }).click();
  await formReady(page);
  await expect(page.getByLabel('Nombre', { exact: true }).inputValue()).resolves.toBe(person.firstname);
  await expect(page.getByLabel('Apellidos', { exact: true }).inputValue()).resolves.toBe(person.lastname);
  await expect(page.getByRole('button', { name: 'Guardar', exact: true }).isVisible()).resolves.toBe(true);
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');

  // The choice is remembered: the next page, opened without lang=, is in Spanish too.
  await page
    .getByRole('navigation', { name: 'Mapa del sitio' })
    .getByRole('link', { name: 'Conceptos de marketing' })
    .click();
  await expect(page.getByLabel('Buscar en esta vista').isVisible()).resolves.toBe(true);
  await expect(page.locator('table.grid thead').textContent()).resolves.toContain('Nombre');
  expect(await seriousViolations(page)).toEqual([]);
});

it('names the standard tables in Spanish: a new contact form and the marketing lists', async () => {
  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: contact.logicalName, lang: '3082' }),
  );
  await formReady(page);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Nuevo: Contacto');
  await expect(page.title()).resolves.toMatch(/^Contacto · /);
  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entitylist', etn: list.logicalName, lang: '3082' }),
  );
  await expect(page.getByRole('columnheader').first().textContent()).resolves.toBe('Nombre');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
    'Listas de marketing',
  );
});

it("keeps the Contact form's subgrids and their rows inside their section, however narrow the window", async () => {
  const I = idr_interaction.columns;
  const found = await webApi<{ value: Record<string, unknown>[] }>(
    `${idr_interaction.entitySetName}?$select=_${I.idr_contact}_value&$filter=_${I.idr_contact}_value ne null&$top=1`,
  );
  const id = String(found.value[0]?.[`_${I.idr_contact}_value`]);
  for (const width of [1200, 800, 560]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(
      mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: contact.logicalName, id }),
    );
    await formReady(page);
    const interactions = page.locator('[data-subgrid]').filter({ has: page.getByRole('cell') });
    await interactions.first().waitFor();
    for (const grid of await page.locator('[data-subgrid]').all()) {
      const section = await grid.locator('xpath=ancestor::section[1]').boundingBox();
      const shown = await grid.boundingBox();
      if (!section || !shown) throw new Error(`The subgrid is not on display at ${width}px.`);
      expect({
        width,
        left: shown.x >= section.x,
        right: shown.x + shown.width <= section.x + section.width,
      }).toEqual({ width, left: true, right: true });
      // A grid wider than its section scrolls inside it: its last column comes into view within the section.
      const last = grid.getByRole('columnheader').last();
      await last.scrollIntoViewIfNeeded();
      const column = await last.boundingBox();
      if (!column) throw new Error(`The last column is not on display at ${width}px.`);
      expect({ width, inside: column.x + column.width <= section.x + section.width + 0.5 }).toEqual({
        width,
        inside: true,
      });
    }
    // Nothing makes the page scroll sideways.
    const [scrollWidth, innerWidth] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      window.innerWidth,
    ]);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  }
  expect(await screenshot(page, 'contact-form-narrow')).toBeGreaterThan(20);
});

it("shows Dataverse's error when the Web API refuses a save, and keeps what the user typed", async () => {
  const A = idr_quotationaction.columns;
  const deal = await webApi<{ value: Record<string, unknown>[] }>(
    `${opportunity.entitySetName}?$select=name&$top=1`,
  );
  const dealId = String(deal.value[0]?.opportunityid);
  for (const key of ['E2E-KEY-1', 'E2E-KEY-2'])
    await webApi(idr_quotationaction.entitySetName, {
      method: 'POST',
      body: JSON.stringify({
        [A.idr_name]: `Follow-up ${key}`,
        [A.idr_key]: key,
        'idr_opportunity@odata.bind': `/${opportunity.entitySetName}(${dealId})`,
      }),
    });
  const first = await webApi(
    `${idr_quotationaction.entitySetName}(${A.idr_key}='E2E-KEY-1')?$select=${A.idr_key}`,
  );
  const id = String(first[A.idr_quotationactionid]);
  await page.goto(
    mainUrl({ appid: GROUP_SALES_APP, pagetype: 'entityrecord', etn: idr_quotationaction.logicalName, id }),
  );
  await formReady(page);
  const key = page.getByLabel('Action Key', { exact: true });
  await key.fill('E2E-KEY-2');
  await key.blur();
  await formReady(page);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const error = page.getByRole('alert').filter({ hasText: 'The record could not be saved' });
  await error.waitFor();
  await expect(error.textContent()).resolves.toContain('A record with matching key values already exists');
  await expect(error.textContent()).resolves.toContain('Error code: 0x80060892');
  await expect(key.inputValue()).resolves.toBe('E2E-KEY-2');
  const stored = await webApi(`${idr_quotationaction.entitySetName}(${id})?$select=${A.idr_key}`);
  expect(stored[A.idr_key]).toBe('E2E-KEY-1');
});
