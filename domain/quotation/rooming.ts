/**
 * The agency's rooming list checked against the quotation's room blocks: each row is one guest in one
 * room (the agency's label: guests with the same label share it) for the nights from arrival to
 * departure (the quotation's stay when the row gives none). A row is placed whole or not at all:
 * every night it asks for must have its room type blocked, a free blocked room (rooms in use never
 * exceed the block) and a bed (guests per room never exceed the room type's capacity). Rows are taken
 * in file order, so the row that first goes over a limit is the one reported.
 */
import { addDays, type DateOnly, daysBetween, formatDateOnly, tryParseDateOnly } from './dateonly';
import { formatDate } from './language';

/** Guests per room when the room type does not say. */
export const DEFAULT_ROOM_CAPACITY = 2;

export interface RoomingRow {
  /** Line of the file the row starts on, as a person counts (header = 1). */
  row: number;
  room: string;
  /** The room type's code (e.g. DBL) or name, as the agency wrote it. */
  roomType: string;
  guest: string;
  /** YYYY-MM-DD or DD/MM/YYYY; empty means the quotation's arrival / departure. */
  arrival: string;
  departure: string;
}

export interface BlockForRooming {
  blockId: string;
  roomTypeId: string;
  roomTypeCode: string;
  roomTypeName: string;
  night: DateOnly;
  rooms: number;
  /** Guests per room; null means DEFAULT_ROOM_CAPACITY. */
  capacity: number | null;
}

export interface PlacedGuestNight {
  row: number;
  guest: string;
  room: string;
  night: DateOnly;
  blockId: string;
  roomTypeId: string;
}

export interface RejectedRow {
  row: number;
  guest: string;
  reason: { en: string; es: string };
}

export interface RoomingResult {
  placed: PlacedGuestNight[];
  /** Rows placed (each gives one entry per night). */
  placedRows: number;
  rejected: RejectedRow[];
}

const EU_DATE = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/;

/** YYYY-MM-DD, or DD/MM/YYYY as Spanish and most European agencies write dates. */
export function parseRoomingDate(text: string): DateOnly | null {
  const trimmed = text.trim();
  const eu = EU_DATE.exec(trimmed);
  if (eu) return tryParseDateOnly(`${eu[3]}-${eu[2].padStart(2, '0')}-${eu[1].padStart(2, '0')}`);
  return tryParseDateOnly(trimmed);
}

const norm = (text: string): string => text.trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');

function reason(en: string, es: string): { en: string; es: string } {
  return { en, es };
}

/** Checks every row against the blocks; pure: the caller stores what is placed. */
export function checkRoomingList(
  rows: readonly RoomingRow[],
  blocks: readonly BlockForRooming[],
  stay: { arrival: DateOnly | null; departure: DateOnly | null },
): RoomingResult {
  const blockAt = new Map<string, BlockForRooming>();
  const typeByLabel = new Map<string, BlockForRooming>();
  for (const block of blocks) {
    blockAt.set(`${block.roomTypeId}|${formatDateOnly(block.night)}`, block);
    typeByLabel.set(norm(block.roomTypeCode), block);
    typeByLabel.set(norm(block.roomTypeName), block);
  }
  const blockedCodes = [...new Set(blocks.map((b) => b.roomTypeCode))].sort().join(', ') || '—';
  // What the rows placed so far hold: the type of each room, guests per room and night, rooms per block.
  const roomType = new Map<string, { roomTypeId: string; code: string; row: number }>();
  const guestsIn = new Map<string, number>();
  const guestAt = new Map<string, string>();
  const roomsUsed = new Map<string, Set<string>>();
  const placed: PlacedGuestNight[] = [];
  const rejected: RejectedRow[] = [];
  let placedRows = 0;

  const check = (r: RoomingRow): { en: string; es: string } | PlacedGuestNight[] => {
    const guest = r.guest.trim();
    const room = r.room.trim();
    if (guest === '') return reason('no guest name', 'falta el nombre del huésped');
    if (room === '') return reason('no room', 'falta la habitación');
    const type = typeByLabel.get(norm(r.roomType));
    if (!type)
      return reason(
        `room type "${r.roomType.trim()}" is not blocked on this quotation (blocked: ${blockedCodes})`,
        `el tipo de habitación "${r.roomType.trim()}" no está bloqueado en esta cotización (bloqueados: ${blockedCodes})`,
      );
    const arrival = r.arrival.trim() === '' ? stay.arrival : parseRoomingDate(r.arrival);
    const departure = r.departure.trim() === '' ? stay.departure : parseRoomingDate(r.departure);
    if (!arrival || !departure)
      return reason(
        `arrival "${r.arrival}" or departure "${r.departure}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`,
        `la llegada "${r.arrival}" o la salida "${r.departure}" no es una fecha (AAAA-MM-DD o DD/MM/AAAA)`,
      );
    const nights = daysBetween(arrival, departure);
    if (nights <= 0)
      return reason(
        `departure ${formatDate(departure, 'en')} is not after arrival ${formatDate(arrival, 'en')}`,
        `la salida ${formatDate(departure, 'es')} no es posterior a la llegada ${formatDate(arrival, 'es')}`,
      );
    const known = roomType.get(norm(room));
    if (known && known.roomTypeId !== type.roomTypeId)
      return reason(
        `room ${room} is a ${known.code} in row ${known.row}, not a ${type.roomTypeCode}`,
        `la habitación ${room} es ${known.code} en la fila ${known.row}, no ${type.roomTypeCode}`,
      );
    const out: PlacedGuestNight[] = [];
    for (let i = 0; i < nights; i++) {
      const night = addDays(arrival, i);
      const day = formatDateOnly(night);
      const block = blockAt.get(`${type.roomTypeId}|${day}`);
      const en = formatDate(night, 'en');
      const es = formatDate(night, 'es');
      if (!block)
        return reason(
          `no ${type.roomTypeCode} rooms are blocked on the night of ${en}`,
          `no hay habitaciones ${type.roomTypeCode} bloqueadas la noche del ${es}`,
        );
      const already = guestAt.get(`${norm(guest)}|${day}`);
      if (already !== undefined)
        return reason(
          `${guest} is already in room ${already} on the night of ${en}`,
          `${guest} ya está en la habitación ${already} la noche del ${es}`,
        );
      const used = roomsUsed.get(block.blockId) ?? new Set<string>();
      if (!used.has(norm(room)) && used.size >= block.rooms)
        return reason(
          `all ${block.rooms} ${type.roomTypeCode} room(s) blocked on the night of ${en} are already filled`,
          `las ${block.rooms} habitación(es) ${type.roomTypeCode} bloqueadas la noche del ${es} ya están ocupadas`,
        );
      const capacity = block.capacity ?? DEFAULT_ROOM_CAPACITY;
      if ((guestsIn.get(`${norm(room)}|${day}`) ?? 0) >= capacity)
        return reason(
          `room ${room} already has ${capacity} guest(s) on the night of ${en} (a ${type.roomTypeCode} takes ${capacity})`,
          `la habitación ${room} ya tiene ${capacity} huésped(es) la noche del ${es} (una ${type.roomTypeCode} admite ${capacity})`,
        );
      out.push({ row: r.row, guest, room, night, blockId: block.blockId, roomTypeId: type.roomTypeId });
    }
    return out;
  };

  for (const r of rows) {
    const result = check(r);
    if (!Array.isArray(result)) {
      rejected.push({ row: r.row, guest: r.guest.trim(), reason: result });
      continue;
    }
    placedRows++;
    const room = norm(r.room);
    const first = result[0];
    if (!roomType.has(room) && first)
      roomType.set(room, {
        roomTypeId: first.roomTypeId,
        code: blocks.find((b) => b.roomTypeId === first.roomTypeId)?.roomTypeCode ?? '',
        row: r.row,
      });
    for (const p of result) {
      const day = formatDateOnly(p.night);
      guestsIn.set(`${room}|${day}`, (guestsIn.get(`${room}|${day}`) ?? 0) + 1);
      guestAt.set(`${norm(p.guest)}|${day}`, p.room);
      const used = roomsUsed.get(p.blockId) ?? new Set<string>();
      used.add(room);
      roomsUsed.set(p.blockId, used);
      placed.push(p);
    }
  }
  return { placed, placedRows, rejected };
}
