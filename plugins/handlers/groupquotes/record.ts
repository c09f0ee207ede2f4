/**
 * The opportunity as a group quotation: Web API JSON (client.ts shape) in, domain/quotation values out,
 * and corrections back to columns. The only place here that knows column names and choice numbers.
 */
import type { ColumnValue, EntityRecord } from '../../../dataverse/client';
import { normalizeGuid } from '../../../dataverse/adapters/keys';
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

export const col = opportunity.columns;

/** Length of `idr_quotationissue` (String(2000) in docs/data-model.md). */
export const ISSUE_MAX_LENGTH = 2000;

/** `_<column>_value`: how the Web API reads a lookup. */
export function lookupValueName(column: string): string {
  return `_${column}_value`;
}

/** `<column>@odata.bind`: how the Web API writes a lookup. */
export function bindName(column: string): string {
  return `${column}@odata.bind`;
}

/** The columns the enforcement step and the sweep read. */
export const QUOTATION_SELECT: readonly string[] = [
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
];

/** The columns the phase follows (domain/quotation phase.ts). */
export const PHASE_FACT_COLUMNS: readonly string[] = [
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
];

/** The stay columns behind each stay field: which of them a write set decides what is derived. */
export const STAY_COLUMNS: Readonly<Record<StayField, string>> = {
  arrival: col.idr_arrivaldate,
  nights: col.idr_nights,
  departure: col.idr_departuredate,
};

export function readString(record: EntityRecord, column: string): string | null {
  const value = record[column];
  return typeof value === 'string' && value !== '' ? value : null;
}

export function readNumber(record: EntityRecord, column: string): number | null {
  const value = record[column];
  return typeof value === 'number' ? value : null;
}

export function readBoolean(record: EntityRecord, column: string): boolean | null {
  const value = record[column];
  return typeof value === 'boolean' ? value : null;
}

/** A lookup's id, lower case, or null. */
export function readLookup(record: EntityRecord, column: string): string | null {
  const value = record[lookupValueName(column)];
  return typeof value === 'string' ? normalizeGuid(value) : null;
}

const DATE_ONLY_TEXT = /^(\d{4}-\d{2}-\d{2})(?:T00:00:00(?:\.0+)?Z)?$/;

/**
 * A DateOnly column: the Web API writes them `YYYY-MM-DD` ("Behavior and format of the Date and Time
 * column"); a midnight-UTC timestamp is read as its date too, for callers that send one.
 */
export function readDate(record: EntityRecord, column: string): DateOnly | null {
  const value = record[column];
  if (typeof value !== 'string') return null;
  const match = DATE_ONLY_TEXT.exec(value.trim());
  return match ? tryParseDateOnly(match[1]) : null;
}

export function writeDate(date: DateOnly | null): string | null {
  return date && formatDateOnly(date);
}

/** The opportunity as typegen describes the Web API's JSON for it: the one cast from EntityRecord. */
export function asRow(record: EntityRecord): opportunityRecord {
  return record as opportunityRecord;
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
export function readPhase(record: EntityRecord): DomainPhase {
  const value = asRow(record).idr_phase;
  // A value the solution does not define (an option added in the environment only) reads as Request.
  return (value != null && PHASES[value]) || 'request';
}

export function readMealPlan(record: EntityRecord): DomainMealPlan | null {
  const value = asRow(record).idr_mealplan;
  return value == null ? null : (MEAL_PLANS[value] ?? null);
}

/** The values the enforcement compares with what it computes. */
export function toStoredQuotation(record: EntityRecord): StoredQuotation {
  return {
    arrival: readDate(record, col.idr_arrivaldate),
    nights: readNumber(record, col.idr_nights),
    departure: readDate(record, col.idr_departuredate),
    adults: readNumber(record, col.idr_adults),
    children: readNumber(record, col.idr_children),
    persons: readNumber(record, col.idr_persons),
    pricePerPersonNight: readNumber(record, col.idr_priceperpersonnight),
    childPricePercent: readNumber(record, col.idr_childpricepercent),
    total: readNumber(record, col.idr_total),
    depositPercent: readNumber(record, col.idr_depositpercent),
    deposit: readNumber(record, col.idr_deposit),
    issue: readString(record, col.idr_quotationissue),
    quoteSentOn: readDate(record, col.idr_quotesenton),
    optionExpiresOn: readDate(record, col.idr_optionexpireson),
    cutoffDate: readDate(record, col.idr_cutoffdate),
    roomingListDueOn: readDate(record, col.idr_roominglistdueon),
  };
}

/** The columns a set of corrections writes. */
export function correctionsToRecord(corrections: QuotationCorrections): opportunityWrite {
  const record: EntityRecord = {};
  const set = (column: keyof opportunityWrite, value: ColumnValue | undefined): void => {
    if (value !== undefined) record[column] = value;
  };
  set(col.idr_arrivaldate, corrections.arrival && formatDateOnly(corrections.arrival));
  set(col.idr_nights, corrections.nights);
  set(col.idr_departuredate, corrections.departure && formatDateOnly(corrections.departure));
  set(col.idr_persons, corrections.persons);
  set(col.idr_total, corrections.total);
  set(col.idr_depositpercent, corrections.depositPercent);
  set(col.idr_deposit, corrections.deposit);
  if (corrections.issue !== undefined)
    set(col.idr_quotationissue, truncate(corrections.issue, ISSUE_MAX_LENGTH));
  set(col.idr_optionexpireson, corrections.optionExpiresOn && formatDateOnly(corrections.optionExpiresOn));
  set(col.idr_cutoffdate, corrections.cutoffDate && formatDateOnly(corrections.cutoffDate));
  set(col.idr_roominglistdueon, corrections.roomingListDueOn && formatDateOnly(corrections.roomingListDueOn));
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

export function readSchedule(record: EntityRecord): ScheduleRead {
  try {
    return { instalments: parseSchedule(readString(record, col.idr_depositschedule)), problem: null };
  } catch (error) {
    if (error instanceof InvalidDepositScheduleError) return { instalments: [], problem: error.message };
    throw error;
  }
}

/** What the follow-up plan needs from the record. */
export function toFollowUpQuotation(
  record: EntityRecord,
  instalments: readonly Instalment[],
): FollowUpQuotation {
  return {
    phase: readPhase(record),
    quoteSentOn: readDate(record, col.idr_quotesenton),
    confirmedOn: readDate(record, col.idr_confirmedon),
    arrival: readDate(record, col.idr_arrivaldate),
    departure: readDate(record, col.idr_departuredate),
    depositDueOn: readDate(record, col.idr_depositduedate),
    depositReceivedOn: readDate(record, col.idr_depositreceivedon),
    roomingListDueOn: readDate(record, col.idr_roominglistdueon),
    roomingListReceivedOn: readDate(record, col.idr_roominglistreceivedon),
    optionExpiresOn: readDate(record, col.idr_optionexpireson),
    cutoffDate: readDate(record, col.idr_cutoffdate),
    paymentReceivedOn: readDate(record, col.idr_paymentreceivedon),
    instalments: instalments.length > 0 ? instalments : undefined,
    agent: readLookup(record, col.idr_agent),
    owner: readLookup(record, col.ownerid),
  };
}

/** The facts the phase follows. An unreadable deposit schedule counts as no paid instalment. */
export function toPhaseFacts(record: EntityRecord): PhaseFacts {
  return {
    quoteSentOn: readDate(record, col.idr_quotesenton),
    confirmedOn: readDate(record, col.idr_confirmedon),
    depositReceivedOn: readDate(record, col.idr_depositreceivedon),
    instalments: readSchedule(record).instalments,
    roomingListReceivedOn: readDate(record, col.idr_roominglistreceivedon),
    proformaIssuedOn: readDate(record, col.idr_proformaissuedon),
    transferred: asRow(record).idr_handoffstatus === HandoffStatus.Sent,
    departure: readDate(record, col.idr_departuredate),
    paymentReceivedOn: readDate(record, col.idr_paymentreceivedon),
    lostReason: readString(record, col.idr_lostreason),
  };
}

/** The idr_phase value of a domain phase. */
export function phaseValue(phase: DomainPhase): QuotationPhaseValue {
  const entry = Object.entries(PHASES).find(([, p]) => p === phase);
  return Number(entry?.[0] ?? QuotationPhase.Request) as QuotationPhaseValue;
}

/** The opportunity's id from the record, lower case. */
export function opportunityId(record: EntityRecord): string | null {
  const value = record[col.opportunityid];
  return typeof value === 'string' ? normalizeGuid(value) : null;
}
