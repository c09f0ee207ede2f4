import { InvalidScoringInputError } from './errors';

/** All times in the engine are epoch milliseconds (UTC); adapters convert Dataverse DateTime values. */
export type EpochMs = number;

export const DAY_MS = 86_400_000;

/** Whole UTC days since the epoch: the "same day" of a rule's daily cap. */
export function utcDay(time: EpochMs): number {
  return Math.floor(requireFinite('time', time) / DAY_MS);
}

export function requireFinite(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidScoringInputError(field, value);
  return value;
}
