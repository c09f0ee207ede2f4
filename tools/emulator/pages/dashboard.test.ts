/**
 * The Group Sales dashboard over the demo's quotations: its charts hold the figures `ideario report
 * quotations` prints for the same data, and the page shows them as labelled SVG bars with a table.
 */
import { idr_roomblock, opportunity, QuotationPhase } from '../../../dataverse/generated';
import { dateOnlyFromDate, quotationReport } from '../../../domain/quotation';
import { createGroupQuotesHandlers } from '../../../plugins/handlers/groupquotes';
import { readPhase } from '../../../plugins/handlers/groupquotes/record';
import { createQuoteOrg, type QuoteOrg } from '../../../plugins/handlers/groupquotes/quote-org.testkit';
import { readQuotations, runQuotationReport } from '../../cli/report';
import { canonicalXml } from '../../solution/xml';
import { loadDemoData } from '../demo/load';
import { appModuleId } from './apps';
import { textWidth } from './chartlabel';
import { chartData, chartFetchXml, chartSvg, chartTable, type ChartData } from './dashboard';
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
      readPhase({ [O.idr_phase]: Number(c.key) }),
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
