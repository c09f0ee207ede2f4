/** The total of a quotation's room blocks, for enforcement.ts (a module of its own: roomblocks.ts imports enforcement). */
import type { DataverseClient } from '../../../dataverse/client';
import { idr_roomblock, type idr_roomblockRecord } from '../../../dataverse/generated';
import { roomBlocksTotal } from '../../../domain/quotation';
import { lookupValueName } from './record';

const B = idr_roomblock.columns;

/** The total of a quotation's blocks, or null when it has none (its total is then persons × price). */
export async function readRoomBlocksTotal(
  client: DataverseClient,
  opportunityId: string,
): Promise<number | null> {
  const rows = (await client.retrieveMultiple(idr_roomblock.entitySetName, {
    select: [B.idr_rooms, B.idr_rate],
    filter: `${lookupValueName(B.idr_opportunity)} eq ${opportunityId} and statecode eq 0`,
  })) as idr_roomblockRecord[];
  return roomBlocksTotal(rows.map((r) => ({ rooms: r.idr_rooms ?? 0, rate: r.idr_rate ?? null })));
}
