/** Failures of the IdearioInterests handlers and jobs, each carrying what a person needs to act on it. */
import { RetryLater, ValidationRefusal } from '../../host/errors';

/**
 * The contact's profiles kept changing between read and write (412 on every attempt). Answered with 503,
 * so Dataverse delivers the event once more; the interaction stays Pending until then.
 */
export class ScoringConflictError extends RetryLater {
  constructor(
    readonly interactionId: string,
    readonly contactId: string,
    readonly attempts: number,
  ) {
    super(
      `Interaction ${interactionId}: the interest profiles of contact ${contactId} changed during scoring ${attempts} times in a row ` +
        '(other events of the same contact were being scored at the same time); Dataverse delivers the event again.',
    );
    this.name = 'ScoringConflictError';
  }
}

/** Activating one more concept would exceed idr_MaxActiveConcepts. Shown to the user who saved. */
export class ConceptLimitRefusal extends ValidationRefusal {
  constructor(
    readonly conceptName: string,
    readonly activeCount: number,
    readonly maxActive: number,
    column: string,
  ) {
    super(
      `Marketing concept '${conceptName}' cannot be active: ${activeCount} concepts are already active and at most ${maxActive} may be ` +
        `(environment variable idr_MaxActiveConcepts). Deactivate a concept you no longer use, or ask an administrator to raise the limit.`,
      column,
    );
    this.name = 'ConceptLimitRefusal';
  }
}

/** Exit threshold above enter threshold: a contact would leave the segment right after entering it. */
export class ConceptThresholdRefusal extends ValidationRefusal {
  constructor(
    readonly conceptName: string,
    readonly enter: number,
    readonly exit: number,
    column: string,
  ) {
    super(
      `Marketing concept '${conceptName}': the exit threshold (${exit}) is above the enter threshold (${enter}). ` +
        'Set the exit threshold at or below the enter threshold, so that a contact who just entered the segment does not leave it at once.',
      column,
    );
    this.name = 'ConceptThresholdRefusal';
  }
}

/** A host setting of the interest handlers holds a value that cannot be used. */
export class InterestsSettingError extends Error {
  constructor(
    readonly setting: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`${setting} is '${value}'; ${allowed}.`);
    this.name = 'InterestsSettingError';
  }
}

/** Some profiles could not be moved out of their segment; each is in the log with its reason. */
export class SegmentRecheckIncompleteError extends Error {
  constructor(
    readonly failed: readonly { profileId: string; reason: string }[],
    readonly checked: number,
  ) {
    const shown = failed
      .slice(0, 5)
      .map((f) => `${f.profileId}: ${f.reason}`)
      .join('; ');
    super(
      `The segment re-check could not update ${failed.length} of ${checked} in-segment profile(s) (${shown}${failed.length > 5 ? '; …' : ''}). ` +
        'The others were updated; the failed ones are checked again on the next run.',
    );
    this.name = 'SegmentRecheckIncompleteError';
  }
}

/** Some value tiers could not be written; each failed write is in the log with its reason. */
export class ValueTierIncompleteError extends Error {
  constructor(
    readonly failed: readonly { records: readonly string[]; reason: string }[],
    readonly changed: number,
  ) {
    const shown = failed
      .slice(0, 5)
      .map((f) => `${f.records.length} record(s) from ${f.records[0] ?? '?'}: ${f.reason}`)
      .join('; ');
    super(
      `The value tier job could not write ${failed.reduce((n, f) => n + f.records.length, 0)} of ${changed} changed tier(s) (${shown}${failed.length > 5 ? '; …' : ''}). ` +
        'The other batches were written; the failed ones are computed again on the next run.',
    );
    this.name = 'ValueTierIncompleteError';
  }
}
