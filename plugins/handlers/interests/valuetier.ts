/**
 * The scheduled value tier job (`interests-value-tier`, at the segment re-check's interval): writes
 * `idr_valuetier` on active accounts and contacts from domain/interest/valuetier.ts. A sibling of
 * the re-check rather than part of it, because the re-check reads only in-segment profiles and a tier
 * needs every profile of every contact.
 *
 * - Account: actual value = `revenue` (the record's currency; `revenue_base` is not in the platform
 *   tables); potential and net interest = interestPotential / netInterest of its active contacts'
 *   profile scores for active concepts, decayed to now.
 * - Contact: actual value = an equal share of its parent account's revenue (revenue ÷ the account's
 *   active contacts), 0 without a parent account; potential and net interest from its own scores.
 *   An equal share keeps the contacts' values summing to the account's without data Dataverse lacks.
 *
 * Only changed tiers are written (unconditional PATCH of one column, so a rerun is harmless), in
 * atomic `$batch` chunks. Accounts are paged by key, each page with its contacts; contacts without a
 * parent account are paged by key afterwards.
 */
import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import { isRetryable } from '../../../dataverse/errors';
import {
  account,
  contact,
  idr_interestprofile,
  ValueTier,
  type accountRecord,
  type contactRecord,
  type idr_interestprofileRecord,
  type accountWrite,
  type contactWrite,
  type ValueTierValue,
} from '../../../dataverse/generated';
import {
  type EpochMs,
  interestPotential,
  netInterest,
  scoreAt,
  type ValueTier as Tier,
  type ValueTierThresholds,
  valueTier,
} from '../../../domain/interest';
import { defineJob, type JobDeps, type ScheduledJob } from '../../host/jobs';
import { loadActiveConcepts } from './catalog';
import { ValueTierIncompleteError } from './errors';
import { type Concept, idValue, lookupValue, PC, timeValue } from './records';
import type { ResolvedOptions } from './settings';

export const VALUE_TIER_JOB = 'interests-value-tier';
export const VALUE_TIER_PAGE_SIZE = 500;
/** Records per `$batch` changeset; well under Dataverse's 1,000 operations per batch. */
export const VALUE_TIER_BATCH_SIZE = 100;
/** Ids per `or` filter when reading contacts and profiles (keeps the URL short). */
const ID_CHUNK = 50;

const AC = account.columns;
const CC = contact.columns;
const ACCOUNT_ACTIVE = account.choices.statecode.Active;
const CONTACT_ACTIVE = contact.choices.statecode.Active;
const PROFILE_ACTIVE = idr_interestprofile.choices.statecode.Active;

const CHOICE: Readonly<Record<Tier, ValueTierValue>> = {
  mostValuable: ValueTier.MostValuable,
  mostGrowable: ValueTier.MostGrowable,
  maintain: ValueTier.Maintain,
  belowZero: ValueTier.BelowZero,
};

export interface ValueTierSummary {
  readonly accounts: number;
  readonly contacts: number;
  readonly changed: number;
}

interface Change {
  readonly entitySet: string;
  readonly id: string;
  readonly tier: ValueTierValue;
}

interface Row {
  readonly id: string;
  readonly stored: number | null;
  readonly parentId: string | null;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function anyOf(column: string, ids: readonly string[]): string {
  return `(${ids.map((id) => `${column} eq ${id}`).join(' or ')})`;
}

function toRow(record: EntityRecord): Row {
  const row = record as contactRecord;
  return {
    id: idValue(row.contactid) ?? '',
    stored: row.idr_valuetier ?? null,
    parentId: idValue(row._parentcustomerid_value),
  };
}

/** Each contact's profile scores for active concepts, decayed to `now`. */
async function scoresOf(
  deps: JobDeps,
  contactIds: readonly string[],
  concepts: ReadonlyMap<string, Concept>,
  now: EpochMs,
): Promise<Map<string, number[]>> {
  const scores = new Map<string, number[]>(contactIds.map((id) => [id, []]));
  for (const ids of chunks(contactIds, ID_CHUNK)) {
    const records = await deps.client.retrieveMultiple(idr_interestprofile.entitySetName, {
      select: [
        lookupValue(PC.idr_contact),
        lookupValue(PC.idr_concept),
        PC.idr_accumulator,
        PC.idr_landmarkon,
        PC.idr_scoredon,
      ],
      filter: `${PC.statecode} eq ${PROFILE_ACTIVE} and ${anyOf(lookupValue(PC.idr_contact), ids)}`,
    });
    for (const row of records as idr_interestprofileRecord[]) {
      const concept = concepts.get(idValue(row._idr_concept_value) ?? '');
      const contactId = idValue(row._idr_contact_value);
      if (!concept || !contactId) continue;
      // A row without a landmark is read as scored when it was scored, as toProfile does.
      const landmark = timeValue(row.idr_landmarkon) ?? timeValue(row.idr_scoredon) ?? now;
      const state = { accumulator: row.idr_accumulator ?? 0, landmark };
      scores.get(contactId)?.push(scoreAt(state, now, concept.halfLifeDays));
    }
  }
  return scores;
}

function tierOf(
  actualValue: number,
  scores: readonly number[],
  thresholds: ValueTierThresholds,
): ValueTierValue {
  return CHOICE[
    valueTier(
      { actualValue, potentialValue: interestPotential(scores), netInterest: netInterest(scores) },
      thresholds,
    )
  ];
}

export async function updateValueTiers(
  deps: JobDeps,
  thresholds: ValueTierThresholds,
  pageSize = VALUE_TIER_PAGE_SIZE,
): Promise<ValueTierSummary> {
  const now = deps.clock().getTime();
  const concepts = new Map((await loadActiveConcepts(deps.client, deps.logger)).map((c) => [c.id, c]));
  let changes: Change[] = [];
  let changed = 0;
  const failed: { records: string[]; reason: string }[] = [];
  // Written after every page, so memory holds one page of changes, not the organisation's.
  const flush = async (): Promise<void> => {
    for (const batch of chunks(changes, VALUE_TIER_BATCH_SIZE)) {
      const operations: BatchOperation[] = batch.map((change) => ({
        kind: 'update',
        entitySet: change.entitySet,
        key: change.id,
        // account and contact share the column's logical name (one global choice).
        record: { idr_valuetier: change.tier } satisfies contactWrite & accountWrite,
      }));
      try {
        await deps.client.executeBatch(operations, { atomic: true });
      } catch (error) {
        if (isRetryable(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        const records = batch.map((change) => change.id);
        deps.logger.error('Could not write value tiers.', {
          first: records[0],
          count: records.length,
          error: reason,
        });
        failed.push({ records, reason });
      }
    }
    changed += changes.length;
    changes = [];
  };
  const accountIds = new Set<string>();
  let accounts = 0;
  let contacts = 0;

  let last: string | null = null;
  for (;;) {
    const page = await deps.client.retrieveMultiple(account.entitySetName, {
      select: [AC.accountid, AC.revenue, AC.idr_valuetier],
      filter: `${AC.statecode} eq ${ACCOUNT_ACTIVE}${last ? ` and ${AC.accountid} gt ${last}` : ''}`,
      orderBy: [`${AC.accountid} asc`],
      top: pageSize,
    });
    if (page.length === 0) break;
    const rows = page as accountRecord[];
    const ids = rows.map((row) => idValue(row.accountid) ?? '');
    last = ids[ids.length - 1] ?? null;
    for (const id of ids) accountIds.add(id);
    const members: Row[] = [];
    for (const chunk of chunks(ids, ID_CHUNK)) {
      const records = await deps.client.retrieveMultiple(contact.entitySetName, {
        select: [CC.contactid, CC.idr_valuetier, lookupValue(CC.parentcustomerid)],
        filter: `${CC.statecode} eq ${CONTACT_ACTIVE} and ${anyOf(lookupValue(CC.parentcustomerid), chunk)}`,
      });
      members.push(...records.map((record) => toRow(record)));
    }
    const scores = await scoresOf(
      deps,
      members.map((m) => m.id),
      concepts,
      now,
    );
    for (const row of rows) {
      const id = idValue(row.accountid) ?? '';
      const revenue = row.revenue ?? 0;
      const own = members.filter((m) => m.parentId === id);
      accounts++;
      const tier = tierOf(
        revenue,
        own.flatMap((m) => scores.get(m.id) ?? []),
        thresholds,
      );
      if (tier !== (row.idr_valuetier ?? null)) changes.push({ entitySet: account.entitySetName, id, tier });
      for (const member of own) {
        contacts++;
        const contactTier = tierOf(revenue / own.length, scores.get(member.id) ?? [], thresholds);
        if (contactTier !== member.stored) {
          changes.push({ entitySet: contact.entitySetName, id: member.id, tier: contactTier });
        }
      }
    }
    await flush();
    if (page.length < pageSize) break;
  }

  // Contacts not seen above (no parent, a parent contact or an inactive account): actual value 0.
  last = null;
  for (;;) {
    const page: Row[] = (
      await deps.client.retrieveMultiple(contact.entitySetName, {
        select: [CC.contactid, CC.idr_valuetier, lookupValue(CC.parentcustomerid)],
        filter: `${CC.statecode} eq ${CONTACT_ACTIVE}${last ? ` and ${CC.contactid} gt ${last}` : ''}`,
        orderBy: [`${CC.contactid} asc`],
        top: pageSize,
      })
    ).map((record) => toRow(record));
    if (page.length === 0) break;
    last = page[page.length - 1]?.id ?? null;
    const alone = page.filter((row) => row.parentId === null || !accountIds.has(row.parentId));
    const scores = await scoresOf(
      deps,
      alone.map((row) => row.id),
      concepts,
      now,
    );
    for (const row of alone) {
      contacts++;
      const tier = tierOf(0, scores.get(row.id) ?? [], thresholds);
      if (tier !== row.stored) changes.push({ entitySet: contact.entitySetName, id: row.id, tier });
    }
    await flush();
    if (page.length < pageSize) break;
  }

  const summary = { accounts, contacts, changed };
  deps.logger.info('Value tiers updated.', { ...summary });
  if (failed.length > 0) throw new ValueTierIncompleteError(failed, changed);
  return summary;
}

export function valueTierJob(options: ResolvedOptions): ScheduledJob {
  return defineJob({
    name: VALUE_TIER_JOB,
    everyMs: options.recheckEveryMs ?? options.settings().recheckEveryMs,
    run: async (deps) => {
      await updateValueTiers(deps, options.settings().valueTierThresholds);
    },
  });
}
