/**
 * The one narrow interface business code uses to talk to Dataverse. Records travel in the
 * Web API JSON shape (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/overview):
 * column logical names as properties, lookups read as `_<col>_value` and written as
 * `<col>@odata.bind: "/<entityset>(<id>)"`, dates as ISO strings, choices as numbers.
 * Adapters: Xrm.WebApi (form scripts), PCF context.webAPI (controls), Node over HTTP
 * (dynamics-web-api) and the emulator's in-process engine. Each is created at the edge and passed in.
 */

export type ColumnValue = string | number | boolean | null;
/** A record as the Web API reads or writes it. Annotation keys (`@odata.etag`, `x@odata.bind`) are allowed. */
export type EntityRecord = Record<string, ColumnValue | undefined>;
/**
 * A record to create: an EntityRecord whose collection-valued navigation properties may also hold the
 * related records to create with it, a deep insert ("Create a table row using the Web API": "Create
 * related table rows in one operation"). It is the only way to give an activity its parties
 * (`email_activity_parties`). Reads never return one (the contract has no $expand), so EntityRecord
 * stays flat.
 */
export type NewRecord = { [key: string]: ColumnValue | readonly NewRecord[] | undefined };

/** A record's identity: its GUID, or an alternate key's column values. */
export type RecordKey = string | Readonly<Record<string, string | number>>;

export interface QueryOptions {
  select?: readonly string[];
  /** OData `$filter` text, e.g. `idr_processingstatus eq 105200000 and _idr_contact_value eq <guid>`. */
  filter?: string;
  /** `$orderby` clauses, e.g. `['idr_score desc', 'idr_name asc']`. */
  orderBy?: readonly string[];
  /** `$top`: the most records returned in all. */
  top?: number;
  /** `Prefer: odata.maxpagesize`; the adapter follows `@odata.nextLink` until the end (or `top`). */
  pageSize?: number;
  /** `Prefer: odata.include-annotations="OData.Community.Display.V1.FormattedValue"`. */
  formattedValues?: boolean;
}

export interface WriteOptions {
  /** `If-Match: <etag>`: optimistic concurrency; a mismatch throws ConcurrencyError (412). */
  ifMatch?: string;
}

export interface UpsertOptions {
  /** `If-Match: *`: update only, never create (404 if missing). */
  updateOnly?: boolean;
  /** `If-None-Match: *`: create only, never update (412 -> DuplicateRecordError). */
  createOnly?: boolean;
}

export type BatchOperation =
  | { kind: 'create'; entitySet: string; record: EntityRecord; contentId?: string }
  | {
      kind: 'update';
      entitySet: string;
      key: RecordKey;
      /** May carry an activity's party list (`<table>_activity_parties`): writing it replaces the list. */
      record: NewRecord;
      ifMatch?: string;
      contentId?: string;
    }
  | {
      kind: 'upsert';
      entitySet: string;
      key: RecordKey;
      record: EntityRecord;
      ifMatch?: string;
      contentId?: string;
    }
  | { kind: 'delete'; entitySet: string; key: RecordKey; contentId?: string }
  | {
      kind: 'action';
      name: string;
      body: Record<string, unknown>;
      /** A bound action's record, as for `executeAction` (`AddMemberList` is bound to its list). */
      bound?: { entitySet: string; id: string };
      contentId?: string;
    };

export interface BatchResult {
  status: number;
  /** Id of the created or upserted record, when there is one. */
  id?: string;
  body?: unknown;
}

/** A record passed to a function (`Target` of RetrievePrincipalAccess), by its entity set and GUID. */
export interface FunctionRecordReference {
  readonly entitySet: string;
  readonly id: string;
}

/**
 * A member (or, for a flags enum such as EntityFilters, several members) of a Web API enum type
 * ("Web API EnumType Reference"): `{ enumType: 'EntityFilters', members: ['Entity', 'Attributes'] }`
 * is sent as `Microsoft.Dynamics.CRM.EntityFilters'Entity,Attributes'`.
 */
export interface FunctionEnumValue {
  readonly enumType: string;
  readonly members: readonly string[];
}

/** A JSON value inside a complex-type parameter; a Date inside it is sent as ISO 8601 UTC. */
export type FunctionJsonValue =
  | string
  | number
  | boolean
  | null
  | Date
  | readonly FunctionJsonValue[]
  | { readonly [property: string]: FunctionJsonValue };

/**
 * A complex type ("Web API ComplexType Reference"), such as PagingInfo, sent as JSON with its
 * `@odata.type`: `{ complexType: 'PagingInfo', value: { PageNumber: 1, Count: 50 } }`.
 */
export interface FunctionComplexValue {
  readonly complexType: string;
  readonly value: { readonly [property: string]: FunctionJsonValue };
}

/** A function parameter's value (see `executeFunction`). */
export type FunctionParameter =
  | string
  | number
  | boolean
  | Date
  | FunctionRecordReference
  | FunctionEnumValue
  | FunctionComplexValue
  | readonly string[]
  | readonly number[]
  | readonly boolean[]
  | readonly FunctionEnumValue[];

export interface DataverseClient {
  /** Creates a record and returns its id. */
  create(entitySet: string, record: NewRecord): Promise<string>;
  /** Reads one record; `null` when it does not exist. The result carries `@odata.etag`. */
  retrieve(entitySet: string, key: RecordKey, select?: readonly string[]): Promise<EntityRecord | null>;
  update(entitySet: string, key: RecordKey, record: NewRecord, options?: WriteOptions): Promise<void>;
  /** PATCH by id or alternate key; returns the id and whether the record was created. */
  upsert(
    entitySet: string,
    key: RecordKey,
    record: EntityRecord,
    options?: UpsertOptions,
  ): Promise<{ id: string; created: boolean }>;
  delete(entitySet: string, key: RecordKey): Promise<void>;
  /** Runs a query, following every `@odata.nextLink`. */
  retrieveMultiple(entitySet: string, query?: QueryOptions): Promise<EntityRecord[]>;
  /** Runs FetchXML, following paging cookies. */
  fetchXml(entitySet: string, fetchXml: string): Promise<EntityRecord[]>;
  /**
   * Calls an action: unbound (`RemoveMemberList`), or bound to a record with `bound`
   * (`SendEmail` on an email, `AddMemberList` on a list: "Web API Action Reference").
   */
  executeAction(
    name: string,
    body: Record<string, unknown>,
    bound?: { entitySet: string; id: string },
  ): Promise<unknown>;
  /**
   * Calls a function (GET): unbound (`WhoAmI`), or bound to a record with `bound` ("Use Web API
   * functions"). Parameters go as parameter aliases (`Fn(A=@p1)?@p1=…`): a string as an Edm.String
   * (quotes doubled; a GUID as an Edm.Guid), numbers and booleans as they are, a Date as an
   * Edm.DateTimeOffset, an enum value as `Microsoft.Dynamics.CRM.<Type>'<Member>'`, a complex value and
   * a list as JSON (`EntityNames: ['account']`), a record (`Target: { entitySet: 'accounts', id }`) as
   * `{"@odata.id":"accounts(<id>)"}`. A value that cannot be sent (NaN, an invalid Date, a mixed list,
   * a function inside a complex value…) throws InvalidFunctionParameterError before anything is sent.
   */
  executeFunction(
    name: string,
    parameters?: Readonly<Record<string, FunctionParameter>>,
    bound?: { entitySet: string; id: string },
  ): Promise<unknown>;
  /**
   * Sends operations in one `$batch`. With `atomic`, they form one changeset: all or nothing,
   * and a failure throws the first failing operation's error.
   */
  executeBatch(
    operations: readonly BatchOperation[],
    options?: {
      atomic?: boolean;
      continueOnError?: boolean;
      /**
       * `MSCRM.BypassBusinessLogicExecution: CustomAsync` ("Bypass custom Dataverse logic"): the
       * operations queue no asynchronous step (needs the prvBypassCustomAsyncBusinessLogic privilege).
       */
      bypassCustomAsync?: boolean;
    },
  ): Promise<BatchResult[]>;
}
