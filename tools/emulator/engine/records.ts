/**
 * Stored rows → Web API JSON: every selected column, lookups as `_x_value`, `@odata.etag`, single-valued
 * `$expand`, and the annotations `Prefer: odata.include-annotations` asks for ("Formatted values" and
 * "Lookup property data" in "Query data using the Web API").
 */
import type { MetadataIndex, TableInfo } from './metadata';
import { isLookup, lookupFromValueName } from './metadata';
import { BadRequestError, UnknownColumnError } from './errors';
import { transactioncurrency } from '../../../dataverse/generated';
import type { FormatOptions, StoredRecord } from './values';
import { formatValue, isLookupValue, toJson } from './values';

export type JsonRecord = Record<string, unknown>;

export const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
export const NAVIGATION_PROPERTY = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

/** Decides which instance annotations a response carries. */
export type AnnotationFilter = (annotation: string) => boolean;
export const noAnnotations: AnnotationFilter = () => false;

/** `odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.*"` → filter. */
export function annotationFilter(patterns: readonly string[] | undefined): AnnotationFilter {
  if (!patterns || patterns.length === 0) return noAnnotations;
  const include: string[] = [];
  const exclude: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim().replace(/^"|"$/g, '');
    if (!pattern) continue;
    if (pattern.startsWith('-')) exclude.push(pattern.slice(1));
    else include.push(pattern);
  }
  const matches = (pattern: string, name: string) =>
    pattern === '*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1)));
  return (name) => include.some((p) => matches(p, name)) && !exclude.some((p) => matches(p, name));
}

export interface ExpandSpec {
  readonly property: string;
  readonly select?: readonly string[];
}

export interface ReadShape {
  readonly select?: readonly string[];
  readonly expand?: readonly ExpandSpec[];
  readonly annotations?: AnnotationFilter;
}

export interface RecordSource {
  readonly index: MetadataIndex;
  readonly format: FormatOptions;
  row(table: TableInfo, id: string): StoredRecord | undefined;
  primaryName(logicalName: string, id: string): string | undefined;
  parties(table: TableInfo, id: string): StoredRecord[];
}

/** Checks `$select` / `$expand` names before running anything, so errors name the bad property. */
export function validateShape(index: MetadataIndex, table: TableInfo, shape: ReadShape): void {
  for (const name of shape.select ?? []) selectColumn(table, name);
  for (const expand of shape.expand ?? []) {
    if (expand.property === table.partiesProperty) {
      const parties = index.byLogicalName('activityparty');
      if (!parties)
        throw new BadRequestError(
          `Expanding '${expand.property}' needs the activityparty table in the metadata.`,
        );
      for (const name of expand.select ?? []) selectColumn(parties, name);
      continue;
    }
    const nav = table.navigation.get(expand.property);
    if (!nav) {
      throw new UnknownColumnError(
        table.logicalName,
        expand.property,
        'The emulator expands single-valued navigation properties (lookups) and activity parties.',
      );
    }
    const targets = nav.target ? [nav.target] : (table.columns.get(nav.column)?.targets ?? []);
    for (const target of targets) {
      const targetTable = index.tryTable(target);
      if (targetTable) for (const name of expand.select ?? []) selectColumn(targetTable, name);
    }
  }
}

/** A `$select` entry → column; lookups must be selected as `_x_value`. */
function selectColumn(table: TableInfo, name: string): string {
  const lookup = lookupFromValueName(table, name);
  if (lookup) return lookup.logicalName;
  const column = table.columns.get(name);
  if (!column || isLookup(column.type)) {
    throw new UnknownColumnError(
      table.logicalName,
      name,
      column ? `Select lookups as '_${name}_value'.` : undefined,
    );
  }
  return column.logicalName;
}

export function etagOf(stored: StoredRecord): string {
  return `W/"${typeof stored.versionnumber === 'number' ? stored.versionnumber : 0}"`;
}

/**
 * Amounts are written with their record's currency symbol (every money column of a row shares its
 * transaction currency), else the engine's default.
 */
function moneyFormat(source: RecordSource, stored: StoredRecord): FormatOptions {
  const currency = stored[transactioncurrency.columns.transactioncurrencyid];
  return isLookupValue(currency) ? currencyFormat(source, currency.id) : source.format;
}

/** The caller's format with this currency's symbol and decimals, else the engine's default symbol. */
export function currencyFormat(
  source: Pick<RecordSource, 'index' | 'format' | 'row'>,
  currencyId: string,
): FormatOptions {
  const table = source.index.byLogicalName(transactioncurrency.logicalName);
  const row = table ? source.row(table, currencyId) : undefined;
  const symbol = row?.[transactioncurrency.columns.currencysymbol];
  const precision = row?.[transactioncurrency.columns.currencyprecision];
  return {
    ...source.format,
    ...(typeof symbol === 'string' && symbol !== '' ? { currencySymbol: symbol } : {}),
    ...(typeof precision === 'number' ? { currencyPrecision: precision } : {}),
  };
}

export function toRecord(
  source: RecordSource,
  table: TableInfo,
  stored: StoredRecord,
  shape: ReadShape,
): JsonRecord {
  const annotate = shape.annotations ?? noAnnotations;
  const out: JsonRecord = { '@odata.etag': etagOf(stored) };
  const names =
    shape.select && shape.select.length > 0
      ? [...new Set([...shape.select.map((s) => selectColumn(table, s)), table.primaryId])]
      : [...table.columns.keys()];
  for (const name of names) {
    const column = table.columns.get(name);
    if (!column) continue;
    const value = stored[name] ?? null;
    if (isLookup(column.type)) {
      const key = `_${name}_value`;
      out[key] = toJson(value);
      if (isLookupValue(value)) {
        if (annotate(FORMATTED)) {
          const label = source.primaryName(value.logicalName, value.id);
          if (label !== undefined) out[`${key}@${FORMATTED}`] = label;
        }
        if (annotate(NAVIGATION_PROPERTY)) {
          const nav = [...table.navigation.values()].find(
            (n) => n.column === name && (n.target === value.logicalName || n.target === undefined),
          );
          if (nav) out[`${key}@${NAVIGATION_PROPERTY}`] = nav.name;
        }
        if (annotate(LOOKUP_LOGICAL_NAME)) out[`${key}@${LOOKUP_LOGICAL_NAME}`] = value.logicalName;
      }
      continue;
    }
    out[name] = toJson(value);
    if (annotate(FORMATTED)) {
      const formatted = formatValue(
        column,
        value,
        column.type === 'Money' ? moneyFormat(source, stored) : source.format,
      );
      if (formatted !== undefined) out[`${name}@${FORMATTED}`] = formatted;
    }
  }
  for (const expand of shape.expand ?? []) {
    out[expand.property] = expandProperty(source, table, stored, expand, annotate);
  }
  return out;
}

function expandProperty(
  source: RecordSource,
  table: TableInfo,
  stored: StoredRecord,
  expand: ExpandSpec,
  annotations: AnnotationFilter,
): unknown {
  const id = stored[table.primaryId] as string;
  if (expand.property === table.partiesProperty) {
    const parties = source.index.table('activityparty');
    return source
      .parties(table, id)
      .map((party) => toRecord(source, parties, party, { select: expand.select, annotations }));
  }
  const nav = table.navigation.get(expand.property);
  const value = nav ? stored[nav.column] : null;
  if (!nav || !isLookupValue(value ?? null) || !value || typeof value !== 'object') return null;
  if (nav.target && nav.target !== value.logicalName) return null;
  const target = source.index.tryTable(value.logicalName);
  if (!target) return null;
  const related = source.row(target, value.id);
  return related ? toRecord(source, target, related, { select: expand.select, annotations }) : null;
}
