/**
 * Reads an agency's rooming list: CSV (comma or semicolon, UTF-8, as Excel saves it in English or
 * Spanish locales) or Excel .xlsx (the first sheet; read with jszip and fast-xml-parser, which the
 * project already has, as the file is zipped XML: ECMA-376 Part 1, SpreadsheetML). The header row names the
 * columns in English or Spanish; the row numbers are the spreadsheet's (the header is row 1).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import JSZip from 'jszip';
import {
  formatDateOnly,
  fromDayNumber,
  type RoomingRow,
  toDayNumber,
  dateOnly,
} from '../../domain/quotation';

type Field = 'room' | 'roomType' | 'guest' | 'arrival' | 'departure';

/** Header names per field, without accents and in lower case. */
const HEADERS: Readonly<Record<Field, readonly string[]>> = {
  room: ['room', 'room no', 'room number', 'habitacion', 'hab', 'n habitacion', 'numero de habitacion'],
  roomType: ['room type', 'type', 'tipo', 'tipo de habitacion', 'tipo habitacion'],
  guest: ['guest', 'guest name', 'name', 'huesped', 'nombre', 'nombre del huesped'],
  arrival: ['arrival', 'check-in', 'checkin', 'check in', 'llegada', 'entrada'],
  departure: ['departure', 'check-out', 'checkout', 'check out', 'salida'],
};
const REQUIRED: readonly Field[] = ['room', 'roomType', 'guest'];

/** The file cannot be read as a rooming list; the message says what to change in it. */
export class RoomingFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} cannot be read as a rooming list: ${reason}`);
    this.name = 'RoomingFileError';
  }
}

const plain = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[º°.]/g, '')
    .trim()
    .toLowerCase();

function columnsOf(header: readonly string[], file: string): Partial<Record<Field, number>> {
  const at: Partial<Record<Field, number>> = {};
  header.forEach((name, i) => {
    const field = (Object.keys(HEADERS) as Field[]).find((f) => HEADERS[f].includes(plain(name)));
    if (field && at[field] === undefined) at[field] = i;
  });
  const missing = REQUIRED.filter((f) => at[f] === undefined);
  if (missing.length > 0)
    throw new RoomingFileError(
      file,
      `the first row must name the columns Room, Room Type and Guest (or Habitación, Tipo, Huésped); ` +
        `optional Arrival and Departure (Llegada, Salida). Found: ${header.join(', ') || 'nothing'}.`,
    );
  return at;
}

function toRows(table: readonly { row: number; cells: readonly string[] }[], file: string): RoomingRow[] {
  const [head, ...body] = table;
  if (!head) throw new RoomingFileError(file, 'it is empty.');
  const at = columnsOf(head.cells, file);
  const cell = (cells: readonly string[], field: Field): string => {
    const i = at[field];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  return body
    .filter((r) => r.cells.some((c) => c.trim() !== ''))
    .map((r) => ({
      row: r.row,
      room: cell(r.cells, 'room'),
      roomType: cell(r.cells, 'roomType'),
      guest: cell(r.cells, 'guest'),
      arrival: cell(r.cells, 'arrival'),
      departure: cell(r.cells, 'departure'),
    }));
}

export function parseRoomingCsv(text: string, file = 'the file'): RoomingRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  // Excel in Spanish (and most European) locales saves CSV with semicolons.
  const delimiter = (firstLine.match(/;/g) ?? []).length > (firstLine.match(/,/g) ?? []).length ? ';' : ',';
  let records: string[][];
  try {
    records = parse(body, { delimiter, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    throw new RoomingFileError(file, error instanceof Error ? error.message : String(error));
  }
  return toRows(
    records.map((cells, i) => ({ row: i + 1, cells })),
    file,
  );
}

const EXCEL_EPOCH = toDayNumber(dateOnly(1899, 12, 30));

function columnIndex(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)?.[0] ?? 'A';
  return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
}

type XmlNode = Record<string, unknown>;
const asArray = (value: unknown): XmlNode[] =>
  value === undefined || value === null ? [] : ((Array.isArray(value) ? value : [value]) as XmlNode[]);
const textOf = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return textOf((value as XmlNode)['#text']);
  return typeof value === 'string' ? value : JSON.stringify(value);
};

export async function parseRoomingXlsx(bytes: Uint8Array, file = 'the file'): Promise<RoomingRow[]> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new RoomingFileError(file, 'it is not an Excel workbook (.xlsx); save it as .xlsx or CSV.');
  }
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
  const sheet = zip.file('xl/worksheets/sheet1.xml');
  if (!sheet) throw new RoomingFileError(file, 'the workbook has no first sheet (xl/worksheets/sheet1.xml).');
  const sharedFile = zip.file('xl/sharedStrings.xml');
  let shared: string[] = [];
  if (sharedFile) {
    const sst = (xml.parse(await sharedFile.async('string')) as { sst?: XmlNode }).sst;
    shared = asArray(sst?.si).map((si) =>
      si.t !== undefined
        ? textOf(si.t)
        : asArray(si.r)
            .map((r) => textOf(r.t))
            .join(''),
    );
  }
  const doc = xml.parse(await sheet.async('string')) as { worksheet?: { sheetData?: { row?: unknown } } };
  const table = asArray(doc.worksheet?.sheetData?.row).map((row) => {
    const cells: string[] = [];
    for (const c of asArray(row.c)) {
      const type = c['@t'];
      const raw = type === 'inlineStr' ? textOf((c.is as XmlNode | undefined)?.t) : textOf(c.v);
      cells[columnIndex(textOf(c['@r']) || 'A')] = type === 's' ? (shared[Number(raw)] ?? '') : raw;
    }
    return { row: Number(textOf(row['@r'])), cells: Array.from(cells, (v) => v ?? '') };
  });
  const rows = toRows(table, file);
  // Excel keeps a date as a day count from 1899-12-30; a number in a date column is one.
  const asDate = (text: string): string =>
    /^\d+(\.\d+)?$/.test(text) ? formatDateOnly(fromDayNumber(EXCEL_EPOCH + Math.floor(Number(text)))) : text;
  return rows.map((r) => ({ ...r, arrival: asDate(r.arrival), departure: asDate(r.departure) }));
}

/** Reads a .csv or .xlsx rooming list from disk. */
export async function readRoomingFile(file: string): Promise<RoomingRow[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new RoomingFileError(file, error instanceof Error ? error.message : String(error));
  }
  if (path.extname(file).toLowerCase() === '.xlsx') return parseRoomingXlsx(bytes, file);
  return parseRoomingCsv(bytes.toString('utf8'), file);
}
