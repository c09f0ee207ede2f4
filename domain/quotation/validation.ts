/**
 * Checks a salesperson can act on, in their language. Empty values are not issues here (whether a
 * column is required is the form's business, and not every opportunity is a group quotation);
 * values that are present must make sense. Never throws for user input.
 */
import { type DateOnly, daysBetween, isBefore } from './dateonly';
import { formatDate, formatNumber, type Language } from './language';
import { fillTemplate, QUOTATION_STRINGS, type QuotationStringKey } from './messages';
import { computeQuotationAmounts } from './pricing';
import { isValidNights, MAX_NIGHTS, MIN_NIGHTS } from './stay';

export interface QuotationValues {
  arrival: DateOnly | null;
  nights: number | null;
  departure: DateOnly | null;
  adults: number | null;
  children: number | null;
  pricePerPersonNight: number | null;
  childPricePercent: number | null;
  depositPercent: number | null;
}

export type QuotationField = keyof QuotationValues;

export type IssueCode =
  | 'notANumber'
  | 'departureNotAfterArrival'
  | 'stayTooLong'
  | 'nightsNotWhole'
  | 'nightsOutOfRange'
  | 'nightsMismatch'
  | 'countInvalid'
  | 'noPersons'
  | 'priceNegative'
  | 'totalTooLarge'
  | 'percentOutOfRange'
  | 'arrivalInPast';

/** What a check found, without words: the form script and the server each put it in a language. */
export interface IssueFound {
  /** The domain field the notification belongs on. */
  field: QuotationField;
  code: IssueCode;
  /** The offending value, when the message quotes it. */
  value?: number;
  /** Nights between the arrival and the departure, when the message quotes them. */
  stayNights?: number;
}

export interface ValidationIssue {
  /** The domain field the notification belongs on. */
  field: QuotationField;
  code: IssueCode;
  message: string;
}

export interface CheckContext {
  /** Today in the user's (or organisation's) calendar. */
  today: DateOnly;
  /** A quotation being created: its arrival may not be in the past. */
  isNew: boolean;
}

export interface ValidationContext extends CheckContext {
  language: Language;
}

/** The label a salesperson sees for a field, in their language. */
export function fieldLabel(field: QuotationField, language: Language): string {
  return QUOTATION_STRINGS[language][`field.${field}`];
}

/** A text of the catalog by key: `QUOTATION_STRINGS[language]` on the server, RESX in the form. */
export type QuotationText = (key: QuotationStringKey) => string;

/** The sentence for one issue, its dates and numbers written the way `language` writes them. */
export function issueMessage(
  issue: IssueFound,
  values: QuotationValues,
  today: DateOnly,
  language: Language,
  text: QuotationText,
): string {
  const show = (value: number | null | undefined): string =>
    value === null || value === undefined ? '' : formatNumber(value, language);
  const date = (value: DateOnly | null): string => (value ? formatDate(value, language) : '');
  return fillTemplate(text(`issue.${issue.code}`), {
    label: text(`field.${issue.field}`),
    value: show(issue.value),
    arrival: date(values.arrival),
    departure: date(values.departure),
    nights: show(values.nights),
    stayNights: show(issue.stayNights),
    today: date(today),
    minNights: show(MIN_NIGHTS),
    maxNights: show(MAX_NIGHTS),
  });
}

const NUMBER_FIELDS = [
  'nights',
  'adults',
  'children',
  'pricePerPersonNight',
  'childPricePercent',
  'depositPercent',
] as const;

/** Every problem with the values, in the order of the form; an empty list when all is well. */
export function checkQuotation(values: QuotationValues, context: CheckContext): IssueFound[] {
  const issues: IssueFound[] = [];
  const add = (
    field: QuotationField,
    code: IssueCode,
    extra: Omit<IssueFound, 'field' | 'code'> = {},
  ): void => {
    issues.push({ field, code, ...extra });
  };

  const broken = new Set<QuotationField>();
  for (const field of NUMBER_FIELDS) {
    const value = values[field];
    if (value !== null && !Number.isFinite(value)) {
      broken.add(field);
      add(field, 'notANumber');
    }
  }
  const usable = (field: (typeof NUMBER_FIELDS)[number]): number | null =>
    broken.has(field) ? null : values[field];

  const { arrival, departure } = values;
  if (arrival && context.isNew && isBefore(arrival, context.today)) add('arrival', 'arrivalInPast');

  const nights = usable('nights');
  if (nights !== null && !Number.isInteger(nights)) add('nights', 'nightsNotWhole', { value: nights });
  else if (nights !== null && !isValidNights(nights)) add('nights', 'nightsOutOfRange', { value: nights });

  if (arrival && departure) {
    const stayNights = daysBetween(arrival, departure);
    if (stayNights <= 0) add('departure', 'departureNotAfterArrival');
    else if (stayNights > MAX_NIGHTS) add('departure', 'stayTooLong', { stayNights });
    else if (isValidNights(nights) && nights !== stayNights) add('nights', 'nightsMismatch', { stayNights });
  }

  let countsOk = true;
  for (const field of ['adults', 'children'] as const) {
    const count = usable(field);
    if (count !== null && (!Number.isInteger(count) || count < 0)) {
      countsOk = false;
      add(field, 'countInvalid', { value: count });
    }
  }
  const adults = usable('adults');
  const children = usable('children');
  // The notification goes on Adults, the control the salesperson types into (persons is computed).
  if (countsOk && (adults !== null || children !== null) && (adults ?? 0) + (children ?? 0) < 1)
    add('adults', 'noPersons');

  const price = usable('pricePerPersonNight');
  if (price !== null && price < 0) add('pricePerPersonNight', 'priceNegative', { value: price });

  for (const field of ['childPricePercent', 'depositPercent'] as const) {
    const percent = usable(field);
    if (percent !== null && (percent < 0 || percent > 100))
      add(field, 'percentOutOfRange', { value: percent });
  }

  if (issues.length === 0 && price !== null) {
    // Every input is valid here, so a missing total can only mean it overflows the Money column.
    const stayNights = nights ?? (arrival && departure ? daysBetween(arrival, departure) : null);
    const amounts = computeQuotationAmounts({ ...values, nights: stayNights });
    if (stayNights !== null && (amounts.persons ?? 0) >= 1 && amounts.total === null)
      add('pricePerPersonNight', 'totalTooLarge');
  }
  return issues;
}

/** The issues with their messages in the context's language (the server's view of the checks). */
export function validateQuotation(values: QuotationValues, context: ValidationContext): ValidationIssue[] {
  const strings = QUOTATION_STRINGS[context.language];
  return checkQuotation(values, context).map((issue) => ({
    field: issue.field,
    code: issue.code,
    message: issueMessage(issue, values, context.today, context.language, (key) => strings[key]),
  }));
}

/** One readable text for several issues (for `idr_quotationissue`); null when there are none. */
export function issuesText(issues: readonly ValidationIssue[]): string | null {
  return issues.length === 0 ? null : issues.map((issue) => issue.message).join(' ');
}
