/**
 * The Target Builder on the Ideario Marketing List form, as a marketer meets it in the Marketing app:
 * a concept and its minimum give a count equal to `ideario target --count` for the same conditions,
 * Save keeps the query on the list, and reopening the list shows the conditions again, in English and
 * Spanish; axe-clean.
 */
import type { Locator, Page } from 'playwright-core';
import {
  contact,
  idr_interestprofile,
  idr_marketingconcept,
  idr_offer,
  idr_offerscore,
  type idr_marketingconceptRecord,
  list,
} from '../dataverse/generated';
import { createNodeClient } from '../dataverse/adapters/node-client';
import { parseTargetFetchXml } from '../dataverse/queries/target';
import { countTarget } from '../plugins/handlers/campaigns/target';
import { LOCAL_TOKEN } from '../tools/emulator/demo/extension';
import {
  baseUrl,
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
const MC = idr_marketingconcept.columns;
const P = idr_interestprofile.columns;
const MIN_SCORE = 1;

let page: Page;

pagePerTest({ page: (p) => (page = p) });

const builder = (): Locator => page.locator('[data-control-name="Ideario.TargetBuilder"]');

it('builds a target on a marketing list: the count of ideario target, saved and shown again', async () => {
  // The concept of the demo's highest stored score, so the target is not empty.
  const [top] = (
    await webApi<Rows>(
      `${idr_interestprofile.entitySetName}?$select=_${P.idr_concept}_value&$filter=${P.idr_score} gt ${MIN_SCORE}&$orderby=${P.idr_score} desc&$top=1`,
    )
  ).value;
  const concept = await webApi<idr_marketingconceptRecord>(
    `${idr_marketingconcept.entitySetName}(${String(top?.[`_${P.idr_concept}_value`])})?$select=${MC.idr_name},${MC.idr_code},${MC.idr_halflifedays}`,
  );
  const conceptId = concept.idr_marketingconceptid ?? '';
  const name = concept.idr_name ?? '';
  const created = await fetch(`${baseUrl()}/api/data/v9.2/${list.entitySetName}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      [L.listname]: 'Zz E2E target from interests',
      [L.type]: true,
      [L.createdfromcode]: list.choices.createdfromcode.Contact,
    }),
  });
  const listId = /\(([0-9a-f-]{36})\)/.exec(created.headers.get('OData-EntityId') ?? '')?.[1] ?? '';
  expect(created.ok).toBe(true);

  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: list.logicalName, id: listId }),
  );
  await formReady(page);
  await builder().getByRole('button', { name: 'Add a concept' }).click();
  await builder().getByLabel('Concept 1', { exact: true }).selectOption({ label: name });
  await builder().getByLabel('Minimum score today for concept 1').fill(String(MIN_SCORE));
  const count = builder()
    .getByRole('status')
    .filter({ hasText: /match(es)? today/ });
  const shown = Number(
    (/([\d,]+) contacts? match/.exec((await count.textContent()) ?? '')?.[1] ?? '').replace(/,/g, ''),
  );

  const client = createNodeClient({ url: baseUrl(), getToken: () => Promise.resolve(LOCAL_TOKEN) });
  const cli = await countTarget(
    { client, clock: () => new Date() },
    { concepts: [{ concept: concept.idr_code ?? name, minScore: MIN_SCORE }] },
  );
  expect(shown).toBe(cli.contactIds.length);
  expect(shown).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const stored = await webApi(`${list.entitySetName}(${listId})?$select=${L.query}`);
  const halfLives = new Map([[conceptId, concept.idr_halflifedays ?? 90]]);
  expect(parseTargetFetchXml(String(stored[L.query]), halfLives)?.concepts).toEqual([
    { conceptId, minScore: MIN_SCORE, halfLifeDays: halfLives.get(conceptId) },
  ]);

  await page.reload();
  await formReady(page);
  await expect(builder().getByLabel('Concept 1', { exact: true }).inputValue()).resolves.toBe(conceptId);
  await expect(builder().getByLabel('Minimum score today for concept 1').inputValue()).resolves.toBe(
    String(MIN_SCORE),
  );
  await builder()
    .getByRole('status')
    .filter({ hasText: `${shown.toLocaleString('en-US')} contact` })
    .waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'list-target-builder')).toBeGreaterThan(20);

  // In Spanish: the same conditions under the resx's Spanish labels.
  await page.goto(
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entityrecord',
      etn: list.logicalName,
      id: listId,
      lang: '3082',
    }),
  );
  await formReady(page);
  await expect(builder().getByLabel('Concepto 1', { exact: true }).inputValue()).resolves.toBe(conceptId);
  await builder()
    .getByRole('status')
    .filter({ hasText: /cumplen? hoy/ })
    .waitFor();
});

it('picks a segment by typing part of its name, keeps it as a tag, and removes it with the keyboard', async () => {
  const [concept] = (
    await webApi<Rows>(
      `${idr_marketingconcept.entitySetName}?$select=${MC.idr_name},${MC.idr_halflifedays}&$filter=statecode eq 0&$orderby=${MC.idr_name}&$top=1`,
    )
  ).value;
  const conceptId = String(concept?.[MC.idr_marketingconceptid]);
  const name = String(concept?.[MC.idr_name]);
  const created = await fetch(`${baseUrl()}/api/data/v9.2/${list.entitySetName}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      [L.listname]: 'Zz E2E target by segment',
      [L.type]: true,
      [L.createdfromcode]: list.choices.createdfromcode.Contact,
    }),
  });
  const listId = /\(([0-9a-f-]{36})\)/.exec(created.headers.get('OData-EntityId') ?? '')?.[1] ?? '';
  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: list.logicalName, id: listId }),
  );
  await formReady(page);

  const segments = builder().getByRole('combobox', { name: 'In the segment of (any of)' });
  await segments.click();
  await segments.fill(name.slice(1, 6).toLowerCase());
  await page.getByRole('menuitemcheckbox', { name, exact: true }).click();
  await segments.press('Escape');
  const tags = builder().getByRole('toolbar', { name: 'Chosen for In the segment of (any of)' });
  await tags.getByRole('button', { name: new RegExp(`^${name}`) }).waitFor();
  await builder()
    .getByRole('status')
    .filter({ hasText: /match(es)? today/ })
    .waitFor();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const stored = await webApi(`${list.entitySetName}(${listId})?$select=${L.query}`);
  const halfLives = new Map([[conceptId, Number(concept?.[MC.idr_halflifedays] ?? 90)]]);
  expect(parseTargetFetchXml(String(stored[L.query]), halfLives)?.segmentConceptIds).toEqual([conceptId]);

  await page.reload();
  await formReady(page);
  const tag = tags.getByRole('button', { name: new RegExp(`^${name}`) });
  await tag.focus();
  await tag.press('Delete');
  await expect(tags.count()).resolves.toBe(0);
  await builder()
    .getByText(/No condition/)
    .waitFor();
});

async function createRecord(entitySet: string, data: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${baseUrl()}/api/data/v9.2/${entitySet}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(data),
  });
  const id = /\(([0-9a-f-]{36})\)/.exec(response.headers.get('OData-EntityId') ?? '')?.[1];
  if (!response.ok || !id) throw new Error(`POST ${entitySet}: ${response.status} ${await response.text()}`);
  return id;
}

it('keeps about the N most likely to buy an offer: a minimum propensity, shown again on reopening', async () => {
  // Three demo contacts scored for a new offer: 0.9, then two at 0.6 (a tie at the cut).
  const people = (
    await webApi<Rows>(
      `${contact.entitySetName}?$select=${contact.columns.contactid}&$filter=statecode eq 0&$top=3`,
    )
  ).value.map((r) => String(r[contact.columns.contactid]));
  const offerId = await createRecord(idr_offer.entitySetName, {
    [idr_offer.columns.idr_name]: 'Zz E2E most likely offer',
    [idr_offer.columns.idr_code]: 'ZZ-E2E-LIKELY',
  });
  for (const [i, who] of people.entries())
    await createRecord(idr_offerscore.entitySetName, {
      [idr_offerscore.columns.idr_name]: 'E2E score',
      [idr_offerscore.columns.idr_propensity]: i === 0 ? 0.9 : 0.6,
      [idr_offerscore.columns.idr_scoredon]: new Date().toISOString(),
      'idr_contact@odata.bind': `/${contact.entitySetName}(${who})`,
      'idr_offer@odata.bind': `/${idr_offer.entitySetName}(${offerId})`,
    });
  const listId = await createRecord(list.entitySetName, {
    [L.listname]: 'Zz E2E most likely',
    [L.type]: true,
    [L.createdfromcode]: list.choices.createdfromcode.Contact,
  });

  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: list.logicalName, id: listId }),
  );
  await formReady(page);
  await builder().getByLabel('Offer', { exact: true }).selectOption({ label: 'Zz E2E most likely offer' });
  await builder().getByLabel('Keep about the … most likely').fill('2');
  await builder()
    .getByText(/The 2 most likely reach down to a propensity of 0\.600/)
    .waitFor();
  await builder().getByRole('status').filter({ hasText: '3 contacts match today' }).waitFor();
  await expect(builder().getByLabel('Minimum propensity (0 to 1)').inputValue()).resolves.toBe('0.6');
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const stored = await webApi(`${list.entitySetName}(${listId})?$select=${L.query}`);
  expect(parseTargetFetchXml(String(stored[L.query]), new Map())?.offer).toEqual({
    offerId,
    minPropensity: 0.6,
  });

  await page.goto(
    mainUrl({
      appid: MARKETING_APP,
      pagetype: 'entityrecord',
      etn: list.logicalName,
      id: listId,
      lang: '3082',
    }),
  );
  await formReady(page);
  await expect(builder().getByLabel('Oferta', { exact: true }).inputValue()).resolves.toBe(offerId);
  await expect(builder().getByLabel('Propensión mínima (de 0 a 1)').inputValue()).resolves.toBe('0,6');
  await builder()
    .getByText(/La lista guarda una propensión mínima/)
    .waitFor();
  await builder().getByRole('status').filter({ hasText: '3 contactos cumplen hoy' }).waitFor();
});
