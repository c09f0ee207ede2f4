/** Failures of campaign distribution and results a marketer can fix, each naming the record. */

export abstract class CampaignRecordError extends Error {
  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The campaign activity or campaign named does not exist. */
export class CampaignRecordNotFoundError extends CampaignRecordError {
  constructor(
    readonly table: string,
    readonly id: string,
  ) {
    super(`No ${table} ${id}: check the id (the record's URL ends with it).`);
  }
}

/** The campaign activity cannot be distributed as it stands (no campaign, no list, a channel Ideario does not send). */
export class CampaignActivityNotReadyError extends CampaignRecordError {
  constructor(
    readonly campaignActivityId: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`Campaign activity ${campaignActivityId} ${problem}. ${fix}`);
  }
}
