/**
 * `/main.aspx?appid=…&pagetype=dashboard&id=<formid>`: a system dashboard of the solutions. Each chart
 * runs as Dataverse runs it: the view's FetchXML supplies the rows (its filters and joins), the chart's
 * data description the aggregate and groupby attributes ("Chart data description", Power Apps docs);
 * the bars are SVG with a table of the same figures for screen readers. Lists show the view's rows.
 */
import type { Engine } from '../engine/engine';
import type { ColumnInfo, TableInfo } from '../engine/metadata';
import { annotationFilter, FORMATTED, type JsonRecord } from '../engine/records';
import { normalizeGuid } from '../engine/values';
import { parseFetchXml, runFetchQuery, type FetchQuery } from '../fetchxml';
import type {
  DashboardComponentModel,
  DashboardModel,
  LanguageCode,
  ViewModel,
  VisualizationModel,
} from '../../solution/model';
import { el, elements, parseXml, writeXml, type XmlElement } from '../../solution/xml';
import { localized } from './apps';
import { fitLabel, textWidth } from './chartlabel';
import { markup, type SafeHtml } from './html';
import { text } from './strings';

const all = annotationFilter(['*']);

export interface ChartCategory {
  /** Stable key: the groupby values joined (`2026-03` for a year and month grouping). */
  readonly key: string;
  readonly label: string;
}

export interface ChartSeries {
  readonly alias: string;
  readonly label: string;
  /** One value per category, in category order. */
  readonly values: readonly number[];
}

export interface ChartData {
  readonly title: string;
  readonly categories: readonly ChartCategory[];
  readonly series: readonly ChartSeries[];
}

/** Every dashboard of every solution. */
export function dashboards(engine: Engine): DashboardModel[] {
  return engine.metadata.model.solutions.flatMap((s) => s.dashboards ?? []);
}

/** A chart's data description or its view holds no `<entity>`, so there is nothing to aggregate. */
export class ChartQueryError extends Error {
  constructor(readonly chart: string) {
    super(
      `The chart ${chart} or its view has no <entity> in its FetchXML: fix the chart's datadescription or the view.`,
    );
    this.name = 'ChartQueryError';
  }
}

function withoutColumns(entity: XmlElement): XmlElement {
  const kept = elements(entity).filter((c) => c.name === 'filter' || c.name === 'link-entity');
  return {
    ...entity,
    children: kept.map((c) => (c.name === 'link-entity' ? withoutColumns(c) : c)),
  };
}

/**
 * The query a chart runs on a view: the chart's `<fetch>` (aggregate attributes, groupby, orders, its
 * own link-entities) with the view's filters and link-entities (their columns and orders dropped).
 */
export function chartFetchXml(viewFetchXml: string, chartFetchXml: string, chartName = 'chart'): string {
  const view = parseXml(viewFetchXml, 'view fetchxml').root;
  const chart = parseXml(chartFetchXml, 'chart fetchxml').root;
  const viewEntity = elements(view, 'entity')[0];
  const chartEntity = elements(chart, 'entity')[0];
  if (!viewEntity || !chartEntity) throw new ChartQueryError(chartName);
  const entity = el('entity', Object.fromEntries(chartEntity.attributes.map((a) => [a.name, a.value])), [
    ...elements(chartEntity),
    ...withoutColumns(viewEntity).children.filter((c): c is XmlElement => c.kind === 'element'),
  ]);
  return writeXml(el('fetch', Object.fromEntries(chart.attributes.map((a) => [a.name, a.value])), [entity]));
}

interface GroupAttribute {
  readonly alias: string;
  readonly column: ColumnInfo;
  readonly dategrouping?: string;
}

function groupAttributes(engine: Engine, table: TableInfo, query: FetchQuery): GroupAttribute[] {
  const out: GroupAttribute[] = [];
  const visit = (entity: FetchQuery['entity'], owner: TableInfo) => {
    for (const a of entity.attributes) {
      const column = owner.columns.get(a.name);
      if (a.groupby && a.alias && column) out.push({ alias: a.alias, column, dategrouping: a.dategrouping });
    }
    for (const link of entity.links) {
      const linked = engine.metadata.byLogicalName(link.name);
      if (linked) visit(link, linked);
    }
  };
  visit(query.entity, table);
  return out;
}

function measureLabel(
  engine: Engine,
  table: TableInfo,
  query: FetchQuery,
  alias: string,
  lang: LanguageCode,
): string {
  const find = (entity: FetchQuery['entity'], owner: TableInfo): string | undefined => {
    const a = entity.attributes.find((x) => x.alias === alias);
    if (a) {
      const column = owner.columns.get(a.name);
      const name = column ? localized(column.model.displayName, lang, a.name) : a.name;
      const fn = a.aggregate ?? 'count';
      const word = AGGREGATE_WORDS[fn]?.[lang] ?? fn;
      return fn === 'count'
        ? `${word} (${localized(owner.model.displayCollectionName, lang, owner.logicalName)})`
        : `${word}: ${name}`;
    }
    for (const link of entity.links) {
      const linked = engine.metadata.byLogicalName(link.name);
      const found = linked && find(link, linked);
      if (found) return found;
    }
    return undefined;
  };
  return find(query.entity, table) ?? alias;
}

const AGGREGATE_WORDS: Record<string, Record<LanguageCode, string>> = {
  count: { 1033: 'Count', 3082: 'Recuento' },
  countcolumn: { 1033: 'Count', 3082: 'Recuento' },
  sum: { 1033: 'Sum', 3082: 'Suma' },
  avg: { 1033: 'Average', 3082: 'Promedio' },
  min: { 1033: 'Minimum', 3082: 'Mínimo' },
  max: { 1033: 'Maximum', 3082: 'Máximo' },
};

function groupValue(
  record: JsonRecord,
  group: GroupAttribute,
  lang: LanguageCode,
): { key: string; label: string } {
  const raw = record[group.alias];
  // Dataverse charts show rows without a value under one "(blank)" category.
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
    return { key: '', label: text(lang, 'blank') };
  const key = String(raw);
  const option = group.column.options.find((o) => o.value === raw);
  if (option) return { key, label: localized(option.label, lang, key) };
  // Lookups show the related row's name; dates and numbers show as stored (ISO dates sort and read alike).
  const formatted = record[`${group.alias}@${FORMATTED}`];
  if (typeof formatted === 'string' && group.column.type !== 'DateOnly') return { key, label: formatted };
  return { key, label: key };
}

/** Categories from the groupby values: a year then a month of the same column make one `YYYY-MM` category. */
function categoryOf(
  record: JsonRecord,
  groups: readonly GroupAttribute[],
  lang: LanguageCode,
): ChartCategory {
  const keys: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (!group) continue;
    const next = groups[i + 1];
    if (group.dategrouping === 'year' && next?.dategrouping === 'month' && next.column === group.column) {
      const year = Number(record[group.alias]);
      const month = Number(record[next.alias]);
      keys.push(`${year}-${String(month).padStart(2, '0')}`);
      labels.push(
        new Intl.DateTimeFormat(lang === 3082 ? 'es-ES' : 'en-GB', {
          month: 'long',
          year: 'numeric',
          timeZone: 'UTC',
        }).format(new Date(Date.UTC(year, month - 1, 1))),
      );
      i += 1;
      continue;
    }
    const value = groupValue(record, group, lang);
    keys.push(value.key);
    labels.push(value.label);
  }
  return { key: keys.join(' · '), label: labels.join(' · ') };
}

/** Runs a chart on a view and returns its categories and series as the chart shows them. */
export function chartData(
  engine: Engine,
  table: TableInfo,
  chart: VisualizationModel,
  view: ViewModel,
  lang: LanguageCode,
): ChartData {
  const xml = chartFetchXml(view.fetchXml, chart.fetchXml, chart.id);
  const query = parseFetchXml(xml);
  const groups = groupAttributes(engine, table, query);
  const records = runFetchQuery(engine.fetchSource(), table.entitySetName, query, {
    annotations: all,
  }).records;
  const categories = records.map((r) => categoryOf(r, groups, lang));
  const series = chart.measures.map((alias) => ({
    alias,
    label: measureLabel(engine, table, query, alias, lang),
    values: records.map((r) => {
      const value = r[alias];
      return typeof value === 'number' ? value : 0;
    }),
  }));
  return { title: localized(chart.name, lang, chart.id), categories, series };
}

const COLORS = ['#0f548c', '#ca5010', '#007846'];

function formatNumber(value: number, lang: LanguageCode): string {
  return value.toLocaleString(lang === 3082 ? 'es-ES' : 'en-US', { maximumFractionDigits: 2 });
}

const LABEL_FONT = 12;
const LABEL_LINE = 14;
const VALUE_FONT = 11;

/**
 * Horizontal bars, one group per category; the table beside it carries the same figures. The label
 * column is as wide as the longest label up to 40 % of the chart; longer labels wrap onto two lines,
 * then end in "…", with the whole label in a `<title>` tooltip, the bar's aria-label and the table.
 */
export function chartSvg(data: ChartData, lang: LanguageCode, id: string): SafeHtml {
  const barHeight = 14;
  const gap = 8;
  const width = 560;
  const valueRoom =
    Math.ceil(
      Math.max(
        0,
        ...data.series.flatMap((s) => s.values.map((v) => textWidth(formatNumber(v, lang), VALUE_FONT))),
      ),
    ) + 10;
  const widest = Math.max(0, ...data.categories.map((c) => textWidth(c.label, LABEL_FONT)));
  const labelWidth = Math.ceil(Math.min(Math.max(widest + 12, 48), width * 0.4));
  const plot = width - labelWidth - valueRoom;
  const max = Math.max(1, ...data.series.flatMap((s) => s.values));
  const barsHeight = data.series.length * barHeight;
  let y0 = 5;
  const bars = data.categories.map((category, i) => {
    const fitted = fitLabel(category.label, labelWidth - 12, LABEL_FONT);
    const block = Math.max(barsHeight, fitted.lines.length * LABEL_LINE);
    const top = y0;
    const barsTop = top + (block - barsHeight) / 2;
    y0 += block + gap;
    const firstBaseline = top + block / 2 - ((fitted.lines.length - 1) * LABEL_LINE) / 2 + 4;
    const lines = fitted.lines.map(
      (line, n) => markup`<tspan x="${labelWidth - 6}" y="${firstBaseline + n * LABEL_LINE}">${line}</tspan>`,
    );
    return markup`<g role="listitem" aria-label="${category.label}: ${data.series
      .map((s) => `${s.label} ${formatNumber(s.values[i] ?? 0, lang)}`)
      .join(
        ', ',
      )}"><text class="chart-label" text-anchor="end" font-size="${LABEL_FONT}" fill="#242424"><title>${category.label}</title>${lines}</text>${data.series.map(
      (s, j) => {
        const value = s.values[i] ?? 0;
        const w = Math.round((plot * value) / max);
        const y = barsTop + j * barHeight;
        return markup`<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight - 2}" fill="${COLORS[j % COLORS.length] ?? '#0f548c'}"><title>${category.label} · ${s.label}: ${formatNumber(value, lang)}</title></rect><text x="${labelWidth + w + 4}" y="${y + barHeight - 4}" font-size="${VALUE_FONT}" fill="#242424">${formatNumber(value, lang)}</text>`;
      },
    )}</g>`;
  });
  const height = Math.max(y0 + 2, 30);
  const legend =
    data.series.length > 1
      ? markup`<p class="legend">${data.series.map((s, j) => markup`<span><span class="swatch" style="background:${COLORS[j % COLORS.length] ?? '#0f548c'}"></span>${s.label}</span> `)}</p>`
      : '';
  return markup`<svg id="${id}" class="chart" role="list" aria-label="${data.title}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${bars}</svg>${legend}`;
}

/** The same figures as a table: what a screen reader or a test reads. */
export function chartTable(data: ChartData, lang: LanguageCode, caption: string): SafeHtml {
  const head = markup`<thead><tr><th scope="col">${caption}</th>${data.series.map((s) => markup`<th scope="col">${s.label}</th>`)}</tr></thead>`;
  const rows = data.categories.map(
    (c, i) =>
      markup`<tr data-category="${c.key}"><th scope="row">${c.label}</th>${data.series.map((s) => markup`<td class="n">${formatNumber(s.values[i] ?? 0, lang)}</td>`)}</tr>`,
  );
  return markup`<table class="grid chart-data"><caption>${caption}</caption>${head}<tbody>${rows}</tbody></table>`;
}

export interface DashboardParts {
  readonly engine: Engine;
  readonly lang: LanguageCode;
  /** Renders a list component: the shell's grid of the view's first rows. */
  readonly list: (table: TableInfo, view: ViewModel, component: DashboardComponentModel) => SafeHtml;
  readonly noData: string;
  readonly tableView: string;
}

/** One section per component, in FormXml order. */
export function dashboardSections(dashboard: DashboardModel, parts: DashboardParts): SafeHtml {
  const { engine, lang } = parts;
  return markup`${dashboard.components.map((component, index) => {
    const table = engine.metadata.byLogicalName(component.table);
    const view = table?.model.views.find((v) => normalizeGuid(v.id) === component.viewId);
    const title = localized(component.label, lang, component.controlId);
    const headingId = `idr-dash-${index}`;
    if (!table || !view)
      return markup`<section class="formsection" aria-labelledby="${headingId}"><h2 id="${headingId}">${title}</h2><p>${parts.noData}</p></section>`;
    const chart = component.chartId
      ? table.model.visualizations?.find((v) => normalizeGuid(v.id) === component.chartId)
      : undefined;
    if (!chart)
      return markup`<section class="formsection dashboard-list" aria-labelledby="${headingId}" data-component="${component.controlId}"><h2 id="${headingId}">${title}</h2>${parts.list(table, view, component)}</section>`;
    const data = chartData(engine, table, chart, view, lang);
    const body =
      data.categories.length === 0
        ? markup`<p>${parts.noData}</p>`
        : markup`${chartSvg(data, lang, `idr-chart-${index}`)}<details><summary>${parts.tableView}</summary>${chartTable(data, lang, data.title)}</details>`;
    return markup`<section class="formsection dashboard-chart" aria-labelledby="${headingId}" data-component="${component.controlId}"><h2 id="${headingId}">${title}</h2><p class="muted">${localized(view.name, lang, view.id)}</p>${body}</section>`;
  })}`;
}
