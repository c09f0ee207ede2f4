/**
 * `ideario pack`: turns an unpacked solution (SolutionPackager / `pac solution unpack` layout) back
 * into the zip Dataverse imports: `[Content_Types].xml`, `solution.xml`, one merged
 * `customizations.xml`, web resources, PCF controls and environment variable definitions, laid out as
 * a Dataverse export ("Solution component file reference (SolutionPackager)", Power Apps docs).
 * Everything is built in memory first and written only when every solution built, so a failure never
 * leaves a half-written zip in the output folder.
 */
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../dataverse/logger';
import {
  computeMissingDependencies,
  setMissingDependencies,
  type MissingDependencyEntry,
} from './dependencies';
import { InvalidSolutionSourceError, type SolutionSourceError } from './errors';
import { loadPlatform, loadSolution } from './loader';
import {
  COMPONENT_TYPE,
  CONTENT_TYPES,
  CUSTOMIZATION_SECTIONS,
  CUSTOMIZATIONS,
  FORM_TYPES,
  PAC_SERVICE_ENDPOINTS,
  readSourceFiles,
  RELATIONSHIP_LIST,
  RELATIONSHIPS_DIR,
  SOLUTION_MANIFEST,
  XSI_NAMESPACE,
  type SourceFiles,
} from './layout';
import {
  attr,
  child,
  childText,
  el,
  elements,
  encodeUtf8,
  parseXml,
  removeAttr,
  setText,
  textOf,
  writeXml,
  type XmlElement,
} from './xml';
import { writeFileAtomic, writeZipBytes, type Parts } from './zip';

// ---------------------------------------------------------------------------------------------
// Errors

/** A file the layout needs is not in the unpacked solution. */
export class MissingSourceFileError extends Error {
  constructor(
    readonly file: string,
    readonly fix: string,
  ) {
    super(`${file} is missing. ${fix}`);
    this.name = 'MissingSourceFileError';
  }
}

/** A component file holds the wrong root element (`<Role>` expected, `<Entity>` found…). */
export class UnexpectedRootElementError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}: expected a <${expected}> root element, found <${found}>.`);
    this.name = 'UnexpectedRootElementError';
  }
}

/** `Other/Relationships.xml` lists a relationship that no `Other/Relationships/*.xml` file defines. */
export class UnknownRelationshipError extends Error {
  constructor(
    readonly relationship: string,
    readonly listFile: string,
  ) {
    super(
      `${listFile} lists relationship ${relationship}, but no file in Other/Relationships/ defines it. ` +
        'Add its <EntityRelationship> to the file of its referenced table, or remove it from the list.',
    );
    this.name = 'UnknownRelationshipError';
  }
}

/** A web resource has a `.data.xml` but no content file next to it. */
export class MissingWebResourceContentError extends Error {
  constructor(
    readonly webResource: string,
    readonly expectedFile: string,
  ) {
    super(`Web resource ${webResource} has no content: expected ${expectedFile} next to its .data.xml.`);
    this.name = 'MissingWebResourceContentError';
  }
}

/** A PCF control is declared in `Controls/` but neither its files nor a build output exist. */
export class MissingControlBuildError extends Error {
  constructor(
    readonly control: string,
    readonly searched: readonly string[],
  ) {
    super(
      `PCF control ${control} is declared in the solution but has no built files ` +
        `(looked in ${searched.join(', ')}). Build the control (its output goes to dist/pcf/<Name>/) and pack again.`,
    );
    this.name = 'MissingControlBuildError';
  }
}

/** `webresources/build.ts` exists but cannot be used to build the form scripts. */
export class WebResourceBuildUnavailableError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} cannot build the web resources: ${reason}`);
    this.name = 'WebResourceBuildUnavailableError';
  }
}

/** `buildWebResources()` ran and failed (a type error in a form script, an unregistered folder…). */
export class WebResourceBuildFailedError extends Error {
  constructor(readonly reason: string) {
    super(`Building the form scripts (webresources/build.ts) failed, so nothing was packed:\n${reason}`);
    this.name = 'WebResourceBuildFailedError';
  }
}

// ---------------------------------------------------------------------------------------------
// Reading component files

function parseSource(files: SourceFiles, file: string): XmlElement {
  const bytes = files.get(file);
  if (!bytes) throw new MissingSourceFileError(file, 'Every unpacked solution needs it.');
  return parseXml(bytes, file).root;
}

function rootOf(files: SourceFiles, file: string, expected: string): XmlElement {
  const root = parseSource(files, file);
  if (root.name !== expected) throw new UnexpectedRootElementError(file, expected, root.name);
  // Component files repeat the xsi declaration that customizations.xml declares once at its root.
  if (attr(root, 'xmlns:xsi') === XSI_NAMESPACE) removeAttr(root, 'xmlns:xsi');
  return root;
}

function filesUnder(files: SourceFiles, prefix: string, suffix = '.xml'): string[] {
  return [...files.keys()].filter((f) => f.startsWith(prefix) && f.endsWith(suffix)).sort();
}

function byKey<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const x = key(a).toLowerCase();
    const y = key(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** The `<systemform>` elements of one entity, grouped by form type in a fixed order. */
function formGroups(files: SourceFiles, entityDir: string, used: Set<string>): XmlElement[] {
  const byType = new Map<string, XmlElement[]>();
  for (const file of filesUnder(files, `${entityDir}/FormXml/`)) {
    const type = file.slice(`${entityDir}/FormXml/`.length).split('/')[0];
    const root = rootOf(files, file, 'forms');
    used.add(file);
    const list = byType.get(type) ?? [];
    list.push(...elements(root, 'systemform'));
    byType.set(type, list);
  }
  const order = (t: string) => {
    const i = FORM_TYPES.indexOf(t);
    return i < 0 ? FORM_TYPES.length : i;
  };
  const types = [...byType.keys()].sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
  return types.map((type) => el('forms', { type }, byType.get(type) ?? []));
}

function savedQueries(files: SourceFiles, entityDir: string, used: Set<string>): XmlElement[] {
  const queries: XmlElement[] = [];
  for (const file of filesUnder(files, `${entityDir}/SavedQueries/`)) {
    queries.push(...elements(rootOf(files, file, 'savedqueries'), 'savedquery'));
    used.add(file);
  }
  return queries;
}

/** System charts: SolutionPackager keeps one `<visualization>` per `Visualizations/{id}.xml` of the table. */
function visualizations(files: SourceFiles, entityDir: string, used: Set<string>): XmlElement[] {
  const charts = filesUnder(files, `${entityDir}/Visualizations/`).map((file) => {
    used.add(file);
    return rootOf(files, file, 'visualization');
  });
  return byKey(charts, (c) => childText(c, 'savedqueryvisualizationid') ?? '');
}

/** Puts `content` into the placeholder named `name`, or adds one after `after` when there is none. */
function fillPlaceholder(entity: XmlElement, name: string, content: XmlElement[], after: string[]): void {
  const placeholder = child(entity, name);
  if (placeholder) {
    placeholder.children = content;
    return;
  }
  if (content.length === 0) return;
  const section = el(name, null, content);
  let index = -1;
  entity.children.forEach((c, i) => {
    if (c.kind === 'element' && after.includes(c.name)) index = i;
  });
  entity.children.splice(index + 1, 0, section);
}

function buildEntities(files: SourceFiles, used: Set<string>): XmlElement[] {
  const entityFiles = [...files.keys()].filter((f) => /^Entities\/[^/]+\/Entity\.xml$/.test(f));
  const entities = entityFiles.map((file) => {
    const entityDir = file.slice(0, -'/Entity.xml'.length);
    const entity = rootOf(files, file, 'Entity');
    used.add(file);
    fillPlaceholder(entity, 'FormXml', formGroups(files, entityDir, used), [
      'Name',
      'ObjectTypeCode',
      'EntityInfo',
    ]);
    const ribbon = files.has(`${entityDir}/RibbonDiff.xml`)
      ? rootOf(files, `${entityDir}/RibbonDiff.xml`, 'RibbonDiffXml')
      : undefined;
    if (ribbon) {
      used.add(`${entityDir}/RibbonDiff.xml`);
      const placeholder = child(entity, 'RibbonDiffXml');
      if (placeholder) placeholder.children = ribbon.children;
      else entity.children.push(ribbon);
    }
    const queries = savedQueries(files, entityDir, used);
    fillPlaceholder(entity, 'SavedQueries', queries.length ? [el('savedqueries', null, queries)] : [], [
      'Name',
      'ObjectTypeCode',
      'EntityInfo',
      'FormXml',
    ]);
    const charts = visualizations(files, entityDir, used);
    fillPlaceholder(entity, 'Visualizations', charts, [
      'Name',
      'ObjectTypeCode',
      'EntityInfo',
      'FormXml',
      'SavedQueries',
    ]);
    return entity;
  });
  return byKey(entities, (e) => textOf(child(e, 'Name')));
}

function buildRelationships(files: SourceFiles, used: Set<string>): XmlElement[] {
  const defined = new Map<string, XmlElement>();
  for (const file of filesUnder(files, RELATIONSHIPS_DIR)) {
    used.add(file);
    for (const rel of elements(rootOf(files, file, 'EntityRelationships'), 'EntityRelationship')) {
      defined.set(attr(rel, 'Name') ?? '', rel);
    }
  }
  const ordered: XmlElement[] = [];
  if (files.has(RELATIONSHIP_LIST)) {
    used.add(RELATIONSHIP_LIST);
    for (const ref of elements(
      rootOf(files, RELATIONSHIP_LIST, 'EntityRelationships'),
      'EntityRelationship',
    )) {
      const name = attr(ref, 'Name') ?? '';
      const rel = defined.get(name);
      if (!rel) throw new UnknownRelationshipError(name, RELATIONSHIP_LIST);
      ordered.push(rel);
      defined.delete(name);
    }
  }
  return [...ordered, ...byKey([...defined.values()], (r) => attr(r, 'Name') ?? '')];
}

function buildSimple(
  files: SourceFiles,
  used: Set<string>,
  dir: string,
  root: string,
  key: (e: XmlElement) => string,
) {
  const items = filesUnder(files, `${dir}/`).map((file) => {
    used.add(file);
    return rootOf(files, file, root);
  });
  return byKey(items, key);
}

/**
 * Endpoints kept in `Customizations.xml`, plus those of SolutionPackager's
 * `PluginAssemblies/ServiceEndpoints.xml` and of one-per-file `ServiceEndpoints/*.xml`.
 */
function buildServiceEndpoints(
  files: SourceFiles,
  used: Set<string>,
  customizations: XmlElement,
): XmlElement[] {
  const endpoints = elements(child(customizations, 'ServiceEndpoints') ?? el('none'), 'ServiceEndpoint');
  const listed = [...files.keys()].filter((f) => f.toLowerCase() === PAC_SERVICE_ENDPOINTS.toLowerCase());
  for (const file of listed) {
    used.add(file);
    endpoints.push(...elements(rootOf(files, file, 'ServiceEndpoints'), 'ServiceEndpoint'));
  }
  for (const file of filesUnder(files, 'ServiceEndpoints/')) {
    used.add(file);
    endpoints.push(rootOf(files, file, 'ServiceEndpoint'));
  }
  const seen = new Set<string>();
  return endpoints.filter((e) => {
    const id = (attr(e, 'ServiceEndpointId') ?? '').replace(/[{}]/g, '').toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

interface WebResourcePart {
  element: XmlElement;
  part: string;
  content: Uint8Array;
}

function buildWebResources(
  files: SourceFiles,
  used: Set<string>,
  contentOverride: (name: string) => Uint8Array | undefined,
): WebResourcePart[] {
  const items = filesUnder(files, 'WebResources/', '.data.xml').map((file) => {
    used.add(file);
    const element = rootOf(files, file, 'WebResource');
    const name = childText(element, 'Name') ?? '';
    const contentFile = file.slice(0, -'.data.xml'.length);
    const content = contentOverride(name) ?? files.get(contentFile);
    if (!content) throw new MissingWebResourceContentError(name, contentFile);
    used.add(contentFile);
    let fileName = childText(element, 'FileName');
    if (!fileName) {
      fileName = `/WebResources/${name}`;
      element.children.push(el('FileName', null, fileName));
    }
    return { element, part: fileName.replace(/^\/+/, ''), content };
  });
  return byKey(items, (w) => childText(w.element, 'Name') ?? '');
}

/** A built PCF control: `name` is `<prefix>_<namespace>.<constructor>`, files relative to its folder. */
export interface ControlBuild {
  name: string;
  files: Map<string, Uint8Array>;
  /** Where the files came from, for messages. */
  source: string;
}

interface ControlParts {
  element: XmlElement;
  parts: Map<string, Uint8Array>;
}

function buildControls(
  files: SourceFiles,
  used: Set<string>,
  builds: readonly ControlBuild[],
): ControlParts[] {
  const declared = filesUnder(files, 'Controls/', '/ControlManifest.xml.data.xml');
  const items = declared.map((file) => {
    used.add(file);
    const element = rootOf(files, file, 'CustomControl');
    const name = childText(element, 'Name') ?? '';
    const folder = file.slice(0, -'/ControlManifest.xml.data.xml'.length);
    const parts = new Map<string, Uint8Array>();
    for (const [f, bytes] of files) {
      if (f.startsWith(`${folder}/`) && f !== file) {
        parts.set(`Controls/${name}/${f.slice(folder.length + 1)}`, bytes);
        used.add(f);
      }
    }
    if (parts.size === 0) {
      const build = builds.find((b) => b.name.toLowerCase() === name.toLowerCase());
      if (!build) throw new MissingControlBuildError(name, [folder, 'the PCF build outputs']);
      for (const [f, bytes] of build.files) parts.set(`Controls/${name}/${f}`, bytes);
    }
    if (!childText(element, 'FileName'))
      element.children.push(el('FileName', null, `/Controls/${name}/ControlManifest.xml`));
    return { element, parts };
  });
  return byKey(items, (c) => childText(c.element, 'Name') ?? '');
}

/** Replaces (or adds, in schema order) a top-level section of customizations.xml. */
/**
 * In a managed zip, the webhook steps and service endpoints are what customers must not change: their
 * managed property "Can be customized" is off (IsCustomizable 0), as "Managed properties" describes
 * (learn.microsoft.com/power-platform/alm/managed-properties-alm). The unmanaged zip keeps the source's.
 */
function markNotCustomizable(customizations: XmlElement): void {
  const sections: [string, string][] = [
    ['SdkMessageProcessingSteps', 'SdkMessageProcessingStep'],
    ['ServiceEndpoints', 'ServiceEndpoint'],
  ];
  for (const [sectionName, itemName] of sections) {
    const section = child(customizations, sectionName);
    for (const item of section ? elements(section, itemName) : []) {
      const flag = child(item, 'IsCustomizable');
      if (flag) setText(flag, '0');
      else item.children.push(el('IsCustomizable', null, '0'));
    }
  }
}

function setSection(root: XmlElement, name: string, items: XmlElement[]): void {
  const existing = child(root, name);
  if (existing) {
    existing.children = items;
    return;
  }
  if (items.length === 0) return;
  const section = el(name, null, items);
  const position = CUSTOMIZATION_SECTIONS.indexOf(name);
  const index = root.children.findIndex(
    (c) => c.kind === 'element' && CUSTOMIZATION_SECTIONS.indexOf(c.name) > position,
  );
  if (index < 0) root.children.push(section);
  else root.children.splice(index, 0, section);
}

// ---------------------------------------------------------------------------------------------
// solution.xml and [Content_Types].xml

export interface SolutionIdentity {
  uniqueName: string;
  version: string;
  /** 0 unmanaged, 1 managed, 2 both (the source of a solution that ships both). */
  managed: 0 | 1 | 2;
  prefix: string;
}

export function readSolutionIdentity(files: SourceFiles): SolutionIdentity {
  const manifest = child(parseSource(files, SOLUTION_MANIFEST), 'SolutionManifest');
  if (!manifest) throw new UnexpectedRootElementError(SOLUTION_MANIFEST, 'SolutionManifest', 'none');
  const managed = Number(childText(manifest, 'Managed') ?? '0');
  const publisher = child(manifest, 'Publisher');
  return {
    uniqueName: childText(manifest, 'UniqueName') ?? '',
    version: childText(manifest, 'Version') ?? '',
    managed: managed === 1 ? 1 : managed === 2 ? 2 : 0,
    prefix: publisher ? (childText(publisher, 'CustomizationPrefix') ?? '') : '',
  };
}

function solutionManifest(
  files: SourceFiles,
  managed: 0 | 1,
  controls: string[],
  missing: readonly MissingDependencyEntry[] | undefined,
): XmlElement {
  const doc = parseXml(files.get(SOLUTION_MANIFEST) as Uint8Array, SOLUTION_MANIFEST);
  const manifest = child(doc.root, 'SolutionManifest');
  if (!manifest) throw new UnexpectedRootElementError(SOLUTION_MANIFEST, 'SolutionManifest', 'none');
  const flag = child(manifest, 'Managed');
  if (flag) setText(flag, String(managed));
  else manifest.children.push(el('Managed', null, String(managed)));
  // Controls come from build outputs, so the source cannot always list them; add what is missing.
  let roots = child(manifest, 'RootComponents');
  if (!roots) {
    roots = el('RootComponents');
    manifest.children.push(roots);
  }
  for (const name of controls) {
    const listed = elements(roots, 'RootComponent').some(
      (r) =>
        attr(r, 'type') === String(COMPONENT_TYPE.customControl) &&
        attr(r, 'schemaName')?.toLowerCase() === name.toLowerCase(),
    );
    if (!listed)
      roots.children.push(
        el('RootComponent', { type: COMPONENT_TYPE.customControl, schemaName: name, behavior: 0 }),
      );
  }
  if (missing) setMissingDependencies(manifest, missing);
  return doc.root;
}

function extensionOf(part: string): string {
  const base = part.split('/').pop() ?? part;
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/**
 * `[Content_Types].xml` as Dataverse writes it: `xml` as text/xml, every other extension as an
 * octet stream, and an override for each control manifest. A copy kept by `unpack` is the base, so
 * a round trip keeps entries the packed parts no longer need.
 */
function contentTypes(files: SourceFiles, partNames: string[]): XmlElement {
  const base = files.get(CONTENT_TYPES);
  const types = base
    ? parseXml(base, CONTENT_TYPES).root
    : el('Types', { xmlns: 'http://schemas.openxmlformats.org/package/2006/content-types' });
  const defaults = new Set(elements(types, 'Default').map((d) => (attr(d, 'Extension') ?? '').toLowerCase()));
  const overrides = new Set(
    elements(types, 'Override').map((o) => (attr(o, 'PartName') ?? '').toLowerCase()),
  );
  const extensions = [...new Set(partNames.map(extensionOf).filter((e) => e !== ''))].sort((a, b) =>
    a === 'xml' ? -1 : b === 'xml' ? 1 : a < b ? -1 : 1,
  );
  for (const ext of extensions) {
    if (!defaults.has(ext)) {
      types.children.push(
        el('Default', {
          Extension: ext,
          ContentType: ext === 'xml' ? 'text/xml' : 'application/octet-stream',
        }),
      );
    }
  }
  for (const part of partNames.filter((p) => /^Controls\/[^/]+\/ControlManifest\.xml$/.test(p)).sort()) {
    if (!overrides.has(`/${part}`.toLowerCase())) {
      types.children.push(el('Override', { PartName: `/${part}`, ContentType: 'application/octet-stream' }));
    }
  }
  return types;
}

/** Dataverse writes the XML parts of a solution zip with a byte order mark and CRLF line ends. */
function exportXml(root: XmlElement): Uint8Array {
  return encodeUtf8(writeXml(root, { bom: true, newline: '\r\n' }));
}

// ---------------------------------------------------------------------------------------------
// Building a zip

export interface BuildOptions {
  managed: 0 | 1;
  /** Replacement content for a web resource, by web resource name (the built form script). */
  webResourceContent?: (name: string) => Uint8Array | undefined;
  /** PCF control build outputs, for controls the source declares without their files. */
  controls?: readonly ControlBuild[];
  /** Called with source files that no part of the layout consumed and that were not packed. */
  onIgnoredFile?: (file: string) => void;
  /** Written as solution.xml's `<MissingDependencies>` (dependencies.ts); absent: the source's are kept. */
  missingDependencies?: readonly MissingDependencyEntry[];
}

/** Builds the parts of one solution zip from the files of its `src/` folder. */
export function buildSolutionParts(files: SourceFiles, options: BuildOptions): Parts {
  const used = new Set<string>([CUSTOMIZATIONS, SOLUTION_MANIFEST, CONTENT_TYPES]);
  const customizations = parseSource(files, CUSTOMIZATIONS);
  if (customizations.name !== 'ImportExportXml')
    throw new UnexpectedRootElementError(CUSTOMIZATIONS, 'ImportExportXml', customizations.name);
  if (!attr(customizations, 'xmlns:xsi'))
    customizations.attributes.push({ name: 'xmlns:xsi', value: XSI_NAMESPACE });
  const parts: Parts = new Map();

  setSection(customizations, 'Entities', buildEntities(files, used));
  setSection(
    customizations,
    'Roles',
    buildSimple(files, used, 'Roles', 'Role', (r) => attr(r, 'name') ?? ''),
  );
  setSection(customizations, 'EntityRelationships', buildRelationships(files, used));
  setSection(
    customizations,
    'optionsets',
    buildSimple(files, used, 'OptionSets', 'optionset', (o) => attr(o, 'Name') ?? ''),
  );
  setSection(
    customizations,
    'Dashboards',
    buildSimple(files, used, 'Dashboards', 'Dashboard', (d) => childText(d, 'FormId') ?? ''),
  );
  const webResources = buildWebResources(files, used, options.webResourceContent ?? (() => undefined));
  setSection(
    customizations,
    'WebResources',
    webResources.map((w) => w.element),
  );
  const controls = buildControls(files, used, options.controls ?? []);
  setSection(
    customizations,
    'CustomControls',
    controls.map((c) => c.element),
  );
  setSection(
    customizations,
    'SdkMessageProcessingSteps',
    buildSimple(
      files,
      used,
      'SdkMessageProcessingSteps',
      'SdkMessageProcessingStep',
      (s) => attr(s, 'SdkMessageProcessingStepId') ?? '',
    ),
  );
  setSection(customizations, 'ServiceEndpoints', buildServiceEndpoints(files, used, customizations));
  // SolutionPackager keeps one folder per app: AppModuleSiteMaps/<name>/AppModuleSiteMap.xml, AppModules/<name>/AppModule.xml.
  setSection(
    customizations,
    'AppModuleSiteMaps',
    buildSimple(
      files,
      used,
      'AppModuleSiteMaps',
      'AppModuleSiteMap',
      (m) => childText(m, 'SiteMapUniqueName') ?? '',
    ),
  );
  setSection(
    customizations,
    'AppModules',
    buildSimple(files, used, 'AppModules', 'AppModule', (m) => childText(m, 'UniqueName') ?? ''),
  );

  if (options.managed === 1) markNotCustomizable(customizations);
  parts.set('customizations.xml', exportXml(customizations));
  if (files.has(SOLUTION_MANIFEST)) {
    const controlNames = controls.map((c) => childText(c.element, 'Name') ?? '');
    parts.set(
      'solution.xml',
      exportXml(solutionManifest(files, options.managed, controlNames, options.missingDependencies)),
    );
  }
  for (const w of webResources) parts.set(w.part, w.content);
  for (const c of controls) for (const [name, bytes] of c.parts) parts.set(name, bytes);
  for (const [file, bytes] of files) {
    if (used.has(file)) continue;
    // Other/ holds the layout's own files; anything else there has no place in a zip.
    if (file.startsWith('Other/')) options.onIgnoredFile?.(file);
    else parts.set(file, bytes);
  }
  parts.set(CONTENT_TYPES, exportXml(contentTypes(files, [...parts.keys()])));
  return parts;
}

// ---------------------------------------------------------------------------------------------
// The pack command

export interface PackOptions {
  /** Folder holding one folder per solution (`solution/`); `platform/` is never packed. */
  solutionRoot: string;
  /** Output folder (`dist/`); web resource builds are read from `<out>/webresources`, PCF builds from `<out>/pcf`. */
  outDir: string;
  /** Only this solution (unique name or folder name). */
  solution?: string;
  /** Where PCF control builds are read from, when not `<outDir>/pcf` (tests pass the build cache, pcfcache.ts). */
  pcfDir?: string;
  /** `validateSolutionSource` from validate.ts: the clear-error checks, run before anything is written. */
  validate: (dir: string) => SolutionSourceError[];
  /** `buildWebResources` from webresources/build.ts, when the form scripts are to be built first. */
  buildWebResources?: (outDir: string) => Promise<unknown>;
  logger: Logger;
}

export interface PackedZip {
  solution: string;
  managed: boolean;
  file: string;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The folders under `solutionRoot` that hold a solution to pack, sorted. */
export async function findSolutionDirs(solutionRoot: string): Promise<string[]> {
  const entries = await readdir(solutionRoot, { withFileTypes: true });
  const dirs: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === 'platform' || entry.name.startsWith('.')) continue;
    if (await exists(path.join(solutionRoot, entry.name, 'src')))
      dirs.push(path.join(solutionRoot, entry.name));
  }
  return dirs.sort();
}

async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  return (await exists(dir)) ? readSourceFiles(dir) : new Map();
}

/** Reads `dist/pcf/<Name>/` build outputs and names each control from its manifest. */
export async function readControlBuilds(pcfDir: string, prefix: string): Promise<ControlBuild[]> {
  if (!(await exists(pcfDir))) return [];
  const builds: ControlBuild[] = [];
  for (const entry of (await readdir(pcfDir, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    const dir = path.join(pcfDir, entry.name);
    const files = await readTree(dir);
    const manifest = files.get('ControlManifest.xml');
    if (!manifest) continue;
    const control = child(parseXml(manifest, path.join(dir, 'ControlManifest.xml')).root, 'control');
    if (!control) continue;
    const name = `${prefix}_${attr(control, 'namespace') ?? ''}.${attr(control, 'constructor') ?? entry.name}`;
    builds.push({ name, files, source: dir });
  }
  return builds.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function zipName(identity: SolutionIdentity, managed: boolean): string {
  return `${identity.uniqueName}_${identity.version.split('.').join('_')}${managed ? '_managed' : ''}.zip`;
}

/**
 * Validates, builds and writes every solution under `solutionRoot`: `<Unique>_<version>.zip`
 * (unmanaged) and `<Unique>_<version>_managed.zip` for a source whose `<Managed>` is 2.
 */
export async function packSolutions(options: PackOptions): Promise<PackedZip[]> {
  const { logger } = options;
  if (options.buildWebResources) {
    const written = await options
      .buildWebResources(path.join(options.outDir, 'webresources'))
      .catch((error: unknown) => {
        throw new WebResourceBuildFailedError(error instanceof Error ? error.message : String(error));
      });
    logger.info('built web resources', { files: Array.isArray(written) ? written.length : undefined });
  }
  let dirs = await findSolutionDirs(options.solutionRoot);
  if (options.solution) {
    const wanted = options.solution.toLowerCase();
    dirs = dirs.filter((d) => path.basename(d).toLowerCase() === wanted);
    if (dirs.length === 0) {
      throw new MissingSourceFileError(
        path.join(options.solutionRoot, options.solution),
        `No solution named ${options.solution} under ${options.solutionRoot}/.`,
      );
    }
  }
  const pending: { file: string; bytes: Uint8Array; zip: PackedZip }[] = [];
  for (const dir of dirs) {
    const errors = options.validate(dir);
    if (errors.length > 0) throw new InvalidSolutionSourceError(errors, dir);
    const files = await readSourceFiles(path.join(dir, 'src'));
    const identity = readSolutionIdentity(files);
    const webOut = path.join(options.outDir, 'webresources');
    const built = await readTree(webOut);
    // The form scripts in src/WebResources/ are placeholders: when webresources/build.ts has built a
    // bundle (dist/webresources/idr_/groupquotes/opportunity.js, or dist/webresources/opportunity.js),
    // that bundle is what goes into the zip.
    const webResourceContent = (name: string) =>
      built.get(name.replace(/^\/+/, '')) ?? built.get(path.posix.basename(name));
    const controls = await readControlBuilds(
      options.pcfDir ?? path.join(options.outDir, 'pcf'),
      identity.prefix,
    );
    // Computed from the components, as Dataverse computes them on export: never hand-kept in the source.
    const platformDir = path.join(options.solutionRoot, 'platform');
    const missingDependencies = (await exists(platformDir))
      ? computeMissingDependencies(loadSolution(dir), loadPlatform(platformDir).tables)
      : undefined;
    const flags: (0 | 1)[] = identity.managed === 2 ? [0, 1] : [identity.managed];
    for (const managed of flags) {
      const parts = buildSolutionParts(files, {
        managed,
        webResourceContent,
        controls,
        missingDependencies,
        onIgnoredFile: (f) =>
          logger.warn('not packed: no place for this file in a solution zip', {
            file: path.join(dir, 'src', f),
          }),
      });
      const file = path.join(options.outDir, zipName(identity, managed === 1));
      pending.push({
        file,
        bytes: await writeZipBytes(parts),
        zip: { solution: identity.uniqueName, managed: managed === 1, file },
      });
    }
  }
  for (const p of pending) {
    await writeFileAtomic(p.file, p.bytes);
    logger.info('packed', { solution: p.zip.solution, managed: p.zip.managed, file: p.file });
  }
  return pending.map((p) => p.zip);
}

/** Loads `buildWebResources` from `webresources/build.ts` when that file exists. */
export async function loadWebResourceBuilder(
  buildFile: string,
): Promise<((outDir: string) => Promise<unknown>) | undefined> {
  if (!(await exists(buildFile))) return undefined;
  let mod: unknown;
  try {
    mod = (await import(buildFile)) as unknown;
  } catch (error) {
    throw new WebResourceBuildUnavailableError(
      buildFile,
      error instanceof Error ? error.message : String(error),
    );
  }
  const fn = (mod as { buildWebResources?: unknown }).buildWebResources;
  if (typeof fn !== 'function') {
    throw new WebResourceBuildUnavailableError(
      buildFile,
      'it does not export a buildWebResources(outDir) function.',
    );
  }
  return fn as (outDir: string) => Promise<unknown>;
}
