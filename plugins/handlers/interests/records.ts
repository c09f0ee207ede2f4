/**
 * Web API JSON (client.ts shape) in, domain/interest values out, and profile state back to columns.
 * The only place in this folder that knows how the interest tables' columns are read and written:
 * each mapper takes the row of its select list (`Selected<xRecord, typeof SELECT>`, cast where the rows
 * arrive) and writes a `<table>Write`.
 */
import type { BatchOperation, ColumnValue } from '../../../dataverse/client';
import type { Selected } from '../../../dataverse/selected';
import { idValue, textValue, timeValue } from '../values';
import {
  contact,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
  list,
  type accountWrite,
  type contactRecord,
  type contactWrite,
  type idr_interactionRecord,
  type idr_interactionruleRecord,
  type idr_interestprofileRecord,
  type idr_interestprofileWrite,
  type idr_marketingconceptRecord,
} from '../../../dataverse/generated';
import {
  appliedDeltaItems,
  DEFAULT_HALF_LIFE_DAYS,
  type AppliedDelta,
  type ConceptConfig,
  type ExplainedDelta,
  type EpochMs,
  type InteractionEvent,
  type InteractionRule,
  type InterestProfile,
  type ProfileResult,
} from '../../../domain/interest';

export { idValue, textValue, timeValue };

export const IC = idr_interaction.columns;
export const PC = idr_interestprofile.columns;
export const MC = idr_marketingconcept.columns;
export const RC = idr_interactionrule.columns;
export const CC = contact.columns;

/** Length of `idr_processingerror` (String(2000)) and of primary names (String(200)). */
export const PROCESSING_ERROR_MAX = 2000;
export const NAME_MAX = 200;

/** The annotation that carries a column's formatted value (asked for with `formattedValues`). */
export const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

/** `_<column>_value`: how the Web API reads a lookup. */
export function lookupValue<C extends string>(column: C): `_${C}_value` {
  return `_${column}_value`;
}

/**
 * Puts a contact on a marketing list or takes it off. "Web API Action Reference": AddMemberList is
 * bound to the list (`lists(<id>)/Microsoft.Dynamics.CRM.AddMemberList` with `{EntityId}`);
 * RemoveMemberList is unbound and names both (`{ListId, EntityId}`).
 */
export function membershipOperation(
  action: 'add' | 'remove',
  listId: string,
  contactId: string,
): Extract<BatchOperation, { kind: 'action' }> {
  return action === 'add'
    ? {
        kind: 'action',
        name: 'AddMemberList',
        body: { EntityId: contactId },
        bound: { entitySet: list.entitySetName, id: listId },
      }
    : { kind: 'action', name: 'RemoveMemberList', body: { ListId: listId, EntityId: contactId } };
}

/** `<column>@odata.bind`: how the Web API writes a lookup (navigation names equal logical names here). */
export function bind<C extends string>(column: C): `${C}@odata.bind` {
  return `${column}@odata.bind`;
}

/** `/<entity set>(<id>)`, typed as the generated Write types expect an `@odata.bind` value. */
export function recordUrl<S extends string>(entitySet: S, id: string): `/${S}(${string})` {
  return `/${entitySet}(${id})`;
}

/** Sets (or clears) the primary interest of a contact or an account: both columns share one name. */
export function primaryInterestUpdate(
  table: { readonly entitySetName: string },
  id: string,
  conceptId: string | null,
): BatchOperation {
  const record: contactWrite & accountWrite = {
    'idr_primaryinterest@odata.bind':
      conceptId === null ? null : recordUrl(idr_marketingconcept.entitySetName, conceptId),
  };
  return { kind: 'update', entitySet: table.entitySetName, key: id, record };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function iso(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

// ── concepts and rules ────────────────────────────────────────────────────────────────────────

export interface Concept extends ConceptConfig {
  readonly name: string;
  readonly listId: string | null;
}

export const CONCEPT_SELECT = [
  MC.idr_marketingconceptid,
  MC.idr_name,
  MC.idr_code,
  MC.idr_halflifedays,
  MC.idr_enterthreshold,
  MC.idr_exitthreshold,
  MC.idr_landmarkon,
  lookupValue(MC.idr_marketinglist),
] as const;

/** A row as CONCEPT_SELECT reads it. */
export type ConceptRow = Selected<idr_marketingconceptRecord, typeof CONCEPT_SELECT>;

export function toConcept(row: ConceptRow): Concept {
  const id = idValue(row.idr_marketingconceptid) ?? '';
  const code = textValue(row.idr_code);
  return {
    id,
    code: code ?? id,
    name: textValue(row.idr_name) ?? code ?? id,
    halfLifeDays: row.idr_halflifedays ?? DEFAULT_HALF_LIFE_DAYS,
    // A missing threshold is not a number, so validateConcept reports the row instead of guessing.
    enterThreshold: row.idr_enterthreshold ?? Number.NaN,
    exitThreshold: row.idr_exitthreshold ?? Number.NaN,
    landmark: timeValue(row.idr_landmarkon),
    listId: idValue(row._idr_marketinglist_value),
  };
}

export const RULE_SELECT = [
  RC.idr_interactionruleid,
  RC.idr_name,
  RC.idr_eventtype,
  lookupValue(RC.idr_concept),
  RC.idr_points,
  RC.idr_match,
  RC.idr_repeatable,
  RC.idr_dailycap,
  RC.statecode,
] as const;

/** A row as RULE_SELECT reads it. */
export type RuleRow = Selected<idr_interactionruleRecord, typeof RULE_SELECT>;

export function toRule(row: RuleRow): InteractionRule {
  return {
    id: idValue(row.idr_interactionruleid) ?? '',
    name: textValue(row.idr_name) ?? undefined,
    eventType: row.idr_eventtype ?? Number.NaN,
    conceptId: idValue(row._idr_concept_value) ?? '',
    points: row.idr_points ?? Number.NaN,
    match: textValue(row.idr_match),
    // The column defaults to yes (docs/data-model.md); an unset value means the default.
    repeatable: row.idr_repeatable ?? true,
    dailyCap: row.idr_dailycap ?? null,
  };
}

// ── interactions ──────────────────────────────────────────────────────────────────────────────

export const INTERACTION_SELECT = [
  IC.idr_interactionid,
  IC.idr_name,
  lookupValue(IC.idr_contact),
  lookupValue(IC.idr_account),
  IC.idr_eventtype,
  IC.idr_occurredon,
  IC.idr_url,
  lookupValue(IC.idr_campaign),
  lookupValue(IC.idr_concept),
  IC.idr_product,
  IC.idr_productfamily,
  IC.idr_casesubject,
  IC.idr_processingstatus,
] as const;

/** A row as INTERACTION_SELECT reads it. */
export type InteractionRow = Selected<idr_interactionRecord, typeof INTERACTION_SELECT>;

export interface StoredInteraction {
  readonly id: string;
  readonly etag: string | undefined;
  readonly status: number | null;
  readonly contactId: string | null;
  readonly accountId: string | null;
  readonly eventType: number | null;
  /** The event-type label, for messages. */
  readonly eventLabel: string;
  readonly occurredOn: EpochMs | null;
  readonly url: string | null;
  readonly campaignId: string | null;
  readonly campaignName: string | null;
  readonly conceptId: string | null;
  readonly product: string | null;
  readonly productFamily: string | null;
  readonly caseSubject: string | null;
}

export function toInteraction(row: InteractionRow): StoredInteraction {
  const eventType = row.idr_eventtype ?? null;
  return {
    id: idValue(row.idr_interactionid) ?? '',
    etag: textValue(row['@odata.etag']) ?? undefined,
    status: row.idr_processingstatus ?? null,
    contactId: idValue(row._idr_contact_value),
    accountId: idValue(row._idr_account_value),
    eventType,
    eventLabel:
      textValue(row[`idr_eventtype${FORMATTED}`]) ??
      (eventType === null ? 'no event type' : `event type ${eventType}`),
    occurredOn: timeValue(row.idr_occurredon),
    url: textValue(row.idr_url),
    campaignId: idValue(row._idr_campaign_value),
    campaignName: textValue(row[`_idr_campaign_value${FORMATTED}`]),
    conceptId: idValue(row._idr_concept_value),
    product: textValue(row.idr_product),
    productFamily: textValue(row.idr_productfamily),
    caseSubject: textValue(row.idr_casesubject),
  };
}

/** The engine's view of an interaction whose event type and time are known. */
export function toEvent(
  interaction: StoredInteraction,
  eventType: number,
  occurredOn: EpochMs,
): InteractionEvent {
  return {
    eventType,
    occurredOn,
    url: interaction.url,
    campaignId: interaction.campaignId,
    campaignName: interaction.campaignName,
    product: interaction.product,
    productFamily: interaction.productFamily,
    caseSubject: interaction.caseSubject,
    conceptId: interaction.conceptId,
  };
}

/** `idr_applieddeltas` back to deltas; anything that is not the documented JSON counts as none. */
export function parseAppliedDeltas(value: ColumnValue | undefined): AppliedDelta[] {
  const deltas: AppliedDelta[] = [];
  for (const { rule, concept, points } of appliedDeltaItems(value)) {
    if (typeof rule === 'string' && typeof concept === 'string' && typeof points === 'number') {
      deltas.push({ rule, concept, points });
    }
  }
  return deltas;
}

export function explainDeltas(
  deltas: readonly AppliedDelta[],
  names: {
    readonly rule: (id: string) => string | undefined;
    readonly concept: (id: string) => string | undefined;
  },
): string {
  const explained: ExplainedDelta[] = deltas.map((d) => ({
    rule: d.rule,
    ruleName: names.rule(d.rule) ?? d.rule,
    concept: d.concept,
    conceptName: names.concept(d.concept) ?? d.concept,
    points: d.points,
  }));
  return JSON.stringify(explained);
}

// ── contacts ──────────────────────────────────────────────────────────────────────────────────

export const CONTACT_SELECT = [
  CC.contactid,
  CC.fullname,
  CC.firstname,
  CC.lastname,
  CC.donotbulkemail,
  lookupValue(CC.parentcustomerid),
  lookupValue(CC.idr_primaryinterest),
] as const;

/** A row as CONTACT_SELECT reads it. */
export type ContactRow = Selected<contactRecord, typeof CONTACT_SELECT>;

/** What scoring needs of a contact: its name for profile names, consent, account and primary interest. */
export interface StoredContact {
  readonly id: string;
  readonly name: string;
  readonly doNotBulkEmail: boolean;
  readonly parentId: string | null;
  readonly primaryInterestId: string | null;
}

/** The contact's full name; where the platform has not composed it, first and last name. */
export function contactName(row: Pick<contactRecord, 'fullname' | 'firstname' | 'lastname'>): string | null {
  const full = textValue(row.fullname)?.trim();
  if (full) return full;
  const parts = [textValue(row.firstname), textValue(row.lastname)].flatMap((p) => p?.trim() || []);
  return parts.length > 0 ? parts.join(' ') : null;
}

export function toContact(row: ContactRow, id: string): StoredContact {
  return {
    id,
    name: contactName(row) ?? id,
    doNotBulkEmail: row.donotbulkemail ?? false,
    parentId: idValue(row._parentcustomerid_value),
    primaryInterestId: idValue(row._idr_primaryinterest_value),
  };
}

// ── interest profiles ─────────────────────────────────────────────────────────────────────────

export const PROFILE_SELECT = [
  PC.idr_interestprofileid,
  lookupValue(PC.idr_contact),
  lookupValue(PC.idr_concept),
  PC.idr_accumulator,
  PC.idr_landmarkon,
  PC.idr_scoredon,
  PC.idr_eventcount,
  PC.idr_insegment,
  PC.idr_lastinteractionon,
  PC.idr_segmentchangedon,
  PC.idr_rankkey,
] as const;

/** A row as PROFILE_SELECT reads it. */
export type ProfileRow = Selected<idr_interestprofileRecord, typeof PROFILE_SELECT>;

export interface StoredProfile {
  readonly id: string;
  readonly etag: string | undefined;
  readonly contactId: string;
  readonly profile: InterestProfile;
  /** `idr_rankkey` as stored; null on rows written before it existed. */
  readonly rankKey: number | null;
}

export function toProfile(row: ProfileRow, fallbackLandmark: EpochMs): StoredProfile {
  return {
    id: idValue(row.idr_interestprofileid) ?? '',
    etag: textValue(row['@odata.etag']) ?? undefined,
    contactId: idValue(row._idr_contact_value) ?? '',
    rankKey: row.idr_rankkey ?? null,
    profile: {
      conceptId: idValue(row._idr_concept_value) ?? '',
      accumulator: row.idr_accumulator ?? 0,
      // A row written without a landmark (by hand, or an import) is read as scored when it was scored.
      landmark: timeValue(row.idr_landmarkon) ?? timeValue(row.idr_scoredon) ?? fallbackLandmark,
      eventCount: row.idr_eventcount ?? 0,
      inSegment: row.idr_insegment ?? false,
      lastInteractionOn: timeValue(row.idr_lastinteractionon),
      segmentChangedOn: timeValue(row.idr_segmentchangedon),
    },
  };
}

/** `idr_score` keeps 4 decimals and `idr_accumulator` 10 (docs/data-model.md): round as the column would. */
function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/** The columns a scoring or re-check writes for one profile. */
export function profileColumns(result: ProfileResult): idr_interestprofileWrite {
  const record: idr_interestprofileWrite = {
    idr_score: round(result.score, 4),
    idr_accumulator: round(result.accumulator, 10),
    idr_landmarkon: iso(result.landmark),
    idr_rankkey: round(result.rankKey, 10),
    idr_scoredon: iso(result.scoredOn),
    idr_eventcount: result.eventCount,
    idr_insegment: result.inSegment,
  };
  if (result.lastInteractionOn !== null && result.lastInteractionOn !== undefined) {
    record.idr_lastinteractionon = iso(result.lastInteractionOn);
  }
  if (result.segmentChangedOn !== null && result.segmentChangedOn !== undefined) {
    record.idr_segmentchangedon = iso(result.segmentChangedOn);
  }
  return record;
}

/**
 * Writes one profile: an existing one with its etag (a concurrent change fails with 412), a new one
 * created with its name and links (the alternate key contact+concept refuses a concurrent twin).
 */
export function profileWrite(
  result: ProfileResult,
  stored: StoredProfile | undefined,
  owner: {
    readonly contactId: string;
    readonly contactName: string;
    readonly conceptName: string | undefined;
  },
): BatchOperation {
  const columns = profileColumns(result);
  if (stored) {
    return {
      kind: 'update',
      entitySet: idr_interestprofile.entitySetName,
      key: stored.id,
      record: columns,
      ifMatch: stored.etag,
    };
  }
  const record: idr_interestprofileWrite = {
    ...columns,
    idr_name: truncate(`${owner.contactName} · ${owner.conceptName ?? result.conceptId}`, NAME_MAX),
    'idr_contact@odata.bind': recordUrl(contact.entitySetName, owner.contactId),
    'idr_concept@odata.bind': recordUrl(idr_marketingconcept.entitySetName, result.conceptId),
  };
  return { kind: 'create', entitySet: idr_interestprofile.entitySetName, record };
}
