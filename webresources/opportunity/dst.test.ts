import path from 'node:path';
import { runInTimeZone } from '../../tools/harness';
import type { staysAcrossClockChanges } from './dst.scenario';

type Result = Awaited<ReturnType<typeof staysAcrossClockChanges>>;

// A form's date-only values are local midnights: only in a zone that changes its clocks can a
// stay computed in milliseconds come out a day short or long. Madrid: 29 March and 25 October 2026.
describe('a stay across a daylight-saving change (Europe/Madrid)', () => {
  let result: Result;
  beforeAll(async () => {
    result = await runInTimeZone<Result>(
      'Europe/Madrid',
      path.join(__dirname, 'dst.scenario.ts'),
      'staysAcrossClockChanges',
    );
  });

  it('runs where the clocks really change', () => {
    expect(result.offsets).toEqual([-60, -120, -120, -60]);
  });

  it('counts 2 nights from 28 to 30 March although that night is an hour short', () => {
    expect(result.spring.nights).toBe(2);
    expect(result.spring.departureAfterThreeNights).toBe('2026-03-31');
  });

  it('puts the departure 2 nights after 24 October on the 26th although that night is an hour long', () => {
    expect(result.autumn.departure).toBe('2026-10-26');
    expect(result.autumn.nightsToThe27th).toBe(3);
    expect(result.autumn.total).toBe(1500);
    expect(result.autumn.notifications).toBe(0);
  });
});
