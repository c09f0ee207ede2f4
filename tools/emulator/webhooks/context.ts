/**
 * Builds the RemoteExecutionContext JSON Dataverse POSTs to a webhook from one pipeline event and the
 * step that fires. Shape per "Use webhooks to create external handlers for server events" (Request body)
 * and the Microsoft.Xrm.Sdk.RemoteExecutionContext reference: DataContractJsonSerializer output, so
 * members in alphabetical order, collections as `[{key, value}]`, typed values with `__type`, dates as
 * `/Date(ms)/`. Payloads over 256 KB lose ParentContext, InputParameters and the images, and the request
 * carries `x-ms-dynamics-msg-size-exceeded` (same page, "Request headers").
 */
import type { StepModel } from '../../solution/model';
import type { AttributeValue, EntityImage, EntityReference, OperationEvent } from '../engine/pipeline';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const CONTRACTS = 'http://schemas.microsoft.com/xrm/2011/Contracts';
export const SIZE_LIMIT_BYTES = 256 * 1024;

/** What the context needs beyond the event: names the event does not carry. */
export interface ContextOptions {
  readonly organizationName: string;
  /** Primary id and name columns of a table, for the Target's id and the async primary-name image. */
  readonly tableInfo?: (logicalName: string) => { primaryId: string; primaryName: string } | undefined;
}

export interface BuiltContext {
  readonly body: string;
  /** True when the collections were dropped to stay under 256 KB. */
  readonly sizeExceeded: boolean;
  readonly bytes: number;
}

function dotNetDate(ms: number): string {
  return `/Date(${ms})/`;
}

function reference(ref: EntityReference, typed: boolean): JsonObject {
  const out: JsonObject = typed ? { __type: `EntityReference:${CONTRACTS}` } : {};
  out.Id = ref.id;
  out.KeyAttributes = [];
  out.LogicalName = ref.logicalName;
  out.Name = ref.name ?? null;
  out.RowVersion = null;
  return out;
}

/** One attribute value as the SDK types it. */
export function contractValue(value: AttributeValue): Json {
  if (value === null || typeof value !== 'object') return value;
  switch (value.kind) {
    case 'reference':
      return reference(value, true);
    case 'option':
      return { __type: `OptionSetValue:${CONTRACTS}`, Value: value.value };
    case 'money':
      return { __type: `Money:${CONTRACTS}`, Value: value.value };
    case 'datetime': {
      // Date-only values travel as midnight UTC, as Dataverse stores DateOnly columns.
      const ms = Date.parse(value.dateOnly ? `${value.value.slice(0, 10)}T00:00:00Z` : value.value);
      return Number.isNaN(ms) ? value.value : dotNetDate(ms);
    }
  }
}

/** Shared variables hold whatever earlier stages put there; keep what JSON can carry. */
function sharedValue(value: unknown): Json | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return dotNetDate(value.getTime());
  if (Array.isArray(value)) return value.map((v) => sharedValue(v) ?? null);
  if (typeof value === 'object' && 'kind' in value) return contractValue(value as AttributeValue);
  return undefined;
}

function keyValues(entries: Iterable<[string, Json]>): Json[] {
  return [...entries].map(([key, value]) => ({ key, value }));
}

function entity(
  image: EntityImage,
  typed: boolean,
  only?: readonly string[],
  primaryId?: string,
): JsonObject {
  const names =
    only && only.length > 0 ? only.filter((name) => name in image.attributes) : Object.keys(image.attributes);
  const attributes: [string, Json][] = names.map((name) => [
    name,
    contractValue(image.attributes[name] ?? null),
  ]);
  if (primaryId && !names.includes(primaryId) && (!only || only.length === 0 || only.includes(primaryId))) {
    attributes.push([primaryId, image.id]);
  }
  const out: JsonObject = typed ? { __type: `Entity:${CONTRACTS}` } : {};
  out.Attributes = keyValues(attributes);
  out.EntityState = null;
  out.FormattedValues = [];
  out.Id = image.id;
  out.KeyAttributes = [];
  out.LogicalName = image.logicalName;
  out.RelatedEntities = [];
  out.RowVersion = null;
  return out;
}

function inputParameters(event: OperationEvent, primaryId: string | undefined): Json[] {
  const target = event.target;
  switch (event.message) {
    case 'Create':
    case 'Update':
      return keyValues([['Target', entity(target, true, undefined, primaryId)]]);
    case 'Delete':
      return keyValues([['Target', reference({ logicalName: target.logicalName, id: target.id }, true)]]);
    case 'Associate':
    case 'Disassociate': {
      const related = event.relationship?.relatedEntities ?? [];
      return keyValues([
        ['Target', reference({ logicalName: target.logicalName, id: target.id }, true)],
        [
          'Relationship',
          {
            __type: `Relationship:${CONTRACTS}`,
            PrimaryEntityRole: null,
            SchemaName: event.relationship?.name ?? '',
          },
        ],
        ['RelatedEntities', related.map((r) => reference(r, true))],
      ]);
    }
  }
}

function outputParameters(event: OperationEvent): Json[] {
  // The new record's id is an output of Create, known from the main operation on.
  return event.message === 'Create' && event.stage === 40 ? keyValues([['id', event.id]]) : [];
}

function images(step: StepModel, event: OperationEvent, which: 'pre' | 'post'): [string, Json][] {
  const source = which === 'pre' ? event.preImage : event.postImage;
  if (!source) return [];
  const wanted = which === 'pre' ? [0, 2] : [1, 2];
  return step.images
    .filter((image) => wanted.includes(image.imageType))
    .map((image) => [image.entityAlias || image.name, entity(source, false, image.attributes)]);
}

interface Level {
  readonly event: OperationEvent;
  readonly stage: number;
  readonly inputParameters: Json[];
  readonly outputParameters: Json[];
  readonly pre: [string, Json][];
  readonly post: [string, Json][];
  readonly parent: Json;
}

function contextObject(level: Level, step: StepModel, options: ContextOptions, mode: number): JsonObject {
  const { event } = level;
  return {
    BusinessUnitId: event.businessUnitId,
    CorrelationId: event.correlationId,
    Depth: event.depth,
    InitiatingUserId: event.initiatingUserId,
    InputParameters: level.inputParameters,
    IsExecutingOffline: false,
    // Asynchronous steps and pre-validation at depth 1 run outside the database transaction.
    IsInTransaction: mode === 0 && (level.stage !== 10 || event.depth > 1),
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: event.message,
    Mode: mode,
    OperationCreatedOn: dotNetDate(event.operationCreatedOn.getTime()),
    OperationId: event.operationId,
    OrganizationId: event.organizationId,
    OrganizationName: options.organizationName,
    OutputParameters: level.outputParameters,
    OwningExtension: reference(
      { logicalName: 'sdkmessageprocessingstep', id: step.id, name: step.name || null },
      false,
    ),
    ParentContext: level.parent,
    PostEntityImages: keyValues(level.post),
    PreEntityImages: keyValues(level.pre),
    PrimaryEntityId: event.id,
    PrimaryEntityName: event.entityName,
    RequestId: null,
    SecondaryEntityName: 'none',
    SharedVariables: keyValues(
      Object.entries(event.sharedVariables).flatMap(([key, value]): [string, Json][] => {
        const json = sharedValue(value);
        return json === undefined ? [] : [[key, json]];
      }),
    ),
    Stage: level.stage,
    UserId: event.userId,
  };
}

/**
 * The main operation (stage 30) of an event, as Dataverse sends it in ParentContext: the request's
 * parameters, no images; its own parent is the operation whose handler caused this one.
 */
function mainOperation(
  event: OperationEvent,
  step: StepModel,
  options: ContextOptions,
  mode: number,
): JsonObject {
  const primaryId = options.tableInfo?.(event.entityName)?.primaryId;
  return contextObject(
    {
      event,
      stage: 30,
      inputParameters: inputParameters(event, primaryId),
      outputParameters: [],
      pre: [],
      post: [],
      parent: event.parent ? mainOperation(event.parent, step, options, mode) : null,
    },
    step,
    options,
    mode,
  );
}

/** The context object (not yet serialised), with every collection. */
export function executionContext(
  event: OperationEvent,
  step: StepModel,
  options: ContextOptions,
): JsonObject {
  const table = options.tableInfo?.(event.entityName);
  const post = images(step, event, 'post');
  // Dataverse adds this image to every asynchronous step so the System Jobs view can name the record.
  if (step.mode === 1 && event.postImage && table?.primaryName) {
    post.push([
      'AsynchronousStepPrimaryName',
      entity(event.postImage, false, [table.primaryName, table.primaryId]),
    ]);
  }
  const parent =
    event.stage === 10
      ? event.parent
        ? mainOperation(event.parent, step, options, step.mode)
        : null
      : mainOperation(event, step, options, step.mode);
  return contextObject(
    {
      event,
      stage: event.stage,
      inputParameters: inputParameters(event, table?.primaryId),
      outputParameters: outputParameters(event),
      pre: images(step, event, 'pre'),
      post,
      parent,
    },
    step,
    options,
    step.mode,
  );
}

/** Serialises the context, trimming it the way Dataverse does when it is over 256 KB. */
export function buildExecutionContext(
  event: OperationEvent,
  step: StepModel,
  options: ContextOptions,
): BuiltContext {
  const context = executionContext(event, step, options);
  const body = JSON.stringify(context);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes <= SIZE_LIMIT_BYTES) return { body, sizeExceeded: false, bytes };
  const trimmed = JSON.stringify({
    ...context,
    InputParameters: [],
    ParentContext: null,
    PostEntityImages: [],
    PreEntityImages: [],
  });
  return { body: trimmed, sizeExceeded: true, bytes: Buffer.byteLength(trimmed, 'utf8') };
}
