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
});
