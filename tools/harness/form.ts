/**
 * A form in memory, built on xrm-mock's object model, for testing form scripts without Dynamics.
 * Nothing is installed as a global `Xrm`: the test hands `harness.xrm` to the code under test.
 * xrm-mock keeps some state in static fields (XrmMockGenerator) for fireOnChange and save; the
 * harness never goes through those paths, so forms in the same test file stay independent.
 */
import {
  BooleanAttributeMock,
  BooleanControlMock,
  ClientContextMock,
  ContextMock,
  DataMock,
  DateAttributeMock,
  DateControlMock,
  EntityMock,
  EventContextMock,
  FormContextMock,
  ItemCollectionMock,
  LookupAttributeMock,
  LookupControlMock,
  NavigationStaticMock,
  NumberAttributeMock,
  NumberControlMock,
  OptionSetAttributeMock,
  OptionSetControlMock,
  SaveEventContextMock,
  StringAttributeMock,
  StringControlMock,
  UiMock,
  UserSettingsMock,
  UtilityMock,
  XrmStaticMock,
} from 'xrm-mock';
import type { DataverseClient } from '../../dataverse/client';
import {
  dateOnlyFromDate,
  formatDateOnly,
  parseDateOnly,
  toLocalDate,
} from '../../domain/quotation/dateonly';
import type { ColumnType } from '../solution/model';
import { FormScriptError, HandlerNotFoundError, InvalidValueError, UnknownColumnError } from './errors';
import {
  FormNotificationList,
  recordControlNotifications,
  type ControlNotification,
  type FormNotification,
} from './notifications';
import { type LoadedResources, resourceStringReader } from './resources';
import {
  isXrmWebApi,
  missingWebApi,
  toXrmPromise,
  xrmWebApiFromClient,
  type EntitySetSource,
  type WebApiCall,
} from './webapi';

/** What the harness needs to know about one column to build its attribute and control. */
export interface ColumnSpec {
  logicalName: string;
  type: ColumnType;
  requiredLevel?: 'none' | 'recommended' | 'required' | 'systemrequired';
  label?: string;
  precision?: number;
  maxLength?: number;
  /** Choice values (Picklist, State, Status). */
  options?: readonly { value: number; label: string }[];
  /** Lookup targets. */
  targets?: readonly string[];
}

export interface LookupInput {
  id: string;
  entityType: string;
  name?: string;
}

/**
 * A value as a test writes it. Dates may be `YYYY-MM-DD` (a date-only value: the form holds local
 * midnight of that day, as Unified Interface does) or a Date; lookups one reference or a list.
 */
export type HarnessValue = string | number | boolean | Date | LookupInput | readonly LookupInput[] | null;

/** A form event handler as FormXml registers it with passExecutionContext. */
export type FormHandler = (executionContext: Xrm.Events.EventContext) => unknown;

/** A handler reference as FormXml holds it (`tools/solution/model.ts` FormModel.handlers). */
export interface FormHandlerReference {
  event: string;
  attribute?: string;
  functionName: string;
}

export type FormTypeName = 'create' | 'update';

export interface SaveResult {
  /** An OnSave handler called `getEventArgs().preventDefault()`. */
  prevented: boolean;
  /** Controls whose ERROR notification blocked the save, as Unified Interface does on its own. */
  blockedBy: string[];
  /** The save went through: not prevented, no control in error and not refused by the server. */
  saved: boolean;
  /** What the server answered when the test made it refuse the save (`save(mode, { refuse })`). */
  serverError?: SaveErrorInfo;
}

/** A Dataverse error as PostSave's `getSaveErrorInfo()` hands it to a script. */
export interface SaveErrorInfo {
  errorCode: number;
  message: string;
}

export interface SaveOutcome {
  /** The server refuses the save with this error, as Dataverse does for a plug-in's or a rule's refusal. */
  refuse?: SaveErrorInfo;
  /**
   * Writes the record once OnSave let the save through (the emulator's form pages: the Web API), before
   * PostSave. It resolves with a new record's id or the server's refusal; a rejection ends the save
   * without PostSave (nothing reached the server).
   */
  write?: () => Promise<WriteOutcome>;
}

/** What a `SaveOutcome.write` got from the server. */
export interface WriteOutcome {
  /** A created record's id. */
  id?: string;
  refused?: SaveErrorInfo;
}

export interface FormHarness<C extends string = string> {
  /** The mocked Xrm namespace. Never installed as a global: pass it to the code under test. */
  readonly xrm: Xrm.XrmStatic;
  readonly formContext: Xrm.FormContext;
  readonly globalContext: Xrm.GlobalContext;
  /** Xrm.WebApi calls the form script made, in order. */
  readonly webApiCalls: readonly WebApiCall[];
  /** A fresh execution context, as Dynamics passes with passExecutionContext. */
  executionContext(eventSource?: C): Xrm.Events.EventContext;

  onLoad(handler: FormHandler, name?: string): void;
  onSave(handler: FormHandler, name?: string): void;
  onChange(column: C, handler: FormHandler, name?: string): void;
  /** Wires handlers the way the form's FormXml names them, resolving each dotted functionName in `library`. */
  registerHandlers(handlers: readonly FormHandlerReference[], library: object): void;

  /** Opens the form: runs OnLoad handlers and waits for any promise they return. */
  load(): Promise<void>;
  /** Puts a value in a field as the user would, without firing OnChange (like typing before tabbing out). */
  setValue(column: C, value: HarnessValue): void;
  /** Runs the field's OnChange handlers (like tabbing out) and waits for any promise they return. */
  fireOnChange(column: C): Promise<void>;
  /** setValue then fireOnChange: a user typing a value and leaving the field. */
  change(column: C, value: HarnessValue): Promise<void>;
  /**
   * Clicks Save: runs OnSave handlers; the save goes through unless prevented or a control is in error
   * (or `outcome.refuse` makes the server refuse it). Once the save reached the server, the handlers
   * added with `formContext.data.entity.addOnPostSave` run, successful or not.
   */
  save(saveMode?: number, outcome?: SaveOutcome): Promise<SaveResult>;

  /** The field's attribute, as `formContext.getAttribute(column)` returns it to a script. */
  attribute<T extends Xrm.Attributes.Attribute = Xrm.Attributes.Attribute>(column: C): T;
  /** The field's (first) control. */
  control<T extends Xrm.Controls.StandardControl = Xrm.Controls.StandardControl>(column: C): T;
  /** The attribute's value as the form script would read it (getValue()). */
  value(column: C): unknown;
  /** A date column's value as `YYYY-MM-DD` in the user's calendar, or null. */
  dateValue(column: C): string | null;
  /** The notification text shown on the field's control, or undefined. */
  fieldNotification(column: C): string | undefined;
  /** Every notification the field's control holds (the last one is the one on display). */
  fieldNotifications(column: C): ControlNotification[];
  formNotifications(): FormNotification[];
  isDisabled(column: C): boolean;
  requiredLevel(column: C): Xrm.Attributes.RequirementLevel;
  isDirty(column: C): boolean;
  formType(): FormTypeName;
}

export interface CreateFormSpec<C extends string = string> {
  logicalName: string;
  columns: readonly ColumnSpec[];
  values?: Partial<Record<C, HarnessValue>>;
  formType?: FormTypeName;
  /** Record id for an update form; a create form gets one when it is saved. */
  id?: string;
  /** The table's primary name column, for the name in PostSave's `getEntityReference()`. */
  primaryNameAttribute?: string;
  webApi?: DataverseClient | Xrm.WebApi;
  /** Tables a DataverseClient-backed Xrm.WebApi can address (logical name → entity set). */
  tables?: readonly EntitySetSource[];
  userLanguage?: 1033 | 3082;
  /** Fields locked in the form designer. */
  disabled?: readonly C[];
  /** The RESX web resources the page has loaded, for `Xrm.Utility.getResourceString`. */
  resources?: LoadedResources;
}

/** The members of xrm-mock's attribute classes the harness uses (their typings predate @types/xrm 9.0.97). */
interface MockAttribute {
  eventHandlers: Xrm.Events.ContextSensitiveHandler[];
  isDirty: boolean;
  attributeType: Xrm.Attributes.AttributeType;
  fireOnChange(): void;
  getValue(): unknown;
  setValue(value: unknown): void;
  getRequiredLevel(): Xrm.Attributes.RequirementLevel;
  getIsDirty(): boolean;
}

interface MockControl {
  getName(): string;
  getDisabled(): boolean;
  setNotification(message: string, uniqueId?: string): boolean;
  addNotification(notification: Xrm.Controls.AddControlNotificationOptions): void;
  clearNotification(uniqueId?: string): boolean;
  getNotifications?(): Xrm.Controls.AddControlNotificationOptions[];
}

interface Field {
  spec: ColumnSpec;
  attribute: MockAttribute;
  control: MockControl;
  notifications: () => ControlNotification[];
}

interface Registered {
  name: string;
  handler: FormHandler;
}

/** xrm-mock 3.6's typings predate @types/xrm 9.0.97; its objects are handed out under the Xrm types here. */
function asXrm<T>(mock: object): T {
  return mock as T;
}

const FORM_TYPE: Record<FormTypeName, XrmEnum.FormType> = { create: 1, update: 2 };
const SAVE_MODE_SAVE = 1 as XrmEnum.SaveMode;

let savedRecordCounter = 0;

/** Not `instanceof`: a script bundle run in a vm context makes Dates of its own realm. */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

function toDate(spec: ColumnSpec, value: HarnessValue): Date | null {
  if (value === null) return null;
  if (isDate(value)) return value;
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return toLocalDate(parseDateOnly(value));
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new InvalidValueError(
    spec.logicalName,
    spec.type,
    value,
    'a Date, a YYYY-MM-DD date or an ISO date-time',
  );
}

function toNumber(spec: ColumnSpec, value: HarnessValue): number | null {
  if (value === null) return null;
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  throw new InvalidValueError(spec.logicalName, spec.type, value, 'a number or null');
}

function toLookup(spec: ColumnSpec, value: HarnessValue): Xrm.LookupValue[] | null {
  if (value === null) return null;
  const list = Array.isArray(value) ? (value as readonly unknown[]) : [value];
  return list.map((item) => {
    const ref = item as Partial<LookupInput> | null;
    if (!ref || typeof ref.id !== 'string' || typeof ref.entityType !== 'string') {
      throw new InvalidValueError(
        spec.logicalName,
        spec.type,
        value,
        '{ id, entityType, name? } or a list of them',
      );
    }
    return { id: ref.id, entityType: ref.entityType, name: ref.name };
  });
}

function toText(spec: ColumnSpec, value: HarnessValue): string | null {
  if (value === null || typeof value === 'string') return value;
  throw new InvalidValueError(spec.logicalName, spec.type, value, 'a string or null');
}

function toBoolean(spec: ColumnSpec, value: HarnessValue): boolean | null {
  if (value === null || typeof value === 'boolean') return value;
  throw new InvalidValueError(spec.logicalName, spec.type, value, 'true, false or null');
}

/** Converts a test's value to what the attribute holds, by the column's type. */
function attributeValue(spec: ColumnSpec, value: HarnessValue): unknown {
  switch (spec.type) {
    case 'DateOnly':
    case 'DateTime':
      return toDate(spec, value);
    case 'Integer':
    case 'BigInt':
    case 'Decimal':
    case 'Double':
    case 'Money':
    case 'Picklist':
    case 'State':
    case 'Status':
      return toNumber(spec, value);
    case 'Lookup':
    case 'Customer':
    case 'Owner':
    case 'PartyList':
      return toLookup(spec, value);
    case 'Boolean':
      return toBoolean(spec, value);
    default:
      return toText(spec, value);
  }
}

const NUMBER_TYPES: Partial<Record<ColumnType, { type: Xrm.Attributes.AttributeType; precision: number }>> = {
  Integer: { type: 'integer', precision: 0 },
  BigInt: { type: 'integer', precision: 0 },
  Decimal: { type: 'decimal', precision: 2 },
  Double: { type: 'double', precision: 2 },
  Money: { type: 'money', precision: 2 },
};

function requirement(spec: ColumnSpec): Xrm.Attributes.RequirementLevel {
  if (spec.requiredLevel === 'required' || spec.requiredLevel === 'systemrequired') return 'required';
  return spec.requiredLevel === 'recommended' ? 'recommended' : 'none';
}

/** Builds the xrm-mock attribute and its control for one column. */
function buildField(
  spec: ColumnSpec,
  initial: unknown,
  disabled: boolean,
): { attribute: MockAttribute; control: MockControl } {
  const name = spec.logicalName;
  const common = { name, requiredLevel: requirement(spec) };
  const control = { name, label: spec.label ?? name, disabled, visible: true };
  switch (spec.type) {
    case 'DateOnly':
    case 'DateTime': {
      const attribute = new DateAttributeMock({
        ...common,
        value: initial as Date | null,
        format: spec.type === 'DateOnly' ? 'date' : 'datetime',
      });
      return {
        attribute,
        control: new DateControlMock({ ...control, attribute, showTime: spec.type === 'DateTime' }),
      };
    }
    case 'Integer':
    case 'BigInt':
    case 'Decimal':
    case 'Double':
    case 'Money': {
      const kind = NUMBER_TYPES[spec.type] ?? { type: 'decimal', precision: 2 };
      // No min/max on purpose: xrm-mock throws on out-of-range setValue, while a form accepts the
      // value and the script (or the platform) reports it: the harness must let scripts see it.
      const attribute = new NumberAttributeMock({
        ...common,
        value: initial as number | null,
        attributeType: kind.type,
        precision: spec.precision ?? kind.precision,
      });
      return { attribute, control: new NumberControlMock({ ...control, attribute }) };
    }
    case 'Picklist':
    case 'State':
    case 'Status': {
      const options = (spec.options ?? []).map((o) => ({ text: o.label, value: o.value }));
      const attribute = new OptionSetAttributeMock({ ...common, value: initial as number | null, options });
      return { attribute, control: new OptionSetControlMock({ ...control, attribute, options }) };
    }
    case 'Lookup':
    case 'Customer':
    case 'Owner':
    case 'PartyList': {
      const attribute = new LookupAttributeMock({
        ...common,
        value: initial as Xrm.LookupValue[] | null,
        isPartyList: spec.type === 'PartyList',
      });
      return {
        attribute,
        control: new LookupControlMock({ ...control, attribute, entityTypes: [...(spec.targets ?? [])] }),
      };
    }
    case 'Boolean': {
      const value = (initial as boolean | null) ?? false;
      const attribute = new BooleanAttributeMock({ ...common, value, initialValue: value });
      return { attribute, control: new BooleanControlMock({ ...control, attribute }) };
    }
    default: {
      const attribute = new StringAttributeMock({
        ...common,
        value: initial as string,
        maxLength: spec.maxLength ?? (spec.type === 'Memo' ? 1_048_576 : 4000),
      });
      if (spec.type === 'Memo') attribute.attributeType = 'memo';
      return { attribute, control: new StringControlMock({ ...control, attribute }) };
    }
  }
}

function resolvePath(library: object, functionName: string): unknown {
  let current: unknown = library;
  for (const part of functionName.split('.')) {
    if ((typeof current !== 'object' && typeof current !== 'function') || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Builds a form. Prefer `createForm` (index.ts), which takes a generated table constant. */
export function createFormFromSpec<C extends string>(spec: CreateFormSpec<C>): FormHarness<C> {
  const language = spec.userLanguage ?? 1033;
  let formType: FormTypeName = spec.formType ?? (spec.id ? 'update' : 'create');
  const disabled = new Set<string>(spec.disabled ?? []);
  const values = (spec.values ?? {}) as Partial<Record<string, HarnessValue>>;
  const columnNames = spec.columns.map((c) => c.logicalName);
  for (const name of Object.keys(values)) {
    if (!columnNames.includes(name)) throw new UnknownColumnError(spec.logicalName, name, columnNames);
  }

  const fields = new Map<string, Field>();
  const attributes = new ItemCollectionMock<Xrm.Attributes.Attribute>();
  const controls = new ItemCollectionMock<Xrm.Controls.Control>();
  for (const column of spec.columns) {
    const given = values[column.logicalName];
    const initial = given === undefined ? null : attributeValue(column, given);
    const { attribute, control } = buildField(column, initial, disabled.has(column.logicalName));
    attributes.push(asXrm(attribute));
    controls.push(asXrm(control));
    fields.set(column.logicalName, {
      spec: column,
      attribute,
      control,
      notifications: recordControlNotifications(control),
    });
  }

  const entity = new EntityMock({ entityName: spec.logicalName, attributes });
  // A create form has no id yet: getId() returns an empty string until the first save.
  entity.id = spec.id ?? '';
  const data = new DataMock(entity);
  data.attributes = attributes;
  const formNotifications = new FormNotificationList();
  const uiLoadHandlers: Xrm.Events.ContextSensitiveHandler[] = [];
  const loadedHandlers: Xrm.Events.ContextSensitiveHandler[] = [];
  const remove = <T>(list: T[], handler: T): void => {
    const index = list.indexOf(handler);
    if (index >= 0) list.splice(index, 1);
  };
  // xrm-mock's entity.removeOnSave/removeOnPostSave and data.removeOnLoad call splice(index) without a
  // count: they drop every handler after the removed one (and the last when it is unknown).
  const postSaveHandlers: Xrm.Events.PostSaveEventHandler[] = [];
  Object.assign(entity, {
    removeOnSave: (handler: Xrm.Events.ContextSensitiveHandler) =>
      remove(entity.saveEventHandlers as Xrm.Events.ContextSensitiveHandler[], handler),
    addOnPostSave: (handler: Xrm.Events.PostSaveEventHandler) => postSaveHandlers.push(handler),
    removeOnPostSave: (handler: Xrm.Events.PostSaveEventHandler) => remove(postSaveHandlers, handler),
  });
  Object.assign(data, {
    removeOnLoad: (handler: Xrm.Events.ContextSensitiveHandler) =>
      remove(data.loadEventHandlers as Xrm.Events.ContextSensitiveHandler[], handler),
  });
  const ui = new UiMock({ controls });
  Object.assign(ui, {
    getFormType: () => FORM_TYPE[formType],
    setFormNotification: (message: string, level: Xrm.FormNotificationLevel, uniqueId: string) =>
      formNotifications.set(message, level, uniqueId),
    clearFormNotification: (uniqueId: string) => formNotifications.clear(uniqueId),
    addOnLoad: (handler: Xrm.Events.ContextSensitiveHandler) => uiLoadHandlers.push(handler),
    removeOnLoad: (handler: Xrm.Events.ContextSensitiveHandler) => remove(uiLoadHandlers, handler),
    addLoaded: (handler: Xrm.Events.ContextSensitiveHandler) => loadedHandlers.push(handler),
    removeLoaded: (handler: Xrm.Events.ContextSensitiveHandler) => remove(loadedHandlers, handler),
  });
  // formContext.data.save() and entity.save() go through the same OnSave pipeline as the Save button.
  Object.assign(data, {
    save: () =>
      toXrmPromise(
        harness
          .save()
          .then((result) =>
            result.saved
              ? undefined
              : Promise.reject(
                  Object.assign(
                    new Error('The save was cancelled by an OnSave handler or a field in error.'),
                    { errorCode: 0 },
                  ),
                ),
          ),
      ),
    getIsDirty: () => entity.getIsDirty(),
    isValid: () => [...fields.values()].every((f) => !f.notifications().some((n) => n.level === 'ERROR')),
  });
  entity.save = () => {
    // Awaited (and its failure reported) by the harness call that caused it.
    pendingScriptChanges.push(harness.save().then(() => undefined));
  };
  const formContext = new FormContextMock(data, asXrm<Xrm.Ui>(ui));

  const userSettings = new UserSettingsMock({
    isGuidedHelpEnabled: false,
    isHighContrastEnabled: false,
    isRTL: false,
    languageId: language,
    userId: '{00000000-0000-0000-0000-0000000000a1}',
    userName: 'Harness User',
    securityRoles: [],
  });
  const globalContext = new ContextMock({
    clientContext: new ClientContextMock('Web', 'Online'),
    userSettings: asXrm<Xrm.UserSettings>(userSettings),
    orgLcid: 1033,
    orgUniqueName: 'harness',
    clientUrl: 'https://harness.crm.dynamics.com',
    version: '9.2.0.0',
  });

  const webApi = !spec.webApi
    ? missingWebApi()
    : isXrmWebApi(spec.webApi)
      ? spec.webApi
      : xrmWebApiFromClient(spec.webApi, spec.tables ?? []);
  const webApiCalls: WebApiCall[] = 'calls' in webApi ? (webApi as { calls: WebApiCall[] }).calls : [];
  const utility = new UtilityMock();
  utility.getGlobalContext = () => globalContext;
  utility.getResourceString = resourceStringReader(spec.resources ?? {}, language, 1033);
  const xrm = new XrmStaticMock({ webApi, utility, navigation: new NavigationStaticMock() });
  // Xrm.Page is deprecated ("Client API form context"); a script that reaches for it should fail loudly.
  Object.defineProperty(xrm, 'Page', {
    get(): never {
      throw new Error(
        'Xrm.Page is deprecated and not available in the harness: use executionContext.getFormContext().',
      );
    },
  });

  const registered = new Map<string, Registered[]>();
  const keyOf = (event: string, column?: string): string =>
    column ? `${event.toLowerCase()}:${column}` : event.toLowerCase();
  const register = (event: string, handler: FormHandler, name: string, column?: string): void => {
    const key = keyOf(event, column);
    registered.set(key, [...(registered.get(key) ?? []), { name, handler }]);
  };

  const field = (column: string): Field => {
    const found = fields.get(column);
    if (!found) throw new UnknownColumnError(spec.logicalName, column, columnNames);
    return found;
  };

  const newContext = (
    eventSource: Xrm.Attributes.Attribute | Xrm.Controls.Control | Xrm.Entity | undefined,
  ): EventContextMock => new EventContextMock({ context: globalContext, formContext, eventSource, depth: 1 });

  /** Runs handlers in order with one shared context; a throw stops the rest, as a script error does. */
  const dispatch = async (
    event: string,
    column: string | undefined,
    handlers: Registered[],
    context: Xrm.Events.EventContext,
  ): Promise<void> => {
    const pending: Promise<unknown>[] = [];
    for (const { name, handler } of handlers) {
      let result: unknown;
      try {
        result = handler(context);
      } catch (error) {
        throw new FormScriptError(event, name, column, error);
      }
      if (isPromiseLike(result)) {
        pending.push(
          Promise.resolve(result).catch((error: unknown) =>
            Promise.reject(new FormScriptError(event, name, column, error)),
          ),
        );
      }
    }
    await Promise.all(pending);
  };

  const changeHandlers = (column: string): Registered[] => [
    ...(registered.get(keyOf('onchange', column)) ?? []),
    ...field(column).attribute.eventHandlers.map((handler, i) => ({
      name: handler.name || `addOnChange handler ${i + 1}`,
      handler,
    })),
  ];

  const pendingScriptChanges: Promise<void>[] = [];
  for (const [column, { attribute }] of fields) {
    // A script's own attribute.fireOnChange() runs the same handlers as a user's change.
    attribute.fireOnChange = () => {
      pendingScriptChanges.push(
        dispatch('onchange', column, changeHandlers(column), newContext(asXrm(attribute))),
      );
    };
  }
  const settleScriptChanges = async (): Promise<void> => {
    while (pendingScriptChanges.length > 0) await pendingScriptChanges.shift();
  };

  /**
   * "PostSave event" (Client API reference, events/postsave) with "PostSave event arguments"
   * (save-event-arguments): getIsSaveSuccess, getSaveErrorInfo (null on success) and getEntityReference.
   */
  const firePostSave = async (error: SaveErrorInfo | undefined): Promise<void> => {
    const primary = spec.primaryNameAttribute;
    const name =
      primary !== undefined && fields.has(primary) ? field(primary).attribute.getValue() : undefined;
    const id = entity.getId();
    const reference: Xrm.LookupValue = {
      id: id ? `{${id.replace(/[{}]/g, '').toUpperCase()}}` : '',
      entityType: spec.logicalName,
      name: typeof name === 'string' ? name : undefined,
    };
    const args: Xrm.Events.PostSaveEventArguments = {
      getIsSaveSuccess: () => error === undefined,
      getSaveErrorInfo: () => (error === undefined ? (null as unknown as object) : { ...error }),
      getEntityReference: () => reference,
    };
    const context = Object.assign(newContext(asXrm(entity)), { getEventArgs: () => args });
    const handlers = postSaveHandlers.map((handler, i) => ({
      name: handler.name || `addOnPostSave handler ${i + 1}`,
      handler: handler as FormHandler,
    }));
    await dispatch('postsave', undefined, handlers, context);
    await settleScriptChanges();
  };

  const harness: FormHarness<C> = {
    xrm,
    formContext,
    globalContext,
    webApiCalls,
    executionContext: (eventSource?: C) =>
      newContext(eventSource === undefined ? undefined : asXrm(field(eventSource).attribute)),
    onLoad: (handler, name = handler.name || 'onLoad handler') => register('onload', handler, name),
    onSave: (handler, name = handler.name || 'onSave handler') => register('onsave', handler, name),
    onChange: (column, handler, name = handler.name || `onChange handler for ${column}`) => {
      field(column);
      register('onchange', handler, name, column);
    },
    registerHandlers(handlers, library) {
      for (const ref of handlers) {
        const fn = resolvePath(library, ref.functionName);
        if (typeof fn !== 'function')
          throw new HandlerNotFoundError(ref.functionName, ref.event, ref.attribute);
        if (ref.attribute !== undefined) field(ref.attribute);
        register(ref.event, fn as FormHandler, ref.functionName, ref.attribute);
      }
    },
    async load() {
      const handlers: Registered[] = [
        ...(registered.get('onload') ?? []),
        ...uiLoadHandlers.map((handler, i) => ({
          name: handler.name || `ui.addOnLoad handler ${i + 1}`,
          handler,
        })),
        ...(data.loadEventHandlers as FormHandler[]).map((handler, i) => ({
          name: handler.name || `data.addOnLoad handler ${i + 1}`,
          handler,
        })),
      ];
      await dispatch('onload', undefined, handlers, newContext(undefined));
      await settleScriptChanges();
      // "Form Loaded event": after every OnLoad handler, including those added during OnLoad.
      const loaded = loadedHandlers.map((handler, i) => ({
        name: handler.name || `ui.addLoaded handler ${i + 1}`,
        handler,
      }));
      await dispatch('loaded', undefined, loaded, newContext(undefined));
      await settleScriptChanges();
    },
    setValue(column, value) {
      const { spec: columnSpec, attribute } = field(column);
      attribute.setValue(attributeValue(columnSpec, value));
    },
    async fireOnChange(column) {
      const { attribute } = field(column);
      await dispatch('onchange', column, changeHandlers(column), newContext(asXrm(attribute)));
      await settleScriptChanges();
    },
    async change(column, value) {
      harness.setValue(column, value);
      await harness.fireOnChange(column);
    },
    async save(saveMode = SAVE_MODE_SAVE, outcome = {}) {
      const context = new SaveEventContextMock({
        context: globalContext,
        formContext,
        eventSource: entity,
        depth: 1,
        saveMode,
      });
      const handlers: Registered[] = [
        ...(registered.get('onsave') ?? []),
        ...(entity.saveEventHandlers as FormHandler[]).map((handler, i) => ({
          name: handler.name || `addOnSave handler ${i + 1}`,
          handler,
        })),
      ];
      await dispatch('onsave', undefined, handlers, context);
      await settleScriptChanges();
      const prevented = context.getEventArgs().isDefaultPrevented();
      const blockedBy = [...fields.entries()]
        .filter(([, f]) => f.notifications().some((n) => n.level === 'ERROR'))
        .map(([name]) => name);
      if (prevented || blockedBy.length > 0) return { prevented, blockedBy, saved: false };
      const written: WriteOutcome = outcome.write ? await outcome.write() : { refused: outcome.refuse };
      // Refused by the server: the form keeps its changes (and a new record stays new).
      if (written.refused) {
        await firePostSave(written.refused);
        return { prevented, blockedBy, saved: false, serverError: { ...written.refused } };
      }
      for (const { attribute } of fields.values()) attribute.isDirty = false;
      if (formType === 'create') {
        savedRecordCounter += 1;
        entity.id = written.id
          ? `{${written.id.replace(/[{}]/g, '').toUpperCase()}}`
          : `{00000000-0000-0000-0000-${String(savedRecordCounter).padStart(12, '0')}}`;
        formType = 'update';
      }
      await firePostSave(undefined);
      return { prevented, blockedBy, saved: true };
    },
    attribute: <T extends Xrm.Attributes.Attribute>(column: C) => asXrm<T>(field(column).attribute),
    control: <T extends Xrm.Controls.StandardControl>(column: C) => asXrm<T>(field(column).control),
    value: (column) => field(column).attribute.getValue(),
    dateValue(column) {
      const value = field(column).attribute.getValue();
      if (value === null || value === undefined) return null;
      if (!isDate(value))
        throw new InvalidValueError(column, field(column).spec.type, value, 'a date column');
      return formatDateOnly(dateOnlyFromDate(value, 'local'));
    },
    fieldNotification(column) {
      const shown = field(column).notifications();
      return shown.length > 0 ? shown[shown.length - 1].message : undefined;
    },
    fieldNotifications: (column) => field(column).notifications(),
    formNotifications: () => formNotifications.list(),
    isDisabled: (column) => field(column).control.getDisabled(),
    requiredLevel: (column) => field(column).attribute.getRequiredLevel(),
    isDirty: (column) => field(column).attribute.getIsDirty(),
    formType: () => formType,
  };
  return harness;
}
