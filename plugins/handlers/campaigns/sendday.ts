/**
 * The send-day re-check, one for every action decided ahead of its day: a triggered action postponed
 * over a cap, and the activities a campaign distribution scheduled for a later day. Each waits as an
 * open activity; on its day (while it is open, even if someone moved its start) the contact policy
 * runs again with what is true then. Consent withdrawn, a Robinson list joined, a Below-Zero tier or a
 * cap a drop policy enforces since: the activity is cancelled, so nothing goes out, and its why-not row
 * (`idr_exclusion`, linked to the activity) gives the reason, in the same atomic change.
 */
import type { BatchOperation, DataverseClient } from '../../../dataverse/client';
import {
  email,
  letter,
  phonecall,
  task,
  type emailRecord,
  type emailWrite,
  type letterRecord,
  type letterWrite,
  type phonecallRecord,
  type phonecallWrite,
  type taskRecord,
  type taskWrite,
} from '../../../dataverse/generated';
import type { Channel, ExclusionReason } from '../../../domain/campaign';
import { guardAction } from '../../../domain/campaign';
import { idValue } from '../interests/records';
import {
  dayOf,
  exclusionListMembers,
  LINKED_ACTIVITY_TABLES,
  readCandidates,
  readContactPolicy,
  recipientImpacts,
  whereIn,
  type LinkedActivityTable,
} from './read';

/** How each activity table is cancelled: its own Canceled status and status reason. */
const CANCELLED = {
  email: {
    statecode: email.choices.statecode.Canceled,
    statuscode: email.choices.statuscode.Canceled,
  } satisfies emailWrite,
  letter: {
    statecode: letter.choices.statecode.Canceled,
    statuscode: letter.choices.statuscode.Canceled,
  } satisfies letterWrite,
  phonecall: {
    statecode: phonecall.choices.statecode.Canceled,
    statuscode: phonecall.choices.statuscode.Canceled,
  } satisfies phonecallWrite,
  task: {
    statecode: task.choices.statecode.Canceled,
    statuscode: task.choices.statuscode.Canceled,
  } satisfies taskWrite,
} satisfies Record<LinkedActivityTable['logicalName'], unknown>;

/** Impacts read around the send day: a month either way covers every cap's period. */
const CAP_DAYS = 31;

export interface SendDayAction {
  readonly activity: { readonly table: LinkedActivityTable; readonly id: string };
  readonly contactId: string;
  /** When it goes out (ms since the epoch): its day is the one the caps are counted on. */
  readonly at: number;
  /** The channel it reaches the contact on; null for a task. */
  readonly channel: Channel | null;
  /** The campaign it counts for (a trigger's own: `trigger:<id>`). */
  readonly campaignId: string;
  /** The write that makes its why-not row say why it was called off. */
  readonly whyNot: (reason: ExclusionReason) => BatchOperation;
}

/** Re-checks the actions due now; answers how many were called off. */
export async function recheckOnSendDay(
  client: DataverseClient,
  actions: readonly SendDayAction[],
): Promise<number> {
  // The activity, while it is still open: one read per activity table, a few dozen ids a request.
  const open = new Set<string>();
  for (const table of Object.values(LINKED_ACTIVITY_TABLES)) {
    const ids = actions.filter((a) => a.activity.table === table).map((a) => a.activity.id);
    if (ids.length === 0) continue;
    const c = table.columns;
    const rows = (await whereIn(
      client,
      table.entitySetName,
      c.activityid,
      ids,
      [c.activityid],
      `${c.statecode} eq ${table.choices.statecode.Open}`,
    )) as (emailRecord | phonecallRecord | letterRecord | taskRecord)[];
    for (const row of rows) open.add(idValue(row.activityid) ?? '');
  }
  const due = actions.filter((a) => open.has(a.activity.id));
  if (due.length === 0) return 0;
  const contactIds = [...new Set(due.map((d) => d.contactId))];
  const days = due.map((d) => dayOf(d.at));
  const policy = await readContactPolicy(client);
  const [candidates, robinson, impacts] = await Promise.all([
    readCandidates(client, contactIds),
    exclusionListMembers(client),
    recipientImpacts(client, contactIds, Math.min(...days) - CAP_DAYS, Math.max(...days) + CAP_DAYS),
  ]);
  const candidateOf = new Map(candidates.map((c) => [c.contactId, c]));
  let cancelled = 0;
  for (const action of due) {
    const candidate = candidateOf.get(action.contactId);
    if (!candidate) continue;
    const day = dayOf(action.at);
    // The action itself is one of the contact's impacts that day: it must not count against its own cap.
    const own = impacts.findIndex(
      (i) => i.contactId === action.contactId && i.channel === action.channel && i.day === day,
    );
    const others = own < 0 ? impacts : impacts.filter((_, i) => i !== own);
    const decision = guardAction({
      channel: action.channel,
      campaignId: action.campaignId,
      // Incompatible campaigns were kept apart when the day was chosen; the impacts read here carry no campaign.
      incompatibleWithinDays: 0,
      contactId: action.contactId,
      consent: candidate.consent,
      belowZero: candidate.belowZero,
      onExclusionList: robinson.has(action.contactId),
      impacts: others,
      day,
      policy,
    });
    if (decision.outcome !== 'skip') continue;
    const { table, id } = action.activity;
    await client.executeBatch(
      [
        {
          kind: 'update',
          entitySet: table.entitySetName,
          key: id,
          record: CANCELLED[table.logicalName],
        },
        action.whyNot(decision.reason),
      ],
      { atomic: true },
    );
    if (own >= 0) impacts.splice(own, 1);
    cancelled++;
  }
  return cancelled;
}
