/**
 * The emulator's pages: the home page (every table with its record count and views, the e-mail outbox,
 * the system jobs) and a view page (a system view's rows, as its layout shows them). All data is read
 * through the engine's FetchXML, as a model-driven app reads it through the Web API.
 */
import { asyncoperation } from '../../../dataverse/generated';
import type { Engine } from '../engine/engine';
import type { TableInfo } from '../engine/metadata';
import { FORMATTED, annotationFilter, type JsonRecord } from '../engine/records';
import {
  AggregateLimitError,
  AGGREGATE_ROW_LIMIT,
  findSavedQuery,
  runFetchXml,
  runSavedQuery,
} from '../fetchxml';
import { markup, page, type SafeHtml } from './html';
import { viewLayout } from './layout';

/** "SavedQuery table/entity reference", QueryType: what a view is for. */
const QUERY_TYPES: Readonly<Record<number, string>> = {
  0: 'public',
  1: 'advanced find',
  2: 'associated',
  4: 'quick find',
  64: 'lookup',
};
export const VIEW_PAGE_SIZE = 50;
const RECENT = 50;

const all = annotationFilter(['*']);

function label(labels: Partial<Record<number, string>>, fallback: string): string {
  return labels[1033] ?? labels[3082] ?? fallback;
}

export function viewUrl(table: TableInfo, viewId: string, pageNumber = 1): string {
  const query = pageNumber > 1 ? `?page=${pageNumber}` : '';
  return `/views/${encodeURIComponent(table.entitySetName)}/${encodeURIComponent(viewId)}${query}`;
}

/** Rows of a table, counted with a FetchXML aggregate (which stops at Dataverse's 50,000 rows). */
function countRows(engine: Engine, table: TableInfo): string {
  const xml = `<fetch aggregate="true"><entity name="${table.logicalName}"><attribute name="${table.primaryId}" alias="n" aggregate="count" /></entity></fetch>`;
  try {
    const n = runFetchXml(engine.fetchSource(), table.entitySetName, xml).records[0]?.n;
    return typeof n === 'number' ? n.toLocaleString('en-US') : '0';
  } catch (error) {
    if (error instanceof AggregateLimitError)
      return `more than ${AGGREGATE_ROW_LIMIT.toLocaleString('en-US')}`;
    throw error;
  }
}

/** A value as a grid shows it: the formatted value when there is one. */
function shown(record: JsonRecord, property: string): string {
  const formatted = record[`${property}@${FORMATTED}`];
  if (typeof formatted === 'string') return formatted;
  const value = record[property];
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function viewLinks(table: TableInfo): SafeHtml {
  const views = [...table.model.views].sort(
    (a, b) => a.queryType - b.queryType || label(a.name, a.id).localeCompare(label(b.name, b.id)),
  );
  if (views.length === 0) return markup`<span class="muted">no views</span>`;
  return markup`${views.map((view, i) => {
    const kind = view.queryType !== 0 ? (QUERY_TYPES[view.queryType] ?? `type ${view.queryType}`) : undefined;
    const note = kind ? markup` <span class="muted">(${kind})</span>` : '';
    return markup`${i > 0 ? ' · ' : ''}<a href="${viewUrl(table, view.id)}">${label(view.name, view.id)}</a>${note}`;
  })}`;
}

function tablesSection(engine: Engine): SafeHtml {
  const name = (t: TableInfo) => label(t.model.displayCollectionName, t.entitySetName);
  const tables = engine.metadata.tables().sort((a, b) => name(a).localeCompare(name(b)));
  const rows = tables.map(
    (table) =>
      markup`<tr><td>${name(table)}</td><td><code>${table.entitySetName}</code></td><td class="n">${countRows(engine, table)}</td><td>${viewLinks(table)}</td></tr>`,
  );
  const head = markup`<thead><tr><th>Table</th><th>Entity set</th><th>Records</th><th>Views</th></tr></thead>`;
  return markup`<h2>Tables</h2><table>${head}<tbody>${rows}</tbody></table>`;
}

function outboxSection(engine: Engine): SafeHtml {
  const messages = engine.outbox().reverse();
  const rows = messages.slice(0, RECENT).map((m) => {
    const cc = m.cc ? markup`<br><span class="muted">cc ${m.cc}</span>` : '';
    const body = m.body.length > 400 ? `${m.body.slice(0, 400)}…` : m.body;
    return markup`<tr><td>${m.sentOn}</td><td>${m.from}</td><td>${m.to}${cc}</td><td>${m.subject}</td><td><pre>${body}</pre></td></tr>`;
  });
  const shownNote = messages.length > RECENT ? `, latest ${RECENT} shown` : '';
  const title = markup`<h2>E-mail outbox <span class="muted">(${messages.length.toLocaleString('en-US')} sent${shownNote})</span></h2>`;
  if (rows.length === 0)
    return markup`${title}<p class="muted">No e-mail sent yet: SendEmail with IssueSend puts messages here.</p>`;
  const head = markup`<thead><tr><th>Sent on</th><th>From</th><th>To</th><th>Subject</th><th>Body</th></tr></thead>`;
  return markup`${title}<table>${head}<tbody>${rows}</tbody></table>`;
}

function jobsSection(engine: Engine): SafeHtml {
  const J = asyncoperation.columns;
  const source = engine.fetchSource();
  const totals = runFetchXml(
    source,
    asyncoperation.entitySetName,
    `<fetch aggregate="true"><entity name="${asyncoperation.logicalName}"><attribute name="${J.statuscode}" alias="status" groupby="true" />` +
      `<attribute name="${J.asyncoperationid}" alias="n" aggregate="count" /><order alias="status" /></entity></fetch>`,
    { annotations: all },
  ).records;
  const recent = runFetchXml(
    source,
    asyncoperation.entitySetName,
    `<fetch top="${RECENT}"><entity name="${asyncoperation.logicalName}"><attribute name="${J.name}" /><attribute name="${J.statuscode}" />` +
      `<attribute name="${J.friendlymessage}" /><attribute name="${J.message}" /><attribute name="${J.createdon}" /><attribute name="${J.completedon}" />` +
      `<attribute name="${J.retrycount}" /><order attribute="${J.createdon}" descending="true" /></entity></fetch>`,
    { annotations: all },
  ).records;
  const summary = totals.map(
    (t, i) => markup`${i > 0 ? ', ' : ''}${shown(t, 'status') || 'no status'}: ${shown(t, 'n')}`,
  );
  const rows = recent.map((job) => {
    const failed = job[J.statuscode] === asyncoperation.choices.statuscode.Failed;
    const message = shown(job, J.friendlymessage) || shown(job, J.message);
    const status = failed ? markup`<td class="err">` : markup`<td>`;
    return markup`<tr><td>${shown(job, J.createdon)}</td><td>${shown(job, J.name)}</td>${status}${shown(job, J.statuscode)}</td><td>${shown(job, J.completedon)}</td><td class="n">${shown(job, J.retrycount)}</td><td><pre>${message}</pre></td></tr>`;
  });
  const title = markup`<h2>System jobs <span class="muted">(${summary.length > 0 ? summary : 'none yet'})</span></h2>`;
  if (rows.length === 0)
    return markup`${title}<p class="muted">No system jobs: asynchronous webhook steps and solution imports create them.</p>`;
  const head = markup`<thead><tr><th>Created on</th><th>Name</th><th>Status</th><th>Completed on</th><th>Retries</th><th>Message</th></tr></thead>`;
  return markup`${title}<table>${head}<tbody>${rows}</tbody></table>`;
}

export interface HomeOptions {
  /** Service root of the Web API, shown for integrators. */
  readonly serviceRoot?: string;
}

export function renderHome(engine: Engine, options: HomeOptions = {}): string {
  const root = options.serviceRoot;
  const api = root ? markup`<p>Web API: <a href="${root}"><code>${root}</code></a></p>` : '';
  const body = markup`<h1>Local Dataverse</h1>${api}${tablesSection(engine)}${outboxSection(engine)}${jobsSection(engine)}`;
  return page('Ideario emulator', body);
}

const LOOKUP_TYPES = new Set(['Lookup', 'Customer', 'Owner']);

export function renderView(engine: Engine, entitySet: string, viewId: string, pageNumber: number): string {
  const { table, view } = findSavedQuery(engine.metadata, entitySet, viewId);
  const result = runSavedQuery(engine.fetchSource(), entitySet, viewId, {
    annotations: all,
    paging: { count: VIEW_PAGE_SIZE, page: pageNumber },
  });
  const cells = viewLayout(view, table.primaryId);
  const header = (name: string): string => {
    const [alias, column] = name.includes('.') ? name.split('.', 2) : [undefined, name];
    const own = alias === undefined ? table.columns.get(column ?? '') : undefined;
    const linked = alias !== undefined ? view.linkedColumns?.find((l) => l.column === column) : undefined;
    const linkedTable = linked ? engine.metadata.byLogicalName(linked.entity) : undefined;
    const model = own ?? linkedTable?.columns.get(column ?? '');
    return model ? label(model.model.displayName, name) : name;
  };
  // Lookups come back as `_x_value` (formatted: the related row's name); linked columns as `alias.column`.
  const property = (name: string): string => {
    if (name.includes('.')) return name;
    const column = table.columns.get(name);
    return column && LOOKUP_TYPES.has(column.type) ? `_${name}_value` : name;
  };
  const rows = result.records.map(
    (record) =>
      markup`<tr>${cells.map((cell) => markup`<td>${shown(record, property(cell.name))}</td>`)}</tr>`,
  );
  const first = (pageNumber - 1) * VIEW_PAGE_SIZE + 1;
  const previous =
    pageNumber > 1 ? markup`<a href="${viewUrl(table, view.id, pageNumber - 1)}">← previous</a>` : '';
  const next = result.moreRecords
    ? markup`<a href="${viewUrl(table, view.id, pageNumber + 1)}">next →</a>`
    : '';
  const range = result.records.length > 0 ? `Rows ${first}–${first + result.records.length - 1}` : 'No rows';
  const title = markup`<h1>${label(view.name, view.id)} <span class="muted">${label(table.model.displayCollectionName, table.entitySetName)}</span></h1>`;
  const info = markup`<p class="muted">${range} · <code>GET ${table.entitySetName}?savedQuery=${view.id}</code></p>`;
  const head = markup`<thead><tr>${cells.map((cell) => markup`<th>${header(cell.name)}</th>`)}</tr></thead>`;
  const body = markup`${title}${info}<table>${head}<tbody>${rows}</tbody></table><nav class="pager">${previous}${next}</nav>`;
  return page(`${label(view.name, view.id)} · Ideario emulator`, body);
}
