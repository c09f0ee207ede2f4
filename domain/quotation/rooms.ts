/**
 * Room blocks and occupancy. A quotation holds rooms per room type and night (`idr_roomblock`); when
 * it has any, its total is the sum of rooms × rate per night, exact in minor units as pricing.ts
 * computes money. Occupancy is counted per room type (a room type belongs to one hotel) and night
 * against the hotel's inventory; a block that would take a night past it is refused, and a night at
 * or above NEAR_FULL_PERCENT is reported as close to full.
 */
import { compareDates, type DateOnly, formatDateOnly, isBefore } from './dateonly';
import { InvalidAmountError } from './errors';
import { formatDate, formatPercent, type Language, LANGUAGES } from './language';
import { fillTemplate } from './messages';
import { DEFAULT_PRECISION, fromMinorUnits, toMinorUnits } from './pricing';

export type RoomStringKey =
  'rooms.overbooked' | 'rooms.nearFull' | 'rooms.outsideStay' | 'rooms.stayLeavesBlocks';

/**
 * The one catalog of the room block checks' texts. The server renders from it directly;
 * `webresources/build.ts` writes it out as the Room Block form's RESX web resources, so the form
 * script carries keys, not sentences. Placeholders are `{name}` (messages.ts `fillTemplate`).
 */
export const ROOM_STRINGS: Record<Language, Record<RoomStringKey, string>> = {
  en: {
    'rooms.overbooked':
      '{name} on the night of {night} would be overbooked: {requested} room(s) asked, ' +
      '{blockedByOthers} of {inventory} already blocked by other quotations, {free} free. ' +
      'Block at most {free}, or another room type or night.',
    'rooms.nearFull':
      '{name} on the night of {night} will be {percent} full with this block: ' +
      '{blocked} of {inventory} rooms blocked, {free} left.',
    'rooms.outsideStay':
      "The night of {night} is outside the quotation's stay (arrival {arrival}, departure {departure}): " +
      'rooms can be blocked from the arrival night to the night before the departure.',
    'rooms.stayLeavesBlocks':
      "The new stay (arrival {arrival}, departure {departure}) would leave this quotation's room blocks for the night(s) of {nights} outside it. " +
      'Move or delete those blocks first, or keep dates that include them.',
  },
  es: {
    'rooms.overbooked':
      '{name} la noche del {night} quedaría sobrevendido: se piden {requested} habitación(es), ' +
      '{blockedByOthers} de {inventory} ya bloqueadas por otras cotizaciones, {free} libres. ' +
      'Bloquee como máximo {free}, u otro tipo de habitación u otra noche.',
    'rooms.nearFull':
      '{name} la noche del {night} quedará al {percent} con este bloqueo: ' +
      '{blocked} de {inventory} habitaciones bloqueadas, quedan {free}.',
    'rooms.outsideStay':
      'La noche del {night} está fuera de la estancia de la cotización (llegada {arrival}, salida {departure}): ' +
      'se pueden bloquear habitaciones desde la noche de llegada hasta la noche anterior a la salida.',
    'rooms.stayLeavesBlocks':
      'La nueva estancia (llegada {arrival}, salida {departure}) dejaría fuera los bloqueos de habitaciones de esta cotización para la(s) noche(s) del {nights}. ' +
      'Mueva o elimine antes esos bloqueos, o mantenga unas fechas que los incluyan.',
  },
};

/** A room text by key in one language: the catalog on the server, `getResourceString` in a form. */
export type RoomText = (key: RoomStringKey) => string;

function inEveryLanguage(render: (language: Language, text: RoomText) => string): Record<Language, string> {
  const texts = {} as Record<Language, string>;
  for (const language of LANGUAGES) texts[language] = render(language, (key) => ROOM_STRINGS[language][key]);
  return texts;
}

/**
 * From this share of a room type's inventory blocked, a night is shown as close to full: the default
 * of the solution's environment variable NEAR_FULL_PERCENT_VARIABLE, which admins can change.
 */
export const NEAR_FULL_PERCENT = 90;
/** Schema name of the IdearioGroupQuotes environment variable holding the near-full threshold. */
export const NEAR_FULL_PERCENT_VARIABLE = 'idr_NearFullPercent';

/** The threshold from the environment variable's text: a number from 1 to 100, or null when it is not one. */
export function parseNearFullPercent(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && value <= 100 ? value : null;
}

export interface RoomBlockLine {
  rooms: number;
  /** Price of one room that night; an empty rate counts as 0. */
  rate: number | null;
}

/**
 * The quotation total from its room blocks: Σ rooms × rate, rounded once per block to the currency.
 * null when there are no blocks (the total then comes from persons × price, pricing.ts).
 */
export function roomBlocksTotal(
  blocks: readonly RoomBlockLine[],
  precision = DEFAULT_PRECISION,
): number | null {
  if (blocks.length === 0) return null;
  let minor = 0;
  for (const block of blocks) {
    if (!Number.isInteger(block.rooms) || block.rooms < 0)
      throw new InvalidAmountError('rooms', block.rooms, 'a whole number ≥ 0');
    const rate = block.rate ?? 0;
    if (!Number.isFinite(rate) || rate < 0) throw new InvalidAmountError('rate', rate, 'an amount ≥ 0');
    minor += block.rooms * toMinorUnits(rate, precision);
  }
  if (!Number.isSafeInteger(minor))
    throw new InvalidAmountError('total', minor, 'a total that can be counted');
  return fromMinorUnits(minor, precision);
}

export interface RoomTypeInventory {
  roomTypeId: string;
  hotelId: string;
  /** What users see: "Hotel Sol · Double". */
  name: string;
  rooms: number;
}

export interface BlockedRooms {
  roomTypeId: string;
  night: DateOnly;
  rooms: number;
}

export interface OccupancyCell {
  hotelId: string;
  roomTypeId: string;
  name: string;
  night: DateOnly;
  inventory: number;
  blocked: number;
  free: number;
  /** Blocked share of the inventory, 0–100 and above when overbooked; 100 for an empty inventory with blocks. */
  percent: number;
  nearFull: boolean;
  overbooked: boolean;
}

function percentOf(blocked: number, inventory: number): number {
  if (inventory === 0) return blocked > 0 ? 100 : 0;
  return Math.round((blocked * 1000) / inventory) / 10;
}

/** One hotel's night: the rooms blocked of every room type against all its rooms. */
export interface HotelNight {
  hotelId: string;
  name: string;
  night: DateOnly;
  inventory: number;
  blocked: number;
  /** Blocked share of the hotel's rooms, 0–100 (above when overbooked). */
  percent: number;
  nearFull: boolean;
}

/**
 * The occupancy plan per hotel and night, from the room types' cells: how full the whole hotel is
 * (a near-full room type can sit in a half-empty hotel), by hotel name then night.
 */
export function hotelOccupancy(
  inventory: readonly RoomTypeInventory[],
  cells: readonly OccupancyCell[],
  hotelNames: ReadonlyMap<string, string>,
  nearFullPercent = NEAR_FULL_PERCENT,
): HotelNight[] {
  const rooms = new Map<string, number>();
  for (const type of inventory) rooms.set(type.hotelId, (rooms.get(type.hotelId) ?? 0) + type.rooms);
  const nights = new Map<string, HotelNight>();
  for (const cell of cells) {
    const key = `${cell.hotelId}|${formatDateOnly(cell.night)}`;
    const total = rooms.get(cell.hotelId) ?? 0;
    const night = nights.get(key) ?? {
      hotelId: cell.hotelId,
      name: hotelNames.get(cell.hotelId) ?? cell.hotelId,
      night: cell.night,
      inventory: total,
      blocked: 0,
      percent: 0,
      nearFull: false,
    };
    night.blocked += cell.blocked;
    night.percent = percentOf(night.blocked, total);
    night.nearFull = night.percent >= nearFullPercent;
    nights.set(key, night);
  }
  return [...nights.values()].sort((a, b) =>
    a.name === b.name ? compareDates(a.night, b.night) : a.name < b.name ? -1 : 1,
  );
}

/** The occupancy plan: one cell per room type and night that has blocks, by room type name then night. */
export function occupancyPlan(
  inventory: readonly RoomTypeInventory[],
  blocks: readonly BlockedRooms[],
  nearFullPercent = NEAR_FULL_PERCENT,
): OccupancyCell[] {
  const byType = new Map(inventory.map((t) => [t.roomTypeId, t]));
  const sums = new Map<string, { roomTypeId: string; night: DateOnly; blocked: number }>();
  for (const block of blocks) {
    const key = `${block.roomTypeId}|${formatDateOnly(block.night)}`;
    const sum = sums.get(key) ?? { roomTypeId: block.roomTypeId, night: block.night, blocked: 0 };
    sum.blocked += block.rooms;
    sums.set(key, sum);
  }
  const cells: OccupancyCell[] = [];
  for (const { roomTypeId, night, blocked } of sums.values()) {
    const type = byType.get(roomTypeId);
    if (!type) continue;
    const percent = percentOf(blocked, type.rooms);
    cells.push({
      hotelId: type.hotelId,
      roomTypeId,
      name: type.name,
      night,
      inventory: type.rooms,
      blocked,
      free: type.rooms - blocked,
      percent,
      nearFull: percent >= nearFullPercent,
      overbooked: blocked > type.rooms,
    });
  }
  return cells.sort((a, b) =>
    a.name === b.name ? compareDates(a.night, b.night) : a.name < b.name ? -1 : 1,
  );
}

export interface Overbooking {
  name: string;
  night: DateOnly;
  inventory: number;
  /** Blocked by other quotations that night. */
  blockedByOthers: number;
  requested: number;
}

/** The overbooking a block would cause, or null when the night has room for it. */
/** A block about to be saved: its room type, night and rooms, and what other live quotations hold that night. */
export interface RoomBlockCheck {
  type: Pick<RoomTypeInventory, 'name' | 'rooms'>;
  night: DateOnly;
  requested: number;
  blockedByOthers: number;
}

export function checkRoomBlock(input: RoomBlockCheck): Overbooking | null {
  if (input.requested + input.blockedByOthers <= input.type.rooms) return null;
  return {
    name: input.type.name,
    night: input.night,
    inventory: input.type.rooms,
    blockedByOthers: input.blockedByOthers,
    requested: input.requested,
  };
}

/** What the salesperson reads when a block is refused, in the language of `text`. */
export function overbookingMessage(o: Overbooking, language: Language, text: RoomText): string {
  const free = Math.max(0, o.inventory - o.blockedByOthers);
  return fillTemplate(text('rooms.overbooked'), {
    name: o.name,
    night: formatDate(o.night, language),
    requested: String(o.requested),
    blockedByOthers: String(o.blockedByOthers),
    inventory: String(o.inventory),
    free: String(free),
  });
}

/** What the salesperson reads when a block is refused, in English and Spanish. */
export function overbookingText(o: Overbooking): Record<Language, string> {
  return inEveryLanguage((language, text) => overbookingMessage(o, language, text));
}

/** The nights a quotation's stay covers: from the arrival to the night before the departure. */
export interface StayNights {
  arrival: DateOnly;
  departure: DateOnly;
}

/** The stay rooms can be blocked for, or null while the quotation has no arrival and departure yet. */
export function stayNightsOf(stay: {
  arrival: DateOnly | null;
  departure: DateOnly | null;
}): StayNights | null {
  if (!stay.arrival || !stay.departure || !isBefore(stay.arrival, stay.departure)) return null;
  return { arrival: stay.arrival, departure: stay.departure };
}

/** True when a guest sleeps in the hotel that night: the departure day is not a night of the stay. */
export function isNightOfStay(night: DateOnly, stay: StayNights): boolean {
  return !isBefore(night, stay.arrival) && isBefore(night, stay.departure);
}

/** The nights (sorted, once each) that fall outside the stay. */
export function nightsOutsideStay(nights: readonly DateOnly[], stay: StayNights): DateOnly[] {
  const outside = new Map<string, DateOnly>();
  for (const night of nights) if (!isNightOfStay(night, stay)) outside.set(formatDateOnly(night), night);
  return [...outside.values()].sort(compareDates);
}

function stayParams(stay: StayNights, language: Language): Record<'arrival' | 'departure', string> {
  return { arrival: formatDate(stay.arrival, language), departure: formatDate(stay.departure, language) };
}

/** Why a block for a night outside its quotation's stay is refused, in the language of `text`. */
export function blockOutsideStayMessage(
  night: DateOnly,
  stay: StayNights,
  language: Language,
  text: RoomText,
): string {
  return fillTemplate(text('rooms.outsideStay'), {
    night: formatDate(night, language),
    ...stayParams(stay, language),
  });
}

/** Why a block for a night outside its quotation's stay is refused, in English and Spanish. */
export function blockOutsideStayText(night: DateOnly, stay: StayNights): Record<Language, string> {
  return inEveryLanguage((language, text) => blockOutsideStayMessage(night, stay, language, text));
}

/** Why new stay dates that would leave room blocks outside the stay are refused, in English and Spanish. */
export function stayLeavesBlocksText(
  nights: readonly DateOnly[],
  stay: StayNights,
): Record<Language, string> {
  return inEveryLanguage((language, text) =>
    fillTemplate(text('rooms.stayLeavesBlocks'), {
      nights: nights.map((n) => formatDate(n, language)).join(', '),
      ...stayParams(stay, language),
    }),
  );
}

export interface NearFull {
  name: string;
  night: DateOnly;
  inventory: number;
  /** Blocked that night once this block is saved, this block included. */
  blocked: number;
  percent: number;
}

/**
 * The near-full warning a block would bring (its room type that night at or above `thresholdPercent`
 * of the inventory once saved), or null. Overbooking is checkRoomBlock's refusal, not a warning.
 */
export function checkNearFull(input: RoomBlockCheck, thresholdPercent = NEAR_FULL_PERCENT): NearFull | null {
  const blocked = input.requested + input.blockedByOthers;
  if (input.requested <= 0 || blocked > input.type.rooms) return null;
  const percent = percentOf(blocked, input.type.rooms);
  if (percent < thresholdPercent) return null;
  return { name: input.type.name, night: input.night, inventory: input.type.rooms, blocked, percent };
}

/** The near-full warning the salesperson reads (not blocking), in the language of `text`. */
export function nearFullMessage(n: NearFull, language: Language, text: RoomText): string {
  return fillTemplate(text('rooms.nearFull'), {
    name: n.name,
    night: formatDate(n.night, language),
    percent: formatPercent(n.percent, language),
    blocked: String(n.blocked),
    inventory: String(n.inventory),
    free: String(n.inventory - n.blocked),
  });
}

/** The near-full warning the salesperson reads (not blocking), in English and Spanish. */
export function nearFullText(n: NearFull): Record<Language, string> {
  return inEveryLanguage((language, text) => nearFullMessage(n, language, text));
}
