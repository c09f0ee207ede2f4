/**
 * Room blocks through the Web API of the emulator wired to the real webhook host over HTTP, as
 * `ideario start` runs them: deactivating or deleting a block recomputes the quotation's total, and
 * when two salespeople (or an import and a salesperson) save blocks for the last rooms of a night at
 * the same moment, exactly one save is refused and the night is never overbooked.
 */
import { idr_hotel, idr_hotelroomtype, idr_roomblock, opportunity } from '../../../dataverse/generated';
import { memoryLogger } from '../../../dataverse/logger';
import type { RunningEmulator } from '../../../tools/emulator/start';
import type { RunningHost } from '../../host/node-server';
import { createGroupQuotesHandlers } from '.';
import { startWiredEnvironment } from '../../../tools/emulator/wired.testkit';

const TOKEN = 'room-block-race-token';
const KEY = 'room-block-race-key';
const B = idr_roomblock.columns;
const bind = (set: string, id: string): string => `/${set}(${id})`;

let emulator: RunningEmulator | undefined;
let host: RunningHost | undefined;

afterEach(async () => {
  await emulator?.close();
  await host?.close();
  emulator = host = undefined;
});

async function start() {
  const logger = memoryLogger();
  const wired = await startWiredEnvironment({
    handlers: createGroupQuotesHandlers(),
    logger: logger,
    token: TOKEN,
    key: KEY,
  });
  host = wired.host;
  emulator = wired.emulator;
  const client = wired.client;

  const hotelId = await client.create(idr_hotel.entitySetName, {
    [idr_hotel.columns.idr_name]: 'Hotel Sol',
    [idr_hotel.columns.idr_code]: 'SOL',
  });
  const doubleId = await client.create(idr_hotelroomtype.entitySetName, {
    [idr_hotelroomtype.columns.idr_name]: 'Double',
    [idr_hotelroomtype.columns.idr_code]: 'DBL',
    [idr_hotelroomtype.columns.idr_rooms]: 40,
    [`${idr_hotelroomtype.columns.idr_hotel}@odata.bind`]: bind(idr_hotel.entitySetName, hotelId),
  });
  const quotation = (name: string) =>
    client.create(opportunity.entitySetName, {
      [opportunity.columns.name]: name,
      [opportunity.columns.idr_arrivaldate]: '2027-06-01',
      [opportunity.columns.idr_nights]: 2,
      [opportunity.columns.idr_adults]: 20,
      [opportunity.columns.idr_priceperpersonnight]: 50,
    });
  const block = (opportunityId: string, rooms: number, night = '2027-06-01') =>
    client.create(idr_roomblock.entitySetName, {
      [`${B.idr_opportunity}@odata.bind`]: bind(opportunity.entitySetName, opportunityId),
      [`${B.idr_hotel}@odata.bind`]: bind(idr_hotel.entitySetName, hotelId),
      [`${B.idr_roomtype}@odata.bind`]: bind(idr_hotelroomtype.entitySetName, doubleId),
      [B.idr_night]: night,
      [B.idr_rooms]: rooms,
      [B.idr_rate]: 90,
    });
  return { logger, client, quotation, block };
}

it('recomputes the total when a block is deactivated or deleted', async () => {
  const { client, quotation, block } = await start();
  const running = emulator as RunningEmulator;
  const id = await quotation('Congreso');
  const first = await block(id, 10);
  const second = await block(id, 10, '2027-06-02');
  await running.whenJobsIdle();
  const total = async () =>
    (await client.retrieve(opportunity.entitySetName, id, [opportunity.columns.idr_total]))?.[
      opportunity.columns.idr_total
    ];
  await expect(total()).resolves.toBe(1800);
  await client.update(idr_roomblock.entitySetName, second, {
    [B.statecode]: idr_roomblock.choices.statecode.Inactive,
    [B.statuscode]: idr_roomblock.choices.statuscode.Inactive,
  });
  await running.whenJobsIdle();
  await expect(total()).resolves.toBe(900);
  await client.delete(idr_roomblock.entitySetName, first);
  await running.whenJobsIdle();
  // Only an inactive block is left: the total is persons × price per night again, 20 × 2 × 50.
  await expect(total()).resolves.toBe(2000);
});

it('lets only one of two blocks saved at the same moment take the last rooms of a night', async () => {
  const { logger, client, quotation, block } = await start();
  await block(await quotation('Congreso'), 30);
  const [boda, incentivo] = await Promise.all([quotation('Boda'), quotation('Incentivo')]);

  // 10 rooms are left; both ask for 8 at once.
  const saves = await Promise.allSettled([block(boda, 8), block(incentivo, 8)]);
  const refused = saves.filter((s) => s.status === 'rejected');
  expect(saves.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(String(refused[0]?.reason)).toMatch(/idr_roomblock \(guard\)' failed: HTTP 422/);
  expect(logger.lines.join('\n')).toContain(
    'Hotel Sol · Double on the night of 1 June 2027 would be overbooked: 8 room(s) asked, 38 of 40 already blocked by other quotations, 2 free.',
  );
  const night = await client.retrieveMultiple(idr_roomblock.entitySetName, { select: [B.idr_rooms] });
  expect(night.map((b) => b[B.idr_rooms]).sort()).toEqual([30, 8]);
});
