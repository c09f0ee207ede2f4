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
import { createQuoteOrg, type QuoteOrg } from './quote-org.testkit';

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

  it('recompute the total when a block is deactivated or activated again', async () => {
    const hotel = await hotelWithDoubles(40);
    const id = await quotation('Congreso');
    await block(id, hotel, '2026-06-01', 10, 89.9);
    const second = await block(id, hotel, '2026-06-02', 10, 99.9);
    await org.runAsyncSteps();
    const inactive = {
      [B.statecode]: idr_roomblock.choices.statecode.Inactive,
      [B.statuscode]: idr_roomblock.choices.statuscode.Inactive,
    };
    await org.client.update(idr_roomblock.entitySetName, second, inactive);
    await org.runAsyncSteps();
    expect(
      await org.client.retrieve(opportunity.entitySetName, id, [c.idr_total, c.idr_deposit]),
    ).toMatchObject({ [c.idr_total]: 899, [c.idr_deposit]: 224.75 });
    await org.client.update(idr_roomblock.entitySetName, second, {
      [B.statecode]: idr_roomblock.choices.statecode.Active,
      [B.statuscode]: idr_roomblock.choices.statuscode.Active,
    });
    await org.runAsyncSteps();
    expect(await org.client.retrieve(opportunity.entitySetName, id, [c.idr_total])).toMatchObject({
      [c.idr_total]: 1898,
    });
  });

  it('refuse a block for a night outside the stay, naming the night and the stay', async () => {
    const hotel = await hotelWithDoubles(40);
    const id = await quotation('Congreso');
    await expect(block(id, hotel, '2026-05-31', 5, 90)).rejects.toThrow(/HTTP 422/);
    expect(org.logger.lines.join('\n')).toContain(
      "The night of 31 May 2026 is outside the quotation's stay (arrival 1 June 2026, departure 3 June 2026)",
    );
    // The departure day is not a night of the stay.
    await expect(block(id, hotel, '2026-06-03', 5, 90)).rejects.toThrow(/HTTP 422/);
    expect(org.logger.lines.join('\n')).toContain(
      'La noche del 3 de junio de 2026 está fuera de la estancia de la cotización (llegada 1 de junio de 2026, salida 3 de junio de 2026)',
    );
    const last = await block(id, hotel, '2026-06-02', 5, 90);
    await expect(
      org.client.update(idr_roomblock.entitySetName, last, { [B.idr_night]: '2026-06-04' }),
    ).rejects.toThrow(/HTTP 422/);
    const blocks = await org.client.retrieveMultiple(idr_roomblock.entitySetName, { select: [B.idr_night] });
    expect(blocks.map((b) => b[B.idr_night])).toEqual(['2026-06-02']);
  });

  it('refuse new stay dates that would leave blocks outside, and accept dates that keep them', async () => {
    const hotel = await hotelWithDoubles(40);
    const id = await quotation('Congreso');
    await block(id, hotel, '2026-06-02', 5, 90);
    await org.runAsyncSteps();
    // An earlier departure ends the stay before the night of 2 June.
    await expect(
      org.client.update(opportunity.entitySetName, id, { [c.idr_departuredate]: '2026-06-02' }),
    ).rejects.toThrow(/HTTP 422/);
    expect(org.logger.lines.join('\n')).toContain(
      "The new stay (arrival 1 June 2026, departure 2 June 2026) would leave this quotation's room blocks for the night(s) of 2 June 2026 outside it.",
    );
    await expect(org.client.update(opportunity.entitySetName, id, { [c.idr_nights]: 1 })).rejects.toThrow(
      /HTTP 422/,
    );
    // A later arrival keeps the 2 nights (2–4 June), which still covers the block.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_arrivaldate]: '2026-06-02' });
    await org.runAsyncSteps();
    expect(
      await org.client.retrieve(opportunity.entitySetName, id, [c.idr_arrivaldate, c.idr_departuredate]),
    ).toMatchObject({ [c.idr_arrivaldate]: '2026-06-02', [c.idr_departuredate]: '2026-06-04' });
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
