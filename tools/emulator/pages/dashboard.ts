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
import { parseFetchXml, runFetchQuery, runFetchXml, type FetchQuery } from '../fetchxml';
import { organization, transactioncurrency } from '../../../dataverse/generated';
import type {
  DashboardComponentModel,
  DashboardModel,
  LanguageCode,
  ViewModel,
  VisualizationModel,
} from '../../solution/model';
import { el, elements, parseXml, writeXml, type XmlElement } from '../../solution/xml';
import { localized } from './apps';
import { ellipsize, fitLabel, textWidth } from './chartlabel';
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
  /** Set when the measure sums (or averages…) a Money column: the figures carry its symbol. */
  readonly currency?: ChartCurrency;
}

/** The currency a money measure is written in (`transactioncurrency`). */
export interface ChartCurrency {
  readonly symbol: string;
  /** ISO 4217 code, when the currency row has one. */
  readonly code?: string;
  /** Decimals (`currencyprecision`). */
  readonly precision: number;
}

/**
 * How a chart draws: the presentation description's `ChartType` of its first series ("Chart
 * presentation description", Power Apps docs; the names are .NET's `SeriesChartType`). Line, Spline
 * and StepLine draw as a line through the figures, Area and SplineArea as the area under it, Funnel
 * as centred bands narrowing down; other bar-like types (StackedBar, Pyramid) draw as horizontal
 * bars, Pie and Doughnut as slices of the first series, everything else (Column, StackedColumn…) as
 * vertical columns.
 */
export type ChartKind = 'bar' | 'column' | 'pie' | 'doughnut' | 'line' | 'area' | 'funnel';

export function chartKind(chartTypes: readonly string[]): ChartKind {
  const type = (chartTypes[0] ?? 'Column').toLowerCase();
  if (type === 'pie') return 'pie';
  if (type === 'doughnut') return 'doughnut';
  if (type === 'line' || type === 'spline' || type === 'stepline') return 'line';
  if (type === 'area' || type === 'splinearea') return 'area';
  if (type === 'funnel') return 'funnel';
  if (type.includes('bar') || type === 'pyramid') return 'bar';
  return 'column';
}

export interface ChartData {
  readonly title: string;
  /** Absent: horizontal bars. */
  readonly kind?: ChartKind;
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

type FetchAttribute = FetchQuery['entity']['attributes'][number];

/** The `<attribute>` of `alias`, in the chart's entity or one of its link-entities, with its table. */
function findMeasure(
  engine: Engine,
  table: TableInfo,
  query: FetchQuery,
  alias: string,
): { attribute: FetchAttribute; owner: TableInfo } | undefined {
  const find = (entity: FetchQuery['entity'], owner: TableInfo): ReturnType<typeof findMeasure> => {
    const attribute = entity.attributes.find((x) => x.alias === alias);
    if (attribute) return { attribute, owner };
    for (const link of entity.links) {
      const linked = engine.metadata.byLogicalName(link.name);
      const found = linked && find(link, linked);
      if (found) return found;
    }
    return undefined;
  };
  return find(query.entity, table);
}

function measureLabel(measure: ReturnType<typeof findMeasure>, alias: string, lang: LanguageCode): string {
  if (!measure) return alias;
  const { attribute: a, owner } = measure;
  const column = owner.columns.get(a.name);
  const name = column ? localized(column.model.displayName, lang, a.name) : a.name;
  const fn = a.aggregate ?? 'count';
  const word = AGGREGATE_WORDS[fn]?.[lang] ?? fn;
  return fn === 'count'
    ? `${word} (${localized(owner.model.displayCollectionName, lang, owner.logicalName)})`
    : `${word}: ${name}`;
}

/** A sum, average, minimum or maximum of a Money column is an amount; counts are not. */
function isMoney(measure: ReturnType<typeof findMeasure>): boolean {
  if (!measure) return false;
  const fn = measure.attribute.aggregate ?? 'count';
  return (
    fn !== 'count' &&
    fn !== 'countcolumn' &&
    measure.owner.columns.get(measure.attribute.name)?.type === 'Money'
  );
}

const TC = transactioncurrency.columns;

/** The currency rows `filter` selects, at most two (one is the answer, two say "ambiguous"). */
function currencyRows(engine: Engine, filter: string): ChartCurrency[] {
  const xml = `<fetch top="2"><entity name="${transactioncurrency.logicalName}"><attribute name="${TC.currencysymbol}" /><attribute name="${TC.isocurrencycode}" /><attribute name="${TC.currencyprecision}" />${filter}</entity></fetch>`;
  return runFetchXml(engine.fetchSource(), transactioncurrency.entitySetName, xml).records.map((row) => {
    const code = row[TC.isocurrencycode];
    const symbol = row[TC.currencysymbol];
    const precision = row[TC.currencyprecision];
    return {
      symbol: typeof symbol === 'string' && symbol !== '' ? symbol : typeof code === 'string' ? code : '',
      ...(typeof code === 'string' && code !== '' ? { code } : {}),
      precision: typeof precision === 'number' ? precision : 2,
    };
  });
}

/**
 * The currency a chart's amounts are in: the one transaction currency of the rows it sums, else the
 * organization's base currency (Organization.BaseCurrencyId; an emulator started without
 * `--currency` has no organization row, so then the only currency row, else the emulator's own money
 * symbol). Dataverse sums a money column as stored, in each row's currency, so a chart over several
 * currencies is only honest in the base.
 */
function chartCurrency(engine: Engine, table: TableInfo, view: ViewModel): ChartCurrency {
  const fallback = (): ChartCurrency => {
    const [base] = engine.metadata.byLogicalName(organization.logicalName)
      ? currencyRows(
          engine,
          `<link-entity name="${organization.logicalName}" from="${organization.columns.basecurrencyid}" to="${TC.transactioncurrencyid}" link-type="inner" />`,
        )
      : [];
    if (base) return base;
    const all = currencyRows(engine, '');
    return all.length === 1 && all[0] ? all[0] : { symbol: engine.currencySymbol, precision: 2 };
  };
  // Every Dataverse table with money columns names its currency lookup after the currency's key.
  const lookup = TC.transactioncurrencyid;
  if (!table.columns.has(lookup)) return fallback();
  const xml = chartFetchXml(
    view.fetchXml,
    `<fetch aggregate="true"><entity name="${table.logicalName}"><attribute name="${lookup}" groupby="true" alias="currency" /><attribute name="${table.primaryId}" aggregate="count" alias="n" /></entity></fetch>`,
    'currency',
  );
  const ids = runFetchXml(engine.fetchSource(), table.entitySetName, xml)
    .records.map((r) => r.currency)
    .filter((id): id is string => typeof id === 'string');
  const one = ids.length === 1 && ids[0] ? ids[0] : undefined;
  const own = one
    ? currencyRows(
        engine,
        `<filter><condition attribute="${lookup}" operator="eq" value="${one}" /></filter>`,
      )[0]
    : undefined;
  return own ?? fallback();
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
  timeZone?: string,
): ChartData {
  const xml = chartFetchXml(view.fetchXml, chart.fetchXml, chart.id);
  const query = parseFetchXml(xml);
  const groups = groupAttributes(engine, table, query);
  const records = runFetchQuery(engine.fetchSource(), table.entitySetName, query, {
    annotations: all,
    timeZone,
  }).records;
  const categories = records.map((r) => categoryOf(r, groups, lang));
  let currency: ChartCurrency | undefined;
  const series = chart.measures.map((alias): ChartSeries => {
    const measure = findMeasure(engine, table, query, alias);
    const money = isMoney(measure);
    if (money) currency ??= chartCurrency(engine, table, view);
    return {
      alias,
      label: measureLabel(measure, alias, lang),
      values: records.map((r) => {
        const value = r[alias];
        return typeof value === 'number' ? value : 0;
      }),
      ...(money && currency ? { currency } : {}),
    };
  });
  return {
    title: localized(chart.name, lang, chart.id),
    kind: chartKind(chart.chartTypes),
    categories,
    series,
  };
}

const COLORS = ['#0f548c', '#ca5010', '#007846'];

function locale(lang: LanguageCode): string {
  return lang === 3082 ? 'es-ES' : 'en-US';
}

function formatNumber(value: number, lang: LanguageCode, currency?: ChartCurrency): string {
  if (!currency) return value.toLocaleString(locale(lang), { maximumFractionDigits: 2 });
  return formatMoney(value, lang, currency);
}

/**
 * An amount as Dynamics writes it for the user's locale ("$1,234.50", "1.234,50 €"): the locale's
 * currency pattern, with the currency row's own symbol in place of Intl's.
 */
export function formatMoney(
  value: number,
  lang: LanguageCode,
  currency: ChartCurrency,
  compact = false,
): string {
  let code = currency.code && /^[A-Za-z]{3}$/.test(currency.code) ? currency.code.toUpperCase() : 'XXX';
  let format: Intl.NumberFormat;
  try {
    format = moneyFormat(lang, code, currency.precision, compact);
  } catch {
    code = 'XXX';
    format = moneyFormat(lang, code, currency.precision, compact);
  }
  return format
    .formatToParts(value)
    .map((part) => (part.type === 'currency' ? currency.symbol : part.value))
    .join('');
}

function moneyFormat(
  lang: LanguageCode,
  code: string,
  precision: number,
  compact: boolean,
): Intl.NumberFormat {
  return new Intl.NumberFormat(locale(lang), {
    style: 'currency',
    currency: code,
    currencyDisplay: 'symbol',
    ...(compact
      ? { notation: 'compact', maximumFractionDigits: 1 }
      : { minimumFractionDigits: precision, maximumFractionDigits: precision }),
  });
}

const LABEL_FONT = 12;
const LABEL_LINE = 14;
const VALUE_FONT = 11;

/**
 * The chart as its kind draws it (horizontal bars when the data names none); every kind gives each
 * category one `listitem` whose aria-label says its label and every figure, and the table beside it
 * carries the same figures. Bars: the label column is as wide as the longest label up to 40 % of the
 * chart; longer labels wrap onto two lines, then end in "…", whole in a `<title>` tooltip.
 */
export function chartSvg(data: ChartData, lang: LanguageCode, id: string): SafeHtml {
  switch (data.kind ?? 'bar') {
    case 'column':
      return columnSvg(data, lang, id);
    case 'line':
    case 'area':
      return lineSvg(data, lang, id);
    case 'pie':
    case 'doughnut':
      return pieSvg(data, lang, id);
    case 'funnel':
      return scrolled(data, funnelSvg(data, lang, id));
    case 'bar':
      return scrolled(data, barSvg(data, lang, id));
  }
}

/** More categories than this make a bar chart taller than its dashboard panel. */
export const TALL_CHART_CATEGORIES = 12;
/** The panel height, in CSS pixels, a tall chart scrolls in. */
export const CHART_VIEWPORT_HEIGHT = 320;

/**
 * A dashboard gives every chart the same height whatever its data, and a long chart scrolls inside
 * it rather than pushing the panels below off the page (Dynamics' dashboards keep a chart's height
 * fixed; a chart that should show fewer categories says so with `top` on its data description's
 * `<fetch>`, the designer's "Top X" rule, which the chart's query keeps). The region takes the
 * keyboard focus so it scrolls without a mouse.
 */
function scrolled(data: ChartData, chart: SafeHtml): SafeHtml {
  if (data.categories.length <= TALL_CHART_CATEGORIES) return chart;
  return markup`<div class="chart-scroll" role="group" aria-label="${data.title}" tabindex="0" style="max-height:${CHART_VIEWPORT_HEIGHT}px;overflow-y:auto">${chart}</div>`;
}

function color(j: number): string {
  return COLORS[j % COLORS.length] ?? '#0f548c';
}

/** What a category says to a screen reader, whatever the chart draws: its label and every figure. */
function categoryAria(data: ChartData, i: number, lang: LanguageCode): string {
  const category = data.categories[i];
  return `${category?.label ?? ''}: ${data.series
    .map((s) => `${s.label} ${formatNumber(s.values[i] ?? 0, lang, s.currency)}`)
    .join(', ')}`;
}

function legendOf(data: ChartData): SafeHtml | string {
  return data.series.length > 1
    ? markup`<p class="legend">${data.series.map((s, j) => markup`<span><span class="swatch" style="background:${color(j)}"></span>${s.label}</span> `)}</p>`
    : '';
}

/** The frame a vertical chart stands in: a category slot each, a rounded scale, labels under the slots. */
interface VerticalFrame {
  readonly width: number;
  readonly height: number;
  readonly baseline: number;
  readonly plotHeight: number;
  readonly max: number;
  readonly slot: number;
  /** The x of category `i`'s centre. */
  centre(i: number): number;
  /** How high above the baseline `value` stands. */
  rise(value: number): number;
  /** Gridlines and the baseline, drawn under the figures. */
  readonly grid: SafeHtml;
  /** Category `i`'s label under its slot: two lines at most, then "…", whole in a `<title>`. */
  label(i: number): SafeHtml;
}

/**
 * Gridlines mark a rounded scale so the heights read as figures, as Dynamics' column and line
 * charts do; each category's label sits under its slot.
 */
function verticalFrame(data: ChartData): VerticalFrame {
  const width = 560;
  const plotHeight = 160;
  const top = 18;
  const axisLeft = 8;
  const plotWidth = width - axisLeft - 8;
  const max = niceMax(Math.max(1, ...data.series.flatMap((s) => s.values)));
  const slot = plotWidth / Math.max(1, data.categories.length);
  const baseline = top + plotHeight;
  const fitted = data.categories.map((c) => fitLabel(c.label, Math.max(8, slot - 6), LABEL_FONT));
  const labelLines = Math.max(1, ...fitted.map((f) => f.lines.length));
  const centre = (i: number) => axisLeft + slot * i + slot / 2;
  const lines = [0.25, 0.5, 0.75, 1].map((f) => {
    const y = Math.round(baseline - plotHeight * f);
    return markup`<line x1="${axisLeft}" x2="${width - 8}" y1="${y}" y2="${y}" stroke="#eff2f6" aria-hidden="true"/>`;
  });
  return {
    width,
    height: baseline + 6 + labelLines * LABEL_LINE + 4,
    baseline,
    plotHeight,
    max,
    slot,
    centre,
    rise: (value) => Math.round((plotHeight * Math.max(0, value)) / max),
    grid: markup`${lines}<line x1="${axisLeft}" x2="${width - 8}" y1="${baseline}" y2="${baseline}" stroke="#a5acb5" aria-hidden="true"/>`,
    label: (i) => {
      const category = data.categories[i];
      const tspans = (fitted[i]?.lines ?? [category?.label ?? '']).map(
        (line, n) =>
          markup`<tspan x="${round(centre(i))}" y="${baseline + 6 + LABEL_LINE * (n + 1) - 3}">${line}</tspan>`,
      );
      return markup`<text class="chart-label" text-anchor="middle" font-size="${LABEL_FONT}" fill="#242424"><title>${category?.label ?? ''}</title>${tspans}</text>`;
    },
  };
}

/** A figure above a column or a point: whole when the slot holds it, else compact. */
function figureText(
  data: ChartData,
  s: ChartSeries,
  value: number,
  lang: LanguageCode,
  slot: number,
  x: number,
  y: number,
): SafeHtml {
  const shown = fitValue(
    formatNumber(value, lang, s.currency),
    value,
    lang,
    slot / Math.max(1, data.series.length),
    s.currency,
  );
  return markup`<text x="${round(x)}" y="${y}" text-anchor="middle" font-size="${VALUE_FONT}" fill="#242424">${shown}</text>`;
}

/**
 * Vertical columns, one group per category, the value above each column and the category under it
 * (the group's aria-label and the table carry the whole label and every figure).
 */
function columnSvg(data: ChartData, lang: LanguageCode, id: string): SafeHtml {
  const frame = verticalFrame(data);
  const barWidth = Math.max(2, Math.min(36, (frame.slot * 0.72) / Math.max(1, data.series.length)));
  const groupWidth = barWidth * data.series.length;
  const { baseline } = frame;
  const groups = data.categories.map((category, i) => {
    const left = frame.centre(i) - groupWidth / 2;
    const columns = data.series.map((s, j) => {
      const value = s.values[i] ?? 0;
      const h = frame.rise(value);
      const x = round(left + j * barWidth);
      return markup`<rect x="${x}" y="${baseline - h}" width="${round(barWidth - 1)}" height="${h}" fill="${color(j)}"><title>${category.label} · ${s.label}: ${formatNumber(value, lang, s.currency)}</title></rect>${figureText(data, s, value, lang, frame.slot, x + barWidth / 2, baseline - h - 4)}`;
    });
    return markup`<g role="listitem" aria-label="${categoryAria(data, i, lang)}">${columns}${frame.label(i)}</g>`;
  });
  return markup`<svg id="${id}" class="chart chart-column" role="list" aria-label="${data.title}" viewBox="0 0 ${frame.width} ${frame.height}" width="100%" preserveAspectRatio="xMinYMin meet">${frame.grid}${groups}</svg>${legendOf(data)}`;
}

/**
 * A line through each series' figures, a point and its figure at every category; an area chart
 * fills under the line (translucent, so a second series still shows behind). Categories read left to
 * right as on a column chart (months in order), the same gridlines, labels and legend.
 */
function lineSvg(data: ChartData, lang: LanguageCode, id: string): SafeHtml {
  const frame = verticalFrame(data);
  const { baseline } = frame;
  const area = data.kind === 'area';
  const traces = data.series.map((s, j) => {
    const points = data.categories.map(
      (_, i) => `${round(frame.centre(i))},${baseline - frame.rise(s.values[i] ?? 0)}`,
    );
    const first = round(frame.centre(0));
    const last = round(frame.centre(data.categories.length - 1));
    const fill = area
      ? markup`<path d="M ${first},${baseline} L ${points.join(' L ')} L ${last},${baseline} Z" fill="${color(j)}" fill-opacity="0.25" aria-hidden="true"/>`
      : '';
    return markup`${fill}<polyline points="${points.join(' ')}" fill="none" stroke="${color(j)}" stroke-width="2" stroke-linejoin="round" aria-hidden="true"/>`;
  });
  const groups = data.categories.map((category, i) => {
    const marks = data.series.map((s, j) => {
      const value = s.values[i] ?? 0;
      const y = baseline - frame.rise(value);
      return markup`<circle cx="${round(frame.centre(i))}" cy="${y}" r="4" fill="${color(j)}" stroke="#fff" stroke-width="1"><title>${category.label} · ${s.label}: ${formatNumber(value, lang, s.currency)}</title></circle>${figureText(data, s, value, lang, frame.slot, frame.centre(i), y - 8)}`;
    });
    return markup`<g role="listitem" aria-label="${categoryAria(data, i, lang)}">${marks}${frame.label(i)}</g>`;
  });
  return markup`<svg id="${id}" class="chart chart-${area ? 'area' : 'line'}" role="list" aria-label="${data.title}" viewBox="0 0 ${frame.width} ${frame.height}" width="100%" preserveAspectRatio="xMinYMin meet">${frame.grid}${traces}${groups}</svg>${legendOf(data)}`;
}

/** The figure as the column can hold it: whole when it fits, else in compact notation ("12K"). */
function fitValue(
  full: string,
  value: number,
  lang: LanguageCode,
  room: number,
  currency?: ChartCurrency,
): string {
  if (textWidth(full, VALUE_FONT) <= room) return full;
  if (currency) return formatMoney(value, lang, currency, true);
  return value.toLocaleString(locale(lang), { notation: 'compact', maximumFractionDigits: 1 });
}

/** 1, 2, 2.5 or 5 times a power of ten at or above `value`: the top gridline. */
function niceMax(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

const SLICE_COLORS = ['#0f548c', '#ca5010', '#007846', '#8764b8', '#a4262c', '#4f6bed', '#7a7574', '#986f0b'];

/**
 * Slices of the first series (Dynamics draws a pie from one series), in the data's order, with a legend beside it: swatch, label, figure and share. A doughnut leaves a hole.
 */
function pieSvg(data: ChartData, lang: LanguageCode, id: string): SafeHtml {
  const series = data.series[0];
  const values = data.categories.map((_, i) => Math.max(0, series?.values[i] ?? 0));
  const total = values.reduce((a, b) => a + b, 0);
  const r = 90;
  const cx = 100;
  const cy = 100;
  const hole = data.kind === 'doughnut' ? 48 : 0;
  const legendX = 2 * cx + 20;
  const legendWidth = 560 - legendX - 4;
  const row = 20;
  const height = Math.max(2 * cy, 10 + data.categories.length * row);
  const percent = new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: 1 });
  let angle = -Math.PI / 2;
  const slices = data.categories.map((category, i) => {
    const value = values[i] ?? 0;
    const share = total > 0 ? value / total : 0;
    const from = angle;
    angle += share * 2 * Math.PI;
    const fill = SLICE_COLORS[i % SLICE_COLORS.length] ?? '#0f548c';
    const tip = `${category.label} · ${series?.label ?? ''}: ${formatNumber(value, lang, series?.currency)} (${percent.format(share)})`;
    const shape =
      share <= 0
        ? ''
        : markup`<path d="${slicePath(cx, cy, r, hole, from, angle)}" fill="${fill}" stroke="#fff" stroke-width="1" fill-rule="evenodd"><title>${tip}</title></path>`;
    const y = 10 + i * row;
    const legendText = `${category.label}: ${formatNumber(value, lang, series?.currency)} (${percent.format(share)})`;
    return markup`<g role="listitem" aria-label="${categoryAria(data, i, lang)}">${shape}<rect x="${legendX}" y="${y}" width="10" height="10" fill="${fill}" aria-hidden="true"/><text class="chart-label" x="${legendX + 16}" y="${y + 9}" font-size="${LABEL_FONT}" fill="#242424"><title>${legendText}</title>${ellipsize(legendText, legendWidth - 16, LABEL_FONT)}</text></g>`;
  });
  return markup`<svg id="${id}" class="chart chart-${data.kind ?? 'pie'}" role="list" aria-label="${data.title}" viewBox="0 0 560 ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${slices}</svg>`;
}

/** An SVG path for the ring sector from `a0` to `a1` (radians); a whole turn is two half arcs. */
function slicePath(cx: number, cy: number, r: number, hole: number, a0: number, a1: number): string {
  const at = (radius: number, a: number) =>
    `${round(cx + radius * Math.cos(a))} ${round(cy + radius * Math.sin(a))}`;
  if (a1 - a0 >= 2 * Math.PI - 1e-9) {
    const ring = (radius: number) =>
      `M ${at(radius, a0)} A ${radius} ${radius} 0 1 1 ${at(radius, a0 + Math.PI)} A ${radius} ${radius} 0 1 1 ${at(radius, a0)} Z`;
    return hole > 0 ? `${ring(r)} ${ring(hole)}` : ring(r);
  }
  const large = a1 - a0 > Math.PI ? 1 : 0;
  const outer = `M ${at(r, a0)} A ${r} ${r} 0 ${large} 1 ${at(r, a1)}`;
  return hole > 0
    ? `${outer} L ${at(hole, a1)} A ${hole} ${hole} 0 ${large} 0 ${at(hole, a0)} Z`
    : `${outer} L ${cx} ${cy} Z`;
}

/**
 * A funnel of the first series (as a pie, Dynamics draws a funnel from one series): one centred band
 * per category, top to bottom in the data's order, as wide as its figure against the largest, so the
 * stages narrow as the figures fall; each band's label and figure sit above it.
 */
function funnelSvg(data: ChartData, lang: LanguageCode, id: string): SafeHtml {
  const series = data.series[0];
  const width = 560;
  const band = 20;
  const stage = LABEL_LINE + band + 8;
  const max = Math.max(1, ...data.categories.map((_, i) => series?.values[i] ?? 0));
  const stages = data.categories.map((category, i) => {
    const value = series?.values[i] ?? 0;
    const w = Math.max(2, Math.round(((width - 8) * Math.max(0, value)) / max));
    const top = 4 + i * stage;
    const fill = SLICE_COLORS[i % SLICE_COLORS.length] ?? '#0f548c';
    const caption = `${category.label}: ${formatNumber(value, lang, series?.currency)}`;
    return markup`<g role="listitem" aria-label="${categoryAria(data, i, lang)}"><text class="chart-label" x="${width / 2}" y="${top + LABEL_LINE - 3}" text-anchor="middle" font-size="${LABEL_FONT}" fill="#242424"><title>${caption}</title>${ellipsize(caption, width - 8, LABEL_FONT)}</text><rect x="${round((width - w) / 2)}" y="${top + LABEL_LINE}" width="${w}" height="${band}" fill="${fill}"><title>${category.label} · ${series?.label ?? ''}: ${formatNumber(value, lang, series?.currency)}</title></rect></g>`;
  });
  const height = Math.max(30, 4 + data.categories.length * stage);
  return markup`<svg id="${id}" class="chart chart-funnel" role="list" aria-label="${data.title}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${stages}</svg>`;
}

function barSvg(data: ChartData, lang: LanguageCode, id: string): SafeHtml {
  const barHeight = 14;
  const gap = 8;
  const width = 560;
  const valueRoom =
    Math.ceil(
      Math.max(
        0,
        ...data.series.flatMap((s) =>
          s.values.map((v) => textWidth(formatNumber(v, lang, s.currency), VALUE_FONT)),
        ),
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
    return markup`<g role="listitem" aria-label="${categoryAria(data, i, lang)}"><text class="chart-label" text-anchor="end" font-size="${LABEL_FONT}" fill="#242424"><title>${category.label}</title>${lines}</text>${data.series.map(
      (s, j) => {
        const value = s.values[i] ?? 0;
        const w = Math.round((plot * value) / max);
        const y = barsTop + j * barHeight;
        return markup`<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight - 2}" fill="${color(j)}"><title>${category.label} · ${s.label}: ${formatNumber(value, lang, s.currency)}</title></rect><text x="${labelWidth + w + 4}" y="${y + barHeight - 4}" font-size="${VALUE_FONT}" fill="#242424">${formatNumber(value, lang, s.currency)}</text>`;
      },
    )}</g>`;
  });
  const height = Math.max(y0 + 2, 30);
  return markup`<svg id="${id}" class="chart" role="list" aria-label="${data.title}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${bars}</svg>${legendOf(data)}`;
}

/** The same figures as a table: what a screen reader or a test reads. */
export function chartTable(data: ChartData, lang: LanguageCode, caption: string): SafeHtml {
  const head = markup`<thead><tr><th scope="col">${caption}</th>${data.series.map((s) => markup`<th scope="col">${s.label}</th>`)}</tr></thead>`;
  const rows = data.categories.map(
    (c, i) =>
      markup`<tr data-category="${c.key}"><th scope="row">${c.label}</th>${data.series.map((s) => markup`<td class="n">${formatNumber(s.values[i] ?? 0, lang, s.currency)}</td>`)}</tr>`,
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
  /** The user's IANA time zone, for views that name days (the deposits overdue). */
  readonly timeZone?: string;
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
    const data = chartData(engine, table, chart, view, lang, parts.timeZone);
    const body =
      data.categories.length === 0
        ? markup`<p>${parts.noData}</p>`
        : markup`${chartSvg(data, lang, `idr-chart-${index}`)}<details><summary>${parts.tableView}</summary>${chartTable(data, lang, data.title)}</details>`;
    return markup`<section class="formsection dashboard-chart" aria-labelledby="${headingId}" data-component="${component.controlId}"><h2 id="${headingId}">${title}</h2><p class="muted">${localized(view.name, lang, view.id)}</p>${body}</section>`;
  })}`;
}
