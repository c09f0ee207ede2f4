import path from 'node:path';
import { contact } from '../../../dataverse/generated';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import { testEngine, type TestEngine } from '../testing/engine';
import { runFetchXml } from './run';

const C = contact.columns;

let metadata: MetadataModel;
beforeAll(() => {
  metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
});

/** Contacts created at the given instants (createdon is the engine's clock), named by their key. */
async function createdAt(instants: Record<string, string>): Promise<TestEngine> {
  const t = testEngine({ metadata });
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
