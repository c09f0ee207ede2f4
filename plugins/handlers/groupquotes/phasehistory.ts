/**
 * One `idr_phasehistory` row per phase change: from, to, when the save that caused it was made and
 * who made it. The row is created under the alternate key `<opportunityid>:<save time>:<phase>` with a
 * create-only upsert, so a retried job records the change once.
 */
import type { DataverseClient } from '../../../dataverse/client';
import { DuplicateRecordError } from '../../../dataverse/errors';
import {
  idr_phasehistory,
  opportunity,
  systemuser,
  type idr_phasehistoryWrite,
  type systemuserRecord,
} from '../../../dataverse/generated';
import {
  holdingFact,
  type Language,
  PHASE_LABELS,
  type PhaseFacts,
  type QuotationPhase,
} from '../../../domain/quotation';
import { phaseValue, textValue, truncate } from './record';

const H = idr_phasehistory.columns;
/** idr_changedby is String(100) in the solution (idr_name allows 200). */
const NAME_MAX = 100;

export interface PhaseChange {
  opportunityId: string;
  from: QuotationPhase;
  to: QuotationPhase;
  /** When the save that moved the phase was made. */
  at: Date;
  /** The user who made that save (InitiatingUserId), when known. */
  userId: string | null;
  /** The facts after the save: the one that holds the new phase goes into idr_detail. */
  facts: PhaseFacts;
}

/** "Who" as the history shows it: the user's full name with its id, or the id alone. */
export async function userName(client: DataverseClient, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const user = (await client.retrieve(systemuser.entitySetName, userId, [
    systemuser.columns.fullname,
  ])) as systemuserRecord | null;
  const name = user && textValue(user.fullname);
  return name ? `${name} (${userId})` : userId;
}

/** The history row of a change; the demo loader writes its quotations' past changes with it too. */
export function phaseChangeRow(
  change: Omit<PhaseChange, 'userId'>,
  changedBy: string | null,
  language: Language,
): idr_phasehistoryWrite & { idr_key: string } {
  const labels = PHASE_LABELS[language];
  return {
    idr_key: `${change.opportunityId}:${change.at.toISOString()}:${change.to}`,
    idr_name: truncate(`${labels[change.from]} → ${labels[change.to]}`, NAME_MAX),
    idr_fromphase: phaseValue(change.from),
    idr_tophase: phaseValue(change.to),
    idr_changedon: change.at.toISOString(),
    idr_changedby: truncate(changedBy, NAME_MAX),
    idr_detail: change.to === 'cancelled' ? null : holdingFact(change.to, change.facts, language),
    'idr_opportunity@odata.bind': `/${opportunity.entitySetName}(${change.opportunityId})`,
  };
}

/** Records the change; false when a run before this one already did. */
export async function recordPhaseChange(
  client: DataverseClient,
  change: PhaseChange,
  language: Language,
): Promise<boolean> {
  const row = phaseChangeRow(change, await userName(client, change.userId), language);
  const key = row.idr_key;
  try {
    await client.upsert(idr_phasehistory.entitySetName, { [H.idr_key]: key }, row, { createOnly: true });
    return true;
  } catch (error) {
    if (error instanceof DuplicateRecordError) return false;
    throw error;
  }
}
