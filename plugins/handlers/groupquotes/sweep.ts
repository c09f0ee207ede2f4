/**
 * The follow-up sweep: every open quotation (not lost, not cancelled), the actions domain/quotation
 * says are due today and not yet done, each one done once.
 *
 * "Once" holds with several sweeps running at the same time (two host instances, the CLI beside the
 * host): before doing an action, a sweep claims it by creating its `idr_quotationaction` row under the
 * alternate key `idr_key` = `<opportunityid>:<action key>` with a create-only upsert (`If-None-Match: *`,
 * "Use Upsert to Create or Update a record": 412 when the key exists). The sweep that gets the 412
 * leaves the action to the one that created the row. If doing the action fails before anything was
 * created, the claim is deleted so the next run tries again.
 */
import type { DataverseClient } from '../../../dataverse/client';
import { DuplicateRecordError, NotFoundError } from '../../../dataverse/errors';
import {
  account,
  contact,
  FollowUpAction,
  type FollowUpActionValue,
  HandoffStatus,
  idr_quotationaction,
  Language as LanguageChoice,
  opportunity,
  type opportunityWrite,
  QuotationPhase,
  systemuser,
  transactioncurrency,
  type accountRecord,
  type contactRecord,
  type idr_quotationactionRecord,
  type idr_quotationactionWrite,
  type systemuserRecord,
  type transactioncurrencyRecord,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import {
  addDays,
  confirmationChaserEmail,
  dateOnlyFromDate,
  type DateOnly,
  depositReminderEmail,
  dueFollowUps,
  type EmailContent,
  type FollowUpAction as DueAction,
  type FollowUpActionType,
  formatDateOnly,
  type Instalment,
  isClosedPhase,
  confirmedQuotationEmail,
  proformaEmail,
  daysBetween,
  type DocumentKind,
  type QuotationDocument,
  isConfirmed,
  quotationDocument,
  type Language,
  nextPhase,
  type QuotationPolicy,
  type QuotationSummary,
  quotationEmail,
  revisedQuotationEmail,
  roomingListRequestEmail,
} from '../../../domain/quotation';
import { attachToEmail, quotedVersion, storeAsNote } from './documents';
import { renderDocumentPdf } from './pdf';
import { createEmail, createPhoneCall, createTask, type Party, sendEmail } from './activities';
import {
  HandoffFailedError,
  HandoffNotConfiguredError,
  MissingAgentError,
  UnsupportedFollowUpError,
} from './errors';
import { buildHandoffDocument, type FetchLike, type HandoffTransport, postHandoff } from './handoff';
import { PolicySource } from './policy';
import {
  col,
  dateValue,
  idValue,
  lookupValueName,
  opportunityId,
  phaseValue,
  QUOTATION_SELECT,
  type QuotationRow,
  readMealPlan,
  readPhase,
  readSchedule,
  toFollowUpQuotation,
  textValue,
  toPhaseFacts,
  truncate,
} from './record';
import { recordPhaseChange } from './phasehistory';
import type { SettingsSource } from './settings';
import { ownerTaskText, subjectLine } from './texts';

const acol = idr_quotationaction.columns;

const ACTION_CHOICES: Readonly<Record<FollowUpActionType, FollowUpActionValue>> = {
  quotationEmail: FollowUpAction.QuotationEmail,
  confirmationChaser: FollowUpAction.ConfirmationChaser,
  optionExpiry: FollowUpAction.OptionExpiry,
  depositReminder: FollowUpAction.DepositReminder,
  depositOverdue: FollowUpAction.DepositOverdue,
  roomingListRequest: FollowUpAction.RoomingListRequest,
  roomingListCall: FollowUpAction.RoomingListCall,
  handoff: FollowUpAction.Handoff,
  settlement: FollowUpAction.Settlement,
  depositCall: FollowUpAction.DepositCall,
  cutoffReview: FollowUpAction.CutoffReview,
};

const ACTION_LABELS: Readonly<Record<Language, Record<FollowUpActionType, string>>> = {
  en: {
    quotationEmail: 'Quotation email',
    confirmationChaser: 'Confirmation chaser',
    optionExpiry: 'Option expiry',
    depositReminder: 'Deposit reminder',
    depositOverdue: 'Deposit overdue',
    roomingListRequest: 'Rooming list request',
    roomingListCall: 'Rooming list call',
    handoff: 'Handoff to ERP/PMS',
    settlement: 'Settlement',
    depositCall: 'Deposit call',
    cutoffReview: 'Cutoff review',
  },
  es: {
    quotationEmail: 'Correo de presupuesto',
    confirmationChaser: 'Recordatorio de confirmación',
    optionExpiry: 'Vencimiento de la opción',
    depositReminder: 'Recordatorio de depósito',
    depositOverdue: 'Depósito vencido',
    roomingListRequest: 'Solicitud de rooming list',
    roomingListCall: 'Llamada por la rooming list',
    handoff: 'Traspaso al ERP/PMS',
    settlement: 'Liquidación',
    depositCall: 'Llamada por el depósito',
    cutoffReview: 'Revisión del cutoff',
  },
};

/** Length of `idr_detail` (Memo(4000)) and `idr_name` (String(200)). */
const DETAIL_MAX = 4000;
const NAME_MAX = 200;

export interface SweepProgress {
  processed: number;
  total: number;
  actionsCreated: number;
}

export interface SweepDeps {
  client: DataverseClient;
  clock: () => Date;
  logger: Logger;
  settings: SettingsSource;
  /** For the ERP/PMS handoff; without it handoffs wait (as without a URL). */
  fetch?: FetchLike;
  /** Waits between handoff attempts. */
  sleep: (ms: number) => Promise<void>;
  /** Retry shape of the handoff (attempts, delays); defaults in handoff.ts. */
  handoffRetry?: Pick<HandoffTransport, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'timeoutMs'>;
  onProgress?: (progress: SweepProgress) => void;
  /** Quotations per page read from Dataverse (default 500). */
  pageSize?: number;
}

export interface SweepResult extends SweepProgress {
  today: string;
  /** Actions another sweep had claimed first. */
  skipped: number;
  /** Actions left for a later run (a handoff without an ERP/PMS URL). */
  waiting: number;
  byAction: Partial<Record<FollowUpActionType, number>>;
  failed: { opportunityId: string; reason: string }[];
}

interface Contact {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  language: Language | null;
  doNotEmail: boolean;
}

interface People {
  agent: Contact | null;
  owner: User | null;
  agency: string | null;
  currency: Currency | null;
}

interface User {
  id: string;
  name: string | null;
  email: string | null;
}

/** The record's currency: amounts are written with its symbol and its decimals. */
interface Currency {
  code: string | null;
  precision: number | null;
}

interface Outcome {
  activityId: string | null;
  detail: string;
  /** The quoted version a quotation email carried (`idr_quotedversion`). */
  version?: string;
}

/** Revised quotations are claimed as `quotationRevision:<n>`, n = 1, 2…; the first email is n = 0. */
const REVISION_PREFIX = 'quotationRevision:';
/** The confirmed quotation's claim; its row's action is Quotation Email (it is the quotation, confirmed). */
const CONFIRMATION_KEY = 'confirmationEmail';
const PROFORMA_KEY = 'proformaEmail';
const DOCUMENT_EMAIL_DAYS = 7;

/** The quotations the sweep reads: open, not lost, not cancelled, and sent or confirmed. */
export function openQuotationsFilter(): string {
  const phase = col.idr_phase;
  return [
    `${col.statecode} ne ${opportunity.choices.statecode.Lost}`,
    `(${phase} eq null or (${phase} ne ${QuotationPhase.Lost} and ${phase} ne ${QuotationPhase.Cancelled}))`,
    `(${col.idr_quotesenton} ne null or ${col.idr_confirmedon} ne null or ` +
      `(${phase} ge ${QuotationPhase.Confirmed} and ${phase} le ${QuotationPhase.Settled}))`,
  ].join(' and ');
}

function readLanguage(record: contactRecord): Language | null {
  const value = record.idr_language;
  if (value === LanguageChoice.Spanish) return 'es';
  if (value === LanguageChoice.English) return 'en';
  return null;
}

/** Dataverse composes fullname from first and last name; a store that has not (yet) gets the same. */
function contactName(record: contactRecord): string | null {
  const parts = [textValue(record.firstname), textValue(record.lastname)].filter((p) => p !== null);
  return textValue(record.fullname) ?? (parts.length > 0 ? parts.join(' ') : null);
}

/** One run: records, policies, agents and owners are read once each. */
/** One read per id and sweep: every quotation of the same agent, owner or agency shares the first. */
function once<T>(
  cache: Map<string, Promise<T | null>>,
  id: string | null,
  read: (id: string) => Promise<T | null>,
): Promise<T | null> {
  if (!id) return Promise.resolve(null);
  let entry = cache.get(id);
  if (!entry) {
    entry = read(id);
    cache.set(id, entry);
  }
  return entry;
}

class Sweep {
  private readonly policies: PolicySource;
  private readonly contacts = new Map<string, Promise<Contact | null>>();
  private readonly users = new Map<string, Promise<User | null>>();
  private readonly agencies = new Map<string, Promise<string | null>>();
  private readonly currencies = new Map<string, Promise<Currency | null>>();
  private readonly result: SweepResult;
  private warnedNoHandoffUrl = false;

  constructor(
    private readonly deps: SweepDeps,
    private readonly today: DateOnly,
    private readonly language: Language,
    private readonly handoffUrl: string | null,
    /** On save the ERP/PMS handoff is left to the sweep (its retries wait for minutes). */
    private readonly handoffs: 'do' | 'leave' = 'do',
    /** On save, a quotation whose quoted values changed since its email gets a revised one. */
    private readonly revisions = false,
  ) {
    this.policies = new PolicySource(deps.client, deps.logger);
    this.result = {
      today: formatDateOnly(today),
      processed: 0,
      total: 0,
      actionsCreated: 0,
      skipped: 0,
      waiting: 0,
      byAction: {},
      failed: [],
    };
  }

  async run(): Promise<SweepResult> {
    const { client, logger } = this.deps;
    const quotations = (await client.retrieveMultiple(opportunity.entitySetName, {
      select: QUOTATION_SELECT,
      filter: openQuotationsFilter(),
      orderBy: [`${col.createdon} asc`],
      pageSize: this.deps.pageSize ?? 500,
    })) as QuotationRow[];
    this.result.total = quotations.length;
    this.progress();
    for (const record of quotations) {
      const id = opportunityId(record);
      if (!id) continue;
      try {
        await this.processQuotation(id, record);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        logger.error('Follow-ups of a quotation failed; the next run tries again.', {
          opportunityId: id,
          error: reason,
        });
        this.result.failed.push({ opportunityId: id, reason });
      }
      this.result.processed += 1;
      this.progress();
    }
    return this.result;
  }

  /** The follow-ups of one quotation, if it is open. Failures propagate (the caller's job fails and is retried). */
  async runOne(id: string): Promise<SweepResult> {
    const [record] = (await this.deps.client.retrieveMultiple(opportunity.entitySetName, {
      select: QUOTATION_SELECT,
      filter: `${col.opportunityid} eq ${id} and ${openQuotationsFilter()}`,
    })) as QuotationRow[];
    this.result.total = record ? 1 : 0;
    if (record) {
      await this.processQuotation(id, record);
      this.result.processed = 1;
    }
    return this.result;
  }

  private progress(): void {
    const { processed, total, actionsCreated } = this.result;
    this.deps.onProgress?.({ processed, total, actionsCreated });
  }

  private async processQuotation(id: string, record: QuotationRow): Promise<void> {
    await this.movePhase(id, record);
    const schedule = readSchedule(record);
    if (schedule.problem) {
      this.deps.logger.warn(
        'The deposit schedule of a quotation cannot be read; its deposit due date is used instead.',
        {
          opportunityId: id,
          problem: schedule.problem,
        },
      );
    }
    const quotation = toFollowUpQuotation(record, schedule.instalments);
    const policy = await this.policies.forQuotation(idValue(record._idr_policy_value));
    const due = dueFollowUps(quotation, policy, this.today);
    if (due.length > 0) await this.doDue(id, record, due, policy, schedule.instalments);
    // After the due actions, so a quotation's first email is never followed by a "revision" of itself.
    if (this.revisions && !isConfirmed(quotation) && !isClosedPhase(quotation.phase))
      await this.reviseIfChanged(id, record, policy, schedule.instalments);
    if (this.revisions && quotation.confirmedOn && !isClosedPhase(quotation.phase))
      await this.sendOnce(id, record, CONFIRMATION_KEY, quotation.confirmedOn, policy, schedule.instalments);
    const proformaIssuedOn = dateValue(record.idr_proformaissuedon);
    if (this.revisions && proformaIssuedOn && !isClosedPhase(quotation.phase))
      await this.sendOnce(id, record, PROFORMA_KEY, proformaIssuedOn, policy, schedule.instalments);
  }

  /**
   * A document email sent once, on the save that records its fact: the confirmed quotation with the
   * deposit request (Confirmed On), the proforma invoice (Proforma Issued On). Within a week of the
   * fact only: a quotation confirmed long before is not emailed again when saved.
   */
  private async sendOnce(
    id: string,
    record: QuotationRow,
    key: typeof CONFIRMATION_KEY | typeof PROFORMA_KEY,
    recordedOn: DateOnly,
    policy: QuotationPolicy,
    instalments: readonly Instalment[],
  ): Promise<void> {
    const age = daysBetween(recordedOn, this.today);
    if (age < 0 || age > DOCUMENT_EMAIL_DAYS) return;
    if (idValue(record._idr_agent_value) === null) return;
    if ((await this.doneKeys(id)).has(key)) return;
    await this.perform(
      id,
      record,
      { key, action: 'quotationEmail', dueOn: this.today, to: 'agent', kind: 'email' },
      policy,
      instalments,
    );
  }

  private async doDue(
    id: string,
    record: QuotationRow,
    dueActions: DueAction[],
    policy: QuotationPolicy,
    instalments: readonly Instalment[],
  ): Promise<void> {
    const done = await this.doneKeys(id);
    const due = dueActions.filter((action) => !done.has(action.key));
    for (const action of due) {
      if (action.kind === 'handoff' && this.handoffs === 'leave') continue;
      if (action.kind === 'handoff' && !(this.handoffUrl && this.deps.fetch)) {
        this.result.waiting += 1;
        if (!this.warnedNoHandoffUrl) {
          this.warnedNoHandoffUrl = true;
          this.deps.logger.warn(
            'Confirmed quotations with their deposit are waiting for the ERP/PMS handoff: idr_ErpHandoffUrl is not set on the host.',
          );
        }
        continue;
      }
      await this.perform(id, record, action, policy, instalments);
    }
  }

  /**
   * Once per version: when the quoted values differ from those the last quotation email showed, one
   * "revised quotation" email goes out, claimed under the next revision number so two saves at once
   * send one. Only a clean quotation is revised (no open issue: its values are the ones to quote).
   */
  private async reviseIfChanged(
    id: string,
    record: QuotationRow,
    policy: QuotationPolicy,
    instalments: readonly Instalment[],
  ): Promise<void> {
    if (textValue(record.idr_quotationissue) !== null) return;
    const rows = (await this.deps.client.retrieveMultiple(idr_quotationaction.entitySetName, {
      select: [acol.idr_key, acol.idr_quotedversion, acol.idr_doneon],
      filter: `${lookupValueName(acol.idr_opportunity)} eq ${id}`,
    })) as idr_quotationactionRecord[];
    const prefix = `${id}:`;
    let latest: { n: number; version: string | null } | null = null;
    for (const row of rows) {
      const key = textValue(row.idr_key);
      if (!key?.toLowerCase().startsWith(prefix)) continue;
      const action = key.slice(prefix.length);
      const n =
        action === 'quotationEmail'
          ? 0
          : action.startsWith(REVISION_PREFIX)
            ? Number(action.slice(REVISION_PREFIX.length))
            : NaN;
      if (!Number.isInteger(n)) continue;
      // A claim not yet done is another run sending right now: leave the quotation to it.
      if (textValue(row.idr_doneon) === null) return;
      if (!latest || n > latest.n) latest = { n, version: textValue(row.idr_quotedversion) };
    }
    // Never sent, or sent before versions were recorded: there is nothing to compare with.
    if (!latest?.version) return;
    const people = await this.people(record);
    if (quotedVersion(this.summary(record, people, policy)) === latest.version) return;
    await this.perform(
      id,
      record,
      {
        key: `${REVISION_PREFIX}${latest.n + 1}`,
        action: 'quotationEmail',
        dueOn: this.today,
        to: 'agent',
        kind: 'email',
      },
      policy,
      instalments,
    );
  }

  /** Facts that become true with time alone (a departure day reached after the payment) move the phase here. */
  private async movePhase(id: string, record: QuotationRow): Promise<void> {
    const from = readPhase(record);
    const to = nextPhase(from, toPhaseFacts(record), this.today);
    if (to === from) return;
    await this.deps.client.update(opportunity.entitySetName, id, {
      idr_phase: phaseValue(to),
    } satisfies opportunityWrite);
    await recordPhaseChange(
      this.deps.client,
      { opportunityId: id, from, to, at: this.deps.clock(), userId: null, facts: toPhaseFacts(record) },
      this.language,
    );
    record.idr_phase = phaseValue(to);
  }

  private async doneKeys(id: string): Promise<Set<string>> {
    const rows = (await this.deps.client.retrieveMultiple(idr_quotationaction.entitySetName, {
      select: [acol.idr_key],
      filter: `${lookupValueName(acol.idr_opportunity)} eq ${id}`,
    })) as idr_quotationactionRecord[];
    const prefix = `${id}:`;
    return new Set(
      rows
        .map((row) => textValue(row.idr_key))
        .filter((key): key is string => key !== null && key.toLowerCase().startsWith(prefix))
        .map((key) => key.slice(prefix.length)),
    );
  }

  /** Claims the action; false when another sweep holds it. */
  private async claim(id: string, record: QuotationRow, action: DueAction): Promise<string | null> {
    const key = `${id}:${action.key}`;
    const name = textValue(record.name) ?? id;
    const row: idr_quotationactionWrite = {
      idr_key: key,
      idr_name: truncate(subjectLine(`${ACTION_LABELS[this.language][action.action]}: ${name}`), NAME_MAX),
      idr_action: ACTION_CHOICES[action.action],
      idr_dueon: formatDateOnly(action.dueOn),
      'idr_opportunity@odata.bind': `/${opportunity.entitySetName}(${id})`,
    };
    try {
      const { id: claimId } = await this.deps.client.upsert(
        idr_quotationaction.entitySetName,
        { [acol.idr_key]: key },
        row,
        {
          createOnly: true,
        },
      );
      return claimId;
    } catch (error) {
      if (error instanceof DuplicateRecordError) return null;
      throw error;
    }
  }

  private async perform(
    id: string,
    record: QuotationRow,
    action: DueAction,
    policy: QuotationPolicy,
    instalments: readonly Instalment[],
  ): Promise<void> {
    const { client, logger, clock } = this.deps;
    const claimId = await this.claim(id, record, action);
    if (!claimId) {
      this.result.skipped += 1;
      logger.info('Follow-up already claimed by another sweep.', { opportunityId: id, action: action.key });
      return;
    }
    let outcome: Outcome;
    try {
      outcome = await this.doAction(id, record, action, policy, instalments);
    } catch (error) {
      // Nothing was created: give the action back so the next run does it.
      await client.delete(idr_quotationaction.entitySetName, claimId).catch((cleanup: unknown) => {
        logger.error(
          'A failed follow-up could not be released; delete its Quotation Action row to retry it.',
          {
            opportunityId: id,
            action: action.key,
            error: cleanup instanceof Error ? cleanup.message : String(cleanup),
          },
        );
      });
      throw error;
    }
    const done: idr_quotationactionWrite = {
      idr_activityid: outcome.activityId,
      idr_doneon: clock().toISOString(),
      idr_detail: truncate(outcome.detail, DETAIL_MAX),
    };
    if (outcome.version) done.idr_quotedversion = outcome.version;
    await client.update(idr_quotationaction.entitySetName, claimId, done);
    this.result.actionsCreated += 1;
    this.result.byAction[action.action] = (this.result.byAction[action.action] ?? 0) + 1;
    logger.info('Follow-up done.', { opportunityId: id, action: action.key, activityId: outcome.activityId });
  }

  private async doAction(
    id: string,
    record: QuotationRow,
    action: DueAction,
    policy: QuotationPolicy,
    instalments: readonly Instalment[],
  ): Promise<Outcome> {
    switch (action.kind) {
      case 'email':
        return this.email(id, record, action, policy, instalments);
      case 'phonecall':
        return this.phoneCall(id, record, action, instalments);
      case 'task':
        return this.task(id, record, action, instalments);
      case 'handoff':
        return this.handoff(id, record, instalments);
    }
  }

  // ── people ──────────────────────────────────────────────────────────────────────────────────

  private contact(id: string | null): Promise<Contact | null> {
    const c = contact.columns;
    return once(this.contacts, id, (key) =>
      this.deps.client
        .retrieve(contact.entitySetName, key, [
          c.fullname,
          c.firstname,
          c.lastname,
          c.emailaddress1,
          c.telephone1,
          c.mobilephone,
          c.idr_language,
          c.donotemail,
        ])
        .then((record) => {
          const row = record as contactRecord | null;
          return row
            ? {
                id: key,
                name: contactName(row),
                email: textValue(row.emailaddress1),
                phone: textValue(row.telephone1) ?? textValue(row.mobilephone),
                language: readLanguage(row),
                doNotEmail: row.donotemail === true,
              }
            : null;
        }),
    );
  }

  /** The owner as a user; null for a team owner (or a user that no longer exists). */
  private user(id: string | null): Promise<User | null> {
    const c = systemuser.columns;
    return once(this.users, id, (key) =>
      this.deps.client
        .retrieve(systemuser.entitySetName, key, [c.fullname, c.internalemailaddress])
        .catch((error: unknown) => {
          if (error instanceof NotFoundError) return null;
          throw error;
        })
        .then((record) => {
          const row = record as systemuserRecord | null;
          return row
            ? { id: key, name: textValue(row.fullname), email: textValue(row.internalemailaddress) }
            : null;
        }),
    );
  }

  private agencyName(id: string | null): Promise<string | null> {
    return once(this.agencies, id, (key) =>
      this.deps.client
        .retrieve(account.entitySetName, key, [account.columns.name])
        .then((row) => (row ? textValue((row as accountRecord).name) : null)),
    );
  }

  private currency(id: string | null): Promise<Currency | null> {
    const c = transactioncurrency.columns;
    return once(this.currencies, id, (key) =>
      this.deps.client
        .retrieve(transactioncurrency.entitySetName, key, [c.isocurrencycode, c.currencyprecision])
        .catch((error: unknown) => {
          if (error instanceof NotFoundError) return null;
          throw error;
        })
        .then((record) => {
          const row = record as transactioncurrencyRecord | null;
          return row
            ? { code: textValue(row.isocurrencycode), precision: row.currencyprecision ?? null }
            : null;
        }),
    );
  }

  private async people(record: QuotationRow): Promise<People> {
    const [agent, owner, agency, currency] = await Promise.all([
      this.contact(idValue(record._idr_agent_value)),
      this.user(idValue(record._ownerid_value)),
      this.agencyName(idValue(record._idr_agency_value)),
      this.currency(idValue(record._transactioncurrencyid_value)),
    ]);
    return { agent, owner, agency, currency };
  }

  // ── actions ─────────────────────────────────────────────────────────────────────────────────

  private summary(record: QuotationRow, people: People, policy: QuotationPolicy): QuotationSummary {
    const quoteSentOn = dateValue(record.idr_quotesenton);
    return {
      name: textValue(record.name) ?? '',
      agentName: people.agent?.name ?? null,
      agencyName: people.agency,
      ownerName: people.owner?.name ?? null,
      quoteSentOn,
      arrival: dateValue(record.idr_arrivaldate),
      departure: dateValue(record.idr_departuredate),
      nights: record.idr_nights ?? null,
      mealPlan: readMealPlan(record),
      adults: record.idr_adults ?? null,
      children: record.idr_children ?? null,
      rooms: record.idr_rooms ?? null,
      pricePerPersonNight: record.idr_priceperpersonnight ?? null,
      childPricePercent: record.idr_childpricepercent ?? null,
      total: record.idr_total ?? null,
      depositPercent: record.idr_depositpercent ?? null,
      deposit: record.idr_deposit ?? null,
      depositDueOn: dateValue(record.idr_depositduedate),
      optionExpiresOn:
        dateValue(record.idr_optionexpireson) ?? (quoteSentOn && addDays(quoteSentOn, policy.optionDays)),
      currencyCode: people.currency?.code ?? null,
      ...(people.currency?.precision != null ? { precision: people.currency.precision } : {}),
    };
  }

  private payment(
    record: QuotationRow,
    action: DueAction,
    instalments: readonly Instalment[],
  ): { amount: number | null; dueOn: DateOnly | null } {
    const instalment = instalments.find((i) => i.number === action.instalment);
    if (instalment) return { amount: instalment.amount, dueOn: instalment.dueOn };
    return { amount: record.idr_deposit ?? null, dueOn: dateValue(record.idr_depositduedate) };
  }

  private emailContent(
    action: DueAction,
    summary: QuotationSummary,
    language: Language,
    record: QuotationRow,
    instalments: readonly Instalment[],
  ): EmailContent {
    switch (action.action) {
      case 'quotationEmail':
        if (action.key === CONFIRMATION_KEY) return confirmedQuotationEmail(summary, language);
        if (action.key === PROFORMA_KEY) return proformaEmail(summary, language);
        return action.key.startsWith(REVISION_PREFIX)
          ? revisedQuotationEmail(summary, language)
          : quotationEmail(summary, language);
      case 'confirmationChaser':
        return confirmationChaserEmail(summary, language);
      case 'depositReminder': {
        const payment = this.payment(record, action, instalments);
        return depositReminderEmail(
          summary,
          { amount: payment.amount ?? 0, dueOn: payment.dueOn ?? action.dueOn },
          language,
        );
      }
      case 'roomingListRequest':
        return roomingListRequestEmail(summary, action.dueOn, language);
      default:
        throw new UnsupportedFollowUpError(action.action, action.kind);
    }
  }

  private async email(
    id: string,
    record: QuotationRow,
    action: DueAction,
    policy: QuotationPolicy,
    instalments: readonly Instalment[],
  ): Promise<Outcome> {
    const people = await this.people(record);
    const { agent, owner } = people;
    if (!agent) throw new MissingAgentError(id);
    const language = agent.language ?? this.language;
    const summary = this.summary(record, people, policy);
    const content = this.emailContent(action, summary, language, record, instalments);
    // Rendered before the email exists: a failure here leaves nothing behind and the claim is released.
    const kind: DocumentKind | null =
      action.key === CONFIRMATION_KEY
        ? 'confirmation'
        : action.key === PROFORMA_KEY
          ? 'proforma'
          : action.action === 'quotationEmail'
            ? 'quotation'
            : null;
    const pdf = kind
      ? await this.renderDocument(
          kind,
          summary,
          language,
          action.key.startsWith(REVISION_PREFIX),
          instalments,
        )
      : null;
    const parties: Party[] = [{ role: 'to', table: 'contact', id: agent.id }];
    if (owner) parties.unshift({ role: 'from', table: 'systemuser', id: owner.id });
    if (owner && action.cc === 'owner') parties.push({ role: 'cc', table: 'systemuser', id: owner.id });
    const emailId = await createEmail(this.deps.client, {
      opportunityId: id,
      subject: subjectLine(content.subject),
      html: content.html,
      ownerUserId: owner?.id ?? null,
      parties,
    });
    const version = action.action === 'quotationEmail' ? quotedVersion(summary) : undefined;
    if (pdf) {
      await attachToEmail(this.deps.client, emailId, pdf.document, pdf.bytes);
      await storeAsNote(this.deps.client, id, pdf.document, pdf.bytes, content.subject);
    }
    const to = `${agent.name ?? agent.id}${agent.email ? ` <${agent.email}>` : ''}`;
    const hold = !agent.email
      ? 'the agent has no email address'
      : agent.doNotEmail
        ? "the agent's contact does not allow email"
        : null;
    if (hold) {
      this.deps.logger.warn('Follow-up email left as a draft.', {
        opportunityId: id,
        action: action.key,
        reason: hold,
      });
      return {
        activityId: emailId,
        version,
        detail: `Email "${content.subject}" to ${to} left as a draft: ${hold}. Review it and send it from the quotation.`,
      };
    }
    try {
      await sendEmail(this.deps.client, emailId);
    } catch (error) {
      // The email exists: record it rather than create a second one on the next run.
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.logger.error('A follow-up email was created but could not be sent.', {
        opportunityId: id,
        emailId,
        error: reason,
      });
      return {
        activityId: emailId,
        version,
        detail: `Email "${content.subject}" to ${to} created but not sent: ${reason}. Send it from the quotation.`,
      };
    }
    const cc = parties.some((p) => p.role === 'cc') && owner ? `, cc ${owner.name ?? owner.id}` : '';
    return {
      activityId: emailId,
      version,
      detail: `Email "${content.subject}" sent to ${to}${cc} (${language === 'es' ? 'Spanish' : 'English'}).`,
    };
  }

  /** The quotation document: rendered, attached to the email before it is sent, and kept as a note. */
  private async renderDocument(
    kind: DocumentKind,
    summary: QuotationSummary,
    language: Language,
    revised: boolean,
    instalments: readonly Instalment[],
  ): Promise<{ document: QuotationDocument; bytes: Uint8Array }> {
    const document = quotationDocument(
      { kind, summary, issuedOn: this.today, revised, instalments },
      language,
    );
    return { document, bytes: await renderDocumentPdf(document, { createdAt: this.deps.clock() }) };
  }

  private async phoneCall(
    id: string,
    record: QuotationRow,
    action: DueAction,
    instalments: readonly Instalment[],
  ): Promise<Outcome> {
    if (action.action !== 'roomingListCall' && action.action !== 'depositCall') {
      throw new UnsupportedFollowUpError(action.action, action.kind);
    }
    const { agent, owner } = await this.people(record);
    const payment = action.action === 'depositCall' ? this.payment(record, action, instalments) : null;
    const text = ownerTaskText(
      action.action,
      {
        name: textValue(record.name) ?? id,
        agentName: agent?.name ?? null,
        agentPhone: agent?.phone ?? null,
        arrival: dateValue(record.idr_arrivaldate),
        departure: dateValue(record.idr_departuredate),
        dueOn: action.dueOn,
        amount: payment?.amount ?? null,
        paymentDueOn: payment?.dueOn ?? null,
      },
      this.language,
    );
    const parties: Party[] = [];
    if (owner) parties.push({ role: 'from', table: 'systemuser', id: owner.id });
    if (agent) parties.push({ role: 'to', table: 'contact', id: agent.id });
    const callId = await createPhoneCall(this.deps.client, {
      opportunityId: id,
      subject: text.subject,
      description: text.description,
      phoneNumber: agent?.phone ?? null,
      dueOn: action.dueOn,
      ownerUserId: owner?.id ?? null,
      parties,
    });
    return {
      activityId: callId,
      detail: `Phone call "${text.subject}" created for ${owner?.name ?? 'the owner'}, due ${formatDateOnly(action.dueOn)}.`,
    };
  }

  private async task(
    id: string,
    record: QuotationRow,
    action: DueAction,
    instalments: readonly Instalment[],
  ): Promise<Outcome> {
    if (
      action.action !== 'optionExpiry' &&
      action.action !== 'depositOverdue' &&
      action.action !== 'settlement' &&
      action.action !== 'cutoffReview'
    ) {
      throw new UnsupportedFollowUpError(action.action, action.kind);
    }
    const { agent, owner } = await this.people(record);
    const payment = action.action === 'depositOverdue' ? this.payment(record, action, instalments) : null;
    const text = ownerTaskText(
      action.action,
      {
        name: textValue(record.name) ?? id,
        agentName: agent?.name ?? null,
        agentPhone: agent?.phone ?? null,
        arrival: dateValue(record.idr_arrivaldate),
        departure: dateValue(record.idr_departuredate),
        dueOn: action.dueOn,
        amount: payment?.amount ?? null,
        paymentDueOn: payment?.dueOn ?? null,
      },
      this.language,
    );
    const taskId = await createTask(this.deps.client, {
      opportunityId: id,
      subject: text.subject,
      description: text.description,
      dueOn: action.dueOn,
      ownerUserId: owner?.id ?? null,
    });
    return {
      activityId: taskId,
      detail: `Task "${text.subject}" created for ${owner?.name ?? 'the owner'}, due ${formatDateOnly(action.dueOn)}.`,
    };
  }

  private async handoff(
    id: string,
    record: QuotationRow,
    instalments: readonly Instalment[],
  ): Promise<Outcome> {
    const { client, clock, logger } = this.deps;
    const url = this.handoffUrl;
    const fetch = this.deps.fetch;
    if (!url || !fetch) throw new HandoffNotConfiguredError();
    if (record.idr_handoffstatus === HandoffStatus.Sent) {
      const reference = textValue(record.idr_handoffreference);
      return {
        activityId: null,
        detail: `Already handed off to the ERP/PMS${reference ? ` (reference ${reference})` : ''}; not sent again.`,
      };
    }
    const people = await this.people(record);
    const document = buildHandoffDocument(
      {
        id,
        name: textValue(record.name) ?? '',
        phase: readPhase(record),
        quoteSentOn: dateValue(record.idr_quotesenton),
        confirmedOn: dateValue(record.idr_confirmedon),
        agency: (() => {
          const agencyId = idValue(record._idr_agency_value);
          return agencyId ? { id: agencyId, name: people.agency } : null;
        })(),
        agent: people.agent && {
          id: people.agent.id,
          name: people.agent.name,
          email: people.agent.email,
          phone: people.agent.phone,
          language: people.agent.language ?? this.language,
        },
        owner: people.owner && { id: people.owner.id, name: people.owner.name, email: people.owner.email },
        arrival: dateValue(record.idr_arrivaldate),
        departure: dateValue(record.idr_departuredate),
        nights: record.idr_nights ?? null,
        rooms: record.idr_rooms ?? null,
        adults: record.idr_adults ?? null,
        children: record.idr_children ?? null,
        persons: record.idr_persons ?? null,
        mealPlan: readMealPlan(record),
        currencyCode: null,
        pricePerPersonNight: record.idr_priceperpersonnight ?? null,
        childPricePercent: record.idr_childpricepercent ?? null,
        total: record.idr_total ?? null,
        depositPercent: record.idr_depositpercent ?? null,
        deposit: record.idr_deposit ?? null,
        depositDueOn: dateValue(record.idr_depositduedate),
        depositReceivedOn: dateValue(record.idr_depositreceivedon),
        instalments,
      },
      clock(),
    );
    await client.update(opportunity.entitySetName, id, {
      idr_handoffstatus: HandoffStatus.Pending,
    } satisfies opportunityWrite);
    try {
      const receipt = await postHandoff(document, {
        url,
        fetch,
        sleep: this.deps.sleep,
        ...this.deps.handoffRetry,
      });
      const reference = receipt.reference && receipt.reference.length <= 100 ? receipt.reference : null;
      await client.update(opportunity.entitySetName, id, {
        idr_handoffstatus: HandoffStatus.Sent,
        idr_handoffreference: reference,
      } satisfies opportunityWrite);
      const note =
        receipt.reference === null
          ? ' The ERP/PMS returned no reference.'
          : reference === null
            ? ` The reference it returned is longer than 100 characters and was not stored: ${receipt.reference}`
            : '';
      return {
        activityId: null,
        detail: `Sent to the ERP/PMS (${url}) in ${receipt.attempts} attempt(s)${reference ? `; reference ${reference}` : ''}.${note}`,
      };
    } catch (error) {
      if (!(error instanceof HandoffFailedError)) throw error;
      await client.update(opportunity.entitySetName, id, {
        idr_handoffstatus: HandoffStatus.Failed,
      } satisfies opportunityWrite);
      logger.error('The ERP/PMS handoff failed.', { opportunityId: id, error: error.message });
      return {
        activityId: null,
        detail: `${error.message}. To send it again, fix the cause and delete this Quotation Action row; the next sweep sends it.`,
      };
    }
  }
}

/** Runs one sweep. A quotation that fails is logged and listed in `failed`; the others go on. */
export async function runFollowUpSweep(deps: SweepDeps): Promise<SweepResult> {
  const settings = deps.settings();
  const today = dateOnlyFromDate(deps.clock(), { timeZone: settings.timeZone });
  const result = await new Sweep(deps, today, settings.language, settings.handoffUrl).run();
  deps.logger.info('Follow-up sweep finished.', {
    today: result.today,
    quotations: result.processed,
    actionsCreated: result.actionsCreated,
    skipped: result.skipped,
    waiting: result.waiting,
    failed: result.failed.length,
  });
  return result;
}

/**
 * The follow-ups of one quotation that are due on `today`, done at once: what the save of a quotation
 * ready to send triggers, so the agent gets the quotation email in seconds rather than at the next
 * sweep. The same claims as the sweep's make each action happen once, whoever gets there first.
 */
export async function runFollowUpsFor(
  deps: Pick<SweepDeps, 'client' | 'clock' | 'logger' | 'settings'>,
  opportunityId: string,
  today: DateOnly,
): Promise<SweepResult> {
  const settings = deps.settings();
  const sweep = new Sweep(
    { ...deps, sleep: () => Promise.resolve() },
    today,
    settings.language,
    null,
    'leave',
    true,
  );
  return sweep.runOne(opportunityId);
}
