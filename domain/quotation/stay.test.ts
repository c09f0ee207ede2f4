import fc from 'fast-check';
import { formatDateOnly, fromDayNumber, parseDateOnly } from './dateonly';
import { deriveStay, departureFor, nightsBetween, type StayDerivation } from './stay';

const d = parseDateOnly;
const shown = (r: StayDerivation | null): [string, string | number] | null =>
  r && [r.field, typeof r.value === 'number' ? r.value : formatDateOnly(r.value)];

describe('nights and departure', () => {
  it('nights = departure − arrival, departure = arrival + nights, across DST and month ends', () => {
    expect(nightsBetween(d('2026-03-28'), d('2026-03-30'))).toBe(2);
    expect(nightsBetween(d('2026-10-24'), d('2026-10-26'))).toBe(2);
    expect(formatDateOnly(departureFor(d('2026-01-30'), 3))).toBe('2026-02-02');
    expect(formatDateOnly(departureFor(d('2024-02-27'), 3))).toBe('2024-03-01');
  });
});

describe('deriveStay', () => {
  const arrival = d('2026-05-10');
  const departure = d('2026-05-14');

  it('arrival changed: keeps the nights and moves the departure', () => {
    expect(shown(deriveStay('arrival', { arrival: d('2026-05-12'), nights: 4, departure }))).toEqual([
      'departure',
      '2026-05-16',
    ]);
  });

  it('arrival changed with no nights yet: fills the nights from the departure', () => {
    expect(shown(deriveStay('arrival', { arrival, nights: null, departure }))).toEqual(['nights', 4]);
  });

  it('nights changed: moves the departure', () => {
    expect(shown(deriveStay('nights', { arrival, nights: 7, departure }))).toEqual([
      'departure',
      '2026-05-17',
    ]);
  });

  it('nights changed before an arrival is known: fills the arrival back from the departure', () => {
    expect(shown(deriveStay('nights', { arrival: null, nights: 3, departure }))).toEqual([
      'arrival',
      '2026-05-11',
    ]);
  });

  it('departure changed: recomputes the nights, never moves the arrival', () => {
    expect(shown(deriveStay('departure', { arrival, nights: 4, departure: d('2026-05-20') }))).toEqual([
      'nights',
      10,
    ]);
    expect(shown(deriveStay('departure', { arrival: null, nights: 2, departure }))).toEqual([
      'arrival',
      '2026-05-12',
    ]);
  });

  it('derives nothing it would have to make up, and never an impossible stay', () => {
    expect(deriveStay('arrival', { arrival: null, nights: 4, departure })).toBeNull();
    expect(deriveStay('arrival', { arrival, nights: null, departure: null })).toBeNull();
    expect(deriveStay('nights', { arrival, nights: null, departure })).toBeNull();
    expect(deriveStay('nights', { arrival, nights: 2.5, departure })).toBeNull();
    expect(deriveStay('nights', { arrival, nights: 0, departure })).toBeNull();
    expect(deriveStay('nights', { arrival, nights: 366, departure })).toBeNull();
    expect(deriveStay('departure', { arrival, nights: 4, departure: null })).toBeNull();
    // Departure before or on the arrival: the user's value stays and validation explains.
    expect(deriveStay('departure', { arrival, nights: 4, departure: d('2026-05-09') })).toBeNull();
    expect(deriveStay('departure', { arrival, nights: 4, departure: arrival })).toBeNull();
    expect(deriveStay('departure', { arrival, nights: 4, departure: d('2027-05-11') })).toBeNull();
  });

  it('the derived stay is consistent with the edited values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 19_000, max: 25_000 }),
        fc.integer({ min: 1, max: 365 }),
        (day, nights) => {
          const a = fromDayNumber(day);
          const derived = deriveStay('nights', { arrival: a, nights, departure: null });
          expect(derived?.field).toBe('departure');
          if (derived?.field !== 'departure') return;
          expect(deriveStay('departure', { arrival: a, nights: null, departure: derived.value })).toEqual({
            field: 'nights',
            value: nights,
          });
        },
      ),
    );
  });

  it('follows the rules edit by edit, for every mix of empty, valid and invalid values', () => {
    // The rules as the doc comment states them, field by field: what deriveStay must answer.
    const expected = (
      changed: 'arrival' | 'nights' | 'departure',
      a: string | null,
      n: number | null,
      dep: string | null,
    ): [string, string | number] | null => {
      const valid = n !== null && Number.isInteger(n) && n >= 1 && n <= 365;
      const stay = a && dep ? nightsBetween(d(a), d(dep)) : null;
      const nightsBack: [string, number] | null =
        stay !== null && stay >= 1 && stay <= 365 ? ['nights', stay] : null;
      const moved = (from: string, by: number) => formatDateOnly(departureFor(d(from), by));
      if (changed === 'arrival') {
        if (!a) return null;
        if (valid) return ['departure', moved(a, n)];
        return n === null && dep ? nightsBack : null;
      }
      if (changed === 'nights') {
        if (!valid) return null;
        if (a) return ['departure', moved(a, n)];
        return dep ? ['arrival', moved(dep, -n)] : null;
      }
      if (!dep) return null;
      if (a) return nightsBack;
      return valid ? ['arrival', moved(dep, -n)] : null;
    };
    const arrivals = [null, '2026-05-10'];
    const nightsValues = [null, 0, 2.5, 4, 365, 366];
    const departures = [null, '2026-05-09', '2026-05-10', '2026-05-14', '2027-05-10', '2027-05-11'];
    for (const changed of ['arrival', 'nights', 'departure'] as const)
      for (const a of arrivals)
        for (const n of nightsValues)
          for (const dep of departures) {
            const values = {
              arrival: a === null ? null : d(a),
              nights: n,
              departure: dep === null ? null : d(dep),
            };
            expect([changed, a, n, dep, shown(deriveStay(changed, values))]).toEqual([
              changed,
              a,
              n,
              dep,
              expected(changed, a, n, dep),
            ]);
          }
  });
});
