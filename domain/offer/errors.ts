/**
 * Typed failures of the offer engine: each says what is wrong with which offer and what to do.
 */

export abstract class OfferError extends Error {
  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An offer's own fields make it impossible to score or rank (no concepts, a negative value…). */
export class InvalidOfferError extends OfferError {
  constructor(
    readonly offer: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`Offer ${offer}: ${field} ${problem}.`);
  }
}

/**
 * The history has too few purchases of an offer in a window to learn or to measure a model: with
 * no positive (or no negative) example, AUC is undefined and any model is a guess.
 */
export class NotEnoughHistoryError extends OfferError {
  constructor(
    readonly offer: string,
    readonly period: 'training' | 'evaluation',
    readonly positives: number,
    readonly negatives: number,
  ) {
    super(
      `Offer ${offer}: the ${period} period has ${positives} purchase(s) and ${negatives} non-purchase(s); ` +
        'a propensity model needs both. Register more orders of the offer (idr_interaction with idr_offer) ' +
        'or lengthen its purchase window (idr_labeldays).',
    );
  }
}
