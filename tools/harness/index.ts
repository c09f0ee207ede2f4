/**
 * The mock-Xrm harness: test a form script against a form built from a generated table constant.
 *
 *   const form = createForm({ table: opportunity, values: { [opportunity.columns.idr_nights]: 3 } });
 *   form.onChange(opportunity.columns.idr_nights, handlers.onNightsChange);
 *   await form.change(opportunity.columns.idr_nights, 4);
 *   expect(form.dateValue(opportunity.columns.idr_departuredate)).toBe('2026-05-05');
 */
import type { DataverseClient } from '../../dataverse/client';
import * as generated from '../../dataverse/generated';
import type { ColumnType } from '../solution/model';
import { ColumnTypeMissingError, UnknownColumnError } from './errors';
import {
  type ColumnSpec,
  createFormFromSpec,
  type FormHandlerReference,
  type FormHarness,
  type FormTypeName,
  type HarnessValue,
} from './form';
import type { MemoryTable } from './memory-client';
import type { LoadedResources } from './resources';
import type { EntitySetSource } from './webapi';

export * from './errors';
export type {
  ColumnSpec,
  FormHandler,
  FormHandlerReference,
  FormHarness,
  FormTypeName,
  HarnessValue,
  LookupInput,
  SaveErrorInfo,
  SaveOutcome,
  SaveResult,
  WriteOutcome,
} from './form';
export type { ControlNotification, FormNotification } from './notifications';
export { memoryClient, type MemoryClient } from './memory-client';
export { type LoadedResources, resourceStringReader, ResourceStringNotFoundError } from './resources';
export { runInTimeZone, TimeZoneScenarioError } from './timezone';
export {
  toXrmPromise,
  xrmWebApiFromClient,
  type HarnessWebApi,
  type WebApiCall,
  type XrmErrorResponse,
} from './webapi';

/** The parts of a `dataverse/generated/` table constant the harness reads. */
export interface GeneratedTable {
  readonly logicalName: string;
  readonly entitySetName: string;
  readonly primaryNameAttribute?: string;
  readonly columns: Readonly<Record<string, string>>;
  readonly columnTypes: Readonly<Record<string, string>>;
  readonly lookupTargets?: Readonly<Record<string, readonly string[]>>;
  readonly choices?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export type ColumnOf<T extends GeneratedTable> = Extract<T['columns'][keyof T['columns']], string>;

export interface CreateFormOptions<T extends GeneratedTable> {
  table: T;
  /** Values the record holds when the form opens (not dirty). */
  values?: Partial<Record<ColumnOf<T>, HarnessValue>>;
  /** `create` (the default without `id`) or `update`. */
  formType?: FormTypeName;
  id?: string;
  /** The form's Xrm.WebApi: a DataverseClient (wrapped) or an Xrm.WebApi fake. */
  webApi?: DataverseClient | Xrm.WebApi;
  /** User language (userSettings.languageId); English by default. */
  userLanguage?: 1033 | 3082;
  /** RESX web resources the page has loaded, for `Xrm.Utility.getResourceString` (`loadedResources` of webresources/build). */
  resources?: LoadedResources;
  /** The form's layout as `loadMetadata()` gives it: only these fields are on the form, and its handlers are wired. */
  form?: { fields: readonly string[]; handlers: readonly FormHandlerReference[] };
  /** The script's namespace root (`{ Ideario: { GroupQuotes: { Opportunity: handlers } } }`) for `form.handlers`. */
  library?: object;
  /** Fields on the form when no `form` is given; every column of the table by default. */
  fields?: readonly ColumnOf<T>[];
  /** Fields locked in the form designer. */
  disabled?: readonly ColumnOf<T>[];
  /** Requirement levels set in the form designer or the column definition. */
  requiredLevels?: Partial<Record<ColumnOf<T>, 'none' | 'recommended' | 'required'>>;
}

export interface TableNames extends EntitySetSource, MemoryTable {}

/** Every generated table's names, so an Xrm.WebApi over a DataverseClient can address any of them. */
export function generatedTables(): TableNames[] {
  return Object.values(generated as Record<string, unknown>).filter((value): value is TableNames => {
    const t = value as Partial<Record<keyof TableNames, unknown>> | null;
    return (
      typeof t === 'object' &&
      t !== null &&
      typeof t.logicalName === 'string' &&
      typeof t.entitySetName === 'string' &&
      typeof t.primaryIdAttribute === 'string'
    );
  });
}

function columnSpec(table: GeneratedTable, column: string, required: string | undefined): ColumnSpec {
  const type = table.columnTypes[column] as ColumnType | undefined;
  if (!type) throw new ColumnTypeMissingError(table.logicalName, column);
  const choices = table.choices?.[column];
  return {
    logicalName: column,
    type,
    requiredLevel: required === 'required' || required === 'recommended' ? required : 'none',
    options: choices ? Object.entries(choices).map(([label, value]) => ({ label, value })) : undefined,
    targets: table.lookupTargets?.[column],
  };
}

/** A form for `table`, with one attribute and one control per field, typed by the generated column types. */
export function createForm<T extends GeneratedTable>(
  options: CreateFormOptions<T>,
): FormHarness<ColumnOf<T>> {
  const { table } = options;
  const all = Object.values(table.columns);
  const wanted = options.form ? options.form.fields : (options.fields ?? all);
  for (const name of wanted) {
    if (!all.includes(name)) throw new UnknownColumnError(table.logicalName, name, all);
  }
  const required = (options.requiredLevels ?? {}) as Partial<Record<string, string>>;
  const harness = createFormFromSpec<ColumnOf<T>>({
    logicalName: table.logicalName,
    columns: [...new Set(wanted)].map((name) => columnSpec(table, name, required[name])),
    values: options.values,
    formType: options.formType,
    id: options.id,
    primaryNameAttribute: table.primaryNameAttribute,
    webApi: options.webApi,
    tables: generatedTables(),
    userLanguage: options.userLanguage,
    disabled: options.disabled,
    resources: options.resources,
  });
  if (options.form && options.library) harness.registerHandlers(options.form.handlers, options.library);
  return harness;
}
