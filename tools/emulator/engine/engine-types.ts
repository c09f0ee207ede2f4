/** The engine's public option, context and action types; `engine.ts` re-exports them. */
import type { RecordKey } from '../../../dataverse/client';
import type { Logger } from '../../../dataverse/logger';
import type { MetadataModel } from '../../solution/model';
import type { FetchResult } from '../fetchxml';
import type { Engine } from './engine';
import type { TableInfo } from './metadata';
import type { ReadShape } from './records';
import type { LookupValue } from './values';

export interface EngineOptions {
  readonly metadata: MetadataModel;
  /** SQLite file; `:memory:` for tests. Default `.ideario/emulator.db`. */
  readonly path?: string;
  readonly clock?: () => Date;
  /** Id source for new records and operations (randomness is passed in). */
  readonly newId?: () => string;
  readonly logger?: Logger;
  /** Symbol in money formatted values of rows without a currency; default the base currency's, else `$`. */
  readonly currencySymbol?: string;
  /**
   * The organization's base currency, an ISO 4217 code (`IDEARIO_CURRENCY`): the engine seeds an
   * `organization` row whose `basecurrencyid` is that `transactioncurrency`. Absent: no organization row.
   */
  readonly baseCurrency?: string;
  /** How long a write waits for another write to finish. Default 30 s. */
  readonly lockTimeoutMs?: number;
  /** How long one FetchXML query may run before it is stopped (QueryTimeoutError). Default 10 s. */
  readonly queryTimeLimitMs?: number;
  /**
   * IANA time zone of users without a time zone of their own (`IDEARIO_TIME_ZONE`): the days, weeks,
   * months and years of `$filter` query functions and FetchXML date conditions. Default UTC.
   */
  readonly timeZone?: string;
}

/** Who calls and why: set by the HTTP layer (caller id) and by async jobs (depth, correlation). */
export interface CallContext {
  readonly userId?: string;
  readonly depth?: number;
  readonly correlationId?: string;
  /** `MSCRM.BypassBusinessLogicExecution: CustomAsync` ("Bypass custom Dataverse logic"): no async steps queued. */
  readonly bypassCustomAsync?: boolean;
  /**
   * Personal options this call is made with, over the caller's stored usersettings: a browser session's
   * language on the emulator's pages (one token stands for every person using them).
   */
  readonly userSettings?: { readonly localeid?: number; readonly uilanguageid?: number };
}

export interface WriteOptions {
  readonly context?: CallContext;
  /** `If-Match`: an etag (`W/"12"`) for optimistic concurrency, or `*` (update only). */
  readonly ifMatch?: string;
  /** `If-None-Match: *`: create only. */
  readonly ifNoneMatch?: string;
}

export interface ReadOptions extends ReadShape {
  readonly context?: CallContext;
}

export interface Identity {
  readonly UserId: string;
  readonly BusinessUnitId: string;
  readonly OrganizationId: string;
}

export interface OutboxMessage {
  readonly emailId: string;
  readonly sentOn: string;
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  readonly bcc: string;
  readonly subject: string;
  readonly body: string;
}

/** One page of FetchXML results: records, `morerecords`, the paging cookie and the total count asked for. */
export type FetchXmlPage = FetchResult;

export interface ActionRequest {
  readonly engine: Engine;
  readonly name: string;
  readonly body: Record<string, unknown>;
  /** Bound actions: the table, and the record for record-bound ones (`/emails(<id>)/Microsoft.Dynamics.CRM.SendEmail`). */
  readonly bound?: { readonly table: TableInfo; readonly id?: string };
  readonly context: CallContext;
}

/** Where an action is called: a table (`<set>/Microsoft.Dynamics.CRM.X`) or, with `key`, one record. */
export interface ActionBinding {
  readonly entitySet: string;
  readonly key?: RecordKey;
}

/** Returns the response body (`undefined` → 204 No Content). */
export type ActionHandler = (request: ActionRequest) => unknown;

export interface ActionOptions {
  /** Run the handler in one transaction (default): all its writes succeed or none do. */
  readonly transactional?: boolean;
  /** A function (GET) rather than an action (POST), like WhoAmI. */
  readonly isFunction?: boolean;
  /**
   * The table (logical name) whose records the action is bound to, for actions the Web API offers only
   * bound ("Web API Action Reference": AddMemberList on list). Called unbound or on another table, it
   * does not exist there, and the emulator answers as for any unknown action.
   */
  readonly boundTo?: string;
}

export interface PartyInput {
  readonly mask: number;
  readonly party?: LookupValue;
  readonly address?: string;
}
