import path from 'node:path';
import { contact, systemuser, usersettings } from '../../../dataverse/generated';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import type { CallContext } from '../engine/engine-types';
import { UnknownTimeZoneError, UnsupportedTimeZoneCodeError } from '../engine/errors';
import { WebApi } from '../http/webapi';
import { testEngine, type TestEngine } from '../testing/engine';
import { runFetchXml } from './run';

const C = contact.columns;

let metadata: MetadataModel;
beforeAll(() => {
  metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
});

/** Contacts created at the given instants (createdon is the engine's clock), named by their key. */
async function createdAt(instants: Record<string, string>, timeZone?: string): Promise<TestEngine> {
  const t = testEngine({ metadata, timeZone });
  for (const [name, at] of Object.entries(instants)) {
    t.clock.set(new Date(at));
    await t.engine.create(contact.entitySetName, { [C.lastname]: name });
  }
  return t;
}

/** Last names of the contacts whose createdon meets `operator`, for a user in `timeZone` at `now`. */
function fetchCreated(t: TestEngine, operator: string, now: string, timeZone?: string): string[] {
  return runFetchXml(
    { ...t.engine.fetchSource(), now: new Date(now) },
    contact.entitySetName,
    `<fetch><entity name="${contact.logicalName}"><attribute name="${C.lastname}" /><filter><condition attribute="${C.createdon}" operator="${operator}" /></filter><order attribute="${C.lastname}" /></entity></fetch>`,
    { timeZone },
  ).records.map((r) => String(r[C.lastname]));
}

// New Year's Eve 2026 seen from Madrid (UTC+1) and Honolulu (UTC-10).
const NEW_YEAR = {
  a_eveEverywhere: '2026-12-31T22:30:00Z', // Madrid 23:30 Dec 31, Honolulu 12:30 Dec 31
  b_newYearInMadrid: '2026-12-31T23:30:00Z', // Madrid 00:30 Jan 1, UTC still Dec 31
  c_eveInHonolulu: '2027-01-01T09:30:00Z', // Honolulu 23:30 Dec 31, UTC and Madrid Jan 1
  d_newYearEverywhere: '2027-01-01T10:30:00Z', // Honolulu 00:30 Jan 1
};
// 00:45 on Jan 1 in Honolulu, 11:45 in Madrid.
const NEW_YEAR_NOW = '2027-01-01T10:45:00Z';

describe('calendar conditions in the user time zone', () => {
  it('this-year and last-year split New Year where the user is', async () => {
    const t = await createdAt(NEW_YEAR);
    const run = (operator: string, timeZone?: string) => fetchCreated(t, operator, NEW_YEAR_NOW, timeZone);
    expect(run('this-year', 'Europe/Madrid')).toEqual([
      'b_newYearInMadrid',
      'c_eveInHonolulu',
      'd_newYearEverywhere',
    ]);
    expect(run('last-year', 'Europe/Madrid')).toEqual(['a_eveEverywhere']);
    expect(run('this-year', 'Pacific/Honolulu')).toEqual(['d_newYearEverywhere']);
    expect(run('last-year', 'Pacific/Honolulu')).toEqual([
      'a_eveEverywhere',
      'b_newYearInMadrid',
      'c_eveInHonolulu',
    ]);
    // Without a zone the days are UTC's.
    expect(run('this-year')).toEqual(['c_eveInHonolulu', 'd_newYearEverywhere']);
    expect(run('next-year', 'Pacific/Honolulu')).toEqual([]);
  });

  it('this-month, last-month and next-month follow the same boundary', async () => {
    const t = await createdAt(NEW_YEAR);
    const run = (operator: string, timeZone: string) => fetchCreated(t, operator, NEW_YEAR_NOW, timeZone);
    expect(run('this-month', 'Europe/Madrid')).toEqual([
      'b_newYearInMadrid',
      'c_eveInHonolulu',
      'd_newYearEverywhere',
    ]);
    expect(run('last-month', 'Pacific/Honolulu')).toEqual([
      'a_eveEverywhere',
      'b_newYearInMadrid',
      'c_eveInHonolulu',
    ]);
    // At 23:00 UTC on Dec 31 it is 13:00 on Dec 31 in Honolulu (January is next month) and already
    // January in Madrid (next month is February).
    expect(fetchCreated(t, 'next-month', '2026-12-31T23:00:00Z', 'Pacific/Honolulu')).toEqual([
      'd_newYearEverywhere',
    ]);
    expect(fetchCreated(t, 'next-month', '2026-12-31T23:00:00Z', 'Europe/Madrid')).toEqual([]);
  });

  it('weeks start on Sunday in the user zone: Saturday night UTC is already Sunday in Madrid', async () => {
    const t = await createdAt({
      a_thursday: '2026-12-31T12:00:00Z', // Thursday everywhere
      b_sundayInMadrid: '2027-01-02T23:30:00Z', // Madrid Sunday 00:30; UTC and Honolulu Saturday
      c_sunday: '2027-01-03T12:00:00Z', // Sunday in all three (02:00 in Honolulu)
    });
    // Sunday Jan 3, 09:00 in Madrid; Saturday Jan 2, 22:00 in Honolulu.
    const now = '2027-01-03T08:00:00Z';
    const run = (operator: string, timeZone: string) => fetchCreated(t, operator, now, timeZone);
    expect(run('this-week', 'Europe/Madrid')).toEqual(['b_sundayInMadrid', 'c_sunday']);
    expect(run('last-week', 'Europe/Madrid')).toEqual(['a_thursday']);
    expect(run('this-week', 'UTC')).toEqual(['c_sunday']);
    expect(run('last-week', 'UTC')).toEqual(['a_thursday', 'b_sundayInMadrid']);
    expect(run('this-week', 'Pacific/Honolulu')).toEqual(['a_thursday', 'b_sundayInMadrid']);
    expect(run('next-week', 'Pacific/Honolulu')).toEqual(['c_sunday']);
  });
});

/** The same question through the Web API: `$filter` with a query function, and `?fetchXml=`. */
async function overHttp(t: TestEngine, query: string, context: CallContext = {}): Promise<string[]> {
  const response = await new WebApi(t.engine).handle(
    { method: 'GET', path: contact.entitySetName, query, headers: {}, body: '' },
    'http://127.0.0.1:5555/api/data/v9.2/',
    context,
  );
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.body ?? ''}`);
  const body = JSON.parse(response.body ?? '{}') as { value: Record<string, unknown>[] };
  return body.value.map((r) => String(r[C.lastname])).sort();
}

const functionQuery = (fn: string, value?: string) =>
  new URLSearchParams({
    $select: C.lastname,
    $filter: `Microsoft.Dynamics.CRM.${fn}(PropertyName='${C.createdon}'${value === undefined ? '' : `,PropertyValue=${value}`})`,
  }).toString();
const fetchQuery = (operator: string, value?: string) =>
  new URLSearchParams({
    fetchXml: `<fetch><entity name="${contact.logicalName}"><attribute name="${C.lastname}" /><filter><condition attribute="${C.createdon}" operator="${operator}"${value === undefined ? '' : ` value="${value}"`} /></filter></entity></fetch>`,
  }).toString();

describe('the Web API in the time zone of the emulator (IDEARIO_TIME_ZONE)', () => {
  // Each FetchXML operator and the Web API query function of the same name.
  const PAIRS: [string, string, string?][] = [
    ['today', 'Today'],
    ['yesterday', 'Yesterday'],
    ['this-week', 'ThisWeek'],
    ['last-week', 'LastWeek'],
    ['this-month', 'ThisMonth'],
    ['last-month', 'LastMonth'],
    ['this-year', 'ThisYear'],
    ['last-year', 'LastYear'],
    ['last-x-days', 'LastXDays', '1'],
    ['olderthan-x-days', 'OlderThanXDays', '1'],
  ];

  it('$filter query functions and ?fetchXml= judge days, weeks, months and years in that zone', async () => {
    const t = await createdAt(NEW_YEAR, 'Europe/Madrid');
    t.clock.set(new Date(NEW_YEAR_NOW));
    expect(await overHttp(t, functionQuery('ThisYear'))).toEqual([
      'b_newYearInMadrid',
      'c_eveInHonolulu',
      'd_newYearEverywhere',
    ]);
    expect(await overHttp(t, functionQuery('Yesterday'))).toEqual(['a_eveEverywhere']);
    expect(await overHttp(t, fetchQuery('last-year'))).toEqual(['a_eveEverywhere']);
    for (const [operator, fn, value] of PAIRS) {
      if (value === undefined) {
        const expected = fetchCreated(t, operator, NEW_YEAR_NOW, 'Europe/Madrid');
        expect([operator, await overHttp(t, functionQuery(fn))]).toEqual([operator, expected]);
        expect([operator, await overHttp(t, fetchQuery(operator))]).toEqual([operator, expected]);
      } else {
        const viaFetch = await overHttp(t, fetchQuery(operator, value));
        expect([operator, await overHttp(t, functionQuery(fn, value))]).toEqual([operator, viaFetch]);
      }
    }
  });

  it('the same data reads differently in Honolulu', async () => {
    const t = await createdAt(NEW_YEAR, 'Pacific/Honolulu');
    t.clock.set(new Date(NEW_YEAR_NOW));
    expect(await overHttp(t, functionQuery('ThisYear'))).toEqual(['d_newYearEverywhere']);
    expect(await overHttp(t, fetchQuery('yesterday'))).toEqual([
      'a_eveEverywhere',
      'b_newYearInMadrid',
      'c_eveInHonolulu',
    ]);
  });

  it('refuses a time zone that is not an IANA name, saying what to use', () => {
    expect(() => testEngine({ metadata, timeZone: 'Romance Standard Time' })).toThrow(UnknownTimeZoneError);
    expect(() => testEngine({ metadata, timeZone: 'Romance Standard Time' })).toThrow(/'Europe\/Madrid'/);
  });
});

describe("each user's own time zone (usersettings.timezonecode)", () => {
  const U = usersettings.columns;
  const MADRID = 105; // Romance Standard Time
  const HONOLULU = 2; // Hawaiian Standard Time

  it("the emulator's user has a settings row; setting its zone code over the Web API moves its days", async () => {
    const t = await createdAt(NEW_YEAR, 'UTC');
    t.clock.set(new Date(NEW_YEAR_NOW));
    const me = t.engine.whoAmI().UserId;
    const mine = await t.engine.retrieve(usersettings.entitySetName, me);
    expect(mine[U.timezonecode] ?? null).toBeNull();
    // No zone of its own: the organisation's default (here UTC).
    expect(await overHttp(t, functionQuery('ThisYear'))).toEqual(['c_eveInHonolulu', 'd_newYearEverywhere']);

    const patch = async (code: number) => {
      const response = await new WebApi(t.engine).handle(
        {
          method: 'PATCH',
          path: `${usersettings.entitySetName}(${me})`,
          query: '',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ [U.timezonecode]: code }),
        },
        'http://127.0.0.1:5555/api/data/v9.2/',
        {},
      );
      expect(response.status).toBe(204);
    };
    await patch(MADRID);
    expect(await overHttp(t, functionQuery('ThisYear'))).toEqual([
      'b_newYearInMadrid',
      'c_eveInHonolulu',
      'd_newYearEverywhere',
    ]);
    await patch(HONOLULU);
    expect(await overHttp(t, fetchQuery('this-year'))).toEqual(['d_newYearEverywhere']);
  });

  it('two callers asking the same question at the same moment get their own days', async () => {
    const t = await createdAt(NEW_YEAR, 'Europe/Madrid');
    t.clock.set(new Date(NEW_YEAR_NOW));
    const hawaii = await t.engine.create(systemuser.entitySetName, {
      [systemuser.columns.firstname]: 'Leilani',
      [systemuser.columns.lastname]: 'Kahale',
    });
    const noSettings = await t.engine.create(systemuser.entitySetName, {
      [systemuser.columns.firstname]: 'Ana',
      [systemuser.columns.lastname]: 'Sin Ajustes',
    });
    await t.engine.create(usersettings.entitySetName, {
      [U.systemuserid]: hawaii,
      [U.timezonecode]: HONOLULU,
    });
    const thisYear = async (userId?: string) => {
      const xml = `<fetch><entity name="${contact.logicalName}"><attribute name="${C.lastname}" /><filter><condition attribute="${C.createdon}" operator="this-year" /></filter><order attribute="${C.lastname}" /></entity></fetch>`;
      const viaFetch = (await t.engine.fetchXml(contact.entitySetName, xml, { context: { userId } })).records;
      const viaFilter = (
        await t.engine.query(
          contact.entitySetName,
          { filter: `Microsoft.Dynamics.CRM.ThisYear(PropertyName='${C.createdon}')`, orderBy: [C.lastname] },
          { context: { userId } },
        )
      ).records;
      const names = (records: Record<string, unknown>[]) => records.map((r) => String(r[C.lastname]));
      expect(names(viaFilter)).toEqual(names(viaFetch));
      return names(viaFetch);
    };
    expect(await thisYear(hawaii)).toEqual(['d_newYearEverywhere']);
    // Without a settings row a user's days are the organisation's (IDEARIO_TIME_ZONE, Madrid here).
    expect(await thisYear(noSettings)).toEqual([
      'b_newYearInMadrid',
      'c_eveInHonolulu',
      'd_newYearEverywhere',
    ]);
    expect(await thisYear()).toEqual(['b_newYearInMadrid', 'c_eveInHonolulu', 'd_newYearEverywhere']);
  });

  it('a zone code the emulator cannot map is refused, naming the codes it knows', async () => {
    const t = await createdAt({}, 'UTC');
    await t.engine.update(usersettings.entitySetName, t.engine.whoAmI().UserId, { [U.timezonecode]: 9999 });
    await expect(overHttp(t, functionQuery('Today'))).rejects.toThrow(/time zone code 9999.*105/);
    await expect(
      t.engine.query(contact.entitySetName, {
        filter: `Microsoft.Dynamics.CRM.Today(PropertyName='${C.createdon}')`,
      }),
    ).rejects.toThrow(UnsupportedTimeZoneCodeError);
  });
});
