/**
 * Room blocks on the server (idr_roomblock):
 * - Create and Update (pre-operation, synchronous): refuse a block for a night outside its quotation's
 *   stay, one that would take its room type past the hotel's inventory that night, counting the blocks
 *   of every other quotation still alive (lost and cancelled ones have released their rooms), or whose
 *   room type is another hotel's. The refusal has the plug-in error shape of guard.ts (422, reason in
 *   English | Spanish). Pre-operation, not pre-validation: for the top-level operation Dataverse runs
 *   stage 10 outside the database transaction ("Event execution pipeline"), where two blocks for the
 *   last rooms could both pass; stage 20 runs inside it, where the emulator (one writer at a time)
 *   makes the second save wait for the first. A remote webhook's own Web API calls are still separate
 *   transactions on Dataverse: see README.md in this folder for what that leaves open.
 * - Create, Update and Delete (post-operation, asynchronous): the quotation's total becomes the sum of its
 *   blocks (enforcement.ts reads them through `readRoomBlocksTotal`), so the deposit follows.
 */
import type { DataverseClient } from '../../../dataverse/client';
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import {
  idr_hotel,
  idr_hotelroomtype,
  idr_roomblock,
  opportunity,
  type opportunityRecord,
  type idr_hotelRecord,
  type idr_hotelroomtypeRecord,
  type idr_roomblockRecord,
} from '../../../dataverse/generated';
import {
  blockOutsideStayText,
  checkRoomBlock,
  type DateOnly,
  dateOnlyFromDate,
  formatDateOnly,
  isNightOfStay,
  overbookingText,
  settledStay,
  stayNightsOf,
} from '../../../domain/quotation';
import { ValidationRefusal } from '../../host/errors';
import { getReference, type ParsedValue, targetEntity } from '../../host/parse';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import { enforceOpportunity } from './enforcement';
export { readRoomBlocksTotal } from './roomblocktotal';
import { dateValue, idValue, lookupValueName, readPhase, textValue } from './record';
import { DEFAULT_SETTINGS, type SettingsSource } from './settings';

const SOLUTION = 'IdearioGroupQuotes' as const;
const B = idr_roomblock.columns;
const T = idr_hotelroomtype.columns;

/** The columns that decide whether a night is overbooked. */
export const ROOM_BLOCK_GUARD_ATTRIBUTES: readonly string[] = [
  B.idr_rooms,
  B.idr_night,
  B.idr_roomtype,
  B.idr_hotel,
  B.idr_opportunity,
  // Reactivating a block takes its rooms again.
  B.statecode,
];
/** The columns the quotation's total is made of. */
export const ROOM_BLOCK_TOTAL_ATTRIBUTES: readonly string[] = [
  B.idr_rooms,
  B.idr_rate,
  B.idr_opportunity,
  // A deactivated block no longer counts ("Behavior of specialized update operations": statecode is an Update).
  B.statecode,
];

/** A block that would overbook a night, or that names a room type of another hotel. */
export class RoomBlockRefusal extends ValidationRefusal {
  constructor(reason: Readonly<Record<'en' | 'es', string>>, column: string) {
    super(`${reason.en} | ${reason.es}`, column);
    this.name = 'RoomBlockRefusal';
  }
}

function asLookup(value: ParsedValue | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === 'object' && 'kind' in value && value.kind === 'EntityReference')
    return normalizeGuid(value.id);
  return null;
}

interface BlockAfterSave {
  id: string | null;
  opportunityId: string | null;
  hotelId: string | null;
  roomTypeId: string | null;
  night: DateOnly | null;
  rooms: number | null;
  /** False once deactivated (statecode Inactive): it holds no rooms. */
  active: boolean;
}

function optionValue(value: ParsedValue | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && 'kind' in value && value.kind === 'OptionSetValue') return value.value;
  return null;
}

/** The block as it will be after the save: the Target's columns over the stored row. */
async function blockAfterSave(ctx: ExecutionContext, deps: HandlerDeps): Promise<BlockAfterSave | null> {
  const target = targetEntity(ctx);
  if (!target) return null;
  const rawId = ctx.messageName === 'Update' ? (ctx.primaryEntityId ?? target.id) : null;
  const id = rawId ? normalizeGuid(rawId) : null;
  const stored: idr_roomblockRecord =
    ((id
      ? await deps.client.retrieve(idr_roomblock.entitySetName, id, [
          lookupValueName(B.idr_opportunity),
          lookupValueName(B.idr_hotel),
          lookupValueName(B.idr_roomtype),
          B.idr_night,
          B.idr_rooms,
          B.statecode,
        ])
      : null) as idr_roomblockRecord | null) ?? {};
  const lookup = (column: string, storedId: string | null | undefined): string | null => {
    const fromTarget = asLookup(target.attributes.get(column));
    return fromTarget === undefined ? idValue(storedId) : fromTarget;
  };
  const nightValue = target.attributes.get(B.idr_night);
  const roomsValue = target.attributes.get(B.idr_rooms);
  const state = optionValue(target.attributes.get(B.statecode));
  const activeState = idr_roomblock.choices.statecode.Active;
  return {
    active: state === undefined ? (stored.statecode ?? activeState) === activeState : state === activeState,
    id,
    opportunityId: lookup(B.idr_opportunity, stored._idr_opportunity_value),
    hotelId: lookup(B.idr_hotel, stored._idr_hotel_value),
    roomTypeId: lookup(B.idr_roomtype, stored._idr_roomtype_value),
    // DateOnly columns travel as midnight UTC ("Behavior and format of the Date and Time column").
    night:
      nightValue instanceof Date
        ? dateOnlyFromDate(nightValue, 'utc')
        : nightValue === undefined
          ? dateValue(stored.idr_night)
          : null,
    rooms:
      typeof roomsValue === 'number'
        ? roomsValue
        : roomsValue === undefined
          ? (stored.idr_rooms ?? null)
          : null,
  };
}

/** Rooms other live quotations hold of this room type that night. */
async function blockedByOthers(
  client: DataverseClient,
  block: BlockAfterSave,
  night: DateOnly,
  roomTypeId: string,
): Promise<number> {
  const rows = (await client.retrieveMultiple(idr_roomblock.entitySetName, {
    select: [idr_roomblock.primaryIdAttribute, B.idr_rooms, lookupValueName(B.idr_opportunity)],
    filter: `${lookupValueName(B.idr_roomtype)} eq ${roomTypeId} and ${B.idr_night} eq ${formatDateOnly(night)} and statecode eq 0`,
  })) as idr_roomblockRecord[];
  const released = new Map<string, boolean>();
  let sum = 0;
  for (const row of rows) {
    const id = textValue(row.idr_roomblockid);
    const owner = idValue(row._idr_opportunity_value);
    if ((id && block.id && normalizeGuid(id) === block.id) || !owner || owner === block.opportunityId)
      continue;
    if (!released.has(owner)) {
      const quotation = (await client.retrieve(opportunity.entitySetName, owner, [
        opportunity.columns.idr_phase,
      ])) as opportunityRecord | null;
      const phase = quotation ? readPhase(quotation) : 'lost';
      released.set(owner, phase === 'lost' || phase === 'cancelled');
    }
    if (!released.get(owner)) sum += row.idr_rooms ?? 0;
  }
  return sum;
}

/** Refuses a block for a night its quotation's stay does not cover. */
async function guardStay(client: DataverseClient, block: BlockAfterSave): Promise<void> {
  if (!block.opportunityId || !block.night) return;
  const quotation = (await client.retrieve(opportunity.entitySetName, block.opportunityId, [
    opportunity.columns.idr_arrivaldate,
    opportunity.columns.idr_nights,
    opportunity.columns.idr_departuredate,
  ])) as opportunityRecord | null;
  if (!quotation) return;
  const stay = stayNightsOf(
    settledStay(
      {
        arrival: dateValue(quotation.idr_arrivaldate),
        nights: quotation.idr_nights ?? null,
        departure: dateValue(quotation.idr_departuredate),
      },
      [],
    ),
  );
  if (stay && !isNightOfStay(block.night, stay))
    throw new RoomBlockRefusal(blockOutsideStayText(block.night, stay), B.idr_night);
}

export async function guardRoomBlock(ctx: ExecutionContext, deps: HandlerDeps): Promise<void> {
  const block = await blockAfterSave(ctx, deps);
  if (!block?.active) return;
  await guardStay(deps.client, block);
  if (!block.roomTypeId || !block.night || block.rooms === null) return;
  const type = (await deps.client.retrieve(idr_hotelroomtype.entitySetName, block.roomTypeId, [
    T.idr_name,
    T.idr_rooms,
    lookupValueName(T.idr_hotel),
  ])) as idr_hotelroomtypeRecord | null;
  if (!type) return;
  const typeHotel = idValue(type._idr_hotel_value);
  const hotel = typeHotel
    ? ((await deps.client.retrieve(idr_hotel.entitySetName, typeHotel, [
        idr_hotel.columns.idr_name,
      ])) as idr_hotelRecord | null)
    : null;
  const typeName = `${textValue(hotel?.idr_name) ?? ''} · ${textValue(type.idr_name) ?? ''}`;
  if (block.hotelId && typeHotel && block.hotelId !== typeHotel)
    throw new RoomBlockRefusal(
      {
        en: `The room type ${typeName} belongs to another hotel than the block's; choose one of the block's hotel.`,
        es: `El tipo de habitación ${typeName} es de otro hotel que el del bloqueo; elija uno del hotel del bloqueo.`,
      },
      B.idr_roomtype,
    );
  const over = checkRoomBlock({
    type: { name: typeName, rooms: type.idr_rooms ?? 0 },
    night: block.night,
    requested: block.rooms,
    blockedByOthers: await blockedByOthers(deps.client, block, block.night, block.roomTypeId),
  });
  if (over) throw new RoomBlockRefusal(overbookingText(over), B.idr_rooms);
}

/** Alias of the Delete step's pre-image (idr_opportunity): a deleted block can no longer be read. */
export const ROOM_BLOCK_PRE_IMAGE = 'PreImage';

async function quotationOfBlock(ctx: ExecutionContext, deps: HandlerDeps): Promise<string | null> {
  if (ctx.messageName === 'Delete') {
    const image = ctx.preEntityImages.get(ROOM_BLOCK_PRE_IMAGE);
    const reference = image ? getReference(image, B.idr_opportunity) : null;
    return reference ? normalizeGuid(reference.id) : null;
  }
  const raw = ctx.primaryEntityId ?? targetEntity(ctx)?.id ?? null;
  const id = raw && normalizeGuid(raw);
  if (!id) return null;
  const row = (await deps.client.retrieve(idr_roomblock.entitySetName, id, [
    lookupValueName(B.idr_opportunity),
  ])) as idr_roomblockRecord | null;
  return row && idValue(row._idr_opportunity_value);
}

export function createRoomBlockHandlers(options: { settings?: SettingsSource } = {}): HandlerDefinition[] {
  const settings = options.settings ?? (() => DEFAULT_SETTINGS);
  const entity = idr_roomblock.logicalName;
  const guard = { solution: SOLUTION, entity, stage: 20, mode: 0, handle: guardRoomBlock } as const;
  const total = async (ctx: ExecutionContext, deps: HandlerDeps): Promise<void> => {
    const opportunityId = await quotationOfBlock(ctx, deps);
    if (!opportunityId) return;
    const now = ctx.operationCreatedOn ?? deps.clock();
    await enforceOpportunity(
      {
        opportunityId,
        changed: [],
        isCreate: false,
        today: dateOnlyFromDate(now, { timeZone: settings().timeZone }),
        savedAt: now,
        savedBy: ctx.initiatingUserId ?? ctx.userId,
      },
      { client: deps.client, logger: deps.logger, settings },
    );
  };
  const async = { solution: SOLUTION, entity, stage: 40, mode: 1, handle: total } as const;
  return [
    defineHandler({ ...guard, message: 'Create' }),
    defineHandler({ ...guard, message: 'Update', filteringAttributes: ROOM_BLOCK_GUARD_ATTRIBUTES }),
    defineHandler({ ...async, message: 'Create' }),
    defineHandler({ ...async, message: 'Update', filteringAttributes: ROOM_BLOCK_TOTAL_ATTRIBUTES }),
    defineHandler({ ...async, message: 'Delete' }),
  ];
}
