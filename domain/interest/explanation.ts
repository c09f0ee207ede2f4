/**
 * `idr_applieddeltas`, the explanation stored on a scored interaction: the contract between the
 * scoring handlers that write it and the InterestProfile control that reads it.
 */

/**
 * One applied delta as stored, with its rule's and concept's names, so a form or control can explain
 * a score in words without one request per delta. The UI decays `points` to today from the
 * interaction's `idr_occurredon` and the concept's half-life.
 */
export interface ExplainedDelta {
  readonly rule: string;
  readonly ruleName: string;
  readonly concept: string;
  readonly conceptName: string;
  readonly points: number;
}

/**
 * The stored JSON's items as plain objects, for each reader to check the fields it needs. A value that
 * is not a JSON list (empty, malformed, another shape) holds no items: it explains nothing rather than
 * breaking whoever reads it.
 */
export function appliedDeltaItems(text: unknown): Readonly<Record<string, unknown>>[] {
  if (typeof text !== 'string' || text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return (parsed as unknown[]).filter(
    (item): item is Record<string, unknown> => typeof item === 'object' && item !== null,
  );
}
