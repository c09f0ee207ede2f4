/**
 * Create.opportunity and Update.opportunity (pre-validation, synchronous): refuses the values a user
 * cannot type on the form (domain/quotation refusal.ts) from API and import callers too, so a
 * departure before the arrival or a negative price never reaches the database. The host answers 422;
 * Dataverse then fails the save ("Use webhooks to create external handlers for server events":
 * a synchronous step's non-2xx answer cancels the operation) and the reason, in English and Spanish,
 * is in the host's log and in the answer's body.
 *
 * An Update carries only the columns it sets, so they are laid over the stored row: a new departure
 * is checked against the stored arrival. Pre-validation runs before the transaction: two saves at the
 * same moment are each checked against the row as it was, which is enough for values of one record.
 */
import type { EntityRecord } from '../../../dataverse/client';
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import { opportunity } from '../../../dataverse/generated';
import {
  type DateOnly,
  dateOnlyFromDate,
  refusalText,
  refuseImpossibleValues,
  type WrittenQuotation,
} from '../../../domain/quotation';
import { type EntityImage, getDate, getMoney, getNumber, targetEntity } from '../../host/parse';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import { QuotationRefusal } from './errors';
import { col, readDate, readNumber } from './record';
import { DEFAULT_SETTINGS, type SettingsSource } from './settings';

const SOLUTION = 'IdearioGroupQuotes' as const;

type Reader = 'date' | 'number' | 'money';
/** The columns the refusal looks at, and how each travels in the execution context. */
const GUARDED: Readonly<Record<keyof WrittenQuotation, readonly [string, Reader]>> = {
  arrival: [col.idr_arrivaldate, 'date'],
  nights: [col.idr_nights, 'number'],
  departure: [col.idr_departuredate, 'date'],
  adults: [col.idr_adults, 'number'],
  children: [col.idr_children, 'number'],
  persons: [col.idr_persons, 'number'],
  pricePerPersonNight: [col.idr_priceperpersonnight, 'money'],
  childPricePercent: [col.idr_childpricepercent, 'number'],
  depositPercent: [col.idr_depositpercent, 'number'],
  total: [col.idr_total, 'money'],
  deposit: [col.idr_deposit, 'money'],
};

/** The Update step's filtering attributes: a save that sets none of them cannot make the values impossible. */
export const GUARD_FILTERING_ATTRIBUTES: readonly string[] = Object.values(GUARDED).map(([column]) => column);

function fromTarget(target: EntityImage, column: string, reader: Reader): DateOnly | number | null {
  if (reader === 'date') {
    const value = getDate(target, column);
    // DateOnly columns travel as midnight UTC ("Behavior and format of the Date and Time column").
    return value && dateOnlyFromDate(value, 'utc');
  }
  return reader === 'money' ? getMoney(target, column) : getNumber(target, column);
}

function fromRow(row: EntityRecord | null, column: string, reader: Reader): DateOnly | number | null {
  if (!row) return null;
  return reader === 'date' ? readDate(row, column) : readNumber(row, column);
}

/** The values as they will be after the save: the Target's columns over the stored row. */
async function valuesAfterSave(ctx: ExecutionContext, deps: HandlerDeps): Promise<WrittenQuotation | null> {
  const target = targetEntity(ctx);
  if (!target) return null;
  const columns = Object.values(GUARDED).map(([column]) => column);
  const rawId = ctx.messageName === 'Update' ? (ctx.primaryEntityId ?? target.id) : null;
  const id = rawId && normalizeGuid(rawId);
  const stored = id ? await deps.client.retrieve(opportunity.entitySetName, id, columns) : null;
  const values: Partial<Record<keyof WrittenQuotation, DateOnly | number | null>> = {};
  for (const [field, [column, reader]] of Object.entries(GUARDED) as [
    keyof WrittenQuotation,
    readonly [string, Reader],
  ][]) {
    values[field] = target.attributes.has(column)
      ? fromTarget(target, column, reader)
      : fromRow(stored, column, reader);
  }
  return values as WrittenQuotation;
}

export async function guardQuotation(
  ctx: ExecutionContext,
  deps: HandlerDeps,
  settings: SettingsSource,
): Promise<void> {
  const values = await valuesAfterSave(ctx, deps);
  if (!values) return;
  const today = dateOnlyFromDate(deps.clock(), { timeZone: settings().timeZone });
  const refusals = refuseImpossibleValues(values, today);
  if (refusals.length === 0) return;
  throw new QuotationRefusal(refusalText(refusals), GUARDED[refusals[0].field][0]);
}

export function createGuardHandlers(options: { settings?: SettingsSource } = {}): HandlerDefinition[] {
  const settings = options.settings ?? (() => DEFAULT_SETTINGS);
  const common = { solution: SOLUTION, entity: opportunity.logicalName, stage: 10, mode: 0 } as const;
  const handle = (ctx: ExecutionContext, deps: HandlerDeps) => guardQuotation(ctx, deps, settings);
  return [
    defineHandler({ ...common, message: 'Create', handle }),
    defineHandler({ ...common, message: 'Update', filteringAttributes: GUARD_FILTERING_ATTRIBUTES, handle }),
  ];
}
