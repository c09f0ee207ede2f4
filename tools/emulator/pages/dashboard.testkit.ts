/** Test support: a dashboard chart's figures, found by the English label of its dashboard component. */
import type { Engine } from '../engine/engine';
import { chartData, dashboards, type ChartData } from './dashboard';

export function dashboardChart(
  engine: Engine,
  dashboardId: string,
  name: string,
  lang: 1033 | 3082 = 1033,
): ChartData {
  const dashboard = dashboards(engine).find((d) => d.id === dashboardId);
  const component = dashboard?.components.find((c) => c.label[1033] === name);
  const table = engine.metadata.byLogicalName(component?.table ?? '');
  const view = table?.model.views.find((v) => v.id === component?.viewId);
  const chart = table?.model.visualizations?.find((v) => v.id === component?.chartId);
  if (!table || !view || !chart) throw new Error(`no chart ${name} on the dashboard`);
  return chartData(engine, table, chart, view, lang);
}
