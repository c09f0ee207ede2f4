/**
 * Turns the RemoteExecutionContext JSON that Dataverse POSTs to a webhook into typed values.
 * Shape: "Use webhooks to create external handlers for server events" (Request Body) and the
 * Microsoft.Xrm.Sdk.RemoteExecutionContext reference; the JSON is DataContractJsonSerializer output,
 * so collections are `[{key, value}]` arrays, typed objects carry `__type`, dates are `/Date(ms)/`.
 */
import { isUtf8 } from 'node:buffer';
import {
  AttributeTypeError,
  MalformedPayloadError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './errors';

export interface EntityReference {
  readonly kind: 'EntityReference';
  readonly logicalName: string;
  readonly id: string;
  readonly name: string | null;
  readonly keyAttributes: ReadonlyMap<string, ParsedValue>;
}

export interface OptionSetValue {
  readonly kind: 'OptionSetValue';
  readonly value: number;
}

export interface Money {
  readonly kind: 'Money';
  readonly value: number;
}

/** A Target, a pre/post image or an entity inside a collection. */
export interface EntityImage {
  readonly kind: 'Entity';
  readonly logicalName: string;
  /** Null on a Create target sent before the id was assigned (pre-validation). */
  readonly id: string | null;
  readonly attributes: Map<string, ParsedValue>;
  readonly formattedValues: Map<string, string>;
  readonly keyAttributes: Map<string, ParsedValue>;
  readonly rowVersion: string | null;
}

export interface EntityCollection {
  readonly kind: 'EntityCollection';
  readonly entityName: string | null;
  readonly entities: readonly EntityImage[];
  readonly moreRecords: boolean;
}

/** A `__type` this parser does not model; the raw JSON is kept so nothing is lost. */
export interface UnknownValue {
  readonly kind: 'Unknown';
  readonly typeName: string;
  readonly raw: unknown;
}

export type ParsedValue =
  | null
  | string
  | number
  | boolean
  | Date
  | EntityReference
  | OptionSetValue
  | Money
  | EntityImage
  | EntityCollection
  | UnknownValue
  | readonly ParsedValue[]
  | ReadonlyMap<string, ParsedValue>;

export interface ExecutionContext {
  readonly messageName: string;
  readonly primaryEntityName: string;
  readonly primaryEntityId: string | null;
  readonly secondaryEntityName: string | null;
  /** 10 pre-validation, 20 pre-operation, 30 main operation (parent contexts only), 40 post-operation. */
  readonly stage: number;
  /** 0 synchronous, 1 asynchronous. */
  readonly mode: number;
  readonly depth: number;
  readonly correlationId: string | null;
  readonly requestId: string | null;
  readonly operationId: string | null;
  readonly operationCreatedOn: Date | null;
  readonly userId: string | null;
  readonly initiatingUserId: string | null;
  readonly businessUnitId: string | null;
  readonly organizationId: string | null;
  readonly organizationName: string | null;
  readonly isInTransaction: boolean;
  /** The SDK message processing step that sent this payload. */
  readonly owningExtension: EntityReference | null;
  readonly inputParameters: ReadonlyMap<string, ParsedValue>;
  readonly outputParameters: ReadonlyMap<string, ParsedValue>;
  readonly sharedVariables: ReadonlyMap<string, ParsedValue>;
  readonly preEntityImages: ReadonlyMap<string, EntityImage>;
  readonly postEntityImages: ReadonlyMap<string, EntityImage>;
  /** InputParameters["Target"]: an entity for Create/Update, a reference for Delete; null when absent. */
  readonly target: EntityImage | EntityReference | null;
  readonly parentContext: ExecutionContext | null;
  /**
   * True when Dataverse sent `x-ms-dynamics-msg-size-exceeded`: it removed InputParameters, images and the
   * parent context to stay under 256 KB, so handlers must re-read the record through the client.
   */
  readonly sizeExceeded: boolean;
}

/** Dataverse trims payloads at 256 KB; anything far larger did not come from a webhook step. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const SIZE_EXCEEDED_HEADER = 'x-ms-dynamics-msg-size-exceeded';

const TYPE_ENTITY = 'Entity';
const TYPE_REFERENCE = 'EntityReference';
const TYPE_OPTION = 'OptionSetValue';
const TYPE_MONEY = 'Money';
const TYPE_COLLECTION = 'EntityCollection';
const TYPE_ALIASED = 'AliasedValue';
const TYPE_KEY_VALUE = 'KeyValuePairOf';

/** Messages whose Target is an Entity that the handler needs; without it the payload is unusable. */
const MESSAGES_NEEDING_TARGET = new Set(['Create', 'Update', 'Delete']);
/** Create and Update carry the record; Delete carries a reference to it. */
const MESSAGES_WITH_ENTITY_TARGET = new Set(['Create', 'Update']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Entity:http://schemas.microsoft.com/xrm/2011/Contracts` -> `Entity`. */
function typeName(value: JsonObject): string | null {
  const raw = value['__type'];
  if (typeof raw !== 'string') return null;
  const colon = raw.indexOf(':');
  return colon === -1 ? raw : raw.slice(0, colon);
}

/**
 * `/Date(1506384247000)/` or `/Date(1506409448000-0700)/`. Per "Stand-Alone JSON Serialization using
 * DataContractJsonSerializer", the number is UTC milliseconds; the offset only records the sender's zone.
 */
const DATE_PATTERN = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

export function parseDotNetDate(text: string): Date | null {
  const match = DATE_PATTERN.exec(text);
  return match ? new Date(Number(match[1])) : null;
}

function fail(path: string, problem: string): never {
  throw new MalformedPayloadError(`Invalid RemoteExecutionContext: ${path} ${problem}.`);
}

function optionalString(obj: JsonObject, key: string, path: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(`${path}.${key}`, `should be a string, not ${describe(value)}`);
  return value;
}

function requiredString(obj: JsonObject, key: string, path: string): string {
  const value = optionalString(obj, key, path);
  if (value === null || value === '') fail(`${path}.${key}`, 'is missing');
  return value;
}

function optionalNumber(obj: JsonObject, key: string, path: string, fallback: number): number {
  const value = obj[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number') fail(`${path}.${key}`, `should be a number, not ${describe(value)}`);
  return value;
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function keyValueArray(value: Json | undefined, path: string): { key: string; value: Json }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, `should be a [{key, value}] collection, not ${describe(value)}`);
  return value.map((item, i) => {
    if (!isObject(item) || typeof item['key'] !== 'string')
      fail(`${path}[${i}]`, 'should be a {key, value} pair');
    return { key: item['key'], value: item['value'] ?? null };
  });
}

function parseCollection(value: Json | undefined, path: string): Map<string, ParsedValue> {
  const map = new Map<string, ParsedValue>();
  for (const { key, value: item } of keyValueArray(value, path))
    map.set(key, parseValue(item, `${path}.${key}`));
  return map;
}

function parseReference(obj: JsonObject, path: string): EntityReference {
  return {
    kind: 'EntityReference',
    logicalName: requiredString(obj, 'LogicalName', path),
    id: requiredString(obj, 'Id', path),
    name: optionalString(obj, 'Name', path),
    keyAttributes: parseCollection(obj['KeyAttributes'], `${path}.KeyAttributes`),
  };
}

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** Pre-validation Create payloads carry the empty GUID before Dataverse assigns one. */
function nonEmptyGuid(id: string | null): string | null {
  return id === null || id === EMPTY_GUID ? null : id;
}

export function parseEntity(obj: JsonObject, path: string): EntityImage {
  const id = optionalString(obj, 'Id', path);
  const formattedValues = new Map<string, string>();
  for (const { key, value } of keyValueArray(obj['FormattedValues'], `${path}.FormattedValues`)) {
    if (typeof value === 'string') formattedValues.set(key, value);
  }
  return {
    kind: 'Entity',
    logicalName: requiredString(obj, 'LogicalName', path),
    id: nonEmptyGuid(id),
    attributes: parseCollection(obj['Attributes'], `${path}.Attributes`),
    formattedValues,
    keyAttributes: parseCollection(obj['KeyAttributes'], `${path}.KeyAttributes`),
    rowVersion: optionalString(obj, 'RowVersion', path),
  };
}

function parseNumberValue(obj: JsonObject, path: string): number {
  const value = obj['Value'];
  if (typeof value !== 'number') fail(`${path}.Value`, `should be a number, not ${describe(value)}`);
  return value;
}

function parseTyped(obj: JsonObject, type: string, path: string): ParsedValue {
  switch (type) {
    case TYPE_ENTITY:
      return parseEntity(obj, path);
    case TYPE_REFERENCE:
      return parseReference(obj, path);
    case TYPE_OPTION:
      return { kind: 'OptionSetValue', value: parseNumberValue(obj, path) };
    case TYPE_MONEY:
      return { kind: 'Money', value: parseNumberValue(obj, path) };
    case TYPE_ALIASED:
      return parseValue(obj['Value'] ?? null, `${path}.Value`);
    case TYPE_COLLECTION: {
      const entities = obj['Entities'];
      if (entities !== undefined && entities !== null && !Array.isArray(entities)) {
        fail(`${path}.Entities`, `should be an array, not ${describe(entities)}`);
      }
      return {
        kind: 'EntityCollection',
        entityName: optionalString(obj, 'EntityName', path),
        entities: (entities ?? []).map((e, i) => {
          if (!isObject(e)) fail(`${path}.Entities[${i}]`, `should be an entity, not ${describe(e)}`);
          return parseEntity(e, `${path}.Entities[${i}]`);
        }),
        moreRecords: obj['MoreRecords'] === true,
      };
    }
    default:
      return { kind: 'Unknown', typeName: type, raw: obj };
  }
}

function isKeyValueList(items: Json[]): items is JsonObject[] {
  return (
    items.length > 0 &&
    items.every(
      (i) => isObject(i) && typeof i['key'] === 'string' && (typeName(i) ?? '').startsWith(TYPE_KEY_VALUE),
    )
  );
}

export function parseValue(value: Json, path: string): ParsedValue {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseDotNetDate(value) ?? value;
  if (Array.isArray(value)) {
    if (isKeyValueList(value)) return parseCollection(value, path);
    return value.map((item, i) => parseValue(item, `${path}[${i}]`));
  }
  const type = typeName(value);
  if (type !== null) return parseTyped(value, type, path);
  // Untyped objects appear where the declared type is already Entity (images) or EntityReference.
  if ('Attributes' in value && 'LogicalName' in value) return parseEntity(value, path);
  if ('LogicalName' in value && 'Id' in value) return parseReference(value, path);
  return { kind: 'Unknown', typeName: 'object', raw: value };
}

function parseImages(value: Json | undefined, path: string): Map<string, EntityImage> {
  const images = new Map<string, EntityImage>();
  for (const { key, value: image } of keyValueArray(value, path)) {
    if (!isObject(image)) fail(`${path}.${key}`, `should be an entity image, not ${describe(image)}`);
    images.set(key, parseEntity(image, `${path}.${key}`));
  }
  return images;
}

function parseContext(
  obj: JsonObject,
  path: string,
  sizeExceeded: boolean,
  isRoot: boolean,
): ExecutionContext {
  const messageName = requiredString(obj, 'MessageName', path);
  const primaryEntityName = requiredString(obj, 'PrimaryEntityName', path);
  const inputParameters = parseCollection(obj['InputParameters'], `${path}.InputParameters`);
  const rawTarget = inputParameters.get('Target');
  let target: EntityImage | EntityReference | null = null;
  if (rawTarget !== undefined && rawTarget !== null) {
    if (!isImageOrReference(rawTarget)) {
      fail(`${path}.InputParameters.Target`, 'should be an entity or an entity reference');
    }
    target = rawTarget;
  }
  if (isRoot && !sizeExceeded && MESSAGES_NEEDING_TARGET.has(messageName)) {
    if (target === null)
      fail(`${path}.InputParameters`, `has no Target (every ${messageName} payload carries one)`);
    if (MESSAGES_WITH_ENTITY_TARGET.has(messageName) && target.kind !== 'Entity')
      fail(`${path}.InputParameters.Target`, `should be an entity for ${messageName}`);
  }
  const owning = obj['OwningExtension'];
  const parent = obj['ParentContext'];
  return {
    messageName,
    primaryEntityName,
    primaryEntityId: nonEmptyGuid(optionalString(obj, 'PrimaryEntityId', path)),
    secondaryEntityName: optionalString(obj, 'SecondaryEntityName', path),
    stage: optionalNumber(obj, 'Stage', path, 0),
    mode: optionalNumber(obj, 'Mode', path, 0),
    depth: optionalNumber(obj, 'Depth', path, 1),
    correlationId: optionalString(obj, 'CorrelationId', path),
    requestId: optionalString(obj, 'RequestId', path),
    operationId: optionalString(obj, 'OperationId', path),
    operationCreatedOn: parseOptionalDate(obj, 'OperationCreatedOn', path),
    userId: optionalString(obj, 'UserId', path),
    initiatingUserId: optionalString(obj, 'InitiatingUserId', path),
    businessUnitId: optionalString(obj, 'BusinessUnitId', path),
    organizationId: optionalString(obj, 'OrganizationId', path),
    organizationName: optionalString(obj, 'OrganizationName', path),
    isInTransaction: obj['IsInTransaction'] === true,
    owningExtension: isObject(owning) ? parseReference(owning, `${path}.OwningExtension`) : null,
    inputParameters,
    outputParameters: parseCollection(obj['OutputParameters'], `${path}.OutputParameters`),
    sharedVariables: parseCollection(obj['SharedVariables'], `${path}.SharedVariables`),
    preEntityImages: parseImages(obj['PreEntityImages'], `${path}.PreEntityImages`),
    postEntityImages: parseImages(obj['PostEntityImages'], `${path}.PostEntityImages`),
    target,
    parentContext: isObject(parent)
      ? parseContext(parent, `${path}.ParentContext`, sizeExceeded, false)
      : null,
    sizeExceeded,
  };
}

function isImageOrReference(value: ParsedValue): value is EntityImage | EntityReference {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    (value.kind === 'Entity' || value.kind === 'EntityReference')
  );
}

function parseOptionalDate(obj: JsonObject, key: string, path: string): Date | null {
  const text = optionalString(obj, key, path);
  if (text === null) return null;
  const date = parseDotNetDate(text);
  if (!date) fail(`${path}.${key}`, `should be /Date(ms)/, not '${text}'`);
  return date;
}

/** `application/json`, optionally with `charset=utf-8` (JSON is UTF-8 by RFC 8259: other charsets are refused). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return params.every((p) => {
    const [name, value = ''] = p.split('=').map((s) => s.trim());
    return name !== 'charset' || ['utf-8', 'utf8'].includes(value.replace(/"/g, ''));
  });
}

export interface ParseInput {
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Checks size, then content type, then parses. Header names must be lower case (as Node delivers them). */
export function parseWebhookRequest(input: ParseInput, maxBytes = MAX_BODY_BYTES): ExecutionContext {
  if (input.body.length > maxBytes) throw new PayloadTooLargeError(input.body.length, maxBytes);
  const contentType = input.headers['content-type'];
  if (!isJsonContentType(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const sizeExceeded = input.headers[SIZE_EXCEEDED_HEADER] !== undefined;
  if (!isUtf8(input.body))
    throw new MalformedPayloadError('The request body is not valid UTF-8; Dataverse sends UTF-8 JSON.');
  return parseExecutionContext(input.body.toString('utf8'), sizeExceeded);
}

/** Far deeper than a RemoteExecutionContext gets (its images hold entity references and money, 4-6 levels). */
export const MAX_JSON_DEPTH = 32;

/** Measures nesting without recursion, so a body 10,000 arrays deep is refused before JSON.parse and the walk. */
function checkDepth(json: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > MAX_JSON_DEPTH)
        throw new MalformedPayloadError(
          `The request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; a RemoteExecutionContext does not.`,
        );
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
}

export function parseExecutionContext(text: string, sizeExceeded = false): ExecutionContext {
  // .NET writers may start UTF-8 with a byte order mark; JSON.parse rejects it.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.trim() === '')
    throw new MalformedPayloadError('The request body is empty; expected a RemoteExecutionContext.');
  checkDepth(json);
  let parsed: Json;
  try {
    parsed = JSON.parse(json) as Json;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedPayloadError(`The request body is not valid JSON (${reason}).`);
  }
  if (!isObject(parsed)) {
    throw new MalformedPayloadError(
      `The request body must be a RemoteExecutionContext object, got ${describe(parsed)}.`,
    );
  }
  return parseContext(parsed, '$', sizeExceeded, true);
}

// Typed accessors: absent (or null) columns give null; a value of another type is a bug worth an error.

function valueOf(image: EntityImage, column: string): ParsedValue | undefined {
  return image.attributes.get(column);
}

function kindOf(value: ParsedValue): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a key/value collection';
  if (typeof value === 'object' && 'kind' in value) return `a ${value.kind}`;
  return `a ${typeof value}`;
}

function mismatch(image: EntityImage, column: string, expected: string, value: ParsedValue): never {
  throw new AttributeTypeError(image.logicalName, column, expected, kindOf(value));
}

export function getString(image: EntityImage, column: string): string | null {
  const value = valueOf(image, column);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') mismatch(image, column, 'a string', value);
  return value;
}

/** Whole numbers, decimals and floats. Money and choices have their own accessors. */
export function getNumber(image: EntityImage, column: string): number | null {
  const value = valueOf(image, column);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') mismatch(image, column, 'a number', value);
  return value;
}

export function getBoolean(image: EntityImage, column: string): boolean | null {
  const value = valueOf(image, column);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') mismatch(image, column, 'a boolean', value);
  return value;
}

export function getDate(image: EntityImage, column: string): Date | null {
  const value = valueOf(image, column);
  if (value === undefined || value === null) return null;
  if (!(value instanceof Date)) mismatch(image, column, 'a date', value);
  return value;
}

function isKind<K extends string>(value: ParsedValue, kind: K): value is Extract<ParsedValue, { kind: K }> {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === kind;
}

export function getReference(image: EntityImage, column: string): EntityReference | null {
  const value = valueOf(image, column);
  if (value === undefined || value === null) return null;
  if (!isKind(value, 'EntityReference')) mismatch(image, column, 'an EntityReference', value);
  return value;
}

/** The number of a choice column (OptionSetValue). */
export function getOptionValue(image: EntityImage, column: string): number | null {
  const value = valueOf(image, column);
  if (value === undefined || value === null) return null;
  if (!isKind(value, 'OptionSetValue')) mismatch(image, column, 'an OptionSetValue', value);
  return value.value;
}

export function getMoney(image: EntityImage, column: string): number | null {
  const value = valueOf(image, column);
  if (value === undefined || value === null) return null;
  if (!isKind(value, 'Money')) mismatch(image, column, 'a Money value', value);
  return value.value;
}

/** The Target as an entity, or null (Delete targets are references; trimmed payloads have none). */
export function targetEntity(ctx: ExecutionContext): EntityImage | null {
  return ctx.target !== null && ctx.target.kind === 'Entity' ? ctx.target : null;
}
