/**
 * Typed failures of campaign planning and results. Each names the setting or record to fix.
 */

export abstract class CampaignError extends Error {
  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A contact policy value is out of range (a negative cap, a capacity of 1.5 calls…). */
export class InvalidContactPolicyError extends CampaignError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Contact policy: ${field} is ${JSON.stringify(value)}; it must be ${allowed}.`);
  }
}

/** A campaign setting is out of range (control percentage, incompatibility window). */
export class InvalidCampaignSettingError extends CampaignError {
  constructor(
    readonly campaignId: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Campaign ${campaignId}: ${field} is ${JSON.stringify(value)}; it must be ${allowed}.`);
  }
}

/** A trigger lacks a value its kind or action needs (a concept, the days before a birthday…). */
export class InvalidTriggerError extends CampaignError {
  constructor(
    readonly trigger: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Trigger '${trigger}': ${field} is ${JSON.stringify(value)}; set it to ${allowed}.`);
  }
}

/** A target query names something that does not exist or is out of range (en/es for the CLI). */
export class InvalidTargetError extends CampaignError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
    readonly messageEs: string,
  ) {
    super(`Target: ${field} ${JSON.stringify(value)} is not valid; use ${allowed}.`);
  }
}

/** `--offer` names no active offer (its code is what marketing sees on the offer form). */
export class UnknownOfferError extends CampaignError {
  readonly messageEs: string;
  constructor(
    readonly code: string,
    readonly known: readonly string[],
  ) {
    const list = known.length ? known.join(', ') : '—';
    super(`Offer "${code}" does not exist or is not active; use the code of an active offer: ${list}.`);
    this.messageEs = `La oferta "${code}" no existe o no está activa; use el código de una oferta activa: ${list}.`;
  }
}
