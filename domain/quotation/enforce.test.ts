import fc from 'fast-check';
import { formatDateOnly, fromDayNumber, parseDateOnly, toDayNumber } from './dateonly';
import {
  applyCorrections,
  type BaseDatesBefore,
  changedStayFields,
  enforceQuotation,
  type EnforceOptions,
  hasCorrections,
  type QuotationCorrections,
  type StoredQuotation,
} from './enforce';
import { DEFAULT_POLICY, resolvePolicy } from './policy';
import { type StayField } from './stay';

const d = parseDateOnly;
const options: EnforceOptions = { policy: DEFAULT_POLICY, language: 'en', today: d('2026-03-01') };
const consistent: StoredQuotation = {
  arrival: d('2026-05-10'),
  nights: 4,
  departure: d('2026-05-14'),
  adults: 20,
  children: 2,
  persons: 22,
  pricePerPersonNight: 85,
  childPricePercent: 50,
  total: 7140,
  depositPercent: 25,
  deposit: 1785,
  issue: null,
  // The default policy's dates: sent + 10 days, arrival − 21 and − 14 days.
  quoteSentOn: d('2026-02-20'),
  optionExpiresOn: d('2026-03-02'),
  cutoffDate: d('2026-04-19'),
  roomingListDueOn: d('2026-04-26'),
};
const shown = (c: QuotationCorrections): Record<string, unknown> =>
  Object.fromEntries(
    (Object.entries(c) as [string, QuotationCorrections[keyof QuotationCorrections]][]).map(([k, v]) => [
      k,
      v !== null && typeof v === 'object' ? formatDateOnly(v) : v,
    ]),
  );
const fix = (
  changes: Partial<StoredQuotation>,
  opts: Partial<EnforceOptions> = {},
): Record<string, unknown> =>
  shown(enforceQuotation({ ...consistent, ...changes }, { ...options, ...opts }).corrections);

describe('enforceQuotation', () => {
  it('leaves a consistent quotation alone', () => {
    expect(enforceQuotation(consistent, options)).toEqual({ corrections: {}, issues: [], issueText: null });
  });

  it('fills derived values an import left empty', () => {
    expect(fix({ departure: null, persons: null, total: null, deposit: null, depositPercent: null })).toEqual(
      {
        departure: '2026-05-14',
        persons: 22,
        total: 7140,
        depositPercent: 25,
        deposit: 1785,
      },
    );
    expect(fix({ nights: null })).toEqual({ nights: 4 });
    expect(fix({ arrival: null })).toEqual({ arrival: '2026-05-10' });
  });

  it('fixes wrong derived values, using the policy for empty percentages', () => {
    const policy = resolvePolicy({ childPricePercent: 100, defaultDepositPercent: 30 });
    expect(
      fix({ persons: 10, total: 1, deposit: 2, childPricePercent: null, depositPercent: null }, { policy }),
    ).toEqual({
      persons: 22,
      total: 7480,
      depositPercent: 30,
      deposit: 2244,
    });
  });

  it('when the stay disagrees, derives the field the write did not set', () => {
    const moved = { departure: d('2026-05-16') };
    expect(fix(moved, { changed: ['departure'] })).toMatchObject({
      nights: 6,
      total: 10_710,
      deposit: 2677.5,
    });
    expect(fix({ nights: 6 }, { changed: ['nights'] })).toMatchObject({
      departure: '2026-05-16',
      total: 10_710,
    });
    expect(fix({ arrival: d('2026-05-12') }, { changed: ['arrival'] })).toMatchObject({
      departure: '2026-05-16',
    });
    // Both written, or unknown: the dates win.
    expect(fix({ nights: 6 }, { changed: ['nights', 'departure'] })).toMatchObject({ nights: 4 });
    expect(fix({ nights: 6 })).toMatchObject({ nights: 4 });
    // Unusable nights are replaced from the dates even when the nights were what was written.
    expect(fix({ nights: 2.5 }, { changed: ['nights'] })).toEqual({ nights: 4 });
    expect(fix({ nights: 0 }, { changed: ['nights'] })).toEqual({ nights: 4 });
  });

  it('never derives an impossible stay, and says what is wrong instead', () => {
    const result = enforceQuotation(
      { ...consistent, departure: d('2026-05-08') },
      { ...options, changed: ['departure'] },
    );
    expect(result.corrections).toEqual({
      issue: 'The departure (8 May 2026) must be after the arrival (10 May 2026).',
    });
    expect(result.issues.map((i) => i.code)).toEqual(['departureNotAfterArrival']);
    expect(result.issueText).toBe('The departure (8 May 2026) must be after the arrival (10 May 2026).');
    // Already stored: nothing to write, but the handler still knows what is wrong.
    const again = enforceQuotation(
      { ...consistent, departure: d('2026-05-08'), issue: result.issueText },
      options,
    );
    expect(again.corrections).toEqual({});
    expect(again.issueText).toBe(result.issueText);
  });

  it('writes the issue text once, in the organisation language, and clears it when fixed', () => {
    const broken = { ...consistent, adults: 0, children: 0, persons: 0, total: 0, deposit: 0 };
    const first = enforceQuotation(broken, { ...options, language: 'es' });
    expect(first.corrections).toEqual({
      issue: 'El grupo necesita al menos una persona: indique el número de adultos o de niños.',
    });
    expect(
      enforceQuotation(applyCorrections(broken, first.corrections), { ...options, language: 'es' })
        .corrections,
    ).toEqual({});
    expect(fix({ issue: 'old problem' })).toEqual({ issue: null });
  });

  it('prices an integration that writes only persons as adults', () => {
    expect(fix({ adults: null, children: null, persons: 10, total: null, deposit: null })).toEqual({
      total: 3400,
      deposit: 850,
    });
  });

  it('keeps a total it cannot recompute, with the deposit following it', () => {
    expect(fix({ pricePerPersonNight: null, total: 5000, deposit: null })).toEqual({ deposit: 1250 });
  });

  it('flags an arrival in the past only for a new quotation', () => {
    expect(fix({}, { isNew: true, today: d('2026-06-01') })).toEqual({
      issue:
        'The arrival (10 May 2026) is in the past: a new quotation must arrive today (1 June 2026) or later.',
    });
    expect(fix({}, { today: d('2026-06-01') })).toEqual({});
  });

  it('compares money at the currency precision, so stored rounding never causes a write', () => {
    expect(fix({ total: 7140.004, deposit: 1784.996 })).toEqual({});
    expect(fix({ total: 7140.01 })).toEqual({ total: 7140 });
  });

  it('does nothing for an opportunity that is not a quotation', () => {
    const empty: StoredQuotation = {
      arrival: null,
      nights: null,
      departure: null,
      adults: null,
      children: null,
      persons: null,
      pricePerPersonNight: null,
      childPricePercent: null,
      total: null,
      depositPercent: null,
      deposit: null,
      issue: null,
      quoteSentOn: null,
      optionExpiresOn: null,
      cutoffDate: null,
      roomingListDueOn: null,
    };
    expect(enforceQuotation(empty, options)).toEqual({ corrections: {}, issues: [], issueText: null });
  });

  describe('policy dates', () => {
    const policy = resolvePolicy({ optionDays: 5, cutoffDays: 30, roomingListDueDays: 10 });
    const unset = { optionExpiresOn: null, cutoffDate: null, roomingListDueOn: null };

    it('fills empty option expiry, cutoff and rooming-list due dates from the policy', () => {
      expect(fix(unset, { policy })).toEqual({
        optionExpiresOn: '2026-02-25',
        cutoffDate: '2026-04-10',
        roomingListDueOn: '2026-04-30',
      });
    });

    it('waits for the date each one is counted from, and never clears a date', () => {
      expect(fix({ ...unset, quoteSentOn: null })).toEqual({
        cutoffDate: '2026-04-19',
        roomingListDueOn: '2026-04-26',
      });
      expect(fix({ quoteSentOn: null })).toEqual({});
      const noStay = { arrival: null, departure: null, nights: null, total: null, deposit: null };
      expect(fix({ ...noStay, ...unset })).toEqual({ optionExpiresOn: '2026-03-02' });
    });

    it('counts from an arrival the stay derived in the same run', () => {
      expect(fix({ ...unset, arrival: null })).toMatchObject({
        arrival: '2026-05-10',
        cutoffDate: '2026-04-19',
        roomingListDueOn: '2026-04-26',
      });
    });

    it('never overwrites a date someone typed, also when the arrival moves', () => {
      const agreed = { cutoffDate: d('2026-04-01'), roomingListDueOn: d('2026-05-01') };
      expect(fix(agreed)).toEqual({});
      expect(
        fix(
          { ...agreed, arrival: d('2026-05-17'), departure: d('2026-05-21') },
          { before: { arrival: d('2026-05-10'), quoteSentOn: d('2026-02-20') } },
        ),
      ).toEqual({});
    });

    it("moves the policy's dates with the arrival or the quote sent date they were counted from", () => {
      const moved = { arrival: d('2026-05-17'), departure: d('2026-05-21') };
      const before = { arrival: d('2026-05-10'), quoteSentOn: d('2026-02-20') };
      expect(fix(moved, { before })).toEqual({ cutoffDate: '2026-04-26', roomingListDueOn: '2026-05-03' });
      // One typed, one the policy's: only the policy's moves.
      expect(fix({ ...moved, cutoffDate: d('2026-04-01') }, { before })).toEqual({
        roomingListDueOn: '2026-05-03',
      });
      expect(fix({ quoteSentOn: d('2026-02-23') }, { before })).toEqual({ optionExpiresOn: '2026-03-05' });
      // Without the old arrival the server cannot tell a policy date from a typed one: it keeps it.
      expect(fix(moved)).toEqual({});
    });

    it('a second run corrects nothing', () => {
      const first = enforceQuotation({ ...consistent, ...unset }, { ...options, policy });
      expect(hasCorrections(first.corrections)).toBe(true);
      const after = applyCorrections({ ...consistent, ...unset }, first.corrections);
      expect(enforceQuotation(after, { ...options, policy }).corrections).toEqual({});
    });
  });

  it('applying the corrections and running again (as the next trigger does) yields no corrections', () => {
    const date = fc.option(
      fc.integer({ min: toDayNumber(d('2026-01-01')), max: toDayNumber(d('2027-12-31')) }).map(fromDayNumber),
      { nil: null },
    );
    const count = fc.option(fc.oneof(fc.integer({ min: -2, max: 400 }), fc.constant(2.5)), { nil: null });
    const money = fc.option(
      fc.oneof(
        fc.integer({ min: -100, max: 1_000_000 }).map((c) => c / 100),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.constantFrom(1e20, -1e20),
      ),
      { nil: null },
    );
    const percent = fc.option(
      fc.oneof(
        fc.integer({ min: -10, max: 11_000 }).map((h) => h / 100),
        fc.constant(33.333),
      ),
      { nil: null },
    );
    const stayFields = fc.subarray<StayField>(['arrival', 'nights', 'departure']);
    fc.assert(
      fc.property(
        fc.record<StoredQuotation>({
          arrival: date,
          nights: count,
          departure: date,
          adults: count,
          children: count,
          persons: count,
          pricePerPersonNight: money,
          childPricePercent: percent,
          total: money,
          depositPercent: percent,
          deposit: money,
          issue: fc.option(fc.constantFrom('', 'old'), { nil: null }),
          quoteSentOn: date,
          optionExpiresOn: date,
          cutoffDate: date,
          roomingListDueOn: date,
        }),
        fc.option(stayFields, { nil: undefined }),
        fc.option(fc.record<BaseDatesBefore>({ arrival: date, quoteSentOn: date }), { nil: undefined }),
        fc.constantFrom<'en' | 'es'>('en', 'es'),
        fc.constantFrom(0, 2, 4),
        (stored, changed, before, language, precision) => {
          const opts = { ...options, language, precision, changed, before };
          const first = enforceQuotation(stored, opts);
          const after = applyCorrections(stored, first.corrections);
          // The re-trigger by the handler's own update: its pre-image is the record the first run read.
          const second = enforceQuotation(after, {
            ...opts,
            changed: changedStayFields(first.corrections),
            before: { arrival: stored.arrival, quoteSentOn: stored.quoteSentOn },
          });
          expect(second.corrections).toEqual({});
          // The same job delivered twice.
          expect(enforceQuotation(after, opts).corrections).toEqual({});
          expect(hasCorrections(second.corrections)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
