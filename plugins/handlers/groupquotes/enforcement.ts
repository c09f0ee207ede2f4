/**
 * Create.opportunity and Update.opportunity (post-operation, asynchronous): the server's fix-up of a
 * group quotation saved by an API or import caller. It re-reads the record (an asynchronous job may
 * run after later saves: the current row is what needs fixing), runs domain/quotation
 * `enforceQuotation`, keeps the deposit schedule, and writes only what differs. The Update step's
 * pre-image gives only the arrival and quote sent date before the save, so the policy's dates move
 * with them while dates a salesperson typed stay (see enforce.ts).
 *
 * No loop: the update written here fires the Update step again, and that run finds nothing left to
 * change (enforce is idempotent), so it writes nothing. As a second guard, nothing is written past
 * `maxDepth`: a deeper chain means another component keeps rewriting the record, and fighting it
 * would only burn the org's API limits ("Plug-in and workflow depth", IExecutionContext.Depth).
 */
import type { DataverseClient } from '../../../dataverse/client';
import { ConcurrencyError } from '../../../dataverse/errors';
import { opportunity, type opportunityWrite } from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import {
  applyCorrections,
  type BaseDatesBefore,
  type DateOnly,
  dateOnlyFromDate,
  enforceQuotation,
  formatDateOnly,
  nextPhase,
  isSameDate,
  type Language,
  type QuotationPolicy,
  type StayField,
} from '../../../domain/quotation';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import { type EntityImage, getDate, targetEntity } from '../../host/parse';
import { EnforcementConflictError } from './errors';
import { recordPhaseChange } from './phasehistory';
import { readRoomBlocksTotal } from './roomblocktotal';
import { PolicySource } from './policy';
import {
  col,
  correctionsToRecord,
  dateValue,
  idValue,
  phaseValue,
  QUOTATION_SELECT,
  type QuotationRow,
  readPhase,
  readSchedule,
  STAY_COLUMNS,
  textValue,
  toPhaseFacts,
  toStoredQuotation,
  writeDate,
} from './record';
import { scheduleCorrections } from './schedule';
import { runFollowUpsFor } from './sweep';
import { DEFAULT_SETTINGS, type SettingsSource } from './settings';

export const SOLUTION = 'IdearioGroupQuotes' as const;

/** The Update step's filtering attributes, as in solution/IdearioGroupQuotes (docs/data-model.md). */
export const ENFORCEMENT_FILTERING_ATTRIBUTES: readonly string[] = [
  col.idr_arrivaldate,
  col.idr_nights,
  col.idr_departuredate,
  col.idr_adults,
  col.idr_children,
  col.idr_priceperpersonnight,
  col.idr_childpricepercent,
  col.idr_depositpercent,
  col.idr_total,
  col.idr_deposit,
  col.idr_persons,
  // Confirming or paying changes the deposit schedule.
  col.idr_confirmedon,
  col.idr_depositreceivedon,
  // Sending the quotation starts the option.
  col.idr_quotesenton,
  // The facts the phase follows (domain/quotation phase.ts).
  col.idr_roominglistreceivedon,
  col.idr_proformaissuedon,
  col.idr_handoffstatus,
  col.idr_paymentreceivedon,
  col.idr_lostreason,
];

/** Alias of the Update step's pre-image (idr_arrivaldate, idr_quotesenton) in solution/IdearioGroupQuotes. */
export const ENFORCEMENT_PRE_IMAGE = 'PreImage';

/** Depth 1 is a caller's save, 2 the re-trigger by our own update; 3 leaves room for one more plug-in. */
export const DEFAULT_MAX_DEPTH = 3;
/** Re-reads after a concurrent save (412 on If-Match) before giving up. */
const MAX_ATTEMPTS = 3;

export interface EnforcementOptions {
  settings?: SettingsSource;
  maxDepth?: number;
  /**
   * Do the quotation's due follow-ups right after the check (the quotation email on the save that
   * records it as sent). On in the host's wiring; off by default so tests of the sweep drive them.
   */
  followUpsOnSave?: boolean;
}

export interface EnforcementOutcome {
  /** The columns written; empty when the record was already right. */
  written: string[];
  /** The issue text now on the record (null when there is none). */
  issue: string | null;
}

export interface EnforceRequest {
  opportunityId: string;
  /** The stay fields the triggering write set (decides which of them is derived). */
  changed: readonly StayField[];
  isCreate: boolean;
  /** The day of the save, in the organisation's calendar. */
  today: DateOnly;
  /** Arrival and quote sent date before the save (the pre-image); absent on create or when trimmed. */
  before?: BaseDatesBefore;
  /** When the save was made and by whom (the user who saved), for the phase history. */
  savedAt: Date;
  savedBy: string | null;
}

function changedStayFields(ctx: ExecutionContext): StayField[] {
  const target = targetEntity(ctx);
  if (!target) return [];
  return (Object.entries(STAY_COLUMNS) as [StayField, string][])
    .filter(([, column]) => target.attributes.has(column))
    .map(([field]) => field);
}

function imageDate(image: EntityImage, column: string): DateOnly | null {
  const value = getDate(image, column);
  // DateOnly columns travel as midnight UTC ("Behavior and format of the Date and Time column").
  return value && dateOnlyFromDate(value, 'utc');
}

/** An image leaves out empty columns, so a missing column in a present image is an empty one. */
function baseDatesBefore(ctx: ExecutionContext): BaseDatesBefore | undefined {
  const image = ctx.preEntityImages.get(ENFORCEMENT_PRE_IMAGE);
  if (!image) return undefined;
  return {
    arrival: imageDate(image, col.idr_arrivaldate),
    quoteSentOn: imageDate(image, col.idr_quotesenton),
  };
}

/**
 * Reads the opportunity, computes and writes its corrections. Exported for the sweep and tests; the
 * handlers below call it with what the execution context says.
 */
export async function enforceOpportunity(
  request: EnforceRequest,
  deps: { client: DataverseClient; logger: Logger; settings: SettingsSource; policies?: PolicySource },
): Promise<EnforcementOutcome | null> {
  const { client, logger } = deps;
  const settings = deps.settings();
  const policies = deps.policies ?? new PolicySource(client, logger);
  for (let attempt = 1; ; attempt++) {
    const record = (await client.retrieve(
      opportunity.entitySetName,
      request.opportunityId,
      QUOTATION_SELECT,
    )) as QuotationRow | null;
    if (!record) {
      logger.info('The opportunity was deleted before its quotation could be checked; nothing to do.', {
        opportunityId: request.opportunityId,
      });
      return null;
    }
    const policy = await policies.forQuotation(idValue(record._idr_policy_value));
    const blocksTotal = await readRoomBlocksTotal(client, request.opportunityId);
    const update = computeUpdate(record, request, settings.language, settings.timeZone, policy, blocksTotal);
    if (update.scheduleProblem && update.record.idr_depositschedule !== undefined) {
      logger.warn('The stored deposit schedule could not be read; it is replaced by a fresh plan.', {
        opportunityId: request.opportunityId,
        problem: update.scheduleProblem,
      });
    }
    if (Object.keys(update.record).length === 0) return { written: [], issue: update.issue };
    const etag = textValue(record['@odata.etag']);
    try {
      await client.update(
        opportunity.entitySetName,
        request.opportunityId,
        update.record,
        etag ? { ifMatch: etag } : {},
      );
      const to = update.record.idr_phase;
      if (to !== undefined) {
        await recordPhaseChange(
          client,
          {
            opportunityId: request.opportunityId,
            from: readPhase(record),
            to: readPhase({ idr_phase: to }),
            at: request.savedAt,
            userId: request.savedBy,
            facts: toPhaseFacts({ ...record, ...update.record }),
          },
          settings.language,
        );
      }
      return { written: Object.keys(update.record), issue: update.issue };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new EnforcementConflictError(request.opportunityId, attempt);
      logger.info('The opportunity changed while its quotation was being checked; reading it again.', {
        attempt,
      });
    }
  }
}

function computeUpdate(
  record: QuotationRow,
  request: EnforceRequest,
  language: Language,
  timeZone: string,
  policy: QuotationPolicy,
  roomBlocksTotal: number | null = null,
): { record: opportunityWrite; issue: string | null; scheduleProblem: string | null } {
  const current = toStoredQuotation(record);
  const createdOn = textValue(record.createdon);
  const createdToday =
    createdOn !== null && isSameDate(dateOnlyFromDate(new Date(createdOn), { timeZone }), request.today);
  const result = enforceQuotation(current, {
    policy,
    language,
    today: request.today,
    // An arrival in the past is a mistake on a new quotation only; "new" lasts the day it was created,
    // so the re-trigger by our own update does not clear what the Create run found.
    isNew: request.isCreate || createdToday,
    changed: request.changed,
    before: request.before,
    roomBlocksTotal,
  });
  const fixed = applyCorrections(current, result.corrections);
  const schedule = readSchedule(record);
  const plan = scheduleCorrections(
    {
      confirmedOn: dateValue(record.idr_confirmedon),
      arrival: fixed.arrival,
      total: fixed.total,
      depositPercent: fixed.depositPercent,
      depositDueOn: dateValue(record.idr_depositduedate),
      depositReceivedOn: dateValue(record.idr_depositreceivedon),
      previous: schedule.instalments,
      previousText: textValue(record.idr_depositschedule),
    },
    policy,
  );
  const update = correctionsToRecord(result.corrections);
  if (plan.schedule !== undefined) update.idr_depositschedule = plan.schedule;
  if (plan.depositDueOn !== undefined) update.idr_depositduedate = writeDate(plan.depositDueOn);
  const stored = readPhase(record);
  const phase = nextPhase(stored, toPhaseFacts({ ...record, ...update }), request.today);
  if (phase !== stored) update.idr_phase = phaseValue(phase);
  return { record: update, issue: result.issueText, scheduleProblem: schedule.problem };
}

function todayOf(ctx: ExecutionContext, deps: HandlerDeps, timeZone: string): DateOnly {
  // The day of the save, not of the (possibly queued) job run.
  return dateOnlyFromDate(ctx.operationCreatedOn ?? deps.clock(), { timeZone });
}

/** The two steps of docs/data-model.md, sharing one implementation. */
export function createEnforcementHandlers(options: EnforcementOptions = {}): HandlerDefinition[] {
  const settings = options.settings ?? (() => DEFAULT_SETTINGS);
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const handle = (isCreate: boolean) => async (ctx: ExecutionContext, deps: HandlerDeps) => {
    const opportunityId = ctx.primaryEntityId ?? targetEntity(ctx)?.id ?? null;
    if (!opportunityId) {
      deps.logger.warn('The payload names no opportunity; nothing to check.');
      return;
    }
    if (ctx.depth > maxDepth) {
      deps.logger.warn(
        `Not checking the quotation at depth ${ctx.depth} (limit ${maxDepth}): another component keeps changing this opportunity.`,
        { opportunityId },
      );
      return;
    }
    const today = todayOf(ctx, deps, settings().timeZone);
    const outcome = await enforceOpportunity(
      {
        opportunityId,
        changed: changedStayFields(ctx),
        isCreate,
        today,
        before: baseDatesBefore(ctx),
        savedAt: ctx.operationCreatedOn ?? deps.clock(),
        savedBy: ctx.initiatingUserId ?? ctx.userId,
      },
      { client: deps.client, logger: deps.logger, settings },
    );
    if (!outcome) return;
    if (options.followUpsOnSave) {
      const done = await runFollowUpsFor(
        { client: deps.client, clock: deps.clock, logger: deps.logger, settings },
        opportunityId,
        today,
      );
      if (done.actionsCreated > 0)
        deps.logger.info('Follow-ups done on save.', { opportunityId, byAction: done.byAction });
    }
    if (outcome.written.length > 0) {
      deps.logger.info('Quotation corrected.', {
        opportunityId,
        columns: outcome.written,
        issue: outcome.issue,
      });
    } else {
      deps.logger.info('Quotation checked: nothing to change.', {
        opportunityId,
        day: formatDateOnly(today),
      });
    }
  };
  return [
    defineHandler({
      message: 'Create',
      entity: opportunity.logicalName,
      stage: 40,
      mode: 1,
      solution: SOLUTION,
      handle: handle(true),
    }),
    defineHandler({
      message: 'Update',
      entity: opportunity.logicalName,
      stage: 40,
      mode: 1,
      solution: SOLUTION,
      filteringAttributes: ENFORCEMENT_FILTERING_ATTRIBUTES,
      handle: handle(false),
    }),
  ];
}
