/**
 * The PCF host of the emulator's pages (`/_ideario/pcf.js`). It provides what a model-driven app gives
 * code components: React 16.14 and Fluent UI 9 as the platform libraries, under the globals pcf-scripts'
 * bundles read (`Reactv16`, `FluentUIReactv940`), and `ComponentFramework.registerControl`, which each
 * bundle calls as it loads. Each control is created with the mock harness's typed context
 * (tools/harness/pcf-context.ts) whose webAPI, navigation, dataset and parameters are the emulator's
 * Web API and the form's attributes, and runs its lifecycle: init, updateView (rendered with ReactDOM
 * for virtual controls), notifyOutputChanged → getOutputs, destroy.
 * ("Power Apps component framework API reference", https://learn.microsoft.com/power-apps/developer/component-framework/reference/)
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as Fluent from '@fluentui/react-components';
import { createPcfContext } from '../../../../harness/pcf-context';
import type { LanguageCode } from '../../../../solution/model';
import type { FormatSettings } from '../../../engine/formats';
import { formatting, timeZoneOffsetMinutes } from './formatting';
import type { PcfControlSpec, PcfPropertySpec } from '../../pcf';
import type { ClientTable, ListBootstrap } from '../../shell';
import {
  createRecord,
  deleteRecord,
  request,
  retrieveMultiple,
  retrieveRecord,
  tableOf,
  updateRecord,
  type WebApiSettings,
} from '../webapi';
import { createWebApiDataset } from './dataset';

type Control = ComponentFramework.StandardControl<Record<string, unknown>, Record<string, unknown>> & {
  updateView(context: ComponentFramework.Context<Record<string, unknown>>): unknown;
};
type ControlClass = new () => Control;

const registry = new Map<string, ControlClass>();
const pageWindow = window as unknown as Record<string, unknown>;
pageWindow.Reactv16 = React;
pageWindow.FluentUIReactv940 = Fluent;
pageWindow.ComponentFramework = {
  registerControl: (name: string, control: ControlClass) => registry.set(name, control),
};

/** Where a form control reads its bound columns and writes its outputs: the form's attributes. */
export interface FieldSource {
  value(column: string): unknown;
  /** `YYYY-MM-DD` of a date-only column. */
  dateValue(column: string): string | null;
  setValue(column: string, value: unknown): void;
  readonly entityId?: string;
  readonly entityTypeName: string;
  readonly disabled: boolean;
}

export interface HostSettings {
  readonly lang: LanguageCode;
  /** The user's formats and IANA time zone (ListBootstrap, FormBootstrap). */
  readonly formats: FormatSettings;
  readonly timeZone: string;
  readonly token?: string;
  readonly serviceRoot: string;
  readonly appId: string;
  readonly tables: readonly ClientTable[];
  /** The shell's strings (controlFailed…). */
  readonly strings: Readonly<Record<string, string>>;
}

export interface HostedControl {
  readonly spec: PcfControlSpec;
  /** The form's attributes changed: updateView with the columns that did. */
  update(changedColumns: readonly string[]): void;
  destroy(): void;
}

/** A control's bundle could not be loaded or registered nothing: its element says which and why. */
export class PcfControlLoadError extends Error {
  constructor(
    readonly control: string,
    readonly reason: string,
  ) {
    super(`${control}: ${reason}. Rebuild the controls (npm run build) and reload the page.`);
    this.name = 'PcfControlLoadError';
  }
}

function say(settings: HostSettings, key: string, ...args: string[]): string {
  return args.reduce((out, arg, i) => out.replace(`{${i}}`, arg), settings.strings[key] ?? key);
}

const scripts = new Map<string, Promise<void>>();

function loadScript(src: string): Promise<void> {
  let loaded = scripts.get(src);
  if (!loaded) {
    loaded = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => reject(new PcfControlLoadError(src, 'the script did not load'));
      document.head.appendChild(script);
    });
    scripts.set(src, loaded);
  }
  return loaded;
}

function recordUrl(settings: HostSettings, entityName: string, id?: string): string {
  const params = new URLSearchParams({
    appid: settings.appId,
    pagetype: 'entityrecord',
    etn: entityName,
    lang: String(settings.lang),
  });
  if (id) params.set('id', id.replace(/[{}]/g, '').toLowerCase());
  return `/main.aspx?${params.toString()}`;
}

/** A bound property as the platform hands it over ("Property", PCF reference): raw and formatted value. */
function propertyOf(spec: PcfPropertySpec, source: FieldSource): ComponentFramework.PropertyTypes.Property {
  let raw: unknown = source.value(spec.column) ?? null;
  if (spec.ofType === 'DateAndTime.DateOnly') {
    // A date-only column reaches the control as local midnight of the date, as on a form.
    const day = source.dateValue(spec.column);
    const [y = 0, m = 1, d = 1] = (day ?? '').split('-').map(Number);
    raw = day ? new Date(y, m - 1, d) : null;
  }
  let formatted = '';
  if (Array.isArray(raw)) formatted = String((raw[0] as { name?: string } | undefined)?.name ?? '');
  else if (raw instanceof Date) formatted = raw.toLocaleDateString();
  else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean')
    formatted = String(raw);
  return {
    raw,
    formatted,
    error: false,
    errorMessage: '',
    security: { editable: !source.disabled, readable: true, secured: false },
    type: spec.ofType,
    attributes: {
      LogicalName: spec.column,
    } as ComponentFramework.PropertyHelper.FieldPropertyMetadata.Metadata,
  };
}

async function mount(
  spec: PcfControlSpec,
  settings: HostSettings,
  source: FieldSource | undefined,
): Promise<HostedControl> {
  const element = document.getElementById(spec.elementId);
  if (!element || !spec.bundleUrl)
    throw new PcfControlLoadError(spec.name, `no element #${spec.elementId} or no bundle`);
  await loadScript(spec.bundleUrl).catch(() => {
    throw new PcfControlLoadError(spec.name, `${spec.bundleUrl ?? ''} did not load`);
  });
  const namespace = pageWindow[spec.name.split('.')[0] ?? ''] as Record<string, ControlClass> | undefined;
  const Constructor = registry.get(spec.name) ?? namespace?.[spec.constructorName];
  if (!Constructor)
    throw new PcfControlLoadError(spec.name, `${spec.bundleUrl} registered no control of that name`);
  const web: WebApiSettings = {
    serviceRoot: settings.serviceRoot,
    token: settings.token,
    tables: settings.tables,
  };
  const parameters: Record<string, unknown> = {};
  for (const property of spec.properties)
    if (source) parameters[property.name] = propertyOf(property, source);
  let rendering = false;
  let pending = false;
  const render = (): void => {
    // requestRender and dataset loads may come during updateView: one render at a time, then the next.
    if (rendering) {
      pending = true;
      return;
    }
    rendering = true;
    try {
      const output = instance.updateView(context);
      if (output !== undefined && output !== null) ReactDOM.render(output as React.ReactElement, element);
    } catch (error) {
      element.textContent = say(
        settings,
        'controlFailed',
        spec.name,
        String(error instanceof Error ? error.message : error),
      );
    } finally {
      rendering = false;
      context.updatedProperties.splice(0);
    }
    if (pending) {
      pending = false;
      queueMicrotask(render);
    }
  };
  const openForm = (options: ComponentFramework.NavigationApi.EntityFormOptions) => {
    window.location.assign(recordUrl(settings, options.entityName ?? '', options.entityId));
    return Promise.resolve({ savedEntityReference: [] });
  };
  if (spec.dataset) {
    parameters[spec.dataset.name] = createWebApiDataset(spec.dataset, {
      fetch: async (entity, fetchXml) => {
        const set = tableOf(web, entity).entitySetName;
        const response = await request(web, 'GET', `${set}?fetchXml=${encodeURIComponent(fetchXml)}`);
        const body = (await response.json()) as Record<string, unknown>;
        const total = body['@Microsoft.Dynamics.CRM.totalrecordcount'];
        return {
          rows: (body.value as Record<string, unknown>[] | undefined) ?? [],
          moreRecords: body['@Microsoft.Dynamics.CRM.morerecords'] === true,
          totalCount:
            typeof total === 'number' &&
            body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] !== true
              ? total
              : null,
        };
      },
      changed: () => {
        context.updatedProperties.push('dataset');
        render();
      },
      openRecord: (reference) => {
        void openForm({
          entityName: reference.etn ?? spec.dataset?.entity ?? '',
          entityId: reference.id.guid,
        });
      },
    });
  }
  const { context: harnessContext } = createPcfContext<Record<string, unknown>>({
    parameters,
    strings: spec.strings,
    languageId: settings.lang,
    entityId: source?.entityId ?? '',
    entityTypeName: source?.entityTypeName ?? '',
    disabled: source?.disabled ?? false,
    allocatedWidth: element.clientWidth || 800,
    fluentDesignLanguage: {
      tokenTheme: Fluent.webLightTheme,
      isDarkTheme: false,
    } as unknown as ComponentFramework.FluentDesignState,
    members: {
      webAPI: {
        createRecord: async (entity, data) => ({
          ...(await createRecord(web, entity, data)),
          name: '',
        }),
        updateRecord: async (entity, id, data) => ({
          ...(await updateRecord(web, entity, id, data)),
          name: '',
        }),
        deleteRecord: async (entity, id) => ({ ...(await deleteRecord(web, entity, id)), name: '' }),
        retrieveRecord: (entity, id, options) => retrieveRecord(web, entity, id, options ?? ''),
        retrieveMultipleRecords: async (entity, options, maxPageSize) => {
          const page = await retrieveMultiple(web, entity, options ?? '', maxPageSize);
          return { entities: page.entities, nextLink: page.nextLink ?? '' };
        },
      },
      navigation: { openForm },
      userSettings: {
        // The user's Dataverse time zone (usersettings.timezonecode), not the browser's.
        getTimeZoneOffsetMinutes: (date?: Date) =>
          timeZoneOffsetMinutes(date ?? new Date(), settings.timeZone),
      },
      factory: { requestRender: () => queueMicrotask(render) },
      formatting: formatting(settings.formats) as unknown as Partial<ComponentFramework.Formatting>,
    },
  });
  const context = harnessContext;
  const instance = new Constructor();
  const notifyOutputChanged = (): void => {
    const outputs = instance.getOutputs?.() ?? {};
    const bound = new Map(spec.properties.map((p) => [p.name, p.column]));
    for (const [name, value] of Object.entries(outputs)) {
      const column = bound.get(name);
      if (column && source) source.setValue(column, value);
    }
  };
  element.replaceChildren();
  instance.init(context, notifyOutputChanged, {}, element as HTMLDivElement);
  if (spec.dataset) (parameters[spec.dataset.name] as ComponentFramework.PropertyTypes.DataSet).refresh();
  render();
  return {
    spec,
    update(changedColumns) {
      if (!source) return;
      const changed = spec.properties.filter((p) => changedColumns.includes(p.column));
      if (changed.length === 0) return;
      for (const property of changed) parameters[property.name] = propertyOf(property, source);
      context.updatedProperties.push(...changed.map((p) => p.name));
      render();
    },
    destroy() {
      ReactDOM.unmountComponentAtNode(element);
      instance.destroy();
    },
  };
}

/** Mounts each control in its element; one that fails says so in its element and the others still run. */
export async function mountControls(
  settings: HostSettings,
  specs: readonly PcfControlSpec[],
  source?: FieldSource,
): Promise<HostedControl[]> {
  const mounted: HostedControl[] = [];
  for (const spec of specs) {
    if (!spec.bundleUrl) continue;
    try {
      mounted.push(await mount(spec, settings, source));
    } catch (error) {
      const element = document.getElementById(spec.elementId);
      if (element)
        element.textContent = say(
          settings,
          'controlFailed',
          spec.name,
          error instanceof Error ? error.message : String(error),
        );
    }
  }
  return mounted;
}

pageWindow.IdearioPcf = { mountControls };

/** A list page whose grid is a dataset control starts it from its bootstrap. */
function startList(): void {
  const json = document.getElementById('idr-pcf-bootstrap')?.textContent;
  if (!json) return;
  const boot = JSON.parse(json) as ListBootstrap;
  void mountControls(boot, boot.controls);
}

startList();
