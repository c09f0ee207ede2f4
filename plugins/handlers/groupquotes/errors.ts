/** Failures of the group-quotation handlers and sweep, each with what a person needs to act on it. */
import { ValidationRefusal } from '../../host/errors';

/** The opportunity kept changing between read and write (412 each time). The job can run again. */
export class EnforcementConflictError extends Error {
  constructor(
    readonly opportunityId: string,
    readonly attempts: number,
  ) {
    super(
      `Opportunity ${opportunityId} changed while its quotation was being checked, ${attempts} times in a row; ` +
        'its derived values are checked again on its next save.',
    );
    this.name = 'EnforcementConflictError';
  }
}

/** The ERP/PMS did not take the quotation: every attempt failed, or it refused it. */
export class HandoffFailedError extends Error {
  constructor(
    readonly url: string,
    readonly attempts: number,
    /** The last reason, readable: an HTTP status with the endpoint's message, or the network error. */
    readonly reason: string,
  ) {
    super(`The ERP/PMS at ${url} did not accept the quotation after ${attempts} attempt(s): ${reason}`);
    this.name = 'HandoffFailedError';
  }
}

/** Some quotations could not be followed up; each one is in the log with its reason. */
export class SweepIncompleteError extends Error {
  constructor(
    readonly failed: readonly { opportunityId: string; reason: string }[],
    readonly processed: number,
  ) {
    const shown = failed
      .slice(0, 5)
      .map((f) => `${f.opportunityId}: ${f.reason}`)
      .join('; ');
    super(
      `The follow-up sweep could not process ${failed.length} of ${processed} quotation(s) (${shown}${failed.length > 5 ? '; …' : ''}). ` +
        'The others were processed; the failed ones are tried again on the next run.',
    );
    this.name = 'SweepIncompleteError';
  }
}

/** A follow-up addressed to the agent, but the quotation's agent contact no longer exists. */
export class MissingAgentError extends Error {
  constructor(readonly opportunityId: string) {
    super(`The agent of quotation ${opportunityId} no longer exists; choose another agent on the quotation.`);
    this.name = 'MissingAgentError';
  }
}

/** The follow-up plan asked for an action this sweep has no activity for (a plan newer than the sweep). */
export class UnsupportedFollowUpError extends Error {
  constructor(
    readonly action: string,
    readonly kind: string,
  ) {
    super(
      `The follow-up '${action}' of kind '${kind}' has no activity in the sweep; update plugins/handlers/groupquotes.`,
    );
    this.name = 'UnsupportedFollowUpError';
  }
}

/** A handoff is due but the host has no ERP/PMS URL (idr_ErpHandoffUrl). */
export class HandoffNotConfiguredError extends Error {
  constructor() {
    super('The ERP/PMS handoff has no URL: set idr_ErpHandoffUrl in the host settings.');
    this.name = 'HandoffNotConfiguredError';
  }
}

/**
 * A save with values no quotation can have (a departure before the arrival, a negative price…),
 * refused by the synchronous step. The message holds every reason in English, then in Spanish.
 */
export class QuotationRefusal extends ValidationRefusal {
  constructor(reasons: string, column: string) {
    super(reasons, column);
    this.name = 'QuotationRefusal';
  }
}

/** A phase set by hand that the recorded facts contradict; the message says what to record or clear. */
export class PhaseRefusal extends ValidationRefusal {
  constructor(reason: Readonly<Record<'en' | 'es', string>>, column: string) {
    super(`${reason.en} | ${reason.es}`, column);
    this.name = 'PhaseRefusal';
  }
}

/** New stay dates that would leave some of the quotation's room blocks outside the stay. */
export class StayLeavesBlocksRefusal extends ValidationRefusal {
  constructor(reason: Readonly<Record<'en' | 'es', string>>, column: string) {
    super(`${reason.en} | ${reason.es}`, column);
    this.name = 'StayLeavesBlocksRefusal';
  }
}

/** The font the quotation PDFs embed is not installed where the host runs. */
export class DocumentFontMissingError extends Error {
  constructor(readonly fontPackage: string) {
    super(
      `The quotation documents need the font package ${fontPackage} (in package.json); ` +
        'install the dependencies where the host runs (npm ci).',
    );
    this.name = 'DocumentFontMissingError';
  }
}
