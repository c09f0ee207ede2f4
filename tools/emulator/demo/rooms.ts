/**
 * The demo's hotels, their room types and the room blocks of the live group quotations (request to
 * transferred: lost, cancelled and settled ones hold no rooms). Blocks never take a night past a room
 * type's inventory (the server would refuse them), and one night is filled close to full so the
 * occupancy plan has something to warn about: the first night of the first quotation awaiting its
 * rooming list, at its hotel's doubles.
 */
import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import {
  idr_hotel,
  idr_hotelroomtype,
  idr_roomblock,
  opportunity,
  QuotationPhase,
} from '../../../dataverse/generated';
import type { Draw } from '../../../domain/random';

const H = idr_hotel.columns;
const T = idr_hotelroomtype.columns;
const B = idr_roomblock.columns;
const O = opportunity.columns;
const DAY = 86_400_000;

/** Share of the doubles blocked on the demo's close-to-full night. */
export const DEMO_FULL_NIGHT_PERCENT = 95;
const GROUP_CEILING_PERCENT = 80;

interface RoomTypeSpec {
  code: string;
  name: string;
  rooms: number;
  capacity: number;
}
const HOTELS: readonly { code: string; name: string; city: string; types: readonly RoomTypeSpec[] }[] = [
  {
    code: 'SOL',
    name: 'Hotel Ideario Sol',
    city: 'Madrid',
    types: [
      { code: 'DBL', name: 'Double', rooms: 60, capacity: 2 },
      { code: 'TWN', name: 'Twin', rooms: 30, capacity: 2 },
      { code: 'SGL', name: 'Single', rooms: 20, capacity: 1 },
    ],
  },
  {
    code: 'MAR',
    name: 'Hotel Ideario Mar',
    city: 'Málaga',
    types: [
      { code: 'DBL', name: 'Double', rooms: 80, capacity: 2 },
      { code: 'SGL', name: 'Single', rooms: 25, capacity: 1 },
    ],
  },
];

const LIVE: ReadonlySet<number> = new Set([
  QuotationPhase.Request,
  QuotationPhase.QuotationSent,
  QuotationPhase.Confirmed,
  QuotationPhase.Deposit,
  QuotationPhase.RoomingList,
  QuotationPhase.Proforma,
  QuotationPhase.Transferred,
]);

const url = (set: string, id: string) => `/${set}(${id})`;
const bind = (navigation: string) => `${navigation}@odata.bind`;
const create = (entitySet: string, record: EntityRecord): BatchOperation => ({
  kind: 'create',
  entitySet,
  record,
});
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function planDemoRooms(
  draw: Draw,
  quotations: readonly BatchOperation[],
): { hotels: BatchOperation[]; blocks: BatchOperation[] } {
  const hotels: BatchOperation[] = [];
  const types = HOTELS.map((hotel) => {
    const hotelId = draw.guid();
    hotels.push(
      create(idr_hotel.entitySetName, {
        [H.idr_hotelid]: hotelId,
        [H.idr_name]: hotel.name,
        [H.idr_code]: hotel.code,
        [H.idr_city]: hotel.city,
      }),
    );
    const byCode = new Map<string, { id: string; spec: RoomTypeSpec }>();
    for (const spec of hotel.types) {
      const id = draw.guid();
      byCode.set(spec.code, { id, spec });
      hotels.push(
        create(idr_hotelroomtype.entitySetName, {
          [T.idr_hotelroomtypeid]: id,
          [T.idr_name]: spec.name,
          [T.idr_code]: spec.code,
          [T.idr_rooms]: spec.rooms,
          [T.idr_capacity]: spec.capacity,
          [bind(T.idr_hotel)]: url(idr_hotel.entitySetName, hotelId),
        }),
      );
    }
    return { hotelId, byCode };
  });

  const blocked = new Map<string, number>();
  const blocks: BatchOperation[] = [];
  let fullNightDone = false;
  let n = 0;
  for (const op of quotations) {
    if (op.kind !== 'create' || op.entitySet !== opportunity.entitySetName) continue;
    const q = op.record;
    const phase = Number(q[O.idr_phase]);
    const arrival = Date.parse(`${String(q[O.idr_arrivaldate])}T00:00:00Z`);
    const nights = Number(q[O.idr_nights]);
    const persons = Number(q[O.idr_persons] ?? 0);
    const price = Number(q[O.idr_priceperpersonnight] ?? 0);
    if (!LIVE.has(phase) || !Number.isFinite(arrival) || !(nights > 0) || !(persons > 0)) continue;
    const hotel = types[n++ % types.length];
    const fill: boolean = !fullNightDone && phase === QuotationPhase.RoomingList;
    fullNightDone ||= fill;
    const wanted: [string, number, number][] = [
      ['DBL', Math.floor(persons / 2), price * 2],
      ['SGL', persons % 2, Math.round(price * 1.4)],
    ];
    for (let i = 0; i < nights; i++) {
      const night = isoDay(arrival + i * DAY);
      for (const [code, want, rate] of wanted) {
        const type = hotel.byCode.get(code);
        if (!type) continue;
        const key = `${type.id}|${night}`;
        const used = blocked.get(key) ?? 0;
        const fullNight = fill && i === 0 && code === 'DBL';
        // Groups get at most GROUP_CEILING_PERCENT of a night (the rest is for individual guests), except
        // on the demo's full night.
        const ceiling = Math.ceil(
          (type.spec.rooms * (fullNight ? DEMO_FULL_NIGHT_PERCENT : GROUP_CEILING_PERCENT)) / 100,
        );
        const rooms = Math.min(fullNight ? ceiling - used : want, ceiling - used);
        if (rooms <= 0) continue;
        blocked.set(key, used + rooms);
        blocks.push(
          create(idr_roomblock.entitySetName, {
            [B.idr_roomblockid]: draw.guid(),
            [B.idr_name]: `${night} ${code}`,
            [bind(B.idr_opportunity)]: url(opportunity.entitySetName, String(q[O.opportunityid])),
            [bind(B.idr_hotel)]: url(idr_hotel.entitySetName, hotel.hotelId),
            [bind(B.idr_roomtype)]: url(idr_hotelroomtype.entitySetName, type.id),
            [B.idr_night]: night,
            [B.idr_rooms]: rooms,
            [B.idr_rate]: rate,
          }),
        );
      }
    }
  }
  return { hotels, blocks };
}
