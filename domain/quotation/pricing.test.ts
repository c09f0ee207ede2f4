import fc from 'fast-check';
import { InvalidAmountError } from './errors';
import {
  allocateMinorUnits,
  computeDeposit,
  computeQuotationAmounts,
  computeTotal,
  fromMinorUnits,
  percentOfMinorUnits,
  personsOf,
  roundMoney,
  type StayPrice,
  toMinorUnits,
  totalMinorUnits,
} from './pricing';

const stay = { nights: 3, adults: 20, children: 0, pricePerPersonNight: 85 };

describe('total', () => {
  it('is nights × persons × price', () => {
    expect(computeTotal(stay)).toBe(5100);
    expect(personsOf(20, 4)).toBe(24);
    expect(personsOf(null, 3)).toBe(3);
  });

  it('prices children at the configured percentage (100 % by default)', () => {
    expect(computeTotal({ ...stay, adults: 2, children: 2 })).toBe(1020);
    expect(computeTotal({ ...stay, adults: 2, children: 2, childPricePercent: 50 })).toBe(765);
    expect(
      computeTotal({ ...stay, adults: 2, children: 1, childPricePercent: 33.33, pricePerPersonNight: 100 }),
    ).toBe(699.99);
    expect(computeTotal({ ...stay, adults: 0, children: 10, childPricePercent: 0 })).toBe(0);
  });

  it('has no float drift: 0.1 + 0.2-style prices come out exact', () => {
    // 3 × 0.1 in floats is 0.30000000000000004.
    expect(computeTotal({ nights: 3, adults: 1, children: 0, pricePerPersonNight: 0.1 })).toBe(0.3);
    expect(computeTotal({ nights: 1, adults: 3, children: 0, pricePerPersonNight: 0.1 })).toBe(0.3);
    expect(computeTotal({ nights: 7, adults: 3, children: 0, pricePerPersonNight: 19.99 })).toBe(419.79);
    expect(computeTotal({ nights: 1, adults: 1, children: 0, pricePerPersonNight: 1.005 })).toBe(1.01);
  });

  it('rounds half away from zero at the currency precision', () => {
    expect(roundMoney(1.005)).toBe(1.01);
    expect(roundMoney(2.675)).toBe(2.68);
    expect(roundMoney(-0.125)).toBe(-0.13);
    expect(roundMoney(0.125, 0)).toBe(0);
    expect(roundMoney(0.5, 0)).toBe(1);
    expect(roundMoney(1234.56785, 4)).toBe(1234.5679);
    expect(computeTotal({ nights: 1, adults: 1, children: 0, pricePerPersonNight: 99.995 }, 0)).toBe(100);
    expect(
      computeTotal({ nights: 1, adults: 1, children: 1, childPricePercent: 50, pricePerPersonNight: 0.01 }),
    ).toBe(0.02);
  });

  it('matches exact rational arithmetic for any cent price', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 10_000_00 }),
        fc.integer({ min: 0, max: 100 }),
        (nights, adults, children, cents, childPercent) => {
          // With whole percentages, cents × (100·adults + pct·children) / 100 is exact in integers.
          const scaled = BigInt(nights) * BigInt(cents) * BigInt(100 * adults + childPercent * children);
          const expected = Number((scaled * 2n + 100n) / 200n);
          const input = {
            nights,
            adults,
            children,
            pricePerPersonNight: cents / 100,
            childPricePercent: childPercent,
          };
          expect(totalMinorUnits(input)).toBe(expected);
        },
      ),
    );
  });

  it('refuses input no total can be computed from, saying what is allowed', () => {
    expect(() => computeTotal({ ...stay, pricePerPersonNight: -1 })).toThrow(InvalidAmountError);
    expect(() => computeTotal({ ...stay, adults: 2.5 })).toThrow(
      'adults = 2.5 cannot be priced: it must be a whole number ≥ 0',
    );
    expect(() => computeTotal({ ...stay, childPricePercent: 120 })).toThrow('percentage from 0 to 100');
    expect(() => computeTotal({ ...stay, pricePerPersonNight: Number.NaN })).toThrow(InvalidAmountError);
    expect(() => computeTotal(stay, 11)).toThrow('precision');
  });

  it('prices float noise from an API caller as the value Dataverse stores (Money 4 decimals, Decimal 10)', () => {
    const noisy = 0.1 + 0.2; // 0.30000000000000004
    expect(computeTotal({ nights: 1, adults: 10, children: 0, pricePerPersonNight: noisy })).toBe(3);
    expect(
      computeTotal({
        nights: 1,
        adults: 0,
        children: 10,
        pricePerPersonNight: 100,
        childPricePercent: noisy,
      }),
    ).toBe(3);
    expect(computeDeposit(1000, noisy)).toBe(3);
    // Within a column's decimals nothing is rounded: 12.3456 a night stays exact.
    expect(computeTotal({ nights: 1, adults: 10_000, children: 0, pricePerPersonNight: 12.3456 })).toBe(
      123_456,
    );
  });
});

describe('deposit', () => {
  it('is total × deposit %, rounded to the cent', () => {
    expect(computeDeposit(5100, 25)).toBe(1275);
    expect(computeDeposit(100.01, 25)).toBe(25);
    expect(computeDeposit(100.02, 25)).toBe(25.01);
    expect(computeDeposit(333.33, 33.33)).toBe(111.1);
    expect(computeDeposit(0.1 + 0.2, 100)).toBe(0.3);
  });
});

describe('minor units', () => {
  it('convert both ways without drift', () => {
    expect(toMinorUnits(0.1 + 0.2)).toBe(30);
    expect(toMinorUnits(12.345)).toBe(1235);
    expect(fromMinorUnits(1235)).toBe(12.35);
    expect(fromMinorUnits(30)).toBe(0.3);
  });

  it('reject amounts too large to count in minor units', () => {
    expect(() => toMinorUnits(1e21)).toThrow(InvalidAmountError);
    expect(() => toMinorUnits(1e21)).toThrow(
      `amount = 1e+21 cannot be priced: it must be at most ${Number.MAX_SAFE_INTEGER} minor units.`,
    );
    expect(() => fromMinorUnits(0.5)).toThrow(
      'minor units = 0.5 cannot be priced: it must be a whole number.',
    );
    expect(() => totalMinorUnits({ nights: 2, adults: 1.5, children: 0, pricePerPersonNight: 10 })).toThrow(
      'adults = 1.5 cannot be priced: it must be a whole number ≥ 0.',
    );
  });
});

describe('allocateMinorUnits', () => {
  it('splits proportionally and the parts add up exactly', () => {
    expect(allocateMinorUnits(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocateMinorUnits(1000, [25, 75])).toEqual([250, 750]);
    expect(allocateMinorUnits(7, [0, 0])).toEqual([0, 7]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 8 }),
        (total, weights) => {
          const parts = allocateMinorUnits(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          expect(parts.every((p) => Number.isInteger(p) && p >= 0)).toBe(true);
        },
      ),
    );
  });
});

describe('computeQuotationAmounts', () => {
  const input = {
    nights: 4,
    adults: 10,
    children: 2,
    pricePerPersonNight: 50,
    childPricePercent: null,
    depositPercent: null,
  };

  it('uses the policy defaults for empty percentages', () => {
    expect(
      computeQuotationAmounts(input, { defaultChildPricePercent: 50, defaultDepositPercent: 25 }),
    ).toEqual({
      persons: 12,
      total: 2200,
      deposit: 550,
      depositPercent: 25,
    });
  });

  it('gives what it can while the form is half filled, and never throws', () => {
    expect(computeQuotationAmounts({ ...input, nights: null })).toEqual({
      persons: 12,
      total: null,
      deposit: null,
      depositPercent: null,
    });
    expect(computeQuotationAmounts({ ...input, adults: null, children: null }).persons).toBeNull();
    expect(computeQuotationAmounts({ ...input, adults: 0, children: 0 }).total).toBeNull();
    expect(computeQuotationAmounts({ ...input, pricePerPersonNight: -5 }).total).toBeNull();
    expect(computeQuotationAmounts({ ...input, depositPercent: 150 })).toMatchObject({
      total: 2400,
      deposit: null,
    });
    expect(computeQuotationAmounts({ ...input, pricePerPersonNight: 1e15 }).total).toBeNull();
  });

  it('gives no total beyond what a Dataverse Money column stores', () => {
    const one = { ...input, nights: 1, adults: 1, children: 0 };
    expect(computeQuotationAmounts({ ...one, pricePerPersonNight: 9e14 }, { precision: 0 }).total).toBe(9e14);
    expect(
      computeQuotationAmounts({ ...one, pricePerPersonNight: 9.3e14 }, { precision: 0 }).total,
    ).toBeNull();
  });
});

describe('exact without BigInt', () => {
  /** The rational the rules define, in BigInt: the reference the Number arithmetic must equal. */
  const units = (value: number): { units: bigint; scale: number } => {
    const [, whole, fraction = '', exponent = '0'] =
      /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value)) ?? [];
    const scale = fraction.length - Number(exponent);
    const u = BigInt(whole + fraction);
    return scale < 0 ? { units: u * 10n ** BigInt(-scale), scale: 0 } : { units: u, scale };
  };
  const rounded = (n: bigint, d: bigint): bigint => (n * 2n + d) / (d * 2n);
  const referenceTotal = (s: Required<StayPrice>, precision: number): bigint => {
    const c = units(s.childPricePercent);
    const p = units(s.pricePerPersonNight);
    const e = 100n * 10n ** BigInt(c.scale);
    const w = BigInt(s.adults) * e + BigInt(s.children) * c.units;
    return rounded(BigInt(s.nights) * w * p.units * 10n ** BigInt(precision), e * 10n ** BigInt(p.scale));
  };
  const safe = BigInt(Number.MAX_SAFE_INTEGER);

  it('prices every quotation within the columns’ ranges exactly, and refuses rather than round beyond 2^53', () => {
    // The data model: nights 1–365, adults and children Integer(0..10000), Money with the currency's
    // 0–4 decimals up to 922,337,203,685,477, Child price % and Deposit % Decimal(2) 0..100.
    const percent = fc.integer({ min: 0, max: 10_000 }).map((hundredths) => hundredths / 100);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.oneof(
          fc.integer({ min: 0, max: 10_000_000 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        ),
        percent,
        percent,
        (precision, nights, adults, children, priceMinor, childPricePercent, depositPercent) => {
          const pricePerPersonNight = priceMinor / 10 ** precision;
          fc.pre(pricePerPersonNight <= 922_337_203_685_477);
          const stay = { nights, adults, children, pricePerPersonNight, childPricePercent };
          const expected = referenceTotal(stay, precision);
          const fullPrice = BigInt(nights) * BigInt(priceMinor);
          if (expected <= safe && (adults > 0 || fullPrice <= safe)) {
            const total = totalMinorUnits(stay, precision);
            expect(total).toBe(Number(expected));
            const deposit = rounded(
              expected * units(depositPercent).units,
              100n * 10n ** BigInt(units(depositPercent).scale),
            );
            expect(percentOfMinorUnits(total, depositPercent)).toBe(Number(deposit));
          } else if (expected > safe) {
            expect(() => totalMinorUnits(stay, precision)).toThrow(InvalidAmountError);
          }
        },
      ),
      { numRuns: 3000, seed: 20261207 },
    );
  });

  it('rounds any double to minor units as its decimal text says, never −0', () => {
    expect(toMinorUnits(-0.001)).toBe(0);
    expect(Object.is(toMinorUnits(-0.001), 0)).toBe(true);
    expect(toMinorUnits(1e-7, 4)).toBe(0);
    expect(toMinorUnits(0.30000000000000004)).toBe(30);
    expect(toMinorUnits(9e13)).toBe(9e15);
    expect(() => toMinorUnits(9.1e13)).toThrow(InvalidAmountError);
  });
});
