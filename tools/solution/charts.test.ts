import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSourceFiles } from './layout';
import { loadMetadata, readSolutionSource } from './loader';
import type { DashboardModel, SolutionModel } from './model';
import { buildSolutionParts, type ControlBuild } from './pack';
import { unpackParts } from './unpack';
import { validateSolutionSource } from './validate';
import { attr, child, childText, elements, parseXml } from './xml';

const ROOT = path.resolve(__dirname, '../../solution');
const GROUP_QUOTES = path.join(ROOT, 'IdearioGroupQuotes');
const DASHBOARD_FILE = 'src/Dashboards/{67f14b54-fb9f-44bc-a87a-c50e42a84514}.xml';
const PHASE_CHART_FILE = 'src/Entities/opportunity/Visualizations/{709b48f0-6b5a-4329-8e0e-8985b060e57e}.xml';
// The control's files are not what this test is about; pack needs something to put in Controls/.
const CONTROLS: ControlBuild[] = [
  {
    name: 'idr_Ideario.QuotationTimeline',
    files: new Map([['ControlManifest.xml', new TextEncoder().encode('<manifest />')]]),
    source: 'test',
  },
];
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

function solutionModel(): SolutionModel {
  const model = readSolutionSource(GROUP_QUOTES).model;
  if (!model) throw new Error('IdearioGroupQuotes did not load');
  return model;
}

describe('charts and the dashboard in IdearioGroupQuotes', () => {
  it('reads each chart with its category, its series and the fetch it aggregates', () => {
    const metadata = loadMetadata(ROOT);
    const charts = [
      ...(metadata.tables.opportunity?.visualizations ?? []),
      ...(metadata.tables.idr_roomblock?.visualizations ?? []),
    ];
    expect(charts.map((c) => [c.name[1033], c.name[3082], c.categoryAlias, c.measures])).toEqual(
      expect.arrayContaining([
        ['Quotations by Phase', 'Cotizaciones por fase', 'phase', ['quotations']],
        ['Revenue Confirmed per Month', 'Ingresos confirmados por mes', 'month', ['revenue']],
        [
          'Sent and Confirmed by Month Sent',
          'Enviadas y confirmadas por mes de envío',
          'month',
          ['sent', 'confirmedcount'],
        ],
        [
          'Sent and Confirmed by Agency',
          'Enviadas y confirmadas por agencia',
          'agency',
          ['sent', 'confirmedcount'],
        ],
        [
          'Rooms Blocked per Hotel and Night',
          'Habitaciones bloqueadas por hotel y noche',
          'night',
          ['rooms'],
        ],
      ]),
    );
    expect(charts).toHaveLength(5);
    for (const chart of charts) expect(chart.fetchXml).toMatch(/^<fetch [^>]*aggregate="true"/);
  });

  it('reads the Group Sales dashboard: its charts and its list, each on a view of the solution', () => {
    const metadata = loadMetadata(ROOT);
    const dashboard = solutionModel().dashboards?.[0] as DashboardModel;
    expect(dashboard.name).toEqual({ 1033: 'Group Sales', 3082: 'Ventas de grupos' });
    expect(dashboard.components.map((c) => [c.label[1033], c.table, c.chartId !== undefined])).toEqual([
      ['Quotations by Phase', 'opportunity', true],
      ['Revenue Confirmed per Month', 'opportunity', true],
      ['Deposits Overdue', 'opportunity', false],
      ['Sent and Confirmed by Month Sent', 'opportunity', true],
      ['Sent and Confirmed by Agency', 'opportunity', true],
      ['Rooms Blocked per Hotel and Night', 'idr_roomblock', true],
    ]);
    for (const c of dashboard.components) {
      const table = metadata.tables[c.table];
      expect(table?.views.map((v) => v.id)).toContain(c.viewId);
      if (c.chartId) expect(table?.visualizations?.map((v) => v.id)).toContain(c.chartId);
    }
  });

  it('packs the charts into their tables and the dashboard into <Dashboards>, byte for byte the same each time', async () => {
    const files = await readSourceFiles(path.join(GROUP_QUOTES, 'src'));
    const parts = buildSolutionParts(files, { managed: 0, controls: CONTROLS });
    const again = buildSolutionParts(files, { managed: 0, controls: CONTROLS });
    expect(text(again.get('customizations.xml'))).toBe(text(parts.get('customizations.xml')));
    // Nothing of the new folders leaks into the zip as a loose file.
    expect([...parts.keys()].filter((p) => /Visualizations|Dashboards/.test(p))).toEqual([]);
    const root = parseXml(parts.get('customizations.xml') as Uint8Array).root;
    const entity = (name: string) =>
      elements(child(root, 'Entities') ?? root, 'Entity').find((e) => childText(e, 'Name') === name);
    const chartIds = (name: string) =>
      elements(child(entity(name) ?? root, 'Visualizations') ?? root, 'visualization').map((v) =>
        childText(v, 'savedqueryvisualizationid'),
      );
    expect(chartIds('opportunity')).toHaveLength(4);
    expect(chartIds('idr_roomblock')).toEqual(['{7a14f846-2874-40ec-b5d5-6ad16bbd440f}']);
    const dashboards = elements(child(root, 'Dashboards') ?? root, 'Dashboard');
    expect(dashboards.map((d) => childText(d, 'FormId'))).toEqual(['{67f14b54-fb9f-44bc-a87a-c50e42a84514}']);
  });

  it('unpacks the charts and the dashboard where SolutionPackager puts them, and packs them back unchanged', async () => {
    const files = await readSourceFiles(path.join(GROUP_QUOTES, 'src'));
    const parts = buildSolutionParts(files, { managed: 0, controls: CONTROLS });
    const unpacked = unpackParts(parts, 'IdearioGroupQuotes.zip');
    expect([...unpacked.keys()].filter((f) => /Visualizations|Dashboards/.test(f)).sort()).toEqual([
      'Dashboards/{67f14b54-fb9f-44bc-a87a-c50e42a84514}.xml',
      'Entities/idr_roomblock/Visualizations/{7a14f846-2874-40ec-b5d5-6ad16bbd440f}.xml',
      'Entities/opportunity/Visualizations/{2a546845-a396-41f7-9acf-2d5a11b07346}.xml',
      'Entities/opportunity/Visualizations/{709b48f0-6b5a-4329-8e0e-8985b060e57e}.xml',
      'Entities/opportunity/Visualizations/{827c46e1-1ca3-4c0d-a83f-dd08ca608898}.xml',
      'Entities/opportunity/Visualizations/{84bb5fa8-d500-4315-aa1b-951da378a4d9}.xml',
    ]);
    const repacked = buildSolutionParts(unpacked, { managed: 0, controls: CONTROLS });
    expect(text(repacked.get('customizations.xml'))).toBe(text(parts.get('customizations.xml')));
  });
});

describe('the campaign results view and chart in IdearioInterests', () => {
  const INTERESTS = path.join(ROOT, 'IdearioInterests');
  const RESULTS_VIEW = '{a6bd6dcd-f366-4ec3-ab5c-8f565cc92188}';
  const RATE_CHART = '{5ae52eab-bc47-4db2-81c7-505abfe444d9}';
  const INTERESTS_CONTROLS: ControlBuild[] = [
    'idr_Ideario.ImpactRanking',
    'idr_Ideario.InterestProfile',
    'idr_Ideario.TargetBuilder',
  ].map((name) => ({ name, files: CONTROLS[0]?.files ?? new Map<string, Uint8Array>(), source: 'test' }));

  it('reads the chart with the two rates the campaign row keeps, on the Campaign Results dashboard', () => {
    const metadata = loadMetadata(ROOT);
    const campaign = metadata.tables.campaign;
    // The model holds ids without braces; the XML files with them.
    const chart = campaign?.visualizations?.find((v) => `{${v.id}}` === RATE_CHART);
    expect([chart?.name[1033], chart?.name[3082], chart?.categoryAlias, chart?.measures]).toEqual([
      'Response Rate per Campaign: Contacted and Control',
      'Tasa de respuesta por campaña: contactados y control',
      'campaign',
      ['contactedrate', 'controlrate'],
    ]);
    const view = campaign?.views.find((v) => `{${v.id}}` === RESULTS_VIEW);
    expect(view?.name).toEqual({
      1033: 'Ideario Campaign Results',
      3082: 'Resultados de campañas de Ideario',
    });
    const model = readSolutionSource(INTERESTS).model;
    const component = model?.dashboards?.[0]?.components.find((c) => c.chartId === chart?.id);
    expect([component?.table, component?.viewId]).toEqual(['campaign', view?.id]);
  });

  it('packs the view and the chart into the campaign table and unpacks them back where they came from', async () => {
    const files = await readSourceFiles(path.join(INTERESTS, 'src'));
    const parts = buildSolutionParts(files, { managed: 0, controls: INTERESTS_CONTROLS });
    const root = parseXml(parts.get('customizations.xml') as Uint8Array).root;
    const campaign = elements(child(root, 'Entities') ?? root, 'Entity').find(
      (e) => childText(e, 'Name') === 'campaign',
    );
    const chartIds = elements(child(campaign ?? root, 'Visualizations') ?? root, 'visualization').map((v) =>
      childText(v, 'savedqueryvisualizationid'),
    );
    expect(chartIds).toEqual([RATE_CHART]);
    const viewIds = elements(child(campaign ?? root, 'SavedQueries') ?? root, 'savedqueries').flatMap((q) =>
      elements(q, 'savedquery').map((v) => childText(v, 'savedqueryid')),
    );
    expect(viewIds).toContain(RESULTS_VIEW);
    const unpacked = unpackParts(parts, 'IdearioInterests.zip');
    expect(text(unpacked.get(`Entities/campaign/Visualizations/${RATE_CHART}.xml`))).toContain(
      'idr_controlresponserate',
    );
    expect(text(unpacked.get(`Entities/campaign/SavedQueries/${RESULTS_VIEW}.xml`))).toContain('idr_uplift');
    const repacked = buildSolutionParts(unpacked, { managed: 0, controls: INTERESTS_CONTROLS });
    expect(text(repacked.get('customizations.xml'))).toBe(text(parts.get('customizations.xml')));
  });

  const ACTIVITY_RESULTS_VIEW = '{0a39120b-7378-4d05-a0e7-67ff55da47c6}';

  it('reads the campaign activity results view with the figures each activity row keeps, in English and Spanish', () => {
    const activity = loadMetadata(ROOT).tables.campaignactivity;
    const view = activity?.views.find((v) => `{${v.id}}` === ACTIVITY_RESULTS_VIEW);
    expect(view?.name).toEqual({
      1033: 'Ideario Campaign Activity Results',
      3082: 'Resultados de actividades de campaña de Ideario',
    });
    expect(view?.columns).toEqual(
      expect.arrayContaining([
        'idr_contacted',
        'idr_controlcount',
        'idr_responses',
        'idr_responserate',
        'idr_controlresponserate',
        'idr_uplift',
        'idr_resultson',
      ]),
    );
  });

  it('packs the campaign activity results view as a root component of its own and unpacks it back', async () => {
    const files = await readSourceFiles(path.join(INTERESTS, 'src'));
    const parts = buildSolutionParts(files, { managed: 0, controls: INTERESTS_CONTROLS });
    // campaignactivity ships without its subcomponents: an unlisted view would be left out of an import.
    const solution = parseXml(parts.get('solution.xml') as Uint8Array).root;
    const manifest = child(solution, 'SolutionManifest') ?? solution;
    const roots = elements(child(manifest, 'RootComponents') ?? manifest, 'RootComponent');
    expect(roots.some((r) => attr(r, 'type') === '26' && attr(r, 'id') === ACTIVITY_RESULTS_VIEW)).toBe(true);
    const root = parseXml(parts.get('customizations.xml') as Uint8Array).root;
    const activity = elements(child(root, 'Entities') ?? root, 'Entity').find(
      (e) => childText(e, 'Name') === 'campaignactivity',
    );
    const viewIds = elements(child(activity ?? root, 'SavedQueries') ?? root, 'savedqueries').flatMap((q) =>
      elements(q, 'savedquery').map((v) => childText(v, 'savedqueryid')),
    );
    expect(viewIds).toContain(ACTIVITY_RESULTS_VIEW);
    const unpacked = unpackParts(parts, 'IdearioInterests.zip');
    const file = `Entities/campaignactivity/SavedQueries/${ACTIVITY_RESULTS_VIEW}.xml`;
    expect(text(unpacked.get(file))).toBe(text(files.get(file)));
    const repacked = buildSolutionParts(unpacked, { managed: 0, controls: INTERESTS_CONTROLS });
    expect(text(repacked.get('customizations.xml'))).toBe(text(parts.get('customizations.xml')));
  });
});

describe('checks on charts and dashboards', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ideario-charts-'));
    cpSync(ROOT, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edit = (file: string, from: string, to: string) => {
    const full = path.join(dir, 'IdearioGroupQuotes', file);
    const before = readFileSync(full, 'utf8');
    if (!before.includes(from)) throw new Error(`${file} does not contain ${from}`);
    writeFileSync(full, before.replace(from, to));
  };
  const problems = () =>
    validateSolutionSource(path.join(dir, 'IdearioGroupQuotes')).map((e) => [e.kind, e.message]);

  it('reports a series or a category that names no alias of the chart fetch', () => {
    edit(
      PHASE_CHART_FILE,
      '&lt;measure alias=&quot;quotations&quot;',
      '&lt;measure alias=&quot;quotes&quot;',
    );
    edit(PHASE_CHART_FILE, '&lt;category alias=&quot;phase&quot;', '&lt;category alias=&quot;stage&quot;');
    expect(problems()).toEqual([
      ['invalid-chart', expect.stringContaining("category alias 'stage'")],
      ['invalid-chart', expect.stringContaining("series measure 'quotes'")],
    ]);
  });

  it('reports a chart column the table does not have', () => {
    edit(PHASE_CHART_FILE, 'name=&quot;idr_phase&quot;', 'name=&quot;idr_stage&quot;');
    expect(problems()).toEqual([
      ['missing-column', expect.stringContaining('column idr_stage of opportunity')],
    ]);
  });

  it('reports a dashboard view or chart that does not exist', () => {
    edit(
      DASHBOARD_FILE,
      '<ViewId>{dd71716d-c846-4858-985a-4103978ec7f1}',
      '<ViewId>{dd71716d-c846-4858-985a-4103978ec7f9}',
    );
    edit(
      DASHBOARD_FILE,
      '<VisualizationId>{7a14f846-2874-40ec-b5d5-6ad16bbd440f}',
      '<VisualizationId>{709b48f0-6b5a-4329-8e0e-8985b060e57e}',
    );
    expect(problems()).toEqual([
      [
        'missing-view',
        expect.stringContaining('List_DepositsOverdue from view dd71716d-c846-4858-985a-4103978ec7f9'),
      ],
      [
        'missing-chart',
        expect.stringContaining('chart 709b48f0-6b5a-4329-8e0e-8985b060e57e in Chart_RoomsPerNight'),
      ],
    ]);
  });

  it('reports a site map page that opens a dashboard the solution does not have', () => {
    edit(
      'src/AppModuleSiteMaps/idr_IdearioGroupSales/AppModuleSiteMap.xml',
      'DefaultDashboard="{67f14b54-fb9f-44bc-a87a-c50e42a84514}"',
      'DefaultDashboard="{67f14b54-fb9f-44bc-a87a-c50e42a84515}"',
    );
    expect(problems()).toEqual([
      [
        'missing-dashboard',
        expect.stringContaining('opens dashboard {67f14b54-fb9f-44bc-a87a-c50e42a84515}'),
      ],
    ]);
  });
});
