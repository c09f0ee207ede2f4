/**
 * The scheduled segment re-check (hourly by default). Scores decay with no event at all, so a contact
 * can fall below a concept's exit threshold while nothing is scored for them; this job finds every
 * in-segment profile, scores it now, and moves those below the exit threshold out of the segment
 * (`idr_insegment` false, and out of the concept's marketing list).
 *
 * Pages are read by key (`idr_interestprofileid gt <last>`, ordered by id), never by offset, so
 * profiles that leave the segment while the job pages do not shift the pages. Each leaver is written
 * in its own changeset with its etag: an event scored meanwhile wins (its evaluation is newer), and a
 * second run finds nothing left to do.
 */
import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import { ConcurrencyError, isRetryable } from '../../../dataverse/errors';
import { idr_interestprofile, listmember, type listmemberRecord } from '../../../dataverse/generated';
import { decideMembership, recheckProfiles } from '../../../domain/interest';
import { defineJob, type JobDeps, type ScheduledJob } from '../../host/jobs';
import { loadActiveConcepts } from './catalog';
import { SegmentRecheckIncompleteError } from './errors';
import {
  type Concept,
  idValue,
  lookupValue,
  membershipOperation,
  PC,
  PROFILE_SELECT,
  type ProfileRow,
  profileColumns,
  type StoredProfile,
  toProfile,
} from './records';
import type { ResolvedOptions } from './settings';

export const SEGMENT_RECHECK_JOB = 'interests-segment-recheck';
export const RECHECK_PAGE_SIZE = 500;
/** Leavers' list memberships are looked up this many contacts per query (keeps the URL short). */
const MEMBERSHIP_CHUNK = 50;

const ACTIVE = idr_interestprofile.choices.statecode.Active;
const LM = listmember.columns;

export interface RecheckSummary {
  readonly checked: number;
  readonly left: number;
  readonly removedFromLists: number;
  readonly conflicts: number;
}

interface Leaver {
  readonly stored: StoredProfile;
  readonly columns: EntityRecord;
  readonly concept: Concept;
}

async function listMembers(
  deps: JobDeps,
  listId: string,
  contactIds: readonly string[],
): Promise<Set<string>> {
  const members = new Set<string>();
  for (let i = 0; i < contactIds.length; i += MEMBERSHIP_CHUNK) {
    const chunk = contactIds.slice(i, i + MEMBERSHIP_CHUNK);
    const records = await deps.client.retrieveMultiple(listmember.entitySetName, {
      select: [lookupValue(LM.entityid)],
      filter: `${lookupValue(LM.listid)} eq ${listId} and (${chunk.map((id) => `${lookupValue(LM.entityid)} eq ${id}`).join(' or ')})`,
    });
    for (const record of records as listmemberRecord[]) {
      const id = idValue(record._entityid_value);
      if (id) members.add(id);
    }
  }
  return members;
}

export async function recheckSegments(deps: JobDeps, pageSize = RECHECK_PAGE_SIZE): Promise<RecheckSummary> {
  const concepts = await loadActiveConcepts(deps.client, deps.logger);
  const byId = new Map(concepts.map((c) => [c.id, c]));
  const failed: { profileId: string; reason: string }[] = [];
  let checked = 0;
  let left = 0;
  let removedFromLists = 0;
  let conflicts = 0;
  let last: string | null = null;
  for (;;) {
    const now = deps.clock().getTime();
    const page = (await deps.client.retrieveMultiple(idr_interestprofile.entitySetName, {
      select: PROFILE_SELECT,
      filter: `${PC.idr_insegment} eq true and ${PC.statecode} eq ${ACTIVE}${last ? ` and ${PC.idr_interestprofileid} gt ${last}` : ''}`,
      orderBy: [`${PC.idr_interestprofileid} asc`],
      top: pageSize,
    })) as ProfileRow[];
    if (page.length === 0) break;
    const leavers: Leaver[] = [];
    for (const record of page) {
      const stored = toProfile(record, now);
      last = stored.id;
      const concept = byId.get(stored.profile.conceptId);
      // Profiles of inactive concepts are left as they are: the concept is out of use, not the contact.
      if (!concept) continue;
      checked++;
      const [result] = recheckProfiles([stored.profile], [concept], now).profiles;
      if (result?.transition === 'leave') leavers.push({ stored, columns: profileColumns(result), concept });
    }
    const membersByList = new Map<string, Set<string>>();
    for (const listId of new Set(leavers.flatMap((l) => l.concept.listId ?? []))) {
      const contacts = leavers.filter((l) => l.concept.listId === listId).map((l) => l.stored.contactId);
      membersByList.set(listId, await listMembers(deps, listId, contacts));
    }
    for (const leaver of leavers) {
      const { stored, concept } = leaver;
      const operations: BatchOperation[] = [
        {
          kind: 'update',
          entitySet: idr_interestprofile.entitySetName,
          key: stored.id,
          record: leaver.columns,
          ifMatch: stored.etag,
        },
      ];
      const listId = concept.listId;
      const inList = listId ? (membersByList.get(listId)?.has(stored.contactId) ?? false) : false;
      // Leaving the segment takes the contact off the list whatever their consent.
      const action = decideMembership({ inSegment: false, inList, consent: { doNotBulkEmail: false } });
      if (listId && action === 'remove') {
        operations.push(membershipOperation(action, listId, stored.contactId));
      }
      try {
        await deps.client.executeBatch(operations, { atomic: true });
        left++;
        if (operations.length > 1) removedFromLists++;
      } catch (error) {
        if (error instanceof ConcurrencyError) {
          conflicts++;
          continue;
        }
        if (isRetryable(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        deps.logger.error('Could not move a profile out of its segment.', {
          profile: stored.id,
          concept: concept.id,
          error: reason,
        });
        failed.push({ profileId: stored.id, reason });
      }
    }
    if (page.length < pageSize) break;
  }
  const summary = { checked, left, removedFromLists, conflicts };
  deps.logger.info('Segment re-check finished.', { ...summary });
  if (failed.length > 0) throw new SegmentRecheckIncompleteError(failed, checked);
  return summary;
}

export function segmentRecheckJob(options: ResolvedOptions): ScheduledJob {
  return defineJob({
    name: SEGMENT_RECHECK_JOB,
    everyMs: options.recheckEveryMs ?? options.settings().recheckEveryMs,
    run: async (deps) => {
      await recheckSegments(deps);
    },
  });
}
