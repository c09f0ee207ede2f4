/**
 * What the server refuses outright from any caller (Web API, import, integration): the values a user
 * cannot type on the form because the form stops them (a departure before the arrival, negative
 * persons or prices, percentages outside 0–100, impossible nights). Anything else the form only flags
 * (an arrival in the past, nights that disagree with the dates, an empty group) is still accepted and
 * flagged by the asynchronous enforcement, as a draft may be incomplete.
 *
 * The caller's language is not known to the server, so every refusal carries both texts.
 */
import { type DateOnly } from './dateonly';
import { formatNumber, type Language } from './language';
import { type IssueCode, type QuotationValues, validateQuotation } from './validation';

/** The checks of validation.ts a save can never pass, whoever makes it. */
const IMPOSSIBLE: ReadonlySet<IssueCode> = new Set<IssueCode>([
  'notANumber',
  'departureNotAfterArrival',
  'stayTooLong',
  'nightsNotWhole',
  'nightsOutOfRange',
  'countInvalid',
  'priceNegative',
  'percentOutOfRange',
]);

/** The form's values plus the computed columns an integration may write directly. */
export interface WrittenQuotation extends QuotationValues {
  persons: number | null;
  total: number | null;
  deposit: number | null;
}

export type RefusedField = keyof WrittenQuotation;

export interface Refusal {
  field: RefusedField;
  /** The same reason in each language staff and agents read. */
  message: Record<Language, string>;
}

const AMOUNT_LABELS: Record<'persons' | 'total' | 'deposit', Record<Language, string>> = {
  persons: { en: 'Persons', es: 'Personas' },
  total: { en: 'Total', es: 'Total' },
  deposit: { en: 'Deposit', es: 'Depósito' },
};

function amountRefusal(field: 'persons' | 'total' | 'deposit', value: number): Refusal {
  const label = AMOUNT_LABELS[field];
  const wholeNeeded = field === 'persons';
  return {
    field,
    message: {
      en: `${label.en} must be ${wholeNeeded ? 'a whole number, ' : ''}0 or more (you entered ${formatNumber(value, 'en')}).`,
      es: `${label.es}: debe ser ${wholeNeeded ? 'un número entero ' : ''}igual o mayor que 0 (ha introducido ${formatNumber(value, 'es')}).`,
    },
  };
}

/**
 * The reasons to refuse a save of these values (the record as it will be after the save); empty when
 * the save may go ahead. `today` only fills message parameters: nothing here depends on the date.
 */
export function refuseImpossibleValues(values: WrittenQuotation, today: DateOnly): Refusal[] {
  const context = { today, isNew: false };
  const en = validateQuotation(values, { ...context, language: 'en' });
  const es = validateQuotation(values, { ...context, language: 'es' });
  const refusals: Refusal[] = [];
  en.forEach((issue, index) => {
    if (IMPOSSIBLE.has(issue.code))
      refusals.push({ field: issue.field, message: { en: issue.message, es: es[index].message } });
  });
  for (const field of ['persons', 'total', 'deposit'] as const) {
    const value = values[field];
    if (value === null) continue;
    const bad = !Number.isFinite(value) || value < 0 || (field === 'persons' && !Number.isInteger(value));
    if (bad) refusals.push(amountRefusal(field, value));
  }
  return refusals;
}

const LEAD: Record<Language, string> = {
  en: 'The quotation cannot be saved:',
  es: 'No se puede guardar la cotización:',
};

/** One text for a refusal: every reason in English, then in Spanish. */
export function refusalText(refusals: readonly Refusal[]): string {
  return (['en', 'es'] as const)
    .map((language) => [LEAD[language], ...refusals.map((r) => r.message[language])].join(' '))
    .join(' | ');
}
