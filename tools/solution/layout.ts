/**
 * What `pack` and `unpack` agree on: where each component lives in the SolutionPackager / `pac
 * solution unpack` layout, the order of the `customizations.xml` sections, and reading a source
 * folder into memory.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Files of an unpacked solution by path relative to its `src/` folder, always with `/` separators. */
export type SourceFiles = Map<string, Uint8Array>;

export const SOLUTION_MANIFEST = 'Other/Solution.xml';
export const CUSTOMIZATIONS = 'Other/Customizations.xml';
export const RELATIONSHIP_LIST = 'Other/Relationships.xml';
export const RELATIONSHIPS_DIR = 'Other/Relationships/';
export const CONTENT_TYPES = '[Content_Types].xml';
/** Where SolutionPackager keeps every service endpoint ("Solution component file reference"). */
/** SolutionPackager's folder for system dashboards: one `<Dashboard>` per `{formid}.xml`. */
export const DASHBOARDS_DIR = 'Dashboards/';
export const PAC_SERVICE_ENDPOINTS = 'PluginAssemblies/ServiceEndpoints.xml';
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** Top-level sections of `customizations.xml` in the order `CustomizationsSolution.xsd` requires. */
export const CUSTOMIZATION_SECTIONS = [
  'Entities',
  'Roles',
  'Workflows',
  'FieldSecurityProfiles',
  'Templates',
  'RibbonDiffXml',
  'IsvConfig',
  'RelationshipRoles',
  'ConnectionRoles',
  'SiteMap',
  'EntityMaps',
  'EntityRelationships',
  'OrganizationSettings',
  'optionsets',
  'Reports',
  'RoutingRules',
  'ChannelPropertyGroups',
  'ConvertRules',
  'MobileOfflineProfiles',
  'Slas',
  'ChannelAccessProfiles',
  'ChannelAccessProfileRules',
  'Dashboards',
  'InteractionCentricDashboards',
  'Dialogs',
  'WebResources',
  'CustomControls',
  'SolutionPluginAssemblies',
  'SdkMessageProcessingSteps',
  'ServiceEndpoints',
  'AppModuleSiteMaps',
  'AppModules',
  'EntityDataProviders',
  'EntityDataSources',
  'Languages',
  'GlobalSearchConfigurations',
  'StoredProcedures',
];

/** Form types in the order their `<forms type>` groups are written. */
export const FORM_TYPES = [
  'main',
  'mobile',
  'quick',
  'quickCreate',
  'card',
  'preview',
  'dashboard',
  'appointmentBook',
  'minicampaignbo',
  'interactioncentricdashboard',
  'mainInteractionCentric',
  'taskBasedForm',
  'dialog',
  'other',
];

/** Solution component type codes ("solutioncomponent EntityType", componenttype choice). */
export const COMPONENT_TYPE = {
  entity: 1,
  attribute: 2,
  optionSet: 9,
  relationship: 10,
  role: 20,
  savedQuery: 26,
  savedQueryVisualization: 59,
  systemForm: 60,
  webResource: 61,
  siteMap: 62,
  customControl: 66,
  appModule: 80,
  sdkMessageProcessingStep: 92,
  serviceEndpoint: 95,
  environmentVariableDefinition: 380,
} as const;

/** Makes a component name safe as one file or folder name, the way SolutionPackager does. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}

/** A web resource name (`idr_/groupquotes/opportunity.js`) as a relative path, refusing `..`. */
export function webResourcePath(name: string): string {
  return name
    .split('/')
    .filter((s) => s !== '')
    .map(safeFileName)
    .join('/');
}

export function braceGuid(id: string): string {
  const bare = id.trim().replace(/^\{|\}$/g, '');
  return `{${bare}}`;
}

/** Reads every file under `dir` (dot-files excepted) into memory. */
export async function readSourceFiles(dir: string): Promise<SourceFiles> {
  const files: SourceFiles = new Map();
  async function walk(folder: string, prefix: string): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(full, rel);
      else if (entry.isFile()) files.set(rel, await readFile(full));
    }
  }
  await walk(dir, '');
  return files;
}
