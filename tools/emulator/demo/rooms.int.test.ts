/**
 * The demo's room blocks load through the room block steps as `npm start` runs them: none is refused
 * as an overbooking, the occupancy plan shows the one night close to full, and each quotation with
 * blocks has its total from them.
 */
import { idr_roomblock, opportunity } from '../../../dataverse/generated';
import { dateOnly, formatDateOnly, roomBlocksTotal } from '../../../domain/quotation';
import { createGroupQuotesHandlers } from '../../../plugins/handlers/groupquotes';
import { readOccupancy } from '../../../plugins/handlers/groupquotes/occupancy';
import { createQuoteOrg, type QuoteOrg } from '../../../plugins/handlers/groupquotes/quote-org.testkit';
import { loadDemoData } from './load';

const NOW = new Date('2026-12-06T09:00:00Z');
const B = idr_roomblock.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: NOW, handlers: createGroupQuotesHandlers() });
});
afterEach(() => org.close());

describe('the demo occupancy plan, loaded', () => {
  it('passes the overbooking guard, shows one night close to full and prices quotations by their blocks', async () => {
    const result = await loadDemoData(org.client, { size: 'small', now: NOW, seed: 11 });
    expect(result).toMatchObject({ loaded: true, failures: [] });
    await org.runAsyncSteps();

    const plan = await readOccupancy(org.client, { from: dateOnly(2026, 11, 1), to: dateOnly(2027, 12, 31) });
    expect(plan.roomTypes.filter((c) => c.overbooked)).toEqual([]);
    const full = plan.roomTypes.filter((c) => c.nearFull);
    expect(full.map((c) => [c.name, c.percent])).toEqual([
      [expect.stringMatching(/^Hotel Ideario (Sol|Mar) · Double$/), 95],
    ]);
    // The whole hotel that night: every room type's blocks against all its rooms.
    const hotelNight = plan.hotels.find(
      (h) => h.hotelId === full[0]?.hotelId && formatDateOnly(h.night) === formatDateOnly(full[0].night),
    );
    expect(hotelNight?.name).toMatch(/^Hotel Ideario (Sol|Mar)$/);
    expect(hotelNight?.blocked).toBeGreaterThanOrEqual(full[0]?.blocked ?? Infinity);
    expect(hotelNight?.inventory).toBeGreaterThan(full[0]?.inventory ?? Infinity);

    const blocks = await org.client.retrieveMultiple(idr_roomblock.entitySetName, {
      select: [B.idr_rooms, B.idr_rate, `_${B.idr_opportunity}_value`],
    });
    const byQuotation = new Map<string, { rooms: number; rate: number }[]>();
    for (const b of blocks) {
      const id = String(b[`_${B.idr_opportunity}_value`]);
      byQuotation.set(id, [
        ...(byQuotation.get(id) ?? []),
        { rooms: Number(b[B.idr_rooms]), rate: Number(b[B.idr_rate]) },
      ]);
    }
    expect(byQuotation.size).toBeGreaterThan(3);
    for (const [id, lines] of byQuotation) {
      const q = await org.client.retrieve(opportunity.entitySetName, id, [opportunity.columns.idr_total]);
      expect(q?.[opportunity.columns.idr_total]).toBe(roomBlocksTotal(lines));
    }
  });
});
