/**
 * Quotation money. Every amount is computed exactly in integer minor units (cents for a currency
 * with 2 decimals) from the decimal the user typed, then rounded once, half away from zero, to the
 * currency's precision: 1.005 € → 1.01 €, −0.125 → −0.13. Floats only appear at the edges.
 *
 * total   = nights × (adults + children × childPricePercent / 100) × price per person per night
 * deposit = total (already rounded) × deposit % / 100, rounded again
 */
import { InvalidAmountError } from './errors';
import { isValidNights } from './stay';

export const DEFAULT_PRECISION = 2;
/** The largest value a Dataverse Money column takes (SDK docs: MoneyAttributeMetadata.MaxSupportedValue). */
export const MAX_MONEY = 922_337_000_000_000;

interface Decimal {
  units: bigint;
  scale: number;
}

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** The decimal a user meant by a JS number: its shortest round-trip text, so 0.1 is exactly 1/10. */
function toDecimal(field: string, value: number): Decimal {
  if (!Number.isFinite(value)) throw new InvalidAmountError(field, value, 'a finite number');
  const match = NUMBER_TEXT.exec(String(value));
  if (!match) throw new InvalidAmountError(field, value, 'a finite number');
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let units = BigInt(whole + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** numerator / denominator rounded half away from zero; denominator > 0. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  return numerator < 0n ? -rounded : rounded;
}

function checkPrecision(precision: number): void {
  if (!Number.isInteger(precision) || precision < 0 || precision > 10) {
    throw new InvalidAmountError('precision', precision, 'a whole number of decimals from 0 to 10');
  }
}

function toSafeNumber(field: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidAmountError(field, value, `at most ${Number.MAX_SAFE_INTEGER} minor units`);
  }
  return Number(value);
}

/** An amount in minor units (12.345 at precision 2 → 1235). */
export function toMinorUnits(amount: number, precision = DEFAULT_PRECISION): number {
  checkPrecision(precision);
  const { units, scale } = toDecimal('amount', amount);
  const minor =
    scale <= precision ? units * pow10(precision - scale) : divideRounded(units, pow10(scale - precision));
  return toSafeNumber('amount', minor);
}

/** Minor units back to an amount: the double nearest the exact decimal (1235 → 12.35). */
export function fromMinorUnits(minor: number, precision = DEFAULT_PRECISION): number {
  checkPrecision(precision);
  if (!Number.isSafeInteger(minor)) throw new InvalidAmountError('minor units', minor, 'a whole number');
  // Both operands are exact and IEEE division rounds correctly, so this is the nearest double.
  return minor / 10 ** precision;
}

export function roundMoney(amount: number, precision = DEFAULT_PRECISION): number {
  return fromMinorUnits(toMinorUnits(amount, precision), precision);
}

function checkCount(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new InvalidAmountError(field, value, 'a whole number ≥ 0');
}

function checkPercent(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 100)
    throw new InvalidAmountError(field, value, 'a percentage from 0 to 100');
}

export function personsOf(adults: number | null | undefined, children: number | null | undefined): number {
  return (adults ?? 0) + (children ?? 0);
}

export interface StayPrice {
  nights: number;
  adults: number;
  children: number;
  pricePerPersonNight: number;
  /** Share of the adult price a child pays; 100 when not given. */
  childPricePercent?: number;
}

/** The total in minor units. Throws InvalidAmountError for input no total can be computed from. */
export function totalMinorUnits(input: StayPrice, precision = DEFAULT_PRECISION): number {
  checkPrecision(precision);
  const { nights, adults, children, pricePerPersonNight } = input;
  const childPercent = input.childPricePercent ?? 100;
  checkCount('nights', nights);
  checkCount('adults', adults);
  checkCount('children', children);
  checkPercent('childPricePercent', childPercent);
  if (!Number.isFinite(pricePerPersonNight) || pricePerPersonNight < 0) {
    throw new InvalidAmountError('pricePerPersonNight', pricePerPersonNight, 'an amount ≥ 0');
  }
  const child = toDecimal('childPricePercent', childPercent);
  const price = toDecimal('pricePerPersonNight', pricePerPersonNight);
  // weight = adults + children × child% / 100, kept as a fraction over 100 × 10^child.scale.
  const weightDenominator = 100n * pow10(child.scale);
  const weightNumerator = BigInt(adults) * weightDenominator + BigInt(children) * child.units;
  const numerator = BigInt(nights) * weightNumerator * price.units * pow10(precision);
  const denominator = weightDenominator * pow10(price.scale);
  return toSafeNumber('total', divideRounded(numerator, denominator));
}

export function computeTotal(input: StayPrice, precision = DEFAULT_PRECISION): number {
  return fromMinorUnits(totalMinorUnits(input, precision), precision);
}

export function percentOfMinorUnits(totalMinor: number, percent: number): number {
  if (!Number.isSafeInteger(totalMinor))
    throw new InvalidAmountError('total', totalMinor, 'a whole number of minor units');
  checkPercent('depositPercent', percent);
  const p = toDecimal('depositPercent', percent);
  return toSafeNumber('deposit', divideRounded(BigInt(totalMinor) * p.units, 100n * pow10(p.scale)));
}

export function computeDeposit(total: number, depositPercent: number, precision = DEFAULT_PRECISION): number {
  return fromMinorUnits(percentOfMinorUnits(toMinorUnits(total, precision), depositPercent), precision);
}

/**
 * Splits `totalMinor` over `weights` in proportion, in whole minor units that add up exactly:
 * each share is rounded down and the leftover units go to the largest remainders (ties: first).
 * All-zero weights put everything on the last share.
 */
export function allocateMinorUnits(totalMinor: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  if (!Number.isSafeInteger(totalMinor) || totalMinor < 0) {
    throw new InvalidAmountError('amount to allocate', totalMinor, 'a whole number of minor units ≥ 0');
  }
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) {
    throw new InvalidAmountError('allocation weights', weights.join(', '), 'whole numbers ≥ 0');
  }
  const weightSum = weights.reduce((sum, w) => sum + BigInt(w), 0n);
  if (weightSum === 0n) return weights.map((_, i) => (i === weights.length - 1 ? totalMinor : 0));
  const total = BigInt(totalMinor);
  const shares = weights.map((w) => (total * BigInt(w)) / weightSum);
  const remainders = weights.map((w, i) => ({ i, r: (total * BigInt(w)) % weightSum }));
  let left = total - shares.reduce((sum, s) => sum + s, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    shares[i] += 1n;
    left -= 1n;
  }
  return shares.map(Number);
}

export interface QuotationAmountsInput {
  nights: number | null;
  adults: number | null;
  children: number | null;
  pricePerPersonNight: number | null;
  childPricePercent: number | null;
  depositPercent: number | null;
}

export interface AmountOptions {
  /** Decimals of the record's currency; 2 when not given. */
  precision?: number;
  /** Used when the quotation has no child price % (the policy's value). */
  defaultChildPricePercent?: number;
  /** Used when the quotation has no deposit % (the policy's value); without it, no deposit. */
  defaultDepositPercent?: number;
}

export interface QuotationAmounts {
  /** null when neither adults nor children are known. */
  persons: number | null;
  /** null when the stay cannot be priced yet (a value missing or invalid: validation says which). */
  total: number | null;
  deposit: number | null;
  /** The deposit % the deposit was computed with (the quotation's, else the default). */
  depositPercent: number | null;
}

/** Persons, total and deposit for the values at hand; never throws for user input. */
export function computeQuotationAmounts(
  input: QuotationAmountsInput,
  options: AmountOptions = {},
): QuotationAmounts {
  const precision = options.precision ?? DEFAULT_PRECISION;
  const persons =
    input.adults === null && input.children === null ? null : personsOf(input.adults, input.children);
  const depositPercent = input.depositPercent ?? options.defaultDepositPercent ?? null;
  const none: QuotationAmounts = { persons, total: null, deposit: null, depositPercent };
  const { nights, pricePerPersonNight } = input;
  if (!isValidNights(nights) || pricePerPersonNight === null || persons === null || !(persons >= 1))
    return none;
  try {
    const totalMinor = totalMinorUnits(
      {
        nights,
        adults: input.adults ?? 0,
        children: input.children ?? 0,
        pricePerPersonNight,
        childPricePercent: input.childPricePercent ?? options.defaultChildPricePercent ?? 100,
      },
      precision,
    );
    const total = fromMinorUnits(totalMinor, precision);
    if (total > MAX_MONEY) return none;
    let deposit: number | null = null;
    if (depositPercent !== null && depositPercent >= 0 && depositPercent <= 100) {
      deposit = fromMinorUnits(percentOfMinorUnits(totalMinor, depositPercent), precision);
    }
    return { persons, total, deposit, depositPercent };
  } catch (error) {
    if (error instanceof InvalidAmountError) return none;
    throw error;
  }
}
