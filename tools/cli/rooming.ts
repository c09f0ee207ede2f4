/**
 * `ideario rooming import <opportunity> <file>`: imports an agency's rooming list (CSV or .xlsx) into a
 * group quotation of the selected environment, with progress: guests checked against the quotation's
 * room blocks (plugins/handlers/groupquotes/rooming.ts), placed ones stored, bad rows printed with
 * their row number and reason and written to `<file>.errors.csv` (English and Spanish).
 * `ideario rooming occupancy [--from YYYY-MM-DD] [--days N]`: the occupancy plan per hotel room type and
 * night, nights close to full (90 % or more) and overbooked ones marked.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import {
  importRoomingList,
  NoRoomBlocksError,
  type RoomingImportProgress,
  type RoomingImportResult,
  RoomingQuotationNotFoundError,
} from '../../plugins/handlers/groupquotes/rooming';
import { readGroupQuotesSettings } from '../../plugins/handlers/groupquotes/settings';
import { type Occupancy, readOccupancy } from '../../plugins/handlers/groupquotes/occupancy';
import {
  addDays,
  dateOnlyFromDate,
  type DateOnly,
  formatDateOnly,
  tryParseDateOnly,
} from '../../domain/quotation';
import { RoomingFileError, readRoomingFile } from '../rooming/read';
import { runCommand, UserFacingError } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';
import { terminalBar } from './progress';

/** A file or quotation the user must fix, worded by the layer that found it. */
export class RoomingCommandError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'RoomingCommandError';
  }
}

export interface RoomingCommandDeps extends CommandDeps {
  progress?: { update(progress: RoomingImportProgress): void; stop(): void };
}

const csvCell = (text: string): string => {
  // A cell a spreadsheet would run as a formula is prefixed with ', as the PCF export does.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",;\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function errorsCsv(result: RoomingImportResult): string {
  const lines = ['row,guest,reason,motivo'];
  for (const r of result.rejected)
    lines.push([String(r.row), r.guest, r.reason.en, r.reason.es].map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

export function describeRoomingImport(result: RoomingImportResult, language: 'en' | 'es'): string[] {
  const es = language === 'es';
  const lines = [
    es
      ? `${result.placedRows} de ${result.rows} filas colocadas (${result.entries} huésped-noches), ${result.rejected.length} con errores` +
        (result.removed ? `, ${result.removed} huésped-noches de la lista anterior eliminadas` : '') +
        '.'
      : `${result.placedRows} of ${result.rows} rows placed (${result.entries} guest-nights), ${result.rejected.length} with errors` +
        (result.removed ? `, ${result.removed} guest-nights of the previous list removed` : '') +
        '.',
  ];
  for (const r of result.rejected)
    lines.push(
      `${es ? 'Fila' : 'Row'} ${r.row}${r.guest ? ` (${r.guest})` : ''}: ${es ? r.reason.es : r.reason.en}`,
    );
  if (result.receivedOn)
    lines.push(
      es
        ? `Rooming list recibida el ${result.receivedOn}: la cotización pasa a la fase Rooming list.`
        : `Rooming list received on ${result.receivedOn}: the quotation moves to the Rooming list phase.`,
    );
  return lines;
}

export async function runRoomingImportCommand(
  opportunityId: string,
  file: string,
  options: ConnectionFlags,
  deps: RoomingCommandDeps,
): Promise<number> {
  return runCommand('rooming import', deps.logger, async () => {
    const settings = readGroupQuotesSettings(deps.env);
    const client = commandClient(options, deps);
    let result: RoomingImportResult;
    try {
      const rows = await readRoomingFile(file);
      result = await importRoomingList(
        opportunityId
          .trim()
          .replace(/^\{|\}$/g, '')
          .toLowerCase(),
        rows,
        {
          client,
          clock: deps.clock,
          logger: deps.logger,
          timeZone: settings.timeZone,
          onProgress: (p) => deps.progress?.update(p),
        },
      );
    } catch (error) {
      if (
        error instanceof RoomingFileError ||
        error instanceof RoomingQuotationNotFoundError ||
        error instanceof NoRoomBlocksError
      )
        throw new RoomingCommandError(error.message);
      throw error;
    } finally {
      deps.progress?.stop();
    }
    for (const line of describeRoomingImport(result, settings.language)) deps.print(line);
    if (result.rejected.length > 0) {
      const errorsFile = `${file}.errors.csv`;
      await writeFile(errorsFile, errorsCsv(result), 'utf8');
      deps.print(
        settings.language === 'es'
          ? `Filas con errores en ${errorsFile}`
          : `Rows with errors in ${errorsFile}`,
      );
    }
    return 0;
  });
}

export function describeOccupancy(occupancy: Occupancy, language: 'en' | 'es'): string[] {
  const es = language === 'es';
  const cells = occupancy.roomTypes;
  if (cells.length === 0)
    return [es ? 'No hay habitaciones bloqueadas en esas fechas.' : 'No rooms are blocked on those dates.'];
  const width = Math.max(...[...cells, ...occupancy.hotels].map((c) => c.name.length));
  const line = (c: { night: DateOnly; name: string; blocked: number; inventory: number; percent: number }) =>
    `${formatDateOnly(c.night)}  ${c.name.padEnd(width)}  ${String(c.blocked).padStart(4)}/${String(c.inventory).padEnd(4)} ${String(c.percent).padStart(5)} %`;
  const near = es ? '  casi llena' : '  close to full';
  const over = es ? '  SOBREVENDIDA' : '  OVERBOOKED';
  return [
    ...cells.map((c) => line(c) + (c.overbooked ? over : c.nearFull ? near : '')),
    es ? 'Hotel completo (todos sus tipos de habitación):' : 'Whole hotel (all its room types):',
    ...occupancy.hotels.map((h) => line(h) + (h.percent > 100 ? over : h.nearFull ? near : '')),
  ];
}

export async function runOccupancyCommand(
  options: ConnectionFlags & { from?: string; days: string },
  deps: RoomingCommandDeps,
): Promise<number> {
  return runCommand('rooming occupancy', deps.logger, async () => {
    const settings = readGroupQuotesSettings(deps.env);
    const from =
      options.from === undefined
        ? dateOnlyFromDate(deps.clock(), { timeZone: settings.timeZone })
        : tryParseDateOnly(options.from);
    const days = Number(options.days);
    if (!from)
      throw new RoomingCommandError(`--from ${options.from ?? ''} is not a date: write it YYYY-MM-DD.`);
    if (!Number.isInteger(days) || days < 1 || days > 731)
      throw new RoomingCommandError(`--days ${options.days} must be a whole number of days from 1 to 731.`);
    const client = commandClient(options, deps);
    const occupancy = await readOccupancy(client, { from, to: addDays(from, days - 1) });
    for (const line of describeOccupancy(occupancy, settings.language)) deps.print(line);
    return 0;
  });
}

export function registerRooming(program: Command, logger: Logger): void {
  const rooming = program.command('rooming').description("Group quotations' rooming lists");
  const command = rooming
    .command('import <opportunity> <file>')
    .description(
      "Import an agency's rooming list (CSV or .xlsx: Room, Room Type, Guest, optional Arrival and Departure) into a quotation, checked against its room blocks",
    );
  addConnectionOptions(command).action(async (opportunity: string, file: string, opts: ConnectionFlags) => {
    const bar = process.stderr.isTTY ? terminalBar('rooming list {bar} {value}/{total}') : undefined;
    process.exitCode = await runRoomingImportCommand(opportunity, file, opts, {
      env: process.env,
      logger,
      print: (line) => console.log(line),
      clock: () => new Date(),
      progress: bar && { update: (p) => bar.update(p.done, p.total), stop: () => bar.stop() },
    });
  });
  const occupancy = rooming
    .command('occupancy')
    .description(
      'Print the occupancy plan: rooms blocked per hotel room type and night against the inventory',
    );
  addConnectionOptions(occupancy)
    .option('--from <YYYY-MM-DD>', 'first night (default today, in IDEARIO_TIME_ZONE)')
    .option('--days <n>', 'how many nights', '30')
    .action(async (opts: ConnectionFlags & { from?: string; days: string }) => {
      process.exitCode = await runOccupancyCommand(opts, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
      });
    });
}
