/**
 * Create.opportunity and Update.opportunity (pre-validation, synchronous): refuses the values a user
 * cannot type on the form (domain/quotation refusal.ts) from API and import callers too, so a
 * departure before the arrival or a negative price never reaches the database. The host answers 422;
 * Dataverse then fails the save ("Use webhooks to create external handlers for server events":
 * a synchronous step's non-2xx answer cancels the operation) and the reason, in English and Spanish,
 * is in the host's log and in the answer's body.
 *
 * An Update carries only the columns it sets, so they are laid over the stored row: a new departure
 * is checked against the stored arrival. A phase set in the save must agree with the facts after it
 * (domain/quotation phase.ts), on Create too. Pre-validation runs before the transaction: two saves at the
 * same moment are each checked against the row as it was, which is enough for values of one record.
 */
import type { ColumnValue, EntityRecord } from '../../../dataverse/client';
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import {
  idr_roomblock,
  opportunity,
  type idr_roomblockRecord,
  type opportunityRecord,
} from '../../../dataverse/generated';
import {
  checkPhase,
  type DateOnly,
  dateOnlyFromDate,
  formatDateOnly,
  nightsOutsideStay,
  refusalText,
  refuseImpossibleValues,
  settledStay,
  type StayField,
  stayLeavesBlocksText,
  stayNightsOf,
  type WrittenQuotation,
} from '../../../domain/quotation';
import { type EntityImage, type ParsedValue, targetEntity } from '../../host/parse';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import { PhaseRefusal, QuotationRefusal, StayLeavesBlocksRefusal } from './errors';
import {
  asRow,
  col,
  dateValue,
  lookupValueName,
  PHASE_FACT_COLUMNS,
  readPhase,
  toPhaseFacts,
} from './record';
import { DEFAULT_SETTINGS, type SettingsSource } from './settings';

const SOLUTION = 'IdearioGroupQuotes' as const;

/** The columns the refusal looks at. */
const GUARDED: Readonly<Record<keyof WrittenQuotation, string>> = {
  arrival: col.idr_arrivaldate,
  nights: col.idr_nights,
  departure: col.idr_departuredate,
  adults: col.idr_adults,
  children: col.idr_children,
  persons: col.idr_persons,
  pricePerPersonNight: col.idr_priceperpersonnight,
  childPricePercent: col.idr_childpricepercent,
  depositPercent: col.idr_depositpercent,
  total: col.idr_total,
  deposit: col.idr_deposit,
};
const DATE_FIELDS: ReadonlySet<keyof WrittenQuotation> = new Set(['arrival', 'departure']);

/**
 * The Update step's filtering attributes: the guarded values, and the phase (a phase set by hand is
 * checked against the facts; facts alone only move the phase, which the asynchronous step does).
 */
export const GUARD_FILTERING_ATTRIBUTES: readonly string[] = [...Object.values(GUARDED), col.idr_phase];

const READ_COLUMNS: readonly string[] = [...GUARD_FILTERING_ATTRIBUTES, ...PHASE_FACT_COLUMNS];

/** A Target value as the Web API would return it, so one reader (record.ts) serves both. */
function asWebApiValue(value: ParsedValue): ColumnValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  // DateOnly columns travel as midnight UTC ("Behavior and format of the Date and Time column").
  if (value instanceof Date) return formatDateOnly(dateOnlyFromDate(value, 'utc'));
  if (
    typeof value === 'object' &&
    'kind' in value &&
    (value.kind === 'OptionSetValue' || value.kind === 'Money')
  )
    return value.value;
  return undefined;
}

/** The row as it will be after the save: the Target's columns over the stored row. */
async function rowAfterSave(
  ctx: ExecutionContext,
  deps: HandlerDeps,
): Promise<{ row: EntityRecord; target: EntityImage } | null> {
  const target = targetEntity(ctx);
  if (!target) return null;
  const rawId = ctx.messageName === 'Update' ? (ctx.primaryEntityId ?? target.id) : null;
  const id = rawId && normalizeGuid(rawId);
  const stored = id ? await deps.client.retrieve(opportunity.entitySetName, id, READ_COLUMNS) : null;
  const row: EntityRecord = { ...(stored ?? {}) };
  for (const [column, value] of target.attributes) {
    const converted = asWebApiValue(value);
    if (converted !== undefined) row[column] = converted;
  }
  return { row, target };
}

function writtenQuotation(row: EntityRecord): WrittenQuotation {
  const values: Partial<Record<keyof WrittenQuotation, DateOnly | number | null>> = {};
  for (const [field, column] of Object.entries(GUARDED) as [keyof WrittenQuotation, string][]) {
    const value = row[column];
    values[field] = DATE_FIELDS.has(field) ? dateValue(value) : typeof value === 'number' ? value : null;
  }
  return values as WrittenQuotation;
}

const STAY_COLUMNS: Readonly<Record<StayField, string>> = {
  arrival: col.idr_arrivaldate,
  nights: col.idr_nights,
  departure: col.idr_departuredate,
};

/**
 * New stay dates must keep the quotation's live room blocks inside the stay (as enforcement will
 * settle it: a new arrival alone moves the departure), or those rooms would be held for nights
 * nobody sleeps there.
 */
async function guardBlocksInStay(
  ctx: ExecutionContext,
  deps: HandlerDeps,
  row: opportunityRecord,
  target: EntityImage,
): Promise<void> {
  const changed = (Object.keys(STAY_COLUMNS) as StayField[]).filter((f) =>
    target.attributes.has(STAY_COLUMNS[f]),
  );
  const id = ctx.primaryEntityId ?? target.id;
  if (changed.length === 0 || !id) return;
  const stay = stayNightsOf(
    settledStay(
      {
        arrival: dateValue(row.idr_arrivaldate),
        nights: row.idr_nights ?? null,
        departure: dateValue(row.idr_departuredate),
      },
      changed,
    ),
  );
  if (!stay) return;
  const blocks = (await deps.client.retrieveMultiple(idr_roomblock.entitySetName, {
    select: [idr_roomblock.columns.idr_night],
    filter: `${lookupValueName(idr_roomblock.columns.idr_opportunity)} eq ${normalizeGuid(id)} and statecode eq ${idr_roomblock.choices.statecode.Active}`,
  })) as idr_roomblockRecord[];
  const nights = blocks.map((b) => dateValue(b.idr_night)).filter((n): n is DateOnly => n !== null);
  const outside = nightsOutsideStay(nights, stay);
  if (outside.length > 0)
    throw new StayLeavesBlocksRefusal(stayLeavesBlocksText(outside, stay), STAY_COLUMNS[changed[0]]);
}

export async function guardQuotation(
  ctx: ExecutionContext,
  deps: HandlerDeps,
  settings: SettingsSource,
): Promise<void> {
  const after = await rowAfterSave(ctx, deps);
  if (!after) return;
  const today = dateOnlyFromDate(deps.clock(), { timeZone: settings().timeZone });
  const refusals = refuseImpossibleValues(writtenQuotation(after.row), today);
  if (refusals.length > 0) throw new QuotationRefusal(refusalText(refusals), GUARDED[refusals[0].field]);
  const quotation = asRow(after.row);
  if (ctx.messageName === 'Update') await guardBlocksInStay(ctx, deps, quotation, after.target);
  if (!after.target.attributes.has(col.idr_phase)) return;
  const wrong = checkPhase(readPhase(quotation), toPhaseFacts(quotation), today);
  if (wrong) throw new PhaseRefusal(wrong, col.idr_phase);
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
