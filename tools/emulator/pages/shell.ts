/**
 * `/main.aspx`: the model-driven app shell with Dynamics 365's URLs ("Open forms, views, dialogs, and
 * reports with a URL", Power Apps docs): `?appid=…&pagetype=entitylist&etn=…&viewid=…` and
 * `?appid=…&pagetype=entityrecord&etn=…&id=…&formid=…`. Lists are rendered here from the views'
 * FetchXML; forms are laid out here from FormXml and brought to life in the browser (`client/form.ts`),
 * which reads and saves through the Web API and runs the form libraries against a browser Xrm.
 */
import type { CallContext, Engine } from '../engine/engine';
import { EN_US, type FormatSettings } from '../engine/formats';
import type { ColumnInfo, TableInfo } from '../engine/metadata';
import { annotationFilter, currencyFormat, FORMATTED, type JsonRecord } from '../engine/records';
import { list, transactioncurrency } from '../../../dataverse/generated';
import { isLookupValue, normalizeGuid } from '../engine/values';
import { QUICK_FIND_QUERY_TYPE, runFetchXml } from '../fetchxml';
import type { Labels, LanguageCode, ViewModel } from '../../solution/model';
import type { LoadedResources } from '../../harness/resources';
import { appUrl, loadApps, localized, stableGuid, type AppInfo, type SubArea } from './apps';
import { chartData, chartSvg, chartTable, dashboards, dashboardSections } from './dashboard';
import { readFormLayout, type FormCell, type FormLayout } from './formxml';
import { escapeHtml, markup, SafeHtml, type HtmlValue } from './html';
import { viewLayout } from './layout';
import { boundGridControl, type PcfControls, type PcfControlSpec, type PcfDatasetColumn } from './pcf';
import { pageResources } from './resources';
import { allStrings, text } from './strings';

export const LIST_PAGE_SIZE = 50;
const all = annotationFilter(['*']);
const LOOKUP_TYPES = new Set(['Lookup', 'Customer', 'Owner']);

/** A page the user asked for that does not exist: answered with its status and a page that says why. */
export class PageNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageNotFoundError';
  }
}

export interface ShellRequest {
  readonly params: URLSearchParams;
  readonly lang: LanguageCode;
  /** The Web API's bearer token when the emulator has one: the form page's script sends it. */
  readonly token?: string;
  /** The PCF controls' builds; without them, bound controls show their plain field or grid. */
  readonly controls?: PcfControls;
  /** The user's IANA time zone (Dataverse: usersettings.timezonecode), for views that name days. */
  readonly timeZone?: string;
}

/** What a list page's control host reads (the form page's is FormBootstrap). */
export interface ListBootstrap {
  readonly lang: LanguageCode;
  readonly token?: string;
  readonly serviceRoot: string;
  readonly appId: string;
  readonly tables: readonly ClientTable[];
  readonly controls: readonly PcfControlSpec[];
  readonly strings: Record<string, string>;
  /** The user's formats and IANA time zone, for the controls' `formatting` and `userSettings`. */
  readonly formats: FormatSettings;
  readonly timeZone: string;
}

/** The script that hosts PCF controls: React and Fluent UI as the platform's libraries, and the host. */
export const PCF_HOST_SCRIPT = '/_ideario/pcf.js';

export type ShellAnswer =
  { readonly kind: 'html'; readonly body: string } | { readonly kind: 'redirect'; readonly location: string };

/**
 * The pages' language is their user's: Dynamics formats what a user reads in the language and region of
 * their Personal Options (usersettings uilanguageid and localeid). The emulator's one token stands for
 * every person using the pages, so a session's language (the `lang` switch) is its personal options.
 */
export function sessionContext(lang: LanguageCode): CallContext {
  return { userSettings: { uilanguageid: lang, localeid: lang } };
}

/** The page user's IANA time zone: usersettings.timezonecode, else the organisation's, else UTC. */
function userTimeZone(engine: Engine, request: ShellRequest, lang: LanguageCode): string {
  return request.timeZone ?? engine.timeZoneOf(sessionContext(lang)) ?? 'UTC';
}

export function mainUrl(params: Record<string, string | undefined>): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `/main.aspx${query ? `?${query}` : ''}`;
}

const STYLE = `
*{box-sizing:border-box}body{font-family:"Segoe UI",system-ui,sans-serif;margin:0;color:#242424;background:#f5f5f5;font-size:14px}
a{color:#0f548c}header.top{display:flex;align-items:center;gap:16px;background:#1f3b57;color:#fff;padding:8px 16px}
header.top a{color:#fff;text-decoration:none;font-weight:600}header.top .spacer{flex:1}
header.top nav a{margin-left:8px;font-weight:400;text-decoration:underline}
.layout{display:flex;min-height:calc(100vh - 40px)}nav.sitemap{width:220px;background:#fff;border-right:1px solid #e0e0e0;padding:8px 0}
nav.sitemap h2{font-size:12px;text-transform:uppercase;color:#545454;margin:12px 16px 4px}nav.sitemap ul{list-style:none;margin:0;padding:0}
nav.sitemap a{display:block;padding:6px 16px;text-decoration:none;color:#242424}nav.sitemap a[aria-current=page]{background:#e8f0f8;border-left:3px solid #0f548c;font-weight:600}
main{flex:1;padding:0 16px 24px;min-width:0}.commands{display:flex;gap:4px;padding:8px 0;border-bottom:1px solid #e0e0e0;margin-bottom:12px;flex-wrap:wrap}
.commands a,.commands button{background:#fff;border:1px solid #d1d1d1;border-radius:4px;padding:5px 12px;font:inherit;color:#242424;text-decoration:none;cursor:pointer}
.commands button:disabled{color:#707070;cursor:default}
h1{font-size:20px;margin:8px 0}table.grid{border-collapse:collapse;background:#fff;width:100%}
table.grid th,table.grid td{border-bottom:1px solid #e0e0e0;padding:6px 8px;text-align:left}table.grid th{background:#fafafa;font-weight:600}
.toolbar{display:flex;gap:12px;align-items:end;flex-wrap:wrap;margin-bottom:8px}.toolbar label{display:block;font-size:12px;color:#545454}
.muted{color:#5c5c5c}.pager{display:flex;gap:12px;margin-top:8px}
.apps{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}.apps a{display:block;background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:16px;text-decoration:none;color:#242424}
.apps strong{display:block;font-size:16px;margin-bottom:4px;color:#0f548c}
.tabs{display:flex;gap:4px;border-bottom:1px solid #e0e0e0;margin-bottom:12px}.tabs button{background:none;border:none;border-bottom:3px solid transparent;padding:8px 12px;font:inherit;cursor:pointer;color:#242424}
.tabs button[aria-selected=true]{border-bottom-color:#0f548c;font-weight:600}
.sections{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(340px,100%),1fr));gap:12px}
section.formsection{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:12px 16px;min-width:0}section.formsection h2{font-size:15px;margin:0 0 8px}
.field{display:grid;grid-template-columns:160px 1fr;gap:4px 8px;align-items:start;margin-bottom:8px}
.field input,.field select,.field textarea{width:100%;padding:4px 6px;border:1px solid #c7c7c7;border-radius:4px;font:inherit;background:#fff;color:#242424}
.field input:disabled,.field select:disabled,.field textarea:disabled{background:#f0f0f0;color:#424242}
.field .req{color:#a4262c}.field .note{grid-column:2;color:#a4262c;font-size:13px}.field .note:empty{display:none}
.field .note.info{color:#0f548c}.header-fields{display:flex;gap:24px;margin:4px 0 12px;flex-wrap:wrap}
.banner{padding:8px 12px;border-radius:4px;margin-bottom:6px}.banner.error{background:#fde7e9;color:#751d1f}.banner.warning{background:#fff4ce;color:#5c4400}.banner.info{background:#e8f0f8;color:#0b3a63}
.status{font-size:13px;color:#5c5c5c;align-self:center;margin-left:8px}.subgrid{grid-column:1/-1;min-width:0;overflow-x:auto}
section.formsection.wide{grid-column:1/-1}
.subgrid table.grid td a{overflow-wrap:anywhere}.subgrid table.grid td:has(a){min-width:14em}
.dashboard{grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr))}.dashboard-list{overflow-x:auto}.legend{font-size:12px}.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px}
.dashboard>.dashboard-list{grid-column:1/-1}.dashboard-list table.grid{width:100%}.dashboard-list table.grid th,.dashboard-list table.grid td{padding:6px}.dashboard-list table.grid td a{overflow-wrap:anywhere}
details summary{cursor:pointer;color:#0f548c;margin:4px 0}
.datefield{display:flex;gap:4px;position:relative}.datefield button.calendar{flex:none;background:#fff;border:1px solid #c7c7c7;border-radius:4px;padding:2px 6px;cursor:pointer;color:#242424}
.datepicker{position:absolute;top:100%;right:0;z-index:10;background:#fff;border:1px solid #8a8a8a;border-radius:6px;padding:8px;box-shadow:0 4px 12px rgba(0,0,0,.2)}
.datepicker .dp-head{display:flex;align-items:center;justify-content:space-between;gap:8px}.datepicker h2{font-size:14px;margin:0}
.datepicker button{background:#fff;border:1px solid transparent;border-radius:4px;font:inherit;color:#242424;cursor:pointer;min-width:32px;padding:4px}
.datepicker th{font-size:12px;color:#545454;font-weight:400}.datepicker td button[aria-pressed=true]{background:#0f548c;color:#fff}
.datepicker td button.other{color:#616161}.datepicker button:focus-visible{outline:2px solid #0f548c}
@media (max-width:640px){.layout{flex-direction:column}nav.sitemap{width:auto;border-right:none;border-bottom:1px solid #e0e0e0}header.top{flex-wrap:wrap}}
`;

function label(labels: Parameters<typeof localized>[0], lang: LanguageCode, fallback: string): string {
  return localized(labels, lang, fallback);
}

function langLinks(params: URLSearchParams, lang: LanguageCode): SafeHtml {
  const link = (code: LanguageCode, name: string) => {
    const next = new URLSearchParams(params);
    next.set('lang', String(code));
    return code === lang
      ? markup`<a href="/main.aspx?${next.toString()}" aria-current="true" lang="${code === 1033 ? 'en' : 'es'}">${name}</a>`
      : markup`<a href="/main.aspx?${next.toString()}" lang="${code === 1033 ? 'en' : 'es'}">${name}</a>`;
  };
  return markup`<nav aria-label="${text(lang, 'language')}">${link(1033, 'English')}${link(3082, 'Español')}</nav>`;
}

function document(
  lang: LanguageCode,
  title: string,
  top: SafeHtml,
  body: SafeHtml,
  scripts: readonly string[] = [],
): string {
  const tags = scripts.map((src) => markup`<script src="${src}"></script>`);
  const html = markup`<html lang="${lang === 3082 ? 'es' : 'en'}"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title><style>${new SafeHtml(STYLE)}</style></head><body>${top}${body}${tags}</body></html>`;
  return `<!doctype html>${html.text}`;
}

function topBar(appName: string, appHref: string, params: URLSearchParams, lang: LanguageCode): SafeHtml {
  return markup`<header class="top"><a href="${appHref}">${appName}</a><span class="spacer"></span>${langLinks(params, lang)}</header>`;
}

function renderAppList(engine: Engine, request: ShellRequest): string {
  const { lang } = request;
  const apps = loadApps(engine.metadata.model);
  const cards = apps.map(
    (app) =>
      markup`<li><a href="${mainUrl({ appid: app.id, lang: String(lang) })}"><strong>${label(app.name, lang, app.uniqueName)}</strong><span class="muted">${label(app.description, lang, '')}</span></a></li>`,
  );
  const list = apps.length
    ? markup`<ul class="apps" style="list-style:none;padding:0">${cards}</ul>`
    : markup`<p>${text(lang, 'noApps')}</p>`;
  const body = markup`<main><h1>${text(lang, 'apps')}</h1>${list}</main>`;
  return document(
    lang,
    text(lang, 'apps'),
    topBar('Dynamics 365 · Ideario', '/main.aspx', request.params, lang),
    body,
  );
}

function sitemap(app: AppInfo, engine: Engine, lang: LanguageCode, current?: string): SafeHtml {
  const groups = app.areas.flatMap((area) => area.groups);
  return markup`<nav class="sitemap" aria-label="${text(lang, 'navigation')}">${groups.map((group) => {
    const links = group.subAreas.map((sub) => {
      const table = engine.metadata.byLogicalName(sub.entity);
      const title = label(
        sub.title,
        lang,
        table ? label(table.model.displayCollectionName, lang, sub.entity) : sub.entity,
      );
      const href = subAreaUrl(app, sub, lang);
      return (sub.dashboard ?? sub.entity) === current
        ? markup`<li><a href="${href}" aria-current="page">${title}</a></li>`
        : markup`<li><a href="${href}">${title}</a></li>`;
    });
    return markup`<h2>${label(group.title, lang, group.id)}</h2><ul>${links}</ul>`;
  })}</nav>`;
}

/** A site map entry's page: a table's list, or a dashboard (`pagetype=dashboard&id=<formid>`). */
function subAreaUrl(app: AppInfo, sub: SubArea, lang: LanguageCode): string {
  return sub.dashboard
    ? mainUrl({ appid: app.id, pagetype: 'dashboard', id: sub.dashboard, lang: String(lang) })
    : mainUrl({ appid: app.id, pagetype: 'entitylist', etn: sub.entity, lang: String(lang) });
}

function findApp(engine: Engine, appid: string | null): AppInfo {
  const apps = loadApps(engine.metadata.model);
  const wanted = appid ? (normalizeGuid(appid) ?? appid.toLowerCase()) : undefined;
  const app = apps.find((a) => a.id === wanted || a.uniqueName.toLowerCase() === wanted);
  if (!app)
    throw new PageNotFoundError(`No app has the id '${appid ?? ''}'. Open /main.aspx to see the apps.`);
  return app;
}

function findTable(engine: Engine, etn: string | null): TableInfo {
  const table = etn ? engine.metadata.byLogicalName(etn) : undefined;
  if (!table) throw new PageNotFoundError(`The table '${etn ?? ''}' does not exist in this environment.`);
  return table;
}

const SIMPLE_TYPES = new Set([
  'String',
  'Memo',
  'Integer',
  'Decimal',
  'Money',
  'DateOnly',
  'Picklist',
  'Boolean',
]);

/**
 * Dataverse's own system views of platform tables ("Active Contacts"…) are not in the solutions; a
 * table without a public view gets one listing its primary name and the simple columns of its main form.
 */
function fallbackView(table: TableInfo, collection: Labels): ViewModel {
  const fields = table.model.forms.find((f) => f.type === 'main')?.fields ?? [];
  const columns = [
    table.primaryName,
    ...fields.filter((f) => f !== table.primaryName && SIMPLE_TYPES.has(table.columns.get(f)?.type ?? '')),
  ]
    .filter((c) => c && table.columns.has(c))
    .slice(0, 6);
  const attributes = [...columns, table.primaryId].map((c) => `<attribute name="${xmlAttr(c)}" />`).join('');
  const order = table.primaryName ? `<order attribute="${xmlAttr(table.primaryName)}" />` : '';
  return {
    id: stableGuid('savedquery', table.logicalName),
    name: {
      1033: `All ${collection[1033] ?? table.logicalName}`,
      3082: `Todos: ${collection[3082] ?? collection[1033] ?? table.logicalName}`,
    },
    queryType: 0,
    isDefault: true,
    fetchXml: `<fetch><entity name="${xmlAttr(table.logicalName)}">${attributes}${order}</entity></fetch>`,
    columns,
    file: '',
  };
}

/** Public views (querytype 0) in the user's language, the default first. */
function publicViews(table: TableInfo, lang: LanguageCode, collection: Labels): ViewModel[] {
  const views = table.model.views
    .filter((v) => v.queryType === 0)
    .sort(
      (a, b) =>
        Number(b.isDefault) - Number(a.isDefault) ||
        label(a.name, lang, a.id).localeCompare(label(b.name, lang, b.id)),
    );
  return views.length > 0 ? views : [fallbackView(table, collection)];
}

/** A main form as a page shows it: the solution's FormXml, or the fallback of a table without one. */
interface MainForm {
  readonly id: string;
  readonly name: Labels;
  readonly layout: FormLayout;
}

function mainForm(table: TableInfo, formid: string | null): MainForm {
  const forms = table.model.forms.filter((f) => f.type === 'main');
  const wanted = formid ? normalizeGuid(formid) : undefined;
  const form = (wanted ? forms.find((f) => normalizeGuid(f.id) === wanted) : undefined) ?? forms[0];
  return form ? { id: form.id, name: form.name, layout: readFormLayout(form.file) } : fallbackForm(table);
}

/**
 * Every Dataverse table has a main form, but the platform's own forms of standard tables are not in the
 * solutions: a table without one gets an Information form of its primary name and the columns its
 * public views show (as fallbackView stands in for a missing view), so its rows open like any other.
 */
function fallbackForm(table: TableInfo): MainForm {
  const viewed = table.model.views.filter((v) => v.queryType === 0).flatMap((v) => v.columns);
  const fields = [...new Set([table.primaryName, ...viewed])].filter(
    (c) => c && c !== table.primaryId && !c.includes('.') && table.columns.has(c),
  );
  const cells: FormCell[] = fields.map((field) => ({
    id: stableGuid('formcell', `${table.logicalName}.${field}`),
    label: table.columns.get(field)?.model.displayName ?? {},
    showLabel: true,
    field,
    disabled: table.columns.get(field)?.readOnly ?? false,
    controlId: field,
  }));
  const section = { name: 'general', label: table.model.displayName, showLabel: true, cells };
  return {
    id: stableGuid('systemform', table.logicalName),
    name: { 1033: 'Information', 3082: 'Información' },
    layout: {
      header: [],
      tabs: [{ name: 'general', label: { 1033: 'General', 3082: 'General' }, sections: [section] }],
      handlers: [],
      libraries: [],
      customControls: [],
    },
  };
}

/** A value as a grid shows it: the formatted value when there is one. */
function shown(record: JsonRecord, property: string): string {
  const formatted = record[`${property}@${FORMATTED}`];
  if (typeof formatted === 'string') return formatted;
  const value = record[property];
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function xmlAttr(value: string): string {
  return escapeHtml(value);
}

/**
 * The view's FetchXML with the quick find view's search filter added: Unified Interface searches a
 * grid on the quick find view's find columns, matching values that begin with the text ("Configure
 * quick find", Power Apps docs; a leading `*` searches anywhere).
 */
export function withQuickFind(table: TableInfo, view: ViewModel, search: string): string {
  const quickFind = table.model.views.find((v) => v.queryType === QUICK_FIND_QUERY_TYPE);
  const filter = quickFind
    ? /<filter[^>]*isquickfindfields="(?:1|true)"[^>]*>([\s\S]*?)<\/filter>/i.exec(quickFind.fetchXml)
    : null;
  const pattern = `${search.startsWith('*') ? `%${search.slice(1)}` : search}%`;
  // Without a quick find view (platform tables here), the view's own text columns are searched.
  const conditions = filter
    ? [...(filter[1] ?? '').matchAll(/<condition[^>]*attribute="([^"]+)"/gi)].map((m) => m[1] ?? '')
    : [table.primaryName, ...view.columns];
  const inner = conditions
    .filter((c) => table.columns.get(c)?.type === 'String' || table.columns.get(c)?.type === 'Memo')
    .map((c) => `<condition attribute="${xmlAttr(c)}" operator="like" value="${xmlAttr(pattern)}" />`)
    .join('');
  const added = `<filter type="or">${inner || `<condition attribute="${xmlAttr(table.primaryName)}" operator="like" value="${xmlAttr(pattern)}" />`}</filter>`;
  const at = view.fetchXml.lastIndexOf('</entity>');
  return `${view.fetchXml.slice(0, at)}${added}${view.fetchXml.slice(at)}`;
}

/** The table's name as the app's site map gives it (in both languages), else its plural display name. */
function collectionName(app: AppInfo, table: TableInfo): Labels {
  const sub = app.areas
    .flatMap((a) => a.groups.flatMap((g) => g.subAreas))
    .find((s) => s.entity === table.logicalName);
  return { ...table.model.displayCollectionName, ...sub?.title };
}

/** Field labels on the table's main form, which carry Spanish where a platform column's metadata here does not. */
function formLabels(table: TableInfo): Map<string, Labels> {
  const form = table.model.forms.find((f) => f.type === 'main');
  const out = new Map<string, Labels>();
  if (!form) return out;
  const layout = readFormLayout(form.file);
  for (const cell of [...layout.header, ...layout.tabs.flatMap((t) => t.sections.flatMap((s) => s.cells))])
    if (cell.field && !out.has(cell.field)) out.set(cell.field, cell.label);
  return out;
}

function columnLabel(
  engine: Engine,
  table: TableInfo,
  view: ViewModel,
  name: string,
  lang: LanguageCode,
): string {
  const [alias, column] = name.includes('.') ? name.split('.', 2) : [undefined, name];
  const own = alias === undefined ? table.columns.get(column ?? '') : undefined;
  const linked = alias !== undefined ? view.linkedColumns?.find((l) => l.column === column) : undefined;
  const linkedTable = linked ? engine.metadata.byLogicalName(linked.entity) : undefined;
  const model = own ?? linkedTable?.columns.get(column ?? '');
  if (!model) return name;
  const fromForm = own && !model.model.displayName[lang] ? formLabels(table).get(name)?.[lang] : undefined;
  return fromForm ?? label(model.model.displayName, lang, name);
}

function cellProperty(table: TableInfo, name: string): string {
  if (name.includes('.')) return name;
  const column = table.columns.get(name);
  return column && LOOKUP_TYPES.has(column.type) ? `_${name}_value` : name;
}

function recordUrl(app: AppInfo, table: TableInfo, id: string | undefined, lang: LanguageCode): string {
  return mainUrl({ appid: app.id, pagetype: 'entityrecord', etn: table.logicalName, id, lang: String(lang) });
}

/** A grid of a view's rows; the primary name (or first) column links to the record's main form. */
function grid(
  engine: Engine,
  app: AppInfo,
  table: TableInfo,
  view: ViewModel,
  records: readonly JsonRecord[],
  lang: LanguageCode,
  caption: string,
): SafeHtml {
  const cells = viewLayout(view, table.primaryId);
  const linkIndex = Math.max(
    0,
    cells.findIndex((c) => c.name === table.primaryName),
  );
  const head = markup`<thead><tr role="row">${cells.map((c) => markup`<th scope="col">${columnLabel(engine, table, view, c.name, lang)}</th>`)}</tr></thead>`;
  const rows = records.map((record) => {
    const id = record[table.primaryId];
    const href = typeof id === 'string' ? recordUrl(app, table, id, lang) : undefined;
    return markup`<tr role="row">${cells.map((cell, i) => {
      const value = shown(record, cellProperty(table, cell.name));
      if (i === linkIndex && href) return markup`<td><a href="${href}">${value || String(id)}</a></td>`;
      return markup`<td>${value}</td>`;
    })}</tr>`;
  });
  const empty =
    records.length === 0
      ? markup`<tr role="row"><td colspan="${cells.length}">${text(lang, 'noRows')}</td></tr>`
      : '';
  return markup`<table class="grid"><caption class="muted" style="text-align:left">${caption}</caption>${head}<tbody>${rows}${empty}</tbody></table>`;
}

function renderList(engine: Engine, request: ShellRequest, app: AppInfo, serviceRoot: string): string {
  const { params, lang } = request;
  const table = findTable(engine, params.get('etn'));
  const collection = collectionName(app, table);
  const views = publicViews(table, lang, collection);
  const wanted = params.get('viewid') ? normalizeGuid(params.get('viewid') ?? '') : undefined;
  const view = views.find((v) => normalizeGuid(v.id) === wanted) ?? (wanted ? undefined : views[0]);
  if (!view)
    throw new PageNotFoundError(
      wanted
        ? `The table '${table.logicalName}' has no public view '${params.get('viewid') ?? ''}'.`
        : `The table '${table.logicalName}' has no public view.`,
    );
  const search = (params.get('search') ?? '').trim();
  const pageNumber = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const xml = search ? withQuickFind(table, view, search) : view.fetchXml;
  const result = runFetchXml(engine.fetchSource(sessionContext(lang)), table.entitySetName, xml, {
    annotations: all,
    paging: { count: LIST_PAGE_SIZE, page: pageNumber },
  });
  const tableName = label(collection, lang, table.entitySetName);
  const viewName = label(view.name, lang, view.id);
  const listParams = {
    appid: app.id,
    pagetype: 'entitylist',
    etn: table.logicalName,
    viewid: view.id,
    lang: String(lang),
  };
  const first = (pageNumber - 1) * LIST_PAGE_SIZE + 1;
  const range = result.records.length
    ? text(lang, 'rows', String(first), String(first + result.records.length - 1))
    : text(lang, 'noRows');
  const options = views.map((v) =>
    v === view
      ? markup`<option value="${v.id}" selected>${label(v.name, lang, v.id)}</option>`
      : markup`<option value="${v.id}">${label(v.name, lang, v.id)}</option>`,
  );
  const hidden = markup`<input type="hidden" name="appid" value="${app.id}"><input type="hidden" name="pagetype" value="entitylist"><input type="hidden" name="etn" value="${table.logicalName}"><input type="hidden" name="lang" value="${lang}">`;
  const toolbar = markup`<form class="toolbar" method="get" action="/main.aspx" role="search">${hidden}
    <div><label for="idr-view">${text(lang, 'view')}</label><select id="idr-view" name="viewid">${options}</select></div>
    <div><label for="idr-search">${text(lang, 'search')}</label><input id="idr-search" type="search" name="search" value="${search}"></div>
    <button type="submit">${text(lang, 'show')}</button></form>`;
  const previous =
    pageNumber > 1
      ? markup`<a href="${mainUrl({ ...listParams, search, page: String(pageNumber - 1) })}">← ${text(lang, 'previous')}</a>`
      : '';
  const next = result.moreRecords
    ? markup`<a href="${mainUrl({ ...listParams, search, page: String(pageNumber + 1) })}">${text(lang, 'next')} →</a>`
    : '';
  const newLink = markup`<a href="${recordUrl(app, table, undefined, lang)}">+ ${text(lang, 'new')}</a>`;
  const commands = markup`<div class="commands" role="toolbar" aria-label="${text(lang, 'commands')}">${newLink}<a href="${mainUrl({ ...listParams, search, page: String(pageNumber) })}">${text(lang, 'refresh')}</a></div>`;
  const appName = label(app.name, lang, app.uniqueName);
  const hosted = request.controls ? boundGridControl(table, view) : undefined;
  if (hosted && request.controls) {
    // The table's grid is a dataset control: it renders instead of the plain grid, as in Unified Interface.
    const spec = request.controls.datasetControl(
      hosted,
      {
        entity: table.logicalName,
        viewId: view.id,
        viewName,
        fetchXml: xml,
        columns: datasetColumns(engine, table, view, lang),
        primaryId: table.primaryId,
        primaryName: table.primaryName,
      },
      'idr-pcf-0',
      lang,
    );
    const bootstrap: ListBootstrap = {
      lang,
      token: request.token,
      serviceRoot,
      appId: app.id,
      tables: engine.metadata.tables().map((t) => clientTable(t, lang)),
      controls: [spec],
      strings: allStrings(lang),
      formats: engine.formatFor(sessionContext(lang)).settings ?? EN_US,
      timeZone: userTimeZone(engine, request, lang),
    };
    const json = JSON.stringify(bootstrap).replace(/</g, '\\u003c');
    const body = markup`<div class="layout">${sitemap(app, engine, lang, table.logicalName)}<main>${commands}
    <h1>${viewName} <span class="muted">· ${tableName}</span></h1>${toolbar}
    ${controlMarkup(spec, viewName, lang)}</main></div>
    <script type="application/json" id="idr-pcf-bootstrap">${new SafeHtml(json)}</script>`;
    return document(
      lang,
      `${viewName} · ${appName}`,
      topBar(appName, appUrl(app), params, lang),
      body,
      spec.bundleUrl ? [PCF_HOST_SCRIPT] : [],
    );
  }
  const body = markup`<div class="layout">${sitemap(app, engine, lang, table.logicalName)}<main>${commands}
    <h1>${viewName} <span class="muted">· ${tableName}</span></h1>${toolbar}
    ${grid(engine, app, table, view, result.records, lang, range)}<nav class="pager" aria-label="${range}">${previous}${next}</nav></main></div>`;
  return document(lang, `${viewName} · ${appName}`, topBar(appName, appUrl(app), params, lang), body);
}

/** A hosted control's element: the page's script mounts the control in it. */
function controlMarkup(spec: PcfControlSpec, title: string, lang: LanguageCode): SafeHtml {
  const inner = spec.bundleUrl
    ? markup`<p class="muted" role="status">${text(lang, 'controlLoading', title)}</p>`
    : markup`<p class="muted">${text(lang, 'controlNotBuilt', spec.name)}</p>`;
  return markup`<div class="pcf-host" id="${spec.elementId}" data-control-name="${spec.name}" role="group" aria-label="${title}">${inner}</div>`;
}

/** PCF's column data types ("DataSet column dataType") for the emulator's column types. */
const DATASET_TYPES: Readonly<Record<string, string>> = {
  String: 'SingleLine.Text',
  Memo: 'Multiple',
  Integer: 'Whole.None',
  BigInt: 'Whole.None',
  Decimal: 'Decimal',
  Double: 'FP',
  Money: 'Currency',
  DateOnly: 'DateAndTime.DateOnly',
  DateTime: 'DateAndTime.DateAndTime',
  Picklist: 'OptionSet',
  State: 'OptionSet',
  Status: 'OptionSet',
  Boolean: 'TwoOptions',
  Lookup: 'Lookup.Simple',
  Customer: 'Lookup.Customer',
  Owner: 'Lookup.Owner',
};

function datasetColumns(
  engine: Engine,
  table: TableInfo,
  view: ViewModel,
  lang: LanguageCode,
): PcfDatasetColumn[] {
  return viewLayout(view, table.primaryId).map((cell, order) => ({
    name: cell.name,
    displayName: columnLabel(engine, table, view, cell.name, lang),
    dataType: DATASET_TYPES[table.columns.get(cell.name)?.type ?? ''] ?? 'SingleLine.Text',
    order,
    visualSizeFactor: cell.width ?? 100,
  }));
}

/** What the browser needs to build the form's attributes (the harness's ColumnSpec) and save it. */
export interface ClientColumn {
  readonly logicalName: string;
  readonly type: string;
  readonly label: string;
  readonly requiredLevel: 'none' | 'recommended' | 'required';
  readonly precision?: number;
  readonly maxLength?: number;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly options?: readonly { value: number; label: string }[];
  readonly targets?: readonly string[];
  /** Navigation property to write a lookup to each target (`<nav>@odata.bind`). */
  readonly bind?: Readonly<Record<string, string>>;
  /** Columns Dataverse sets itself. */
  readonly readOnly: boolean;
  /**
   * A date and time column shown as a date only (Format "Date Only", behaviour User Local), or one whose
   * value is the same wall clock for everyone (behaviour Time Zone Independent).
   */
  readonly dateOnlyFormat?: boolean;
  readonly timeZoneIndependent?: boolean;
}

export interface ClientTable {
  readonly logicalName: string;
  readonly entitySetName: string;
  readonly primaryIdAttribute: string;
  readonly primaryNameAttribute: string;
  readonly displayName: string;
}

export interface FormBootstrap {
  readonly lang: LanguageCode;
  readonly token?: string;
  readonly serviceRoot: string;
  readonly appId: string;
  readonly formId: string;
  readonly table: ClientTable;
  readonly id?: string;
  readonly columns: readonly ClientColumn[];
  readonly disabled: readonly string[];
  readonly handlers: FormLayout['handlers'];
  readonly tables: readonly ClientTable[];
  readonly strings: Record<string, string>;
  readonly listUrl: string;
  /** PCF controls bound on the form, mounted once the record is loaded. */
  readonly controls?: readonly PcfControlSpec[];
  /** The RESX strings of the form libraries, for `Xrm.Utility.getResourceString`. */
  readonly resources?: LoadedResources;
  /** The symbol and decimals the form's amounts are shown with: the record's currency. */
  readonly currency: FormCurrency;
  /** The platform's commands of this record that run a bound action (a dynamic list's Copy to Static). */
  readonly commands?: readonly FormActionCommand[];
  /** The user's formats (region and own changes): how the fields show and read dates and numbers. */
  readonly formats: FormatSettings;
  /** The user's IANA time zone (usersettings.timezonecode, else the organisation's, else UTC). */
  readonly timeZone: string;
}

/** A command bar button that runs a bound action on the record and opens the record it answers. */
export interface FormActionCommand {
  /** The button's `data-command`. */
  readonly name: string;
  /** The Web API action bound to the record, e.g. `CopyDynamicListToStatic`. */
  readonly action: string;
  readonly label: string;
  /** What the status says while it runs. */
  readonly running: string;
  /** The error banner's opening words when it fails. */
  readonly failed: string;
}

/**
 * The platform's own commands of a standard table's form, which no solution declares: Dynamics 365 shows
 * **Copy to Static** on a saved dynamic marketing list (type true), running CopyDynamicListToStatic, bound
 * to the list, no parameters, answering the new static list
 * (https://learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/mt593064(v=crm.8)).
 */
function recordCommands(
  engine: Engine,
  table: TableInfo,
  id: string | undefined,
  lang: LanguageCode,
): FormActionCommand[] {
  if (table.logicalName !== list.logicalName || !id) return [];
  const stored = engine.fetchSource().records.row(table, id);
  if (stored?.[list.columns.type] !== true) return [];
  return [
    {
      name: 'copytostatic',
      action: 'CopyDynamicListToStatic',
      label: text(lang, 'copyToStatic'),
      running: text(lang, 'copyingToStatic'),
      failed: text(lang, 'copyToStaticFailed'),
    },
  ];
}

export interface FormCurrency {
  readonly symbol: string;
  /** transactioncurrency.currencyprecision; absent: each column's own precision. */
  readonly precision?: number;
}

/**
 * Unified Interface shows a record's amounts with its transaction currency's symbol and decimals; a new
 * record is given the base currency when saved, so it shows the base currency's symbol meanwhile.
 */
function formCurrency(engine: Engine, table: TableInfo, id: string | undefined): FormCurrency {
  const records = engine.fetchSource().records;
  const stored = id ? records.row(table, id) : undefined;
  const currency = stored?.[transactioncurrency.columns.transactioncurrencyid] ?? null;
  if (!isLookupValue(currency)) return { symbol: engine.currencySymbol };
  const format = currencyFormat(records, currency.id);
  return { symbol: format.currencySymbol, precision: format.currencyPrecision };
}

function bindsOf(column: ColumnInfo): Record<string, string> | undefined {
  if (!LOOKUP_TYPES.has(column.type)) return undefined;
  // Multi-table lookups are written through one navigation property per target (`parentcustomerid_account`).
  const name = column.logicalName;
  const single = column.model.navigationProperty ?? name;
  return Object.fromEntries(
    column.targets.map((t) => [t, column.polymorphic && column.type !== 'Owner' ? `${name}_${t}` : single]),
  );
}

function clientTable(table: TableInfo, lang: LanguageCode): ClientTable {
  return {
    logicalName: table.logicalName,
    entitySetName: table.entitySetName,
    primaryIdAttribute: table.primaryId,
    primaryNameAttribute: table.primaryName,
    displayName: label(table.model.displayName, lang, table.logicalName),
  };
}

function clientColumn(column: ColumnInfo, cellLabel: string, lang: LanguageCode): ClientColumn {
  const m = column.model;
  return {
    logicalName: column.logicalName,
    type: column.type,
    label: cellLabel,
    requiredLevel:
      m.requiredLevel === 'systemrequired' || m.requiredLevel === 'required'
        ? 'required'
        : m.requiredLevel === 'recommended'
          ? 'recommended'
          : 'none',
    precision: m.precision,
    maxLength: m.maxLength,
    minValue: m.minValue,
    maxValue: m.maxValue,
    options: column.options.length
      ? column.options.map((o) => ({ value: o.value, label: label(o.label, lang, String(o.value)) }))
      : undefined,
    targets: column.targets.length ? column.targets : undefined,
    bind: bindsOf(column),
    readOnly: column.readOnly,
    ...(column.type === 'DateTime' && m.format === 'date' ? { dateOnlyFormat: true } : {}),
    ...(m.dateBehavior === 'TimeZoneIndependent' ? { timeZoneIndependent: true } : {}),
  };
}

const CALENDAR_ICON =
  '<svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16"><path fill="currentColor" d="M4 1h1v2h6V1h1v2h2.5v12h-13V3H4zm-2.5 5v8h11V6zm2 2h2v2h-2zm3.5 0h2v2H7zm3.5 0h2v2h-2z"/></svg>';

function fieldMarkup(cell: FormCell, column: ClientColumn, lang: LanguageCode): SafeHtml {
  const id = `idr-field-${column.logicalName}`;
  const required =
    column.requiredLevel === 'required' ? markup` <span class="req" aria-hidden="true">*</span>` : '';
  const noteId = `idr-note-${column.logicalName}`;
  const common = { id, noteId };
  let input: SafeHtml;
  switch (column.type) {
    case 'Memo':
      input = markup`<textarea id="${common.id}" rows="3" data-column="${column.logicalName}" aria-describedby="${noteId}"></textarea>`;
      break;
    case 'Picklist':
    case 'State':
    case 'Status':
      input = markup`<select id="${id}" data-column="${column.logicalName}" aria-describedby="${noteId}"><option value="">---</option>${(column.options ?? []).map((o) => markup`<option value="${o.value}">${o.label}</option>`)}</select>`;
      break;
    case 'Boolean':
      input = markup`<select id="${id}" data-column="${column.logicalName}" aria-describedby="${noteId}">${(
        column.options ?? [
          { value: 0, label: text(lang, 'no') },
          { value: 1, label: text(lang, 'yes') },
        ]
      ).map((o) => markup`<option value="${o.value}">${o.label}</option>`)}</select>`;
      break;
    case 'DateOnly':
    case 'DateTime':
      // Text in the user's date format, as Dynamics' date control: a native picker writes the browser's
      // format, not the user's; the calendar button opens the page's own picker (client/datepicker.ts).
      input = markup`<div class="datefield"><input id="${id}" type="text" autocomplete="off" data-column="${column.logicalName}" aria-describedby="${noteId}"><button type="button" class="calendar" data-calendar="${column.logicalName}" aria-haspopup="dialog" aria-expanded="false" aria-label="${text(lang, 'chooseDate', label(cell.label, lang, column.label))}">${new SafeHtml(CALENDAR_ICON)}</button></div>`;
      break;
    case 'Money':
      // Text, not a number input: it shows the amount as Dynamics does (`8.400,00 €`), and reads what is typed.
      input = markup`<input id="${id}" type="text" inputmode="decimal" autocomplete="off" data-column="${column.logicalName}" aria-describedby="${noteId}">`;
      break;
    case 'Integer':
    case 'BigInt':
    case 'Decimal':
    case 'Double': {
      // Text, as for amounts: a number input writes `7.69` to a Spanish user, who reads 769.
      const mode = column.type === 'Integer' || column.type === 'BigInt' ? 'numeric' : 'decimal';
      input = markup`<input id="${id}" type="text" inputmode="${mode}" autocomplete="off" data-column="${column.logicalName}" aria-describedby="${noteId}">`;
      break;
    }
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      input = markup`<input id="${id}" type="text" list="idr-list-${column.logicalName}" autocomplete="off" data-column="${column.logicalName}" aria-describedby="${noteId}"><datalist id="idr-list-${column.logicalName}"></datalist>`;
      break;
    default:
      input = markup`<input id="${id}" type="text" data-column="${column.logicalName}" aria-describedby="${noteId}">`;
  }
  const shownLabel = label(cell.label, lang, column.label);
  return markup`<div class="field" data-field="${column.logicalName}"><div><label for="${id}">${shownLabel}</label>${required}</div><div>${input}</div><div class="note" id="${noteId}" role="alert"></div></div>`;
}

function subgridMarkup(
  engine: Engine,
  app: AppInfo,
  cell: FormCell,
  recordId: string | undefined,
  lang: LanguageCode,
): SafeHtml {
  const sub = cell.subgrid;
  const table = sub ? engine.metadata.byLogicalName(sub.targetEntity) : undefined;
  const relationship = sub
    ? engine.metadata.model.relationships.find(
        (r) => r.name.toLowerCase() === sub.relationshipName.toLowerCase(),
      )
    : undefined;
  const view =
    table && sub
      ? table.model.views.find((v) => normalizeGuid(v.id) === normalizeGuid(sub.viewId))
      : undefined;
  const title = label(cell.label, lang, cell.controlId);
  if (!sub || !table || !view || !relationship) return markup`<div class="subgrid"><h3>${title}</h3></div>`;
  const condition = `<filter><condition attribute="${xmlAttr(relationship.referencingAttribute)}" operator="eq" value="${xmlAttr(recordId ?? '')}" /></filter>`;
  const at = view.fetchXml.lastIndexOf('</entity>');
  const xml = `${view.fetchXml.slice(0, at)}${condition}${view.fetchXml.slice(at)}`;
  const chart = sub.chartId
    ? table.model.visualizations?.find((v) => normalizeGuid(v.id) === sub.chartId)
    : undefined;
  const heading = markup`<h3 style="font-size:14px">${title}</h3>`;
  if (chart) {
    // The record's related rows only, as "Only Related Records" filters a subgrid's chart ("Add a chart to
    // a form", Power Apps docs); a new record has none.
    const data = recordId ? chartData(engine, table, chart, { ...view, fetchXml: xml }, lang) : undefined;
    const body =
      !data || data.categories.length === 0
        ? markup`<p>${text(lang, 'noRows')}</p>`
        : markup`${chartSvg(data, lang, `idr-chart-${cell.controlId}`)}<details><summary>${text(lang, 'chartTable')}</summary>${chartTable(data, lang, data.title)}</details>`;
    return markup`<div class="subgrid" data-subgrid="${cell.controlId}">${heading}${body}</div>`;
  }
  const records: JsonRecord[] = recordId
    ? runFetchXml(engine.fetchSource(sessionContext(lang)), table.entitySetName, xml, {
        annotations: all,
        paging: { count: sub.recordsPerPage, page: 1 },
      }).records
    : [];
  return markup`<div class="subgrid" data-subgrid="${cell.controlId}">${heading}${grid(engine, app, table, view, records, lang, label(view.name, lang, view.id))}</div>`;
}

/** The form's PCF bindings while its cells are laid out; each bound cell adds its control's spec. */
interface FormControls {
  readonly bindings: ReadonlyMap<string, FormLayout['customControls'][number]>;
  readonly builds?: PcfControls;
  readonly specs: PcfControlSpec[];
}

function cellMarkup(
  engine: Engine,
  app: AppInfo,
  cell: FormCell,
  columns: Map<string, ClientColumn>,
  recordId: string | undefined,
  lang: LanguageCode,
  controls?: FormControls,
): HtmlValue {
  const binding = cell.uniqueId ? controls?.bindings.get(cell.uniqueId) : undefined;
  if (binding && controls?.builds) {
    const spec = controls.builds.fieldControl(
      binding.name,
      binding.parameters,
      `idr-pcf-${controls.specs.length}`,
      lang,
    );
    controls.specs.push(spec);
    return controlMarkup(spec, label(cell.label, lang, spec.name), lang);
  }
  if (cell.subgrid) return subgridMarkup(engine, app, cell, recordId, lang);
  const column = cell.field ? columns.get(cell.field) : undefined;
  return column ? fieldMarkup(cell, column, lang) : '';
}

function renderForm(engine: Engine, request: ShellRequest, app: AppInfo, serviceRoot: string): string {
  const { params, lang } = request;
  const table = findTable(engine, params.get('etn'));
  const form = mainForm(table, params.get('formid'));
  const rawId = params.get('id');
  const id = rawId ? normalizeGuid(rawId) : undefined;
  if (rawId && !id) throw new PageNotFoundError(`'${rawId}' is not a record id.`);
  const { layout } = form;
  const cells = [...layout.header, ...layout.tabs.flatMap((t) => t.sections.flatMap((s) => s.cells))];
  const columns = new Map<string, ClientColumn>();
  for (const cell of cells) {
    const column = cell.field ? table.columns.get(cell.field) : undefined;
    if (column && !columns.has(column.logicalName))
      columns.set(
        column.logicalName,
        clientColumn(column, label(column.model.displayName, lang, column.logicalName), lang),
      );
  }
  const controls: FormControls = {
    bindings: new Map(layout.customControls.map((b) => [b.forControl, b])),
    builds: request.controls,
    specs: [],
  };
  // A control's bound columns are the form's attributes too, whether or not a field shows them.
  for (const binding of request.controls ? layout.customControls : [])
    for (const bound of Object.values(binding.parameters)) {
      const column = table.columns.get(bound);
      if (column && !columns.has(column.logicalName))
        columns.set(
          column.logicalName,
          clientColumn(column, label(column.model.displayName, lang, column.logicalName), lang),
        );
    }
  const disabled = cells.filter((c) => c.disabled && c.field).map((c) => c.field ?? '');
  const tableName = label(table.model.displayName, lang, table.logicalName);
  const listUrl = mainUrl({
    appid: app.id,
    pagetype: 'entitylist',
    etn: table.logicalName,
    lang: String(lang),
  });
  const actions = recordCommands(engine, table, id, lang);
  const bootstrap: FormBootstrap = {
    lang,
    token: request.token,
    serviceRoot,
    appId: app.id,
    formId: form.id,
    table: clientTable(table, lang),
    id,
    columns: [...columns.values()],
    disabled,
    handlers: layout.handlers,
    tables: engine.metadata.tables().map((t) => clientTable(t, lang)),
    strings: allStrings(lang),
    listUrl,
    controls: controls.specs,
    resources: pageResources(layout.libraries, lang),
    currency: formCurrency(engine, table, id),
    commands: actions,
    formats: engine.formatFor(sessionContext(lang)).settings ?? EN_US,
    timeZone: userTimeZone(engine, request, lang),
  };
  const header = layout.header.length
    ? markup`<div class="header-fields">${layout.header.map((cell) => cellMarkup(engine, app, cell, columns, id, lang, controls))}</div>`
    : '';
  const tabs = markup`<div class="tabs" role="tablist">${layout.tabs.map(
    (tab, i) =>
      markup`<button type="button" role="tab" id="idr-tab-${tab.name}" aria-controls="idr-panel-${tab.name}" aria-selected="${i === 0 ? 'true' : 'false'}" data-tab="${tab.name}">${label(tab.label, lang, tab.name)}</button>`,
  )}</div>`;
  const panels = layout.tabs.map((tab, i) => {
    // A section holding a subgrid spans the form's width (Unified Interface lays subgrids out so); a grid
    // still wider than that scrolls inside its section instead of spilling out of it.
    const sections = tab.sections.map(
      (section) =>
        markup`<section class="formsection${section.cells.some((c) => c.subgrid) ? ' wide' : ''}" aria-labelledby="idr-section-${section.name}" data-section="${section.name}"><h2 id="idr-section-${section.name}">${label(section.label, lang, section.name)}</h2>${section.cells.map((cell) => cellMarkup(engine, app, cell, columns, id, lang, controls))}</section>`,
    );
    return markup`<div role="tabpanel" id="idr-panel-${tab.name}" aria-labelledby="idr-tab-${tab.name}" data-tab-panel="${tab.name}"${new SafeHtml(i === 0 ? '' : ' hidden')}><div class="sections">${sections}</div></div>`;
  });
  const commands = markup`<div class="commands" role="toolbar" aria-label="${text(lang, 'commands')}">
    <a href="${recordUrl(app, table, undefined, lang)}">+ ${text(lang, 'new')}</a>
    <button type="button" data-command="save">${text(lang, 'save')}</button>
    <button type="button" data-command="saveclose">${text(lang, 'saveClose')}</button>
    <button type="button" data-command="delete"${new SafeHtml(id ? '' : ' disabled')}>${text(lang, 'delete')}</button>
    <button type="button" data-command="refresh">${text(lang, 'refresh')}</button>
    ${actions.map((c) => markup`<button type="button" data-command="${c.name}">${c.label}</button>`)}
    <span class="status" id="idr-status" role="status"></span></div>`;
  const json = JSON.stringify(bootstrap).replace(/</g, '\\u003c');
  const body = markup`<div class="layout">${sitemap(app, engine, lang, table.logicalName)}<main>${commands}
    <div id="idr-form-notifications" role="alert"></div>
    <h1 id="idr-title">${id ? tableName : text(lang, 'newRecord', tableName)}</h1><p class="muted">${label(form.name, lang, tableName)}</p>
    <form id="idr-form" data-state="loading" novalidate aria-labelledby="idr-title">${header}${tabs}${panels}</form></main></div>
    <script type="application/json" id="idr-bootstrap">${new SafeHtml(json)}</script>`;
  const libraries = layout.libraries.map((name) => `/WebResources/${name}`);
  const appName = label(app.name, lang, app.uniqueName);
  const host = controls.specs.some((spec) => spec.bundleUrl) ? [PCF_HOST_SCRIPT] : [];
  return document(lang, `${tableName} · ${appName}`, topBar(appName, appUrl(app), params, lang), body, [
    ...libraries,
    ...host,
    '/_ideario/form.js',
  ]);
}

/** A system dashboard: its charts and lists in FormXml order (dashboard.ts computes the charts). */
function renderDashboard(engine: Engine, request: ShellRequest, app: AppInfo): string {
  const { params, lang } = request;
  const id = normalizeGuid(params.get('id') ?? '');
  const dashboard = dashboards(engine).find((d) => normalizeGuid(d.id) === id);
  if (!dashboard) throw new PageNotFoundError(`No dashboard has the id '${params.get('id') ?? ''}'.`);
  const title = label(dashboard.name, lang, dashboard.id);
  const sections = dashboardSections(dashboard, {
    engine,
    lang,
    noData: text(lang, 'noRows'),
    tableView: text(lang, 'chartTable'),
    timeZone: request.timeZone,
    list: (table, view, component) => {
      const result = runFetchXml(
        engine.fetchSource(sessionContext(lang)),
        table.entitySetName,
        view.fetchXml,
        {
          annotations: all,
          paging: { count: component.recordsPerPage, page: 1 },
          timeZone: request.timeZone,
        },
      );
      const listUrl = mainUrl({
        appid: app.id,
        pagetype: 'entitylist',
        etn: table.logicalName,
        viewid: view.id,
        lang: String(lang),
      });
      const range = result.records.length
        ? text(lang, 'rows', '1', String(result.records.length))
        : text(lang, 'noRows');
      return markup`${grid(engine, app, table, view, result.records, lang, range)}<p><a href="${listUrl}">${text(lang, 'openView', label(view.name, lang, view.id))}</a></p>`;
    },
  });
  const refresh = mainUrl({ appid: app.id, pagetype: 'dashboard', id: dashboard.id, lang: String(lang) });
  const commands = markup`<div class="commands" role="toolbar" aria-label="${text(lang, 'commands')}"><a href="${refresh}">${text(lang, 'refresh')}</a></div>`;
  const body = markup`<div class="layout">${sitemap(app, engine, lang, dashboard.id)}<main>${commands}
    <h1>${title}</h1><div class="sections dashboard">${sections}</div></main></div>`;
  const appName = label(app.name, lang, app.uniqueName);
  return document(lang, `${title} · ${appName}`, topBar(appName, appUrl(app), params, lang), body);
}

/** Answers `/main.aspx` for the given query. Throws PageNotFoundError for an unknown app, table, view or form. */
export function renderMain(engine: Engine, request: ShellRequest, serviceRoot: string): ShellAnswer {
  const { params, lang } = request;
  if (!params.get('appid')) return { kind: 'html', body: renderAppList(engine, request) };
  const app = findApp(engine, params.get('appid'));
  const pagetype = params.get('pagetype');
  if (pagetype === 'entityrecord')
    return { kind: 'html', body: renderForm(engine, request, app, serviceRoot) };
  if (pagetype === 'entitylist') return { kind: 'html', body: renderList(engine, request, app, serviceRoot) };
  if (pagetype === 'dashboard') return { kind: 'html', body: renderDashboard(engine, request, app) };
  const first = app.areas.flatMap((a) => a.groups.flatMap((g) => g.subAreas))[0];
  if (!first) throw new PageNotFoundError(`The app '${app.uniqueName}' has no page in its site map.`);
  return { kind: 'redirect', location: subAreaUrl(app, first, lang) };
}

export function errorPage(lang: LanguageCode, message: string): string {
  return document(
    lang,
    text(lang, 'notFound'),
    markup`<header class="top"><a href="/main.aspx">Dynamics 365 · Ideario</a></header>`,
    markup`<main><h1>${text(lang, 'notFound')}</h1><p role="alert">${message}</p><p><a href="/main.aspx">${text(lang, 'apps')}</a></p></main>`,
  );
}
