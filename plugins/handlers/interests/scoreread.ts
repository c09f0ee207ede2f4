/**
 * The one read of the scoring handler: the interaction, its campaign's name, its contact, the
 * contact's own profiles, its parent account with the account's `idr_accountinterest` rows and,
 * when a rule of the event counts once per contact or per day, the contact's earlier interactions
 * that applied such a rule, in ONE FetchXML request rooted at the interaction ("Query data using
 * FetchXml", "Join tables using FetchXml":
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/join-tables; linked columns
 * come back as `alias.column`). Every join goes through an indexed lookup (the contact's
 * `idr_contact`, the account's `idr_account`), so the answer never grows with the account's other
 * contacts: the account's sum per concept is its own row, kept from each contact's change
 * (accountrows.ts). The three one-to-many branches (profiles, account rows, history) multiply each
 * other, so the answer has at most profiles × account rows × history rows, each bounded by the
 * active concepts and rules; rows are told apart by their ids.
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  account,
  campaign,
  contact,
  idr_accountinterest,
  idr_interaction,
  idr_interestprofile,
  idr_marketingconcept,
  listmember,
  ProcessingStatus,
  type accountRecord,
  type idr_accountinterestRecord,
  type idr_interactionRecord,
  type idr_marketingconceptRecord,
  type listmemberRecord,
} from '../../../dataverse/generated';
import { DAY_MS, type EpochMs } from '../../../domain/interest';
import { ACCOUNT_INTEREST_COLUMNS, AIC, type StoredAccountInterest, toAccountInterest } from './accountrows';
import type { InterestCatalog } from './catalog';
import {
  CC,
  IC,
  idValue,
  iso,
  lookupValue,
  parseAppliedDeltas,
  PC,
  textValue,
  timeValue,
  type ContactRow,
  type InteractionRow,
  type ProfileRow,
  type StoredContact,
  type StoredInteraction,
  type StoredProfile,
  toContact,
  toInteraction,
  toProfile,
} from './records';
import type { AppliedDelta } from '../../../domain/interest';

const ETAG = '@odata.etag';
const VERSION = idr_interaction.columns.versionnumber;
const ACTIVE = idr_interestprofile.choices.statecode.Active;
const ROWS_ACTIVE = idr_accountinterest.choices.statecode.Active;

const INTERACTION_COLUMNS: readonly string[] = [
  IC.idr_interactionid,
  IC.idr_name,
  IC.idr_contact,
  IC.idr_account,
  IC.idr_eventtype,
  IC.idr_occurredon,
  IC.idr_url,
  IC.idr_campaign,
  IC.idr_concept,
  IC.idr_product,
  IC.idr_productfamily,
  IC.idr_casesubject,
  IC.idr_processingstatus,
  VERSION,
];
/** The contact columns scoring reads: name (for profile names), consent, account, primary interest. */
export const CONTACT_COLUMNS: readonly string[] = [
  CC.contactid,
  CC.fullname,
  CC.firstname,
  CC.lastname,
  CC.donotbulkemail,
  CC.parentcustomerid,
  CC.idr_primaryinterest,
];
/** The profile columns scoring reads (FetchXML attribute names), live and in bulk. */
export const PROFILE_COLUMNS: readonly string[] = [
  PC.idr_interestprofileid,
  PC.idr_contact,
  PC.idr_concept,
  PC.idr_accumulator,
  PC.idr_landmarkon,
  PC.idr_scoredon,
  PC.idr_eventcount,
  PC.idr_insegment,
  PC.idr_lastinteractionon,
  PC.idr_segmentchangedon,
  PC.idr_rankkey,
  PC.versionnumber,
];

const A = {
  campaign: 'campaign',
  contact: 'contact',
  account: 'account',
  rows: 'ai',
  own: 'own',
  ownConcept: 'oc',
  member: 'lm',
  history: 'h',
} as const;

/**
 * Which earlier interactions the read folds in: those that applied one of `once` (any day) or one
 * of `capped` on the UTC day starting at `day`. Chosen from the webhook's Target before the read.
 */
export interface HistoryScope {
  readonly once: readonly string[];
  readonly capped: readonly string[];
  readonly day: EpochMs;
}

export interface EarlierInteraction {
  readonly occurredOn: EpochMs;
  readonly appliedDeltas: readonly AppliedDelta[];
}

export interface ScoringAccount {
  readonly id: string;
  readonly name: string | null;
  readonly primaryInterestId: string | null;
  /** The account's `idr_accountinterest` rows of active concepts. */
  readonly rows: readonly StoredAccountInterest[];
}

export interface ScoringState {
  readonly interaction: StoredInteraction;
  /** Null when the interaction names no contact or the contact is gone. */
  readonly contact: StoredContact | null;
  readonly profiles: readonly StoredProfile[];
  /** Null unless the contact's parent is an account. */
  readonly account: ScoringAccount | null;
  /**
   * The marketing lists of the concepts the contact has a profile of, and whether it is a member of
   * each; null when the read could not fold them in (no contact named before the read).
   */
  readonly memberships: { readonly lists: ReadonlySet<string>; readonly member: ReadonlySet<string> } | null;
  /** The earlier interactions `scope` asked for; null when no history was folded in. */
  readonly history: { readonly scope: HistoryScope; readonly earlier: readonly EarlierInteraction[] } | null;
}

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

const attributes = (columns: readonly string[]) => columns.map((c) => `<attribute name="${c}"/>`).join('');

function activeIn(statecode: string, active: number, concept: string, conceptIds: readonly string[]): string {
  const concepts =
    conceptIds.length > 0
      ? `<condition attribute="${concept}" operator="in">${conceptIds.map((id) => `<value>${xml(id)}</value>`).join('')}</condition>`
      : '';
  return `<filter><condition attribute="${statecode}" operator="eq" value="${active}"/>${concepts}</filter>`;
}

const like = (rule: string) =>
  `<condition attribute="${IC.idr_applieddeltas}" operator="like" value="%${xml(rule)}%"/>`;

function historyLink(scope: HistoryScope): string {
  const capped =
    scope.capped.length > 0
      ? `<filter type="and">` +
        `<condition attribute="${IC.idr_occurredon}" operator="ge" value="${iso(scope.day)}"/>` +
        `<condition attribute="${IC.idr_occurredon}" operator="lt" value="${iso(scope.day + DAY_MS)}"/>` +
        `<filter type="or">${scope.capped.map(like).join('')}</filter></filter>`
      : '';
  return (
    `<link-entity name="${idr_interaction.logicalName}" from="${IC.idr_contact}" to="${CC.contactid}" link-type="outer" alias="${A.history}">` +
    attributes([IC.idr_interactionid, IC.idr_occurredon, IC.idr_applieddeltas]) +
    `<filter type="and"><condition attribute="${IC.idr_processingstatus}" operator="eq" value="${ProcessingStatus.Scored}"/>` +
    `<filter type="or">${scope.once.map(like).join('')}${capped}</filter></filter>` +
    '</link-entity>'
  );
}

/**
 * Under each own profile: its concept's marketing list and the contact's membership of it (at most
 * one row each, so nothing multiplies). The contact is named up front (the webhook's Target).
 */
function membershipLinks(contactId: string): string {
  const MC = idr_marketingconcept.columns;
  const LM = listmember.columns;
  return (
    `<link-entity name="${idr_marketingconcept.logicalName}" from="${MC.idr_marketingconceptid}" to="${PC.idr_concept}" link-type="outer" alias="${A.ownConcept}">` +
    attributes([MC.idr_marketinglist]) +
    `<link-entity name="${listmember.logicalName}" from="${LM.listid}" to="${MC.idr_marketinglist}" link-type="outer" alias="${A.member}">` +
    attributes([LM.listid]) +
    `<filter><condition attribute="${LM.entityid}" operator="eq" value="${xml(contactId)}"/></filter>` +
    '</link-entity></link-entity>'
  );
}

export function scoringFetchXml(
  interactionId: string,
  conceptIds: readonly string[],
  scope: HistoryScope | null = null,
  contactHint: string | null = null,
): string {
  const AC = account.columns;
  return (
    `<fetch><entity name="${idr_interaction.logicalName}">` +
    attributes(INTERACTION_COLUMNS) +
    `<filter><condition attribute="${IC.idr_interactionid}" operator="eq" value="${xml(interactionId)}"/></filter>` +
    // The campaign's name is what rules match (`campaign=…`); FetchXML answers carry no formatted values.
    `<link-entity name="${campaign.logicalName}" from="${campaign.columns.campaignid}" to="${IC.idr_campaign}" link-type="outer" alias="${A.campaign}">` +
    `<attribute name="${campaign.columns.name}"/></link-entity>` +
    `<link-entity name="${contact.logicalName}" from="${CC.contactid}" to="${IC.idr_contact}" link-type="outer" alias="${A.contact}">` +
    attributes(CONTACT_COLUMNS) +
    `<link-entity name="${account.logicalName}" from="${AC.accountid}" to="${CC.parentcustomerid}" link-type="outer" alias="${A.account}">` +
    attributes([AC.accountid, AC.name, AC.idr_primaryinterest]) +
    `<link-entity name="${idr_accountinterest.logicalName}" from="${AIC.idr_account}" to="${AC.accountid}" link-type="outer" alias="${A.rows}">` +
    attributes(ACCOUNT_INTEREST_COLUMNS) +
    activeIn(AIC.statecode, ROWS_ACTIVE, AIC.idr_concept, conceptIds) +
    '</link-entity></link-entity>' +
    `<link-entity name="${idr_interestprofile.logicalName}" from="${PC.idr_contact}" to="${CC.contactid}" link-type="outer" alias="${A.own}">` +
    attributes(PROFILE_COLUMNS) +
    activeIn(PC.statecode, ACTIVE, PC.idr_concept, conceptIds) +
    (contactHint ? membershipLinks(contactHint) : '') +
    '</link-entity>' +
    (scope && scope.once.length + scope.capped.length > 0 ? historyLink(scope) : '') +
    '</link-entity>' +
    '</entity></fetch>'
  );
}

/** The columns of one link-entity as the Web API names them on its own table (`_x_value` for lookups). */
function linked<R extends EntityRecord>(
  row: EntityRecord,
  alias: string,
  lookups: Readonly<Record<string, unknown>>,
): R {
  const out: EntityRecord = {};
  const prefix = `${alias}.`;
  for (const [key, value] of Object.entries(row)) {
    if (!key.startsWith(prefix)) continue;
    const column = key.slice(prefix.length);
    out[column in lookups ? lookupValue(column) : column] = value;
  }
  return out as R;
}

/** An etag from the version number: Dataverse's `@odata.etag` is `W/"<versionnumber>"`. */
function withEtag<R extends EntityRecord>(record: R): R {
  // FetchXML may carry the version as a number or as its text.
  const value = record[VERSION];
  const version = typeof value === 'number' && Number.isFinite(value) ? value : textValue(value);
  return version === null || record[ETAG] !== undefined ? record : { ...record, [ETAG]: `W/"${version}"` };
}

/** Null when the interaction does not exist (deleted before it was scored). */
export async function readScoringState(
  client: DataverseClient,
  interactionId: string,
  catalog: InterestCatalog,
  now: EpochMs,
  scope: HistoryScope | null = null,
  contactHint: string | null = null,
): Promise<ScoringState | null> {
  const conceptIds = catalog.concepts.map((c) => c.id);
  const rows = await client.fetchXml(
    idr_interaction.entitySetName,
    scoringFetchXml(interactionId, conceptIds, scope, contactHint),
  );
  const first = rows[0];
  if (!first) return null;
  const stored = toInteraction(withEtag(first as InteractionRow));
  const interaction: StoredInteraction = {
    ...stored,
    campaignName: textValue(first[`${A.campaign}.${campaign.columns.name}`]) ?? stored.campaignName,
  };
  const person = linked<ContactRow>(first, A.contact, contact.lookupTargets);
  const contactId = idValue(person.contactid);
  if (contactId === null) {
    return { interaction, contact: null, profiles: [], account: null, memberships: null, history: null };
  }
  const known = new Set(conceptIds);
  const profiles = new Map<string, StoredProfile>();
  const accountRows = new Map<string, StoredAccountInterest>();
  const earlier = new Map<string, EarlierInteraction>();
  const lists = new Set<string>();
  const member = new Set<string>();
  for (const row of rows) {
    const concept = linked<idr_marketingconceptRecord>(row, A.ownConcept, idr_marketingconcept.lookupTargets);
    const listId = idValue(concept._idr_marketinglist_value);
    if (listId) lists.add(listId);
    const memberOf = idValue(linked<listmemberRecord>(row, A.member, listmember.lookupTargets)._listid_value);
    if (memberOf) member.add(memberOf);
    const own = linked<ProfileRow>(row, A.own, idr_interestprofile.lookupTargets);
    if (own.idr_interestprofileid !== undefined && own.idr_interestprofileid !== null) {
      const profile = toProfile(withEtag(own), now);
      if (known.has(profile.profile.conceptId)) profiles.set(profile.id, profile);
    }
    const sum = linked<idr_accountinterestRecord>(row, A.rows, idr_accountinterest.lookupTargets);
    if (sum.idr_accountinterestid !== undefined && sum.idr_accountinterestid !== null) {
      const accountRow = toAccountInterest(withEtag(sum), now);
      if (known.has(accountRow.row.conceptId)) accountRows.set(accountRow.id, accountRow);
    }
    const before = linked<idr_interactionRecord>(row, A.history, idr_interaction.lookupTargets);
    const beforeId = idValue(before.idr_interactionid);
    const occurredOn = timeValue(before.idr_occurredon);
    if (beforeId && beforeId !== stored.id && occurredOn !== null) {
      earlier.set(beforeId, { occurredOn, appliedDeltas: parseAppliedDeltas(before.idr_applieddeltas) });
    }
  }
  const parent = linked<accountRecord>(first, A.account, account.lookupTargets);
  const accountId = idValue(parent.accountid);
  const storedContact = toContact(person, contactId);
  return {
    interaction,
    contact: storedContact,
    profiles: [...profiles.values()].filter((p) => p.contactId === contactId),
    account: accountId
      ? {
          id: accountId,
          name: textValue(parent.name),
          primaryInterestId: idValue(parent._idr_primaryinterest_value),
          rows: [...accountRows.values()],
        }
      : null,
    // Only for the contact the read was told of: the interaction may name another by now.
    memberships: contactHint === contactId ? { lists, member } : null,
    history:
      scope && scope.once.length + scope.capped.length > 0 ? { scope, earlier: [...earlier.values()] } : null,
  };
}
