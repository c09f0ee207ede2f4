/**
 * PCF controls on the pages, server side: which control FormXml, a view's layout or the table's grid
 * binds ("Add code components to a column or table in model-driven apps", Power Apps docs), read from
 * the control's built manifest (`Controls/<prefix>_<namespace>.<constructor>/` as packed, or the PCF
 * build cache), with the control's strings in the user's language, as the page's script hosts it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { TableInfo } from '../engine/metadata';
import { normalizeGuid } from '../engine/values';
import type { LanguageCode, ViewModel } from '../../solution/model';

/** Where the page loads a control's bundle from. */
export const PCF_ASSET_PREFIX = '/_ideario/pcf/controls/';

export interface PcfPropertySpec {
  /** The manifest's property name (`phase`). */
  readonly name: string;
  /** The column FormXml binds it to (`idr_phase`). */
  readonly column: string;
  /** The manifest's `of-type` (`OptionSet`, `DateAndTime.DateOnly`…); a type group's first type. */
  readonly ofType: string;
}

export interface PcfDatasetColumn {
  readonly name: string;
  readonly displayName: string;
  readonly dataType: string;
  readonly order: number;
  readonly visualSizeFactor: number;
}

export interface PcfDatasetSpec {
  /** The manifest's `data-set name` (`profiles`). */
  readonly name: string;
  readonly entity: string;
  readonly viewId: string;
  readonly viewName: string;
  /** The view's FetchXML (with the list's quick find search when there is one). */
  readonly fetchXml: string;
  readonly columns: readonly PcfDatasetColumn[];
  readonly primaryId: string;
  readonly primaryName: string;
}

/** Everything the page's host needs to run one control. */
export interface PcfControlSpec {
  /** `Ideario.InterestProfile`: the `data-control-name` of its element. */
  readonly name: string;
  readonly constructorName: string;
  readonly elementId: string;
  /** Undefined when the control has no build here: the element says so instead. */
  readonly bundleUrl?: string;
  readonly strings: Readonly<Record<string, string>>;
  readonly properties: readonly PcfPropertySpec[];
  readonly dataset?: PcfDatasetSpec;
}

interface ManifestInfo {
  readonly properties: ReadonlyMap<string, string>;
  readonly datasets: readonly string[];
  readonly resx: readonly string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  // Prefixed: a manifest's `constructor` attribute is a name fast-xml-parser refuses bare.
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) =>
    ['property', 'data-set', 'resx', 'type', 'type-group', 'data', 'customControl', 'savedquery'].includes(
      name,
    ),
});

type Node = Record<string, unknown>;

function node(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function nodes(value: unknown): Node[] {
  return Array.isArray(value) ? value.filter((v): v is Node => node(v) !== undefined) : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function attr(n: Node, name: string): string {
  return str(n[`@_${name}`]);
}

/** `idr_Ideario.InterestProfile` → `Ideario.InterestProfile`. */
export function controlFullName(solutionName: string): string {
  return solutionName.replace(/^[a-z0-9]+_/i, '');
}

/** `idr_Ideario.InterestProfile` or `Ideario.InterestProfile` → `InterestProfile`, its build folder. */
export function constructorOf(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

/**
 * The controls' builds: a folder of `<Constructor>/{bundle.js, ControlManifest.xml, strings/}`, known
 * once the build is found (the pages show "not built" until then).
 */
export class PcfControls {
  private readonly manifests = new Map<string, ManifestInfo | null>();
  private readonly resx = new Map<string, Record<string, string>>();

  constructor(private readonly dir: () => string | undefined) {}

  /** A file of a control's build (bundle.js), or undefined when there is none. */
  file(constructorName: string, relative: string): string | undefined {
    const root = this.dir();
    if (!root || !/^[A-Za-z0-9_]+$/.test(constructorName)) return undefined;
    const base = path.join(root, constructorName);
    const full = path.resolve(base, relative);
    if (!full.startsWith(base + path.sep) || !existsSync(full)) return undefined;
    return full;
  }

  private manifest(constructorName: string): ManifestInfo | undefined {
    const file = this.file(constructorName, 'ControlManifest.xml');
    if (!file) return undefined;
    const cached = this.manifests.get(file);
    if (cached !== undefined) return cached ?? undefined;
    const control = node(node(node(parser.parse(readFileSync(file, 'utf8')))?.manifest)?.control);
    const groups = new Map(
      nodes(control?.['type-group']).map((g) => [
        attr(g, 'name'),
        (Array.isArray(g.type) ? (g.type as unknown[]) : []).map(str),
      ]),
    );
    const properties = new Map<string, string>();
    for (const p of nodes(control?.property))
      properties.set(
        attr(p, 'name'),
        attr(p, 'of-type') || (groups.get(attr(p, 'of-type-group'))?.[0] ?? ''),
      );
    const info: ManifestInfo = {
      properties,
      datasets: nodes(control?.['data-set']).map((d) => attr(d, 'name')),
      resx: nodes(node(control?.resources)?.resx).map((r) => attr(r, 'path')),
    };
    this.manifests.set(file, info);
    return info;
  }

  /** The control's resource strings in `lang` ("Localizing code components": one resx per language), English as the fallback. */
  private strings(constructorName: string, info: ManifestInfo, lang: LanguageCode): Record<string, string> {
    const pick = (code: number) => info.resx.find((r) => r.endsWith(`.${code}.resx`));
    const chosen = pick(lang) ?? pick(1033) ?? info.resx[0];
    const file = chosen ? this.file(constructorName, chosen) : undefined;
    if (!file) return {};
    let table = this.resx.get(file);
    if (!table) {
      table = {};
      const root = node(node(parser.parse(readFileSync(file, 'utf8')))?.root);
      for (const data of nodes(root?.data)) {
        const value = data.value;
        table[attr(data, 'name')] = typeof value === 'string' ? value : '';
      }
      this.resx.set(file, table);
    }
    return table;
  }

  /** The spec of a control bound on a form cell: its properties with the columns they bind. */
  fieldControl(
    solutionName: string,
    parameters: Readonly<Record<string, string>>,
    elementId: string,
    lang: LanguageCode,
  ): PcfControlSpec {
    const name = controlFullName(solutionName);
    const constructorName = constructorOf(name);
    const info = this.manifest(constructorName);
    const properties = Object.entries(parameters).map(([property, column]) => ({
      name: property,
      column,
      ofType: info?.properties.get(property) ?? '',
    }));
    return {
      name,
      constructorName,
      elementId,
      bundleUrl: info ? `${PCF_ASSET_PREFIX}${constructorName}/bundle.js` : undefined,
      strings: info ? this.strings(constructorName, info, lang) : {},
      properties,
    };
  }

  /** The spec of a dataset control showing a view's rows. */
  datasetControl(
    solutionName: string,
    dataset: Omit<PcfDatasetSpec, 'name'>,
    elementId: string,
    lang: LanguageCode,
  ): PcfControlSpec {
    const name = controlFullName(solutionName);
    const constructorName = constructorOf(name);
    const info = this.manifest(constructorName);
    return {
      name,
      constructorName,
      elementId,
      bundleUrl: info ? `${PCF_ASSET_PREFIX}${constructorName}/bundle.js` : undefined,
      strings: info ? this.strings(constructorName, info, lang) : {},
      properties: [],
      dataset: { name: info?.datasets[0] ?? 'dataset', ...dataset },
    };
  }
}

const gridBindings = new Map<string, Map<string, string>>();

/** `customControl name`s with a data-set in a file's view layouts (by savedqueryid) and table default (key ''). */
function gridControlsIn(file: string): Map<string, string> {
  let found = gridBindings.get(file);
  if (found) return found;
  found = new Map();
  const result = found;
  try {
    const visit = (value: unknown, viewId: string): void => {
      if (Array.isArray(value)) return value.forEach((v) => visit(v, viewId));
      const n = node(value);
      if (!n) return;
      for (const [key, child] of Object.entries(n)) {
        if (key === 'savedquery')
          for (const query of nodes(child))
            visit(query, normalizeGuid(str(query.savedqueryid)) ?? str(query.savedqueryid));
        else if (key === 'customControl') {
          const web =
            nodes(child).find((c) => attr(c, 'name') && attr(c, 'formFactor') === '0') ??
            nodes(child).find((c) => attr(c, 'name'));
          if (web && !result.has(viewId)) result.set(viewId, attr(web, 'name'));
        } else visit(child, viewId);
      }
    };
    visit(parser.parse(readFileSync(file, 'utf8')), '');
  } catch {
    // A table or view built in memory (tests) has no file: no control is bound.
  }
  gridBindings.set(file, found);
  return found;
}

/**
 * The dataset control that shows a view: the one its layout binds, else the table's grid control
 * (Entity.xml's CustomControlDefaultConfig), else none (the plain grid).
 */
export function boundGridControl(table: TableInfo, view: ViewModel): string | undefined {
  const id = normalizeGuid(view.id) ?? view.id;
  const fromView = view.file ? gridControlsIn(view.file).get(id) : undefined;
  if (fromView) return fromView;
  return table.model.file ? gridControlsIn(table.model.file).get('') : undefined;
}
