/**
 * The opportunity as a group quotation: Web API JSON (client.ts shape) in, domain/quotation values out,
 * and corrections back to columns. The only place here that knows column names and choice numbers.
 */
import type { ColumnValue, EntityRecord } from '../../../dataverse/client';
import type { Selected } from '../../../dataverse/selected';
import { idValue, textValue } from '../values';
import {
  HandoffStatus,
  MealPlan,
  type MealPlanValue,
  opportunity,
  type opportunityRecord,
  type opportunityWrite,
  QuotationPhase,
  type QuotationPhaseValue,
} from '../../../dataverse/generated';
import {
  type DateOnly,
  formatDateOnly,
  type FollowUpQuotation,
  type Instalment,
  type MealPlan as DomainMealPlan,
  parseSchedule,
  type PhaseFacts,
  type QuotationCorrections,
  type QuotationPhase as DomainPhase,
  type StayField,
  type StoredQuotation,
  tryParseDateOnly,
} from '../../../domain/quotation';
import { InvalidDepositScheduleError } from '../../../domain/quotation/errors';

export { idValue, textValue };

export const col = opportunity.columns;

/** Length of `idr_quotationissue` (String(2000) in docs/data-model.md). */
export const ISSUE_MAX_LENGTH = 2000;

/** `_<column>_value`: how the Web API reads a lookup. */
export function lookupValueName<C extends string>(column: C): `_${C}_value` {
  return `_${column}_value`;
}

/** `<column>@odata.bind`: how the Web API writes a lookup. */
export function bindName<C extends string>(column: C): `${C}@odata.bind` {
  return `${column}@odata.bind`;
}

/** The columns the enforcement step and the sweep read. */
export const QUOTATION_SELECT = [
  col.opportunityid,
  col.name,
  col.createdon,
  col.statecode,
  lookupValueName(col.ownerid),
  lookupValueName(col.transactioncurrencyid),
  lookupValueName(col.idr_agency),
  lookupValueName(col.idr_agent),
  lookupValueName(col.idr_policy),
  col.idr_phase,
  col.idr_arrivaldate,
  col.idr_nights,
  col.idr_departuredate,
  col.idr_mealplan,
  col.idr_adults,
  col.idr_children,
  col.idr_persons,
  col.idr_rooms,
  col.idr_priceperpersonnight,
  col.idr_childpricepercent,
  col.idr_total,
  col.idr_depositpercent,
  col.idr_deposit,
  col.idr_depositduedate,
  col.idr_depositreceivedon,
  col.idr_depositschedule,
  col.idr_quotesenton,
  col.idr_confirmedon,
  col.idr_optionexpireson,
  col.idr_roominglistdueon,
  col.idr_roominglistreceivedon,
  col.idr_cutoffdate,
  col.idr_quotationissue,
  col.idr_handoffstatus,
  col.idr_handoffreference,
  col.idr_proformaissuedon,
  col.idr_paymentreceivedon,
  col.idr_lostreason,
] as const;

/** An opportunity as QUOTATION_SELECT reads it. */
export type QuotationRow = Selected<opportunityRecord, typeof QUOTATION_SELECT>;

/** The columns the phase follows (domain/quotation phase.ts). */
export const PHASE_FACT_COLUMNS = [
  col.idr_quotesenton,
  col.idr_confirmedon,
  col.idr_depositreceivedon,
  col.idr_depositschedule,
  col.idr_roominglistreceivedon,
  col.idr_proformaissuedon,
  col.idr_handoffstatus,
  col.idr_departuredate,
  col.idr_paymentreceivedon,
  col.idr_lostreason,
] as const;

/** An opportunity as far as its phase goes: PHASE_FACT_COLUMNS. */
export type PhaseFactsRow = Selected<opportunityRecord, typeof PHASE_FACT_COLUMNS>;

/** The stay columns behind each stay field: which of them a write set decides what is derived. */
export const STAY_COLUMNS: Readonly<Record<StayField, string>> = {
  arrival: col.idr_arrivaldate,
  nights: col.idr_nights,
  departure: col.idr_departuredate,
};

const DATE_ONLY_TEXT = /^(\d{4}-\d{2}-\d{2})(?:T00:00:00(?:\.0+)?Z)?$/;

/**
 * A DateOnly column: the Web API writes them `YYYY-MM-DD` ("Behavior and format of the Date and Time
 * column"); a midnight-UTC timestamp is read as its date too, for callers that send one.
 */
export function dateValue(value: ColumnValue | undefined): DateOnly | null {
  if (typeof value !== 'string') return null;
  const match = DATE_ONLY_TEXT.exec(value.trim());
  return match ? tryParseDateOnly(match[1]) : null;
}

export function writeDate(date: DateOnly | null): string | null {
  return date && formatDateOnly(date);
}

/**
 * A row the handler puts together (a webhook's Target over the stored row, read with at least the
 * phase facts) read as the opportunity it is.
 */
export function asRow(record: EntityRecord): PhaseFactsRow & opportunityRecord {
  return record as PhaseFactsRow & opportunityRecord;
}

// Keyed by the generated value unions: a new phase or meal plan in solution/ fails to compile here.
const PHASES: Readonly<Partial<Record<number, DomainPhase>>> = {
  [QuotationPhase.Request]: 'request',
  [QuotationPhase.QuotationSent]: 'quotationSent',
  [QuotationPhase.Confirmed]: 'confirmed',
  [QuotationPhase.Deposit]: 'deposit',
  [QuotationPhase.RoomingList]: 'roomingList',
  [QuotationPhase.Proforma]: 'proforma',
  [QuotationPhase.Transferred]: 'transferred',
  [QuotationPhase.Settled]: 'settled',
  [QuotationPhase.Lost]: 'lost',
  [QuotationPhase.Cancelled]: 'cancelled',
} satisfies Record<QuotationPhaseValue, DomainPhase>;

const MEAL_PLANS: Readonly<Partial<Record<number, DomainMealPlan>>> = {
  [MealPlan.RoomOnly]: 'roomOnly',
  [MealPlan.BedAndBreakfast]: 'bedAndBreakfast',
  [MealPlan.HalfBoard]: 'halfBoard',
  [MealPlan.FullBoard]: 'fullBoard',
  [MealPlan.AllInclusive]: 'allInclusive',
} satisfies Record<MealPlanValue, DomainMealPlan>;

/** The industry codes a PMS expects for a board basis. */
export const MEAL_PLAN_CODES: Readonly<Record<DomainMealPlan, string>> = {
  roomOnly: 'RO',
  bedAndBreakfast: 'BB',
  halfBoard: 'HB',
  fullBoard: 'FB',
  allInclusive: 'AI',
};

/** An empty phase is the column's default, Request. */
export function readPhase(row: Pick<opportunityRecord, 'idr_phase'>): DomainPhase {
  const value = row.idr_phase;
  // A value the solution does not define (an option added in the environment only) reads as Request.
  return (value != null && PHASES[value]) || 'request';
}

export function readMealPlan(row: Pick<opportunityRecord, 'idr_mealplan'>): DomainMealPlan | null {
  const value = row.idr_mealplan;
  return value == null ? null : (MEAL_PLANS[value] ?? null);
}

/** The values the enforcement compares with what it computes. */
export function toStoredQuotation(row: QuotationRow): StoredQuotation {
  return {
    arrival: dateValue(row.idr_arrivaldate),
    nights: row.idr_nights ?? null,
    departure: dateValue(row.idr_departuredate),
    adults: row.idr_adults ?? null,
    children: row.idr_children ?? null,
    persons: row.idr_persons ?? null,
    pricePerPersonNight: row.idr_priceperpersonnight ?? null,
    childPricePercent: row.idr_childpricepercent ?? null,
    total: row.idr_total ?? null,
    depositPercent: row.idr_depositpercent ?? null,
    deposit: row.idr_deposit ?? null,
    issue: textValue(row.idr_quotationissue),
    quoteSentOn: dateValue(row.idr_quotesenton),
    optionExpiresOn: dateValue(row.idr_optionexpireson),
    cutoffDate: dateValue(row.idr_cutoffdate),
    roomingListDueOn: dateValue(row.idr_roominglistdueon),
  };
}

/** The columns a set of corrections writes: only the corrected ones (an undefined value is left out). */
export function correctionsToRecord(c: QuotationCorrections): opportunityWrite {
  const record: opportunityWrite = {
    idr_arrivaldate: c.arrival && formatDateOnly(c.arrival),
    idr_nights: c.nights,
    idr_departuredate: c.departure && formatDateOnly(c.departure),
    idr_persons: c.persons,
    idr_total: c.total,
    idr_depositpercent: c.depositPercent,
    idr_deposit: c.deposit,
    idr_quotationissue: c.issue === undefined ? undefined : truncate(c.issue, ISSUE_MAX_LENGTH),
    idr_optionexpireson: c.optionExpiresOn && formatDateOnly(c.optionExpiresOn),
    idr_cutoffdate: c.cutoffDate && formatDateOnly(c.cutoffDate),
    idr_roominglistdueon: c.roomingListDueOn && formatDateOnly(c.roomingListDueOn),
  };
  for (const key of Object.keys(record) as (keyof opportunityWrite)[]) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}

export function truncate(text: string | null, max: number): string | null {
  return text !== null && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface ScheduleRead {
  instalments: Instalment[];
  /** Why the stored schedule could not be read (it is then treated as absent). */
  problem: string | null;
}

export function readSchedule(row: Pick<opportunityRecord, 'idr_depositschedule'>): ScheduleRead {
  try {
    return { instalments: parseSchedule(textValue(row.idr_depositschedule)), problem: null };
  } catch (error) {
    if (error instanceof InvalidDepositScheduleError) return { instalments: [], problem: error.message };
    throw error;
  }
}

/** What the follow-up plan needs from the record. */
export function toFollowUpQuotation(
  row: QuotationRow,
  instalments: readonly Instalment[],
): FollowUpQuotation {
  return {
    phase: readPhase(row),
    quoteSentOn: dateValue(row.idr_quotesenton),
    confirmedOn: dateValue(row.idr_confirmedon),
    arrival: dateValue(row.idr_arrivaldate),
    departure: dateValue(row.idr_departuredate),
    depositDueOn: dateValue(row.idr_depositduedate),
    depositReceivedOn: dateValue(row.idr_depositreceivedon),
    roomingListDueOn: dateValue(row.idr_roominglistdueon),
    roomingListReceivedOn: dateValue(row.idr_roominglistreceivedon),
    optionExpiresOn: dateValue(row.idr_optionexpireson),
    cutoffDate: dateValue(row.idr_cutoffdate),
    paymentReceivedOn: dateValue(row.idr_paymentreceivedon),
    instalments: instalments.length > 0 ? instalments : undefined,
    agent: idValue(row._idr_agent_value),
    owner: idValue(row._ownerid_value),
  };
}

/** The facts the phase follows. An unreadable deposit schedule counts as no paid instalment. */
export function toPhaseFacts(row: PhaseFactsRow): PhaseFacts {
  return {
    quoteSentOn: dateValue(row.idr_quotesenton),
    confirmedOn: dateValue(row.idr_confirmedon),
    depositReceivedOn: dateValue(row.idr_depositreceivedon),
    instalments: readSchedule(row).instalments,
    roomingListReceivedOn: dateValue(row.idr_roominglistreceivedon),
    proformaIssuedOn: dateValue(row.idr_proformaissuedon),
    transferred: row.idr_handoffstatus === HandoffStatus.Sent,
    departure: dateValue(row.idr_departuredate),
    paymentReceivedOn: dateValue(row.idr_paymentreceivedon),
    lostReason: textValue(row.idr_lostreason),
  };
}

/** The idr_phase value of a domain phase. */
export function phaseValue(phase: DomainPhase): QuotationPhaseValue {
  const entry = Object.entries(PHASES).find(([, p]) => p === phase);
  return Number(entry?.[0] ?? QuotationPhase.Request) as QuotationPhaseValue;
}

/** The opportunity's id from the record, lower case. */
export function opportunityId(row: Pick<opportunityRecord, 'opportunityid'>): string | null {
  return idValue(row.opportunityid);
}
