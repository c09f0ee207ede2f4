/**
 * Opens the Group Quotation form of the solution in the harness, with this script wired exactly
 * as its FormXml registers it. Used by the form tests and the time-zone scenarios; never bundled.
 */
import path from 'node:path';
import type { EntityRecord } from '../../dataverse/client';
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { idr_quotationpolicy, opportunity } from '../../dataverse/generated';
import { parseDateOnly, toLocalDate } from '../../domain/quotation/dateonly';
import {
  type ColumnOf,
  createForm,
  type FormHarness,
  generatedTables,
  type HarnessValue,
  memoryClient,
} from '../../tools/harness';
import { loadMetadata } from '../../tools/solution/loader';
import type { FormModel } from '../../tools/solution/model';
import { loadedResources, WEB_RESOURCES } from '../build';
import { createOpportunityForm, FORM_TABLES } from './form';
import { STRINGS_RESOURCE } from './messages';

export type OpportunityColumn = ColumnOf<typeof opportunity>;
export type QuotationForm = FormHarness<OpportunityColumn>;

const library = WEB_RESOURCES.find((w) => w.folder === 'opportunity');
let cachedForm: FormModel | undefined;

/** The solution's Opportunity form that loads this script (read from solution/ once). */
export function groupQuotationForm(): FormModel {
  if (!cachedForm) {
    const forms = loadMetadata(path.join(__dirname, '..', '..', 'solution')).tables[opportunity.logicalName]
      .forms;
    cachedForm = forms.find((f) => library !== undefined && f.libraries.includes(library.webResourceName));
    if (!cachedForm)
      throw new Error(
        `No Opportunity form in solution/ loads ${library?.webResourceName ?? 'the opportunity library'}`,
      );
  }
  return cachedForm;
}

export interface OpenQuotationOptions {
  values?: Partial<Record<OpportunityColumn, HarnessValue>>;
  /** An existing quotation (update form) instead of a new one. */
  existing?: boolean;
  userLanguage?: 1033 | 3082;
  /** Rows of idr_quotationpolicy Dataverse holds. */
  policies?: EntityRecord[];
  /** The day the user works on, YYYY-MM-DD. */
  today?: string;
  /** Replaces the Xrm.WebApi (e.g. one that fails). */
  webApi?: Xrm.WebApi;
}

export const OPPORTUNITY_ID = '{3f1f6a5e-2d7c-4d3a-8f1e-00000000c0de}';

/** Opens the form (OnLoad has run) for a user working on `today`. */
export async function openQuotation(options: OpenQuotationOptions = {}): Promise<QuotationForm> {
  const today = toLocalDate(parseDateOnly(options.today ?? '2026-04-01'));
  today.setHours(10, 30);
  const layout = groupQuotationForm();
  const form = createForm({
    table: opportunity,
    form: layout,
    values: options.values,
    formType: options.existing ? 'update' : 'create',
    id: options.existing ? OPPORTUNITY_ID : undefined,
    userLanguage: options.userLanguage,
    resources: loadedResources(library ? [library] : []),
    webApi:
      options.webApi ??
      memoryClient(generatedTables(), { [idr_quotationpolicy.entitySetName]: options.policies ?? [] }),
  });
  const handlers = createOpportunityForm({
    client: () => createXrmReader(form.xrm.WebApi, { tables: FORM_TABLES }),
    clock: () => new Date(today.getTime()),
    text: (key) => form.xrm.Utility.getResourceString(STRINGS_RESOURCE, key),
  });
  form.registerHandlers(layout.handlers, { Ideario: { GroupQuotes: { Opportunity: handlers } } });
  await form.load();
  return form;
}
