/**
 * The Room Block main form: warns on the Rooms field, as the room type, night or rooms change, when
 * the block would overbook the night (the same rule and text as the synchronous step on the server,
 * domain/quotation rooms.ts), and keeps such a block from being saved. A block that fills the night to
 * the near-full threshold (environment variable idr_NearFullPercent, 90 % by default) gets a form
 * warning that does not stop the save (a field notification would: "setNotification", Client API).
 * A night outside the quotation's stay is told on the Night field and kept from being saved too. Dataverse shows a user only a
 * generic error when a synchronous webhook refuses a save ("Use webhooks…", Troubleshoot), so the
 * free rooms have to be told here; the server still refuses API callers.
 */
import type { DataverseReader, TableNames } from '../../dataverse/adapters/webapi-client';
// Names modules, imported as namespaces: the bundle keeps only the names this file reads.
import { QuotationPhase } from '../../dataverse/generated/choices';
import * as hotelTable from '../../dataverse/generated/names/idr_hotel';
import * as T from '../../dataverse/generated/names/idr_hotelroomtype';
import * as B from '../../dataverse/generated/names/idr_roomblock';
import * as O from '../../dataverse/generated/names/opportunity';
import * as D from '../../dataverse/generated/names/environmentvariabledefinition';
import * as V from '../../dataverse/generated/names/environmentvariablevalue';
import { readEnvironmentVariable } from '../../dataverse/environment-variables';
import {
  blockOutsideStayMessage,
  checkNearFull,
  isNightOfStay,
  stayNightsOf,
  checkRoomBlock,
  NEAR_FULL_PERCENT,
  NEAR_FULL_PERCENT_VARIABLE,
  nearFullMessage,
  overbookingMessage,
  parseNearFullPercent,
  type RoomBlockCheck,
} from '../../domain/quotation/rooms';
import {
  type DateOnly,
  formatDateOnly,
  localDateOnly,
  tryParseDateOnly,
} from '../../domain/quotation/dateonly';
import { departureFor, isValidNights } from '../../domain/quotation/stay';
import { type Language, languageFromLcid } from '../../domain/quotation/language';
import { fillTemplate } from '../../domain/quotation/messages';
import type { RoomBlockStringKey } from './messages';

/** The `tables` option of the form's Xrm.WebApi client: the tables the script reads, name by name (a namespace object passed whole would keep every column name in the bundle). */
export const FORM_TABLES: Readonly<Record<string, Pick<TableNames, 'logicalName'>>> = {
  [B.entitySetName]: { logicalName: B.logicalName },
  [T.entitySetName]: { logicalName: T.logicalName },
  [hotelTable.entitySetName]: { logicalName: hotelTable.logicalName },
  [O.entitySetName]: { logicalName: O.logicalName },
  [D.entitySetName]: { logicalName: D.logicalName },
  [V.entitySetName]: { logicalName: V.logicalName },
};

export const ROOMS_NOTIFICATION_ID = 'idr.roomblock.rooms';
export const SAVE_NOTIFICATION_ID = 'idr.roomblock.save';
export const NEAR_FULL_NOTIFICATION_ID = 'idr.roomblock.nearfull';
export const NIGHT_NOTIFICATION_ID = 'idr.roomblock.night';

export interface RoomBlockFormDependencies {
  client: () => DataverseReader;
  /**
   * A text of the script in the user's language, by key (`Xrm.Utility.getResourceString` over the
   * `idr_/roomblock/strings` RESX web resources; messages.ts holds the catalog).
   */
  text: (key: RoomBlockStringKey) => string;
}

export interface RoomBlockFormHandlers {
  onLoad: (executionContext: Xrm.Events.EventContext) => Promise<void>;
  onChange: (executionContext: Xrm.Events.EventContext) => Promise<void>;
  onSave: (executionContext: Xrm.Events.SaveEventContext) => void;
}

type Form = Xrm.FormContext;

function lookupId(form: Form, name: string): string | null {
  const value = form.getAttribute(name)?.getValue() as Xrm.LookupValue[] | null | undefined;
  const id = value?.[0]?.id;
  return id ? id.replace(/[{}]/g, '').toLowerCase() : null;
}

function nightOf(form: Form): DateOnly | null {
  const value: unknown = form.getAttribute(B.idr_night)?.getValue();
  return value instanceof Date && !Number.isNaN(value.getTime()) ? localDateOnly(value) : null;
}

function roomsOf(form: Form): number | null {
  const value: unknown = form.getAttribute(B.idr_rooms)?.getValue();
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const idOf = (row: Record<string, unknown>, column: string): string => {
  const value = row[column];
  return typeof value === 'string' ? value.replace(/[{}]/g, '').toLowerCase() : '';
};

/** The block's room type that night as the server's guard sees it, or null while the form lacks a value. */
async function readNight(form: Form, client: DataverseReader): Promise<RoomBlockCheck | null> {
  const roomTypeId = lookupId(form, B.idr_roomtype);
  const night = nightOf(form);
  const requested = roomsOf(form);
  if (!roomTypeId || !night || requested === null) return null;
  const type = await client.retrieve(T.entitySetName, roomTypeId, [
    T.idr_name,
    T.idr_rooms,
    `_${T.idr_hotel}_value`,
  ]);
  if (!type) return null;
  const hotelId = idOf(type, `_${T.idr_hotel}_value`);
  const hotel = hotelId
    ? await client.retrieve(hotelTable.entitySetName, hotelId, [hotelTable.idr_name])
    : null;
  const self = form.data.entity.getId().replace(/[{}]/g, '').toLowerCase();
  const quotation = lookupId(form, B.idr_opportunity);
  const others = await client.retrieveMultiple(B.entitySetName, {
    select: [B.primaryIdAttribute, B.idr_rooms, `_${B.idr_opportunity}_value`],
    filter: `_${B.idr_roomtype}_value eq ${roomTypeId} and ${B.idr_night} eq ${formatDateOnly(night)}`,
  });
  let blockedByOthers = 0;
  const released = new Map<string, boolean>();
  for (const row of others) {
    const owner = idOf(row, `_${B.idr_opportunity}_value`);
    if (idOf(row, B.primaryIdAttribute) === self || !owner || owner === quotation) continue;
    if (!released.has(owner)) {
      const q = await client.retrieve(O.entitySetName, owner, [O.idr_phase]);
      const phase = q?.[O.idr_phase];
      released.set(owner, !q || phase === QuotationPhase.Lost || phase === QuotationPhase.Cancelled);
    }
    if (!released.get(owner)) blockedByOthers += Number(row[B.idr_rooms] ?? 0);
  }
  return {
    type: {
      name: `${String(hotel?.[hotelTable.idr_name] ?? '')} · ${String(type[T.idr_name] ?? '')}`,
      rooms: Number(type[T.idr_rooms] ?? 0),
    },
    night,
    requested,
    blockedByOthers,
  };
}

/** Why the server would refuse this night (outside the quotation's stay), or null. */
async function outsideStay(
  form: Form,
  client: DataverseReader,
  language: Language,
  text: (key: RoomBlockStringKey) => string,
): Promise<string | null> {
  const quotationId = lookupId(form, B.idr_opportunity);
  const night = nightOf(form);
  if (!quotationId || !night) return null;
  const quotation = await client.retrieve(O.entitySetName, quotationId, [
    O.idr_arrivaldate,
    O.idr_nights,
    O.idr_departuredate,
  ]);
  const textOf = (column: string): string | null => {
    const value = quotation?.[column];
    return typeof value === 'string' ? value : null;
  };
  const arrival = tryParseDateOnly(textOf(O.idr_arrivaldate));
  const nights = quotation?.[O.idr_nights];
  const departure =
    tryParseDateOnly(textOf(O.idr_departuredate)) ??
    (arrival && typeof nights === 'number' && isValidNights(nights) ? departureFor(arrival, nights) : null);
  const stay = stayNightsOf({ arrival, departure });
  return stay && !isNightOfStay(night, stay) ? blockOutsideStayMessage(night, stay, language, text) : null;
}

export function createRoomBlockForm(dependencies: RoomBlockFormDependencies): RoomBlockFormHandlers {
  // The last check's message per open form (keyed by its ui object), for OnSave, which cannot wait.
  const problems = new WeakMap<object, string>();
  const { text } = dependencies;

  const check = async (context: Xrm.Events.EventContext): Promise<void> => {
    const form = context.getFormContext();
    const language = languageFromLcid(context.getContext().userSettings.languageId);
    const client = dependencies.client();
    const night = await readNight(form, client);
    const over = night && checkRoomBlock(night);
    const overbooked = over ? overbookingMessage(over, language, text) : null;
    const outside = await outsideStay(form, client, language, text);
    form.getAttribute(B.idr_night)?.controls.forEach((control) => {
      if (outside) control.setNotification(outside, NIGHT_NOTIFICATION_ID);
      else control.clearNotification(NIGHT_NOTIFICATION_ID);
    });
    const message = outside ?? overbooked;
    const nearFull =
      night &&
      checkNearFull(
        night,
        parseNearFullPercent(await readEnvironmentVariable(client, NEAR_FULL_PERCENT_VARIABLE)) ??
          NEAR_FULL_PERCENT,
      );
    if (nearFull)
      form.ui.setFormNotification(
        nearFullMessage(nearFull, language, text),
        'WARNING',
        NEAR_FULL_NOTIFICATION_ID,
      );
    else form.ui.clearFormNotification(NEAR_FULL_NOTIFICATION_ID);
    form.getAttribute(B.idr_rooms)?.controls.forEach((control) => {
      if (overbooked) control.setNotification(overbooked, ROOMS_NOTIFICATION_ID);
      else control.clearNotification(ROOMS_NOTIFICATION_ID);
    });
    if (message) problems.set(form.ui, fillTemplate(text('form.cannotSave'), { reason: message }));
    else {
      problems.delete(form.ui);
      form.ui.clearFormNotification(SAVE_NOTIFICATION_ID);
    }
  };

  return {
    onLoad: check,
    onChange: check,
    onSave: (context) => {
      const form = context.getFormContext();
      const problem = problems.get(form.ui);
      if (!problem) return;
      context.getEventArgs().preventDefault();
      form.ui.setFormNotification(problem, 'ERROR', SAVE_NOTIFICATION_ID);
    },
  };
}
