/**
 * Checks a salesperson can act on, in their language. Empty values are not issues here (whether a
 * column is required is the form's business, and not every opportunity is a group quotation);
 * values that are present must make sense. Never throws for user input.
 */
import { type DateOnly, daysBetween, isBefore } from './dateonly';
import { formatDate, formatNumber, type Language } from './language';
import { computeQuotationAmounts } from './pricing';
import { MAX_NIGHTS, MIN_NIGHTS } from './stay';

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

export interface ValidationIssue {
  /** The domain field the notification belongs on. */
  field: QuotationField;
  code: IssueCode;
  message: string;
}

export interface ValidationContext {
  /** Today in the user's (or organisation's) calendar. */
  today: DateOnly;
  /** A quotation being created: its arrival may not be in the past. */
  isNew: boolean;
  language: Language;
}

const FIELD_LABELS: Record<Language, Record<QuotationField, string>> = {
  en: {
    arrival: 'Arrival',
    nights: 'Nights',
    departure: 'Departure',
    adults: 'Adults',
    children: 'Children',
    pricePerPersonNight: 'Price per person per night',
    childPricePercent: 'Child price %',
    depositPercent: 'Deposit %',
  },
  es: {
    arrival: 'Llegada',
    nights: 'Noches',
    departure: 'Salida',
    adults: 'Adultos',
    children: 'Niños',
    pricePerPersonNight: 'Precio por persona y noche',
    childPricePercent: '% del precio para niños',
    depositPercent: '% de depósito',
  },
};

/** The label a salesperson sees for a field, in their language. */
export function fieldLabel(field: QuotationField, language: Language): string {
  return FIELD_LABELS[language][field];
}

interface MessageParams {
  label: string;
  value: string;
  arrival: string;
  departure: string;
  nights: string;
  stayNights: string;
  today: string;
}

type Messages = Record<IssueCode, (p: MessageParams) => string>;

const MESSAGES: Record<Language, Messages> = {
  en: {
    notANumber: (p) => `${p.label} is not a number.`,
    departureNotAfterArrival: (p) =>
      `The departure (${p.departure}) must be after the arrival (${p.arrival}).`,
    stayTooLong: (p) =>
      `A stay can last at most ${MAX_NIGHTS} nights; from ${p.arrival} to ${p.departure} is ${p.stayNights}.`,
    nightsNotWhole: (p) => `Nights must be a whole number (you entered ${p.value}).`,
    nightsOutOfRange: (p) =>
      `Nights must be between ${MIN_NIGHTS} and ${MAX_NIGHTS} (you entered ${p.value}).`,
    nightsMismatch: (p) =>
      `${p.nights} nights does not match the dates: from ${p.arrival} to ${p.departure} is ${p.stayNights} nights.`,
    countInvalid: (p) => `${p.label} must be a whole number, 0 or more (you entered ${p.value}).`,
    noPersons: () => 'The group needs at least one person: enter the number of adults or children.',
    priceNegative: (p) => `The price per person per night cannot be negative (you entered ${p.value}).`,
    totalTooLarge: () =>
      'The total would be larger than Dataverse can store: check the price, nights and persons.',
    percentOutOfRange: (p) => `${p.label} must be between 0 and 100 (you entered ${p.value}).`,
    arrivalInPast: (p) =>
      `The arrival (${p.arrival}) is in the past: a new quotation must arrive today (${p.today}) or later.`,
  },
  es: {
    notANumber: (p) => `${p.label}: el valor no es un número.`,
    departureNotAfterArrival: (p) =>
      `La salida (${p.departure}) debe ser posterior a la llegada (${p.arrival}).`,
    stayTooLong: (p) =>
      `Una estancia puede durar como máximo ${MAX_NIGHTS} noches; del ${p.arrival} al ${p.departure} hay ${p.stayNights}.`,
    nightsNotWhole: (p) => `Las noches deben ser un número entero (ha introducido ${p.value}).`,
    nightsOutOfRange: (p) =>
      `Las noches deben estar entre ${MIN_NIGHTS} y ${MAX_NIGHTS} (ha introducido ${p.value}).`,
    nightsMismatch: (p) =>
      `${p.nights} noches no coincide con las fechas: del ${p.arrival} al ${p.departure} hay ${p.stayNights} noches.`,
    countInvalid: (p) =>
      `${p.label}: debe ser un número entero igual o mayor que 0 (ha introducido ${p.value}).`,
    noPersons: () => 'El grupo necesita al menos una persona: indique el número de adultos o de niños.',
    priceNegative: (p) => `El precio por persona y noche no puede ser negativo (ha introducido ${p.value}).`,
    totalTooLarge: () =>
      'El total superaría el importe máximo que admite Dataverse: revise el precio, las noches y las personas.',
    percentOutOfRange: (p) => `${p.label}: debe estar entre 0 y 100 (ha introducido ${p.value}).`,
    arrivalInPast: (p) =>
      `La llegada (${p.arrival}) ya ha pasado: un presupuesto nuevo debe tener la llegada hoy (${p.today}) o más tarde.`,
  },
};

const NUMBER_FIELDS = [
  'nights',
  'adults',
  'children',
  'pricePerPersonNight',
  'childPricePercent',
  'depositPercent',
] as const;

/** Every problem with the values, in the order of the form; an empty list when all is well. */
export function validateQuotation(values: QuotationValues, context: ValidationContext): ValidationIssue[] {
  const { language } = context;
  const issues: ValidationIssue[] = [];
  const show = (value: number | null): string => (value === null ? '' : formatNumber(value, language));
  const date = (value: DateOnly | null): string => (value ? formatDate(value, language) : '');
  const add = (field: QuotationField, code: IssueCode, extra: Partial<MessageParams> = {}): void => {
    const params: MessageParams = {
      label: fieldLabel(field, language),
      value: '',
      arrival: date(values.arrival),
      departure: date(values.departure),
      nights: show(values.nights),
      stayNights: '',
      today: date(context.today),
      ...extra,
    };
    issues.push({ field, code, message: MESSAGES[language][code](params) });
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
  if (nights !== null && !Number.isInteger(nights)) add('nights', 'nightsNotWhole', { value: show(nights) });
  else if (nights !== null && (nights < MIN_NIGHTS || nights > MAX_NIGHTS))
    add('nights', 'nightsOutOfRange', { value: show(nights) });

  if (arrival && departure) {
    const stayNights = daysBetween(arrival, departure);
    if (stayNights <= 0) add('departure', 'departureNotAfterArrival');
    else if (stayNights > MAX_NIGHTS) add('departure', 'stayTooLong', { stayNights: show(stayNights) });
    else if (
      nights !== null &&
      Number.isInteger(nights) &&
      nights >= MIN_NIGHTS &&
      nights <= MAX_NIGHTS &&
      nights !== stayNights
    ) {
      add('nights', 'nightsMismatch', { stayNights: show(stayNights) });
    }
  }

  let countsOk = true;
  for (const field of ['adults', 'children'] as const) {
    const count = usable(field);
    if (count !== null && (!Number.isInteger(count) || count < 0)) {
      countsOk = false;
      add(field, 'countInvalid', { value: show(count) });
    }
  }
  const adults = usable('adults');
  const children = usable('children');
  // The notification goes on Adults, the control the salesperson types into (persons is computed).
  if (countsOk && (adults !== null || children !== null) && (adults ?? 0) + (children ?? 0) < 1)
    add('adults', 'noPersons');

  const price = usable('pricePerPersonNight');
  if (price !== null && price < 0) add('pricePerPersonNight', 'priceNegative', { value: show(price) });

  for (const field of ['childPricePercent', 'depositPercent'] as const) {
    const percent = usable(field);
    if (percent !== null && (percent < 0 || percent > 100))
      add(field, 'percentOutOfRange', { value: show(percent) });
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

/** One readable text for several issues (for `idr_quotationissue`); null when there are none. */
export function issuesText(issues: readonly ValidationIssue[]): string | null {
  return issues.length === 0 ? null : issues.map((issue) => issue.message).join(' ');
}
