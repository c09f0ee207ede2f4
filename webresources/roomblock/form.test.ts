/**
 * The Room Block form tells the salesperson, before saving, what the server's overbooking guard would
 * refuse with only a generic error: the room type's free rooms that night.
 */
import path from 'node:path';
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import {
  environmentvariabledefinition,
  environmentvariablevalue,
  idr_hotel,
  idr_hotelroomtype,
  idr_roomblock,
  opportunity,
  QuotationPhase,
} from '../../dataverse/generated';
import { createForm, type FormHarness, generatedTables, memoryClient } from '../../tools/harness';
import { loadMetadata } from '../../tools/solution/loader';
import { loadedResources, WEB_RESOURCES } from '../build';
import { NEAR_FULL_PERCENT_VARIABLE } from '../../domain/quotation/rooms';
import { createRoomBlockForm, FORM_TABLES, NEAR_FULL_NOTIFICATION_ID } from './form';
import { STRINGS_RESOURCE } from './messages';

const B = idr_roomblock.columns;
const T = idr_hotelroomtype.columns;
const library = WEB_RESOURCES.find((w) => w.folder === 'roomblock');
const metadata = loadMetadata(path.join(__dirname, '..', '..', 'solution'));
const layout = metadata.tables[idr_roomblock.logicalName].forms.find(
  (f) => library !== undefined && f.libraries.includes(library.webResourceName),
);

const HOTEL = '00000000-0000-4000-8000-0000000000a1';
const DOUBLE = '00000000-0000-4000-8000-0000000000b1';
const MINE = '00000000-0000-4000-8000-0000000000c1';
const OTHER = '00000000-0000-4000-8000-0000000000c2';
const LOST = '00000000-0000-4000-8000-0000000000c3';
type BlockColumn = Extract<(typeof B)[keyof typeof B], string>;

async function openBlock(
  rooms: number,
  userLanguage: 1033 | 3082 = 1033,
  nearFullPercent?: string,
): Promise<FormHarness<BlockColumn>> {
  if (!layout) throw new Error(`No Room Block form in solution/ loads ${library?.webResourceName}`);
  const block = (id: string, quotation: string, count: number) => ({
    [idr_roomblock.primaryIdAttribute]: id,
    [`_${B.idr_opportunity}_value`]: quotation,
    [`_${B.idr_roomtype}_value`]: DOUBLE,
    [B.idr_night]: '2026-06-01',
    [B.idr_rooms]: count,
  });
  const form = createForm({
    table: idr_roomblock,
    form: layout,
    formType: 'create',
    userLanguage,
    // The texts come from the RESX web resources the build writes, as the page loads them.
    resources: loadedResources(WEB_RESOURCES),
    values: {
      [B.idr_opportunity]: { id: MINE, entityType: opportunity.logicalName },
      [B.idr_roomtype]: { id: DOUBLE, entityType: idr_hotelroomtype.logicalName },
      [B.idr_night]: new Date(2026, 5, 1),
      [B.idr_rooms]: rooms,
    },
    webApi: memoryClient(generatedTables(), {
      [idr_hotel.entitySetName]: [
        { [idr_hotel.primaryIdAttribute]: HOTEL, [idr_hotel.columns.idr_name]: 'Hotel Sol' },
      ],
      [idr_hotelroomtype.entitySetName]: [
        {
          [idr_hotelroomtype.primaryIdAttribute]: DOUBLE,
          [T.idr_name]: 'Double',
          [T.idr_rooms]: 40,
          [`_${T.idr_hotel}_value`]: HOTEL,
        },
      ],
      [idr_roomblock.entitySetName]: [
        block('00000000-0000-4000-8000-0000000000d1', OTHER, 30),
        block('00000000-0000-4000-8000-0000000000d2', LOST, 8),
      ],
      // The solution's definition, and the environment's own value when an admin set one.
      [environmentvariabledefinition.entitySetName]: [
        {
          [environmentvariabledefinition.primaryIdAttribute]: '00000000-0000-4000-8000-0000000000e1',
          [environmentvariabledefinition.columns.schemaname]: NEAR_FULL_PERCENT_VARIABLE,
          [environmentvariabledefinition.columns.defaultvalue]: '90',
        },
      ],
      [environmentvariablevalue.entitySetName]:
        nearFullPercent === undefined
          ? []
          : [
              {
                [environmentvariablevalue.primaryIdAttribute]: '00000000-0000-4000-8000-0000000000e2',
                [environmentvariablevalue.columns.schemaname]: NEAR_FULL_PERCENT_VARIABLE,
                [environmentvariablevalue.columns.value]: nearFullPercent,
              },
            ],
      [opportunity.entitySetName]: [
        {
          [opportunity.primaryIdAttribute]: MINE,
          [opportunity.columns.idr_arrivaldate]: '2026-06-01',
          [opportunity.columns.idr_nights]: 2,
          [opportunity.columns.idr_departuredate]: '2026-06-03',
        },
        {
          [opportunity.primaryIdAttribute]: OTHER,
          [opportunity.columns.idr_phase]: QuotationPhase.Confirmed,
        },
        { [opportunity.primaryIdAttribute]: LOST, [opportunity.columns.idr_phase]: QuotationPhase.Lost },
      ],
    }),
  });
  const handlers = createRoomBlockForm({
    client: () => createXrmReader(form.xrm.WebApi, { tables: FORM_TABLES }),
    text: (key) => form.xrm.Utility.getResourceString(STRINGS_RESOURCE, key),
  });
  form.registerHandlers(layout.handlers, { Ideario: { GroupQuotes: { RoomBlock: handlers } } });
  await form.load();
  return form;
}

describe('the Room Block form', () => {
  it('registers load, save and the changes of room type, night and rooms', () => {
    const handlers = layout?.handlers ?? [];
    expect(handlers.map((h) => h.event)).toEqual(expect.arrayContaining(['onload', 'onsave']));
    expect(handlers.filter((h) => h.event === 'onchange').map((h) => h.attribute)).toEqual([
      B.idr_roomtype,
      B.idr_night,
      B.idr_rooms,
    ]);
  });

  it('warns as the rooms are typed when the night would be overbooked, and keeps the block from being saved', async () => {
    const form = await openBlock(10);
    expect(form.fieldNotification(B.idr_rooms)).toBeUndefined();
    await form.change(B.idr_rooms, 12);
    expect(form.fieldNotification(B.idr_rooms)).toBe(
      'Hotel Sol · Double on the night of 1 June 2026 would be overbooked: 12 room(s) asked, 30 of 40 already blocked by other quotations, 10 free. Block at most 10, or another room type or night.',
    );
    const refused = await form.save();
    expect(refused).toMatchObject({ prevented: true, saved: false });
    expect(form.formNotifications()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: expect.stringMatching(/^The room block cannot be saved: Hotel Sol · Double/) as unknown,
      }),
    ]);
    await form.change(B.idr_rooms, 10);
    expect(form.fieldNotification(B.idr_rooms)).toBeUndefined();
    // The last 10 rooms fit; the night is then full, which is a warning only.
    expect(form.formNotifications()).toEqual([
      expect.objectContaining({ level: 'WARNING', id: NEAR_FULL_NOTIFICATION_ID }),
    ]);
    expect((await form.save()).saved).toBe(true);
  });

  it('warns without stopping the save when the block brings the night to 90 % or more', async () => {
    const form = await openBlock(5);
    expect(form.formNotifications()).toEqual([]);
    await form.change(B.idr_rooms, 6);
    expect(form.formNotifications()).toEqual([
      {
        level: 'WARNING',
        id: NEAR_FULL_NOTIFICATION_ID,
        message:
          'Hotel Sol · Double on the night of 1 June 2026 will be 90% full with this block: 36 of 40 rooms blocked, 4 left.',
      },
    ]);
    expect(form.fieldNotification(B.idr_rooms)).toBeUndefined();
    expect((await form.save()).saved).toBe(true);
    await form.change(B.idr_rooms, 5);
    expect(form.formNotifications()).toEqual([]);
  });

  it("takes the threshold from the environment's idr_NearFullPercent", async () => {
    const form = await openBlock(6, 1033, '95');
    expect(form.formNotifications()).toEqual([]);
    await form.change(B.idr_rooms, 8);
    expect(form.formNotifications()).toEqual([
      expect.objectContaining({ level: 'WARNING', message: expect.stringContaining('95% full') as unknown }),
    ]);
  });

  it("tells on the Night field that a night outside the quotation's stay cannot be saved", async () => {
    const form = await openBlock(5);
    expect(form.fieldNotification(B.idr_night)).toBeUndefined();
    await form.change(B.idr_night, new Date(2026, 5, 3));
    expect(form.fieldNotification(B.idr_night)).toBe(
      "The night of 3 June 2026 is outside the quotation's stay (arrival 1 June 2026, departure 3 June 2026): rooms can be blocked from the arrival night to the night before the departure.",
    );
    expect(await form.save()).toMatchObject({ prevented: true, saved: false });
    await form.change(B.idr_night, new Date(2026, 5, 2));
    expect(form.fieldNotification(B.idr_night)).toBeUndefined();
    expect((await form.save()).saved).toBe(true);
  });

  it('speaks Spanish to a Spanish user', async () => {
    const form = await openBlock(11, 3082);
    expect(form.fieldNotification(B.idr_rooms)).toMatch(
      /^Hotel Sol · Double la noche del 1 de junio de 2026 quedaría sobrevendido/,
    );
    await form.change(B.idr_rooms, 7);
    expect(form.formNotifications()).toEqual([
      expect.objectContaining({
        level: 'WARNING',
        message:
          'Hotel Sol · Double la noche del 1 de junio de 2026 quedará al 92,5\u00a0% con este bloqueo: 37 de 40 habitaciones bloqueadas, quedan 3.',
      }),
    ]);
  });
});
