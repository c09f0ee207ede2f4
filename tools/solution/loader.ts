/**
 * Reads unpacked solutions (the SolutionPackager / `pac solution unpack` layout) into the model of
 * `model.ts`. File layout and element names follow Microsoft's "SolutionPackager tool" and
 * "Solution component file reference" pages and the CustomizationsSolution.xsd schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  displayPath,
  InvalidSolutionSourceError,
  type SolutionSourceError,
  type SolutionSourceErrorKind,
} from './errors';
import type {
  AlternateKeyModel,
  CascadeType,
  ColumnModel,
  ColumnType,
  ControlModel,
  EnvironmentVariableModel,
  FormModel,
  Labels,
  LanguageCode,
  MetadataModel,
  OptionModel,
  OptionSetModel,
  PublisherModel,
  RelationshipModel,
  RoleModel,
  ServiceEndpointModel,
  SolutionModel,
  StepImageModel,
  StepModel,
  TableModel,
  ViewModel,
  WebResourceModel,
} from './model';

// ---------------------------------------------------------------------------------------------
// XML: a small element tree with line numbers

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Direct text content, trimmed. */
  text: string;
  line: number;
  start: number;
  end: number;
}

export interface XmlDocument {
  file: string;
  source: string;
  root: XmlElement;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  captureMetaData: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  htmlEntities: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as string;

type RawNode = Record<string, unknown>;

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function toElements(nodes: unknown, starts: number[]): XmlElement[] {
  const out: XmlElement[] = [];
  if (!Array.isArray(nodes)) return out;
  for (const node of nodes as RawNode[]) {
    const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
    if (!name) continue;
    const meta = (node as Record<string, unknown>)[META] as
      { startIndex?: number; endIndex?: number } | undefined;
    const start = meta?.startIndex ?? 0;
    const rawChildren = node[name] as RawNode[];
    const attrs: Record<string, string> = {};
    const rawAttrs = node[':@'] as Record<string, unknown> | undefined;
    if (rawAttrs) for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = String(v);
    const text = Array.isArray(rawChildren)
      ? rawChildren
          .filter((c) => '#text' in c)
          .map((c) => String(c['#text']))
          .join('')
          .trim()
      : '';
    out.push({
      name,
      attrs,
      children: toElements(rawChildren, starts),
      text,
      line: lineAt(starts, start),
      start,
      end: meta?.endIndex ?? start,
    });
  }
  return out;
}

/** Parses XML text; returns the problem instead when the text is not well-formed XML. */
export function parseXml(source: string, file: string): XmlDocument | SolutionSourceError {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return problem(
      'malformed-xml',
      file,
      valid.err.line,
      `malformed XML: ${valid.err.msg}`,
      'Fix the XML at this line (an unclosed or mismatched tag, an unescaped & or <).',
    );
  }
  const starts = lineStarts(text);
  const roots = toElements(parser.parse(text), starts);
  if (roots.length === 0)
    return problem(
      'malformed-xml',
      file,
      1,
      'the file holds no XML element',
      'Restore the file content or delete the file.',
    );
  return { file, source: text, root: roots[0] };
}

const lower = (s: string): string => s.toLowerCase();

/** `record[key]` for the record's own keys only, so names like `constructor` in the source are not mistaken for entries. */
export function own<T>(record: Readonly<Record<string | number, T>>, key: string | number): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  const n = lower(name);
  return el?.children.find((c) => lower(c.name) === n);
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  const n = lower(name);
  return el ? el.children.filter((c) => lower(c.name) === n) : [];
}

export function descendants(el: XmlElement | undefined, name: string, out: XmlElement[] = []): XmlElement[] {
  if (!el) return out;
  const n = lower(name);
  for (const c of el.children) {
    if (lower(c.name) === n) out.push(c);
    descendants(c, name, out);
  }
  return out;
}

function textOf(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c ? c.text : undefined;
}

function attr(el: XmlElement | undefined, name: string): string | undefined {
  if (!el) return undefined;
  const n = lower(name);
  const key = Object.keys(el.attrs).find((k) => lower(k) === n);
  return key === undefined ? undefined : el.attrs[key];
}

function intOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true'].includes(lower(value.trim()));
}

/** GUIDs are compared without braces and case. */
export function normalizeGuid(value: string | undefined): string {
  return (value ?? '')
    .trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase();
}

const LANGUAGES: readonly LanguageCode[] = [1033, 3082];

/** Reads `<x description=".." languagecode="1033"/>` children (displaynames, LocalizedNames, labels…). */
function labelsOf(container: XmlElement | undefined): Labels {
  const labels: Labels = {};
  for (const c of container?.children ?? []) {
    const code = intOf(attr(c, 'languagecode')) as LanguageCode | undefined;
    const description = attr(c, 'description');
    if (
      code !== undefined &&
      LANGUAGES.includes(code) &&
      description !== undefined &&
      labels[code] === undefined
    ) {
      labels[code] = description;
    }
  }
  return labels;
}

/** The environment variable files write `<displayname default="…"><label …/></displayname>`. */
function labelsWithDefault(el: XmlElement | undefined): Labels {
  const labels = labelsOf(el);
  const fallback = attr(el, 'default');
  if (labels[1033] === undefined && fallback) labels[1033] = fallback;
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * The identifier `dataverse/generated/` exports for a label: PascalCase, non-alphanumerics removed,
 * a leading digit prefixed with `_` ("Email click" → `EmailClick`, "Out-Sold" → `OutSold`).
 */
export function toIdentifier(label: string, fallback: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const id = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('') || fallback;
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** The plural Dataverse derives for a table's entity set when the source does not give one. */
export function derivedEntitySetName(logicalName: string): string {
  if (/[^aeiou]y$/.test(logicalName)) return `${logicalName.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(logicalName)) return `${logicalName}es`;
  return `${logicalName}s`;
}

/** Object type codes of standard tables, fixed in every environment; exported `<LookupType>`s use them. */
export const OBJECT_TYPE_CODES: Readonly<Record<number, string>> = {
  1: 'account',
  2: 'contact',
  3: 'opportunity',
  4: 'lead',
  5: 'annotation',
  8: 'systemuser',
  9: 'team',
  10: 'businessunit',
  112: 'incident',
  129: 'subject',
  135: 'activityparty',
  380: 'environmentvariabledefinition',
  381: 'environmentvariablevalue',
  1022: 'pricelevel',
  1088: 'salesorder',
  2020: 'queue',
  4200: 'activitypointer',
  4201: 'appointment',
  4202: 'email',
  4210: 'phonecall',
  4212: 'task',
  4300: 'list',
  4301: 'listmember',
  4400: 'campaign',
  4401: 'campaignresponse',
  4402: 'campaignactivity',
  4404: 'campaignactivityitem',
  4608: 'sdkmessageprocessingstep',
  4618: 'serviceendpoint',
  4700: 'asyncoperation',
  4703: 'workflow',
  9105: 'transactioncurrency',
  9953: 'knowledgearticle',
};

/**
 * Platform SDK messages have the same `sdkmessageid` in every environment, which is why an exported
 * step names its message by id alone. Ids from Microsoft Learn, "Use messages with the SDK for .NET".
 */
export const SDK_MESSAGE_IDS: Readonly<Record<string, string>> = {
  '8cbdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Assign',
  '9ebdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Create',
  'a1bdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Delete',
  'c5bdbb1b-ea3e-db11-86a7-000a3a5473e8': 'GrantAccess',
  'dbbdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Merge',
  'dcbdbb1b-ea3e-db11-86a7-000a3a5473e8': 'ModifyAccess',
  'f2bdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Retrieve',
  '03bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RetrieveMultiple',
  '04bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RetrievePrincipalAccess',
  '10bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RetrieveSharedPrincipalsAndAccess',
  '11bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RevokeAccess',
  '1cbebb1b-ea3e-db11-86a7-000a3a5473e8': 'SetState',
  '1dbebb1b-ea3e-db11-86a7-000a3a5473e8': 'SetStateDynamicEntity',
  '20bebb1b-ea3e-db11-86a7-000a3a5473e8': 'Update',
};

/** Messages a step may be registered on (the table-bound events of the Dataverse event pipeline). */
export const KNOWN_MESSAGES: readonly string[] = [
  'Create',
  'Update',
  'Delete',
  'Retrieve',
  'RetrieveMultiple',
  'Associate',
  'Disassociate',
  'SetState',
  'SetStateDynamicEntity',
  'Assign',
  'GrantAccess',
  'ModifyAccess',
  'RevokeAccess',
  'Merge',
  'Upsert',
  'CreateMultiple',
  'UpdateMultiple',
  'UpsertMultiple',
  'DeleteMultiple',
  'AddMember',
  'AddListMembers',
  'RemoveMember',
  'QualifyLead',
  'Win',
  'Lose',
  'CloseIncident',
  'FulfillSalesOrder',
  'CancelSalesOrder',
  'Send',
  'DeliverIncoming',
  'Route',
  'RetrievePrincipalAccess',
  'RetrieveSharedPrincipalsAndAccess',
];

const MESSAGE_BY_LOWER = new Map(KNOWN_MESSAGES.map((m) => [lower(m), m]));

// ---------------------------------------------------------------------------------------------
// Reading a solution

/** Lines of model elements, for messages that point at one element. */
export class SourcePositions {
  private readonly lines = new WeakMap<object, number>();
  private readonly refs = new WeakMap<object, Map<string, number>>();

  set(target: object, line: number): void {
    this.lines.set(target, line);
  }

  of(target: object): number | undefined {
    return this.lines.get(target);
  }

  /** Line of the first place `owner` names `key` (a form's field, a view's column…). */
  setRef(owner: object, key: string, line: number): void {
    let map = this.refs.get(owner);
    if (!map) this.refs.set(owner, (map = new Map<string, number>()));
    if (!map.has(key)) map.set(key, line);
  }

  ref(owner: object, key: string): number | undefined {
    return this.refs.get(owner)?.get(key);
  }
}

export interface SolutionSource {
  /** `undefined` when the folder holds no readable `Other/Solution.xml`. */
  model: SolutionModel | undefined;
  /** Problems found while reading (malformed XML, columns without a type…). */
  problems: SolutionSourceError[];
  /** Every XML file read, parsed. */
  documents: XmlDocument[];
  positions: SourcePositions;
  /** Where each model element came from. */
  files: { solutionXml: string; srcDir: string };
}

function problem(
  kind: SolutionSourceErrorKind,
  file: string,
  line: number | undefined,
  message: string,
  fix: string,
): SolutionSourceError {
  return line === undefined
    ? { kind, file: displayPath(file), message, fix }
    : { kind, file: displayPath(file), line, message, fix };
}

function isProblem(value: XmlDocument | SolutionSourceError): value is SolutionSourceError {
  return 'kind' in value;
}

function listFiles(dir: string, predicate: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (predicate(full)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** The folder holding `Other/Solution.xml`: `<dir>/src` in the pac layout, or `dir` itself. */
export function solutionSrcDir(dir: string): string {
  const src = path.join(dir, 'src');
  return fs.existsSync(path.join(src, 'Other')) ? src : dir;
}

class Reader {
  readonly problems: SolutionSourceError[] = [];
  readonly documents: XmlDocument[] = [];
  readonly positions = new SourcePositions();

  read(file: string): XmlDocument | undefined {
    const parsed = parseXml(fs.readFileSync(file, 'utf8'), file);
    if (isProblem(parsed)) {
      this.problems.push(parsed);
      return undefined;
    }
    this.documents.push(parsed);
    return parsed;
  }

  report(
    kind: SolutionSourceErrorKind,
    file: string,
    line: number | undefined,
    message: string,
    fix: string,
  ): void {
    this.problems.push(problem(kind, file, line, message, fix));
  }
}

const TYPES: Readonly<Record<string, ColumnType>> = {
  primarykey: 'Uniqueidentifier',
  uniqueidentifier: 'Uniqueidentifier',
  nvarchar: 'String',
  varchar: 'String',
  char: 'String',
  nchar: 'String',
  ntext: 'Memo',
  text: 'Memo',
  int: 'Integer',
  smallint: 'Integer',
  tinyint: 'Integer',
  bigint: 'BigInt',
  decimal: 'Decimal',
  numeric: 'Decimal',
  float: 'Double',
  real: 'Double',
  money: 'Money',
  smallmoney: 'Money',
  bit: 'Boolean',
  datetime: 'DateTime',
  smalldatetime: 'DateTime',
  picklist: 'Picklist',
  state: 'State',
  status: 'Status',
  lookup: 'Lookup',
  customer: 'Customer',
  owner: 'Owner',
  entityname: 'EntityName',
  partylist: 'PartyList',
};

const REQUIRED_LEVELS: Readonly<Record<string, ColumnModel['requiredLevel']>> = {
  none: 'none',
  recommended: 'recommended',
  required: 'required',
  applicationrequired: 'required',
  systemrequired: 'systemrequired',
};

const DATE_BEHAVIORS: Readonly<Record<string, ColumnModel['dateBehavior']>> = {
  '1': 'UserLocal',
  '2': 'DateOnly',
  '3': 'TimeZoneIndependent',
  userlocal: 'UserLocal',
  dateonly: 'DateOnly',
  timezoneindependent: 'TimeZoneIndependent',
};

function readOptions(
  r: Reader,
  optionSet: XmlElement | undefined,
  kind: 'options' | 'states' | 'statuses',
): OptionModel[] {
  const container = child(optionSet, kind);
  const options: OptionModel[] = [];
  for (const el of container?.children ?? []) {
    const value = intOf(attr(el, 'value'));
    if (value === undefined) continue;
    const label = labelsOf(child(el, 'labels'));
    const option: OptionModel = {
      value,
      label,
      identifier: toIdentifier(label[1033] ?? attr(el, 'invariantname') ?? '', `_${value}`),
    };
    const state = intOf(attr(el, 'state'));
    if (state !== undefined) option.state = state;
    r.positions.set(option, el.line);
    options.push(option);
  }
  return options;
}

interface TableContext {
  logicalName: string;
  prefix: string;
  file: string;
  isPlatform: boolean;
}

function readColumn(r: Reader, el: XmlElement, ctx: TableContext): ColumnModel | undefined {
  const physical = attr(el, 'PhysicalName') ?? '';
  const logicalName = lower(textOf(el, 'LogicalName') || textOf(el, 'Name') || physical);
  if (!logicalName) {
    r.report(
      'missing-column-type',
      ctx.file,
      el.line,
      `a column on ${ctx.logicalName} has no name`,
      'Give the <attribute> a PhysicalName and a <LogicalName>.',
    );
    return undefined;
  }
  const rawType = lower(textOf(el, 'Type') ?? '');
  if (!rawType) {
    r.report(
      'missing-column-type',
      ctx.file,
      el.line,
      `column ${logicalName} on ${ctx.logicalName} has no <Type>`,
      `Add <Type> to the attribute (one of ${Object.keys(TYPES).join(', ')}).`,
    );
    return undefined;
  }
  let type = own(TYPES, rawType);
  if (!type) {
    r.report(
      'unknown-column-type',
      ctx.file,
      child(el, 'Type')?.line ?? el.line,
      `column ${logicalName} on ${ctx.logicalName} has type "${rawType}", which Ideario does not read`,
      `Use one of ${Object.keys(TYPES).join(', ')}.`,
    );
    return undefined;
  }
  const customFlag = textOf(el, 'IsCustomField');
  const column: ColumnModel = {
    logicalName,
    type,
    displayName: labelsOf(child(el, 'displaynames')),
    description: labelsOf(child(el, 'Descriptions')),
    requiredLevel: own(REQUIRED_LEVELS, lower(textOf(el, 'RequiredLevel') ?? 'none')) ?? 'none',
    isCustom:
      customFlag !== undefined
        ? flag(customFlag)
        : !ctx.isPlatform && logicalName.startsWith(`${ctx.prefix}_`),
  };
  const maxLength = intOf(textOf(el, 'MaxLength'));
  if (maxLength !== undefined && (type === 'String' || type === 'Memo')) column.maxLength = maxLength;
  const minValue = intOf(textOf(el, 'MinValue'));
  const maxValue = intOf(textOf(el, 'MaxValue'));
  if (minValue !== undefined) column.minValue = minValue;
  if (maxValue !== undefined) column.maxValue = maxValue;
  const precision = intOf(textOf(el, 'Accuracy'));
  if (precision !== undefined) column.precision = precision;
  const format = textOf(el, 'Format');
  if (format) column.format = lower(format);
  if (type === 'DateTime') {
    const behavior = own(DATE_BEHAVIORS, lower(textOf(el, 'Behavior') ?? '1')) ?? 'UserLocal';
    column.dateBehavior = behavior;
    if (behavior === 'DateOnly') type = column.type = 'DateOnly';
  }
  const optionSetName = textOf(el, 'OptionSetName');
  const optionSet = child(el, 'optionset');
  if (optionSetName) column.optionSetName = lower(optionSetName);
  else if (optionSet && flag(textOf(optionSet, 'IsGlobal')) && attr(optionSet, 'Name'))
    column.optionSetName = lower(attr(optionSet, 'Name') ?? '');
  else if (optionSet) {
    const kind = type === 'State' ? 'states' : type === 'Status' ? 'statuses' : 'options';
    column.options = readOptions(r, optionSet, kind);
  }
  const lookupTypes = childrenNamed(child(el, 'LookupTypes'), 'LookupType')
    .map(
      (t) =>
        own(OBJECT_TYPE_CODES, intOf(t.text) ?? -1) ??
        (/^[a-z_][a-z0-9_]*$/i.test(t.text) ? lower(t.text) : undefined),
    )
    .filter((t): t is string => t !== undefined);
  if (type === 'Lookup' || type === 'Customer' || type === 'Owner') {
    column.targets = lookupTypes;
    if (column.targets.length === 0 && type === 'Owner') column.targets = ['systemuser', 'team'];
    if (column.targets.length === 0 && type === 'Customer') column.targets = ['account', 'contact'];
  }
  const appDefault = intOf(textOf(el, 'AppDefaultValue'));
  if (appDefault !== undefined && type === 'Boolean') column.defaultValue = appDefault === 1;
  else if (appDefault !== undefined && appDefault !== -1 && type === 'Picklist')
    column.defaultValue = appDefault;
  r.positions.set(column, el.line);
  return column;
}

function readForm(r: Reader, doc: XmlDocument, type: string): FormModel[] {
  const forms: FormModel[] = [];
  const systemForms =
    lower(doc.root.name) === 'systemform' ? [doc.root] : descendants(doc.root, 'systemform');
  for (const sf of systemForms) {
    const formEl = child(sf, 'form');
    const form: FormModel = {
      id: normalizeGuid(textOf(sf, 'formid')),
      type: attr(child(doc.root, 'forms') ?? doc.root, 'type') ?? type,
      name: labelsOf(child(sf, 'LocalizedNames')),
      fields: [],
      libraries: [],
      handlers: [],
      controls: [],
      file: doc.file,
    };
    for (const control of descendants(formEl, 'control')) {
      const field = attr(control, 'datafieldname');
      if (field && !form.fields.includes(lower(field))) form.fields.push(lower(field));
      if (field) r.positions.setRef(form, `field:${lower(field)}`, control.line);
    }
    for (const lib of descendants(child(formEl, 'formLibraries'), 'Library')) {
      const name = attr(lib, 'name');
      if (name && !form.libraries.includes(name)) form.libraries.push(name);
      if (name) r.positions.setRef(form, `library:${name}`, lib.line);
    }
    for (const event of descendants(child(formEl, 'events'), 'event')) {
      for (const handler of descendants(event, 'Handler')) {
        const library = attr(handler, 'libraryName') ?? '';
        const entry: FormModel['handlers'][number] = {
          event: attr(event, 'name') ?? '',
          library,
          functionName: attr(handler, 'functionName') ?? '',
        };
        const attribute = attr(event, 'attribute');
        if (attribute) entry.attribute = lower(attribute);
        form.handlers.push(entry);
        r.positions.setRef(form, `library:${library}`, handler.line);
      }
    }
    for (const cc of descendants(formEl, 'customControl')) {
      const name = attr(cc, 'name');
      if (name && !form.controls.includes(name)) form.controls.push(name);
      if (name) r.positions.setRef(form, `control:${name}`, cc.line);
    }
    r.positions.set(form, sf.line);
    forms.push(form);
  }
  return forms;
}

function readFetchColumns(r: Reader, view: ViewModel, fetch: XmlElement | undefined): void {
  const entity = child(fetch, 'entity');
  const linked: { entity: string; column: string }[] = [];
  const visit = (el: XmlElement, table: string | undefined): void => {
    for (const c of el.children) {
      const n = lower(c.name);
      if (n === 'link-entity') {
        visit(c, lower(attr(c, 'name') ?? ''));
        continue;
      }
      const column =
        n === 'attribute'
          ? attr(c, 'name')
          : n === 'order' || n === 'condition'
            ? attr(c, 'attribute')
            : undefined;
      if (column && !attr(c, 'entityname')) {
        if (table === undefined) {
          if (!view.columns.includes(lower(column))) view.columns.push(lower(column));
          r.positions.setRef(view, `column:${lower(column)}`, c.line);
        } else if (!linked.some((l) => l.entity === table && l.column === lower(column))) {
          linked.push({ entity: table, column: lower(column) });
          r.positions.setRef(view, `column:${table}.${lower(column)}`, c.line);
        }
      }
      visit(c, table);
    }
  };
  if (entity) visit(entity, undefined);
  if (linked.length > 0) view.linkedColumns = linked;
}

function readViews(r: Reader, doc: XmlDocument): ViewModel[] {
  const views: ViewModel[] = [];
  const queries = lower(doc.root.name) === 'savedquery' ? [doc.root] : descendants(doc.root, 'savedquery');
  for (const q of queries) {
    const fetchContainer = child(q, 'fetchxml');
    const fetch = child(fetchContainer, 'fetch');
    const view: ViewModel = {
      id: normalizeGuid(textOf(q, 'savedqueryid')),
      name: labelsOf(child(q, 'LocalizedNames')),
      queryType: intOf(textOf(q, 'querytype')) ?? 0,
      isDefault: flag(textOf(q, 'isdefault')),
      fetchXml: fetch ? doc.source.slice(fetch.start, fetch.end) : (fetchContainer?.text ?? ''),
      columns: [],
      file: doc.file,
    };
    for (const cell of descendants(child(q, 'layoutxml'), 'cell')) {
      const name = attr(cell, 'name');
      // Cells of linked tables are named `alias.column`; their alias is declared in the fetch.
      if (!name || name.includes('.')) continue;
      if (!view.columns.includes(lower(name))) view.columns.push(lower(name));
      r.positions.setRef(view, `column:${lower(name)}`, cell.line);
    }
    readFetchColumns(r, view, fetch);
    r.positions.set(view, q.line);
    views.push(view);
  }
  return views;
}

const OWNERSHIP: Readonly<Record<string, TableModel['ownership']>> = {
  userowned: 'UserOwned',
  orgowned: 'OrganizationOwned',
  organizationowned: 'OrganizationOwned',
  businessowned: 'BusinessOwned',
  none: 'None',
};

function readTable(
  r: Reader,
  entityFile: string,
  ctx: Omit<TableContext, 'logicalName' | 'file'>,
): TableModel | undefined {
  const doc = r.read(entityFile);
  if (!doc) return undefined;
  const entity = descendants(doc.root, 'entity')[0];
  const logicalName = lower(
    attr(entity, 'Name') ?? textOf(doc.root, 'Name') ?? path.basename(path.dirname(entityFile)),
  );
  const tctx: TableContext = { ...ctx, logicalName, file: entityFile };
  const columns: Record<string, ColumnModel> = {};
  let primaryId: string | undefined;
  let primaryName: string | undefined;
  for (const a of descendants(child(entity, 'attributes'), 'attribute')) {
    const rawType = lower(textOf(a, 'Type') ?? '');
    const column = readColumn(r, a, tctx);
    if (!column) continue;
    columns[column.logicalName] = column;
    if (rawType === 'primarykey') primaryId = column.logicalName;
    if ((textOf(a, 'DisplayMask') ?? '').split('|').includes('PrimaryName')) primaryName = column.logicalName;
  }
  const isCustom = !ctx.isPlatform && logicalName.startsWith(`${ctx.prefix}_`);
  const isActivity = flag(textOf(entity, 'IsActivity'));
  const keys: AlternateKeyModel[] = descendants(child(entity, 'EntityKeys'), 'EntityKey').map((k) => {
    const key: AlternateKeyModel = {
      name: lower(textOf(k, 'LogicalName') || textOf(k, 'Name') || ''),
      columns: childrenNamed(child(k, 'EntityKeyAttributes'), 'AttributeName').map((a) => lower(a.text)),
      displayName: labelsOf(child(k, 'displaynames')),
    };
    r.positions.set(key, k.line);
    return key;
  });
  const table: TableModel = {
    logicalName,
    entitySetName: textOf(entity, 'EntitySetName') || (isCustom ? derivedEntitySetName(logicalName) : ''),
    displayName: labelsOf(child(entity, 'LocalizedNames')),
    displayCollectionName: labelsOf(child(entity, 'LocalizedCollectionNames')),
    description: labelsOf(child(entity, 'Descriptions')),
    primaryIdAttribute: primaryId ?? (isActivity ? 'activityid' : `${logicalName}id`),
    primaryNameAttribute: primaryName ?? '',
    ownership: own(OWNERSHIP, lower(textOf(entity, 'OwnershipTypeMask') ?? '')) ?? 'UserOwned',
    isCustom,
    isActivity,
    isExtension: !ctx.isPlatform && !isCustom,
    columns,
    alternateKeys: keys,
    forms: [],
    views: [],
    file: entityFile,
  };
  if (table.displayName[1033] === undefined) {
    const localized = attr(child(doc.root, 'Name'), 'LocalizedName');
    if (localized) table.displayName[1033] = localized;
  }
  const tableDir = path.dirname(entityFile);
  for (const formFile of listFiles(path.join(tableDir, 'FormXml'), (f) => f.endsWith('.xml'))) {
    const formDoc = r.read(formFile);
    if (formDoc) table.forms.push(...readForm(r, formDoc, path.basename(path.dirname(formFile))));
  }
  for (const viewFile of listFiles(path.join(tableDir, 'SavedQueries'), (f) => f.endsWith('.xml'))) {
    const viewDoc = r.read(viewFile);
    if (viewDoc) table.views.push(...readViews(r, viewDoc));
  }
  // Forms and views can also sit inline in Entity.xml (an unpack without --formxml splitting).
  for (const forms of descendants(child(doc.root, 'FormXml'), 'forms')) {
    table.forms.push(...readForm(r, { ...doc, root: forms }, attr(forms, 'type') ?? 'main'));
  }
  const inlineViews = child(doc.root, 'SavedQueries');
  if (inlineViews) table.views.push(...readViews(r, { ...doc, root: inlineViews }));
  r.positions.set(table, entity?.line ?? doc.root.line);
  return table;
}

function systemColumn(
  logicalName: string,
  type: ColumnType,
  label: string,
  extra: Partial<ColumnModel> = {},
): ColumnModel {
  return {
    logicalName,
    type,
    displayName: { 1033: label },
    description: {},
    requiredLevel: 'none',
    isCustom: false,
    ...extra,
  };
}

/**
 * Dataverse creates these columns with every custom table whether or not the exported Entity.xml
 * lists them ("Create and edit tables": standard columns of a new table), so the model has them too.
 */
function addSystemColumns(table: TableModel): void {
  const add = (column: ColumnModel): void => {
    if (!table.columns[column.logicalName]) table.columns[column.logicalName] = column;
  };
  add(
    systemColumn(table.primaryIdAttribute, 'Uniqueidentifier', table.displayName[1033] ?? table.logicalName, {
      requiredLevel: 'systemrequired',
    }),
  );
  add(systemColumn('createdon', 'DateTime', 'Created On', { dateBehavior: 'UserLocal' }));
  add(systemColumn('createdby', 'Lookup', 'Created By', { targets: ['systemuser'] }));
  add(systemColumn('modifiedon', 'DateTime', 'Modified On', { dateBehavior: 'UserLocal' }));
  add(systemColumn('modifiedby', 'Lookup', 'Modified By', { targets: ['systemuser'] }));
  add(
    systemColumn('overriddencreatedon', 'DateTime', 'Record Created On', {
      dateBehavior: 'UserLocal',
      format: 'date',
    }),
  );
  add(systemColumn('importsequencenumber', 'Integer', 'Import Sequence Number'));
  add(systemColumn('versionnumber', 'BigInt', 'Version Number'));
  add(systemColumn('timezoneruleversionnumber', 'Integer', 'Time Zone Rule Version Number'));
  add(systemColumn('utcconversiontimezonecode', 'Integer', 'UTC Conversion Time Zone Code'));
  if (table.ownership === 'UserOwned') {
    add(
      systemColumn('ownerid', 'Owner', 'Owner', {
        requiredLevel: 'systemrequired',
        targets: ['systemuser', 'team'],
      }),
    );
    add(systemColumn('owningbusinessunit', 'Lookup', 'Owning Business Unit', { targets: ['businessunit'] }));
    add(systemColumn('owninguser', 'Lookup', 'Owning User', { targets: ['systemuser'] }));
    add(systemColumn('owningteam', 'Lookup', 'Owning Team', { targets: ['team'] }));
  } else if (table.ownership === 'OrganizationOwned') {
    add(systemColumn('organizationid', 'Lookup', 'Organization Id', { targets: ['organization'] }));
  }
  add(
    systemColumn('statecode', 'State', 'Status', {
      requiredLevel: 'systemrequired',
      options: [
        { value: 0, label: { 1033: 'Active' }, identifier: 'Active' },
        { value: 1, label: { 1033: 'Inactive' }, identifier: 'Inactive' },
      ],
    }),
  );
  add(
    systemColumn('statuscode', 'Status', 'Status Reason', {
      options: [
        { value: 1, label: { 1033: 'Active' }, identifier: 'Active', state: 0 },
        { value: 2, label: { 1033: 'Inactive' }, identifier: 'Inactive', state: 1 },
      ],
    }),
  );
}

function readOptionSet(r: Reader, el: XmlElement, file: string): OptionSetModel | undefined {
  const name = lower(attr(el, 'Name') ?? '');
  if (!name) return undefined;
  const displayName = labelsOf(child(el, 'displaynames'));
  if (displayName[1033] === undefined && attr(el, 'localizedName'))
    displayName[1033] = attr(el, 'localizedName');
  const optionSet: OptionSetModel = {
    name,
    displayName,
    description: labelsOf(child(el, 'Descriptions')),
    options: readOptions(r, el, 'options'),
    identifier: toIdentifier(displayName[1033] ?? name, name),
    file,
  };
  r.positions.set(optionSet, el.line);
  return optionSet;
}

const CASCADES: readonly CascadeType[] = [
  'Cascade',
  'Restrict',
  'RemoveLink',
  'NoCascade',
  'Active',
  'UserOwned',
];

function cascadeOf(value: string | undefined): CascadeType {
  return CASCADES.find((c) => lower(c) === lower(value ?? '')) ?? 'NoCascade';
}

function readRelationship(r: Reader, el: XmlElement, file: string): RelationshipModel | undefined {
  if (lower(textOf(el, 'EntityRelationshipType') ?? 'OneToMany') !== 'onetomany') return undefined;
  const relationship: RelationshipModel = {
    name: attr(el, 'Name') ?? textOf(el, 'Name') ?? '',
    referencedEntity: lower(textOf(el, 'ReferencedEntityName') ?? ''),
    referencingEntity: lower(textOf(el, 'ReferencingEntityName') ?? ''),
    referencingAttribute: lower(textOf(el, 'ReferencingAttributeName') ?? ''),
    cascadeDelete: cascadeOf(textOf(el, 'CascadeDelete')),
    cascadeAssign: cascadeOf(textOf(el, 'CascadeAssign')),
    file,
  };
  const referencing = descendants(child(el, 'EntityRelationshipRoles'), 'EntityRelationshipRole').find(
    (role) => textOf(role, 'RelationshipRoleType') === '1',
  );
  const navigation = textOf(referencing, 'NavigationPropertyName');
  if (navigation) relationship.referencingNavigationProperty = navigation;
  r.positions.set(relationship, el.line);
  return relationship;
}

/** The Plugin Registration Tool names steps `<handler>: <Message> of <table>`; some tools write `Message.table`. */
function messageFromStepName(name: string): string | undefined {
  const pr = /(?:^|:\s*)([A-Za-z]+)\s+of\s+/.exec(name);
  const dotted = /^([A-Za-z]+)\.[a-z_]/.exec(name);
  const candidate = pr?.[1] ?? dotted?.[1];
  return candidate ? MESSAGE_BY_LOWER.get(lower(candidate)) : undefined;
}

function readStep(r: Reader, el: XmlElement, file: string): StepModel {
  const name = attr(el, 'Name') ?? '';
  const messageId = normalizeGuid(textOf(el, 'SdkMessageId'));
  const messageName = textOf(el, 'SdkMessageName') ?? textOf(el, 'MessageName');
  const message =
    own(SDK_MESSAGE_IDS, messageId) ??
    (messageName ? MESSAGE_BY_LOWER.get(lower(messageName)) : undefined) ??
    messageFromStepName(name) ??
    '';
  const primary = lower(textOf(el, 'PrimaryEntity') ?? '');
  const stage = intOf(textOf(el, 'Stage'));
  const mode = intOf(textOf(el, 'Mode'));
  const images: StepImageModel[] = descendants(
    child(el, 'SdkMessageProcessingStepImages'),
    'SdkMessageProcessingStepImage',
  ).map((img) => {
    const imageType = intOf(textOf(img, 'ImageType'));
    return {
      name: attr(img, 'Name') ?? textOf(img, 'Name') ?? '',
      entityAlias: textOf(img, 'EntityAlias') ?? '',
      imageType: imageType === 1 || imageType === 2 ? imageType : 0,
      attributes: splitList(textOf(img, 'Attributes')),
    };
  });
  const step: StepModel = {
    id: normalizeGuid(attr(el, 'SdkMessageProcessingStepId')),
    name,
    message,
    entity: primary === 'none' ? '' : primary,
    stage: stage === 10 || stage === 20 ? stage : 40,
    mode: mode === 1 ? 1 : 0,
    rank: intOf(textOf(el, 'Rank')) ?? 1,
    filteringAttributes: splitList(textOf(el, 'FilteringAttributes')),
    serviceEndpointId: normalizeGuid(textOf(el, 'EventHandler') ?? textOf(el, 'ServiceEndpointId')),
    images,
    file,
  };
  if (messageId) step.messageId = messageId;
  r.positions.set(step, el.line);
  return step;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => lower(s.trim()))
    .filter(Boolean);
}

function readServiceEndpoint(r: Reader, el: XmlElement, file: string): ServiceEndpointModel {
  const endpoint: ServiceEndpointModel = {
    id: normalizeGuid(attr(el, 'ServiceEndpointId')),
    name: attr(el, 'Name') ?? textOf(el, 'Name') ?? '',
    contract: intOf(textOf(el, 'Contract')) ?? 0,
    messageFormat: intOf(textOf(el, 'MessageFormat')) ?? 0,
    authType: intOf(textOf(el, 'AuthType')) ?? 0,
    file,
  };
  // The URL is never exported; the endpoint names the environment variable `ideario deploy` reads it from.
  const variable =
    /\{?\$?\(?(?:env:)?([a-z]+_[A-Za-z0-9]+)\)?\}?/.exec(textOf(el, 'Url') ?? '')?.[1] ??
    /environment variable ([a-z]+_[A-Za-z0-9]+)/i.exec(textOf(el, 'Description') ?? '')?.[1];
  if (variable) endpoint.urlVariable = variable;
  r.positions.set(endpoint, el.line);
  return endpoint;
}

function readWebResource(r: Reader, el: XmlElement, dataFile: string, srcDir: string): WebResourceModel {
  const fileName = textOf(el, 'FileName');
  const resource: WebResourceModel = {
    name: textOf(el, 'Name') ?? '',
    displayName: textOf(el, 'DisplayName') ?? '',
    type: intOf(textOf(el, 'WebResourceType')) ?? 0,
    contentFile: fileName
      ? path.join(srcDir, fileName.replace(/^[\\/]+/, ''))
      : dataFile.replace(/\.data\.xml$/i, ''),
    id: normalizeGuid(textOf(el, 'WebResourceId')),
    file: dataFile,
  };
  r.positions.set(resource, el.line);
  return resource;
}

function readControl(r: Reader, el: XmlElement, dataFile: string, srcDir: string): ControlModel {
  const fileName = textOf(el, 'FileName');
  const control: ControlModel = {
    name: textOf(el, 'Name') ?? '',
    manifestFile: fileName
      ? path.join(srcDir, fileName.replace(/^[\\/]+/, ''))
      : path.join(path.dirname(dataFile), 'ControlManifest.xml'),
    file: dataFile,
  };
  r.positions.set(control, el.line);
  return control;
}

const PRIVILEGE_LEVELS: readonly RoleModel['privileges'][number]['level'][] = [
  'Basic',
  'Local',
  'Deep',
  'Global',
];

function readRole(r: Reader, el: XmlElement, file: string): RoleModel {
  const role: RoleModel = {
    id: normalizeGuid(attr(el, 'id')),
    name: attr(el, 'name') ?? '',
    privileges: descendants(child(el, 'RolePrivileges'), 'RolePrivilege').map((p) => ({
      name: attr(p, 'name') ?? '',
      level: PRIVILEGE_LEVELS.find((l) => lower(l) === lower(attr(p, 'level') ?? '')) ?? 'Basic',
    })),
    file,
  };
  r.positions.set(role, el.line);
  return role;
}

function readEnvironmentVariable(r: Reader, el: XmlElement, file: string): EnvironmentVariableModel {
  const variable: EnvironmentVariableModel = {
    schemaName: attr(el, 'schemaname') ?? textOf(el, 'schemaname') ?? '',
    displayName: labelsWithDefault(child(el, 'displayname')),
    type: intOf(textOf(el, 'type')) ?? 100000000,
    file,
  };
  const defaultValue = textOf(el, 'defaultvalue');
  if (defaultValue !== undefined) variable.defaultValue = defaultValue;
  r.positions.set(variable, el.line);
  return variable;
}

function applyRelationshipTargets(
  tables: Record<string, TableModel>,
  relationships: readonly RelationshipModel[],
): void {
  for (const rel of relationships) {
    const table = own(tables, rel.referencingEntity);
    const column = table && own(table.columns, rel.referencingAttribute);
    if (!column || !['Lookup', 'Customer', 'Owner'].includes(column.type)) continue;
    // Exports relate ownerid to the abstract `owner` table; what a record can point at is a user or a team.
    const targets = rel.referencedEntity === 'owner' ? ['systemuser', 'team'] : [rel.referencedEntity];
    column.targets ??= [];
    for (const target of targets) if (!column.targets.includes(target)) column.targets.push(target);
    const navigation = rel.referencingNavigationProperty;
    if (column.type === 'Lookup' && navigation && navigation !== column.logicalName)
      column.navigationProperty = navigation;
  }
}

function readPublisher(r: Reader, manifest: XmlElement | undefined, file: string): PublisherModel {
  const publisher = child(manifest, 'Publisher');
  const prefix = lower(textOf(publisher, 'CustomizationPrefix') ?? '');
  const optionValuePrefix = intOf(textOf(publisher, 'CustomizationOptionValuePrefix'));
  if (!prefix || optionValuePrefix === undefined) {
    r.report(
      'missing-publisher-prefix',
      file,
      publisher?.line ?? manifest?.line,
      'the publisher has no <CustomizationPrefix> or <CustomizationOptionValuePrefix>',
      'Set <CustomizationPrefix>idr</CustomizationPrefix> and <CustomizationOptionValuePrefix>10520</CustomizationOptionValuePrefix> under <Publisher> in Solution.xml.',
    );
  }
  return {
    uniqueName: textOf(publisher, 'UniqueName') ?? '',
    prefix,
    optionValuePrefix: optionValuePrefix ?? 0,
  };
}

/** Pushes `item` unless an item with the same key is already there (inline and split files may both hold it). */
function pushUnique<T>(list: T[], item: T, key: (t: T) => string): void {
  if (!list.some((existing) => key(existing) === key(item))) list.push(item);
}

/**
 * Reads an unpacked solution without throwing: the model (as far as it can be built), every problem
 * found on the way, and the parsed documents. `validate.ts` and `loadSolution` build on it.
 */
export function readSolutionSource(dir: string): SolutionSource {
  const r = new Reader();
  const srcDir = solutionSrcDir(path.resolve(dir));
  const solutionXml = path.join(srcDir, 'Other', 'Solution.xml');
  const files = { solutionXml, srcDir };
  if (!fs.existsSync(solutionXml)) {
    r.report(
      'missing-solution-manifest',
      path.resolve(dir),
      undefined,
      'no src/Other/Solution.xml here, so this is not an unpacked solution',
      'Point at the folder `pac solution unpack --folder` wrote (the one holding src/), or restore src/Other/Solution.xml.',
    );
    return { model: undefined, problems: r.problems, documents: r.documents, positions: r.positions, files };
  }
  const solutionDoc = r.read(solutionXml);
  const manifest = solutionDoc
    ? (descendants(solutionDoc.root, 'SolutionManifest')[0] ?? solutionDoc.root)
    : undefined;
  const publisher = readPublisher(r, manifest, solutionXml);
  const model: SolutionModel = {
    uniqueName: textOf(manifest, 'UniqueName') ?? path.basename(path.resolve(dir)),
    version: textOf(manifest, 'Version') ?? '',
    displayName: labelsOf(child(manifest, 'LocalizedNames')),
    publisher,
    dir: path.resolve(dir),
    tables: {},
    optionSets: {},
    relationships: [],
    steps: [],
    serviceEndpoints: [],
    webResources: [],
    controls: [],
    roles: [],
    environmentVariables: [],
  };
  const versionEl = child(manifest, 'Version');
  if (versionEl) r.positions.set(model, versionEl.line);

  const ctx = { prefix: publisher.prefix, isPlatform: false };
  for (const entityFile of listFiles(
    path.join(srcDir, 'Entities'),
    (f) => path.basename(f) === 'Entity.xml',
  )) {
    const table = readTable(r, entityFile, ctx);
    if (!table) continue;
    if (!table.isExtension) addSystemColumns(table);
    model.tables[table.logicalName] = table;
  }
  for (const file of listFiles(path.join(srcDir, 'OptionSets'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    const el =
      doc && (lower(doc.root.name) === 'optionset' ? doc.root : descendants(doc.root, 'optionset')[0]);
    const optionSet = el && readOptionSet(r, el, file);
    if (optionSet) model.optionSets[optionSet.name] = optionSet;
  }
  for (const file of listFiles(path.join(srcDir, 'Other', 'Relationships'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'entityrelationship'
        ? [doc.root]
        : descendants(doc.root, 'EntityRelationship')
      : []) {
      const rel = readRelationship(r, el, file);
      if (rel) pushUnique(model.relationships, rel, (x) => x.name);
    }
  }
  for (const file of listFiles(path.join(srcDir, 'SdkMessageProcessingSteps'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'sdkmessageprocessingstep'
        ? [doc.root]
        : descendants(doc.root, 'SdkMessageProcessingStep')
      : []) {
      pushUnique(model.steps, readStep(r, el, file), (x) => x.id);
    }
  }
  for (const file of listFiles(path.join(srcDir, 'ServiceEndpoints'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'serviceendpoint'
        ? [doc.root]
        : descendants(doc.root, 'ServiceEndpoint')
      : []) {
      pushUnique(model.serviceEndpoints, readServiceEndpoint(r, el, file), (x) => x.id);
    }
  }
  for (const file of listFiles(path.join(srcDir, 'WebResources'), (f) => f.endsWith('.data.xml'))) {
    const doc = r.read(file);
    const el =
      doc && (lower(doc.root.name) === 'webresource' ? doc.root : descendants(doc.root, 'WebResource')[0]);
    if (el) pushUnique(model.webResources, readWebResource(r, el, file, srcDir), (x) => x.name);
  }
  for (const file of listFiles(path.join(srcDir, 'Controls'), (f) => f.endsWith('.data.xml'))) {
    const doc = r.read(file);
    const el =
      doc &&
      (lower(doc.root.name) === 'customcontrol' ? doc.root : descendants(doc.root, 'CustomControl')[0]);
    if (el) pushUnique(model.controls, readControl(r, el, file, srcDir), (x) => x.name);
  }
  for (const file of listFiles(path.join(srcDir, 'Roles'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'role'
        ? [doc.root]
        : descendants(doc.root, 'Role')
      : []) {
      pushUnique(model.roles, readRole(r, el, file), (x) => x.id);
    }
  }
  const envDir = fs.readdirSync(srcDir).find((d) => lower(d) === 'environmentvariabledefinitions');
  for (const file of envDir
    ? listFiles(
        path.join(srcDir, envDir),
        (f) => lower(path.basename(f)) === 'environmentvariabledefinition.xml',
      )
    : []) {
    const doc = r.read(file);
    if (doc) model.environmentVariables.push(readEnvironmentVariable(r, doc.root, file));
  }

  // Customizations.xml may carry any of these inline instead of in split files.
  const customizationsFile = path.join(srcDir, 'Other', 'Customizations.xml');
  const customizations = fs.existsSync(customizationsFile) ? r.read(customizationsFile) : undefined;
  if (customizations) {
    const root = customizations.root;
    for (const el of descendants(child(root, 'optionsets'), 'optionset')) {
      const optionSet = readOptionSet(r, el, customizationsFile);
      if (optionSet && !model.optionSets[optionSet.name]) model.optionSets[optionSet.name] = optionSet;
    }
    for (const el of descendants(child(root, 'EntityRelationships'), 'EntityRelationship')) {
      const rel = child(el, 'EntityRelationshipType')
        ? readRelationship(r, el, customizationsFile)
        : undefined;
      if (rel) pushUnique(model.relationships, rel, (x) => x.name);
    }
    for (const el of descendants(child(root, 'SdkMessageProcessingSteps'), 'SdkMessageProcessingStep')) {
      pushUnique(model.steps, readStep(r, el, customizationsFile), (x) => x.id);
    }
    for (const el of descendants(child(root, 'ServiceEndpoints'), 'ServiceEndpoint')) {
      pushUnique(model.serviceEndpoints, readServiceEndpoint(r, el, customizationsFile), (x) => x.id);
    }
    for (const el of descendants(child(root, 'WebResources'), 'WebResource')) {
      pushUnique(model.webResources, readWebResource(r, el, customizationsFile, srcDir), (x) => x.name);
    }
    for (const el of descendants(child(root, 'CustomControls'), 'CustomControl')) {
      pushUnique(model.controls, readControl(r, el, customizationsFile, srcDir), (x) => x.name);
    }
    for (const el of descendants(child(root, 'Roles'), 'Role')) {
      pushUnique(model.roles, readRole(r, el, customizationsFile), (x) => x.id);
    }
  }
  applyRelationshipTargets(model.tables, model.relationships);
  return { model, problems: r.problems, documents: r.documents, positions: r.positions, files };
}

/** Loads one unpacked solution (the folder holding `src/`); throws when it cannot be read faithfully. */
export function loadSolution(dir: string): SolutionModel {
  const source = readSolutionSource(dir);
  if (!source.model || source.problems.length > 0) throw new InvalidSolutionSourceError(source.problems, dir);
  return source.model;
}

/**
 * Reads `solution/platform/`: standard tables described in the Entity.xml format, and the relationships
 * in `Other/Relationships/` for what they add to a lookup (targets, a navigation property name).
 */
export function loadPlatform(dir: string): {
  tables: Record<string, TableModel>;
  problems: SolutionSourceError[];
} {
  const r = new Reader();
  const tables: Record<string, TableModel> = {};
  for (const entityFile of listFiles(path.join(dir, 'Entities'), (f) => path.basename(f) === 'Entity.xml')) {
    const table = readTable(r, entityFile, { prefix: '', isPlatform: true });
    if (table) tables[table.logicalName] = table;
  }
  const relationships: RelationshipModel[] = [];
  for (const file of listFiles(path.join(dir, 'Other', 'Relationships'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc ? descendants(doc.root, 'EntityRelationship') : []) {
      const rel = readRelationship(r, el, file);
      if (rel) relationships.push(rel);
    }
  }
  applyRelationshipTargets(tables, relationships);
  return { tables, problems: r.problems };
}

function sameOptions(a: readonly OptionModel[] | undefined, b: readonly OptionModel[] | undefined): boolean {
  const key = (o: OptionModel): string => `${o.value}=${o.identifier}`;
  return (a ?? []).map(key).sort().join() === (b ?? []).map(key).sort().join();
}

function mergeTable(into: TableModel, from: TableModel, problems: SolutionSourceError[]): void {
  for (const [name, column] of Object.entries(from.columns)) {
    const existing = own(into.columns, name);
    if (!existing) {
      into.columns[name] = structuredClone(column);
      continue;
    }
    if (existing.type !== column.type || existing.optionSetName !== column.optionSetName) {
      problems.push(
        problem(
          'conflicting-definition',
          from.file,
          undefined,
          `column ${into.logicalName}.${name} is ${column.type}${column.optionSetName ? `(${column.optionSetName})` : ''} here but ${existing.type}${existing.optionSetName ? `(${existing.optionSetName})` : ''} in ${displayPath(into.file)}`,
          'Define the column the same way everywhere it appears (type and choice), or rename one of them.',
        ),
      );
      continue;
    }
    for (const target of column.targets ?? []) {
      existing.targets ??= [];
      if (!existing.targets.includes(target)) existing.targets.push(target);
    }
    for (const option of column.options ?? []) {
      existing.options ??= [];
      if (!existing.options.some((o) => o.value === option.value))
        existing.options.push(structuredClone(option));
    }
  }
  for (const key of from.alternateKeys)
    if (!into.alternateKeys.some((k) => k.name === key.name)) into.alternateKeys.push(structuredClone(key));
  into.forms.push(...from.forms);
  into.views.push(...from.views);
  if (!into.entitySetName) into.entitySetName = from.entitySetName;
  if (!into.primaryNameAttribute) into.primaryNameAttribute = from.primaryNameAttribute;
}

/** Merges platform tables and solutions into what one environment with all of them installed would know. */
export function mergeMetadata(
  platformTables: Record<string, TableModel>,
  solutions: readonly SolutionModel[],
): { metadata: MetadataModel; problems: SolutionSourceError[] } {
  const problems: SolutionSourceError[] = [];
  const tables: Record<string, TableModel> = {};
  for (const [name, table] of Object.entries(platformTables))
    tables[name] = {
      ...structuredClone({ ...table, forms: [], views: [] }),
      forms: [...table.forms],
      views: [...table.views],
    };
  const optionSets: Record<string, OptionSetModel> = {};
  const relationships: RelationshipModel[] = [];
  for (const solution of solutions) {
    for (const [name, table] of Object.entries(solution.tables)) {
      if (!tables[name])
        tables[name] = {
          ...structuredClone({ ...table, forms: [], views: [] }),
          forms: [...table.forms],
          views: [...table.views],
        };
      else mergeTable(tables[name], table, problems);
    }
    for (const [name, optionSet] of Object.entries(solution.optionSets)) {
      const existing = optionSets[name];
      if (!existing) optionSets[name] = structuredClone(optionSet);
      else if (
        !sameOptions(existing.options, optionSet.options) ||
        existing.identifier !== optionSet.identifier
      ) {
        problems.push(
          problem(
            'conflicting-definition',
            optionSet.file,
            undefined,
            `choice ${name} differs from the one in ${displayPath(existing.file)} (values or labels)`,
            'A choice shipped by both solutions must be identical in both: copy one file over the other.',
          ),
        );
      }
    }
    for (const rel of solution.relationships) pushUnique(relationships, rel, (x) => x.name);
  }
  applyRelationshipTargets(tables, relationships);
  return { metadata: { tables, optionSets, relationships, solutions: [...solutions] }, problems };
}

/** The solutions under `root`: every folder holding `src/Other/Solution.xml`, by name. */
export function solutionDirs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'platform')
    .map((d) => path.join(root, d.name))
    .filter((d) => fs.existsSync(path.join(solutionSrcDir(d), 'Other', 'Solution.xml')))
    .sort();
}

/** Loads `solution/platform/` and every solution under `root`, merged; throws listing every problem. */
export function loadMetadata(root = 'solution'): MetadataModel {
  const platform = loadPlatform(path.join(root, 'platform'));
  const problems = [...platform.problems];
  const solutions: SolutionModel[] = [];
  for (const dir of solutionDirs(root)) {
    const source = readSolutionSource(dir);
    problems.push(...source.problems);
    if (source.model) solutions.push(source.model);
  }
  const merged = mergeMetadata(platform.tables, solutions);
  problems.push(...merged.problems);
  if (problems.length > 0) throw new InvalidSolutionSourceError(problems, root);
  return merged.metadata;
}
