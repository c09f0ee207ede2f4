/**
 * Room blocks as a salesperson or an integration saves them through the Web API: the quotation's total
 * follows its blocks, and a block that would overbook a night is refused with the free rooms.
 */
import {
  idr_hotel,
  idr_hotelroomtype,
  idr_roomblock,
  opportunity,
  QuotationPhase,
} from '../../../dataverse/generated';
import { createGroupQuotesHandlers } from '.';
import { createQuoteOrg, type QuoteOrg } from './test-support';

const B = idr_roomblock.columns;
const c = opportunity.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-03-02T09:00:00Z'), handlers: createGroupQuotesHandlers() });
});
afterEach(() => org.close());

const bind = (set: string, id: string): string => `/${set}(${id})`;

async function hotelWithDoubles(rooms: number): Promise<{ hotelId: string; doubleId: string }> {
  const hotelId = await org.client.create(idr_hotel.entitySetName, {
    [idr_hotel.columns.idr_name]: 'Hotel Sol',
    [idr_hotel.columns.idr_code]: 'SOL',
  });
  const doubleId = await org.client.create(idr_hotelroomtype.entitySetName, {
    [idr_hotelroomtype.columns.idr_name]: 'Double',
    [idr_hotelroomtype.columns.idr_code]: 'DBL',
    [idr_hotelroomtype.columns.idr_rooms]: rooms,
    [`${idr_hotelroomtype.columns.idr_hotel}@odata.bind`]: bind(idr_hotel.entitySetName, hotelId),
  });
  return { hotelId, doubleId };
}

async function quotation(name: string): Promise<string> {
  return org.client.create(opportunity.entitySetName, {
    [c.name]: name,
    [c.idr_arrivaldate]: '2026-06-01',
    [c.idr_nights]: 2,
    [c.idr_adults]: 20,
    [c.idr_depositpercent]: 25,
  });
}

function block(
  opportunityId: string,
  hotel: { hotelId: string; doubleId: string },
  night: string,
  rooms: number,
  rate: number,
) {
  return org.client.create(idr_roomblock.entitySetName, {
    [`${B.idr_opportunity}@odata.bind`]: bind(opportunity.entitySetName, opportunityId),
    [`${B.idr_hotel}@odata.bind`]: bind(idr_hotel.entitySetName, hotel.hotelId),
    [`${B.idr_roomtype}@odata.bind`]: bind(idr_hotelroomtype.entitySetName, hotel.doubleId),
    [B.idr_night]: night,
    [B.idr_rooms]: rooms,
    [B.idr_rate]: rate,
  });
}

describe('room blocks', () => {
  it('make the quotation total the sum of rooms × rate, and the deposit follows', async () => {
    const hotel = await hotelWithDoubles(40);
    const id = await quotation('Congreso');
    await org.runAsyncSteps();
    await block(id, hotel, '2026-06-01', 10, 89.9);
    const second = await block(id, hotel, '2026-06-02', 10, 99.9);
    await org.runAsyncSteps();
    expect(
      await org.client.retrieve(opportunity.entitySetName, id, [c.idr_total, c.idr_deposit]),
    ).toMatchObject({
      [c.idr_total]: 1898,
      [c.idr_deposit]: 474.5,
    });
    await org.client.update(idr_roomblock.entitySetName, second, { [B.idr_rooms]: 12 });
    await org.runAsyncSteps();
    expect(await org.client.retrieve(opportunity.entitySetName, id, [c.idr_total])).toMatchObject({
      [c.idr_total]: 2097.8,
    });
    await org.client.delete(idr_roomblock.entitySetName, second);
    await org.runAsyncSteps();
    expect(await org.client.retrieve(opportunity.entitySetName, id, [c.idr_total])).toMatchObject({
      [c.idr_total]: 899,
    });
  });

  it('refuse a block that would overbook the night, naming the free rooms, and keep the others', async () => {
    const hotel = await hotelWithDoubles(40);
    const first = await quotation('Boda');
    const second = await quotation('Incentivo');
    await block(first, hotel, '2026-06-01', 30, 90);
    await expect(block(second, hotel, '2026-06-01', 12, 90)).rejects.toThrow(/HTTP 422/);
    const logged = org.logger.lines.join('\n');
    expect(logged).toContain(
      'Hotel Sol · Double on the night of 1 June 2026 would be overbooked: 12 room(s) asked, 30 of 40 already blocked by other quotations, 10 free.',
    );
    expect(logged).toContain('Hotel Sol · Double la noche del 1 de junio de 2026 quedaría sobrevendido');
    // Ten fit; and a lost quotation's rooms are free again.
    const ten = await block(second, hotel, '2026-06-01', 10, 90);
    await expect(org.client.update(idr_roomblock.entitySetName, ten, { [B.idr_rooms]: 11 })).rejects.toThrow(
      /HTTP 422/,
    );
    await org.client.update(opportunity.entitySetName, first, { [c.idr_lostreason]: 'Chose another hotel' });
    await org.runAsyncSteps();
    expect(await org.client.retrieve(opportunity.entitySetName, first, [c.idr_phase])).toMatchObject({
      [c.idr_phase]: QuotationPhase.Lost,
    });
    await org.client.update(idr_roomblock.entitySetName, ten, { [B.idr_rooms]: 40 });
    const blocks = await org.client.retrieveMultiple(idr_roomblock.entitySetName, { select: [B.idr_rooms] });
    expect(blocks.map((b) => b[B.idr_rooms]).sort()).toEqual([30, 40]);
  });
});
