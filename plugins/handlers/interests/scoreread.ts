/**
 * The one read of the scoring handler: the interaction, its campaign's name, its contact, the
 * contact's parent account and the interest profiles scoring needs, in ONE FetchXML request rooted at
 * the interaction ("Query data using FetchXml", "Join tables using FetchXml"; linked columns come back
 * as `alias.column`). Every link is outer and many-to-one except the profile branches, and at most one
 * profile branch yields rows for a given contact, so the answer has one row per profile (or one row):
 *
 * - `member` → `profile`: when the parent is an account, the profiles of all the account's contacts
 *   (the contact's own and the roll-up's), through the account;
 * - `solo` → `own`: when the contact has no parent, its own profiles (`solo` is the contact itself,
 *   joined only while `parentcustomerid` is empty, so the two branches never multiply each other).
 *
 * A contact whose parent is another contact gets neither branch; `ownProfilesMissing` says so and the
 * caller reads them with a second query (rare: a contact under a contact has no roll-up).
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  account,
  campaign,
  contact,
  idr_interaction,
  idr_interestprofile,
} from '../../../dataverse/generated';
import type { EpochMs } from '../../../domain/interest';
import type { InterestCatalog } from './catalog';
import {
  CC,
  guid,
  IC,
  lookup,
  lookupValue,
  num,
  PC,
  text,
  type StoredContact,
  type StoredInteraction,
  type StoredProfile,
  toContact,
  toInteraction,
  toProfile,
} from './records';

const ETAG = '@odata.etag';
const VERSION = idr_interaction.columns.versionnumber;
const ACTIVE = idr_interestprofile.choices.statecode.Active;

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
  PC.versionnumber,
];

const A = {
  campaign: 'campaign',
  contact: 'contact',
  account: 'account',
  member: 'member',
  profile: 'profile',
  solo: 'solo',
  own: 'own',
} as const;

export interface ScoringAccount {
  readonly id: string;
  readonly primaryInterestId: string | null;
  /** Profiles of the account's other contacts. */
  readonly siblings: readonly StoredProfile[];
}

export interface ScoringState {
  readonly interaction: StoredInteraction;
  /** Null when the interaction names no contact or the contact is gone. */
  readonly contact: StoredContact | null;
  readonly profiles: readonly StoredProfile[];
  /** Null unless the contact's parent is an account. */
  readonly account: ScoringAccount | null;
  /** The contact has a parent that is not an account: its profiles still need to be read. */
  readonly ownProfilesMissing: boolean;
}

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

const attributes = (columns: readonly string[]) => columns.map((c) => `<attribute name="${c}"/>`).join('');

function profileLink(alias: string, conceptIds: readonly string[]): string {
  const concepts =
    conceptIds.length > 0
      ? `<condition attribute="${PC.idr_concept}" operator="in">${conceptIds.map((id) => `<value>${xml(id)}</value>`).join('')}</condition>`
      : '';
  return (
    `<link-entity name="${idr_interestprofile.logicalName}" from="${PC.idr_contact}" to="${CC.contactid}" link-type="outer" alias="${alias}">` +
    attributes(PROFILE_COLUMNS) +
    `<filter><condition attribute="${PC.statecode}" operator="eq" value="${ACTIVE}"/>${concepts}</filter>` +
    `<order attribute="${PC.idr_interestprofileid}"/>` +
    '</link-entity>'
  );
}

export function scoringFetchXml(interactionId: string, conceptIds: readonly string[]): string {
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
    attributes([AC.accountid, AC.idr_primaryinterest]) +
    `<link-entity name="${contact.logicalName}" from="${CC.parentcustomerid}" to="${AC.accountid}" link-type="outer" alias="${A.member}">` +
    profileLink(A.profile, conceptIds) +
    '</link-entity></link-entity>' +
    `<link-entity name="${contact.logicalName}" from="${CC.contactid}" to="${CC.contactid}" link-type="outer" alias="${A.solo}">` +
    `<filter><condition attribute="${CC.parentcustomerid}" operator="null"/></filter>` +
    profileLink(A.own, conceptIds) +
    '</link-entity></link-entity>' +
    '</entity></fetch>'
  );
}

/** The columns of one link-entity as the Web API names them on its own table (`_x_value` for lookups). */
function linked(row: EntityRecord, alias: string, lookups: Readonly<Record<string, unknown>>): EntityRecord {
  const out: EntityRecord = {};
  const prefix = `${alias}.`;
  for (const [key, value] of Object.entries(row)) {
    if (!key.startsWith(prefix)) continue;
    const column = key.slice(prefix.length);
    out[column in lookups ? lookupValue(column) : column] = value;
  }
  return out;
}

/** An etag from the version number: Dataverse's `@odata.etag` is `W/"<versionnumber>"`. */
function withEtag(record: EntityRecord): EntityRecord {
  const version = num(record, VERSION) ?? text(record, VERSION);
  return version === null || record[ETAG] !== undefined ? record : { ...record, [ETAG]: `W/"${version}"` };
}

/** Null when the interaction does not exist (deleted before it was scored). */
export async function readScoringState(
  client: DataverseClient,
  interactionId: string,
  catalog: InterestCatalog,
  now: EpochMs,
): Promise<ScoringState | null> {
  const conceptIds = catalog.concepts.map((c) => c.id);
  const rows = await client.fetchXml(
    idr_interaction.entitySetName,
    scoringFetchXml(interactionId, conceptIds),
  );
  const first = rows[0];
  if (!first) return null;
  const stored = toInteraction(withEtag(first));
  const interaction: StoredInteraction = {
    ...stored,
    campaignName: text(first, `${A.campaign}.${campaign.columns.name}`) ?? stored.campaignName,
  };
  const person = linked(first, A.contact, contact.lookupTargets);
  const contactId = guid(person, CC.contactid);
  if (contactId === null) {
    return { interaction, contact: null, profiles: [], account: null, ownProfilesMissing: false };
  }
  const known = new Set(conceptIds);
  const profiles = new Map<string, StoredProfile>();
  for (const row of rows) {
    for (const alias of [A.profile, A.own]) {
      const record = linked(row, alias, idr_interestprofile.lookupTargets);
      if (record[PC.idr_interestprofileid] === undefined) continue;
      const profile = toProfile(withEtag(record), now);
      if (known.has(profile.profile.conceptId)) profiles.set(profile.id, profile);
    }
  }
  const all = [...profiles.values()];
  const own = all.filter((p) => p.contactId === contactId);
  const parent = linked(first, A.account, account.lookupTargets);
  const accountId = guid(parent, account.columns.accountid);
  const storedContact = toContact(person, contactId);
  return {
    interaction,
    contact: storedContact,
    profiles: own,
    account: accountId
      ? {
          id: storedContact.parentId ?? accountId,
          primaryInterestId: lookup(parent, account.columns.idr_primaryinterest),
          siblings: all.filter((p) => p.contactId !== contactId),
        }
      : null,
    ownProfilesMissing: storedContact.parentId !== null && !accountId,
  };
}
