/**
 * System charts (`Entities/<table>/Visualizations/{id}.xml`, root `<visualization>`) and system
 * dashboards (`Dashboards/{id}.xml`, root `<Dashboard>`), as SolutionPackager lays them out. A chart's
 * `datadescription` and `presentationdescription` are XML documents stored as escaped text, as
 * Dataverse exports them ("Chart data description" and "Chart presentation description", Power Apps docs).
 */
import type { DashboardComponentModel, DashboardModel, VisualizationModel } from './model';
import { type Reader } from './reader';
import {
  type XmlDocument,
  type XmlElement,
  attr,
  child,
  childrenNamed,
  descendants,
  intOf,
  labelsOf,
  lower,
  normalizeGuid,
  parseXml,
  textOf,
} from './source-xml';

/** `classid` of the subgrid control, which on a dashboard shows a view as a chart or a list. */
const SUBGRID_CLASSID = '{e7a81278-8635-4d9e-8d4d-59480b391c5b}';

function embedded(r: Reader, el: XmlElement | undefined, file: string): XmlDocument | undefined {
  const text = el?.text ?? '';
  if (text === '') return undefined;
  const parsed = parseXml(text, file);
  if ('kind' in parsed) {
    r.report(
      'malformed-xml',
      file,
      el?.line,
      `<${el?.name ?? ''}> does not hold well-formed XML: ${parsed.message}`,
      'Escape the chart XML as text (&lt;datadefinition&gt;…), as Dataverse exports it.',
    );
    return undefined;
  }
  return parsed;
}

export function readVisualization(
  r: Reader,
  doc: XmlDocument,
  table: string,
): VisualizationModel | undefined {
  const root =
    lower(doc.root.name) === 'visualization' ? doc.root : descendants(doc.root, 'visualization')[0];
  if (!root) return undefined;
  const data = embedded(r, child(root, 'datadescription'), doc.file);
  const presentation = embedded(r, child(root, 'presentationdescription'), doc.file);
  const fetch = data ? descendants(child(data.root, 'fetchcollection'), 'fetch')[0] : undefined;
  const category = data ? descendants(child(data.root, 'categorycollection'), 'category')[0] : undefined;
  const attributes: VisualizationModel['attributes'] = [];
  const visit = (el: XmlElement, entity: string): void => {
    for (const c of el.children) {
      const n = lower(c.name);
      if (n === 'link-entity') visit(c, lower(attr(c, 'name') ?? ''));
      else if (n === 'attribute')
        attributes.push({
          entity,
          column: lower(attr(c, 'name') ?? ''),
          alias: attr(c, 'alias') ?? '',
          groupby: lower(attr(c, 'groupby') ?? '') === 'true',
        });
    }
  };
  const entity = child(fetch, 'entity');
  if (entity) visit(entity, lower(attr(entity, 'name') ?? ''));
  const chart: VisualizationModel = {
    id: normalizeGuid(textOf(root, 'savedqueryvisualizationid')),
    name: labelsOf(child(root, 'LocalizedNames')),
    description: labelsOf(child(root, 'Descriptions')),
    fetchXml: fetch && data ? data.source.slice(fetch.start, fetch.end) : '',
    categoryAlias: attr(category, 'alias') ?? '',
    measures: childrenNamed(category, 'measurecollection').map(
      (m) => attr(child(m, 'measure'), 'alias') ?? '',
    ),
    attributes,
    chartTypes: presentation
      ? childrenNamed(child(presentation.root, 'Series'), 'Series').map(
          (s) => attr(s, 'ChartType') ?? 'Column',
        )
      : [],
    file: doc.file,
  };
  r.positions.set(chart, root.line);
  if (!fetch || lower(attr(entity, 'name') ?? '') !== table) {
    r.report(
      'invalid-chart',
      doc.file,
      root.line,
      `chart ${chart.id} of ${table} has no <fetch> over ${table} in its datadescription`,
      `Write <datadefinition><fetchcollection><fetch aggregate="true"><entity name="${table}">… as the chart's datadescription.`,
    );
  }
  return chart;
}

function component(control: XmlElement, cell: XmlElement): DashboardComponentModel | undefined {
  if (lower(attr(control, 'classid') ?? '') !== SUBGRID_CLASSID) return undefined;
  const parameters = child(control, 'parameters');
  const chartId = normalizeGuid(textOf(parameters, 'VisualizationId'));
  const mode = lower(textOf(parameters, 'ChartGridMode') ?? 'grid');
  const out: DashboardComponentModel = {
    controlId: attr(control, 'id') ?? '',
    label: labelsOf(child(cell, 'labels')),
    table: lower(textOf(parameters, 'TargetEntityType') ?? ''),
    viewId: normalizeGuid(textOf(parameters, 'ViewId')),
    recordsPerPage: intOf(textOf(parameters, 'RecordsPerPage')) ?? 10,
  };
  if (chartId && mode !== 'grid') out.chartId = chartId;
  return out;
}

export function readDashboard(r: Reader, doc: XmlDocument): DashboardModel | undefined {
  const root = lower(doc.root.name) === 'dashboard' ? doc.root : descendants(doc.root, 'Dashboard')[0];
  if (!root) return undefined;
  const dashboard: DashboardModel = {
    id: normalizeGuid(textOf(root, 'FormId')),
    name: labelsOf(child(root, 'LocalizedNames')),
    description: labelsOf(child(root, 'Descriptions')),
    components: [],
    file: doc.file,
  };
  for (const cell of descendants(child(root, 'FormXml'), 'cell')) {
    const control = child(cell, 'control');
    const found = control && component(control, cell);
    if (!found || !control) continue;
    r.positions.setRef(dashboard, `control:${found.controlId}`, control.line);
    dashboard.components.push(found);
  }
  r.positions.set(dashboard, root.line);
  return dashboard;
}
