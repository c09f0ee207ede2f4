/**
 * Arrival, nights and departure: any two give the third. Which one is derived depends on what the
 * salesperson just edited, so the value they typed is never overwritten.
 */
import { addDays, type DateOnly, daysBetween } from './dateonly';

export const MIN_NIGHTS = 1;
export const MAX_NIGHTS = 365;

export type StayField = 'arrival' | 'nights' | 'departure';

export interface StayValues {
  arrival: DateOnly | null;
  nights: number | null;
  departure: DateOnly | null;
}

/** The one field to set after an edit, and its value. */
export type StayDerivation =
  | { field: 'arrival'; value: DateOnly }
  | { field: 'nights'; value: number }
  | { field: 'departure'; value: DateOnly };

export function isValidNights(nights: number | null | undefined): nights is number {
  return (
    typeof nights === 'number' && Number.isInteger(nights) && nights >= MIN_NIGHTS && nights <= MAX_NIGHTS
  );
}

/** Nights of a stay: departure − arrival (may be ≤ 0 for inconsistent input; validation reports it). */
export function nightsBetween(arrival: DateOnly, departure: DateOnly): number {
  return daysBetween(arrival, departure);
}

export function departureFor(arrival: DateOnly, nights: number): DateOnly {
  return addDays(arrival, nights);
}

export function arrivalFor(departure: DateOnly, nights: number): DateOnly {
  return addDays(departure, -nights);
}

/**
 * The value to set after the user edits `changed`:
 * - arrival edited: keep nights, derive departure; with no nights yet, derive nights from departure;
 * - nights edited: derive departure; with no arrival yet, derive arrival from departure;
 * - departure edited: derive nights; with no arrival yet, derive arrival from nights.
 * `null` when nothing can be derived: a field is empty, the edited field was cleared, or the result
 * would be outside 1–365 nights (validation then tells the user why, nothing is overwritten).
 */
export function deriveStay(changed: StayField, values: StayValues): StayDerivation | null {
  const { arrival, nights, departure } = values;
  // The rules above, by what they derive rather than by the field edited (a smaller form script).
  // daysBetween and addDays rather than the one-line wrappers above, for the same reason.
  if (changed !== 'departure' && arrival && isValidNights(nights))
    return { field: 'departure', value: addDays(arrival, nights) };
  if (changed !== 'arrival' && !arrival && departure && isValidNights(nights))
    return { field: 'arrival', value: addDays(departure, -nights) };
  if (arrival && departure && (changed === 'departure' || (changed === 'arrival' && nights === null))) {
    const n = daysBetween(arrival, departure);
    if (isValidNights(n)) return { field: 'nights', value: n };
  }
  return null;
}
