/**
 * Triggered actions (`idr_trigger`): reads the active triggers and the facts they watch, asks
 * domain/campaign/trigger.ts which occurrences there are and whether the contact policy lets each
 * action through, and creates it once. The action's id is derived from the occurrence key (trigger,
 * contact, occurrence), so the event-driven path (after an interaction is scored) and the scheduled
 * job can both see the same occurrence and only the first creates it: a second create of that id is
 * refused by Dataverse as a duplicate ("Create a table row using the Web API": a create may set the
 * primary key; https://learn.microsoft.com/power-apps/developer/data-platform/webapi/create-entity-web-api).
 */
import { createHash } from 'node:crypto';
import type { DataverseClient } from '../../../dataverse/client';
import { DataverseError, DuplicateRecordError } from '../../../dataverse/errors';
import {
  activityparty,
  contact,
  email,
  EventType,
  idr_exclusion,
  idr_interaction,
  idr_interestprofile,
  idr_marketingconcept,
  idr_trigger,
  Language,
  listmember,
  phonecall,
  systemuser,
  task,
  template,
  TriggerAction,
  TriggerKind,
  type emailRecord,
  type idr_exclusionRecord,
  type idr_exclusionWrite,
  type activitypartyWrite,
  type emailWrite,
  type phonecallWrite,
  type taskWrite,
  type phonecallRecord,
  type taskRecord,
  type contactRecord,
  type idr_interactionRecord,
  type idr_interestprofileRecord,
  type idr_marketingconceptRecord,
  type idr_triggerRecord,
  type templateRecord,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import type { ExclusionReason, Occurrence, TriggerInteraction, TriggerRule } from '../../../domain/campaign';
import { DEFAULT_HALF_LIFE_DAYS } from '../../../domain/interest';
import {
  birthdayOccurrences,
  cartOccurrences,
  CampaignError,
  channelOfAction,
  guardTriggeredAction,
  responseOccurrences,
  scoreDropOccurrences,
  segmentOccurrences,
  validateTrigger,
} from '../../../domain/campaign';
import {
  idValue,
  lookupValue,
  membershipOperation,
  recordUrl,
  timeValue,
  textValue,
} from '../interests/records';
import {
  activityLink,
  dayOf,
  exclusionListMembers,
  type LinkedActivityTable,
  readCandidates,
  readContactPolicy,
  recipientImpacts,
  whereIn,
} from './read';
import { REASON_CHOICES } from './distribute';
import { recheckOnSendDay, type SendDayAction } from './sendday';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const PAGE = 5000;
/** How far back the job looks for facts it may have missed (a host that was down for a day). */
export const TRIGGER_LOOKBACK_MS = 2 * DAY_MS;

const KINDS: Readonly<Record<number, TriggerRule['kind']>> = {
  [TriggerKind.EntersASegment]: 'enters-segment',
  [TriggerKind.LeavesASegment]: 'leaves-segment',
  [TriggerKind.BirthdayInNDays]: 'birthday',
  [TriggerKind.CartAbandoned]: 'cart-abandoned',
  [TriggerKind.RespondedToACouponOrEmail]: 'response',
  [TriggerKind.DropsBelowAScore]: 'score-drop',
};
const ACTIONS: Readonly<Record<number, TriggerRule['action']>> = {
  [TriggerAction.PhoneCallForTheOwner]: 'phone-call',
  [TriggerAction.TaskForTheOwner]: 'task',
  [TriggerAction.Email]: 'email',
  [TriggerAction.AddToAMarketingList]: 'add-to-list',
};

export interface StoredTrigger extends TriggerRule {
  readonly responseEventType: number;
  readonly subject: { readonly en: string; readonly es: string };
  readonly body: { readonly en: string; readonly es: string };
  /** Action Email with an email template: the template to instantiate for a contact of each language. */
  readonly template: { readonly en: string; readonly es: string } | null;
}

export interface TriggerRunSummary {
  readonly occurrences: number;
  readonly created: number;
  readonly postponed: number;
  /** Occurrences whose action existed already (seen before). */
  readonly already: number;
  /** Postponed actions called off on their day: the guard, run again, kept them out. */
  readonly cancelled: number;
  readonly skipped: Readonly<Partial<Record<ExclusionReason, number>>>;
  /** Triggers left out because a value they need is missing, with why. */
  readonly invalid: readonly string[];
}

export interface TriggerRunOptions {
  /** Only this contact's facts (the event-driven path). */
  readonly contactId?: string;
  /** Only these kinds (the event-driven path evaluates segment changes and responses). */
  readonly kinds?: readonly TriggerRule['kind'][];
  readonly lookbackMs?: number;
  /** The active triggers, when the caller has them already (the event-driven path caches them). */
  readonly triggers?: readonly StoredTrigger[];
}

export interface TriggerDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly logger?: Logger;
}

export async function readTriggers(
  client: DataverseClient,
  invalid: string[] = [],
): Promise<StoredTrigger[]> {
  const t = idr_trigger.columns;
  const rows = (await client.retrieveMultiple(idr_trigger.entitySetName, {
    filter: `${t.statecode} eq ${idr_trigger.choices.statecode.Active}`,
    orderBy: [`${t.idr_name} asc`, `${t.idr_triggerid} asc`],
  })) as idr_triggerRecord[];
  const withTemplate = rows.some(
    (r) => r.idr_action === TriggerAction.Email && idValue(r._idr_template_value) !== null,
  );
  const templates = withTemplate ? await templatesByLanguage(client) : null;
  return rows.flatMap((r) => {
    const kind = KINDS[r.idr_kind ?? -1];
    const action = ACTIONS[r.idr_action ?? -1];
    const name = textValue(r.idr_name) ?? textValue(r.idr_triggerid) ?? '';
    if (!kind || !action) {
      invalid.push(`Trigger '${name}': set When and Then.`);
      return [];
    }
    const subjectEn = textValue(r.idr_subject) ?? name;
    const bodyEn = textValue(r.idr_body) ?? '';
    const trigger: StoredTrigger = {
      id: textValue(r.idr_triggerid) ?? '',
      name,
      kind,
      action,
      conceptId: idValue(r._idr_concept_value),
      listId: idValue(r._idr_list_value),
      days: r.idr_days ?? null,
      hours: r.idr_hours ?? null,
      threshold: r.idr_threshold ?? null,
      responseEventType: r.idr_responseeventtype ?? EventType.CouponClick,
      subject: { en: subjectEn, es: textValue(r.idr_subjectes) ?? subjectEn },
      body: { en: bodyEn, es: textValue(r.idr_bodyes) ?? bodyEn },
      template: action === 'email' && templates ? templates(idValue(r._idr_template_value)) : null,
    };
    try {
      validateTrigger(trigger);
      return [trigger];
    } catch (error) {
      if (!(error instanceof CampaignError)) throw error;
      invalid.push(error.message);
      return [];
    }
  });
}

/** Language codes (LCID) of the template table's languagecode for Ideario's two languages. */
const LCID = { en: 1033, es: 3082 } as const;

/**
 * Which template a contact of each language gets for a trigger's template: the template of the same
 * title (trimmed, any case) in the contact's language when there is one, otherwise the trigger's own
 * template. One read of the contact email templates per evaluation of the triggers.
 */
async function templatesByLanguage(
  client: DataverseClient,
): Promise<(id: string | null) => { en: string; es: string } | null> {
  const c = template.columns;
  const rows = (await client.retrieveMultiple(template.entitySetName, {
    filter: `${c.templatetypecode} eq '${contact.logicalName}'`,
    select: [c.templateid, c.title, c.languagecode],
    orderBy: [`${c.templateid} asc`],
  })) as templateRecord[];
  const all = rows.map((r) => ({
    id: textValue(r.templateid) ?? '',
    title: (textValue(r.title) ?? '').trim().toLowerCase(),
    language: r.languagecode ?? null,
  }));
  return (id) => {
    if (!id) return null;
    const chosen = all.find((x) => x.id === id);
    // Not among the contact templates (another table's, or gone): InstantiateTemplate says why.
    if (!chosen) return { en: id, es: id };
    const inLanguage = (lcid: number) =>
      chosen.language === lcid
        ? chosen.id
        : (all.find((x) => x.title === chosen.title && x.language === lcid)?.id ?? chosen.id);
    return { en: inLanguage(LCID.en), es: inLanguage(LCID.es) };
  };
}

/** The template's subject and body for the contact ("InstantiateTemplate Action", Web API Action Reference). */
async function instantiate(
  client: DataverseClient,
  templateId: string,
  contactId: string,
): Promise<{ subject: string; body: string }> {
  let answer: unknown;
  try {
    answer = await client.executeAction('InstantiateTemplate', {
      TemplateId: templateId,
      ObjectType: contact.logicalName,
      ObjectId: contactId,
    });
  } catch (error) {
    // 400 (a data field the table lacks, a template of another table) or 404 (template gone): the
    // template needs fixing; throttling and outages propagate as for any other request.
    if (error instanceof DataverseError && (error.status === 400 || error.status === 404))
      throw new TriggerTemplateError(templateId, error.message);
    throw error;
  }
  const first =
    typeof answer === 'object' && answer !== null && Array.isArray((answer as { value?: unknown }).value)
      ? ((answer as { value: unknown[] }).value[0] as emailRecord | undefined)
      : undefined;
  if (!first) throw new TriggerTemplateError(templateId, 'InstantiateTemplate answered no email.');
  return {
    subject: textValue(first.subject) ?? '',
    body: textValue(first.description) ?? '',
  };
}

/** The trigger's email template could not be instantiated: the email waits until it can. */
export class TriggerTemplateError extends Error {
  constructor(
    readonly templateId: string,
    readonly reason: string,
  ) {
    super(`Email template ${templateId} could not be filled in: ${reason}`);
    this.name = 'TriggerTemplateError';
  }
}

/** A GUID from the occurrence key (name-based, SHA-1, as RFC 9562 §5.5 lays out UUIDv5). */
export function actionId(occurrenceKey: string): string {
  const hash = createHash('sha1').update(`ideario-trigger:${occurrenceKey}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ── facts ─────────────────────────────────────────────────────────────────────────────────────

const PC = idr_interestprofile.columns;
const IC = idr_interaction.columns;

function contactFilter(column: string, contactId: string | undefined): string {
  return contactId ? ` and ${column} eq ${contactId}` : '';
}

async function segmentStates(client: DataverseClient, since: number, contactId?: string) {
  const rows = (await client.retrieveMultiple(idr_interestprofile.entitySetName, {
    filter: `${PC.idr_segmentchangedon} ge ${new Date(since).toISOString()}${contactFilter(lookupValue(PC.idr_contact), contactId)}`,
    select: [
      lookupValue(PC.idr_contact),
      lookupValue(PC.idr_concept),
      PC.idr_insegment,
      PC.idr_segmentchangedon,
    ],
    pageSize: PAGE,
  })) as idr_interestprofileRecord[];
  return rows.map((r) => ({
    contactId: idValue(r._idr_contact_value) ?? '',
    conceptId: idValue(r._idr_concept_value) ?? '',
    inSegment: r.idr_insegment ?? false,
    changedOn: timeValue(r.idr_segmentchangedon),
  }));
}

async function scoreStates(client: DataverseClient, rules: readonly TriggerRule[], contactId?: string) {
  const out = [];
  for (const rule of rules) {
    const concept = (await client.retrieve(idr_marketingconcept.entitySetName, rule.conceptId ?? '', [
      idr_marketingconcept.columns.idr_halflifedays,
    ])) as idr_marketingconceptRecord | null;
    const halfLifeDays = concept?.idr_halflifedays ?? DEFAULT_HALF_LIFE_DAYS;
    // Decay only lowers a score, so only profiles stored at or above the threshold can drop below it.
    const rows = (await client.retrieveMultiple(idr_interestprofile.entitySetName, {
      filter: `${lookupValue(PC.idr_concept)} eq ${rule.conceptId} and ${PC.idr_score} ge ${rule.threshold}${contactFilter(lookupValue(PC.idr_contact), contactId)}`,
      select: [lookupValue(PC.idr_contact), PC.idr_score, PC.idr_scoredon],
      pageSize: PAGE,
    })) as idr_interestprofileRecord[];
    for (const r of rows) {
      const scoredOn = timeValue(r.idr_scoredon);
      const score = r.idr_score ?? null;
      if (scoredOn === null || score === null) continue;
      out.push({
        contactId: idValue(r._idr_contact_value) ?? '',
        conceptId: rule.conceptId ?? '',
        score,
        scoredOn,
        halfLifeDays,
      });
    }
  }
  return out;
}

async function birthdays(client: DataverseClient, contactId?: string) {
  const c = contact.columns;
  const rows = (await client.retrieveMultiple(contact.entitySetName, {
    filter: `${c.birthdate} ne null and ${c.statecode} eq ${contact.choices.statecode.Active}${contactFilter(c.contactid, contactId)}`,
    select: [c.contactid, c.birthdate],
    pageSize: PAGE,
  })) as contactRecord[];
  return rows.flatMap((r) => {
    const id = textValue(r.contactid);
    const date = textValue(r.birthdate);
    return id && date ? [{ contactId: id, birthdate: date }] : [];
  });
}

async function interactions(
  client: DataverseClient,
  rules: readonly StoredTrigger[],
  since: number,
  contactId?: string,
): Promise<Map<string, TriggerInteraction[]>> {
  const types = new Set<number>();
  for (const r of rules) {
    if (r.kind === 'cart-abandoned') types.add(EventType.CartAbandoned).add(EventType.OrderConfirmed);
    if (r.kind === 'response') types.add(r.responseEventType);
  }
  const byRule = new Map<string, TriggerInteraction[]>();
  if (types.size === 0) return byRule;
  const rows = (await client.retrieveMultiple(idr_interaction.entitySetName, {
    filter:
      `${IC.idr_occurredon} ge ${new Date(since).toISOString()} and ${lookupValue(IC.idr_contact)} ne null and ` +
      `(${[...types].map((t) => `${IC.idr_eventtype} eq ${t}`).join(' or ')})${contactFilter(lookupValue(IC.idr_contact), contactId)}`,
    select: [IC.idr_interactionid, lookupValue(IC.idr_contact), IC.idr_eventtype, IC.idr_occurredon],
    orderBy: [`${IC.idr_occurredon} asc`, `${IC.idr_interactionid} asc`],
    pageSize: PAGE,
  })) as idr_interactionRecord[];
  for (const rule of rules) {
    byRule.set(
      rule.id,
      rows.flatMap((r): TriggerInteraction[] => {
        const type = r.idr_eventtype ?? null;
        const occurredOn = timeValue(r.idr_occurredon);
        const id = textValue(r.idr_interactionid);
        const who = idValue(r._idr_contact_value);
        if (occurredOn === null || !id || !who) return [];
        const kind =
          rule.kind === 'response' && type === rule.responseEventType
            ? 'response'
            : type === EventType.CartAbandoned
              ? 'cart-abandoned'
              : type === EventType.OrderConfirmed
                ? 'order'
                : 'other';
        return [{ id, contactId: who, kind, occurredOn }];
      }),
    );
  }
  return byRule;
}

// ── actions ───────────────────────────────────────────────────────────────────────────────────

interface Person {
  readonly language: 'en' | 'es';
  readonly ownerUserId: string | null;
}

async function people(client: DataverseClient, ids: readonly string[]): Promise<Map<string, Person>> {
  const c = contact.columns;
  const rows = (await whereIn(client, contact.entitySetName, c.contactid, ids, [
    c.contactid,
    c.idr_language,
    lookupValue(c.ownerid),
  ])) as contactRecord[];
  return new Map(
    rows.map((r) => {
      const ownerTable = textValue(r['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']);
      const owner = idValue(r._ownerid_value);
      return [
        textValue(r.contactid) ?? '',
        {
          language: r.idr_language === Language.Spanish ? 'es' : 'en',
          ownerUserId: owner && (ownerTable === null || ownerTable === systemuser.logicalName) ? owner : null,
        },
      ];
    }),
  );
}

async function existingActions(client: DataverseClient, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const table of [email, phonecall, task]) {
    const rows = await whereIn(client, table.entitySetName, table.columns.activityid, ids, [
      table.columns.activityid,
    ]);
    for (const r of rows) found.add(textValue(r[table.columns.activityid]) ?? '');
  }
  return found;
}

/** What a why-not row says: its reason (choice value) and the day the action was postponed to. */
interface WhyNot {
  readonly reason: number | null;
  readonly postponedTo: number | null;
}

function whyNotId(occurrence: Occurrence): string {
  return actionId(`${occurrence.key}:why-not`);
}

/**
 * The why-not rows already kept for these occurrences, by row id: each hourly run evaluates an
 * occurrence again while it is in the look-back window, and one read per run spares a write per row.
 */
async function existingWhyNots(
  client: DataverseClient,
  occurrences: readonly Occurrence[],
): Promise<Map<string, WhyNot>> {
  const e = idr_exclusion.columns;
  const rows = (await whereIn(
    client,
    idr_exclusion.entitySetName,
    e.idr_exclusionid,
    occurrences.map(whyNotId),
    [e.idr_exclusionid, e.idr_reason, e.idr_postponedto],
  )) as idr_exclusionRecord[];
  return new Map(
    rows.map((r) => [
      textValue(r.idr_exclusionid) ?? '',
      { reason: r.idr_reason ?? null, postponedTo: timeValue(r.idr_postponedto) },
    ]),
  );
}

/**
 * The "why did this customer not get it?" row of a triggered action left out or postponed: one per
 * occurrence (its id comes from the occurrence key). A row that already says the same is left as it
 * is, so its date stays the first time the action was held back.
 */
async function recordWhyNot(
  client: DataverseClient,
  trigger: StoredTrigger,
  occurrence: Occurrence,
  reason: ExclusionReason,
  postponedTo: number | null,
  now: number,
  kept?: ReadonlyMap<string, WhyNot>,
  activity?: { table: LinkedActivityTable; id: string },
): Promise<void> {
  const id = whyNotId(occurrence);
  const before = kept?.get(id);
  if (before && before.reason === REASON_CHOICES[reason] && before.postponedTo === postponedTo) return;
  await client.upsert(idr_exclusion.entitySetName, id, {
    idr_name: `${trigger.name}: ${reason}`.slice(0, 100),
    'idr_trigger@odata.bind': recordUrl(idr_trigger.entitySetName, trigger.id),
    'idr_contact@odata.bind': recordUrl(contact.entitySetName, occurrence.contactId),
    idr_reason: REASON_CHOICES[reason],
    idr_postponedto: postponedTo === null ? null : new Date(postponedTo).toISOString(),
    idr_excludedon: new Date(now).toISOString(),
    // The postponed action itself, so its day's re-check finds it whatever happens to its start time.
    ...(activity ? activityLink(activity.table, activity.id) : {}),
  } satisfies idr_exclusionWrite);
}

async function createAction(
  client: DataverseClient,
  trigger: StoredTrigger,
  occurrence: Occurrence,
  person: Person,
  when: number,
): Promise<boolean> {
  const id = actionId(occurrence.key);
  const texts = trigger.template
    ? await instantiate(client, trigger.template[person.language], occurrence.contactId)
    : { subject: trigger.subject[person.language], body: trigger.body[person.language] };
  const { subject, body } = texts;
  const table = trigger.action === 'email' ? email : trigger.action === 'phone-call' ? phonecall : task;
  const common = {
    activityid: id,
    subject: subject.slice(0, 200),
    description: body,
    scheduledstart: new Date(when).toISOString(),
    scheduledend: new Date(when + HOUR_MS).toISOString(),
  } satisfies emailWrite & phonecallWrite & taskWrite;
  const regarding = recordUrl(contact.entitySetName, occurrence.contactId);
  const owner: Pick<phonecallWrite & taskWrite, 'ownerid@odata.bind'> =
    person.ownerUserId && table !== email
      ? { 'ownerid@odata.bind': recordUrl(systemuser.entitySetName, person.ownerUserId) }
      : {};
  const to: activitypartyWrite[] = [
    {
      'partyid_contact@odata.bind': regarding,
      participationtypemask: activityparty.choices.participationtypemask.ToRecipient,
    },
  ];
  // "Dataverse names the regarding navigation after the relationship": regardingobjectid_contact_<activity>.
  // An email or call is outgoing, as Dataverse marks one made to the customer.
  const record: emailWrite | phonecallWrite | taskWrite =
    table === email
      ? ({
          ...common,
          'regardingobjectid_contact_email@odata.bind': regarding,
          directioncode: true,
          email_activity_parties: to,
        } satisfies emailWrite)
      : table === phonecall
        ? ({
            ...common,
            'regardingobjectid_contact_phonecall@odata.bind': regarding,
            ...owner,
            directioncode: true,
            phonecall_activity_parties: to,
          } satisfies phonecallWrite)
        : ({
            ...common,
            'regardingobjectid_contact_task@odata.bind': regarding,
            ...owner,
          } satisfies taskWrite);
  try {
    await client.create(table.entitySetName, record);
    return true;
  } catch (error) {
    // The other path created it a moment ago: the action exists once, which is the point.
    if (error instanceof DuplicateRecordError) return false;
    throw error;
  }
}

async function isMember(client: DataverseClient, listId: string, contactId: string): Promise<boolean> {
  const m = listmember.columns;
  const rows = await client.retrieveMultiple(listmember.entitySetName, {
    filter: `${lookupValue(m.listid)} eq ${listId} and ${lookupValue(m.entityid)} eq ${contactId}`,
    select: [m.listmemberid],
    top: 1,
  });
  return rows.length > 0;
}

// ── send time ─────────────────────────────────────────────────────────────────────────────────

const ACTION_TABLES = { email, 'phone-call': phonecall, task } as const;
/**
 * A postponed action waits as an open activity scheduled for its day, linked from its why-not row
 * (`idr_activity`); on that day (from the time it was postponed to) sendday.ts runs the guard again
 * and, if it now says no, cancels the activity and has the why-not row give that reason instead of
 * the postponement. A row kept before the link existed finds its action as it was made: the trigger's
 * activity regarding the contact, starting at the time the row says. Answers how many were cancelled.
 */
async function recheckPostponed(
  client: DataverseClient,
  triggers: readonly StoredTrigger[],
  now: number,
  lookbackMs: number,
): Promise<number> {
  const e = idr_exclusion.columns;
  const rows = (await client.retrieveMultiple(idr_exclusion.entitySetName, {
    filter:
      `${lookupValue(e.idr_trigger)} ne null and ${e.idr_postponedto} ne null and ` +
      `${e.idr_postponedto} le ${new Date(now).toISOString()} and ${e.idr_postponedto} ge ${new Date(now - lookbackMs).toISOString()}`,
    select: [
      e.idr_exclusionid,
      lookupValue(e.idr_trigger),
      lookupValue(e.idr_contact),
      lookupValue(e.idr_activity),
      e.idr_postponedto,
    ],
    pageSize: PAGE,
  })) as idr_exclusionRecord[];
  const byId = new Map(triggers.map((t) => [t.id, t]));
  const actions: SendDayAction[] = [];
  for (const r of rows) {
    const trigger = byId.get(idValue(r._idr_trigger_value) ?? '');
    const contactId = idValue(r._idr_contact_value);
    const at = timeValue(r.idr_postponedto);
    const rowId = idValue(r.idr_exclusionid);
    if (!trigger || trigger.action === 'add-to-list' || !contactId || at === null || !rowId) continue;
    // The link's table is the trigger's action table (the lookup's table annotation is only sent on request).
    const table = ACTION_TABLES[trigger.action];
    const activityId = idValue(r._idr_activity_value) ?? (await madeAt(client, table, contactId, at));
    if (!activityId) continue;
    actions.push({
      activity: { table, id: activityId },
      contactId,
      at,
      channel: channelOfAction(trigger.action),
      campaignId: `trigger:${trigger.id}`,
      whyNot: (reason) => ({
        kind: 'update',
        entitySet: idr_exclusion.entitySetName,
        key: rowId,
        record: {
          idr_name: `${trigger.name}: ${reason}`.slice(0, 100),
          idr_reason: REASON_CHOICES[reason],
          idr_postponedto: null,
          idr_excludedon: new Date(now).toISOString(),
          ...activityLink(table, activityId),
        } satisfies idr_exclusionWrite,
      }),
    });
  }
  return recheckOnSendDay(client, actions);
}

/** A triggered action regarding the contact that starts at `at`: how an unlinked why-not row finds its action. */
async function madeAt(
  client: DataverseClient,
  table: (typeof ACTION_TABLES)[keyof typeof ACTION_TABLES],
  contactId: string,
  at: number,
): Promise<string | null> {
  const c = table.columns;
  const [row] = (await client.retrieveMultiple(table.entitySetName, {
    filter: `${lookupValue(c.regardingobjectid)} eq ${contactId} and ${c.scheduledstart} eq ${new Date(at).toISOString()}`,
    select: [c.activityid],
    top: 1,
  })) as (emailRecord | phonecallRecord | taskRecord)[];
  return idValue(row?.activityid);
}

// ── the run ───────────────────────────────────────────────────────────────────────────────────

/** Evaluates the active triggers at the clock's now and creates each new occurrence's action once. */
export async function runTriggers(
  deps: TriggerDeps,
  options: TriggerRunOptions = {},
): Promise<TriggerRunSummary> {
  const { client } = deps;
  const invalid: string[] = [];
  const all = options.triggers ?? (await readTriggers(client, invalid));
  for (const problem of invalid) deps.logger?.warn('Trigger left out until it is completed.', { problem });
  const triggers = options.kinds ? all.filter((t) => options.kinds?.includes(t.kind)) : all;
  const summary = {
    occurrences: 0,
    created: 0,
    postponed: 0,
    already: 0,
    cancelled: 0,
    skipped: {} as Partial<Record<ExclusionReason, number>>,
    invalid,
  };
  if (triggers.length === 0) return summary;
  const now = deps.clock().getTime();
  // The event-driven path leaves this to the hourly job, so scoring an interaction costs no more requests.
  if (!options.contactId)
    summary.cancelled = await recheckPostponed(
      client,
      triggers,
      now,
      options.lookbackMs ?? TRIGGER_LOOKBACK_MS,
    );
  const since = now - (options.lookbackMs ?? TRIGGER_LOOKBACK_MS);
  const today = dayOf(now);
  const who = options.contactId;
  const has = (kind: TriggerRule['kind']) => triggers.some((t) => t.kind === kind);

  const segments =
    has('enters-segment') || has('leaves-segment') ? await segmentStates(client, since, who) : [];
  const born = has('birthday') ? await birthdays(client, who) : [];
  const drops = await scoreStates(
    client,
    triggers.filter((t) => t.kind === 'score-drop'),
    who,
  );
  const maxHours = Math.max(0, ...triggers.map((t) => (t.kind === 'cart-abandoned' ? (t.hours ?? 0) : 0)));
  const events = await interactions(client, triggers, since - maxHours * HOUR_MS, who);

  const found: { trigger: StoredTrigger; occurrence: Occurrence }[] = [];
  for (const trigger of triggers) {
    const seen = events.get(trigger.id) ?? [];
    const occurrences = [
      ...segmentOccurrences(trigger, segments, since),
      ...birthdayOccurrences(trigger, born, today),
      ...cartOccurrences(trigger, seen, now).filter((o) => o.at >= since),
      ...responseOccurrences(trigger, seen).filter((o) => o.at >= since),
      ...scoreDropOccurrences(trigger, drops, since, now),
    ];
    for (const occurrence of occurrences) found.push({ trigger, occurrence });
  }
  summary.occurrences = found.length;
  if (found.length === 0) return summary;

  const existing = await existingActions(
    client,
    found.filter((f) => f.trigger.action !== 'add-to-list').map((f) => actionId(f.occurrence.key)),
  );
  const pending = found.filter((f) => !existing.has(actionId(f.occurrence.key)));
  summary.already = found.length - pending.length;
  if (pending.length === 0) return summary;

  const contactIds = [...new Set(pending.map((f) => f.occurrence.contactId))];
  const policy = await readContactPolicy(client);
  const [candidates, robinson, persons, impacts] = await Promise.all([
    readCandidates(client, contactIds),
    exclusionListMembers(client),
    people(client, contactIds),
    recipientImpacts(client, contactIds, today - 31, today + policy.horizonDays + 31),
  ]);
  const candidateOf = new Map(candidates.map((c) => [c.contactId, c]));
  const whyNots = await existingWhyNots(
    client,
    pending.map((f) => f.occurrence),
  );
  for (const { trigger, occurrence } of pending) {
    const candidate = candidateOf.get(occurrence.contactId);
    const person = persons.get(occurrence.contactId);
    if (!candidate || !person) continue;
    const due = Math.max(now, occurrence.at);
    const decision = guardTriggeredAction({
      rule: trigger,
      contactId: occurrence.contactId,
      consent: candidate.consent,
      belowZero: candidate.belowZero,
      onExclusionList: robinson.has(occurrence.contactId),
      impacts,
      day: dayOf(due),
      policy,
    });
    if (decision.outcome === 'skip') {
      summary.skipped[decision.reason] = (summary.skipped[decision.reason] ?? 0) + 1;
      deps.logger?.info('Triggered action not created.', {
        trigger: trigger.name,
        contact: occurrence.contactId,
        reason: decision.reason,
      });
      await recordWhyNot(client, trigger, occurrence, decision.reason, null, now, whyNots);
      continue;
    }
    if (trigger.action === 'add-to-list') {
      if (trigger.listId && !(await isMember(client, trigger.listId, occurrence.contactId))) {
        await client.executeBatch([membershipOperation('add', trigger.listId, occurrence.contactId)], {
          atomic: true,
        });
        summary.created++;
      } else summary.already++;
      continue;
    }
    const when = decision.day === dayOf(due) ? due : decision.day * DAY_MS + (due - dayOf(due) * DAY_MS);
    let created: boolean;
    try {
      created = await createAction(client, trigger, occurrence, person, when);
    } catch (error) {
      // A template the emulator or Dataverse refuses (deleted, wrong table, bad data field) holds back
      // this trigger's email only; it is created on the first run after the template is fixed.
      if (!(error instanceof TriggerTemplateError)) throw error;
      const problem = `Trigger '${trigger.name}': ${error.message}`;
      if (!invalid.includes(problem)) invalid.push(problem);
      deps.logger?.warn('Triggered email not created: its template could not be filled in.', {
        trigger: trigger.name,
        contact: occurrence.contactId,
        problem: error.message,
      });
      continue;
    }
    if (created) {
      summary.created++;
      if (decision.postponedBecause) {
        summary.postponed++;
        const table = ACTION_TABLES[trigger.action];
        await recordWhyNot(client, trigger, occurrence, decision.postponedBecause, when, now, undefined, {
          table,
          id: actionId(occurrence.key),
        });
      }
      const channel = trigger.action === 'email' ? 'email' : trigger.action === 'phone-call' ? 'phone' : null;
      // Later occurrences in this run count this action against the caps too.
      if (channel) impacts.push({ contactId: occurrence.contactId, channel, day: decision.day });
    } else summary.already++;
  }
  deps.logger?.info('Triggers evaluated.', { ...summary, skipped: summary.skipped, invalid: invalid.length });
  return summary;
}
