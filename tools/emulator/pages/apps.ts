/**
 * The solutions' model-driven apps (`src/AppModules/<name>/AppModule.xml`) and their sitemaps
 * (`src/AppModuleSiteMaps/<name>/AppModuleSiteMap.xml`), read for the app shell's navigation.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Labels, LanguageCode, MetadataModel } from '../../solution/model';

export interface SubArea {
  readonly id: string;
  /** The table the page lists; empty for a dashboard page. */
  readonly entity: string;
  /** `DefaultDashboard`: the system dashboard (formid) the page opens. */
  readonly dashboard?: string;
  readonly title: Labels;
}

export interface SiteMapGroup {
  readonly id: string;
  readonly title: Labels;
  readonly subAreas: readonly SubArea[];
}

export interface SiteMapArea {
  readonly id: string;
  readonly title: Labels;
  readonly groups: readonly SiteMapGroup[];
}

export interface AppInfo {
  /** The appmoduleid in the URL's `appid`. */
  readonly id: string;
  readonly uniqueName: string;
  readonly name: Labels;
  readonly description: Labels;
  readonly areas: readonly SiteMapArea[];
  /** Tables the app includes (AppModuleComponent type 1). */
  readonly tables: readonly string[];
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Not for attributes: a Title element carries a Title attribute.
  isArray: (name, _path, _leaf, isAttribute) =>
    !isAttribute &&
    ['Area', 'Group', 'SubArea', 'Title', 'LocalizedName', 'Description', 'AppModuleComponent'].includes(
      name,
    ),
});

function nodes(value: unknown): Node[] {
  return Array.isArray(value) ? value.filter((v): v is Node => typeof v === 'object' && v !== null) : [];
}

function node(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

function labels(list: unknown, codeKey: string, textKey: string): Labels {
  const out: Labels = {};
  for (const item of nodes(list)) {
    const code = Number(item[codeKey]);
    const text = item[textKey];
    if ((code === 1033 || code === 3082) && typeof text === 'string') out[code] = text;
  }
  return out;
}

/**
 * Dataverse assigns an appmoduleid on import and the unpacked solution does not carry one, so the
 * emulator derives a stable id from the unique name: the same URL works after every restart.
 */
export function appModuleId(uniqueName: string): string {
  return stableGuid('appmodule', uniqueName);
}

/** A GUID that is the same on every run for the same kind and name (ids the solution files do not carry). */
export function stableGuid(kind: string, name: string): string {
  const hex = createHash('sha1').update(`${kind}:${name.toLowerCase()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function readSiteMap(file: string): SiteMapArea[] {
  if (!existsSync(file)) return [];
  const doc = node(parser.parse(readFileSync(file, 'utf8')));
  const siteMap = node(node(doc?.AppModuleSiteMap)?.SiteMap);
  return nodes(siteMap?.Area).map((area) => ({
    id: str(area.Id),
    title: labels(node(area.Titles)?.Title, 'LCID', 'Title'),
    groups: nodes(area.Group).map((group) => ({
      id: str(group.Id),
      title: labels(node(group.Titles)?.Title, 'LCID', 'Title'),
      subAreas: nodes(group.SubArea)
        .filter((sub) => typeof sub.Entity === 'string' || typeof sub.DefaultDashboard === 'string')
        .map((sub) => ({
          id: str(sub.Id),
          entity: str(sub.Entity),
          ...(typeof sub.DefaultDashboard === 'string'
            ? { dashboard: sub.DefaultDashboard.replace(/[{}]/g, '').toLowerCase() }
            : {}),
          title: labels(node(sub.Titles)?.Title, 'LCID', 'Title'),
        })),
    })),
  }));
}

function readApp(srcDir: string, folder: string): AppInfo | undefined {
  const file = path.join(srcDir, 'AppModules', folder, 'AppModule.xml');
  if (!existsSync(file)) return undefined;
  const app = node(node(parser.parse(readFileSync(file, 'utf8')))?.AppModule);
  if (!app) return undefined;
  const uniqueName = str(app.UniqueName, folder);
  const components = nodes(node(app.AppModuleComponents)?.AppModuleComponent);
  return {
    id: appModuleId(uniqueName),
    uniqueName,
    name: labels(node(app.LocalizedNames)?.LocalizedName, 'languagecode', 'description'),
    description: labels(node(app.Descriptions)?.Description, 'languagecode', 'description'),
    areas: readSiteMap(path.join(srcDir, 'AppModuleSiteMaps', folder, 'AppModuleSiteMap.xml')),
    tables: components
      .filter((c) => String(c.type) === '1' && typeof c.schemaName === 'string')
      .map((c) => String(c.schemaName)),
  };
}

const cache = new WeakMap<MetadataModel, AppInfo[]>();

/** Every app of every solution, in solution order then by unique name. */
export function loadApps(model: MetadataModel): AppInfo[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const apps: AppInfo[] = [];
  for (const solution of model.solutions) {
    const srcDir = path.join(solution.dir, 'src');
    const folder = path.join(srcDir, 'AppModules');
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort()) {
      const app = readApp(srcDir, name);
      if (app) apps.push(app);
    }
  }
  cache.set(model, apps);
  return apps;
}

/** A label in the user's language, then English, then Spanish, then the fallback. */
export function localized(labels: Labels, lang: LanguageCode, fallback: string): string {
  return labels[lang] ?? labels[1033] ?? labels[3082] ?? fallback;
}

/** The app's home in the shell: `/main.aspx?appid=<appmoduleid>` (it opens the site map's first page). */
export function appUrl(app: AppInfo): string {
  return `/main.aspx?appid=${app.id}`;
}
