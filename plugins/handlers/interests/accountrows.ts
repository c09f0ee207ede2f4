/**
 * `idr_accountinterest` rows in and out (domain/interest/accountinterest.ts holds the arithmetic):
 * what the live handler, the bulk scorer and rescore read of them, and the writes that carry a
 * contact's change into its account's rows. Existing rows are written with their etag and new ones
 * created, so two contacts of one account scored at once cannot both add to a stale row: the second
 * changeset fails (412, or the alternate key account+concept on a twin create) and is recomputed.
 */
import type { BatchOperation } from '../../../dataverse/client';
import {
  account,
  idr_accountinterest,
  idr_marketingconcept,
  type idr_accountinterestRecord,
  type idr_accountinterestWrite,
} from '../../../dataverse/generated';
import {
  type AccountInterestState,
  applyContactChange,
  type ContactProfileChange,
  type EpochMs,
  type InterestProfile,
  rankKey,
  scoreAt,
} from '../../../domain/interest';
import { idValue, iso, NAME_MAX, recordUrl, textValue, timeValue, truncate } from './records';

export const AIC = idr_accountinterest.columns;

/** The columns scoring reads of an account's rows (FetchXML attribute names). */
export const ACCOUNT_INTEREST_COLUMNS: readonly string[] = [
  AIC.idr_accountinterestid,
  AIC.idr_account,
  AIC.idr_concept,
  AIC.idr_accumulator,
  AIC.idr_landmarkon,
  AIC.idr_scoredon,
  AIC.idr_contactcount,
  AIC.idr_lastinteractionon,
  AIC.versionnumber,
];

export interface StoredAccountInterest {
  readonly id: string;
  readonly etag: string | undefined;
  readonly accountId: string;
  readonly row: AccountInterestState;
  /** `idr_rankkey` when read (rescore reads it); null on rows written before it existed. */
  readonly rankKey: number | null;
}

export function toAccountInterest(
  row: idr_accountinterestRecord,
  fallbackLandmark: EpochMs,
): StoredAccountInterest {
  return {
    id: idValue(row.idr_accountinterestid) ?? '',
    etag: textValue(row['@odata.etag']) ?? undefined,
    accountId: idValue(row._idr_account_value) ?? '',
    rankKey: row.idr_rankkey ?? null,
    row: {
      conceptId: idValue(row._idr_concept_value) ?? '',
      accumulator: row.idr_accumulator ?? 0,
      landmark: timeValue(row.idr_landmarkon) ?? timeValue(row.idr_scoredon) ?? fallbackLandmark,
      contactCount: row.idr_contactcount ?? 0,
      lastInteractionOn: timeValue(row.idr_lastinteractionon),
    },
  };
}

interface RowConcept {
  readonly id: string;
  readonly name?: string;
  readonly halfLifeDays: number;
}

/** A contact's profile change as the account sees it: state and last interaction, before and after. */
export function profileChange(
  conceptId: string,
  before: InterestProfile | null | undefined,
  after: InterestProfile | null | undefined,
): ContactProfileChange {
  const part = (p: InterestProfile | null | undefined) =>
    p
      ? { accumulator: p.accumulator, landmark: p.landmark, lastInteractionOn: p.lastInteractionOn ?? null }
      : null;
  return { conceptId, before: part(before), after: part(after) };
}

/**
 * Applies contacts' changes to an account's rows (in place) and returns the concepts whose row
 * changed. Changes of concepts not in `concepts` (inactive) are left out.
 */
export function applyChanges(
  rows: Map<string, AccountInterestState>,
  changes: readonly ContactProfileChange[],
  concepts: ReadonlyMap<string, RowConcept>,
): Set<string> {
  const changed = new Set<string>();
  for (const change of changes) {
    const concept = concepts.get(change.conceptId);
    if (!concept) continue;
    const next = applyContactChange(rows.get(change.conceptId) ?? null, change, concept.halfLifeDays);
    if (!next) continue;
    rows.set(change.conceptId, next);
    changed.add(change.conceptId);
  }
  return changed;
}

function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/** Writes one account row: an existing one with its etag, a new one created with its name and links. */
export function accountInterestWrite(
  row: AccountInterestState,
  stored: StoredAccountInterest | undefined,
  owner: { readonly accountId: string; readonly accountName: string | null; readonly concept: RowConcept },
  now: EpochMs,
): BatchOperation {
  const columns: idr_accountinterestWrite = {
    idr_score: round(scoreAt(row, now, owner.concept.halfLifeDays), 4),
    idr_accumulator: round(row.accumulator, 10),
    idr_landmarkon: iso(row.landmark),
    idr_rankkey: round(rankKey(row, owner.concept.halfLifeDays), 10),
    idr_scoredon: iso(now),
    idr_contactcount: row.contactCount,
    idr_lastinteractionon: row.lastInteractionOn === null ? null : iso(row.lastInteractionOn),
  };
  if (stored) {
    return {
      kind: 'update',
      entitySet: idr_accountinterest.entitySetName,
      key: stored.id,
      record: columns,
      ifMatch: stored.etag,
    };
  }
  const record: idr_accountinterestWrite = {
    ...columns,
    idr_name: truncate(
      `${owner.accountName ?? owner.accountId} · ${owner.concept.name ?? owner.concept.id}`,
      NAME_MAX,
    ),
    'idr_account@odata.bind': recordUrl(account.entitySetName, owner.accountId),
    'idr_concept@odata.bind': recordUrl(idr_marketingconcept.entitySetName, owner.concept.id),
  };
  return { kind: 'create', entitySet: idr_accountinterest.entitySetName, record };
}
