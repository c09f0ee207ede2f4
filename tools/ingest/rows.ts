/**
 * The CSV contract of `ideario ingest` and the checks one row must pass before it is sent. Pure: the
 * clock and the column limits (read from solution/ by the command) are passed in. Column names here
 * are the file's, chosen for integrators; the Dataverse names they map to come from
 * dataverse/generated in records.ts.
 */
import { normalizeGuid } from '../../dataverse/adapters/keys';
import { EventType, type EventTypeValue } from '../../dataverse/generated';

export const CSV_COLUMNS = [
  'source',
  'externalid',
  'eventtype',
  'occurredon',
  'contactemail',
  'contactid',
  'accountid',
  'url',
  'campaign',
  'product',
  'productfamily',
  'casesubject',
  'concept',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** What the command's help and README say about each column. */
export const COLUMN_HELP: Readonly<Record<CsvColumn, string>> = {
  source: 'system the event comes from, e.g. newsletter-tool (or --source for every row)',
  externalid:
    "the event's id in that system; source + externalid identify the event, so a replay changes nothing",
  eventtype: `${Object.keys(EventType).join(', ')}, or its number`,
  occurredon:
    'ISO 8601 with a time zone (2025-01-15T10:30:00Z, 2025-01-15T11:30:00+01:00) or a date (2025-01-15, read as 00:00 UTC)',
  contactemail: "the contact's primary email (emailaddress1); looked up once per batch",
  contactid: 'contact GUID (used instead of contactemail when both are given)',
  accountid: 'account GUID',
  url: 'page or link involved, for rules that match on url',
  campaign: 'campaign GUID',
  product: 'product name or number, for rules that match on product',
  productfamily: 'product family, for rules that match on productfamily',
  casesubject: 'case subject, for rules that match on subject',
  concept: 'explicit marketing concept: its code (idr_code) or GUID',
};

/** Longest text each column may hold (from the table's metadata); absent = not checked here. */
export type ColumnLimits = Partial<Record<CsvColumn | 'name', number>>;

export interface ColumnProblem {
  readonly column: string;
  readonly message: string;
}

export interface EventRow {
  /** 1-based position among the data rows: what the checkpoint counts. */
  readonly row: number;
  /** Line of the file the record starts on. */
  readonly line: number;
  readonly source: string;
  readonly externalId: string;
  readonly eventType: EventTypeValue;
  /** ISO 8601 UTC. */
  readonly occurredOn: string;
  readonly contactId?: string;
  readonly contactEmail?: string;
  readonly accountId?: string;
  readonly url?: string;
  readonly campaignId?: string;
  readonly product?: string;
  readonly productFamily?: string;
  readonly caseSubject?: string;
  readonly concept?: { readonly id: string } | { readonly code: string };
}

export type RowCheck =
  | { readonly ok: true; readonly row: EventRow }
  | { readonly ok: false; readonly problems: readonly ColumnProblem[] };

/** Header problems stop the run before anything is sent. */
export interface HeaderCheck {
  /** Index of each known column in the records. */
  readonly indexes: Partial<Record<CsvColumn, number>>;
  readonly problems: readonly string[];
  /** Columns ingest does not use (kept in the errors file, otherwise ignored). */
  readonly ignored: readonly string[];
}

export function checkHeader(header: readonly string[], hasDefaultSource: boolean): HeaderCheck {
  const indexes: Partial<Record<CsvColumn, number>> = {};
  const problems: string[] = [];
  const ignored: string[] = [];
  header.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    const known = CSV_COLUMNS.find((c) => c === name);
    if (!known) {
      ignored.push(raw.trim());
      return;
    }
    if (indexes[known] !== undefined) problems.push(`column '${known}' appears twice in the header`);
    else indexes[known] = index;
  });
  const required: CsvColumn[] = ['externalid', 'eventtype', 'occurredon'];
  if (!hasDefaultSource) required.unshift('source');
  for (const column of required) {
    if (indexes[column] === undefined) {
      problems.push(
        column === 'source'
          ? "the header has no 'source' column: add one, or pass --source <name> for every row"
          : `the header has no '${column}' column`,
      );
    }
  }
  if (
    indexes.contactemail === undefined &&
    indexes.contactid === undefined &&
    indexes.accountid === undefined
  ) {
    problems.push("the header needs a customer column: 'contactemail', 'contactid' or 'accountid'");
  }
  return { indexes, problems, ignored };
}

const EVENT_TYPES = Object.entries(EventType) as [string, EventTypeValue][];
const EMAIL = /^[^\s@"'<>,;()]+@[^\s@"'<>,;()]+\.[^\s@"'<>,;()]+$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Clock skew tolerated between the source system and this computer. */
const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;

export function parseEventType(text: string): EventTypeValue | undefined {
  const byName = EVENT_TYPES.find(([name]) => name.toLowerCase() === text.toLowerCase());
  if (byName) return byName[1];
  const n = Number(text);
  return /^\d+$/.test(text) ? EVENT_TYPES.find(([, value]) => value === n)?.[1] : undefined;
}

/** ISO 8601 → UTC ISO string; undefined when it is not a real instant with a zone, or a real date. */
export function parseOccurredOn(text: string): string | undefined {
  const date = DATE_ONLY.exec(text);
  const full = date ?? DATE_TIME.exec(text);
  if (!full) return undefined;
  const [year, month, day] = [Number(full[1]), Number(full[2]), Number(full[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  // Rejects 2025-02-30 and friends, which Date would roll over silently.
  if (
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  )
    return undefined;
  if (date) return calendar.toISOString();
  if (Number(full[4]) > 23 || Number(full[5]) > 59 || Number(full[6] ?? 0) > 59) return undefined;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString();
}

export interface RowContext {
  readonly row: number;
  readonly line: number;
  readonly defaultSource?: string;
  readonly limits: ColumnLimits;
  readonly now: Date;
}

/** Undoes the errors file's formula neutralisation (`'=…` → `=…`), so a fixed errors file ingests as written. */
function withoutNeutralisation(
  values: Readonly<Partial<Record<CsvColumn, string>>>,
): Partial<Record<CsvColumn, string>> {
  const out: Partial<Record<CsvColumn, string>> = {};
  for (const [column, value] of Object.entries(values) as [CsvColumn, string | undefined][])
    out[column] = value !== undefined && /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
  return out;
}

export function checkRow(
  rawValues: Readonly<Partial<Record<CsvColumn, string>>>,
  context: RowContext,
): RowCheck {
  const values = withoutNeutralisation(rawValues);
  const problems: ColumnProblem[] = [];
  const problem = (column: string, message: string) => problems.push({ column, message });
  const text = (column: CsvColumn): string | undefined => {
    const value = values[column]?.trim();
    if (!value) return undefined;
    const max = context.limits[column];
    if (max !== undefined && value.length > max) {
      problem(column, `is ${value.length} characters long; at most ${max} are allowed`);
      return undefined;
    }
    return value;
  };
  const guid = (column: CsvColumn, what: string): string | undefined => {
    const value = values[column]?.trim();
    if (!value) return undefined;
    const id = normalizeGuid(value);
    if (!id) problem(column, `'${value}' is not a ${what} GUID (like 6f1c2a8e-0b4d-4c7e-9a51-3e2f8d7c6b5a)`);
    return id ?? undefined;
  };

  const source = text('source') ?? (values.source?.trim() ? undefined : context.defaultSource);
  if (!source && !problems.some((p) => p.column === 'source'))
    problem('source', 'is empty: give the system the event comes from (or --source)');
  const externalId = text('externalid');
  if (!externalId && !problems.some((p) => p.column === 'externalid'))
    problem('externalid', "is empty: give the event's id in its source system");

  const rawType = values.eventtype?.trim() ?? '';
  const eventType = rawType ? parseEventType(rawType) : undefined;
  if (eventType === undefined) {
    problem(
      'eventtype',
      `${rawType ? `'${rawType}' is not an event type` : 'is empty'}: use one of ${COLUMN_HELP.eventtype}`,
    );
  }

  const rawDate = values.occurredon?.trim() ?? '';
  const occurredOn = rawDate ? parseOccurredOn(rawDate) : undefined;
  if (!occurredOn) {
    problem(
      'occurredon',
      `${rawDate ? `'${rawDate}' is not a date` : 'is empty'}: use ${COLUMN_HELP.occurredon}`,
    );
  } else if (new Date(occurredOn).getTime() > context.now.getTime() + FUTURE_TOLERANCE_MS) {
    problem('occurredon', `'${rawDate}' is in the future: give when the event happened`);
  }

  const contactId = guid('contactid', 'contact');
  const accountId = guid('accountid', 'account');
  const campaignId = guid('campaign', 'campaign');
  let contactEmail: string | undefined;
  const rawEmail = values.contactemail?.trim();
  if (rawEmail && !contactId) {
    if (EMAIL.test(rawEmail)) contactEmail = rawEmail;
    else problem('contactemail', `'${rawEmail}' is not an email address`);
  }
  if (!rawEmail && !values.contactid?.trim() && !values.accountid?.trim()) {
    problem('contactemail', 'no customer: give contactemail, contactid or accountid');
  }

  let concept: EventRow['concept'];
  const rawConcept = values.concept?.trim();
  if (rawConcept) {
    const id = normalizeGuid(rawConcept);
    const code = id ? undefined : text('concept');
    concept = id ? { id } : code ? { code } : undefined;
  }
  const url = text('url');
  const product = text('product');
  const productFamily = text('productfamily');
  const caseSubject = text('casesubject');

  if (problems.length > 0 || !source || !externalId || eventType === undefined || !occurredOn)
    return { ok: false, problems };
  return {
    ok: true,
    row: {
      row: context.row,
      line: context.line,
      source,
      externalId,
      eventType,
      occurredOn,
      ...(contactId ? { contactId } : {}),
      ...(contactEmail ? { contactEmail } : {}),
      ...(accountId ? { accountId } : {}),
      ...(url ? { url } : {}),
      ...(campaignId ? { campaignId } : {}),
      ...(product ? { product } : {}),
      ...(productFamily ? { productFamily } : {}),
      ...(caseSubject ? { caseSubject } : {}),
      ...(concept ? { concept } : {}),
    },
  };
}

/** The name of an event type value, for the record's name. */
export function eventTypeName(value: EventTypeValue): string {
  return EVENT_TYPES.find(([, v]) => v === value)?.[0] ?? String(value);
}
