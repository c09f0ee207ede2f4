/**
 * Acceptance (issue 12): an agency's 120-guest rooming list with 3 bad rows, imported with
 * `ideario rooming import`: 117 guests placed, the 3 bad rows reported with their row number and
 * reason, and nothing else changed but the list's receipt, which moves the quotation's phase.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityRecord } from '../../dataverse/client';
import {
  environmentvariabledefinition,
  environmentvariablevalue,
  idr_hotel,
  idr_hotelroomtype,
  idr_roomblock,
  idr_roomingentry,
  opportunity,
  QuotationPhase,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { NEAR_FULL_PERCENT_VARIABLE } from '../../domain/quotation';
import { createGroupQuotesHandlers } from '../../plugins/handlers/groupquotes';
import type { RoomingImportProgress } from '../../plugins/handlers/groupquotes/rooming';
import { createQuoteOrg, type QuoteOrg } from '../../plugins/handlers/groupquotes/quote-org.testkit';
import { type RoomingCommandDeps, runOccupancyCommand, runRoomingImportCommand } from './rooming';

const c = opportunity.columns;
const B = idr_roomblock.columns;
const HOTEL_VALUE = `_${idr_hotelroomtype.columns.idr_hotel}_value`;
let org: QuoteOrg;
let dir: string;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-04-20T09:00:00Z'), handlers: createGroupQuotesHandlers() });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ideario-rooming-'));
});
afterEach(() => {
  org.close();
  rmSync(dir, { recursive: true, force: true });
});

const bind = (set: string, id: string): string => `/${set}(${id})`;
const NIGHTS = ['2026-06-01', '2026-06-02', '2026-06-03'];

/** A confirmed quotation with 50 doubles and 20 singles blocked for 3 nights at Hotel Sol. */
async function quotationWithBlocks(): Promise<string> {
  const hotelId = await org.client.create(idr_hotel.entitySetName, {
    [idr_hotel.columns.idr_name]: 'Hotel Sol',
    [idr_hotel.columns.idr_code]: 'SOL',
  });
  const type = (name: string, code: string, rooms: number, capacity: number) =>
    org.client.create(idr_hotelroomtype.entitySetName, {
      [idr_hotelroomtype.columns.idr_name]: name,
      [idr_hotelroomtype.columns.idr_code]: code,
      [idr_hotelroomtype.columns.idr_rooms]: rooms,
      [idr_hotelroomtype.columns.idr_capacity]: capacity,
      [`${idr_hotelroomtype.columns.idr_hotel}@odata.bind`]: bind(idr_hotel.entitySetName, hotelId),
    });
  const double = await type('Double', 'DBL', 80, 2);
  const single = await type('Single', 'SGL', 30, 1);
  const id = await org.client.create(opportunity.entitySetName, {
    [c.name]: 'Congreso Médico 2026',
    [c.idr_arrivaldate]: '2026-06-01',
    [c.idr_nights]: 3,
    [c.idr_adults]: 120,
    [c.idr_depositpercent]: 25,
    [c.idr_quotesenton]: '2026-04-01',
    [c.idr_confirmedon]: '2026-04-10',
  });
  for (const night of NIGHTS)
    for (const [roomType, rooms, rate] of [
      [double, 50, 120],
      [single, 20, 95],
    ] as const)
      await org.client.create(idr_roomblock.entitySetName, {
        [`${B.idr_opportunity}@odata.bind`]: bind(opportunity.entitySetName, id),
        [`${B.idr_hotel}@odata.bind`]: bind(idr_hotel.entitySetName, hotelId),
        [`${B.idr_roomtype}@odata.bind`]: bind(idr_hotelroomtype.entitySetName, roomType),
        [B.idr_night]: night,
        [B.idr_rooms]: rooms,
        [B.idr_rate]: rate,
      });
  await org.runAsyncSteps();
  return id;
}

/** 100 guests two to a double, 17 singles, and 3 rows no hotel can place (rows 38, 77 and 121). */
function agencyList(): string {
  const lines = ['Room;Room Type;Guest;Arrival;Departure'];
  for (let i = 1; i <= 50; i++) {
    lines.push(`${i};DBL;Guest ${i}A;01/06/2026;04/06/2026`, `${i};DBL;Guest ${i}B;;`);
    if (i === 18) lines.push(`${i};DBL;Extra Cousin;;`); // a third guest in a double: row 38
    if (i === 37) lines.push(`S9;SUITE;Royal Visitor;;`); // a room type not blocked: row 77
  }
  for (let i = 1; i <= 17; i++) lines.push(`S${i};Single;Solo ${i};;`);
  lines.push('S18;SGL;Late Stayer;2026-06-02;2026-06-05'); // a night with no block: row 121
  return `${lines.join('\r\n')}\r\n`;
}

function deps() {
  const lines: string[] = [];
  const shown: RoomingImportProgress[] = [];
  const logger = memoryLogger();
  const value: RoomingCommandDeps = {
    env: { IDEARIO_TIME_ZONE: 'Europe/Madrid' },
    logger,
    print: (line) => lines.push(line),
    clock: org.clock.now,
    client: org.client,
    progress: { update: (p) => shown.push(p), stop: () => undefined },
  };
  return { value, lines, shown, logger };
}

/** Everything a user could see changed, per table, apart from the rooming entries. */
async function snapshot(): Promise<Record<string, EntityRecord[]>> {
  const strip = (rows: EntityRecord[]): EntityRecord[] =>
    rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).filter(([k]) => !['@odata.etag', 'modifiedon', 'versionnumber'].includes(k)),
      ),
    );
  const all = async (set: string, order: string) =>
    strip(await org.client.retrieveMultiple(set, { orderBy: [order] }));
  return {
    hotels: await all(idr_hotel.entitySetName, idr_hotel.columns.idr_code),
    roomTypes: await all(idr_hotelroomtype.entitySetName, idr_hotelroomtype.columns.idr_code),
    blocks: await all(idr_roomblock.entitySetName, B.idr_night),
    quotations: await all(opportunity.entitySetName, 'name'),
  };
}

describe('ideario rooming import', () => {
  it('places 117 of 120 guests, reports the 3 bad rows and changes nothing else', async () => {
    const id = await quotationWithBlocks();
    const file = path.join(dir, 'congreso.csv');
    writeFileSync(file, agencyList());
    const before = await snapshot();
    expect(before.quotations[0][c.idr_phase]).toBe(QuotationPhase.Confirmed);

    const run = deps();
    expect(await runRoomingImportCommand(id, file, {}, run.value)).toBe(0);
    await org.runAsyncSteps();

    expect(run.lines).toEqual([
      '117 of 120 rows placed (351 guest-nights), 3 with errors.',
      'Row 38 (Extra Cousin): room 18 already has 2 guest(s) on the night of 1 June 2026 (a DBL takes 2)',
      'Row 77 (Royal Visitor): room type "SUITE" is not blocked on this quotation (blocked: DBL, SGL)',
      'Row 121 (Late Stayer): no SGL rooms are blocked on the night of 4 June 2026',
      'Rooming list received on 2026-04-20: the quotation moves to the Rooming list phase.',
      `Rows with errors in ${file}.errors.csv`,
    ]);
    expect(readFileSync(`${file}.errors.csv`, 'utf8').split('\n')[3]).toBe(
      '121,Late Stayer,no SGL rooms are blocked on the night of 4 June 2026,no hay habitaciones SGL bloqueadas la noche del 4 de junio de 2026',
    );
    expect(run.shown.at(-1)).toEqual({ done: 351, total: 351 });

    const entries = await org.client.retrieveMultiple(idr_roomingentry.entitySetName, {
      select: [idr_roomingentry.columns.idr_name, idr_roomingentry.columns.idr_night],
    });
    expect(entries).toHaveLength(117 * 3);
    expect(new Set(entries.map((e) => e[idr_roomingentry.columns.idr_name])).size).toBe(117);

    // Hotels, room types and blocks as they were; the quotation gained only the list's receipt and its phase.
    const after = await snapshot();
    expect(after.hotels).toEqual(before.hotels);
    expect(after.roomTypes).toEqual(before.roomTypes);
    expect(after.blocks).toEqual(before.blocks);
    const changed = Object.keys(after.quotations[0]).filter(
      (k) => JSON.stringify(after.quotations[0][k]) !== JSON.stringify(before.quotations[0][k]),
    );
    expect(changed.sort()).toEqual([c.idr_phase, c.idr_roominglistreceivedon].sort());
    expect(after.quotations[0][c.idr_phase]).toBe(QuotationPhase.RoomingList);

    // The same list again: nothing new, nothing removed.
    const again = deps();
    expect(await runRoomingImportCommand(id, file, {}, again.value)).toBe(0);
    expect(again.lines[0]).toBe('117 of 120 rows placed (351 guest-nights), 3 with errors.');
    expect(
      await org.client.retrieveMultiple(idr_roomingentry.entitySetName, {
        select: [idr_roomingentry.columns.idr_name],
      }),
    ).toHaveLength(351);

    // A newer list from the agency replaces the older one: two guests fewer, two guest-nights × 3 removed.
    writeFileSync(
      file,
      agencyList().replace('1;DBL;Guest 1A;01/06/2026;04/06/2026\r\n1;DBL;Guest 1B;;\r\n', ''),
    );
    const newer = deps();
    expect(await runRoomingImportCommand(id, file, {}, newer.value)).toBe(0);
    expect(newer.lines[0]).toBe(
      '115 of 118 rows placed (345 guest-nights), 3 with errors, 6 guest-nights of the previous list removed.',
    );
    expect(
      await org.client.retrieveMultiple(idr_roomingentry.entitySetName, {
        select: [idr_roomingentry.columns.idr_name],
      }),
    ).toHaveLength(345);
  });

  it('refuses a file without the expected columns, and a quotation without blocks, saying what to do', async () => {
    const id = await org.client.create(opportunity.entitySetName, { [c.name]: 'Sin bloqueos' });
    const file = path.join(dir, 'list.csv');
    writeFileSync(file, 'Room,Type,Guest\n1,DBL,Ana\n');
    const run = deps();
    expect(await runRoomingImportCommand(id, file, {}, run.value)).toBe(1);
    expect(run.logger.lines.join('\n')).toContain(
      'has no room blocks: add its rooms per night and room type (Room Blocks) before importing its rooming list.',
    );
    writeFileSync(file, 'Habitacion,Nombre\n1,Ana\n');
    const bad = deps();
    expect(await runRoomingImportCommand(id, file, {}, bad.value)).toBe(1);
    expect(bad.logger.lines.join('\n')).toContain(
      'the first row must name the columns Room, Room Type and Guest',
    );
  });

  it('prints the occupancy plan, marking a night close to full', async () => {
    await quotationWithBlocks();
    const other = await org.client.create(opportunity.entitySetName, { [c.name]: 'Boda' });
    const [double] = await org.client.retrieveMultiple(idr_hotelroomtype.entitySetName, {
      select: [idr_hotelroomtype.columns.idr_hotelroomtypeid, HOTEL_VALUE],
      filter: `${idr_hotelroomtype.columns.idr_code} eq 'DBL'`,
    });
    await org.client.create(idr_roomblock.entitySetName, {
      [`${B.idr_opportunity}@odata.bind`]: bind(opportunity.entitySetName, other),
      [`${B.idr_hotel}@odata.bind`]: bind(idr_hotel.entitySetName, String(double?.[HOTEL_VALUE])),
      [`${B.idr_roomtype}@odata.bind`]: bind(
        idr_hotelroomtype.entitySetName,
        String(double?.[idr_hotelroomtype.columns.idr_hotelroomtypeid]),
      ),
      [B.idr_night]: '2026-06-02',
      [B.idr_rooms]: 24,
      [B.idr_rate]: 110,
    });
    const run = deps();
    expect(await runOccupancyCommand({ from: '2026-06-01', days: '2' }, run.value)).toBe(0);
    expect(run.lines).toEqual([
      '2026-06-01  Hotel Sol · Double    50/80    62.5 %',
      '2026-06-02  Hotel Sol · Double    74/80    92.5 %  close to full',
      '2026-06-01  Hotel Sol · Single    20/30    66.7 %',
      '2026-06-02  Hotel Sol · Single    20/30    66.7 %',
      // A double room close to full in a hotel with rooms to spare: the whole hotel's share.
      'Whole hotel (all its room types):',
      '2026-06-01  Hotel Sol             70/110   63.6 %',
      '2026-06-02  Hotel Sol             94/110   85.5 %',
    ]);
    // An admin raises the solution's threshold to 95 %: that night is no longer marked.
    const V = environmentvariablevalue.columns;
    const [definition] = await org.client.retrieveMultiple(environmentvariabledefinition.entitySetName, {
      select: [environmentvariabledefinition.primaryIdAttribute],
      filter: `${environmentvariabledefinition.columns.schemaname} eq '${NEAR_FULL_PERCENT_VARIABLE}'`,
    });
    await org.client.create(environmentvariablevalue.entitySetName, {
      [V.schemaname]: NEAR_FULL_PERCENT_VARIABLE,
      [V.value]: '95',
      ...(definition && {
        [`${V.environmentvariabledefinitionid}@odata.bind`]: bind(
          environmentvariabledefinition.entitySetName,
          String(definition[environmentvariabledefinition.primaryIdAttribute]),
        ),
      }),
    });
    const raised = deps();
    expect(await runOccupancyCommand({ from: '2026-06-02', days: '1' }, raised.value)).toBe(0);
    expect(raised.lines[0]).toBe('2026-06-02  Hotel Sol · Double    74/80    92.5 %');
  });
});
