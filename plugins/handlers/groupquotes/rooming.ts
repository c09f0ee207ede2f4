/**
 * Importing an agency's rooming list into a quotation: the rows (read by the caller from CSV or
 * Excel) are checked against the quotation's room blocks (domain/quotation rooming.ts); each placed
 * guest is stored once per night as an `idr_roomingentry` (upserted by its key, so importing the same
 * list again changes nothing), and the entries of an earlier list that the new one no longer has are
 * removed: the latest list is the agency's. The quotation is marked as having received its rooming
 * list (Rooming List Received On, once) when at least one guest is placed; the asynchronous step then
 * moves the phase (phase.ts). Rows that cannot be placed change nothing and come back with reasons.
 */
import type { BatchOperation, DataverseClient } from '../../../dataverse/client';
import {
  idr_hotelroomtype,
  idr_roomblock,
  idr_roomingentry,
  opportunity,
  type idr_hotelroomtypeRecord,
  type idr_roomblockRecord,
  type idr_roomingentryRecord,
  type idr_roomingentryWrite,
  type opportunityRecord,
  type opportunityWrite,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import {
  type BlockForRooming,
  checkRoomingList,
  dateOnlyFromDate,
  formatDateOnly,
  type PlacedGuestNight,
  type RejectedRow,
  type RoomingRow,
} from '../../../domain/quotation';
import { col, dateValue, idValue, lookupValueName, textValue, writeDate } from './record';

const B = idr_roomblock.columns;
const E = idr_roomingentry.columns;
const T = idr_hotelroomtype.columns;
/** Operations per `$batch` changeset. */
const CHUNK = 100;

/** The quotation named on the command line does not exist. */
export class RoomingQuotationNotFoundError extends Error {
  constructor(readonly opportunityId: string) {
    super(
      `No group quotation (opportunity) has the id ${opportunityId}; copy the id from the quotation's URL.`,
    );
    this.name = 'RoomingQuotationNotFoundError';
  }
}

/** The quotation has no room blocks, so no guest can be placed. */
export class NoRoomBlocksError extends Error {
  constructor(readonly opportunityId: string) {
    super(
      `Quotation ${opportunityId} has no room blocks: add its rooms per night and room type (Room Blocks) before importing its rooming list.`,
    );
    this.name = 'NoRoomBlocksError';
  }
}

export interface RoomingImportProgress {
  done: number;
  total: number;
}

export interface RoomingImportResult {
  rows: number;
  placedRows: number;
  /** Entries (guest × night) written or already there. */
  entries: number;
  /** Entries of an earlier list the new one no longer has, removed. */
  removed: number;
  rejected: RejectedRow[];
  /** The day recorded as Rooming List Received On, or null when it was already set or nothing was placed. */
  receivedOn: string | null;
}

export interface RoomingImportDeps {
  client: DataverseClient;
  clock: () => Date;
  logger: Logger;
  /** The hotel's time zone: the day the list is received in. */
  timeZone: string;
  onProgress?: (progress: RoomingImportProgress) => void;
}

function entryKey(opportunityId: string, p: PlacedGuestNight): string {
  const norm = (s: string): string => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
  return `${opportunityId}:${formatDateOnly(p.night)}:${norm(p.room)}:${norm(p.guest)}`.slice(0, 400);
}

async function readBlocks(client: DataverseClient, opportunityId: string): Promise<BlockForRooming[]> {
  const rows = (await client.retrieveMultiple(idr_roomblock.entitySetName, {
    select: [idr_roomblock.primaryIdAttribute, B.idr_night, B.idr_rooms, lookupValueName(B.idr_roomtype)],
    filter: `${lookupValueName(B.idr_opportunity)} eq ${opportunityId} and statecode eq 0`,
  })) as idr_roomblockRecord[];
  const types = new Map<string, { code: string; name: string; capacity: number | null }>();
  const blocks: BlockForRooming[] = [];
  for (const row of rows) {
    const roomTypeId = idValue(row._idr_roomtype_value);
    const night = dateValue(row.idr_night);
    const blockId = textValue(row.idr_roomblockid);
    if (!roomTypeId || !night || !blockId) continue;
    if (!types.has(roomTypeId)) {
      const type = (await client.retrieve(idr_hotelroomtype.entitySetName, roomTypeId, [
        T.idr_code,
        T.idr_name,
        T.idr_capacity,
      ])) as idr_hotelroomtypeRecord | null;
      types.set(roomTypeId, {
        code: textValue(type?.idr_code) ?? '',
        name: textValue(type?.idr_name) ?? '',
        capacity: type?.idr_capacity ?? null,
      });
    }
    const type = types.get(roomTypeId);
    blocks.push({
      blockId,
      roomTypeId,
      roomTypeCode: type?.code ?? '',
      roomTypeName: type?.name ?? '',
      night,
      rooms: row.idr_rooms ?? 0,
      capacity: type?.capacity ?? null,
    });
  }
  return blocks;
}

export async function importRoomingList(
  opportunityId: string,
  rows: readonly RoomingRow[],
  deps: RoomingImportDeps,
): Promise<RoomingImportResult> {
  const { client } = deps;
  const quotation = (await client.retrieve(opportunity.entitySetName, opportunityId, [
    col.idr_arrivaldate,
    col.idr_departuredate,
    col.idr_roominglistreceivedon,
  ])) as opportunityRecord | null;
  if (!quotation) throw new RoomingQuotationNotFoundError(opportunityId);
  const blocks = await readBlocks(client, opportunityId);
  if (blocks.length === 0) throw new NoRoomBlocksError(opportunityId);
  const checked = checkRoomingList(rows, blocks, {
    arrival: dateValue(quotation.idr_arrivaldate),
    departure: dateValue(quotation.idr_departuredate),
  });

  const existing = (await client.retrieveMultiple(idr_roomingentry.entitySetName, {
    select: [idr_roomingentry.primaryIdAttribute, E.idr_key],
    filter: `${lookupValueName(E.idr_opportunity)} eq ${opportunityId}`,
  })) as idr_roomingentryRecord[];
  const wanted = new Set<string>();
  const operations: BatchOperation[] = [];
  for (const p of checked.placed) {
    const key = entryKey(opportunityId, p);
    wanted.add(key);
    operations.push({
      kind: 'upsert',
      entitySet: idr_roomingentry.entitySetName,
      key: { [E.idr_key]: key },
      record: {
        idr_name: p.guest,
        idr_room: p.room,
        idr_night: formatDateOnly(p.night),
        idr_sourcerow: p.row,
        'idr_opportunity@odata.bind': `/${opportunity.entitySetName}(${opportunityId})`,
        'idr_roomblock@odata.bind': `/${idr_roomblock.entitySetName}(${p.blockId})`,
      } satisfies idr_roomingentryWrite,
    });
  }
  let removed = 0;
  for (const row of existing) {
    const key = textValue(row.idr_key);
    const id = textValue(row.idr_roomingentryid);
    if (id && key !== null && !wanted.has(key)) {
      operations.push({ kind: 'delete', entitySet: idr_roomingentry.entitySetName, key: id });
      removed++;
    }
  }
  for (let i = 0; i < operations.length; i += CHUNK) {
    await client.executeBatch(operations.slice(i, i + CHUNK), { atomic: true });
    deps.onProgress?.({ done: Math.min(i + CHUNK, operations.length), total: operations.length });
  }

  let receivedOn: string | null = null;
  if (checked.placedRows > 0 && dateValue(quotation.idr_roominglistreceivedon) === null) {
    receivedOn = writeDate(dateOnlyFromDate(deps.clock(), { timeZone: deps.timeZone }));
    await client.update(opportunity.entitySetName, opportunityId, {
      idr_roominglistreceivedon: receivedOn,
    } satisfies opportunityWrite);
  }
  deps.logger.info('Rooming list imported.', {
    opportunityId,
    rows: rows.length,
    placed: checked.placedRows,
    rejected: checked.rejected.length,
    removed,
  });
  return {
    rows: rows.length,
    placedRows: checked.placedRows,
    entries: checked.placed.length,
    removed,
    rejected: checked.rejected,
    receivedOn,
  };
}
