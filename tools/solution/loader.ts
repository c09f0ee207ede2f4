/**
 * Reads unpacked solutions (the SolutionPackager / `pac solution unpack` layout) into the model of
 * `model.ts`. File layout and element names follow Microsoft's "SolutionPackager tool" and
 * "Solution component file reference" pages and the CustomizationsSolution.xsd schema.
 *
 * This module composes the readers (`source-xml.ts`, `tables.ts`, `columns.ts`, `forms-views.ts`,
 * `components.ts`, `merge.ts`) and re-exports what the rest of the repository imports from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  applyRelationshipTargets,
  pushUnique,
  readControl,
  readEnvironmentVariable,
  readPublisher,
  readRole,
  readServiceEndpoint,
  readStep,
  readWebResource,
} from './components';
import { readDashboard } from './charts';
import { InvalidSolutionSourceError, type SolutionSourceError } from './errors';
import { mergeMetadata } from './merge';
import type { MetadataModel, RelationshipModel, SolutionModel, TableModel } from './model';
import { Reader, type SolutionSource, listFiles, solutionSrcDir } from './reader';
import { child, descendants, labelsOf, lower, textOf } from './source-xml';
import { addSystemColumns, readOptionSet, readRelationship, readTable } from './tables';

// What other modules import from here; the code lives in the modules named.
export {
  child,
  childrenNamed,
  descendants,
  normalizeGuid,
  own,
  parseXml,
  type XmlDocument,
  type XmlElement,
} from './source-xml';
export {
  derivedEntitySetName,
  KNOWN_MESSAGES,
  OBJECT_TYPE_CODES,
  SDK_MESSAGE_IDS,
  toIdentifier,
} from './platform-names';
export { SourcePositions, solutionSrcDir, type SolutionSource } from './reader';
export { mergeMetadata } from './merge';

/**
 * Reads an unpacked solution without throwing: the model (as far as it can be built), every problem
 * found on the way, and the parsed documents. `validate.ts` and `loadSolution` build on it.
 */
export function readSolutionSource(dir: string): SolutionSource {
  const r = new Reader();
  const srcDir = solutionSrcDir(path.resolve(dir));
  const solutionXml = path.join(srcDir, 'Other', 'Solution.xml');
  const files = { solutionXml, srcDir };
  if (!fs.existsSync(solutionXml)) {
    r.report(
      'missing-solution-manifest',
      path.resolve(dir),
      undefined,
      'no src/Other/Solution.xml here, so this is not an unpacked solution',
      'Point at the folder `pac solution unpack --folder` wrote (the one holding src/), or restore src/Other/Solution.xml.',
    );
    return { model: undefined, problems: r.problems, documents: r.documents, positions: r.positions, files };
  }
  const solutionDoc = r.read(solutionXml);
  const manifest = solutionDoc
    ? (descendants(solutionDoc.root, 'SolutionManifest')[0] ?? solutionDoc.root)
    : undefined;
  const publisher = readPublisher(r, manifest, solutionXml);
  const model: SolutionModel = {
    uniqueName: textOf(manifest, 'UniqueName') ?? path.basename(path.resolve(dir)),
    version: textOf(manifest, 'Version') ?? '',
    displayName: labelsOf(child(manifest, 'LocalizedNames')),
    publisher,
    dir: path.resolve(dir),
    tables: {},
    optionSets: {},
    relationships: [],
    steps: [],
    serviceEndpoints: [],
    webResources: [],
    controls: [],
    roles: [],
    environmentVariables: [],
  };
  const versionEl = child(manifest, 'Version');
  if (versionEl) r.positions.set(model, versionEl.line);

  const ctx = { prefix: publisher.prefix, isPlatform: false };
  for (const entityFile of listFiles(
    path.join(srcDir, 'Entities'),
    (f) => path.basename(f) === 'Entity.xml',
  )) {
    const table = readTable(r, entityFile, ctx);
    if (!table) continue;
    if (!table.isExtension) addSystemColumns(table);
    model.tables[table.logicalName] = table;
  }
  for (const file of listFiles(path.join(srcDir, 'OptionSets'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    const el =
      doc && (lower(doc.root.name) === 'optionset' ? doc.root : descendants(doc.root, 'optionset')[0]);
    const optionSet = el && readOptionSet(r, el, file);
    if (optionSet) model.optionSets[optionSet.name] = optionSet;
  }
  for (const file of listFiles(path.join(srcDir, 'Other', 'Relationships'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'entityrelationship'
        ? [doc.root]
        : descendants(doc.root, 'EntityRelationship')
      : []) {
      const rel = readRelationship(r, el, file);
      if (rel) pushUnique(model.relationships, rel, (x) => x.name);
    }
  }
  for (const file of listFiles(path.join(srcDir, 'SdkMessageProcessingSteps'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'sdkmessageprocessingstep'
        ? [doc.root]
        : descendants(doc.root, 'SdkMessageProcessingStep')
      : []) {
      pushUnique(model.steps, readStep(r, el, file), (x) => x.id);
    }
  }
  for (const file of listFiles(path.join(srcDir, 'ServiceEndpoints'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'serviceendpoint'
        ? [doc.root]
        : descendants(doc.root, 'ServiceEndpoint')
      : []) {
      pushUnique(model.serviceEndpoints, readServiceEndpoint(r, el, file), (x) => x.id);
    }
  }
  for (const file of listFiles(path.join(srcDir, 'WebResources'), (f) => f.endsWith('.data.xml'))) {
    const doc = r.read(file);
    const el =
      doc && (lower(doc.root.name) === 'webresource' ? doc.root : descendants(doc.root, 'WebResource')[0]);
    if (el) pushUnique(model.webResources, readWebResource(r, el, file, srcDir), (x) => x.name);
  }
  for (const file of listFiles(path.join(srcDir, 'Controls'), (f) => f.endsWith('.data.xml'))) {
    const doc = r.read(file);
    const el =
      doc &&
      (lower(doc.root.name) === 'customcontrol' ? doc.root : descendants(doc.root, 'CustomControl')[0]);
    if (el) pushUnique(model.controls, readControl(r, el, file, srcDir), (x) => x.name);
  }
  for (const file of listFiles(path.join(srcDir, 'Roles'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc
      ? lower(doc.root.name) === 'role'
        ? [doc.root]
        : descendants(doc.root, 'Role')
      : []) {
      pushUnique(model.roles, readRole(r, el, file), (x) => x.id);
    }
  }
  const envDir = fs.readdirSync(srcDir).find((d) => lower(d) === 'environmentvariabledefinitions');
  for (const file of envDir
    ? listFiles(
        path.join(srcDir, envDir),
        (f) => lower(path.basename(f)) === 'environmentvariabledefinition.xml',
      )
    : []) {
    const doc = r.read(file);
    if (doc) model.environmentVariables.push(readEnvironmentVariable(r, doc.root, file));
  }

  for (const file of listFiles(path.join(srcDir, 'Dashboards'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    const dashboard = doc && readDashboard(r, doc);
    if (dashboard) pushUnique((model.dashboards ??= []), dashboard, (x) => x.id);
  }

  // Customizations.xml may carry any of these inline instead of in split files.
  const customizationsFile = path.join(srcDir, 'Other', 'Customizations.xml');
  const customizations = fs.existsSync(customizationsFile) ? r.read(customizationsFile) : undefined;
  if (customizations) {
    const root = customizations.root;
    for (const el of descendants(child(root, 'optionsets'), 'optionset')) {
      const optionSet = readOptionSet(r, el, customizationsFile);
      if (optionSet && !model.optionSets[optionSet.name]) model.optionSets[optionSet.name] = optionSet;
    }
    for (const el of descendants(child(root, 'EntityRelationships'), 'EntityRelationship')) {
      const rel = child(el, 'EntityRelationshipType')
        ? readRelationship(r, el, customizationsFile)
        : undefined;
      if (rel) pushUnique(model.relationships, rel, (x) => x.name);
    }
    for (const el of descendants(child(root, 'SdkMessageProcessingSteps'), 'SdkMessageProcessingStep')) {
      pushUnique(model.steps, readStep(r, el, customizationsFile), (x) => x.id);
    }
    for (const el of descendants(child(root, 'ServiceEndpoints'), 'ServiceEndpoint')) {
      pushUnique(model.serviceEndpoints, readServiceEndpoint(r, el, customizationsFile), (x) => x.id);
    }
    for (const el of descendants(child(root, 'WebResources'), 'WebResource')) {
      pushUnique(model.webResources, readWebResource(r, el, customizationsFile, srcDir), (x) => x.name);
    }
    for (const el of descendants(child(root, 'CustomControls'), 'CustomControl')) {
      pushUnique(model.controls, readControl(r, el, customizationsFile, srcDir), (x) => x.name);
    }
    for (const el of descendants(child(root, 'Roles'), 'Role')) {
      pushUnique(model.roles, readRole(r, el, customizationsFile), (x) => x.id);
    }
  }
  applyRelationshipTargets(model.tables, model.relationships);
  return { model, problems: r.problems, documents: r.documents, positions: r.positions, files };
}

/** Loads one unpacked solution (the folder holding `src/`); throws when it cannot be read faithfully. */
export function loadSolution(dir: string): SolutionModel {
  const source = readSolutionSource(dir);
  if (!source.model || source.problems.length > 0) throw new InvalidSolutionSourceError(source.problems, dir);
  return source.model;
}

/**
 * Reads `solution/platform/`: standard tables described in the Entity.xml format, and the relationships
 * in `Other/Relationships/` for what they add to a lookup (targets, a navigation property name).
 */
export function loadPlatform(dir: string): {
  tables: Record<string, TableModel>;
  relationships: RelationshipModel[];
  problems: SolutionSourceError[];
} {
  const r = new Reader();
  const tables: Record<string, TableModel> = {};
  for (const entityFile of listFiles(path.join(dir, 'Entities'), (f) => path.basename(f) === 'Entity.xml')) {
    const table = readTable(r, entityFile, { prefix: '', isPlatform: true });
    if (table) tables[table.logicalName] = table;
  }
  const relationships: RelationshipModel[] = [];
  for (const file of listFiles(path.join(dir, 'Other', 'Relationships'), (f) => f.endsWith('.xml'))) {
    const doc = r.read(file);
    for (const el of doc ? descendants(doc.root, 'EntityRelationship') : []) {
      const rel = readRelationship(r, el, file);
      if (rel) relationships.push(rel);
    }
  }
  applyRelationshipTargets(tables, relationships);
  return { tables, relationships, problems: r.problems };
}

/** The solutions under `root`: every folder holding `src/Other/Solution.xml`, by name. */
export function solutionDirs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'platform')
    .map((d) => path.join(root, d.name))
    .filter((d) => fs.existsSync(path.join(solutionSrcDir(d), 'Other', 'Solution.xml')))
    .sort();
}

/** Loads `solution/platform/` and every solution under `root`, merged; throws listing every problem. */
export function loadMetadata(root = 'solution'): MetadataModel {
  const platform = loadPlatform(path.join(root, 'platform'));
  const problems = [...platform.problems];
  const solutions: SolutionModel[] = [];
  for (const dir of solutionDirs(root)) {
    const source = readSolutionSource(dir);
    problems.push(...source.problems);
    if (source.model) solutions.push(source.model);
  }
  const merged = mergeMetadata(platform.tables, solutions, platform.relationships);
  problems.push(...merged.problems);
  if (problems.length > 0) throw new InvalidSolutionSourceError(problems, root);
  return merged.metadata;
}
