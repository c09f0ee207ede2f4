/**
 * Quotation money. Every amount is computed exactly in integer minor units (cents for a currency
 * with 2 decimals) from the decimal the user typed, then rounded once, half away from zero, to the
 * currency's precision: 1.005 € → 1.01 €, −0.125 → −0.13. Floats only appear at the edges.
 *
 * total   = nights × (adults + children × childPricePercent / 100) × price per person per night
 * deposit = total (already rounded) × deposit % / 100, rounded again
 *
 * The arithmetic is on whole Numbers, which are exact up to 2^53 − 1 (Number.MAX_SAFE_INTEGER), so
 * no BigInt is needed (and none is shipped in the form script): each product is split so that no
 * step leaves that range, and an input whose exact result would is refused with InvalidAmountError.
 * pricing.test.ts proves every quotation within the data model's column ranges is priced exactly.
 */
import { InvalidAmountError } from './errors';
import { isValidNights } from './stay';

export const DEFAULT_PRECISION = 2;
/** The largest value a Dataverse Money column takes (SDK docs: MoneyAttributeMetadata.MaxSupportedValue). */
export const MAX_MONEY = 922_337_000_000_000;

/**
 * Why a value cannot be priced, and which value: numbered (const enums, which esbuild inlines) so that
 * computeQuotationAmounts, the form script's path, carries small numbers and none of the words below.
 */
const enum Rule {
  Finite,
  Safe,
  Decimals,
  Whole,
  WholeMinor,
  Count,
  Percent,
  Amount,
}

/** What a value that cannot be priced must be instead, by Rule: the end of InvalidAmountError's sentence. */
const ALLOWED: Record<Rule, string> = [
  'a finite number',
  // Number.MAX_SAFE_INTEGER written out: reading a property would keep this object in the form script.
  'at most 9007199254740991 minor units',
  'a whole number of decimals from 0 to 10',
  'a whole number',
  'a whole number of minor units',
  'a whole number ≥ 0',
  'a percentage from 0 to 100',
  'an amount ≥ 0',
];

const enum Field {
  Nights,
  Adults,
  Children,
  PricePerPersonNight,
  ChildPricePercent,
  DepositPercent,
  Total,
  Deposit,
  Amount,
  MinorUnits,
  Precision,
}

/** The name InvalidAmountError gives each Field. */
const FIELD_NAMES: Record<Field, string> = [
  'nights',
  'adults',
  'children',
  'pricePerPersonNight',
  'childPricePercent',
  'depositPercent',
  'total',
  'deposit',
  'amount',
  'minor units',
  'precision',
];

/**
 * A value the arithmetic below cannot price, not yet worded: computeQuotationAmounts only needs to know
 * that it happened, so the words (InvalidAmountError, ALLOWED, FIELD_NAMES) stay out of the form script
 * that calls it. The exported functions turn it into InvalidAmountError.
 */
class Unpriceable extends Error {
  constructor(
    readonly field: Field,
    readonly value: unknown,
    readonly rule: Rule,
  ) {
    super();
  }
}

function worded<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof Unpriceable)
      throw new InvalidAmountError(FIELD_NAMES[error.field], error.value, ALLOWED[error.rule]);
    throw error;
  }
}

const NUMBER_TEXT = /^-?(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * The magnitude's digits a user meant by a JS number, from its shortest round-trip text, so 0.1 is
 * exactly 1/10. The sign is the caller's: the text starts with "-" exactly when the value is below 0.
 */
function decimalText(field: Field, value: number): { digits: string; scale: number } {
  const match = Number.isFinite(value) ? NUMBER_TEXT.exec(String(value)) : null;
  if (!match) throw new Unpriceable(field, value, Rule.Finite);
  const [, whole, fraction = '', exponent = '0'] = match;
  return { digits: whole + fraction, scale: fraction.length - Number(exponent) };
}

function checkSafe(field: Field, value: unknown, result: number): number {
  if (!Number.isSafeInteger(result)) throw new Unpriceable(field, value, Rule.Safe);
  return result;
}

/**
 * A non-negative decimal as a whole number of units of 10^−scale (0.15 → 15 at scale 2), rounded to
 * `maxScale` decimals first: the most the column stores (Currency 4, Decimal 10: "Types of columns",
 * Dataverse), so float noise such as 0.30000000000000004 from an API caller is what Dataverse keeps.
 */
function toDecimal(field: Field, value: number, maxScale: number): { units: number; scale: number } {
  let { digits, scale } = decimalText(field, value);
  if (scale > maxScale) ({ digits, scale } = decimalText(field, Number(value.toFixed(maxScale))));
  // Any digit string above 2^53 − 1 reads back as 2^53 or more, so checkSafe also catches lost digits.
  const units = checkSafe(field, value, Number(scale < 0 ? digits + '0'.repeat(-scale) : digits));
  return { units, scale: Math.max(scale, 0) };
}

const MONEY_MAX_SCALE = 4;
const DECIMAL_MAX_SCALE = 10;

/** n / d rounded half up, for whole 0 ≤ n ≤ 2^53 − 1 and d ≥ 1: `%` and the exact division stay exact. */
function divideRounded(n: number, d: number): number {
  const r = n % d;
  return (n - r) / d + (2 * r >= d ? 1 : 0);
}

/**
 * a × b / d rounded half up, exactly, for whole a, b ≥ 0 and d ≥ 1: with a = q·d + r it is
 * q·b + r·b / d, and r·b < d·b. Refused when d·b or the result passes 2^53 − 1 (a float result
 * that did is never a safe integer, so the check also catches a product that lost digits).
 */
function mulDivRounded(field: Field, value: unknown, a: number, b: number, d: number): number {
  checkSafe(field, value, a);
  checkSafe(field, value, d * b);
  const r = a % d;
  return checkSafe(field, value, ((a - r) / d) * b + divideRounded(r * b, d));
}

function checkPrecision(precision: number): void {
  if (!Number.isInteger(precision) || precision < 0 || precision > 10) {
    throw new Unpriceable(Field.Precision, precision, Rule.Decimals);
  }
}

/** An amount in minor units (12.345 at precision 2 → 1235). */
export function toMinorUnits(amount: number, precision = DEFAULT_PRECISION): number {
  return worded(() => minorUnitsOf(amount, precision));
}

function minorUnitsOf(amount: number, precision: number): number {
  checkPrecision(precision);
  const { digits, scale } = decimalText(Field.Amount, amount);
  const drop = scale - precision;
  // Half away from zero on the magnitude's digits: the first dropped digit alone decides.
  const padded = digits.padStart(drop + 1, '0');
  const minor =
    drop > 0
      ? Number(padded.slice(0, -drop)) + (padded[padded.length - drop] >= '5' ? 1 : 0)
      : Number(digits + '0'.repeat(-drop));
  // 0 − 0 is +0: a tiny negative amount rounds to 0, not −0.
  return checkSafe(Field.Amount, amount, amount < 0 ? 0 - minor : minor);
}

/** Minor units back to an amount: the double nearest the exact decimal (1235 → 12.35). */
export function fromMinorUnits(minor: number, precision = DEFAULT_PRECISION): number {
  return worded(() => amountOf(minor, precision));
}

function amountOf(minor: number, precision: number): number {
  checkPrecision(precision);
  if (!Number.isSafeInteger(minor)) throw new Unpriceable(Field.MinorUnits, minor, Rule.Whole);
  // Both operands are exact and IEEE division rounds correctly, so this is the nearest double.
  return minor / 10 ** precision;
}

export function roundMoney(amount: number, precision = DEFAULT_PRECISION): number {
  return fromMinorUnits(toMinorUnits(amount, precision), precision);
}

function checkCount(field: Field, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new Unpriceable(field, value, Rule.Count);
}

function checkPercent(field: Field, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 100) throw new Unpriceable(field, value, Rule.Percent);
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
  const { nights, adults, children, pricePerPersonNight } = input;
  const childPercent = input.childPricePercent ?? 100;
  return worded(() => stayMinorUnits(nights, adults, children, pricePerPersonNight, childPercent, precision));
}

// Positional, not a StayPrice: the form script's path then carries no object of long property names.
function stayMinorUnits(
  nights: number,
  adults: number,
  children: number,
  pricePerPersonNight: number,
  childPercent: number,
  precision: number,
): number {
  checkPrecision(precision);
  checkCount(Field.Nights, nights);
  checkCount(Field.Adults, adults);
  checkCount(Field.Children, children);
  checkPercent(Field.ChildPricePercent, childPercent);
  if (!Number.isFinite(pricePerPersonNight) || pricePerPersonNight < 0) {
    throw new Unpriceable(Field.PricePerPersonNight, pricePerPersonNight, Rule.Amount);
  }
  const child = toDecimal(Field.ChildPricePercent, childPercent, DECIMAL_MAX_SCALE);
  const price = toDecimal(Field.PricePerPersonNight, pricePerPersonNight, MONEY_MAX_SCALE);
  // weight = adults + children × child% / 100 = W / E, both whole numbers.
  const E = 100 * 10 ** child.scale;
  const W = adults * E + children * child.units;
  // W beyond 2^53 − 1 fails mulDivRounded's check on d·W.
  // total in minor units = nights × price.units × 10^(precision − price.scale) × W / E
  const shift = precision - price.scale;
  const perPerson = nights * price.units * 10 ** Math.max(shift, 0);
  return mulDivRounded(Field.Total, pricePerPersonNight, perPerson, W, E * 10 ** Math.max(-shift, 0));
}

export function computeTotal(input: StayPrice, precision = DEFAULT_PRECISION): number {
  return fromMinorUnits(totalMinorUnits(input, precision), precision);
}

export function percentOfMinorUnits(totalMinor: number, percent: number): number {
  return worded(() => shareOf(totalMinor, percent));
}

function shareOf(totalMinor: number, percent: number): number {
  if (!Number.isSafeInteger(totalMinor)) throw new Unpriceable(Field.Total, totalMinor, Rule.WholeMinor);
  checkPercent(Field.DepositPercent, percent);
  const p = toDecimal(Field.DepositPercent, percent, DECIMAL_MAX_SCALE);
  const magnitude = mulDivRounded(Field.Deposit, percent, Math.abs(totalMinor), p.units, 100 * 10 ** p.scale);
  return totalMinor < 0 ? 0 - magnitude : magnitude;
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
    const totalMinor = stayMinorUnits(
      nights,
      input.adults ?? 0,
      input.children ?? 0,
      pricePerPersonNight,
      input.childPricePercent ?? options.defaultChildPricePercent ?? 100,
      precision,
    );
    const total = amountOf(totalMinor, precision);
    if (total > MAX_MONEY) return none;
    let deposit: number | null = null;
    if (depositPercent !== null && depositPercent >= 0 && depositPercent <= 100) {
      deposit = amountOf(shareOf(totalMinor, depositPercent), precision);
    }
    return { persons, total, deposit, depositPercent };
  } catch (error) {
    if (error instanceof Unpriceable) return none;
    throw error;
  }
}
