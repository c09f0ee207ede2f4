/**
 * The one catalog of the quotation checks' texts, keyed as the form script asks for them. The server
 * renders from it directly; `webresources/build.ts` writes it out as the Opportunity form's RESX web
 * resources, so the form script carries codes, not sentences ("String (RESX) web resources").
 * Placeholders are `{name}`; `fillTemplate` puts the values in.
 */
import type { Language } from './language';
import type { IssueCode, QuotationField } from './validation';

export type QuotationStringKey = `issue.${IssueCode}` | `field.${QuotationField}`;

export const QUOTATION_STRINGS: Record<Language, Record<QuotationStringKey, string>> = {
  en: {
    'field.arrival': 'Arrival',
    'field.nights': 'Nights',
    'field.departure': 'Departure',
    'field.adults': 'Adults',
    'field.children': 'Children',
    'field.pricePerPersonNight': 'Price per person per night',
    'field.childPricePercent': 'Child price %',
    'field.depositPercent': 'Deposit %',
    'issue.notANumber': '{label} is not a number.',
    'issue.departureNotAfterArrival': 'The departure ({departure}) must be after the arrival ({arrival}).',
    'issue.stayTooLong':
      'A stay can last at most {maxNights} nights; from {arrival} to {departure} is {stayNights}.',
    'issue.nightsNotWhole': 'Nights must be a whole number (you entered {value}).',
    'issue.nightsOutOfRange': 'Nights must be between {minNights} and {maxNights} (you entered {value}).',
    'issue.nightsMismatch':
      '{nights} nights does not match the dates: from {arrival} to {departure} is {stayNights} nights.',
    'issue.countInvalid': '{label} must be a whole number, 0 or more (you entered {value}).',
    'issue.noPersons': 'The group needs at least one person: enter the number of adults or children.',
    'issue.priceNegative': 'The price per person per night cannot be negative (you entered {value}).',
    'issue.totalTooLarge':
      'The total would be larger than Dataverse can store: check the price, nights and persons.',
    'issue.percentOutOfRange': '{label} must be between 0 and 100 (you entered {value}).',
    'issue.arrivalInPast':
      'The arrival ({arrival}) is in the past: a new quotation must arrive today ({today}) or later.',
  },
  es: {
    'field.arrival': 'Llegada',
    'field.nights': 'Noches',
    'field.departure': 'Salida',
    'field.adults': 'Adultos',
    'field.children': 'Niños',
    'field.pricePerPersonNight': 'Precio por persona y noche',
    'field.childPricePercent': '% del precio para niños',
    'field.depositPercent': '% de depósito',
    'issue.notANumber': '{label}: el valor no es un número.',
    'issue.departureNotAfterArrival': 'La salida ({departure}) debe ser posterior a la llegada ({arrival}).',
    'issue.stayTooLong':
      'Una estancia puede durar como máximo {maxNights} noches; del {arrival} al {departure} hay {stayNights}.',
    'issue.nightsNotWhole': 'Las noches deben ser un número entero (ha introducido {value}).',
    'issue.nightsOutOfRange':
      'Las noches deben estar entre {minNights} y {maxNights} (ha introducido {value}).',
    'issue.nightsMismatch':
      '{nights} noches no coincide con las fechas: del {arrival} al {departure} hay {stayNights} noches.',
    'issue.countInvalid': '{label}: debe ser un número entero igual o mayor que 0 (ha introducido {value}).',
    'issue.noPersons': 'El grupo necesita al menos una persona: indique el número de adultos o de niños.',
    'issue.priceNegative': 'El precio por persona y noche no puede ser negativo (ha introducido {value}).',
    'issue.totalTooLarge':
      'El total superaría el importe máximo que admite Dataverse: revise el precio, las noches y las personas.',
    'issue.percentOutOfRange': '{label}: debe estar entre 0 y 100 (ha introducido {value}).',
    'issue.arrivalInPast':
      'La llegada ({arrival}) ya ha pasado: un presupuesto nuevo debe tener la llegada hoy ({today}) o más tarde.',
  },
};

/** `{name}` placeholders replaced by their values; an unknown one stays as written, so it shows. */
export function fillTemplate(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
