/**
 * Rebuilds every interest profile from the interaction history after rules change (`ideario rescore`).
 * The arithmetic is domain/interest's `rescore`, which replays interactions through the same code as
 * live scoring, in the order they were registered (`createdon`), each evaluated for segments at the
 * time live scoring evaluated it (the interaction's `modifiedon`, when its status was written).
 *
 * What is replayed: interactions with a contact that were Scored or Ignored. Pending ones are left to
 * their own System Job (they add to the rebuilt profiles as usual), Failed ones to a person.
 * What is written, per contact in one changeset: profiles that differ (existing ones with their etag,
 * so a contact scored live during the run is reported and left for the next run), the interactions'
 * explanation and status, the contact's primary interest and the concepts' marketing lists
 * (membership = in segment and bulk email allowed, for contacts with a profile of that concept).
 * Accounts follow at the end: their `idr_accountinterest` rows and primary interests. Profiles of a concept no rule scores any more are set
 * to zero and leave their segment.
 */
import type { BatchOperation, DataverseClient, EntityRecord } from '../../../dataverse/client';
import type { Selected } from '../../../dataverse/selected';
import { ConcurrencyError, DuplicateRecordError } from '../../../dataverse/errors';
import {
  account,
  contact,
  idr_accountinterest,
  idr_interaction,
  idr_interestprofile,
  idr_marketingconcept,
  listmember,
  ProcessingStatus,
  type idr_interactionRecord,
  type accountRecord,
  type listmemberRecord,
  type idr_accountinterestRecord,
  type accountWrite,
  type idr_interactionWrite,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import {
  accountInterestDiffers,
  accountPrimaryInterest,
  type ContactProfileSnapshot,
  decideMembership,
  type HistoricalInteraction,
  primaryInterest,
  type ProfileResult,
  rebase,
  rescore,
  rollupAccountInterests,
} from '../../../domain/interest';
import {
  ACCOUNT_INTEREST_COLUMNS,
  accountInterestWrite,
  AIC,
  type StoredAccountInterest,
  toAccountInterest,
} from './accountrows';
import { catalogNames, loadActiveConcepts, loadActiveRules } from './catalog';
import {
  CC,
  type Concept,
  CONTACT_SELECT,
  type ContactRow,
  explainDeltas,
  IC,
  idValue,
  INTERACTION_SELECT,
  lookupValue,
  membershipOperation,
  PC,
  PROCESSING_ERROR_MAX,
  PROFILE_SELECT,
  type ProfileRow,
  profileWrite,
  primaryInterestUpdate,
  recordUrl,
  type StoredContact,
  type StoredProfile,
  textValue,
  timeValue,
  toContact,
  toEvent,
  toInteraction,
  toProfile,
  truncate,
} from './records';

export interface RescoreDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly logger: Logger;
}

export interface RescoreOptions {
  /** Compute and count the changes, write nothing. */
  readonly dryRun?: boolean;
  /** Contacts per page (default RESCORE_PAGE_CONTACTS); what memory holds at once grows with it. */
  readonly pageSize?: number;
  /** `total` grows while pages remain: contacts read so far, plus one more page when there is one. */
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

export interface RescoreSummary {
  readonly interactions: number;
  readonly contacts: number;
  readonly profilesChanged: number;
  readonly interactionsChanged: number;
  readonly primaryInterestsChanged: number;
  readonly accountsChanged: number;
  readonly listAdds: number;
  readonly listRemoves: number;
  /** Contacts whose profiles changed during the run (scored live meanwhile): run again for them. */
  readonly conflicts: readonly string[];
}

/** Contacts per query when reading records by id (keeps the URL short). */
const ID_CHUNK = 50;
/** Operations per changeset: the Web API's `$batch` limit. */
const MAX_BATCH = 1000;
const SCALE = 1e-9;
/** The account rows' columns as a Web API `$select` (lookups as `_x_value`). */
const ACCOUNT_INTEREST_SELECT = [
  ...ACCOUNT_INTEREST_COLUMNS.filter((c) => c !== AIC.versionnumber).map((c) =>
    c in idr_accountinterest.lookupTargets ? lookupValue(c) : c,
  ),
  // Live scoring does not need it; rescore writes it on rows that lack it.
  AIC.idr_rankkey,
];

async function readByIds(
  client: DataverseClient,
  entitySet: string,
  idColumn: string,
  ids: readonly string[],
  select: readonly string[],
): Promise<EntityRecord[]> {
  const records: EntityRecord[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    records.push(
      ...(await client.retrieveMultiple(entitySet, {
        select,
        filter: chunk.map((id) => `${idColumn} eq ${id}`).join(' or '),
      })),
    );
  }
  return records;
}

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= SCALE * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Whether the rebuilt profile differs from the stored one in what it means. The same scores can be
 * kept against different landmarks (live scoring and the recheck job move a landmark forward as
 * time passes; the replay sets its own), so the two accumulators are compared at the later landmark.
 */
function profileDiffers(stored: StoredProfile, result: ProfileResult, concept: Concept): boolean {
  const p = stored.profile;
  const later = Math.max(p.landmark, result.landmark);
  return (
    !sameNumber(
      rebase(p, later, concept.halfLifeDays).accumulator,
      rebase(result, later, concept.halfLifeDays).accumulator,
    ) ||
    p.eventCount !== result.eventCount ||
    p.inSegment !== result.inSegment ||
    // Rows written before idr_rankkey existed get theirs from the first rescore.
    stored.rankKey === null
  );
}

/** A profile of a concept that no interaction scores any more. */
function zeroProfile(stored: StoredProfile, concept: Concept, now: number): ProfileResult {
  const leaving = stored.profile.inSegment;
  return {
    conceptId: concept.id,
    accumulator: 0,
    landmark: concept.landmark ?? stored.profile.landmark,
    eventCount: 0,
    inSegment: false,
    lastInteractionOn: null,
    segmentChangedOn: leaving ? now : (stored.profile.segmentChangedOn ?? null),
    score: 0,
    scoredOn: now,
    rankKey: 0,
    touched: false,
    transition: leaving ? 'leave' : 'none',
    changed: true,
  };
}

/** What one page of contacts adds to the summary. */
interface PageTally {
  contacts: number;
  interactions: number;
  profilesChanged: number;
  interactionsChanged: number;
  primaryInterestsChanged: number;
  listAdds: number;
  listRemoves: number;
}

interface RunContext {
  readonly deps: RescoreDeps;
  readonly options: RescoreOptions;
  readonly now: number;
  readonly concepts: readonly Concept[];
  readonly conceptById: ReadonlyMap<string, Concept>;
  readonly rules: Awaited<ReturnType<typeof loadActiveRules>>;
  readonly names: ReturnType<typeof catalogNames>;
  readonly members: ReadonlyMap<string, ReadonlySet<string>>;
  /** Rebuilt profiles of contacts with a parent account, for the account roll-up at the end. */
  readonly byParent: Map<string, ContactProfileSnapshot[]>;
  readonly conflicts: string[];
}

/**
 * Reads `ids`' records `ID_CHUNK` at a time, each chunk with `filter` added; the rows of one id all
 * come from one request, so an order asked for holds within each id's rows.
 */
async function readForIds(
  client: DataverseClient,
  entitySet: string,
  idColumn: string,
  ids: readonly string[],
  query: {
    select: readonly string[];
    filter?: string;
    orderBy?: readonly string[];
    formattedValues?: boolean;
  },
): Promise<EntityRecord[]> {
  const records: EntityRecord[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK).map((id) => `${idColumn} eq ${id}`);
    const filter = `(${chunk.join(' or ')})${query.filter ? ` and (${query.filter})` : ''}`;
    records.push(...(await client.retrieveMultiple(entitySet, { ...query, filter })));
  }
  return records;
}

/**
 * Rescores one page of contacts: reads their replayed history and profiles, rebuilds the profiles
 * (domain `rescore`, which replays each contact on its own, so a page gives what the whole history
 * gives) and writes each contact's changes in one changeset. Nothing of the page is kept after it
 * but the summary counts and, for contacts with an account, their rebuilt profiles.
 */
/** An interaction as rescore reads it: as scoring does, with its stored explanation and times. */
const RESCORE_INTERACTION_SELECT = [
  ...INTERACTION_SELECT,
  IC.idr_applieddeltas,
  IC.idr_processingerror,
  IC.createdon,
  IC.modifiedon,
] as const;
type RescoreInteractionRow = Selected<idr_interactionRecord, typeof RESCORE_INTERACTION_SELECT>;

async function rescorePage(run: RunContext, page: readonly StoredContact[], tally: PageTally): Promise<void> {
  const { client, logger } = run.deps;
  const { now, concepts, conceptById, options } = run;
  const ids = page.map((c) => c.id);
  const [interactionRecords, profileRecords] = await Promise.all([
    readForIds(client, idr_interaction.entitySetName, lookupValue(IC.idr_contact), ids, {
      select: RESCORE_INTERACTION_SELECT,
      filter:
        `${IC.idr_processingstatus} eq ${ProcessingStatus.Scored} or ` +
        `${IC.idr_processingstatus} eq ${ProcessingStatus.Ignored}`,
      // Live scoring's order: as registered (domain/interest rescore replays in the order given). One
      // bulk changeset registers many events at one `createdon`; the bulk scorer applied them oldest
      // first, so ties go by `idr_occurredon`, never by the (random) id alone.
      orderBy: [`${IC.createdon} asc`, `${IC.idr_occurredon} asc`, `${IC.idr_interactionid} asc`],
      formattedValues: true,
    }),
    readForIds(client, idr_interestprofile.entitySetName, lookupValue(PC.idr_contact), ids, {
      select: PROFILE_SELECT,
      filter: `${PC.statecode} eq ${idr_interestprofile.choices.statecode.Active}`,
    }),
  ]);

  const stored = new Map<string, { deltas: string; status: number | null }>();
  const history: HistoricalInteraction[] = [];
  for (const record of interactionRecords as RescoreInteractionRow[]) {
    const interaction = toInteraction(record);
    if (interaction.contactId === null || interaction.eventType === null || interaction.occurredOn === null)
      continue;
    stored.set(interaction.id, {
      deltas: textValue(record.idr_applieddeltas) ?? '[]',
      status: interaction.status,
    });
    history.push({
      interactionId: interaction.id,
      contactId: interaction.contactId,
      event: toEvent(interaction, interaction.eventType, interaction.occurredOn),
      scoredOn: timeValue(record.modifiedon),
    });
  }
  tally.interactions += history.length;
  const rescored = rescore(history, run.rules, concepts, now);
  const storedProfiles = new Map<string, Map<string, StoredProfile>>();
  for (const record of profileRecords as ProfileRow[]) {
    const profile = toProfile(record, now);
    if (!conceptById.has(profile.profile.conceptId)) continue;
    const byConcept = storedProfiles.get(profile.contactId) ?? new Map<string, StoredProfile>();
    byConcept.set(profile.profile.conceptId, profile);
    storedProfiles.set(profile.contactId, byConcept);
  }

  for (const info of page) {
    const contactId = info.id;
    const result = rescored.get(contactId);
    const mine = storedProfiles.get(contactId);
    // A contact with no replayed interaction and no profile has nothing to rebuild.
    if (!result && !mine) continue;
    tally.contacts++;
    const results = new Map((result?.profiles ?? []).map((p) => [p.conceptId, p]));
    for (const [conceptId, profile] of mine ?? []) {
      const concept = conceptById.get(conceptId);
      if (!results.has(conceptId) && concept) results.set(conceptId, zeroProfile(profile, concept, now));
    }
    const profiles = concepts.flatMap((c) => results.get(c.id) ?? []);
    const operations: BatchOperation[] = [];
    let changedHere = 0;
    for (const profile of profiles) {
      const current = mine?.get(profile.conceptId);
      const concept = conceptById.get(profile.conceptId);
      if (current && concept && !profileDiffers(current, profile, concept)) continue;
      changedHere++;
      operations.push(
        profileWrite(profile, current, {
          contactId,
          contactName: info.name,
          conceptName: conceptById.get(profile.conceptId)?.name,
        }),
      );
    }
    let interactionsHere = 0;
    for (const item of result?.interactions ?? []) {
      const deltas = explainDeltas(item.appliedDeltas, run.names);
      const status = item.appliedDeltas.length > 0 ? ProcessingStatus.Scored : ProcessingStatus.Ignored;
      const before = stored.get(item.interactionId);
      if (before && before.deltas === deltas && before.status === status) continue;
      interactionsHere++;
      operations.push({
        kind: 'update',
        entitySet: idr_interaction.entitySetName,
        key: item.interactionId,
        record: {
          idr_processingstatus: status,
          idr_applieddeltas: deltas,
          idr_processingerror:
            status === ProcessingStatus.Scored
              ? null
              : truncate(
                  'No points apply to this interaction under the current rules (rescore).',
                  PROCESSING_ERROR_MAX,
                ),
        } satisfies idr_interactionWrite,
      });
    }
    const primary =
      primaryInterest(
        profiles.map((p) => ({
          conceptId: p.conceptId,
          conceptCode: conceptById.get(p.conceptId)?.code ?? p.conceptId,
          score: p.score,
          lastInteractionOn: p.lastInteractionOn,
        })),
      )?.conceptId ?? null;
    const primaryChanged = primary !== info.primaryInterestId;
    if (primaryChanged) {
      operations.push(primaryInterestUpdate(contact, contactId, primary));
    }
    let adds = 0;
    let removes = 0;
    for (const profile of profiles) {
      const listId = conceptById.get(profile.conceptId)?.listId;
      if (!listId) continue;
      const action = decideMembership({
        inSegment: profile.inSegment,
        inList: run.members.get(listId)?.has(contactId) ?? false,
        consent: { doNotBulkEmail: info.doNotBulkEmail },
      });
      if (action === 'none') continue;
      if (action === 'add') adds++;
      else removes++;
      operations.push(membershipOperation(action, listId, contactId));
    }
    if (info.parentId) {
      const list = run.byParent.get(info.parentId) ?? [];
      for (const p of profiles)
        list.push({
          contactId,
          conceptId: p.conceptId,
          state: { accumulator: p.accumulator, landmark: p.landmark },
          lastInteractionOn: p.lastInteractionOn,
        });
      run.byParent.set(info.parentId, list);
    }
    if (operations.length > 0 && !options.dryRun) {
      try {
        for (let i = 0; i < operations.length; i += MAX_BATCH) {
          await client.executeBatch(operations.slice(i, i + MAX_BATCH), { atomic: true });
        }
      } catch (error) {
        if (!(error instanceof ConcurrencyError || error instanceof DuplicateRecordError)) throw error;
        logger.warn('A contact was scored while the rescore ran; run the rescore again for it.', {
          contact: contactId,
        });
        run.conflicts.push(contactId);
        continue;
      }
    }
    tally.profilesChanged += changedHere;
    tally.interactionsChanged += interactionsHere;
    if (primaryChanged) tally.primaryInterestsChanged++;
    tally.listAdds += adds;
    tally.listRemoves += removes;
  }
}

/** Contacts read, rescored and written per page; memory holds one page's history at a time. */
export const RESCORE_PAGE_CONTACTS = 500;

export async function rescoreAll(deps: RescoreDeps, options: RescoreOptions = {}): Promise<RescoreSummary> {
  const { client, logger } = deps;
  const now = deps.clock().getTime();
  const pageSize = options.pageSize ?? RESCORE_PAGE_CONTACTS;
  const [concepts, rules] = await Promise.all([
    loadActiveConcepts(client, logger),
    loadActiveRules(client, logger, 'the rescore'),
  ]);
  const conceptById = new Map(concepts.map((c) => [c.id, c]));
  const members = new Map<string, Set<string>>();
  for (const concept of concepts) {
    if (!concept.listId || members.has(concept.listId)) continue;
    const rows = await client.retrieveMultiple(listmember.entitySetName, {
      select: [lookupValue(listmember.columns.entityid)],
      filter: `${lookupValue(listmember.columns.listid)} eq ${concept.listId}`,
    });
    members.set(
      concept.listId,
      new Set((rows as listmemberRecord[]).flatMap((r) => idValue(r._entityid_value) ?? [])),
    );
  }
  const run: RunContext = {
    deps,
    options,
    now,
    concepts,
    conceptById,
    rules,
    names: catalogNames({ concepts, conceptById, rules }),
    members,
    byParent: new Map(),
    conflicts: [],
  };
  const tally: PageTally = {
    contacts: 0,
    interactions: 0,
    profilesChanged: 0,
    interactionsChanged: 0,
    primaryInterestsChanged: 0,
    listAdds: 0,
    listRemoves: 0,
  };
  // Keyset paging on the primary key: Dataverse has no $skip ("Page results using OData",
  // learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results), and the
  // filter and the order are both the server's, so no contact is read twice or missed.
  let after: string | null = null;
  let read = 0;
  for (;;) {
    const rows = (await client.retrieveMultiple(contact.entitySetName, {
      select: CONTACT_SELECT,
      ...(after ? { filter: `${CC.contactid} gt ${after}` } : {}),
      orderBy: [`${CC.contactid} asc`],
      top: pageSize,
    })) as ContactRow[];
    const page = rows.flatMap((record) => {
      const id = idValue(record.contactid);
      return id ? [toContact(record, id)] : [];
    });
    if (page.length === 0) break;
    await rescorePage(run, page, tally);
    read += page.length;
    after = page[page.length - 1].id;
    const more = rows.length === pageSize;
    options.onProgress?.({ done: read, total: read + (more ? pageSize : 0) });
    if (!more) break;
  }

  const accountsChanged = await rescoreAccounts(deps, run.byParent, concepts, now, options);
  const summary: RescoreSummary = {
    interactions: tally.interactions,
    contacts: tally.contacts,
    profilesChanged: tally.profilesChanged,
    interactionsChanged: tally.interactionsChanged,
    primaryInterestsChanged: tally.primaryInterestsChanged,
    accountsChanged,
    listAdds: tally.listAdds,
    listRemoves: tally.listRemoves,
    conflicts: run.conflicts,
  };
  logger.info(options.dryRun ? 'Rescore computed (dry run, nothing written).' : 'Rescore finished.', {
    ...summary,
    conflicts: run.conflicts.length,
  });
  return summary;
}

/**
 * Account interest rows and primary interests from the rebuilt profiles of their contacts: the rows
 * are folded from scratch by the same function the live path applies per change
 * (domain/interest/accountinterest.ts), compared with the stored ones at a common landmark, and
 * only those that differ are written (with their etag), with the primary interest they give.
 */
async function rescoreAccounts(
  { client, logger }: RescoreDeps,
  byParent: ReadonlyMap<string, readonly ContactProfileSnapshot[]>,
  concepts: readonly Concept[],
  now: number,
  options: RescoreOptions,
): Promise<number> {
  const ids = [...byParent.keys()];
  const [accounts, storedRows] = await Promise.all([
    readByIds(client, account.entitySetName, account.columns.accountid, ids, [
      account.columns.accountid,
      account.columns.name,
      lookupValue(account.columns.idr_primaryinterest),
    ]),
    readForIds(client, idr_accountinterest.entitySetName, lookupValue(AIC.idr_account), ids, {
      select: ACCOUNT_INTEREST_SELECT,
      filter: `${AIC.statecode} eq ${idr_accountinterest.choices.statecode.Active}`,
    }),
  ]);
  const conceptById = new Map(concepts.map((c) => [c.id, c]));
  const rowsByAccount = new Map<string, Map<string, StoredAccountInterest>>();
  for (const record of storedRows as idr_accountinterestRecord[]) {
    const row = toAccountInterest(record, now);
    if (!conceptById.has(row.row.conceptId)) continue;
    const mine = rowsByAccount.get(row.accountId) ?? new Map<string, StoredAccountInterest>();
    mine.set(row.row.conceptId, row);
    rowsByAccount.set(row.accountId, mine);
  }
  const perAccount: BatchOperation[][] = [];
  for (const record of accounts as accountRecord[]) {
    const id = idValue(record.accountid);
    if (!id) continue;
    const rebuilt = new Map(
      rollupAccountInterests(byParent.get(id) ?? [], concepts).map((r) => [r.conceptId, r]),
    );
    const stored = rowsByAccount.get(id) ?? new Map<string, StoredAccountInterest>();
    const operations: BatchOperation[] = [];
    for (const concept of concepts) {
      const before = stored.get(concept.id);
      // A stored row no contact's profile makes up any more is set to nothing.
      const after =
        rebuilt.get(concept.id) ??
        (before ? { ...before.row, accumulator: 0, contactCount: 0, lastInteractionOn: null } : undefined);
      if (
        !after ||
        (before &&
          before.rankKey !== null &&
          !accountInterestDiffers(before.row, after, concept.halfLifeDays))
      )
        continue;
      operations.push(
        accountInterestWrite(
          after,
          before,
          { accountId: id, accountName: textValue(record.name), concept },
          now,
        ),
      );
    }
    const primary = accountPrimaryInterest([...rebuilt.values()], concepts, now)?.conceptId ?? null;
    if (primary !== idValue(record._idr_primaryinterest_value)) {
      operations.push({
        kind: 'update',
        entitySet: account.entitySetName,
        key: id,
        record: {
          'idr_primaryinterest@odata.bind': primary
            ? recordUrl(idr_marketingconcept.entitySetName, primary)
            : null,
        } satisfies accountWrite,
      });
    }
    if (operations.length > 0) perAccount.push(operations);
  }
  if (options.dryRun) return perAccount.length;
  let changed = 0;
  for (const operations of perAccount) {
    try {
      for (let i = 0; i < operations.length; i += MAX_BATCH) {
        await client.executeBatch(operations.slice(i, i + MAX_BATCH), { atomic: true });
      }
      changed++;
    } catch (error) {
      if (!(error instanceof ConcurrencyError || error instanceof DuplicateRecordError)) throw error;
      logger.warn("An account's interest changed while the rescore ran; run the rescore again for it.", {
        operation: operations[0],
      });
    }
  }
  return changed;
}
