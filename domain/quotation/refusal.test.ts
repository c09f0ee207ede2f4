import { parseDateOnly } from './dateonly';
import { refusalText, refuseImpossibleValues, type WrittenQuotation } from './refusal';

const d = parseDateOnly;
const today = d('2026-04-01');
const good: WrittenQuotation = {
  arrival: d('2026-05-10'),
  nights: 4,
  departure: d('2026-05-14'),
  adults: 20,
  children: 2,
  persons: 22,
  pricePerPersonNight: 85,
  childPricePercent: 50,
  depositPercent: 25,
  total: 7140,
  deposit: 1785,
};
const fields = (values: Partial<WrittenQuotation>): string[] =>
  refuseImpossibleValues({ ...good, ...values }, today).map((r) => r.field);

describe('refuseImpossibleValues', () => {
  it('lets a sound quotation, an empty draft and the flag-only problems through', () => {
    expect(refuseImpossibleValues(good, today)).toEqual([]);
    const empty = Object.fromEntries(Object.keys(good).map((k) => [k, null])) as unknown as WrittenQuotation;
    expect(refuseImpossibleValues(empty, today)).toEqual([]);
    // Arrival in the past, nights that disagree with the dates, nobody in the group: flagged, not refused.
    expect(fields({ arrival: d('2026-03-01'), departure: d('2026-03-03') })).toEqual([]);
    expect(fields({ adults: 0, children: 0, persons: 0 })).toEqual([]);
  });

  it('refuses a departure before the arrival, in English and Spanish', () => {
    const [refusal] = refuseImpossibleValues({ ...good, departure: d('2026-05-08'), nights: null }, today);
    expect(refusal).toEqual({
      field: 'departure',
      message: {
        en: 'The departure (8 May 2026) must be after the arrival (10 May 2026).',
        es: 'La salida (8 de mayo de 2026) debe ser posterior a la llegada (10 de mayo de 2026).',
      },
    });
  });

  it('refuses negative or broken counts, prices, percentages and written amounts', () => {
    expect(fields({ adults: -3 })).toEqual(['adults']);
    expect(fields({ children: 1.5 })).toEqual(['children']);
    expect(fields({ pricePerPersonNight: -1 })).toEqual(['pricePerPersonNight']);
    expect(fields({ depositPercent: 120 })).toEqual(['depositPercent']);
    expect(fields({ nights: 0, departure: null })).toEqual(['nights']);
    expect(fields({ pricePerPersonNight: Number.NaN })).toEqual(['pricePerPersonNight']);
    expect(fields({ persons: -2, total: -10, deposit: -1 })).toEqual(['persons', 'total', 'deposit']);
    expect(fields({ persons: 2.5 })).toEqual(['persons']);
  });

  it('joins every reason in English, then in Spanish', () => {
    const text = refusalText(refuseImpossibleValues({ ...good, adults: -1, total: -5 }, today));
    expect(text).toBe(
      'The quotation cannot be saved: Adults must be a whole number, 0 or more (you entered -1). Total must be 0 or more (you entered -5). | ' +
        'No se puede guardar la cotización: Adultos: debe ser un número entero igual o mayor que 0 (ha introducido -1). Total: debe ser igual o mayor que 0 (ha introducido -5).',
    );
  });
});
