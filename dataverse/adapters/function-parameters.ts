/**
 * Function parameters as the Web API takes them: parameter aliases whose values are OData literals
 * ("Use Web API functions", learn.microsoft.com/power-apps/developer/data-platform/webapi/use-web-api-functions:
 * `Fn(A=@p1)?@p1='text'`; records as `{"@odata.id":"accounts(<id>)"}`; enum members as
 * `Microsoft.Dynamics.CRM.EntityFilters'Entity'`; complex types and collections as JSON). One place decides
 * what each value becomes, so every adapter sends the same thing: the Node client writes `functionLiteral`
 * into the URL, the emulator's in-process client parses that same text, Xrm receives `xrmFunctionParameter`.
 */
import type {
  FunctionComplexValue,
  FunctionEnumValue,
  FunctionParameter,
  FunctionRecordReference,
} from '../client';
import { InvalidFunctionParameterError } from './errors';
import { isGuid, normalizeGuid, recordReference } from './keys';

const NAMESPACE = 'Microsoft.Dynamics.CRM.';
/** OData SimpleIdentifier: what an enum type, an enum member or a complex type may be called. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

type Json = string | number | boolean | null | Json[] | { [property: string]: Json };

/** What one parameter is, checked once; the literal and the Xrm form are written from it. */
export type ClassifiedParameter =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'guid'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'date'; readonly value: string }
  | { readonly kind: 'enum'; readonly enumType: string; readonly members: readonly string[] }
  | { readonly kind: 'record'; readonly value: { '@odata.id': string } }
  | { readonly kind: 'complex'; readonly complexType: string; readonly value: { [property: string]: Json } }
  | { readonly kind: 'collection'; readonly itemType: string; readonly items: readonly Json[] };

function isRecord(value: object): value is FunctionRecordReference {
  const v = value as Partial<FunctionRecordReference>;
  return typeof v.entitySet === 'string' && typeof v.id === 'string';
}

function isEnum(value: object): value is FunctionEnumValue {
  const v = value as Partial<FunctionEnumValue>;
  return typeof v.enumType === 'string' && Array.isArray(v.members);
}

function isComplex(value: object): value is FunctionComplexValue {
  const v = value as Partial<FunctionComplexValue>;
  return typeof v.complexType === 'string' && typeof v.value === 'object' && v.value !== null;
}

/**
 * Checks one parameter and says what it is; throws InvalidFunctionParameterError for a value that has
 * no Web API literal.
 */
export function classifyParameter(fn: string, name: string, value: FunctionParameter): ClassifiedParameter {
  const refuse = (reason: string): never => {
    throw new InvalidFunctionParameterError(fn, name, reason);
  };
  if (typeof value === 'string') {
    const guid = normalizeGuid(value);
    return guid && isGuid(value) ? { kind: 'guid', value: guid } : { kind: 'string', value };
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse(`${value} is not a finite number`);
    return { kind: 'number', value };
  }
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (value instanceof Date) return { kind: 'date', value: isoDate(value, refuse) };
  if (Array.isArray(value)) return collection(value as readonly unknown[], refuse);
  if (typeof value === 'object' && value !== null) {
    if (isRecord(value)) return { kind: 'record', value: recordReference(value) };
    if (isEnum(value)) return { kind: 'enum', ...enumValue(value, refuse) };
    if (isComplex(value)) {
      const complexType = typeName(value.complexType, 'complex type', refuse);
      const json = toJson(value.value, complexType, new Set(), refuse) as { [property: string]: Json };
      return { kind: 'complex', complexType, value: json };
    }
  }
  if (value === null || value === undefined)
    return refuse(`it is ${String(value)}; leave an optional parameter out instead`);
  return refuse(
    'an object must be a record { entitySet, id }, an enum value { enumType, members } or a complex value { complexType, value }',
  );
}

function isoDate(value: Date, refuse: (reason: string) => never): string {
  if (Number.isNaN(value.getTime())) refuse('the Date is invalid');
  return value.toISOString();
}

function typeName(text: string, what: string, refuse: (reason: string) => never): string {
  const bare = text.startsWith(NAMESPACE) ? text.slice(NAMESPACE.length) : text;
  if (!IDENTIFIER.test(bare)) refuse(`'${text}' is not a ${what} name`);
  return bare;
}

function enumValue(
  value: FunctionEnumValue,
  refuse: (reason: string) => never,
): { enumType: string; members: readonly string[] } {
  const enumType = typeName(value.enumType, 'enum type', refuse);
  if (value.members.length === 0) refuse(`the ${enumType} value names no member`);
  for (const member of value.members)
    if (typeof member !== 'string' || !IDENTIFIER.test(member))
      refuse(`${JSON.stringify(member)} is not a member name of ${enumType}`);
  return { enumType, members: value.members };
}

/** A Web API collection holds one type ("Collection(Edm.String)"…); a mixed list has no type to send. */
function collection(items: readonly unknown[], refuse: (reason: string) => never): ClassifiedParameter {
  const kinds = items.map((item, index): { type: string; json: Json } => {
    if (typeof item === 'string') return { type: 'Edm.String', json: item };
    if (typeof item === 'boolean') return { type: 'Edm.Boolean', json: item };
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) refuse(`item ${index + 1} is ${item}, not a finite number`);
      return { type: 'number', json: item };
    }
    if (typeof item === 'object' && item !== null && isEnum(item)) {
      const { enumType, members } = enumValue(item, refuse);
      // In OData JSON an enum value is a string of its member names, comma-separated for flags.
      return { type: `${NAMESPACE}${enumType}`, json: members.join(',') };
    }
    return refuse(`item ${index + 1} is not a string, number, boolean or enum value`);
  });
  const types = new Set(kinds.map((k) => k.type));
  if (types.size > 1) refuse(`a list holds values of one type, not ${[...types].join(' and ')}`);
  let itemType = kinds[0]?.type ?? 'Edm.String';
  if (itemType === 'number')
    itemType = kinds.every((k) => Number.isInteger(k.json)) ? 'Edm.Int32' : 'Edm.Double';
  return { kind: 'collection', itemType, items: kinds.map((k) => k.json) };
}

function toJson(value: unknown, path: string, seen: Set<object>, refuse: (reason: string) => never): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse(`${path} is ${value}, not a finite number`);
    return value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) refuse(`${path} is an invalid Date`);
    return value.toISOString();
  }
  if (typeof value !== 'object') return refuse(`${path} is a ${typeof value}, which JSON cannot carry`);
  if (seen.has(value)) refuse(`${path} refers back to itself`);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item: unknown, index) => {
        if (item === undefined) refuse(`${path}[${index}] is undefined`);
        return toJson(item, `${path}[${index}]`, seen, refuse);
      });
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null)
      refuse(`${path} is a ${value.constructor.name}, not a plain object`);
    const out: { [property: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) {
      // An absent optional property, as JSON.stringify leaves it out.
      if (item === undefined) continue;
      out[key] = toJson(item, `${path}.${key}`, seen, refuse);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** The OData literal of a checked parameter, before percent-encoding. */
export function literalOf(parameter: ClassifiedParameter): string {
  switch (parameter.kind) {
    case 'string':
      return `'${parameter.value.replace(/'/g, "''")}'`;
    case 'guid':
    case 'date':
      return parameter.value;
    case 'number':
    case 'boolean':
      return String(parameter.value);
    case 'enum':
      return `${NAMESPACE}${parameter.enumType}'${parameter.members.join(',')}'`;
    case 'record':
      return JSON.stringify(parameter.value);
    case 'complex':
      return JSON.stringify({ '@odata.type': `${NAMESPACE}${parameter.complexType}`, ...parameter.value });
    case 'collection':
      return JSON.stringify(parameter.items);
  }
}

/**
 * Each parameter's alias value for the URL (`@p1=<this>`), percent-encoded so `&`, `#`, `%`, `+` or `/`
 * in a string keep their meaning ("Use Web API functions": such characters fail when passed inline).
 * Parameters left undefined are not sent.
 */
export function functionLiterals(
  fn: string,
  parameters: Readonly<Record<string, FunctionParameter | undefined>>,
): [name: string, literal: string][] {
  return Object.entries(parameters)
    .filter((entry): entry is [string, FunctionParameter] => entry[1] !== undefined)
    .map(([name, value]) => [name, encodeURIComponent(literalOf(classifyParameter(fn, name, value)))]);
}

/** "Xrm.WebApi.online.execute": request.getMetadata's parameterTypes entry (structuralProperty 1–5). */
export interface XrmParameterType {
  typeName: string;
  structuralProperty: number;
}

/**
 * The value and metadata Xrm.WebApi.online.execute needs for one function parameter. An enum value is
 * refused: Xrm wants each member's number in `enumProperties`, which an enum value given by name lacks.
 */
export function xrmFunctionParameter(
  fn: string,
  name: string,
  value: FunctionParameter,
): { value: unknown; type: XrmParameterType } {
  const parameter = classifyParameter(fn, name, value);
  const primitive = (typeName: string, v: unknown) => ({
    value: v,
    type: { typeName, structuralProperty: 1 },
  });
  switch (parameter.kind) {
    case 'string':
      return primitive('Edm.String', parameter.value);
    case 'guid':
      return primitive('Edm.Guid', parameter.value);
    case 'number':
      return primitive(Number.isInteger(parameter.value) ? 'Edm.Int32' : 'Edm.Decimal', parameter.value);
    case 'boolean':
      return primitive('Edm.Boolean', parameter.value);
    case 'date':
      return primitive('Edm.DateTimeOffset', parameter.value);
    case 'record':
      return { value: parameter.value, type: { typeName: 'mscrm.crmbaseentity', structuralProperty: 5 } };
    case 'complex':
      return {
        value: { '@odata.type': `${NAMESPACE}${parameter.complexType}`, ...parameter.value },
        type: { typeName: `mscrm.${parameter.complexType}`, structuralProperty: 2 },
      };
    case 'collection':
      if (parameter.itemType.startsWith(NAMESPACE)) break;
      return {
        value: parameter.items,
        type: { typeName: `Collection(${parameter.itemType})`, structuralProperty: 4 },
      };
    case 'enum':
      break;
  }
  throw new InvalidFunctionParameterError(
    fn,
    name,
    'Xrm.WebApi.online.execute needs the number of each enum member, which a value given by name lacks; call the function from the server (Node client)',
  );
}
