import fc from 'fast-check';
import { parseDateOnly } from './dateonly';
import { languageFromLcid, languageFromTag } from './language';
import { issuesText, type QuotationValues, validateQuotation, type ValidationContext } from './validation';

const d = parseDateOnly;
const good: QuotationValues = {
  arrival: d('2026-05-10'),
  nights: 4,
  departure: d('2026-05-14'),
  adults: 20,
  children: 2,
  pricePerPersonNight: 85,
  childPricePercent: 50,
  depositPercent: 25,
};
const en: ValidationContext = { today: d('2026-04-01'), isNew: true, language: 'en' };
const es: ValidationContext = { ...en, language: 'es' };
const codes = (values: Partial<QuotationValues>, ctx = en): string[] =>
  validateQuotation({ ...good, ...values }, ctx).map((i) => `${i.field}:${i.code}`);

describe('validateQuotation', () => {
  it('accepts a sound quotation and a half-filled new one', () => {
    expect(validateQuotation(good, en)).toEqual([]);
    const empty = {
      arrival: null,
      nights: null,
      departure: null,
      adults: null,
      children: null,
      pricePerPersonNight: null,
      childPricePercent: null,
      depositPercent: null,
    };
    expect(validateQuotation(empty, en)).toEqual([]);
    expect(codes({ departure: null, nights: null, pricePerPersonNight: null })).toEqual([]);
  });

  it('departure must be after arrival, with the dates in the message', () => {
    const [issue] = validateQuotation({ ...good, departure: d('2026-05-09'), nights: null }, en);
    expect(issue).toEqual({
      field: 'departure',
      code: 'departureNotAfterArrival',
      message: 'The departure (9 May 2026) must be after the arrival (10 May 2026).',
    });
    expect(codes({ departure: d('2026-05-10'), nights: null })).toEqual([
      'departure:departureNotAfterArrival',
    ]);
    expect(validateQuotation({ ...good, departure: d('2026-05-09'), nights: null }, es)[0].message).toBe(
      'La salida (9 de mayo de 2026) debe ser posterior a la llegada (10 de mayo de 2026).',
    );
  });

  it('nights must be a whole number from 1 to 365 and match the dates', () => {
    expect(codes({ nights: 2.5, departure: null })).toEqual(['nights:nightsNotWhole']);
    expect(codes({ nights: 0, departure: null })).toEqual(['nights:nightsOutOfRange']);
    expect(codes({ nights: 366, departure: null })).toEqual(['nights:nightsOutOfRange']);
    expect(codes({ nights: 5 })).toEqual(['nights:nightsMismatch']);
    expect(codes({ nights: null, departure: d('2027-05-11') })).toEqual(['departure:stayTooLong']);
    expect(validateQuotation({ ...good, nights: 2.5, departure: null }, es)[0].message).toBe(
      'Las noches deben ser un número entero (ha introducido 2,5).',
    );
    expect(validateQuotation({ ...good, nights: 5 }, en)[0].message).toBe(
      '5 nights does not match the dates: from 10 May 2026 to 14 May 2026 is 4 nights.',
    );
  });

  it('needs at least one person, flagged on Adults', () => {
    expect(codes({ adults: 0, children: 0 })).toEqual(['adults:noPersons']);
    expect(codes({ adults: 0, children: null })).toEqual(['adults:noPersons']);
    expect(codes({ adults: null, children: 3 })).toEqual([]);
    expect(codes({ adults: -2 })).toEqual(['adults:countInvalid']);
    expect(codes({ children: 1.5 })).toEqual(['children:countInvalid']);
    expect(validateQuotation({ ...good, adults: 0, children: 0 }, es)[0].message).toMatch(
      /al menos una persona/,
    );
  });

  it('price must not be negative; percentages stay within 0–100', () => {
    expect(codes({ pricePerPersonNight: -1 })).toEqual(['pricePerPersonNight:priceNegative']);
    expect(codes({ pricePerPersonNight: 0 })).toEqual([]);
    expect(codes({ depositPercent: 101 })).toEqual(['depositPercent:percentOutOfRange']);
    expect(codes({ depositPercent: -0.01 })).toEqual(['depositPercent:percentOutOfRange']);
    expect(codes({ depositPercent: 100, childPricePercent: 0 })).toEqual([]);
    expect(codes({ childPricePercent: 150 })).toEqual(['childPricePercent:percentOutOfRange']);
    expect(validateQuotation({ ...good, depositPercent: 101 }, en)[0].message).toBe(
      'Deposit % must be between 0 and 100 (you entered 101).',
    );
  });

  it('a new quotation cannot arrive in the past; an existing one can', () => {
    expect(codes({}, { ...en, today: d('2026-05-11') })).toEqual(['arrival:arrivalInPast']);
    expect(codes({}, { ...en, today: d('2026-05-10') })).toEqual([]);
    expect(codes({}, { ...en, today: d('2026-05-11'), isNew: false })).toEqual([]);
    expect(validateQuotation(good, { ...es, today: d('2026-05-11') })[0].message).toBe(
      'La llegada (10 de mayo de 2026) ya ha pasado: un presupuesto nuevo debe tener la llegada hoy (11 de mayo de 2026) o más tarde.',
    );
  });

  it('reports a total that would not fit a Money column', () => {
    expect(codes({ pricePerPersonNight: 1e13, nights: 365, departure: null })).toEqual([
      'pricePerPersonNight:totalTooLarge',
    ]);
  });

  it('reports several problems at once, each on its field', () => {
    expect(
      codes({
        nights: 0,
        departure: null,
        adults: 0,
        children: 0,
        pricePerPersonNight: -3,
        depositPercent: 200,
      }),
    ).toEqual([
      'nights:nightsOutOfRange',
      'adults:noPersons',
      'pricePerPersonNight:priceNegative',
      'depositPercent:percentOutOfRange',
    ]);
    expect(
      issuesText(validateQuotation({ ...good, adults: 0, children: 0, pricePerPersonNight: -3 }, en)),
    ).toBe(
      'The group needs at least one person: enter the number of adults or children. The price per person per night cannot be negative (you entered -3).',
    );
    expect(issuesText([])).toBeNull();
  });

  it('never throws, whatever numbers arrive', () => {
    const num = fc.option(fc.oneof(fc.double(), fc.integer({ min: -1000, max: 1000 })), { nil: null });
    const date = fc.option(
      fc
        .integer({ min: 1, max: 20_000 })
        .map((n) => d(`20${String(10 + (n % 20))}-0${1 + (n % 9)}-1${n % 10}`)),
      { nil: null },
    );
    fc.assert(
      fc.property(
        date,
        num,
        date,
        num,
        num,
        num,
        num,
        num,
        (arrival, nights, departure, adults, children, price, child, deposit) => {
          const values = {
            arrival,
            nights,
            departure,
            adults,
            children,
            pricePerPersonNight: price,
            childPricePercent: child,
            depositPercent: deposit,
          };
          for (const issue of validateQuotation(values, es)) expect(issue.message.length).toBeGreaterThan(10);
        },
      ),
    );
    expect(codes({ nights: Number.NaN, departure: null })).toEqual(['nights:notANumber']);
  });
});

describe('language', () => {
  it('reads Spanish from any Spanish tag or LCID, English otherwise', () => {
    expect([
      languageFromTag('es-MX'),
      languageFromTag('ES'),
      languageFromTag('en-US'),
      languageFromTag(null),
      languageFromTag('fr'),
    ]).toEqual(['es', 'es', 'en', 'en', 'en']);
    expect([3082, 1034, 2058, 1033, 1036, null].map(languageFromLcid)).toEqual([
      'es',
      'es',
      'es',
      'en',
      'en',
      'en',
    ]);
  });
});
