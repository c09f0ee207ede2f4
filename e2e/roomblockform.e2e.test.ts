/**
 * The Room Block form as a group sales agent meets it: a demo block opened with the Web API's values;
 * asking for more rooms than the room type has free that night is told on the Rooms field as the user
 * types, and the save is kept back with the reason, in English and in Spanish (lang=3082); axe-clean.
 */
import type { Browser, Page } from 'playwright-core';
import { idr_hotelroomtype, idr_roomblock } from '../dataverse/generated';
import {
  formReady,
  GROUP_SALES_APP,
  mainUrl,
  newPage,
  pagePerTest,
  screenshot,
  seriousViolations,
  webApi,
  type Rows,
} from './browser.testkit';

const B = idr_roomblock.columns;
const T = idr_hotelroomtype.columns;

let browser: Browser;
let page: Page;

pagePerTest({ browser: (b) => (browser = b), page: (p) => (page = p) });

interface Block {
  id: string;
  rooms: number;
  /** Rooms the block's room type has in all. */
  inventory: number;
}

/** A demo block of a live quotation's stay, with its room type's inventory. */
async function demoBlock(): Promise<Block> {
  const rows = await webApi<Rows>(
    `${idr_roomblock.entitySetName}?$select=${B.idr_rooms},_${B.idr_roomtype}_value&$filter=${B.idr_rooms} gt 0 and _${B.idr_roomtype}_value ne null&$orderby=${B.idr_name}&$top=1`,
  );
  const row = rows.value[0];
  if (!row) throw new Error('the demo has no room block');
  const type = await webApi(
    `${idr_hotelroomtype.entitySetName}(${String(row[`_${B.idr_roomtype}_value`])})?$select=${T.idr_rooms}`,
  );
  return {
    id: String(row[B.idr_roomblockid]),
    rooms: Number(row[B.idr_rooms]),
    inventory: Number(type[T.idr_rooms]),
  };
}

async function openBlock(id: string, lang: '1033' | '3082'): Promise<void> {
  await page.goto(
    mainUrl({ appid: GROUP_SALES_APP, pagetype: 'entityrecord', etn: idr_roomblock.logicalName, id, lang }),
  );
  await formReady(page);
}

async function setRooms(label: string, rooms: number): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(String(rooms));
  await field.blur();
  await formReady(page);
}

async function storedRooms(id: string): Promise<number> {
  const row = await webApi(`${idr_roomblock.entitySetName}(${id})?$select=${B.idr_rooms}`);
  return Number(row[B.idr_rooms]);
}

it("shows the block's rooms, tells an overbooking on the Rooms field and keeps it from being saved", async () => {
  const block = await demoBlock();
  await openBlock(block.id, '1033');
  await expect(page.getByLabel('Rooms', { exact: true }).inputValue()).resolves.toBe(String(block.rooms));

  await setRooms('Rooms', block.inventory + 1);
  await page
    .getByRole('alert')
    .filter({ hasText: `would be overbooked: ${block.inventory + 1} room(s) asked` })
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await formReady(page);
  await page.getByRole('alert').filter({ hasText: 'The room block cannot be saved' }).first().waitFor();
  expect(await storedRooms(block.id)).toBe(block.rooms);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'roomblock-overbooked')).toBeGreaterThan(20);

  // Back within the inventory, the warning goes and the form saves.
  await setRooms('Rooms', block.rooms);
  await expect(page.getByRole('alert').filter({ hasText: 'would be overbooked' }).count()).resolves.toBe(0);
});

it('tells the overbooking and the refused save in Spanish with lang=3082', async () => {
  const block = await demoBlock();
  await page.context().close();
  page = await newPage(browser, 3082);
  await openBlock(block.id, '3082');
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
  await setRooms('Habitaciones', block.inventory + 1);
  await page
    .getByRole('alert')
    .filter({ hasText: `quedaría sobrevendido: se piden ${block.inventory + 1} habitación(es)` })
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Guardar', exact: true }).click();
  await formReady(page);
  await page.getByRole('alert').filter({ hasText: 'No se puede guardar el bloqueo' }).first().waitFor();
  expect(await storedRooms(block.id)).toBe(block.rooms);
  expect(await seriousViolations(page)).toEqual([]);
});
