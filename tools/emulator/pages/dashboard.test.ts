/**
 * The Group Sales dashboard over the demo's quotations: its charts hold the figures `ideario report
 * quotations` prints for the same data, and the page shows them as labelled SVG bars with a table.
 */
import {
  idr_roomblock,
  opportunity,
  organization,
  QuotationPhase,
  transactioncurrency,
  usersettings,
} from '../../../dataverse/generated';
import { dateOnlyFromDate, quotationReport } from '../../../domain/quotation';
import { createGroupQuotesHandlers } from '../../../plugins/handlers/groupquotes';
import { asRow, readPhase } from '../../../plugins/handlers/groupquotes/record';
import { createQuoteOrg, type QuoteOrg } from '../../../plugins/handlers/groupquotes/quote-org.testkit';
import { readQuotations, runQuotationReport } from '../../cli/report';
import { canonicalXml } from '../../solution/xml';
import { loadDemoData } from '../demo/load';
import { appModuleId } from './apps';
import { textWidth } from './chartlabel';
import {
  chartData,
  chartFetchXml,
  chartKind,
  chartSvg,
  chartTable,
  CHART_VIEWPORT_HEIGHT,
  dashboards,
  formatMoney,
  TALL_CHART_CATEGORIES,
  type ChartData,
} from './dashboard';
import { runFetchXml } from '../fetchxml';
import { PageNotFoundError, renderMain } from './shell';
import { dashboardChart } from './dashboard.testkit';

const NOW = new Date('2026-12-06T09:00:00Z');
const SALES = appModuleId('idr_IdearioGroupSales');
const DASHBOARD = '67f14b54-fb9f-44bc-a87a-c50e42a84514';
const B = idr_roomblock.columns;
const O = opportunity.columns;

let org: QuoteOrg;
beforeAll(async () => {
  org = createQuoteOrg({ start: NOW, handlers: createGroupQuotesHandlers() });
  const result = await loadDemoData(org.client, { size: 'small', now: NOW, seed: 11 });
  expect(result).toMatchObject({ loaded: true, failures: [] });
  await org.runAsyncSteps();
  // One quotation confirmed and then cancelled (sent, but neither confirmed nor revenue in the report),
  // and one whose deposit fell due five days ago unpaid (a deposit overdue).
  const withPhase = async (phase: number) => {
    const rows = await org.client.retrieveMultiple(opportunity.entitySetName, {
      select: [O.opportunityid],
      filter: `${O.idr_confirmedon} ne null and ${O.idr_quotesenton} ne null and ${O.idr_phase} eq ${phase} and ${O.idr_deposit} gt 0`,
      top: 1,
    });
    expect(rows).toHaveLength(1);
    return String(rows[0]?.[O.opportunityid]);
  };
  await org.client.update(opportunity.entitySetName, await withPhase(QuotationPhase.Proforma), {
    [O.idr_phase]: QuotationPhase.Cancelled,
  });
  await org.client.update(opportunity.entitySetName, await withPhase(QuotationPhase.Confirmed), {
    [O.idr_depositduedate]: '2026-12-01',
  });
  await org.runAsyncSteps();
}, 120_000);
afterAll(() => org.close());

const chartOf = (name: string, lang: 1033 | 3082 = 1033) => dashboardChart(org.engine, DASHBOARD, name, lang);

async function report() {
  return quotationReport(await readQuotations(org.client), dateOnlyFromDate(NOW, { timeZone: 'UTC' }));
}

describe('the Group Sales charts and the quotation report, over the same demo data', () => {
  it('counts the quotations by phase as the report does', async () => {
    const chart = chartOf('Quotations by Phase');
    const fromChart = chart.categories.map((c, i) => [
      readPhase(asRow({ [O.idr_phase]: Number(c.key) })),
      chart.series[0]?.values[i],
    ]);
    const expected = (await report()).byPhase.map((p) => [p.phase, p.count]);
    expect(expected.length).toBeGreaterThan(5);
    expect(fromChart).toEqual(expected);
    // Category labels come from the choice, in the user's language.
    expect(chart.categories.map((c) => c.label)).toContain('Quotation sent');
    expect(chartOf('Quotations by Phase', 3082).categories.map((c) => c.label)).toContain('Solicitud');
  });

  it('shows sent and confirmed by month sent as the report does, a cancelled confirmation not counted', async () => {
    const chart = chartOf('Sent and Confirmed by Month Sent');
    expect(chart.series.map((s) => s.alias)).toEqual(['sent', 'confirmedcount']);
    const fromChart = chart.categories.map((c, i) => ({
      key: c.key,
      sent: chart.series[0]?.values[i],
      confirmed: chart.series[1]?.values[i],
    }));
    const expected = (await report()).conversionByMonth.map(({ key, sent, confirmed }) => ({
      key,
      sent,
      confirmed,
    }));
    expect(expected.some((m) => m.confirmed > 0 && m.confirmed < m.sent)).toBe(true);
    expect(fromChart).toEqual(expected);
  });

  it('shows sent and confirmed by agency as the report does', async () => {
    const chart = chartOf('Sent and Confirmed by Agency');
    const fromChart = chart.categories
      .map((c, i) => ({
        key: c.label,
        sent: chart.series[0]?.values[i],
        confirmed: chart.series[1]?.values[i],
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const expected = (await report()).conversionByAgency.map(({ key, sent, confirmed }) => ({
      key,
      sent,
      confirmed,
    }));
    expect(expected.length).toBeGreaterThan(1);
    expect(fromChart).toEqual(expected);
  });

  it('sums the revenue confirmed per month as the report does', async () => {
    const chart = chartOf('Revenue Confirmed per Month');
    const fromChart = chart.categories.map((c, i) => [c.key, chart.series[0]?.values[i]]);
    const expected = (await report()).revenueByMonth.map((r): [string, number] => [r.month, r.revenue]);
    expect(expected.length).toBeGreaterThan(0);
    expect(fromChart.map(([k]) => k)).toEqual(expected.map(([k]) => k));
    fromChart.forEach(([, value], i) => expect(value).toBeCloseTo(expected[i]?.[1] ?? NaN, 2));
    expect(chart.categories[0]?.label).toMatch(/^[A-Z][a-z]+ 20\d\d$/);
  });

  it('sums the rooms blocked per hotel and night as the active blocks add up', async () => {
    const chart = chartOf('Rooms Blocked per Hotel and Night');
    const blocks = await org.client.retrieveMultiple(idr_roomblock.entitySetName, {
      select: [B.idr_rooms, B.idr_night, `_${B.idr_hotel}_value`],
      filter: 'statecode eq 0',
    });
    const sums = new Map<string, number>();
    for (const b of blocks) {
      const key = `${String(b[`_${B.idr_hotel}_value`])} · ${String(b[B.idr_night])}`;
      sums.set(key, (sums.get(key) ?? 0) + Number(b[B.idr_rooms]));
    }
    const fromChart = new Map(chart.categories.map((c, i) => [c.key, chart.series[0]?.values[i]]));
    expect(fromChart).toEqual(sums);
    expect(chart.categories[0]?.label).toMatch(/^Hotel Ideario (Sol|Mar) · \d{4}-\d{2}-\d{2}$/);
  });

  it('prints in the terminal the by-phase counts the chart shows', async () => {
    const lines: string[] = [];
    const code = await runQuotationReport(
      {},
      {
        env: { IDEARIO_LANGUAGE: 'en', IDEARIO_TIME_ZONE: 'UTC' },
        logger: org.logger,
        print: (line) => lines.push(line),
        clock: () => NOW,
        client: org.client,
      },
    );
    expect(code).toBe(0);
    const chart = chartOf('Quotations by Phase');
    chart.categories.forEach((c, i) => {
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^  ${c.label} +${chart.series[0]?.values[i] ?? -1}$`)),
      );
    });
  });
});

describe('a chart on a view', () => {
  it("runs the chart's aggregate attributes under the view's filters and joins, without the view's columns and order", () => {
    const view =
      '<fetch version="1.0" mapping="logical"><entity name="opportunity"><attribute name="name" /><order attribute="name" />' +
      '<filter><condition attribute="statecode" operator="eq" value="0" /></filter>' +
      '<link-entity name="account" from="accountid" to="idr_agency" alias="a"><attribute name="name" /><filter><condition attribute="name" operator="like" value="G%" /></filter></link-entity>' +
      '</entity></fetch>';
    const chart =
      '<fetch mapping="logical" aggregate="true"><entity name="opportunity"><attribute name="idr_phase" groupby="true" alias="phase" />' +
      '<attribute name="opportunityid" aggregate="count" alias="n" /><order alias="phase" /></entity></fetch>';
    expect(canonicalXml(chartFetchXml(view, chart))).toBe(
      canonicalXml(
        '<fetch mapping="logical" aggregate="true"><entity name="opportunity"><attribute name="idr_phase" groupby="true" alias="phase"/>' +
          '<attribute name="opportunityid" aggregate="count" alias="n"/><order alias="phase"/>' +
          '<filter><condition attribute="statecode" operator="eq" value="0"/></filter>' +
          '<link-entity name="account" from="accountid" to="idr_agency" alias="a"><filter><condition attribute="name" operator="like" value="G%"/></filter></link-entity>' +
          '</entity></fetch>',
      ),
    );
  });
});

describe('the dashboard page', () => {
  function page(lang: 1033 | 3082 = 1033): string {
    const answer = renderMain(
      org.engine,
      { params: new URLSearchParams({ appid: SALES, pagetype: 'dashboard', id: DASHBOARD }), lang },
      '/api/data/v9.2/',
    );
    if (answer.kind !== 'html') throw new Error('expected a page');
    return answer.body;
  }

  it('is the Group Sales app first page, and an unknown dashboard is a page not found', () => {
    const answer = renderMain(org.engine, { params: new URLSearchParams({ appid: SALES }), lang: 1033 }, '/');
    expect(answer.kind).toBe('redirect');
    expect(answer.kind === 'redirect' ? answer.location : '').toContain(`pagetype=dashboard&id=${DASHBOARD}`);
    const unknown = new URLSearchParams({
      appid: SALES,
      pagetype: 'dashboard',
      id: '00000000-0000-0000-0000-000000000001',
    });
    expect(() => renderMain(org.engine, { params: unknown, lang: 1033 }, '/')).toThrow(PageNotFoundError);
  });

  it('draws each chart as labelled SVG bars with the figures in a table, and lists the deposits overdue', async () => {
    const html = page();
    expect(html).toContain('<h1>Group Sales</h1>');
    expect(
      html
        .match(/<svg [^>]*role="list" aria-label="[^"]+"/g)
        ?.map((s) => /aria-label="([^"]+)"/.exec(s)?.[1]),
    ).toEqual([
      'Quotations by Phase',
      'Revenue Confirmed per Month',
      'Sent and Confirmed by Month Sent',
      'Sent and Confirmed by Agency',
      'Rooms Blocked per Hotel and Night',
    ]);
    const phase = chartOf('Quotations by Phase');
    const i = phase.categories.findIndex((c) => c.label === 'Quotation sent');
    expect(html).toContain(
      `aria-label="Quotation sent: Count (Opportunities) ${phase.series[0]?.values[i] ?? -1}"`,
    );
    expect(html).toMatch(/<th scope="row">Quotation sent<\/th><td class="n">\d+<\/td>/);
    const overdue = (await report()).depositsOverdue.map((d) => d.name);
    const list = /data-component="List_DepositsOverdue">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(overdue.length).toBeGreaterThan(0);
    for (const name of overdue) expect(list).toContain(name);
    expect([...list.matchAll(/<tr role="row"><td>/g)]).toHaveLength(overdue.length);
  });

  it('keeps the long occupancy plan at the panel height, scrolling inside it, and short charts as they are', () => {
    const html = page();
    const occupancy = chartOf('Rooms Blocked per Hotel and Night');
    expect(occupancy.categories.length).toBeGreaterThan(TALL_CHART_CATEGORIES);
    const scrolls = [...html.matchAll(/<div class="chart-scroll" ([^>]*)><svg [^>]*aria-label="([^"]+)"/g)];
    expect(scrolls.map((m) => m[2])).toEqual(['Rooms Blocked per Hotel and Night']);
    expect(scrolls[0]?.[1]).toContain(`max-height:${CHART_VIEWPORT_HEIGHT}px;overflow-y:auto`);
    // A keyboard user can reach it and scroll it; every hotel-night is still there, in the table too.
    expect(scrolls[0]?.[1]).toContain('tabindex="0"');
    const section = /data-component="Chart_RoomsPerNight"[\s\S]*?<\/section>/.exec(html)?.[0] ?? html;
    expect([...section.matchAll(/<g role="listitem"/g)]).toHaveLength(occupancy.categories.length);
  });

  it("shows only the first rows when the chart's data description asks for its top ones", () => {
    const component = dashboards(org.engine)
      .find((d) => d.id === DASHBOARD)
      ?.components.find((c) => c.controlId === 'Chart_RoomsPerNight');
    const table = org.engine.metadata.byLogicalName(idr_roomblock.logicalName);
    const chart = table?.model.visualizations?.find((v) => v.id === component?.chartId);
    const view = table?.model.views.find((v) => v.id === component?.viewId);
    if (!table || !chart || !view) throw new Error('no room block chart');
    const all = chartData(org.engine, table, chart, view, 1033);
    const top = chartData(
      org.engine,
      table,
      { ...chart, fetchXml: chart.fetchXml.replace('<fetch ', '<fetch top="3" ') },
      view,
      1033,
    );
    expect(top.categories).toEqual(all.categories.slice(0, 3));
    expect(chartSvg(top, 1033, 't').toString()).not.toContain('chart-scroll');
  });

  it('speaks Spanish when the user does', () => {
    const html = page(3082);
    expect(html).toContain('<h1>Ventas de grupos</h1>');
    expect(html).toContain('aria-label="Cotizaciones por fase"');
    expect(html).toContain('Mostrar las cifras en una tabla');
  });
});

describe('chart labels', () => {
  const long = 'Spring newsletter for the loyal customers of the coast hotels · Exclusion list (Robinson)';
  const data: ChartData = {
    title: 'Exclusions by Reason per Campaign',
    categories: [
      { key: 'a', label: long },
      { key: 'b', label: 'Spring newsletter · Control group' },
    ],
    series: [{ alias: 'n', label: 'Count (Exclusions)', values: [12, 3] }],
  };

  it('keeps every label line inside the label column, the full label in a tooltip, the bar and the table', () => {
    const svg = chartSvg(data, 1033, 'c').toString();
    const labels = [...svg.matchAll(/<text class="chart-label"[^>]*>([\s\S]*?)<\/text>/g)].map(
      (m) => m[1] ?? '',
    );
    expect(labels).toHaveLength(2);
    expect(labels[0]).toContain(`<title>${long}</title>`);
    expect(svg).toContain(`aria-label="${long}: Count (Exclusions) 12"`);
    expect(chartTable(data, 1033, data.title).toString()).toContain(`<th scope="row">${long}</th>`);
    // Text is anchored at its end: a line starts at x minus its width, which must not fall left of 0.
    for (const [, x, line] of svg.matchAll(/<tspan x="([\d.]+)" y="[\d.]+">([^<]*)<\/tspan>/g))
      expect(Number(x) - textWidth(line ?? '', 12)).toBeGreaterThanOrEqual(0);
    const shown = [...(labels[0] ?? '').matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]);
    expect(shown).toHaveLength(2);
    expect(long.startsWith(`${shown[0] ?? 'none'} `)).toBe(true);
    expect(shown[1]).toMatch(/…$/);
    // A short label is shown whole on one line.
    expect(labels[1]).toMatch(
      /<tspan[^>]*>Spring newsletter<\/tspan><tspan[^>]*>Control group<\/tspan>|<tspan[^>]*>Spring newsletter · Control group<\/tspan>/,
    );
  });

  it('gives the bars the room short labels leave', () => {
    const short: ChartData = {
      ...data,
      categories: [
        { key: 'a', label: 'Email' },
        { key: 'b', label: 'Phone' },
      ],
    };
    const barStart = (svg: string) => Number(/<rect x="([\d.]+)"/.exec(svg)?.[1]);
    expect(barStart(chartSvg(short, 1033, 'c').toString())).toBeLessThan(
      barStart(chartSvg(data, 1033, 'c').toString()),
    );
    expect(barStart(chartSvg(short, 1033, 'c').toString())).toBeGreaterThan(textWidth('Phone', 12));
  });
});

describe('rows without a value', () => {
  it('fall under one "(blank)" category, in the user\'s language, counted as the Web API counts them', async () => {
    const table = org.engine.metadata.byLogicalName(opportunity.logicalName);
    if (!table) throw new Error('no opportunity table');
    const base = table.model.views[0];
    if (!base) throw new Error('the opportunity table has no view');
    const view = { ...base, fetchXml: `<fetch><entity name="${opportunity.logicalName}" /></fetch>` };
    const chart = {
      id: 'lost-reasons',
      name: { 1033: 'Lost reasons' },
      description: {},
      fetchXml: `<fetch aggregate="true"><entity name="${opportunity.logicalName}"><attribute name="${O.idr_lostreason}" groupby="true" alias="reason" /><attribute name="${O.opportunityid}" aggregate="count" alias="n" /></entity></fetch>`,
      categoryAlias: 'reason',
      measures: ['n'],
      attributes: [],
      chartTypes: ['Bar'],
      file: 'test',
    };
    const withoutReason = await org.client.retrieveMultiple(opportunity.entitySetName, {
      select: [O.opportunityid],
      filter: `${O.idr_lostreason} eq null`,
    });
    expect(withoutReason.length).toBeGreaterThan(0);
    const en = chartData(org.engine, table, chart, view, 1033);
    const blank = en.categories.findIndex((c) => c.key === '');
    expect(en.categories[blank]?.label).toBe('(blank)');
    expect(en.series[0]?.values[blank]).toBe(withoutReason.length);
    const es = chartData(org.engine, table, chart, view, 3082);
    expect(es.categories.find((c) => c.key === '')?.label).toBe('(en blanco)');
  });
});

describe('chart types', () => {
  const months: ChartData = {
    title: 'Sent and Confirmed by Month Sent',
    kind: 'column',
    categories: [
      { key: '2026-10', label: 'October 2026' },
      { key: '2026-11', label: 'November 2026' },
      { key: '2026-12', label: 'December 2026' },
    ],
    series: [
      { alias: 'sent', label: 'Count: Quotation Sent On', values: [8, 4, 2] },
      { alias: 'confirmedcount', label: 'Count: Confirmed On', values: [4, 0, 1] },
    ],
  };

  it("draws the kind the chart's presentation description names", () => {
    expect(chartKind(['Column', 'Column'])).toBe('column');
    expect(chartKind(['Bar'])).toBe('bar');
    expect(chartKind(['StackedBar100'])).toBe('bar');
    expect(chartKind(['Pie'])).toBe('pie');
    expect(chartKind(['Doughnut'])).toBe('doughnut');
    expect(chartKind(['Line'])).toBe('line');
    expect(chartKind(['Spline'])).toBe('line');
    expect(chartKind(['Area'])).toBe('area');
    expect(chartKind(['Funnel'])).toBe('funnel');
    expect(chartKind(['StackedColumn'])).toBe('column');
    expect(chartOf('Revenue Confirmed per Month').kind).toBe('column');
    // Agencies are many, with long names: they read across, as bars.
    expect(chartOf('Sent and Confirmed by Agency').kind).toBe('bar');
    expect(chartOf('Quotations by Phase').kind).toBe('bar');
  });

  it('draws columns standing on one baseline, as tall as their figures, months left to right', () => {
    const svg = chartSvg(months, 1033, 'c').toString();
    expect(svg).toContain(
      'class="chart chart-column" role="list" aria-label="Sent and Confirmed by Month Sent"',
    );
    const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)].map(
      (m) => ({ x: Number(m[1]), bottom: Number(m[2]) + Number(m[3]), height: Number(m[3]) }),
    );
    expect(rects).toHaveLength(6);
    expect(new Set(rects.map((r) => r.bottom)).size).toBe(1);
    // Series alternate within a month: sent, confirmed; 8 sent is twice 4 sent and eight times 1 confirmed.
    const [oct, octConfirmed, nov, novConfirmed, dec, decConfirmed] = rects;
    expect(oct?.height).toBeCloseTo(2 * (nov?.height ?? 0), 0);
    expect(oct?.height).toBeCloseTo(8 * (decConfirmed?.height ?? 0), 0);
    expect(novConfirmed?.height).toBe(0);
    expect((oct?.x ?? 0) < (octConfirmed?.x ?? 0) && (octConfirmed?.x ?? 0) < (nov?.x ?? 0)).toBe(true);
    expect((nov?.x ?? 0) < (dec?.x ?? 0)).toBe(true);
    // Screen readers hear each month with both figures; the legend names the series.
    expect(svg).toContain('aria-label="October 2026: Count: Quotation Sent On 8, Count: Confirmed On 4"');
    expect(svg).toContain('<p class="legend">');
    expect(svg).toMatch(/<tspan x="[\d.]+" y="[\d.]+">October 2026<\/tspan>/);
  });

  it('keeps a long category label under its column, whole in its tooltip', () => {
    const agencies: ChartData = {
      ...months,
      categories: months.categories.map((c, i) => ({
        ...c,
        label: `Agencia de viajes número ${i + 1} de la costa mediterránea`,
      })),
    };
    const svg = chartSvg(agencies, 3082, 'c').toString();
    const slot = (560 - 16) / 3;
    for (const [, line] of svg.matchAll(/<tspan x="[\d.]+" y="[\d.]+">([^<]*)<\/tspan>/g))
      expect(textWidth(line ?? '', 12)).toBeLessThanOrEqual(slot);
    expect(svg).toContain('<title>Agencia de viajes número 1 de la costa mediterránea</title>');
  });

  it('draws a pie of the first series, each slice its share of the whole, with a legend that says it', () => {
    const channels: ChartData = {
      title: 'Activities Sent per Channel',
      kind: 'pie',
      categories: [
        { key: '3', label: 'Email' },
        { key: '2', label: 'Phone' },
        { key: '4', label: 'Letter' },
      ],
      series: [{ alias: 'sent', label: 'Sum: Created', values: [30, 15, 15] }],
    };
    const svg = chartSvg(channels, 1033, 'p').toString();
    expect(svg).toContain('class="chart chart-pie" role="list" aria-label="Activities Sent per Channel"');
    expect(svg).toContain('aria-label="Email: Sum: Created 30"');
    expect(svg).toContain('>Email: 30 (50%)<');
    expect(svg).toContain('>Phone: 15 (25%)<');
    // Email's slice is half the disc: it starts at the top and ends at the bottom, the large-arc flag off.
    const email = /<path d="M ([\d.-]+) ([\d.-]+) A 90 90 0 (\d) 1 ([\d.-]+) ([\d.-]+) L/.exec(svg);
    expect(email?.slice(1).map(Number)).toEqual([100, 10, 0, 100, 190]);
    expect(chartSvg(channels, 3082, 'p').toString()).toContain('>Email: 30 (50\u00a0%)<');
    const doughnut = chartSvg({ ...channels, kind: 'doughnut' }, 1033, 'd').toString();
    expect(doughnut).toContain('class="chart chart-doughnut"');
    expect(doughnut).toMatch(/A 48 48 0 0 0/);
    // One category is the whole disc.
    const one = chartSvg({ ...channels, categories: channels.categories.slice(0, 1) }, 1033, 'o').toString();
    expect(one).toMatch(/<path d="M 100 10 A 90 90 0 1 1 100 190 A 90 90 0 1 1 100 10 Z"/);
  });

  /** The points of each series' line, in drawing order, as numbers. */
  function linePoints(svg: string): { x: number; y: number }[][] {
    return [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) =>
      (m[1] ?? '').split(' ').map((p) => {
        const [x, y] = p.split(',').map(Number);
        return { x: x ?? NaN, y: y ?? NaN };
      }),
    );
  }

  it('draws a line through each series, a point and its figure at every month, on the column gridlines', () => {
    const svg = chartSvg({ ...months, kind: 'line' }, 1033, 'l').toString();
    expect(svg).toContain(
      'class="chart chart-line" role="list" aria-label="Sent and Confirmed by Month Sent"',
    );
    const [sent, confirmed] = linePoints(svg);
    expect(sent).toHaveLength(3);
    expect(confirmed).toHaveLength(3);
    // Months left to right; the baseline is where 0 sits, and 8 sent stands twice as high as 4.
    expect((sent?.[0]?.x ?? 0) < (sent?.[1]?.x ?? 0) && (sent?.[1]?.x ?? 0) < (sent?.[2]?.x ?? 0)).toBe(true);
    const baseline = confirmed?.[1]?.y ?? NaN;
    expect(baseline - (sent?.[0]?.y ?? 0)).toBeCloseTo(2 * (baseline - (sent?.[1]?.y ?? 0)), 0);
    expect(baseline - (sent?.[0]?.y ?? 0)).toBeCloseTo(8 * (baseline - (confirmed?.[2]?.y ?? 0)), 0);
    // A point per figure, with its figure written above it; the same gridlines as the column chart.
    expect([...svg.matchAll(/<circle /g)]).toHaveLength(6);
    expect(svg).toMatch(/<text [^>]*text-anchor="middle" font-size="11" fill="#242424">8<\/text>/);
    const gridlines = (html: string) => [...html.matchAll(/<line [^>]*stroke="#eff2f6"/g)].length;
    expect(gridlines(svg)).toBe(gridlines(chartSvg(months, 1033, 'c').toString()));
    expect(gridlines(svg)).toBeGreaterThan(0);
    expect(svg).toContain('aria-label="October 2026: Count: Quotation Sent On 8, Count: Confirmed On 4"');
    expect(svg).toContain('<p class="legend">');
    expect(svg).toMatch(/<tspan x="[\d.]+" y="[\d.]+">October 2026<\/tspan>/);
    expect(chartSvg({ ...months, kind: 'line' }, 3082, 'l').toString()).toContain(
      'aria-label="October 2026: Count: Quotation Sent On 8',
    );
  });

  it("fills an area chart under its line down to the baseline, amounts in the user's locale", () => {
    const euro = { symbol: '€', code: 'EUR', precision: 2 };
    const revenue: ChartData = {
      title: 'Revenue Confirmed per Month',
      kind: 'area',
      categories: months.categories,
      series: [{ alias: 'revenue', label: 'Suma: Importe', values: [12000, 30500.5, 8000], currency: euro }],
    };
    const svg = chartSvg(revenue, 3082, 'a').toString();
    expect(svg).toContain('class="chart chart-area"');
    const [line] = linePoints(svg);
    const area = /<path d="M ([\d.]+),([\d.]+) L ([^"]+) L ([\d.]+),([\d.]+) Z" fill="#0f548c"/.exec(svg);
    expect(area).not.toBeNull();
    // The fill starts and ends on the baseline, under the first and the last month, through the line's points.
    expect(Number(area?.[1])).toBe(line?.[0]?.x);
    expect(Number(area?.[4])).toBe(line?.[2]?.x);
    expect(area?.[2]).toBe(area?.[5]);
    expect(Number(area?.[2])).toBeGreaterThan(Math.max(...(line ?? []).map((p) => p.y)));
    expect(area?.[3]).toBe(line?.map((p) => `${p.x},${p.y}`).join(' L '));
    expect(svg).toContain('aria-label="November 2026: Suma: Importe 30.500,50\u00a0€"');
  });

  it('draws a funnel of the first series: centred bands, one per stage, narrowing as the figures fall', () => {
    const stages: ChartData = {
      title: 'Pipeline',
      kind: 'funnel',
      categories: [
        { key: '1', label: 'Request' },
        { key: '2', label: 'Quotation sent' },
        { key: '3', label: 'Confirmed' },
      ],
      series: [{ alias: 'n', label: 'Count (Opportunities)', values: [40, 20, 10] }],
    };
    const svg = chartSvg(stages, 1033, 'f').toString();
    expect(svg).toContain('class="chart chart-funnel" role="list" aria-label="Pipeline"');
    const bands = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      w: Number(m[3]),
    }));
    expect(bands).toHaveLength(3);
    const [request, sent, confirmed] = bands;
    // Top to bottom in the data's order, every band centred on the same axis, widths as the figures.
    expect((request?.y ?? 0) < (sent?.y ?? 0) && (sent?.y ?? 0) < (confirmed?.y ?? 0)).toBe(true);
    for (const b of bands) expect(b.x + b.w / 2).toBeCloseTo(280, 0);
    expect(request?.w).toBeCloseTo(2 * (sent?.w ?? 0), 0);
    expect(sent?.w).toBeCloseTo(2 * (confirmed?.w ?? 0), 0);
    expect(svg).toContain('>Quotation sent: 20<');
    expect(svg).toContain('aria-label="Confirmed: Count (Opportunities) 10"');
  });

  it('draws the Group Sales column charts as columns on the page', () => {
    const html = renderMain(
      org.engine,
      { params: new URLSearchParams({ appid: SALES, pagetype: 'dashboard', id: DASHBOARD }), lang: 1033 },
      '/api/data/v9.2/',
    );
    const body = html.kind === 'html' ? html.body : '';
    expect(body).toContain('class="chart chart-column" role="list" aria-label="Revenue Confirmed per Month"');
  });
});

describe('amounts', () => {
  it("write the currency's symbol where the user's locale puts it", () => {
    const euro = { symbol: '€', code: 'EUR', precision: 2 };
    expect(formatMoney(12345.5, 1033, euro)).toBe('€12,345.50');
    expect(formatMoney(12345.5, 3082, euro)).toBe('12.345,50\u00a0€');
    // A row's own symbol wins over Intl's, and a currency without a known ISO code still gets its symbol.
    expect(formatMoney(99, 1033, { symbol: 'US$', code: 'USD', precision: 0 })).toBe('US$99');
    expect(formatMoney(1500, 3082, { symbol: 'Bs', precision: 2 })).toBe('1500,00\u00a0Bs');
  });

  it("show the revenue chart in the quotations' transaction currency, else the organization's", async () => {
    const revenue = () => chartOf('Revenue Confirmed per Month');
    const page = (lang: 1033 | 3082) => {
      const answer = renderMain(
        org.engine,
        { params: new URLSearchParams({ appid: SALES, pagetype: 'dashboard', id: DASHBOARD }), lang },
        '/api/data/v9.2/',
      );
      return answer.kind === 'html' ? answer.body : '';
    };
    // No currency row yet: the emulator's base currency symbol; the counts never carry one.
    expect(revenue().series[0]?.currency?.symbol).toBe('$');
    expect(chartOf('Quotations by Phase').series[0]?.currency).toBeUndefined();

    const t = transactioncurrency.columns;
    const euro = await org.client.create(transactioncurrency.entitySetName, {
      [t.currencyname]: 'Euro',
      [t.isocurrencycode]: 'EUR',
      [t.currencysymbol]: '€',
      [t.currencyprecision]: 2,
    });
    const quotations = await org.client.retrieveMultiple(opportunity.entitySetName, {
      select: [O.opportunityid],
    });
    for (const q of quotations)
      await org.client.update(opportunity.entitySetName, String(q[O.opportunityid]), {
        [`${O.transactioncurrencyid}@odata.bind`]: `/${transactioncurrency.entitySetName}(${euro})`,
      });
    const chart = revenue();
    expect(chart.series[0]?.currency).toEqual({ symbol: '€', code: 'EUR', precision: 2 });
    const first = chart.series[0]?.values[0] ?? NaN;
    const label = chart.categories[0]?.label ?? '';
    expect(page(1033)).toContain(
      `<th scope="row">${label}</th><td class="n">${formatMoney(first, 1033, { symbol: '€', code: 'EUR', precision: 2 })}</td>`,
    );
    expect(formatMoney(first, 1033, { symbol: '€', code: 'EUR', precision: 2 })).toMatch(/^€[\d,]+\.\d\d$/);
    const es = chartOf('Revenue Confirmed per Month', 3082);
    expect(page(3082)).toContain(
      `aria-label="${es.categories[0]?.label ?? ''}: ${es.series[0]?.label ?? ''} ${formatMoney(first, 3082, { symbol: '€', code: 'EUR', precision: 2 })}"`,
    );
    expect(formatMoney(first, 3082, { symbol: '€', code: 'EUR', precision: 2 })).toMatch(
      /^[\d.]+,\d\d\u00a0€$/,
    );

    // One confirmed quotation in dollars: the rows no longer share a currency, so the chart falls back to the base.
    const dollar = await org.client.create(transactioncurrency.entitySetName, {
      [t.currencyname]: 'US Dollar',
      [t.isocurrencycode]: 'USD',
      [t.currencysymbol]: '$',
      [t.currencyprecision]: 2,
    });
    const [confirmed] = await org.client.retrieveMultiple(opportunity.entitySetName, {
      select: [O.opportunityid],
      filter: `${O.idr_confirmedon} ne null and ${O.idr_phase} eq ${QuotationPhase.Confirmed}`,
      top: 1,
    });
    await org.client.update(opportunity.entitySetName, String(confirmed?.[O.opportunityid]), {
      [`${O.transactioncurrencyid}@odata.bind`]: `/${transactioncurrency.entitySetName}(${dollar})`,
    });
    expect(revenue().series[0]?.currency?.symbol).toBe('$');

    // With an organization whose base currency is the euro, the mixed rows are told in euros.
    await org.client.create(organization.entitySetName, {
      [organization.columns.name]: 'Hoteles',
      [`${organization.columns.basecurrencyid}@odata.bind`]: `/${transactioncurrency.entitySetName}(${euro})`,
    });
    expect(revenue().series[0]?.currency).toEqual({ symbol: '€', code: 'EUR', precision: 2 });
  });
});

describe('deposits overdue at a day boundary', () => {
  it("are judged by the user's days: at 00:30 in Madrid a deposit due the day before is overdue", async () => {
    const [confirmed] = await org.client.retrieveMultiple(opportunity.entitySetName, {
      select: [O.opportunityid, O.name],
      filter: `${O.idr_confirmedon} ne null and ${O.idr_depositreceivedon} eq null and ${O.idr_phase} eq ${QuotationPhase.Confirmed} and ${O.idr_deposit} gt 0`,
      top: 1,
    });
    const name = String(confirmed?.[O.name]);
    await org.client.update(opportunity.entitySetName, String(confirmed?.[O.opportunityid]), {
      [O.idr_depositduedate]: '2026-12-06',
    });
    // 23:30 UTC on 6 December is 00:30 on 7 December in Madrid.
    const lateEvening = new Date('2026-12-06T23:30:00Z');
    const listed = (timeZone: string | undefined, now: Date) => {
      const source = { ...org.engine.fetchSource(), now };
      const view = org.engine.metadata
        .byLogicalName(opportunity.logicalName)
        ?.model.views.find((v) => v.name[1033] === 'Deposits Overdue');
      if (!view) throw new Error('no Deposits Overdue view');
      return runFetchXml(source, opportunity.entitySetName, view.fetchXml, { timeZone }).records.map((r) =>
        String(r[O.name]),
      );
    };
    expect(listed(undefined, lateEvening)).not.toContain(name);
    expect(listed('UTC', lateEvening)).not.toContain(name);
    expect(listed('Europe/Madrid', lateEvening)).toContain(name);
    // In New York it is still the afternoon of the 6th: the deposit is due today, not overdue.
    expect(listed('America/New_York', new Date('2026-12-07T03:00:00Z'))).not.toContain(name);
    expect(listed('UTC', new Date('2026-12-07T03:00:00Z'))).toContain(name);

    // A DateTime column's "today" is the user's day too: rows created at 09:00 UTC on the 6th are
    // "yesterday" for Madrid at 00:30 on the 7th.
    const created = (operator: string, timeZone: string) =>
      runFetchXml(
        { ...org.engine.fetchSource(), now: lateEvening },
        opportunity.entitySetName,
        `<fetch><entity name="${opportunity.logicalName}"><attribute name="${O.opportunityid}" /><filter><condition attribute="${O.createdon}" operator="${operator}" /></filter></entity></fetch>`,
        { timeZone },
      ).records.length;
    expect(created('today', 'UTC')).toBeGreaterThan(0);
    expect(created('today', 'Europe/Madrid')).toBe(0);
    expect(created('yesterday', 'Europe/Madrid')).toBe(created('today', 'UTC'));

    // The dashboard page judges by the time zone it is given.
    const page = (timeZone: string | undefined) => {
      const answer = renderMain(
        org.engine,
        {
          params: new URLSearchParams({ appid: SALES, pagetype: 'dashboard', id: DASHBOARD }),
          lang: 1033,
          timeZone,
        },
        '/api/data/v9.2/',
      );
      const html = answer.kind === 'html' ? answer.body : '';
      return /data-component="List_DepositsOverdue">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    };
    // The org's clock reads 09:00 UTC on the 6th, 23:00 on the 5th in Honolulu: due on the 5th is
    // overdue for a UTC user and due today for a Honolulu one.
    await org.client.update(opportunity.entitySetName, String(confirmed?.[O.opportunityid]), {
      [O.idr_depositduedate]: '2026-12-05',
    });
    expect(page('UTC')).toContain(name);
    expect(page('Pacific/Honolulu')).not.toContain(name);
    // Given no zone (as `npm start` serves it), the page judges in the user's own (usersettings).
    const setMyZone = (code: number | null) =>
      org.engine.update(usersettings.entitySetName, org.engine.whoAmI().UserId, {
        [usersettings.columns.timezonecode]: code,
      });
    await setMyZone(2); // Hawaiian Standard Time
    expect(page(undefined)).not.toContain(name);
    await setMyZone(92); // UTC
    expect(page(undefined)).toContain(name);
    await setMyZone(null);
  });
});
