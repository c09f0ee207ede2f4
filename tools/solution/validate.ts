/**
 * The checks `ideario pack` runs before writing anything: each finds one kind of mistake that would
 * otherwise surface as a failed import (or a silently broken form) in Dataverse, and says where it
 * is and what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  displayPath,
  InvalidSolutionSourceError,
  type SolutionSourceError,
  type SolutionSourceErrorKind,
} from './errors';
import {
  child,
  childrenNamed,
  descendants,
  KNOWN_MESSAGES,
  loadPlatform,
  mergeMetadata,
  normalizeGuid,
  own,
  parseXml,
  readSolutionSource,
  solutionSrcDir,
  type SolutionSource,
  type XmlElement,
} from './loader';
import type { MetadataModel, OptionModel, SolutionModel, TableModel } from './model';

type Report = (
  kind: SolutionSourceErrorKind,
  file: string,
  line: number | undefined,
  message: string,
  fix: string,
) => void;

/** Platform tables from `<dir>/../platform` plus this solution alone: a solution must import on its own. */
function defaultMetadata(dir: string, model: SolutionModel, errors: SolutionSourceError[]): MetadataModel {
  const platformDir = path.join(path.dirname(path.resolve(dir)), 'platform');
  const platform = fs.existsSync(platformDir) ? loadPlatform(platformDir) : { tables: {}, problems: [] };
  const merged = mergeMetadata(platform.tables, [model]);
  errors.push(...platform.problems, ...merged.problems);
  return merged.metadata;
}

function checkVersion(source: SolutionSource, model: SolutionModel, report: Report): void {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(model.version)) return;
  report(
    'bad-version',
    source.files.solutionXml,
    source.positions.of(model),
    `version "${model.version}" is not four numbers`,
    'Write <Version> as major.minor.build.revision, e.g. 1.0.0.0; `ideario pack` and Dataverse compare versions by those four parts.',
  );
}

function checkChoices(
  source: SolutionSource,
  model: SolutionModel,
  metadata: MetadataModel,
  report: Report,
): void {
  const prefix = model.publisher.optionValuePrefix;
  const low = prefix * 10000;
  const high = low + 9999;
  const checkOptions = (options: readonly OptionModel[], owner: string, file: string): void => {
    const seen = new Map<string, OptionModel>();
    for (const option of options) {
      if (prefix > 0 && (option.value < low || option.value > high)) {
        report(
          'option-out-of-range',
          file,
          source.positions.of(option),
          `value ${option.value} of ${owner} is outside the publisher's range ${low}–${high} (option value prefix ${prefix})`,
          `Number the values ${low}, ${low + 1}, … so they cannot collide with another publisher's.`,
        );
      }
      const twin = seen.get(option.identifier);
      if (twin) {
        report(
          'duplicate-choice-identifier',
          file,
          source.positions.of(option),
          `values ${twin.value} and ${option.value} of ${owner} are both exported as ${option.identifier}`,
          'Give the values English labels that differ in letters or digits, not only in punctuation or case.',
        );
      }
      seen.set(option.identifier, option);
    }
  };
  for (const set of Object.values(model.optionSets))
    checkOptions(set.options, `choice ${set.name}`, set.file);
  for (const table of Object.values(model.tables)) {
    for (const column of Object.values(table.columns)) {
      if (column.type === 'Picklist' && column.isCustom && column.options) {
        checkOptions(column.options, `${table.logicalName}.${column.logicalName}`, table.file);
      }
      if (column.optionSetName && !own(metadata.optionSets, column.optionSetName)) {
        report(
          'missing-option-set',
          table.file,
          source.positions.of(column),
          `column ${table.logicalName}.${column.logicalName} uses choice ${column.optionSetName}, which this solution does not define`,
          `Add src/OptionSets/${column.optionSetName}.xml to the solution (each solution must import on its own), or fix <OptionSetName>.`,
        );
      }
      if (
        (column.type === 'Lookup' || column.type === 'Customer') &&
        column.isCustom &&
        !column.targets?.length
      ) {
        report(
          'lookup-without-target',
          table.file,
          source.positions.of(column),
          `lookup ${table.logicalName}.${column.logicalName} points at no table`,
          `Add an <EntityRelationship> in src/Other/Relationships/ with ReferencingEntityName ${table.logicalName} and ReferencingAttributeName ${column.logicalName}.`,
        );
      }
    }
  }
}

/** `<prefix>_<namespace>.<constructor>`: a code component; platform controls (`MscrmControls.…`) have no prefix. */
const PCF_NAME = /^[a-z0-9]+_[^.]+\.[^.]+$/i;

function checkFormsAndViews(
  source: SolutionSource,
  model: SolutionModel,
  metadata: MetadataModel,
  report: Report,
): void {
  const webResources = new Set(model.webResources.map((w) => w.name.toLowerCase()));
  const controls = new Set(model.controls.map((c) => c.name.toLowerCase()));
  const hasColumn = (table: TableModel | undefined, column: string): boolean =>
    !table || own(table.columns, column) !== undefined;
  for (const table of Object.values(model.tables)) {
    const known = own(metadata.tables, table.logicalName);
    for (const form of table.forms) {
      const formName = form.name[1033] ? `form "${form.name[1033]}"` : `form ${form.id}`;
      for (const field of form.fields) {
        if (hasColumn(known, field)) continue;
        report(
          'missing-column',
          form.file,
          source.positions.ref(form, `field:${field}`),
          `${formName} of ${table.logicalName} shows column ${field}, which ${table.logicalName} does not have`,
          `Add the column to src/Entities/…/Entity.xml (or to solution/platform/ if it is a standard column), or fix datafieldname.`,
        );
      }
      const libraries = new Set([...form.libraries, ...form.handlers.map((h) => h.library)].filter(Boolean));
      for (const library of libraries) {
        if (webResources.has(library.toLowerCase())) continue;
        report(
          'missing-web-resource',
          form.file,
          source.positions.ref(form, `library:${library}`),
          `${formName} of ${table.logicalName} loads web resource ${library}, which the solution does not contain`,
          `Add src/WebResources/${library} with its .data.xml, or fix the library name in the form.`,
        );
      }
      for (const control of form.controls) {
        if (!PCF_NAME.test(control) || controls.has(control.toLowerCase())) continue;
        report(
          'missing-control',
          form.file,
          source.positions.ref(form, `control:${control}`),
          `${formName} of ${table.logicalName} binds code component ${control}, which the solution does not contain`,
          `Add src/Controls/${control}/ (ControlManifest.xml and its .data.xml), or fix the customControl name.`,
        );
      }
    }
    for (const view of table.views) {
      const viewName = view.name[1033] ? `view "${view.name[1033]}"` : `view ${view.id}`;
      for (const column of view.columns) {
        if (hasColumn(known, column)) continue;
        report(
          'missing-column',
          view.file,
          source.positions.ref(view, `column:${column}`),
          `${viewName} of ${table.logicalName} names column ${column}, which ${table.logicalName} does not have`,
          'Fix the column name in layoutxml/fetchxml, or add the column to the table.',
        );
      }
      for (const linked of view.linkedColumns ?? []) {
        if (hasColumn(own(metadata.tables, linked.entity), linked.column)) continue;
        report(
          'missing-column',
          view.file,
          source.positions.ref(view, `column:${linked.entity}.${linked.column}`),
          `${viewName} of ${table.logicalName} names column ${linked.column} of linked table ${linked.entity}, which it does not have`,
          'Fix the link-entity column name, or add the column to that table.',
        );
      }
    }
  }
}

function checkSteps(
  source: SolutionSource,
  model: SolutionModel,
  metadata: MetadataModel,
  report: Report,
): void {
  const endpoints = new Set(model.serviceEndpoints.map((e) => e.id));
  for (const step of model.steps) {
    const line = source.positions.of(step);
    const label = `step "${step.name || step.id}"`;
    if (!step.message || !KNOWN_MESSAGES.includes(step.message)) {
      report(
        'unknown-message',
        step.file,
        line,
        step.messageId
          ? `${label} names message id ${step.messageId}, which is no message Ideario knows`
          : `${label} names no message`,
        'Use the SdkMessageId of a platform message (Create 9ebdbb1b-ea3e-db11-86a7-000a3a5473e8, Update 20bebb1b-ea3e-db11-86a7-000a3a5473e8, Delete a1bdbb1b-ea3e-db11-86a7-000a3a5473e8) and name the step "<handler>: <Message> of <table>".',
      );
    }
    const table = step.entity ? own(metadata.tables, step.entity) : undefined;
    if (!table) {
      report(
        'missing-table',
        step.file,
        line,
        step.entity
          ? `${label} is registered on table ${step.entity}, which neither the solution nor the platform has`
          : `${label} names no table (<PrimaryEntity>)`,
        'Set <PrimaryEntity> to the logical name of a table in this solution or in solution/platform/.',
      );
    }
    for (const attribute of step.filteringAttributes) {
      if (!table || own(table.columns, attribute) !== undefined) continue;
      report(
        'missing-column',
        step.file,
        line,
        `${label} filters on column ${attribute}, which ${step.entity} does not have`,
        'Fix <FilteringAttributes> (comma-separated logical names).',
      );
    }
    if (step.serviceEndpointId && !endpoints.has(step.serviceEndpointId)) {
      report(
        'missing-service-endpoint',
        step.file,
        line,
        `${label} posts to service endpoint ${step.serviceEndpointId}, which the solution does not contain`,
        'Point <EventHandler> at the ServiceEndpointId of the webhook this solution ships.',
      );
    }
  }
}

/** Positions where a GUID names a component (so it must be unique in the solution). */
const COMPONENT_ID_ELEMENTS = new Set([
  'formid',
  'savedqueryid',
  'webresourceid',
  'sdkmessageprocessingstepimageid',
]);
const COMPONENT_ID_ATTRIBUTES: Readonly<Record<string, string>> = {
  sdkmessageprocessingstep: 'sdkmessageprocessingstepid',
  serviceendpoint: 'serviceendpointid',
  role: 'id',
};
/** Ids inside one form: unique within it; another form may reuse them. */
const FORM_ID_ATTRIBUTES: Readonly<Record<string, string>> = {
  tab: 'id',
  section: 'id',
  cell: 'id',
  control: 'uniqueid',
  library: 'libraryuniqueid',
  handler: 'handleruniqueid',
};

interface GuidUse {
  guid: string;
  file: string;
  line: number;
  component: boolean;
}

function collectGuids(el: XmlElement, file: string, out: GuidUse[]): void {
  const name = el.name.toLowerCase();
  const push = (value: string | undefined, component: boolean): void => {
    const guid = normalizeGuid(value);
    if (
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(guid) &&
      !/^[0-]+$/.test(guid)
    ) {
      out.push({ guid, file, line: el.line, component });
    }
  };
  const attrValue = (attrName: string): string | undefined => {
    const key = Object.keys(el.attrs).find((k) => k.toLowerCase() === attrName);
    return key === undefined ? undefined : el.attrs[key];
  };
  if (COMPONENT_ID_ELEMENTS.has(name)) push(el.text, true);
  const componentAttr = own(COMPONENT_ID_ATTRIBUTES, name);
  const formAttr = own(FORM_ID_ATTRIBUTES, name);
  if (componentAttr) push(attrValue(componentAttr), true);
  if (formAttr) push(attrValue(formAttr), false);
  for (const c of el.children) collectGuids(c, file, out);
}

function checkGuids(source: SolutionSource, report: Report): void {
  const uses: GuidUse[] = [];
  for (const doc of source.documents) collectGuids(doc.root, doc.file, uses);
  const byGuid = new Map<string, GuidUse[]>();
  for (const use of uses) byGuid.set(use.guid, [...(byGuid.get(use.guid) ?? []), use]);
  for (const [guid, all] of byGuid) {
    if (all.length < 2) continue;
    const onlyFormInternal =
      all.every((u) => !u.component) && new Set(all.map((u) => u.file)).size === all.length;
    if (onlyFormInternal) continue;
    const [first, ...rest] = all;
    for (const dup of rest) {
      report(
        'duplicate-guid',
        dup.file,
        dup.line,
        `GUID {${guid}} is used again (first at ${displayPath(first.file)}:${first.line})`,
        'Give this component a new GUID (e.g. `node -e "console.log(crypto.randomUUID())"`); a copied file keeps the id of its original.',
      );
    }
  }
}

/** The app modules' and sitemaps' XML files of one kind (`AppModules/<name>/AppModule.xml`), parsed. */
/**
 * Charts: their fetch names columns the tables have, the category is a groupby alias and each series
 * an aggregate alias. Dashboards: each chart or list names a table, a view of it and a chart of it.
 */
function checkChartsAndDashboards(
  source: SolutionSource,
  model: SolutionModel,
  metadata: MetadataModel,
  report: Report,
): void {
  for (const table of Object.values(model.tables)) {
    for (const chart of table.visualizations ?? []) {
      const chartName = chart.name[1033] ? `chart "${chart.name[1033]}"` : `chart ${chart.id}`;
      const line = source.positions.of(chart);
      for (const a of chart.attributes) {
        const known = own(metadata.tables, a.entity);
        if (known && own(known.columns, a.column)) continue;
        report(
          'missing-column',
          chart.file,
          line,
          `${chartName} of ${table.logicalName} aggregates column ${a.column} of ${a.entity}, which it does not have`,
          'Fix the attribute name in the chart datadescription, or add the column to the table.',
        );
      }
      const groups = new Set(chart.attributes.filter((a) => a.groupby).map((a) => a.alias));
      const measures = new Set(chart.attributes.filter((a) => !a.groupby).map((a) => a.alias));
      if (!groups.has(chart.categoryAlias))
        report(
          'invalid-chart',
          chart.file,
          line,
          `${chartName} of ${table.logicalName} has category alias '${chart.categoryAlias}', which no groupby attribute of its fetch has`,
          'Set <category alias> to the alias of a groupby="true" attribute.',
        );
      for (const measure of chart.measures.length > 0 ? chart.measures : ['']) {
        if (measures.has(measure)) continue;
        report(
          'invalid-chart',
          chart.file,
          line,
          `${chartName} of ${table.logicalName} has series measure '${measure}', which no aggregate attribute of its fetch has`,
          'Give each <measurecollection> a <measure alias> naming an attribute with aggregate="…".',
        );
      }
    }
  }
  for (const dashboard of model.dashboards ?? []) {
    const dashboardName = dashboard.name[1033]
      ? `dashboard "${dashboard.name[1033]}"`
      : `dashboard ${dashboard.id}`;
    for (const c of dashboard.components) {
      const line = source.positions.ref(dashboard, `control:${c.controlId}`);
      const table = own(metadata.tables, c.table);
      if (!table) {
        report(
          'missing-table',
          dashboard.file,
          line,
          `${dashboardName} shows ${c.controlId} from table ${c.table || '(none)'}, which neither the solution nor the platform has`,
          'Fix <TargetEntityType> of the control.',
        );
        continue;
      }
      if (!table.views.some((v) => normalizeGuid(v.id) === c.viewId))
        report(
          'missing-view',
          dashboard.file,
          line,
          `${dashboardName} shows ${c.controlId} from view ${c.viewId || '(none)'}, which ${c.table} does not have`,
          `Set <ViewId> to a view in src/Entities/${c.table}/SavedQueries/.`,
        );
      if (c.chartId && !(table.visualizations ?? []).some((v) => normalizeGuid(v.id) === c.chartId))
        report(
          'missing-chart',
          dashboard.file,
          line,
          `${dashboardName} shows chart ${c.chartId} in ${c.controlId}, which ${c.table} does not have`,
          `Set <VisualizationId> to a chart in src/Entities/${c.table}/Visualizations/.`,
        );
    }
  }
}

function readComponentFiles(
  src: string,
  folder: string,
  fileName: string,
  root: string,
  errors: SolutionSourceError[],
  report: Report,
): { name: string; file: string; root: XmlElement }[] {
  const base = path.join(src, folder);
  if (!fs.existsSync(base)) return [];
  const out: { name: string; file: string; root: XmlElement }[] = [];
  for (const name of fs.readdirSync(base).sort()) {
    const file = path.join(base, name, fileName);
    if (!fs.existsSync(file)) continue;
    const parsed = parseXml(fs.readFileSync(file, 'utf8'), file);
    if (!('root' in parsed)) {
      errors.push(parsed);
      continue;
    }
    if (parsed.root.name !== root) {
      report(
        'unexpected-root',
        file,
        parsed.root.line,
        `${folder}/${name}/${fileName} holds <${parsed.root.name}>, not <${root}>`,
        `Write one <${root}> per file, as \`pac solution unpack\` lays it out.`,
      );
      continue;
    }
    out.push({ name, file, root: parsed.root });
  }
  return out;
}

/** Model-driven apps: their roles, tables and sitemap must be in the solution, so the app opens after import. */
function checkApps(
  dir: string,
  model: SolutionModel,
  metadata: MetadataModel,
  errors: SolutionSourceError[],
  report: Report,
): void {
  const src = solutionSrcDir(dir);
  const apps = readComponentFiles(src, 'AppModules', 'AppModule.xml', 'AppModule', errors, report);
  const siteMaps = readComponentFiles(
    src,
    'AppModuleSiteMaps',
    'AppModuleSiteMap.xml',
    'AppModuleSiteMap',
    errors,
    report,
  );
  const roles = new Set(model.roles.map((r) => normalizeGuid(r.id)));
  const mapNames = new Set(
    siteMaps.map((m) => (child(m.root, 'SiteMapUniqueName')?.text ?? '').toLowerCase()),
  );
  const appTables = new Map<string, Set<string>>();
  for (const app of apps) {
    const unique = child(app.root, 'UniqueName')?.text ?? app.name;
    for (const role of childrenNamed(child(app.root, 'AppModuleRoleMaps'), 'Role')) {
      if (roles.has(normalizeGuid(role.attrs.id))) continue;
      report(
        'missing-role',
        app.file,
        role.line,
        `app ${unique} is shared with role ${role.attrs.id ?? '(no id)'}, which the solution does not contain`,
        'Use the id of a role in src/Roles/ (users see the app only through a role mapped to it).',
      );
    }
    const tables = new Set<string>();
    for (const component of childrenNamed(child(app.root, 'AppModuleComponents'), 'AppModuleComponent')) {
      const type = component.attrs.type;
      const name = component.attrs.schemaName ?? '';
      if (type === '1') {
        tables.add(name.toLowerCase());
        if (!own(metadata.tables, name))
          report(
            'missing-table',
            app.file,
            component.line,
            `app ${unique} includes table ${name}, which neither the solution nor the platform has`,
            'Fix schemaName, or add the table to the solution or to solution/platform/.',
          );
      } else if (type === '62' && !mapNames.has(name.toLowerCase())) {
        report(
          'missing-sitemap',
          app.file,
          component.line,
          `app ${unique} uses sitemap ${name}, which the solution does not contain`,
          `Add src/AppModuleSiteMaps/${name}/AppModuleSiteMap.xml, or fix schemaName.`,
        );
      }
    }
    appTables.set(unique.toLowerCase(), tables);
  }
  for (const map of siteMaps) {
    const unique = child(map.root, 'SiteMapUniqueName')?.text ?? map.name;
    const tables = appTables.get(unique.toLowerCase());
    for (const subArea of descendants(map.root, 'SubArea')) {
      const dashboard = subArea.attrs.DefaultDashboard;
      if (dashboard && !(model.dashboards ?? []).some((d) => d.id === normalizeGuid(dashboard)))
        report(
          'missing-dashboard',
          map.file,
          subArea.line,
          `sitemap ${unique} opens dashboard ${dashboard}, which the solution does not contain`,
          'Set DefaultDashboard to the FormId of a dashboard in src/Dashboards/.',
        );
      const entity = subArea.attrs.Entity;
      if (!entity) continue;
      if (!own(metadata.tables, entity)) {
        report(
          'missing-table',
          map.file,
          subArea.line,
          `sitemap ${unique} opens table ${entity}, which neither the solution nor the platform has`,
          'Fix the SubArea Entity attribute.',
        );
      } else if (tables && !tables.has(entity.toLowerCase())) {
        report(
          'missing-table',
          map.file,
          subArea.line,
          `sitemap ${unique} opens table ${entity}, which app ${unique} does not include`,
          `Add <AppModuleComponent type="1" schemaName="${entity}" /> to src/AppModules/${unique}/AppModule.xml.`,
        );
      }
    }
  }
}

/** Every problem in the unpacked solution at `dir`, in file and line order (empty when it can be packed). */
export function validateSolutionSource(dir: string, metadata?: MetadataModel): SolutionSourceError[] {
  const source = readSolutionSource(dir);
  const errors: SolutionSourceError[] = [...source.problems];
  const model = source.model;
  if (model) {
    const known = metadata ?? defaultMetadata(dir, model, errors);
    const report: Report = (kind, file, line, message, fix) => {
      const error: SolutionSourceError = { kind, file: displayPath(file), message, fix };
      if (line !== undefined) error.line = line;
      errors.push(error);
    };
    checkVersion(source, model, report);
    checkChoices(source, model, known, report);
    checkFormsAndViews(source, model, known, report);
    checkSteps(source, model, known, report);
    checkChartsAndDashboards(source, model, known, report);
    checkApps(dir, model, known, errors, report);
    checkGuids(source, report);
  }
  return errors.sort((a, b) =>
    a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : a.file < b.file ? -1 : 1,
  );
}

/** Throws `InvalidSolutionSourceError` listing every problem; `ideario pack` calls it before writing. */
export function assertValidSolutionSource(dir: string, metadata?: MetadataModel): void {
  const errors = validateSolutionSource(dir, metadata);
  if (errors.length > 0) throw new InvalidSolutionSourceError(errors, dir);
}
