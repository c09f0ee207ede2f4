/**
 * The form page in the browser: builds the form's attributes and controls with the mock-Xrm harness's
 * form model (tools/harness/form.ts), installs its `Xrm` as the page's global as Dynamics does, runs the
 * FormXml's OnLoad/OnChange/OnSave handlers from the form libraries (and scripts' PostSave handlers, as
 * the harness runs them), mirrors the model into the inputs the server laid out, and saves through the Web API, showing Dataverse's error when it refuses.
 */
import { FormScriptError, HandlerNotFoundError } from '../../../harness/errors';
import {
  createFormFromSpec,
  type ColumnSpec,
  type FormHandler,
  type FormHarness,
  type HarnessValue,
  type SaveResult,
  type WriteOutcome,
} from '../../../harness/form';
import { toXrmPromise } from '../../../harness/webapi';
import type { ColumnType } from '../../../solution/model';
import {
  formatDate,
  formatMoney,
  formatNumber,
  formatTime,
  parseDate,
  parseDateTime,
  parseNumber,
  type CalendarDate,
  type FormatSettings,
} from '../../engine/formats';
import { fromWall, toWall } from '../../engine/zones';
import type { ClientColumn, FormActionCommand, FormBootstrap } from '../shell';
import { toggleDatePicker } from './datepicker';
import type { HostedControl, mountControls } from './pcf/host';
import {
  browserXrmWebApi,
  createRecord,
  deleteRecord,
  executeBoundAction,
  retrieveMultiple,
  retrieveRecord,
  tableOf,
  updateRecord,
  WebApiError,
  type WebApiSettings,
} from './webapi';

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP_NAME = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const LOOKUP_TYPES = new Set(['Lookup', 'Customer', 'Owner']);
const NUMBER_TYPES = new Set(['Integer', 'BigInt', 'Decimal', 'Double', 'Money']);
const DATE_TYPES = new Set(['DateOnly', 'DateTime']);
const SAVE = 1;
const SAVE_AND_CLOSE = 2;

type Lookup = { id: string; entityType: string; name?: string };

function element<T extends Element>(selector: string): T | null {
  return document.querySelector<T>(selector);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/**
 * A User Local date and time as the form keeps it: a Date whose local fields read the user's wall clock
 * in their Dataverse time zone, not the browser's ("Behavior and format of the date and time column":
 * User Local values show converted to the user's time zone,
 * https://learn.microsoft.com/power-apps/maker/data-platform/behavior-format-date-time-field).
 */
function userLocal(instant: Date, timeZone: string): Date {
  const wall = toWall(instant, timeZone);
  return new Date(
    wall.getUTCFullYear(),
    wall.getUTCMonth(),
    wall.getUTCDate(),
    wall.getUTCHours(),
    wall.getUTCMinutes(),
    wall.getUTCSeconds(),
  );
}

/** The instant a form's date and time names, read in the user's time zone. */
function instantOf(local: Date, timeZone: string): Date {
  const wall = Date.UTC(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    local.getHours(),
    local.getMinutes(),
    local.getSeconds(),
  );
  return fromWall(new Date(wall), timeZone);
}

/** A date and time column that shows its time of day (not Format "Date Only"). */
function withTime(column: ClientColumn): boolean {
  return column.type === 'DateTime' && !column.dateOnlyFormat;
}

/** A record value from the Web API as the harness takes it. */
function fromRecord(
  column: ClientColumn,
  record: Record<string, unknown>,
  timeZone: string,
): HarnessValue | undefined {
  if (LOOKUP_TYPES.has(column.type)) {
    const id = record[`_${column.logicalName}_value`];
    if (typeof id !== 'string') return null;
    const entityType = record[`_${column.logicalName}_value${LOOKUP_NAME}`];
    const name = record[`_${column.logicalName}_value${FORMATTED}`];
    return {
      id,
      entityType: typeof entityType === 'string' ? entityType : (column.targets?.[0] ?? ''),
      name: typeof name === 'string' ? name : undefined,
    };
  }
  const value = record[column.logicalName];
  if (value === undefined) return undefined;
  if (column.type === 'DateTime' && typeof value === 'string')
    return userLocal(new Date(value), column.timeZoneIndependent ? 'UTC' : timeZone);
  return value as HarnessValue;
}

function specOf(column: ClientColumn): ColumnSpec {
  return {
    logicalName: column.logicalName,
    type: column.type as ColumnType,
    requiredLevel: column.requiredLevel,
    label: column.label,
    precision: column.precision,
    maxLength: column.maxLength,
    options: column.options,
    targets: column.targets,
  };
}

/**
 * An OnSave handler called preventDefault, or fields stopped the save: formContext.data.save()
 * rejects with it (Xrm's `{ errorCode, message }` shape), the Save command shows only the fields' notes.
 */
export class SaveCancelledError extends Error {
  readonly errorCode = 0;
  constructor(readonly fields: readonly string[]) {
    super(
      fields.length
        ? `The save was stopped: ${fields.join(', ')} need a value or hold an error.`
        : 'The save was cancelled by an OnSave handler.',
    );
    this.name = 'SaveCancelledError';
  }
}

class FormPage {
  private harness!: FormHarness;
  private snapshot = new Map<string, string>();
  private searchTicket = 0;
  private readonly settings: WebApiSettings;
  private saveError: { message: string; code: string } | undefined;
  /** A command's action failed: its banner says which command and Dataverse's error. */
  private commandError: { title: string; message: string; code: string } | undefined;
  private requiredErrors = new Set<string>();
  /**
   * Number and date fields holding text that is not a number or a date: what was typed stays, with its
   * error, until corrected.
   */
  private notValues = new Map<string, string>();
  /** A save was stopped by them: the banner says so until they are corrected. */
  private notValuesStoppedSave = false;
  private controls: HostedControl[] = [];
  /** Bound columns' values as the controls last saw them: a change calls their updateView. */
  private controlValues = new Map<string, string>();

  /** The user's formats, as the server made them from their personal options. */
  private readonly formats: FormatSettings;

  constructor(private readonly boot: FormBootstrap) {
    this.settings = { serviceRoot: boot.serviceRoot, token: boot.token, tables: boot.tables };
    this.formats = boot.formats;
  }

  private t(key: string, ...args: string[]): string {
    return args.reduce((out, arg, i) => out.replace(`{${i}}`, arg), this.boot.strings[key] ?? key);
  }

  private input(column: string): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null {
    return element(`[data-column="${column}"]`);
  }

  private recordUrl(etn: string, id?: string): string {
    const params = new URLSearchParams({
      appid: this.boot.appId,
      pagetype: 'entityrecord',
      etn,
      lang: String(this.boot.lang),
    });
    if (id) params.set('id', id.replace(/[{}]/g, '').toLowerCase());
    return `/main.aspx?${params.toString()}`;
  }

  async open(): Promise<void> {
    const { boot } = this;
    let record: Record<string, unknown> = {};
    if (boot.id) record = await retrieveRecord(this.settings, boot.table.logicalName, boot.id);
    const values: Record<string, HarnessValue> = {};
    for (const column of boot.columns) {
      const value = fromRecord(column, record, this.boot.timeZone);
      if (value !== undefined) values[column.logicalName] = value;
    }
    this.harness = createFormFromSpec({
      logicalName: boot.table.logicalName,
      columns: boot.columns.map(specOf),
      values,
      id: boot.id ? `{${boot.id}}` : undefined,
      primaryNameAttribute: boot.table.primaryNameAttribute,
      webApi: browserXrmWebApi(this.settings),
      userLanguage: boot.lang,
      resources: boot.resources,
      disabled: [...boot.disabled, ...boot.columns.filter((c) => c.readOnly).map((c) => c.logicalName)],
    });
    const xrm = this.harness.xrm as unknown as Record<string, unknown>;
    Object.assign(this.harness.xrm.Navigation, {
      openForm: (options: Xrm.Navigation.EntityFormOptions) => {
        window.location.assign(this.recordUrl(options.entityName ?? '', options.entityId));
        return Promise.resolve({ savedEntityReference: [] });
      },
    });
    Object.assign(this.harness.globalContext, { getClientUrl: () => window.location.origin });
    // "formContext.data (Client API reference)": save() writes the record and resolves once the form
    // shows what was stored; refresh(save) re-reads it (saving first when asked) without reloading the page.
    Object.assign(this.harness.formContext.data, {
      save: (options?: Xrm.SaveOptions) =>
        toXrmPromise(this.persist(options?.saveMode ?? SAVE).then(() => undefined)),
      refresh: (save?: boolean) =>
        toXrmPromise((save ? this.persist(SAVE) : this.refreshData()).then(() => undefined)),
    });
    // Where a Dynamics developer reaches for the deprecated Xrm.Page: the browser console and browser tests.
    (window as unknown as { IdearioForm: unknown }).IdearioForm = { formContext: this.harness.formContext };
    // Dynamics gives form libraries a global Xrm: the libraries loaded before this script read it when their handlers run.
    (window as unknown as { Xrm: unknown }).Xrm = xrm;
    try {
      this.registerHandlers();
    } catch (error) {
      this.showScriptError(error);
    }
    this.bind();
    this.render();
    try {
      await this.harness.load();
    } catch (error) {
      this.showScriptError(error);
    }
    this.takeSnapshot();
    this.render();
    this.showTitle(record);
    await this.mountControls();
    element('#idr-form')?.setAttribute('data-state', 'ready');
  }

  /** The FormXml's PCF controls, hosted by /_ideario/pcf.js with the form's attributes as their parameters. */
  private async mountControls(): Promise<void> {
    const specs = this.boot.controls ?? [];
    const host = (window as unknown as { IdearioPcf?: { mountControls: typeof mountControls } }).IdearioPcf;
    if (specs.length === 0 || !host) return;
    const harness = this.harness;
    this.controls = await host.mountControls({ ...this.boot, strings: this.boot.strings }, specs, {
      value: (column) => harness.value(column),
      dateValue: (column) => harness.dateValue(column),
      setValue: (column, value) => harness.setValue(column, value as HarnessValue),
      entityId: this.boot.id,
      entityTypeName: this.boot.table.logicalName,
      disabled: false,
    });
    this.controlValues = this.boundValues();
  }

  private boundValues(): Map<string, string> {
    const out = new Map<string, string>();
    for (const control of this.controls)
      for (const property of control.spec.properties)
        out.set(property.column, JSON.stringify(this.harness.value(property.column) ?? null));
    return out;
  }

  private updateControls(): void {
    if (this.controls.length === 0) return;
    const now = this.boundValues();
    const changed = [...now].filter(([column, value]) => this.controlValues.get(column) !== value);
    this.controlValues = now;
    if (changed.length === 0) return;
    for (const control of this.controls) control.update(changed.map(([column]) => column));
  }

  /**
   * Wires the FormXml's handlers by their dotted names on the page, as Dynamics does; a handler whose
   * FormXml says passExecutionContext="false" is called with no argument.
   */
  private registerHandlers(): void {
    for (const ref of this.boot.handlers) {
      const fn = ref.functionName
        .split('.')
        .reduce<unknown>(
          (at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined),
          window,
        );
      if (typeof fn !== 'function')
        throw new HandlerNotFoundError(ref.functionName, ref.event, ref.attribute);
      const call = fn as (context?: Xrm.Events.EventContext) => unknown;
      const handler = ref.passExecutionContext
        ? (context: Xrm.Events.EventContext) => call(context)
        : () => call();
      if (ref.event === 'onload') this.harness.onLoad(handler, ref.functionName);
      else if (ref.event === 'onsave') this.harness.onSave(handler, ref.functionName);
      else if (
        ref.event === 'onchange' &&
        ref.attribute &&
        this.boot.columns.some((c) => c.logicalName === ref.attribute)
      )
        this.harness.onChange(ref.attribute, handler, ref.functionName);
    }
  }

  private showScriptError(error: unknown): void {
    this.saveError = { message: error instanceof Error ? error.message : String(error), code: '' };
    this.render();
  }

  /** What the Web API gets for a column: `{ column: value }` or `{ nav@odata.bind: "/set(id)" }`. */
  private payloadOf(column: ClientColumn): Record<string, unknown> {
    const name = column.logicalName;
    const value = this.harness.value(name);
    if (LOOKUP_TYPES.has(column.type)) {
      const ref = Array.isArray(value) ? (value[0] as Lookup | undefined) : undefined;
      const target = ref?.entityType ?? column.targets?.[0] ?? '';
      const nav = column.bind?.[target] ?? name;
      if (!ref) return { [`${nav}@odata.bind`]: null };
      const set = tableOf(this.settings, ref.entityType).entitySetName;
      return { [`${nav}@odata.bind`]: `/${set}(${ref.id.replace(/[{}]/g, '').toLowerCase()})` };
    }
    if (column.type === 'DateOnly') return { [name]: this.harness.dateValue(name) };
    if (column.type === 'DateTime')
      return {
        [name]: isDate(value)
          ? instantOf(value, column.timeZoneIndependent ? 'UTC' : this.boot.timeZone).toISOString()
          : null,
      };
    if (value === undefined || value === '') return { [name]: null };
    return { [name]: value };
  }

  private takeSnapshot(): void {
    this.snapshot = new Map(this.boot.columns.map((c) => [c.logicalName, JSON.stringify(this.payloadOf(c))]));
  }

  private changes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const column of this.boot.columns) {
      if (column.readOnly) continue;
      const now = JSON.stringify(this.payloadOf(column));
      if (now === this.snapshot.get(column.logicalName)) continue;
      const payload = this.payloadOf(column);
      // A new record leaves empty lookups out: there is nothing to disassociate.
      if (!this.boot.id && Object.values(payload).every((v) => v === null)) continue;
      Object.assign(out, payload);
    }
    return out;
  }

  private domValue(column: ClientColumn): string {
    const value = this.harness.value(column.logicalName);
    if (value === null || value === undefined) return '';
    if (column.type === 'DateOnly') {
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(this.harness.dateValue(column.logicalName) ?? '');
      return day ? formatDate(Number(day[1]), Number(day[2]), Number(day[3]), this.formats) : '';
    }
    // The harness keeps a date and time with the user's wall clock in its local fields (userLocal).
    if (column.type === 'DateTime' && isDate(value)) {
      const day = formatDate(value.getFullYear(), value.getMonth() + 1, value.getDate(), this.formats);
      return withTime(column)
        ? `${day} ${formatTime(value.getHours(), value.getMinutes(), this.formats)}`
        : day;
    }
    if (LOOKUP_TYPES.has(column.type)) {
      const ref = Array.isArray(value) ? (value[0] as Lookup | undefined) : undefined;
      return ref?.name ?? ref?.id ?? '';
    }
    if (column.type === 'Boolean') return value === true ? '1' : '0';
    if (column.type === 'Money' && typeof value === 'number')
      return formatMoney(value, this.formats, this.currency(column));
    if (NUMBER_TYPES.has(column.type) && typeof value === 'number') {
      const whole = column.type === 'Integer' || column.type === 'BigInt';
      const digits = whole ? 0 : (column.precision ?? 2);
      return formatNumber(value, this.formats, { min: column.type === 'Decimal' ? digits : 0, max: digits });
    }
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  }

  /** The record's currency symbol, and its decimals (AccuracySource 2, Dataverse's default for amounts). */
  private currency(column: ClientColumn): { symbol: string; precision: number } {
    const { currency } = this.boot;
    return { symbol: currency.symbol, precision: currency.precision ?? column.precision ?? 2 };
  }

  private parse(column: ClientColumn, raw: string, target: HTMLElement): HarnessValue {
    if (raw === '') return column.type === 'Boolean' ? false : null;
    if (column.type === 'Boolean') return raw === '1';
    if (column.type === 'Picklist' || column.type === 'State' || column.type === 'Status') return Number(raw);
    if (column.type === 'Money') return parseNumber(raw, this.formats, this.boot.currency.symbol) ?? null;
    if (NUMBER_TYPES.has(column.type)) return parseNumber(raw, this.formats) ?? null;
    if (column.type === 'DateOnly') {
      const day = parseDate(raw, this.formats);
      return day ? `${day.year}-${pad(day.month)}-${pad(day.day)}` : null;
    }
    if (column.type === 'DateTime') {
      if (withTime(column)) {
        const at = parseDateTime(raw, this.formats);
        return at ? new Date(at.year, at.month - 1, at.day, at.hours, at.minutes) : null;
      }
      // Format "Date Only": the day starts at midnight in the user's time zone.
      const day = parseDate(raw, this.formats);
      return day ? new Date(day.year, day.month - 1, day.day) : null;
    }
    if (LOOKUP_TYPES.has(column.type)) {
      const list = element<HTMLDataListElement>(`#idr-list-${column.logicalName}`);
      const option = Array.from(list?.options ?? []).find((o) => o.value === raw);
      if (option?.dataset.id && option.dataset.type)
        return { id: option.dataset.id, entityType: option.dataset.type, name: raw };
      const current = this.harness.value(column.logicalName);
      // Text that matches no record leaves the lookup as it was, as Unified Interface does.
      (target as HTMLInputElement).value = this.domValue(column);
      return Array.isArray(current) ? (current as Lookup[]) : null;
    }
    return raw;
  }

  private listed(column: ClientColumn, name: string): boolean {
    const list = element<HTMLDataListElement>(`#idr-list-${column.logicalName}`);
    return Array.from(list?.options ?? []).some((o) => o.value === name);
  }

  private async searchLookup(column: ClientColumn, text: string): Promise<void> {
    const ticket = ++this.searchTicket;
    const list = element<HTMLDataListElement>(`#idr-list-${column.logicalName}`);
    if (!list) return;
    const found: { id: string; type: string; name: string }[] = [];
    for (const target of column.targets ?? []) {
      const table = this.boot.tables.find((t) => t.logicalName === target);
      if (!table?.primaryNameAttribute) continue;
      const escaped = text.replace(/'/g, "''");
      const filter = escaped
        ? `&$filter=contains(${table.primaryNameAttribute},'${encodeURIComponent(escaped)}')`
        : '';
      try {
        const page = await retrieveMultiple(
          this.settings,
          target,
          `?$select=${table.primaryIdAttribute},${table.primaryNameAttribute}${filter}&$orderby=${table.primaryNameAttribute}&$top=10`,
        );
        for (const row of page.entities) {
          const id = row[table.primaryIdAttribute];
          const name = row[table.primaryNameAttribute];
          if (typeof id === 'string' && typeof name === 'string') found.push({ id, type: target, name });
        }
      } catch {
        // A table the user cannot read offers no rows, as the lookup dialog shows none.
      }
    }
    if (ticket !== this.searchTicket) return;
    list.replaceChildren(
      ...found.map((row) => {
        const option = document.createElement('option');
        option.value = row.name;
        option.dataset.id = row.id;
        option.dataset.type = row.type;
        return option;
      }),
    );
  }

  private bind(): void {
    for (const column of this.boot.columns) {
      const input = this.input(column.logicalName);
      if (!input) continue;
      input.addEventListener('change', () => {
        void this.userChange(column, input);
      });
      const calendar = element<HTMLButtonElement>(`[data-calendar="${column.logicalName}"]`);
      calendar?.addEventListener('click', () =>
        this.openCalendar(column, input as HTMLInputElement, calendar),
      );
      if (LOOKUP_TYPES.has(column.type)) {
        input.addEventListener('input', () => void this.searchLookup(column, input.value));
        input.addEventListener('focus', () => void this.searchLookup(column, ''));
      }
    }
    for (const tab of Array.from(document.querySelectorAll<HTMLButtonElement>('[role=tab]'))) {
      tab.addEventListener('click', () => this.selectTab(tab.dataset.tab ?? ''));
    }
    const command = (name: string, run: () => Promise<void> | void) =>
      element(`[data-command="${name}"]`)?.addEventListener('click', () => void run());
    command('save', () => this.save(SAVE));
    command('saveclose', () => this.save(SAVE_AND_CLOSE));
    command('refresh', () => this.refreshCommand());
    command('delete', () => this.remove());
    for (const action of this.boot.commands ?? []) command(action.name, () => this.runCommand(action));
  }

  /**
   * A command that runs a bound action (Copy to Static): unsaved changes are saved first, since the
   * action reads the stored record; the status says it is running, then the record it answers opens,
   * or a banner says why it failed.
   */
  private async runCommand(command: FormActionCommand): Promise<void> {
    const id = this.boot.id;
    if (!id) return;
    const form = element('#idr-form');
    const button = element<HTMLButtonElement>(`[data-command="${command.name}"]`);
    form?.setAttribute('data-state', 'busy');
    if (button) button.disabled = true;
    this.commandError = undefined;
    this.render();
    this.status(command.running);
    try {
      if (Object.keys(this.changes()).length > 0 && !(await this.persist(SAVE))) return;
      this.status(command.running);
      const answer = await executeBoundAction(this.settings, this.boot.table.logicalName, id, command.action);
      // An action returning an entity type answers the record with `@odata.type` naming its table.
      const odataType = answer['@odata.type'];
      const type =
        typeof odataType === 'string' ? /Microsoft\.Dynamics\.CRM\.(\w+)$/.exec(odataType)?.[1] : undefined;
      const table = type ? this.boot.tables.find((t) => t.logicalName === type) : undefined;
      const created = table ? answer[table.primaryIdAttribute] : undefined;
      if (table && typeof created === 'string') {
        window.location.assign(this.recordUrl(table.logicalName, created));
        return;
      }
      this.status('');
    } catch (error) {
      this.status('');
      if (!(error instanceof SaveCancelledError))
        this.commandError = {
          title: command.failed,
          message: error instanceof Error ? error.message : String(error),
          code: error instanceof WebApiError ? error.code : '',
        };
    } finally {
      if (button) button.disabled = false;
      this.render();
      form?.setAttribute('data-state', 'ready');
    }
  }

  /** The calendar button: the picker in the page's language; a day picked is typed into the field. */
  private openCalendar(column: ClientColumn, input: HTMLInputElement, button: HTMLButtonElement): void {
    const now = userLocal(new Date(), this.boot.timeZone);
    const current = this.harness.value(column.logicalName);
    const value: CalendarDate | undefined = withTime(column)
      ? (parseDateTime(input.value, this.formats) ?? undefined)
      : parseDate(input.value, this.formats);
    toggleDatePicker({
      button,
      language: this.boot.lang === 3082 ? 'es-ES' : 'en-US',
      labels: {
        dialog: this.t('calendar'),
        previous: this.t('previousMonth'),
        next: this.t('nextMonth'),
      },
      value,
      today: { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() },
      pick: (day) => {
        let text = formatDate(day.year, day.month, day.day, this.formats);
        // A date and time keeps its time of day; an empty one starts at midnight, as Dynamics' does.
        if (withTime(column)) {
          const at = isDate(current) ? current : undefined;
          text += ` ${formatTime(at?.getHours() ?? 0, at?.getMinutes() ?? 0, this.formats)}`;
        }
        input.value = text;
        input.dispatchEvent(new Event('change'));
      },
    });
  }

  private selectTab(name: string): void {
    for (const tab of Array.from(document.querySelectorAll<HTMLElement>('[role=tab]')))
      tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    for (const panel of Array.from(document.querySelectorAll<HTMLElement>('[role=tabpanel]')))
      panel.hidden = panel.dataset.tabPanel !== name;
  }

  private async userChange(column: ClientColumn, input: HTMLElement): Promise<void> {
    const form = element('#idr-form');
    form?.setAttribute('data-state', 'busy');
    try {
      const raw = (input as HTMLInputElement).value;
      // A name typed (or pasted) faster than the search answered: look it up before resolving it.
      if (LOOKUP_TYPES.has(column.type) && raw && !this.listed(column, raw))
        await this.searchLookup(column, raw);
      const value = this.parse(column, raw, input);
      this.requiredErrors.delete(column.logicalName);
      if (
        (NUMBER_TYPES.has(column.type) || DATE_TYPES.has(column.type)) &&
        value === null &&
        raw.trim() !== ''
      )
        this.notValues.set(column.logicalName, raw);
      else {
        this.notValues.delete(column.logicalName);
        await this.harness.change(column.logicalName, value);
      }
    } catch (error) {
      this.showScriptError(error);
    }
    this.render();
    this.status(Object.keys(this.changes()).length ? this.t('unsaved') : '');
    form?.setAttribute('data-state', 'ready');
  }

  private status(message: string): void {
    const status = element('#idr-status');
    if (status) status.textContent = message;
  }

  /** The Save and Save & Close commands: the save, with Dataverse's error shown as a banner when it fails. */
  private async save(mode: number): Promise<void> {
    const form = element('#idr-form');
    form?.setAttribute('data-state', 'busy');
    try {
      if (await this.persist(mode)) this.status(this.t('saved'));
    } catch (error) {
      if (!(error instanceof SaveCancelledError)) this.showError(error);
    } finally {
      this.render();
      form?.setAttribute('data-state', 'ready');
    }
  }

  private showError(error: unknown): void {
    if (error instanceof WebApiError) this.saveError = { message: error.message, code: error.code };
    else this.saveError = { message: error instanceof Error ? error.message : String(error), code: '' };
  }

  /**
   * OnSave, the required fields, then the Web API, through the harness's save (so PostSave runs as the
   * harness runs it); resolves true once the form shows what Dataverse stored (false when the page moves
   * on to another URL). Rejects with SaveCancelledError when OnSave or a required field stopped it, or
   * with Dataverse's WebApiError.
   */
  private async persist(mode: number): Promise<boolean> {
    this.saveError = undefined;
    let refusal: WebApiError | undefined;
    let created: string | undefined;
    let wrote = false;
    const leaves = () => created !== undefined || mode === SAVE_AND_CLOSE;
    const write = async (): Promise<WriteOutcome> => {
      // Unified Interface refuses to save while a business-required field is empty.
      this.requiredErrors = new Set(
        this.boot.columns
          .filter((c) => this.harness.requiredLevel(c.logicalName) === 'required' && !c.readOnly)
          .filter((c) => {
            const v = this.harness.value(c.logicalName);
            return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
          })
          .map((c) => c.logicalName),
      );
      if (this.requiredErrors.size > 0) throw new SaveCancelledError([...this.requiredErrors]);
      this.notValuesStoppedSave = this.notValues.size > 0;
      if (this.notValuesStoppedSave) throw new SaveCancelledError([...this.notValues.keys()]);
      try {
        created = await this.write();
      } catch (error) {
        if (!(error instanceof WebApiError)) throw error;
        refusal = error;
        return { refused: { errorCode: error.errorCode, message: error.message } };
      }
      wrote = true;
      // Dynamics re-reads the record after a save: synchronous steps' changes show at once, what
      // asynchronous steps write later needs a refresh ("Save data and refresh form", data.refresh).
      if (!leaves()) await this.refreshData();
      return { id: created };
    };
    let result: SaveResult | undefined;
    try {
      result = await this.harness.save(mode, { write });
    } catch (error) {
      // A PostSave handler failed after Dataverse stored the record: a script error, the save stands.
      if (!(wrote && error instanceof FormScriptError)) throw error;
      this.showScriptError(error);
    }
    if (refusal) throw refusal;
    if (result && !result.saved) throw new SaveCancelledError(result.prevented ? [] : result.blockedBy);
    // A new record's form opens on it; Save & Close goes back to the list: PostSave ran before either.
    if (leaves()) {
      window.location.assign(
        mode === SAVE_AND_CLOSE || created === undefined
          ? this.boot.listUrl
          : this.recordUrl(this.boot.table.logicalName, created),
      );
      return false;
    }
    return true;
  }

  /** Creates or updates the record with the form's changes; resolves with a new record's id. */
  private async write(): Promise<string | undefined> {
    const data = this.changes();
    if (!this.boot.id) return (await createRecord(this.settings, this.boot.table.logicalName, data)).id;
    if (Object.keys(data).length > 0)
      await updateRecord(this.settings, this.boot.table.logicalName, this.boot.id, data);
    return undefined;
  }

  /**
   * The Refresh command opens the form again, as Unified Interface's does (OnLoad runs again and the
   * controls start afresh, so they read what asynchronous steps wrote); unsaved changes go only if the
   * user says so.
   */
  private refreshCommand(): void {
    if (Object.keys(this.changes()).length > 0 && !window.confirm(this.t('confirmRefresh'))) return;
    window.location.reload();
  }

  /**
   * formContext.data.refresh: the form shows what Dataverse stores now (values the server computed
   * included), its subgrids re-read their rows, hosted controls get updateView and data OnLoad runs.
   */
  private async refreshData(): Promise<void> {
    if (!this.boot.id) return;
    const record = await retrieveRecord(this.settings, this.boot.table.logicalName, this.boot.id);
    for (const column of this.boot.columns) {
      const value = fromRecord(column, record, this.boot.timeZone);
      // A column the server left empty comes back without a value: the field empties too.
      this.harness.setValue(column.logicalName, value === undefined ? null : value);
      const attribute = this.harness.attribute(column.logicalName) as unknown as { isDirty: boolean };
      attribute.isDirty = false;
    }
    this.takeSnapshot();
    this.requiredErrors.clear();
    this.notValues.clear();
    this.showTitle(record);
    await this.refreshSubgrids();
    this.render();
    // "Form data OnLoad event": runs on every data load, after a save and a refresh included.
    const data = this.harness.formContext.data as unknown as { loadEventHandlers?: FormHandler[] };
    try {
      for (const handler of data.loadEventHandlers ?? []) await handler(this.harness.executionContext());
    } catch (error) {
      this.showScriptError(error);
    }
  }

  /** Subgrids are laid out by the server: the page is read again and each subgrid swapped for its new rows. */
  private async refreshSubgrids(): Promise<void> {
    const current = Array.from(document.querySelectorAll<HTMLElement>('[data-subgrid]'));
    if (current.length === 0) return;
    const response = await fetch(window.location.href, { credentials: 'same-origin' });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const grid of current) {
      const name = grid.dataset.subgrid ?? '';
      const replacement = Array.from(fresh.querySelectorAll<HTMLElement>('[data-subgrid]')).find(
        (e) => e.dataset.subgrid === name,
      );
      if (replacement) grid.replaceWith(document.importNode(replacement, true));
    }
  }

  private showTitle(record: Record<string, unknown>): void {
    // Like Dynamics, an existing record's form is titled with its primary name.
    const name = record[this.boot.table.primaryNameAttribute];
    const title = element('#idr-title');
    if (title && typeof name === 'string' && name) title.textContent = name;
  }

  private async remove(): Promise<void> {
    if (!this.boot.id || !window.confirm(this.t('confirmDelete'))) return;
    try {
      await deleteRecord(this.settings, this.boot.table.logicalName, this.boot.id);
      window.location.assign(this.boot.listUrl);
    } catch (error) {
      this.showError(error);
      this.render();
    }
  }

  private render(): void {
    this.updateControls();
    for (const column of this.boot.columns) {
      const input = this.input(column.logicalName);
      if (!input) continue;
      const control = this.harness.control(column.logicalName);
      const typed = this.notValues.get(column.logicalName);
      const text = typed ?? this.domValue(column);
      if (input.value !== text) input.value = text;
      input.disabled = control.getDisabled();
      const calendar = element<HTMLButtonElement>(`[data-calendar="${column.logicalName}"]`);
      if (calendar) calendar.disabled = input.disabled;
      const required = this.harness.requiredLevel(column.logicalName) === 'required';
      input.setAttribute('aria-required', String(required));
      const field = input.closest<HTMLElement>('.field');
      if (field) field.hidden = control.getVisible() === false;
      const note = element(`#idr-note-${column.logicalName}`);
      const shown = this.harness.fieldNotifications(column.logicalName);
      const last = shown[shown.length - 1];
      const message =
        last?.message ??
        (typed !== undefined
          ? this.t(DATE_TYPES.has(column.type) ? 'notADate' : 'notANumber')
          : this.requiredErrors.has(column.logicalName)
            ? this.t('required')
            : '');
      input.setAttribute('aria-invalid', String(Boolean(message) && (last?.level ?? 'ERROR') === 'ERROR'));
      if (note && note.textContent !== message) note.textContent = message;
    }
    const banners = element('#idr-form-notifications');
    if (!banners) return;
    const items: HTMLElement[] = [];
    const banner = (level: string, message: string) => {
      const div = document.createElement('div');
      div.className = `banner ${level}`;
      div.textContent = message;
      items.push(div);
    };
    for (const n of this.harness.formNotifications()) banner(n.level.toLowerCase(), n.message);
    if (this.requiredErrors.size > 0) banner('error', this.t('requiredMissing', this.t('saveFailed')));
    if (this.notValuesStoppedSave) {
      const held = this.boot.columns.filter((c) => this.notValues.has(c.logicalName));
      if (held.some((c) => NUMBER_TYPES.has(c.type)))
        banner('error', this.t('notNumbers', this.t('saveFailed')));
      if (held.some((c) => DATE_TYPES.has(c.type))) banner('error', this.t('notDates', this.t('saveFailed')));
    }
    if (this.saveError) {
      const code = this.saveError.code ? ` (${this.t('errorCode')}: ${this.saveError.code})` : '';
      banner('error', `${this.t('saveFailed')}: ${this.saveError.message}${code}`);
    }
    if (this.commandError) {
      const { title, message, code } = this.commandError;
      banner('error', `${title}: ${message}${code ? ` (${this.t('errorCode')}: ${code})` : ''}`);
    }
    banners.replaceChildren(...items);
  }
}

function start(): void {
  const json = element('#idr-bootstrap')?.textContent;
  if (!json) return;
  const page = new FormPage(JSON.parse(json) as FormBootstrap);
  page.open().catch((error: unknown) => {
    const banners = element('#idr-form-notifications');
    const div = document.createElement('div');
    div.className = 'banner error';
    div.textContent = error instanceof Error ? error.message : String(error);
    banners?.replaceChildren(div);
    element('#idr-form')?.setAttribute('data-state', 'error');
  });
}

start();
