/**
 * Bulk scoring: registers many interactions already scored, for `ideario ingest`, the demo loader and
 * anything else that brings events by the thousand. Where the live handler spends two requests per
 * event, this spends a few per batch:
 *
 * 1. reads, per batch of events (`ideario ingest --batch`, 5,000 by default), the contacts (with their parent account's primary
 *    interest), the active profiles of those contacts and of their accounts' other contacts, and (only
 *    when a once-per-contact or daily-capped rule matches) the earlier scored interactions that
 *    applied those rules, each a FetchXML request per 400 contacts;
 * 2. scores the events in memory with `domain/interest`'s `scoreBatch`, the live handler's arithmetic;
 * 3. writes each account's (or lone contact's) changes as one unit that commits whole: the interactions
 *    created already Scored with their explanation (or Ignored/Failed with the reason), the profiles
 *    (existing ones with their etag), the contacts' and the account's primary interest and the list
 *    memberships. Units are packed into atomic changesets of up to 1,000 operations. Changesets go out a few at a time ("Service protection API limits": 52 concurrent requests per
 *    user; four is polite).
 *
 * Crash safety: an interaction and the points it adds commit together or not at all, so a run killed
 * at any moment loses nothing and, run again, counts nothing twice: the interactions that exist make
 * their changeset fail on the alternate key (source + external id), those are reported as already
 * registered and the rest of that account's events are scored again from freshly read profiles. A
 * changeset refused for another reason (a campaign that does not exist…) falls back to the live
 * path: its events are created Pending, one by one, and the Create webhook scores them.
 *
 * The Create.idr_interaction webhook still fires for each interaction (a step cannot filter a Create);
 * the handler sees the processing status in the Target and returns without a request. Callers that may
 * bypass custom asynchronous logic (`bypassCustomAsync`, "Bypass custom Dataverse logic") queue no
 * system job at all.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import type { BatchOperation, DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  ConcurrencyError,
  DataverseError,
  DuplicateRecordError,
  isRetryable,
} from '../../../dataverse/errors';
import {
  account,
  campaign,
  contact,
  EventType,
  idr_accountinterest,
  idr_interaction,
  idr_interestprofile,
  listmember,
  ProcessingStatus,
  type campaignRecord,
  type contactRecord,
  type idr_accountinterestRecord,
  type idr_interactionRecord,
  type listmemberRecord,
  type accountRecord,
  type idr_interactionWrite,
  type ProcessingStatusValue,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import {
  accountPrimaryInterest,
  type AccountInterestState,
  type BatchEvent,
  DAY_MS,
  decideMembership,
  evaluateRules,
  type InteractionEvent,
  InterestError,
  recordApplications,
  type RuleLedger,
  scoreBatch,
  type SkippedRule,
  stripResult,
  utcDay,
  emptyLedger,
} from '../../../domain/interest';
import {
  ACCOUNT_INTEREST_COLUMNS,
  accountInterestWrite,
  AIC,
  applyChanges,
  profileChange,
  type StoredAccountInterest,
  toAccountInterest,
} from './accountrows';
import { catalogNames, type InterestCatalog, loadCatalog } from './catalog';
import {
  bind,
  CC,
  contactName,
  explainDeltas,
  IC,
  idValue,
  lookupValue,
  membershipOperation,
  parseAppliedDeltas,
  PC,
  PROCESSING_ERROR_MAX,
  profileWrite,
  primaryInterestUpdate,
  type StoredContact,
  type StoredProfile,
  textValue,
  timeValue,
  type ProfileRow,
  toProfile,
  truncate,
} from './records';
import { CONTACT_COLUMNS, PROFILE_COLUMNS } from './scoreread';

/** What became of one event handed to the bulk scorer. */
export type BulkOutcome =
  | { readonly kind: 'scored' | 'ignored' | 'failed'; readonly id: string; readonly reason?: string }
  /** The interaction was registered before (same source + external id): left as it is. */
  | { readonly kind: 'existing' }
  /** Created Pending for the live handler (the bulk path could not settle it). */
  | { readonly kind: 'pending'; readonly id?: string }
  /** Dataverse refused the record; `message` says why. */
  | { readonly kind: 'refused'; readonly status: number; readonly message: string };

export interface BulkScorerDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** New record ids (interactions are created with their id, so outcomes can name them). */
  readonly newId: () => string;
}

export interface BulkScorerOptions {
  /** Changesets in flight at once (default 4). */
  readonly concurrency?: number;
  /** Scoring attempts of one account's events when others write to its profiles meanwhile (default 3). */
  readonly maxAttempts?: number;
  /** The catalogue to score with; loaded once per scorer otherwise. */
  readonly catalog?: InterestCatalog;
  /** Send `MSCRM.BypassBusinessLogicExecution: CustomAsync`: no system job per interaction. */
  readonly bypassCustomAsync?: boolean;
}

/**
 * Operations per changeset: "Batch requests can contain up to 1000 individual requests" ("Execute
 * batch operations using the Web API"). Units are packed up to it, so writes cost one request per
 * ~1,000 operations (about 2 a row on the demo: the interaction, then profile and account rows).
 */
export const MAX_CHANGESET = 1000;
/**
 * Contacts named in one read (FetchXML `in`): ~60 URL-encoded characters each, so 400 of them and the
 * concepts stay well under the 64 KB a URL may have inside a `$batch` (same document), where a long
 * FetchXML GET travels. Every read is per chunk: a batch touching the demo's 355 contacts reads once.
 */
const READ_CHUNK = 400;
/** External ids named in one check for already registered events. */
const KEY_CHUNK = 100;
const ACTIVE = idr_interestprofile.choices.statecode.Active;
const KNOWN_EVENT_TYPES: ReadonlySet<number> = new Set(Object.values(EventType));
const ETAG = '@odata.etag';
const AC = account.columns;

// ── the events handed in ──────────────────────────────────────────────────────────────────────

interface NewInteraction {
  readonly index: number;
  readonly id: string;
  readonly record: EntityRecord;
  readonly source: string;
  readonly externalId: string;
  readonly contactId: string | null;
  readonly accountId: string | null;
  readonly campaignId: string | null;
  readonly concept: { readonly id: string } | { readonly code: string } | null;
  readonly eventType: number | null;
  readonly occurredOn: number | null;
}

const BIND = /^\/?([A-Za-z0-9_]+)\((.*)\)$/;

/** `/contacts(<guid>)` → the guid; `/idr_marketingconcepts(idr_code='X')` → { code: 'X' }. */
function parseBind(value: unknown): { id: string } | { code: string } | null {
  if (typeof value !== 'string') return null;
  const match = BIND.exec(value.trim());
  if (!match) return null;
  const inner = match[2] ?? '';
  const keyed = /^([a-z_]+)='((?:[^']|'')*)'$/i.exec(inner);
  if (keyed) return { code: (keyed[2] ?? '').replace(/''/g, "'") };
  // Not a GUID: kept as written, so the row finds no contact and Dataverse words the refusal.
  return { id: normalizeGuid(inner) ?? inner };
}

function boundId(record: EntityRecord, column: string): string | null {
  const parsed = parseBind(record[bind(column)]);
  return parsed && 'id' in parsed ? parsed.id : null;
}

function parseInteraction(record: EntityRecord, index: number, newId: () => string): NewInteraction {
  const occurred = textValue(record[IC.idr_occurredon]);
  const occurredOn = occurred === null ? null : Date.parse(occurred);
  const given = idValue(record[IC.idr_interactionid]);
  const eventType = record[IC.idr_eventtype];
  return {
    index,
    id: given ?? normalizeGuid(newId()) ?? newId(),
    record: given ? record : { ...record },
    source: textValue(record[IC.idr_source]) ?? '',
    externalId: textValue(record[IC.idr_externalid]) ?? '',
    contactId: boundId(record, IC.idr_contact),
    accountId: boundId(record, IC.idr_account),
    campaignId: boundId(record, IC.idr_campaign),
    concept: parseBind(record[bind(IC.idr_concept)]),
    eventType: typeof eventType === 'number' && Number.isFinite(eventType) ? eventType : null,
    occurredOn: occurredOn === null || Number.isNaN(occurredOn) ? null : occurredOn,
  };
}

function toEventOf(
  row: NewInteraction,
  conceptId: string | null,
  campaignName: string | null,
): InteractionEvent {
  return {
    eventType: row.eventType ?? Number.NaN,
    occurredOn: row.occurredOn ?? Number.NaN,
    url: textValue(row.record[IC.idr_url]),
    campaignId: row.campaignId,
    campaignName,
    product: textValue(row.record[IC.idr_product]),
    productFamily: textValue(row.record[IC.idr_productfamily]),
    caseSubject: textValue(row.record[IC.idr_casesubject]),
    conceptId,
  };
}

function eventLabel(eventType: number | null): string {
  const name = Object.entries(EventType).find(([, v]) => v === eventType)?.[0];
  return name ? name.replace(/([a-z])([A-Z])/g, '$1 $2') : `event type ${eventType ?? '(empty)'}`;
}

const SKIP_REASONS: Record<SkippedRule['reason'], string> = {
  alreadyApplied: 'already applied to this contact and counts once per contact',
  dailyCapReached: "reached its daily cap for this contact on the event's day",
  conceptInactive: 'scores a concept that is not active',
};

// ── reads ─────────────────────────────────────────────────────────────────────────────────────

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function inCondition(attribute: string, values: readonly string[]): string {
  return `<condition attribute="${attribute}" operator="in">${values.map((v) => `<value>${xml(v)}</value>`).join('')}</condition>`;
}

const attributes = (columns: readonly string[]) => columns.map((c) => `<attribute name="${c}"/>`).join('');

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Linked columns come back as `alias.column`; lookups among them are renamed `_column_value`. */
function linked<R extends EntityRecord>(row: EntityRecord, alias: string, lookups: readonly string[]): R {
  const out: EntityRecord = {};
  const prefix = `${alias}.`;
  for (const [key, value] of Object.entries(row)) {
    if (!key.startsWith(prefix)) continue;
    const column = key.slice(prefix.length);
    out[lookups.includes(column) ? lookupValue(column) : column] = value;
  }
  return out as R;
}

/** FetchXML rows carry `versionnumber`; Dataverse's etag is `W/"<versionnumber>"`. */
function withEtag<R extends EntityRecord>(record: R): R {
  // FetchXML may carry the version as a number or as its text.
  const value = record[PC.versionnumber];
  const version = typeof value === 'number' && Number.isFinite(value) ? value : textValue(value);
  return version === null || record[ETAG] !== undefined ? record : { ...record, [ETAG]: `W/"${version}"` };
}

interface ContactState {
  readonly contact: StoredContact;
  readonly accountPrimaryId: string | null;
  readonly accountName: string | null;
}

async function readContacts(
  client: DataverseClient,
  ids: readonly string[],
): Promise<Map<string, ContactState>> {
  const out = new Map<string, ContactState>();
  for (const chunk of chunks(ids, READ_CHUNK)) {
    const fetch =
      `<fetch><entity name="${contact.logicalName}">` +
      attributes(CONTACT_COLUMNS) +
      `<filter>${inCondition(CC.contactid, chunk)}</filter>` +
      `<link-entity name="${account.logicalName}" from="${AC.accountid}" to="${CC.parentcustomerid}" link-type="outer" alias="a">` +
      attributes([AC.accountid, AC.name, AC.idr_primaryinterest]) +
      '</link-entity></entity></fetch>';
    for (const row of await client.fetchXml(contact.entitySetName, fetch)) {
      const person = row as contactRecord;
      const id = idValue(person.contactid);
      if (!id) continue;
      const parent = linked<accountRecord>(row, 'a', [AC.idr_primaryinterest]);
      const accountId = idValue(parent.accountid);
      out.set(id, {
        contact: {
          id,
          name: contactName(person) ?? id,
          doNotBulkEmail: person.donotbulkemail === true,
          // Only an account parent takes part in the roll-up (a contact's parent may be a contact).
          parentId: accountId,
          primaryInterestId: idValue(person._idr_primaryinterest_value),
        },
        accountPrimaryId: accountId ? idValue(parent._idr_primaryinterest_value) : null,
        accountName: accountId ? textValue(parent.name) : null,
      });
    }
  }
  return out;
}

/** Active profiles of the contacts (the accounts' sums are their own rows: readAccountRows). */
async function readProfiles(
  client: DataverseClient,
  contactIds: readonly string[],
  catalog: InterestCatalog,
  now: number,
): Promise<StoredProfile[]> {
  const conceptIds = catalog.concepts.map((c) => c.id);
  if (conceptIds.length === 0) return [];
  const out = new Map<string, StoredProfile>();
  for (const chunk of chunks(contactIds, READ_CHUNK)) {
    const fetch =
      `<fetch><entity name="${idr_interestprofile.logicalName}">` +
      attributes(PROFILE_COLUMNS) +
      `<filter><condition attribute="${PC.statecode}" operator="eq" value="${ACTIVE}"/>` +
      inCondition(PC.idr_concept, conceptIds) +
      inCondition(PC.idr_contact, chunk) +
      '</filter></entity></fetch>';
    for (const row of await client.fetchXml(idr_interestprofile.entitySetName, fetch)) {
      const profile = toProfile(withEtag(row as ProfileRow), now);
      if (profile.id) out.set(profile.id, profile);
    }
  }
  return [...out.values()];
}

/** The accounts' `idr_accountinterest` rows of active concepts, by account. */
async function readAccountRows(
  client: DataverseClient,
  accountIds: readonly string[],
  catalog: InterestCatalog,
  now: number,
): Promise<Map<string, StoredAccountInterest[]>> {
  const byAccount = new Map<string, StoredAccountInterest[]>();
  const conceptIds = catalog.concepts.map((c) => c.id);
  if (conceptIds.length === 0) return byAccount;
  for (const chunk of chunks(accountIds, READ_CHUNK)) {
    const fetch =
      `<fetch><entity name="${idr_accountinterest.logicalName}">` +
      attributes(ACCOUNT_INTEREST_COLUMNS) +
      `<filter><condition attribute="${AIC.statecode}" operator="eq" value="${idr_accountinterest.choices.statecode.Active}"/>` +
      inCondition(AIC.idr_concept, conceptIds) +
      inCondition(AIC.idr_account, chunk) +
      '</filter></entity></fetch>';
    for (const record of await client.fetchXml(idr_accountinterest.entitySetName, fetch)) {
      const row = toAccountInterest(withEtag(record as idr_accountinterestRecord), now);
      if (!row.id) continue;
      byAccount.set(row.accountId, [...(byAccount.get(row.accountId) ?? []), row]);
    }
  }
  return byAccount;
}

/** Earlier scored interactions of the contacts that applied one of the limited rules. */
/** Rules applied once per contact need every earlier application; daily-capped ones only the batch's days. */
interface LedgerNeeds {
  readonly onceRuleIds: readonly string[];
  readonly dailyRuleIds: readonly string[];
  /** UTC midnight of the batch's first event day, and of the day after its last. */
  readonly days: { readonly from: number; readonly to: number };
}

async function readLedgers(
  client: DataverseClient,
  contactIds: readonly string[],
  needs: LedgerNeeds,
): Promise<Map<string, RuleLedger>> {
  const ledgers = new Map<string, RuleLedger>();
  const applied = (ruleIds: readonly string[]) =>
    `<filter type="or">${ruleIds.map((r) => `<condition attribute="${IC.idr_applieddeltas}" operator="like" value="%${xml(r)}%"/>`).join('')}</filter>`;
  // Without the day window the read grows with each contact's whole history.
  const daily =
    needs.dailyRuleIds.length === 0
      ? ''
      : `<filter type="and">` +
        `<condition attribute="${IC.idr_occurredon}" operator="ge" value="${new Date(needs.days.from).toISOString()}"/>` +
        `<condition attribute="${IC.idr_occurredon}" operator="lt" value="${new Date(needs.days.to).toISOString()}"/>` +
        applied(needs.dailyRuleIds) +
        '</filter>';
  const once = needs.onceRuleIds.length === 0 ? '' : applied(needs.onceRuleIds);
  for (const chunk of chunks(contactIds, READ_CHUNK)) {
    const fetch =
      `<fetch><entity name="${idr_interaction.logicalName}">` +
      attributes([IC.idr_interactionid, IC.idr_contact, IC.idr_occurredon, IC.idr_applieddeltas]) +
      `<filter><condition attribute="${IC.idr_processingstatus}" operator="eq" value="${ProcessingStatus.Scored}"/>` +
      inCondition(IC.idr_contact, chunk) +
      `<filter type="or">${once}${daily}</filter>` +
      '</filter></entity></fetch>';
    for (const row of (await client.fetchXml(
      idr_interaction.entitySetName,
      fetch,
    )) as idr_interactionRecord[]) {
      const contactId = idValue(row._idr_contact_value);
      const occurredOn = timeValue(row.idr_occurredon);
      if (!contactId || occurredOn === null) continue;
      const ledger = ledgers.get(contactId) ?? emptyLedger();
      recordApplications(ledger, occurredOn, parseAppliedDeltas(row.idr_applieddeltas));
      ledgers.set(contactId, ledger);
    }
  }
  return ledgers;
}

async function readCampaignNames(
  client: DataverseClient,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const chunk of chunks(ids, READ_CHUNK)) {
    const fetch =
      `<fetch><entity name="${campaign.logicalName}">` +
      attributes([campaign.columns.campaignid, campaign.columns.name]) +
      `<filter>${inCondition(campaign.columns.campaignid, chunk)}</filter></entity></fetch>`;
    for (const row of (await client.fetchXml(campaign.entitySetName, fetch)) as campaignRecord[]) {
      const id = idValue(row.campaignid);
      const name = textValue(row.name);
      if (id && name) names.set(id, name);
    }
  }
  return names;
}

async function readMemberships(
  client: DataverseClient,
  contactIds: readonly string[],
  listIds: readonly string[],
): Promise<Set<string>> {
  const members = new Set<string>();
  for (const chunk of chunks(contactIds, READ_CHUNK)) {
    const fetch =
      `<fetch><entity name="${listmember.logicalName}">` +
      attributes([listmember.columns.listid, listmember.columns.entityid]) +
      `<filter>${inCondition(listmember.columns.entityid, chunk)}${inCondition(listmember.columns.listid, listIds)}</filter>` +
      '</entity></fetch>';
    for (const row of (await client.fetchXml(listmember.entitySetName, fetch)) as listmemberRecord[]) {
      const listId = idValue(row._listid_value);
      const entityId = idValue(row._entityid_value);
      if (listId && entityId) members.add(`${listId}|${entityId}`);
    }
  }
  return members;
}

/** The events among `rows` registered before (same source + external id). */
async function readExisting(client: DataverseClient, rows: readonly NewInteraction[]): Promise<Set<number>> {
  const bySource = new Map<string, NewInteraction[]>();
  for (const row of rows) bySource.set(row.source, [...(bySource.get(row.source) ?? []), row]);
  const found = new Set<string>();
  for (const [source, group] of bySource) {
    for (const chunk of chunks(group, KEY_CHUNK)) {
      const fetch =
        `<fetch><entity name="${idr_interaction.logicalName}">` +
        attributes([IC.idr_source, IC.idr_externalid]) +
        `<filter><condition attribute="${IC.idr_source}" operator="eq" value="${xml(source)}"/>` +
        inCondition(
          IC.idr_externalid,
          chunk.map((r) => r.externalId),
        ) +
        '</filter></entity></fetch>';
      for (const row of (await client.fetchXml(
        idr_interaction.entitySetName,
        fetch,
      )) as idr_interactionRecord[]) {
        found.add(
          `${(textValue(row.idr_source) ?? '').toLowerCase()}|${(textValue(row.idr_externalid) ?? '').toLowerCase()}`,
        );
      }
    }
  }
  return new Set(
    rows
      .filter((r) => found.has(`${r.source.toLowerCase()}|${r.externalId.toLowerCase()}`))
      .map((r) => r.index),
  );
}

// ── the scorer ────────────────────────────────────────────────────────────────────────────────

interface Unit {
  readonly rows: NewInteraction[];
  readonly operations: BatchOperation[];
  /** What each row becomes when the changeset commits. */
  readonly outcomes: Map<number, BulkOutcome>;
}

export class BulkScorer {
  private catalogLoad: Promise<InterestCatalog> | undefined;
  private readonly concurrency: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly deps: BulkScorerDeps,
    private readonly options: BulkScorerOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    if (options.catalog) this.catalogLoad = Promise.resolve(options.catalog);
  }

  private catalog(): Promise<InterestCatalog> {
    this.catalogLoad ??= loadCatalog(this.deps.client, this.deps.logger);
    return this.catalogLoad;
  }

  /**
   * Registers the interactions (Web API create records, lookups bound with `@odata.bind`, with
   * `idr_source` and `idr_externalid`), scored, and says what became of each, in order. Events of
   * one contact are applied in the order given: pass them oldest first, as live scoring would see them.
   */
  async register(records: readonly EntityRecord[]): Promise<BulkOutcome[]> {
    const rows = records.map((r, i) => parseInteraction(r, i, this.deps.newId));
    const outcomes = new Map<number, BulkOutcome>();
    await this.registerRows(rows, outcomes, 1);
    return rows.map(
      (r) => outcomes.get(r.index) ?? { kind: 'refused', status: 500, message: 'Not processed.' },
    );
  }

  private async registerRows(
    rows: readonly NewInteraction[],
    outcomes: Map<number, BulkOutcome>,
    attempt: number,
  ): Promise<void> {
    if (rows.length === 0) return;
    // One contact's events must fit one changeset with its profiles: a longer run goes in halves.
    const perContact = new Map<string, number>();
    for (const row of rows)
      if (row.contactId) perContact.set(row.contactId, (perContact.get(row.contactId) ?? 0) + 1);
    if ([...perContact.values()].some((n) => n > MAX_CHANGESET / 2) && rows.length > 1) {
      const half = Math.ceil(rows.length / 2);
      await this.registerRows(rows.slice(0, half), outcomes, attempt);
      await this.registerRows(rows.slice(half), outcomes, attempt);
      return;
    }
    const { units, live, deferred } = await this.plan(rows);
    const failed: Unit[] = [];
    let next = 0;
    let stopped = false;
    const worker = async () => {
      while (next < units.length && !stopped) {
        const unit = units[next++];
        if (!unit) break;
        try {
          await this.deps.client.executeBatch(unit.operations, {
            atomic: true,
            ...(this.options.bypassCustomAsync ? { bypassCustomAsync: true } : {}),
          });
          for (const [index, outcome] of unit.outcomes) outcomes.set(index, outcome);
        } catch (error) {
          // Unreachable or throttled past the client's patience: the caller pauses and sends the batch again.
          if (!(error instanceof DataverseError) || isRetryable(error)) {
            stopped = true;
            throw error;
          }
          failed.push(unit);
          this.deps.logger.info('A bulk changeset was refused; its events are checked and sent again.', {
            events: unit.rows.length,
            error: error.message,
            conflict: error instanceof DuplicateRecordError || error instanceof ConcurrencyError,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, units.length) }, worker));
    await this.sendPending(live, outcomes);
    if (failed.length > 0) {
      const again = failed.flatMap((u) => u.rows);
      const existing = await readExisting(this.deps.client, again);
      for (const index of existing) outcomes.set(index, { kind: 'existing' });
      const rest = again.filter((r) => !existing.has(r.index)).sort((a, b) => a.index - b.index);
      if (attempt < this.maxAttempts) await this.registerRows(rest, outcomes, attempt + 1);
      else await this.sendPending(rest, outcomes);
    }
    // Contacts of a large account that did not fit its changeset: scored from the rows just written.
    await this.registerRows(deferred, outcomes, attempt);
  }

  /** The live path: each event created Pending on its own, for the Create webhook to score. */
  private async sendPending(
    rows: readonly NewInteraction[],
    outcomes: Map<number, BulkOutcome>,
  ): Promise<void> {
    if (rows.length === 0) return;
    const results = await this.deps.client.executeBatch(
      rows.map((row) => ({
        kind: 'create' as const,
        entitySet: idr_interaction.entitySetName,
        record: { ...row.record, ...({ idr_interactionid: row.id } satisfies idr_interactionWrite) },
      })),
      { continueOnError: true },
    );
    results.forEach((result, i) => {
      const row = rows[i];
      if (!row) return;
      const body = result.body as { error?: { message?: unknown } } | undefined;
      const message = typeof body?.error?.message === 'string' ? body.error.message : `HTTP ${result.status}`;
      outcomes.set(
        row.index,
        result.status < 400
          ? { kind: 'pending', id: row.id }
          : result.status === 412
            ? { kind: 'existing' }
            : { kind: 'refused', status: result.status, message },
      );
    });
  }

  /** Reads, scores and lays out the changesets of a batch. */
  private async plan(
    rows: readonly NewInteraction[],
  ): Promise<{ units: Unit[]; live: NewInteraction[]; deferred: NewInteraction[] }> {
    const { client } = this.deps;
    const now = this.deps.clock().getTime();
    const catalog = await this.catalog();
    const codes = new Map(catalog.concepts.map((c) => [c.code.toLowerCase(), c.id]));
    const names = catalogNames(catalog);

    // Events no rule can score are written with their reason, as the live handler would.
    const settled = new Map<number, { status: ProcessingStatusValue; reason: string }>();
    const live: NewInteraction[] = [];
    const candidates: NewInteraction[] = [];
    for (const row of rows) {
      const conceptId = row.concept
        ? 'id' in row.concept
          ? row.concept.id
          : (codes.get(row.concept.code.toLowerCase()) ?? null)
        : null;
      if (row.eventType === null || !KNOWN_EVENT_TYPES.has(row.eventType)) {
        settled.set(row.index, {
          status: ProcessingStatus.Failed,
          reason: `Event type ${row.eventType ?? '(empty)'} is not one Ideario scores; use one of the Event Type choices (${Object.keys(EventType).join(', ')}).`,
        });
      } else if (row.occurredOn === null) {
        settled.set(row.index, {
          status: ProcessingStatus.Failed,
          reason: 'The interaction has no "Occurred on" date, so its points cannot be placed in time.',
        });
      } else if (row.contactId === null) {
        settled.set(
          row.index,
          row.accountId !== null
            ? {
                status: ProcessingStatus.Ignored,
                reason: `The interaction names account ${row.accountId} but no contact; interest is scored per contact, so set the contact to score it.`,
              }
            : {
                status: ProcessingStatus.Failed,
                reason:
                  'The interaction names no contact; interest is scored per contact, so set the contact and register it again.',
              },
        );
      } else if (row.concept && (conceptId === null || !catalog.conceptById.has(conceptId))) {
        // A concept that is not active (or does not exist): the live handler words it from the record.
        live.push(row);
      } else candidates.push(row);
    }

    const contactIds = [...new Set(candidates.map((r) => r.contactId ?? ''))];
    const contacts = await readContacts(client, contactIds);
    const scorable = candidates.filter((r) => contacts.has(r.contactId ?? ''));
    for (const row of candidates) {
      if (!contacts.has(row.contactId ?? '')) live.push(row);
    }
    const usesCampaigns = catalog.rules.rules.some(({ match }) => match.some((c) => c.key === 'campaign'));
    const campaignIds = usesCampaigns ? [...new Set(scorable.flatMap((r) => r.campaignId ?? []))] : [];
    const campaignNames =
      campaignIds.length > 0 ? await readCampaignNames(client, campaignIds) : new Map<string, string>();
    const events = new Map<number, InteractionEvent>();
    for (const row of scorable) {
      const conceptId = row.concept
        ? 'id' in row.concept
          ? row.concept.id
          : (codes.get(row.concept.code.toLowerCase()) ?? null)
        : null;
      events.set(
        row.index,
        toEventOf(row, conceptId, row.campaignId ? (campaignNames.get(row.campaignId) ?? null) : null),
      );
    }

    const scoredContacts = [...new Set(scorable.map((r) => r.contactId ?? ''))];
    const accountIds = [...new Set(scoredContacts.flatMap((id) => contacts.get(id)?.contact.parentId ?? []))];
    const [stored, accountRows] = await Promise.all([
      readProfiles(client, scoredContacts, catalog, now),
      accountIds.length > 0
        ? readAccountRows(client, accountIds, catalog, now)
        : new Map<string, StoredAccountInterest[]>(),
    ]);
    const ownProfiles = new Map<string, Map<string, StoredProfile>>();
    for (const profile of stored) {
      const mine = ownProfiles.get(profile.contactId) ?? new Map<string, StoredProfile>();
      mine.set(profile.profile.conceptId, profile);
      ownProfiles.set(profile.contactId, mine);
    }

    // Once-per-contact and daily-capped rules need the contacts' earlier applications of them.
    const once = new Set(
      catalog.rules.rules.filter(({ rule }) => !rule.repeatable).map(({ rule }) => rule.id),
    );
    const capped = new Set(
      catalog.rules.rules
        .filter(({ rule }) => rule.repeatable && rule.dailyCap !== null && rule.dailyCap !== undefined)
        .map(({ rule }) => rule.id),
    );
    const onceNeeded = new Set<string>();
    const dailyNeeded = new Set<string>();
    const needy = new Set<string>();
    let first = Infinity;
    let last = -Infinity;
    for (const row of scorable) {
      const event = events.get(row.index);
      if (!event) continue;
      for (const delta of evaluateRules(event, catalog.rules).deltas) {
        const needs = once.has(delta.ruleId)
          ? onceNeeded
          : capped.has(delta.ruleId)
            ? dailyNeeded
            : undefined;
        if (!needs) continue;
        needs.add(delta.ruleId);
        needy.add(row.contactId ?? '');
        first = Math.min(first, event.occurredOn);
        last = Math.max(last, event.occurredOn);
      }
    }
    const ledgers =
      needy.size > 0
        ? await readLedgers(client, [...needy], {
            onceRuleIds: [...onceNeeded],
            dailyRuleIds: [...dailyNeeded],
            days: { from: utcDay(first) * DAY_MS, to: (utcDay(last) + 1) * DAY_MS },
          })
        : new Map<string, RuleLedger>();

    const batchEvents: BatchEvent[] = scorable.flatMap((row) => {
      const event = events.get(row.index);
      return event ? [{ key: String(row.index), contactId: row.contactId ?? '', event }] : [];
    });
    let scored;
    try {
      scored = scoreBatch({
        events: batchEvents,
        rules: catalog.rules,
        concepts: catalog.concepts,
        profiles: new Map([...ownProfiles].map(([id, m]) => [id, [...m.values()].map((p) => p.profile)])),
        ledgers,
        now,
      });
    } catch (error) {
      // Bad scoring input (a value the engine refuses): the live handler records it per event.
      if (!(error instanceof InterestError)) throw error;
      this.deps.logger.warn('The bulk scorer could not score a batch; its events go to the live handler.', {
        error: error.message,
      });
      return { units: [], live: [...scorable, ...live], deferred: [] };
    }

    const listIds = new Set<string>();
    const transitioned: string[] = [];
    for (const result of scored.contacts.values()) {
      const lists = result.transitions.flatMap((t) => catalog.conceptById.get(t.conceptId)?.listId ?? []);
      if (lists.length === 0) continue;
      lists.forEach((l) => listIds.add(l));
      transitioned.push(result.contactId);
    }
    const members =
      transitioned.length > 0 ? await readMemberships(client, transitioned, [...listIds]) : new Set<string>();

    // ── layout: one unit per account (or lone contact) ──
    const resultByIndex = new Map(scored.events.map((e) => [Number(e.key), e]));
    const groups = new Map<string, NewInteraction[]>();
    for (const row of scorable) {
      const info = contacts.get(row.contactId ?? '');
      const key = info?.contact.parentId ? `a:${info.contact.parentId}` : `c:${row.contactId ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const units: Unit[] = [];
    const deferred: NewInteraction[] = [];
    for (const [key, groupRows] of groups) {
      // One unit per contact: its events, profiles, primary interest and memberships commit together.
      const perContact = new Map<string, Unit>();
      for (const row of groupRows) {
        const contactId = row.contactId ?? '';
        const unit: Unit = perContact.get(contactId) ?? { rows: [], operations: [], outcomes: new Map() };
        perContact.set(contactId, unit);
        const result = resultByIndex.get(row.index);
        const applied = result?.appliedDeltas ?? [];
        const status = applied.length > 0 ? ProcessingStatus.Scored : ProcessingStatus.Ignored;
        const reason =
          applied.length > 0
            ? null
            : this.ignoredReason(row, events.get(row.index), result?.skipped ?? [], catalog);
        unit.rows.push(row);
        unit.operations.push(this.createOperation(row, status, reason, explainDeltas(applied, names)));
        unit.outcomes.set(row.index, {
          kind: applied.length > 0 ? 'scored' : 'ignored',
          id: row.id,
          ...(reason ? { reason } : {}),
        });
      }
      const changes = new Map<string, ReturnType<typeof profileChange>[]>();
      for (const [contactId, unit] of perContact) {
        const info = contacts.get(contactId);
        const result = scored.contacts.get(contactId);
        if (!info || !result) continue;
        const mine = ownProfiles.get(contactId);
        const mineChanges: ReturnType<typeof profileChange>[] = [];
        for (const profile of result.profiles) {
          if (!result.changed.has(profile.conceptId)) continue;
          const before = mine?.get(profile.conceptId)?.profile;
          if (!before || before.accumulator !== profile.accumulator || before.landmark !== profile.landmark)
            mineChanges.push(profileChange(profile.conceptId, before, stripResult(profile)));
          unit.operations.push(
            profileWrite(profile, mine?.get(profile.conceptId), {
              contactId,
              contactName: info.contact.name,
              conceptName: catalog.conceptById.get(profile.conceptId)?.name,
            }),
          );
        }
        changes.set(contactId, mineChanges);
        const primary = result.primaryInterest?.conceptId ?? null;
        if (primary !== info.contact.primaryInterestId) {
          unit.operations.push(primaryInterestUpdate(contact, contactId, primary));
        }
        for (const change of result.transitions) {
          const listId = catalog.conceptById.get(change.conceptId)?.listId;
          if (!listId) continue;
          const action = decideMembership({
            inSegment: change.transition === 'enter',
            inList: members.has(`${listId}|${contactId}`),
            consent: { doNotBulkEmail: info.contact.doNotBulkEmail },
          });
          if (action !== 'none') unit.operations.push(membershipOperation(action, listId, contactId));
        }
      }
      if (!key.startsWith('a:')) {
        units.push(...perContact.values());
        continue;
      }
      // An account's contacts commit in ONE unit with the account's rows, which add up their changes:
      // two changesets writing one row would race. Contacts that do not fit wait for the next round.
      const accountId = key.slice(2);
      const stored = accountRows.get(accountId) ?? [];
      const rows = new Map<string, AccountInterestState>(stored.map((r) => [r.row.conceptId, r.row]));
      const byConcept = new Map(stored.map((r) => [r.row.conceptId, r]));
      const room = MAX_CHANGESET - catalog.concepts.length - 1;
      const unit: Unit = { rows: [], operations: [], outcomes: new Map() };
      const changedConcepts = new Set<string>();
      for (const [contactId, part] of perContact) {
        if (unit.rows.length > 0 && unit.operations.length + part.operations.length > room) {
          deferred.push(...part.rows);
          continue;
        }
        unit.rows.push(...part.rows);
        unit.operations.push(...part.operations);
        for (const [i, o] of part.outcomes) unit.outcomes.set(i, o);
        for (const id of applyChanges(rows, changes.get(contactId) ?? [], catalog.conceptById))
          changedConcepts.add(id);
      }
      const info = contacts.get(unit.rows[0]?.contactId ?? '');
      for (const conceptId of changedConcepts) {
        const row = rows.get(conceptId);
        const concept = catalog.conceptById.get(conceptId);
        if (!row || !concept) continue;
        unit.operations.push(
          accountInterestWrite(
            row,
            byConcept.get(conceptId),
            { accountId, accountName: info?.accountName ?? null, concept },
            now,
          ),
        );
      }
      const rolled = accountPrimaryInterest([...rows.values()], catalog.concepts, now)?.conceptId ?? null;
      if (rolled !== (info?.accountPrimaryId ?? null)) {
        unit.operations.push(primaryInterestUpdate(account, accountId, rolled));
      }
      units.push(unit);
    }
    for (const row of rows) {
      const done = settled.get(row.index);
      if (!done) continue;
      units.push({
        rows: [row],
        operations: [this.createOperation(row, done.status, done.reason, '[]')],
        outcomes: new Map([
          [
            row.index,
            {
              kind: done.status === ProcessingStatus.Ignored ? 'ignored' : 'failed',
              id: row.id,
              reason: done.reason,
            },
          ],
        ]),
      });
    }
    return { units: packUnits(units), live, deferred };
  }

  private createOperation(
    row: NewInteraction,
    status: ProcessingStatusValue,
    reason: string | null,
    deltas: string,
  ): BatchOperation {
    const scored: idr_interactionWrite = {
      idr_interactionid: row.id,
      idr_processingstatus: status,
      idr_processingerror: reason === null ? null : truncate(reason, PROCESSING_ERROR_MAX),
      idr_applieddeltas: deltas,
    };
    return { kind: 'create', entitySet: idr_interaction.entitySetName, record: { ...row.record, ...scored } };
  }

  private ignoredReason(
    row: NewInteraction,
    event: InteractionEvent | undefined,
    skipped: readonly SkippedRule[],
    catalog: InterestCatalog,
  ): string {
    const facts = [
      event?.url && `url ${event.url}`,
      (event?.campaignName ?? row.campaignId) && `campaign ${event?.campaignName ?? row.campaignId}`,
      event?.product && `product ${event.product}`,
      event?.productFamily && `product family ${event.productFamily}`,
      event?.caseSubject && `case subject ${event.caseSubject}`,
    ].filter(Boolean);
    const described = `${eventLabel(row.eventType)}${facts.length ? ` (${facts.join(', ')})` : ''}`;
    if (skipped.length === 0) return `No active interaction rule matches ${described}.`;
    const names = new Map(catalog.rules.rules.map(({ rule }) => [rule.id, rule.name ?? rule.id]));
    const parts = skipped.map((s) => `rule '${names.get(s.ruleId) ?? s.ruleId}' ${SKIP_REASONS[s.reason]}`);
    return `No points applied to ${described}: ${parts.join('; ')}.`;
  }
}

/** Small units share a changeset (fewer requests); a changeset never splits a unit. */
function packUnits(units: readonly Unit[]): Unit[] {
  const packed: Unit[] = [];
  let current: Unit | undefined;
  for (const unit of units) {
    if (current && current.operations.length + unit.operations.length <= MAX_CHANGESET) {
      current.rows.push(...unit.rows);
      current.operations.push(...unit.operations);
      for (const [i, o] of unit.outcomes) current.outcomes.set(i, o);
      continue;
    }
    current = { rows: [...unit.rows], operations: [...unit.operations], outcomes: new Map(unit.outcomes) };
    packed.push(current);
  }
  return packed;
}
