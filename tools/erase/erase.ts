/**
 * The right to erasure for one contact (`ideario erase --contact <id|email>`): what Ideario derived from
 * the person goes, what the organisation counts stays without them. Removed: the contact's interest
 * profiles, its primary interest, its memberships of the concepts' marketing lists, and its part in its
 * account's roll-up (its profiles are taken out of the account's `idr_accountinterest` rows, and the
 * account's primary interest is recomputed from those rows).
 * The contact's interactions are cut from the person: contact, account, URL, external id, product,
 * case subject and name are cleared, so counts per event type, date, campaign and concept survive
 * anonymously and `rescore` (which replays interactions with a contact) no longer sees them.
 * Campaign data follows the same line: the contact's offer scores (propensities) are deleted, its
 * exclusion rows keep campaign, reason and date with no person (no longer counted as a person left out:
 * telling them apart would need a key to the person), and the campaign responses made from its
 * interactions lose their customer party, so a campaign's results still count them.
 * The contact row itself is left to Dataverse's own delete, which the organisation may need to keep.
 * Every step finds its rows again from the contact, so a run cut short is finished by running it again.
 */
import type { BatchOperation, DataverseClient, EntityRecord } from '../../dataverse/client';
import { isGuid, normalizeGuid } from '../../dataverse/adapters/keys';
import { DataverseError, isRetryable, NotFoundError } from '../../dataverse/errors';
import {
  account,
  campaignresponse,
  contact,
  idr_exclusion,
  idr_accountinterest,
  idr_interaction,
  idr_interestprofile,
  idr_offerscore,
  listmember,
  type accountRecord,
  type campaignresponseRecord,
  type campaignresponseWrite,
  type contactRecord,
  type idr_accountinterestRecord,
  type idr_exclusionRecord,
  type idr_exclusionWrite,
  type idr_interactionRecord,
  type idr_interactionWrite,
  type idr_offerscoreRecord,
  type listmemberRecord,
} from '../../dataverse/generated';
import type { Logger } from '../../dataverse/logger';
import { whereIn } from '../../plugins/handlers/campaigns/read';
import { accountPrimaryInterest, type AccountInterestState } from '../../domain/interest';
import {
  accountInterestWrite,
  ACCOUNT_INTEREST_COLUMNS,
  AIC,
  applyChanges,
  profileChange,
  toAccountInterest,
} from '../../plugins/handlers/interests/accountrows';
import { loadActiveConcepts } from '../../plugins/handlers/interests/catalog';
import {
  CC,
  IC,
  idValue,
  lookupValue,
  membershipOperation,
  PC,
  PROFILE_SELECT,
  type ProfileRow,
  primaryInterestUpdate,
  textValue,
  toProfile,
} from '../../plugins/handlers/interests/records';
import { UserFacingError } from '../cli/command';

/** No contact has this id or email address. */
export class ContactNotFoundError extends UserFacingError {
  constructor(readonly wanted: string) {
    super(
      `No contact has ${isGuid(wanted) ? 'the id' : 'the email address'} '${wanted}'; nothing was erased.`,
    );
    this.name = 'ContactNotFoundError';
  }
}

/** The email address belongs to more than one contact: erase each by id. */
export class AmbiguousContactError extends UserFacingError {
  constructor(
    readonly email: string,
    readonly contactIds: readonly string[],
  ) {
    super(
      `${contactIds.length} contacts have the email address '${email}': ${contactIds.join(', ')}. ` +
        'Nothing was erased; run erase with --contact <id> for the one(s) meant.',
    );
    this.name = 'AmbiguousContactError';
  }
}

/** A write of the erasure was refused; the run can be repeated and finishes what is left. */
export class EraseWriteError extends UserFacingError {
  constructor(what: string, status: number, detail: string) {
    super(`Erasing ${what} failed (HTTP ${status}: ${detail}); run erase again to finish what is left.`);
    this.name = 'EraseWriteError';
  }
}

export interface EraseSummary {
  readonly contactId: string;
  readonly contactName: string;
  readonly interactions: number;
  /** Anonymised interactions per event type (the counts that stay), by event-type value. */
  readonly interactionsByEventType: ReadonlyMap<number | null, number>;
  readonly profiles: number;
  readonly listMemberships: number;
  readonly primaryInterestCleared: boolean;
  readonly offerScores: number;
  readonly exclusions: number;
  readonly campaignResponses: number;
  /** The account whose roll-up no longer counts the contact, and whether its primary interest changed. */
  readonly account: { readonly id: string; readonly name: string; readonly primaryChanged: boolean } | null;
}

export interface EraseDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly logger: Logger;
}

const MAX_BATCH = 500;

/** What an anonymised interaction keeps of its name: no person, no URL. */
export const ERASED_INTERACTION_NAME = 'Interaction of an erased contact';
/** The name an anonymised exclusion row keeps (its campaign, reason and date stay). */
export const ERASED_EXCLUSION_NAME = 'Exclusion of an erased contact';

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function retrieveOrNull(
  client: DataverseClient,
  entitySet: string,
  id: string,
  select: readonly string[],
): Promise<EntityRecord | null> {
  try {
    return await client.retrieve(entitySet, id, select);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

async function findContact(client: DataverseClient, wanted: string): Promise<contactRecord> {
  const select = [
    CC.contactid,
    CC.fullname,
    CC.emailaddress1,
    lookupValue(CC.parentcustomerid),
    lookupValue(CC.idr_primaryinterest),
  ];
  const id = normalizeGuid(wanted.trim());
  if (id !== null) {
    const found = (await retrieveOrNull(client, contact.entitySetName, id, select)) as contactRecord | null;
    if (!found) throw new ContactNotFoundError(wanted);
    return found;
  }
  const email = wanted.trim();
  const found = (await client.retrieveMultiple(contact.entitySetName, {
    select,
    filter: `${CC.emailaddress1} eq ${literal(email)}`,
    top: 10,
  })) as contactRecord[];
  if (found.length > 1)
    throw new AmbiguousContactError(
      email,
      found.map((r) => idValue(r.contactid) ?? '?'),
    );
  const [only] = found;
  if (!only) throw new ContactNotFoundError(email);
  return only;
}

async function run(client: DataverseClient, what: string, operations: readonly BatchOperation[]) {
  for (let i = 0; i < operations.length; i += MAX_BATCH) {
    const results = await client.executeBatch(operations.slice(i, i + MAX_BATCH), { continueOnError: true });
    const failed = results.find((r) => r.status >= 400);
    if (failed) {
      const message = (failed.body as { error?: { message?: unknown } } | undefined)?.error?.message;
      throw new EraseWriteError(what, failed.status, typeof message === 'string' ? message : 'no message');
    }
  }
}

async function runAtomic(client: DataverseClient, what: string, operations: readonly BatchOperation[]) {
  if (operations.length === 0) return;
  try {
    await client.executeBatch(operations, { atomic: true });
  } catch (error) {
    if (!(error instanceof DataverseError) || isRetryable(error)) throw error;
    throw new EraseWriteError(what, error.status, error.message);
  }
}

/**
 * The account's rows without the contact: its profiles subtracted, as live scoring adds a change
 * (plugins/handlers/interests/accountrows.ts), and the primary interest those rows give.
 */
async function accountWithout(
  deps: EraseDeps,
  accountId: string,
  accountName: string | null,
  profiles: readonly ProfileRow[],
): Promise<{ operations: BatchOperation[]; primary: string | null }> {
  const { client } = deps;
  const now = deps.clock().getTime();
  const concepts = await loadActiveConcepts(client, deps.logger);
  const conceptById = new Map(concepts.map((c) => [c.id, c]));
  const stored = (
    (await client.retrieveMultiple(idr_accountinterest.entitySetName, {
      select: ACCOUNT_INTEREST_COLUMNS.filter((c) => c !== AIC.versionnumber).map((c) =>
        c in idr_accountinterest.lookupTargets ? lookupValue(c) : c,
      ),
      filter: `${lookupValue(AIC.idr_account)} eq ${accountId} and ${AIC.statecode} eq ${idr_accountinterest.choices.statecode.Active}`,
    })) as idr_accountinterestRecord[]
  ).map((r) => toAccountInterest(r, now));
  const rows = new Map<string, AccountInterestState>(stored.map((r) => [r.row.conceptId, r.row]));
  const changes = profiles.map((record) => {
    const { profile } = toProfile(record, now);
    return profileChange(profile.conceptId, profile, null);
  });
  const operations: BatchOperation[] = [];
  for (const conceptId of applyChanges(rows, changes, conceptById)) {
    const row = rows.get(conceptId);
    const concept = conceptById.get(conceptId);
    if (!row || !concept) continue;
    operations.push(
      accountInterestWrite(
        row,
        stored.find((r) => r.row.conceptId === conceptId),
        { accountId, accountName, concept },
        now,
      ),
    );
  }
  return {
    operations,
    primary: accountPrimaryInterest([...rows.values()], concepts, now)?.conceptId ?? null,
  };
}

/** Erases (or, with dryRun, counts) what Ideario holds of one contact; see the file comment. */
export async function eraseContact(
  wanted: string,
  options: { readonly dryRun: boolean },
  deps: EraseDeps,
): Promise<EraseSummary> {
  const { client } = deps;
  const person = await findContact(client, wanted);
  const contactId = idValue(person.contactid) ?? '';
  const contactName = person.fullname || contactId;

  const interactions = (await client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_interactionid, IC.idr_eventtype],
    filter: `${lookupValue(IC.idr_contact)} eq ${contactId}`,
  })) as idr_interactionRecord[];
  const profiles = (await client.retrieveMultiple(idr_interestprofile.entitySetName, {
    select: PROFILE_SELECT,
    filter: `${lookupValue(PC.idr_contact)} eq ${contactId}`,
  })) as ProfileRow[];
  const memberships = (await client.retrieveMultiple(listmember.entitySetName, {
    select: [listmember.columns.listmemberid, lookupValue(listmember.columns.listid)],
    filter: `${lookupValue(listmember.columns.entityid)} eq ${contactId}`,
  })) as listmemberRecord[];
  const byEventType = new Map<number | null, number>();
  for (const row of interactions) {
    const type = row.idr_eventtype ?? null;
    byEventType.set(type, (byEventType.get(type) ?? 0) + 1);
  }
  const primary = idValue(person._idr_primaryinterest_value);
  const parentId = idValue(person._parentcustomerid_value);
  // parentcustomerid may name another contact, or an account since deleted: no roll-up then.
  const accountRow =
    parentId === null
      ? null
      : ((await retrieveOrNull(client, account.entitySetName, parentId, [
          account.columns.accountid,
          account.columns.name,
          lookupValue(account.columns.idr_primaryinterest),
        ])) as accountRecord | null);
  const accountPrimary = accountRow ? idValue(accountRow._idr_primaryinterest_value) : null;
  const without =
    accountRow && parentId
      ? await accountWithout(deps, parentId, textValue(accountRow.name), profiles)
      : null;
  const newAccountPrimary = without?.primary ?? null;

  const offerScores = (await client.retrieveMultiple(idr_offerscore.entitySetName, {
    select: [idr_offerscore.columns.idr_offerscoreid],
    filter: `${lookupValue(idr_offerscore.columns.idr_contact)} eq ${contactId}`,
  })) as idr_offerscoreRecord[];
  const exclusions = (await client.retrieveMultiple(idr_exclusion.entitySetName, {
    select: [idr_exclusion.columns.idr_exclusionid],
    filter: `${lookupValue(idr_exclusion.columns.idr_contact)} eq ${contactId}`,
  })) as idr_exclusionRecord[];
  const RC = campaignresponse.columns;
  // Responses are made from interactions (results.ts), so the contact's interactions find them all.
  const responses = (await whereIn(
    client,
    campaignresponse.entitySetName,
    lookupValue(RC.idr_interaction),
    interactions.map((row) => idValue(row.idr_interactionid) ?? ''),
    [RC.activityid],
  )) as campaignresponseRecord[];

  const listIds = memberships.map((m) => idValue(m._listid_value)).filter((id): id is string => id !== null);
  if (!options.dryRun) {
    await run(
      client,
      'the list memberships',
      listIds.map((listId) => membershipOperation('remove', listId, contactId)),
    );
    // The profiles leave the account's rows in the same atomic changeset that deletes them, so a run
    // cut short never leaves rows counting a contact whose profiles are gone (or the reverse).
    await runAtomic(client, 'the interest profiles and the account roll-up', [
      ...profiles.map((p) => ({
        kind: 'delete' as const,
        entitySet: idr_interestprofile.entitySetName,
        key: idValue(p.idr_interestprofileid) ?? '',
      })),
      ...(without?.operations ?? []),
      ...(parentId && without && newAccountPrimary !== accountPrimary
        ? [primaryInterestUpdate(account, parentId, newAccountPrimary)]
        : []),
    ]);
    if (primary !== null)
      await run(client, 'the primary interest', [primaryInterestUpdate(contact, contactId, null)]);
    await run(
      client,
      'the interactions',
      interactions.map((row) => {
        const id = idValue(row.idr_interactionid) ?? '';
        return {
          kind: 'update' as const,
          entitySet: idr_interaction.entitySetName,
          key: id,
          record: {
            'idr_contact@odata.bind': null,
            'idr_account@odata.bind': null,
            idr_name: ERASED_INTERACTION_NAME,
            idr_url: null,
            idr_product: null,
            idr_casesubject: null,
            idr_processingerror: null,
            // Still unique for the source+externalid key, and no longer the source system's reference.
            idr_externalid: `erased-${id}`,
          } satisfies idr_interactionWrite,
        };
      }),
    );
    await run(
      client,
      'the offer scores',
      offerScores.map((row) => ({
        kind: 'delete' as const,
        entitySet: idr_offerscore.entitySetName,
        key: idValue(row.idr_offerscoreid) ?? '',
      })),
    );
    await run(
      client,
      'the campaign exclusions',
      exclusions.map((row) => ({
        kind: 'update' as const,
        entitySet: idr_exclusion.entitySetName,
        key: idValue(row.idr_exclusionid) ?? '',
        record: {
          'idr_contact@odata.bind': null,
          idr_name: ERASED_EXCLUSION_NAME,
        } satisfies idr_exclusionWrite,
      })),
    );
    // activityparty rows only change through their activity; writing a party list replaces it, so an empty
    // one leaves the response without its customer (learn.microsoft.com/power-apps/developer/data-platform/reference/entities/activityparty).
    await run(
      client,
      'the campaign responses',
      responses.map((row) => ({
        kind: 'update' as const,
        entitySet: campaignresponse.entitySetName,
        key: idValue(row.activityid) ?? '',
        record: { campaignresponse_activity_parties: [] } satisfies campaignresponseWrite,
      })),
    );
  }
  return {
    contactId,
    contactName,
    interactions: interactions.length,
    interactionsByEventType: byEventType,
    profiles: profiles.length,
    listMemberships: listIds.length,
    primaryInterestCleared: primary !== null,
    offerScores: offerScores.length,
    exclusions: exclusions.length,
    campaignResponses: responses.length,
    account:
      accountRow && parentId
        ? {
            id: parentId,
            name:
              (typeof accountRow[account.columns.name] === 'string' &&
                (accountRow[account.columns.name] as string)) ||
              parentId,
            primaryChanged: newAccountPrimary !== accountPrimary,
          }
        : null,
  };
}

/** The lines the command prints: what was (or would be) removed, and what stays. */
export function describeErase(
  summary: EraseSummary,
  dryRun: boolean,
  eventLabel: (value: number | null) => string,
): string[] {
  const verb = dryRun ? 'Would erase' : 'Erased';
  const lines = [
    `${verb} what Ideario holds of contact ${summary.contactName} (${summary.contactId}):`,
    `  interest profiles removed: ${summary.profiles}${summary.primaryInterestCleared ? ' (and the primary interest)' : ''}`,
    `  marketing list memberships removed: ${summary.listMemberships}`,
    `  interactions cut from the contact: ${summary.interactions}`,
    `  offer scores removed: ${summary.offerScores}`,
    `  campaign exclusions and responses cut from the contact: ${summary.exclusions + summary.campaignResponses}`,
  ];
  if (summary.account)
    lines.push(
      `  account ${summary.account.name}: roll-up without this contact` +
        (summary.account.primaryChanged ? ', primary interest recomputed' : ', primary interest unchanged'),
    );
  if (summary.interactions > 0)
    lines.push(
      `  kept, anonymous: ${[...summary.interactionsByEventType]
        .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
        .map(([type, count]) => `${count} ${eventLabel(type)}`)
        .join(', ')} (event type, date, campaign and concept, no person)`,
    );
  if (dryRun) lines.push('Dry run: nothing was written.');
  return lines;
}
