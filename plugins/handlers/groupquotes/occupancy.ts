/**
 * The occupancy plan read from an environment: every hotel room type against the rooms the live
 * quotations (not lost, not cancelled) block of it each night in a date range
 * (domain/quotation `occupancyPlan`), and each hotel's night as a whole (`hotelOccupancy`).
 * `ideario rooming occupancy` prints both.
 */
import type { DataverseClient } from '../../../dataverse/client';
import { readEnvironmentVariable } from '../../../dataverse/environment-variables';
import {
  idr_hotel,
  idr_hotelroomtype,
  idr_roomblock,
  opportunity,
  QuotationPhase,
  type idr_hotelRecord,
  type idr_hotelroomtypeRecord,
  type idr_roomblockRecord,
  type opportunityRecord,
} from '../../../dataverse/generated';
import {
  type BlockedRooms,
  type DateOnly,
  formatDateOnly,
  type HotelNight,
  hotelOccupancy,
  NEAR_FULL_PERCENT,
  NEAR_FULL_PERCENT_VARIABLE,
  type OccupancyCell,
  occupancyPlan,
  parseNearFullPercent,
  type RoomTypeInventory,
} from '../../../domain/quotation';
import { dateValue, idValue, lookupValueName, textValue } from './record';

const B = idr_roomblock.columns;
const T = idr_hotelroomtype.columns;

/** The near-full threshold the environment's `idr_NearFullPercent` sets (its default, 90, when unset or unusable). */
export async function readNearFullPercent(
  client: Pick<DataverseClient, 'retrieveMultiple'>,
): Promise<number> {
  return (
    parseNearFullPercent(await readEnvironmentVariable(client, NEAR_FULL_PERCENT_VARIABLE)) ??
    NEAR_FULL_PERCENT
  );
}

export interface Occupancy {
  /** Per room type and night (occupancyPlan). */
  readonly roomTypes: OccupancyCell[];
  /** Per hotel and night, all its room types together (hotelOccupancy). */
  readonly hotels: HotelNight[];
}

export async function readOccupancy(
  client: DataverseClient,
  range: { from: DateOnly; to: DateOnly },
): Promise<Occupancy> {
  const hotels = new Map(
    (
      (await client.retrieveMultiple(idr_hotel.entitySetName, {
        select: [idr_hotel.primaryIdAttribute, idr_hotel.columns.idr_name],
      })) as idr_hotelRecord[]
    ).map((h): [string, string] => [textValue(h.idr_hotelid) ?? '', textValue(h.idr_name) ?? '']),
  );
  const inventory: RoomTypeInventory[] = (
    (await client.retrieveMultiple(idr_hotelroomtype.entitySetName, {
      select: [idr_hotelroomtype.primaryIdAttribute, T.idr_name, T.idr_rooms, lookupValueName(T.idr_hotel)],
      filter: 'statecode eq 0',
    })) as idr_hotelroomtypeRecord[]
  ).map((t) => {
    const hotelId = idValue(t._idr_hotel_value) ?? '';
    return {
      roomTypeId: textValue(t.idr_hotelroomtypeid) ?? '',
      hotelId,
      name: `${hotels.get(hotelId) ?? ''} · ${textValue(t.idr_name) ?? ''}`,
      rooms: t.idr_rooms ?? 0,
    };
  });
  const released = new Set(
    (
      (await client.retrieveMultiple(opportunity.entitySetName, {
        select: [opportunity.primaryIdAttribute],
        filter: `${opportunity.columns.idr_phase} eq ${QuotationPhase.Lost} or ${opportunity.columns.idr_phase} eq ${QuotationPhase.Cancelled}`,
      })) as opportunityRecord[]
    ).map((o) => textValue(o.opportunityid)),
  );
  const blocks: BlockedRooms[] = [];
  for (const row of (await client.retrieveMultiple(idr_roomblock.entitySetName, {
    select: [B.idr_night, B.idr_rooms, lookupValueName(B.idr_roomtype), lookupValueName(B.idr_opportunity)],
    filter: `statecode eq 0 and ${B.idr_night} ge ${formatDateOnly(range.from)} and ${B.idr_night} le ${formatDateOnly(range.to)}`,
  })) as idr_roomblockRecord[]) {
    const night = dateValue(row.idr_night);
    const roomTypeId = idValue(row._idr_roomtype_value);
    if (!night || !roomTypeId || released.has(idValue(row._idr_opportunity_value))) continue;
    blocks.push({ roomTypeId, night, rooms: row.idr_rooms ?? 0 });
  }
  const nearFull = await readNearFullPercent(client);
  const roomTypes = occupancyPlan(inventory, blocks, nearFull);
  return { roomTypes, hotels: hotelOccupancy(inventory, roomTypes, hotels, nearFull) };
}
