/**
 * A solution zip → the metadata the engine runs. The zip is split with `unpack.ts` into the
 * SolutionPackager layout and read with the same loader `ideario pack` and `typegen` use, so an
 * imported solution means exactly what the source means. Dependencies are checked the way Dataverse
 * refuses an import ("Solution concepts", Dependency tracking): every table the solution extends, every
 * lookup target, and every global choice it binds must exist in the environment or in the solution.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readSolutionSource } from '../../solution/loader';
import { formatSolutionSourceError } from '../../solution/errors';
import { mergeMetadata } from '../../solution/loader';
import type { MetadataModel, RelationshipModel, SolutionModel } from '../../solution/model';
import { unpackParts } from '../../solution/unpack';
import { attr, child, childText, elements, parseXml } from '../../solution/xml';
import { readZip, type Parts } from '../../solution/zip';
import { CorruptSolutionFileError, InvalidSolutionContentError, type MissingComponent } from './errors';

export interface SolutionDetails {
  readonly uniqueName: string;
  readonly friendlyName: string;
  readonly version: string;
  readonly managed: boolean;
  readonly description: string;
  readonly publisherUniqueName: string;
  readonly publisherFriendlyName: string;
}

export interface SolutionFile {
  readonly details: SolutionDetails;
  readonly solution: SolutionModel;
  /** Components `solution.xml` itself lists under `<MissingDependencies>`. */
  readonly declaredMissing: readonly MissingComponent[];
}

function localized(parent: ReturnType<typeof child>, container: string): string {
  if (!parent) return '';
  const list = child(parent, container);
  const items = list ? elements(list) : [];
  const english = items.find((item) => attr(item, 'languagecode') === '1033') ?? items[0];
  return english ? (attr(english, 'description') ?? '') : '';
}

function manifestDetails(parts: Parts): { details: SolutionDetails; declaredMissing: MissingComponent[] } {
  const bytes = parts.get('solution.xml');
  if (!bytes) throw new CorruptSolutionFileError('the zip has no solution.xml');
  let root;
  try {
    root = parseXml(bytes, 'solution.xml').root;
  } catch (error) {
    throw new CorruptSolutionFileError(
      `solution.xml is not well-formed XML (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const manifest = child(root, 'SolutionManifest');
  const uniqueName = manifest ? childText(manifest, 'UniqueName')?.trim() : undefined;
  if (!manifest || !uniqueName)
    throw new CorruptSolutionFileError('solution.xml has no <SolutionManifest><UniqueName>');
  const publisher = child(manifest, 'Publisher');
  const declaredMissing: MissingComponent[] = [];
  for (const missing of elements(
    child(manifest, 'MissingDependencies') ?? { kind: 'element', name: '', attributes: [], children: [] },
    'MissingDependency',
  )) {
    const required = child(missing, 'Required');
    const dependent = child(missing, 'Dependent');
    const type = Number(required ? attr(required, 'type') : NaN);
    const schemaName = required ? (attr(required, 'schemaName') ?? '') : '';
    if ((type === 1 || type === 2 || type === 9) && schemaName) {
      const parent = required ? attr(required, 'parentSchemaName') : undefined;
      const dependentName = dependent && (attr(dependent, 'schemaName') ?? attr(dependent, 'displayName'));
      const dependentParent = dependent && attr(dependent, 'parentSchemaName');
      const displayName = required && attr(required, 'displayName');
      const solution = required && attr(required, 'solution');
      declaredMissing.push({
        type,
        schemaName: parent ? `${parent}.${schemaName}` : schemaName,
        requiredBy: dependentName
          ? dependentParent
            ? `${dependentParent}.${dependentName}`
            : dependentName
          : uniqueName,
        ...(displayName ? { displayName } : {}),
        ...(solution ? { solution } : {}),
      });
    }
  }
  return {
    details: {
      uniqueName,
      friendlyName: localized(manifest, 'LocalizedNames') || uniqueName,
      version: childText(manifest, 'Version')?.trim() ?? '',
      managed: childText(manifest, 'Managed')?.trim() === '1',
      description: localized(manifest, 'Descriptions'),
      publisherUniqueName: publisher ? (childText(publisher, 'UniqueName')?.trim() ?? '') : '',
      publisherFriendlyName: localized(publisher, 'LocalizedNames'),
    },
    declaredMissing,
  };
}

/**
 * Reads a solution zip into its model. The unpacked source is written under `workDir/<UniqueName>/`
 * and kept there, because web resources and controls are served from the files the model points at.
 */
export async function readSolutionFile(bytes: Uint8Array, workDir: string): Promise<SolutionFile> {
  let parts: Parts;
  try {
    parts = await readZip(bytes, 'CustomizationFile');
  } catch (error) {
    throw new CorruptSolutionFileError(error instanceof Error ? error.message : String(error));
  }
  if (!parts.has('customizations.xml'))
    throw new CorruptSolutionFileError('the zip has no customizations.xml');
  const { details, declaredMissing } = manifestDetails(parts);
  let files: Map<string, Uint8Array>;
  try {
    files = unpackParts(parts, `${details.uniqueName}.zip`);
  } catch (error) {
    throw new CorruptSolutionFileError(error instanceof Error ? error.message : String(error));
  }
  const dir = path.join(workDir, details.uniqueName.replace(/[^A-Za-z0-9_.-]/g, '_'));
  await rm(dir, { recursive: true, force: true });
  for (const [rel, content] of files) {
    const file = path.join(dir, 'src', ...rel.split('/'));
    if (!file.startsWith(path.join(dir, 'src') + path.sep))
      throw new CorruptSolutionFileError(`the zip entry '${rel}' points outside the solution`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  const source = readSolutionSource(dir);
  if (!source.model || source.problems.length > 0) {
    throw new InvalidSolutionContentError(details.uniqueName, source.problems.map(formatSolutionSourceError));
  }
  return { details, solution: source.model, declaredMissing };
}

/**
 * Tables every Dataverse environment has from the start (ownership, security and currency plumbing):
 * exports reference them in system relationships (`business_unit_…`, `owner_…`, `lk_…_createdby`), and
 * the emulator's metadata need not describe them for an import to be valid.
 */
const INTRINSIC_TABLES: ReadonlySet<string> = new Set([
  'systemuser',
  'team',
  'businessunit',
  'owner',
  'organization',
  'transactioncurrency',
  'principal',
]);

function pick(item: MissingComponent): Partial<MissingComponent> {
  return {
    ...(item.displayName ? { displayName: item.displayName } : {}),
    ...(item.solution ? { solution: item.solution } : {}),
  };
}

/** What the solution needs that neither the environment nor the solution itself provides. */
export function missingDependencies(file: SolutionFile, current: MetadataModel): MissingComponent[] {
  const { solution } = file;
  // A table the solution only adds columns to is not provided by it.
  const hasTable = (name: string) =>
    INTRINSIC_TABLES.has(name) ||
    name in current.tables ||
    (name in solution.tables && !solution.tables[name]?.isExtension);
  const hasChoice = (name: string) => name in current.optionSets || name in solution.optionSets;
  const missing: MissingComponent[] = [];
  const add = (item: MissingComponent) => {
    const index = missing.findIndex((m) => m.type === item.type && m.schemaName === item.schemaName);
    if (index < 0) missing.push(item);
    // Found by a lookup first, named by it; solution.xml adds what the table is called and what brings it.
    else missing[index] = { ...item, ...missing[index], ...pick(item) };
  };
  for (const table of Object.values(solution.tables)) {
    for (const column of Object.values(table.columns)) {
      const where = `${table.logicalName}.${column.logicalName}`;
      if (column.optionSetName && !hasChoice(column.optionSetName))
        add({ type: 9, schemaName: column.optionSetName, requiredBy: where });
      for (const target of column.targets ?? [])
        if (!hasTable(target)) add({ type: 1, schemaName: target, requiredBy: where });
    }
  }
  // After the lookups, so a missing table is named by the first column that points at it.
  for (const table of Object.values(solution.tables)) {
    if (table.isExtension && !(table.logicalName in current.tables)) {
      add({
        type: 1,
        schemaName: table.logicalName,
        requiredBy: `the columns ${solution.uniqueName} adds to it`,
      });
    }
  }
  for (const rel of solution.relationships) {
    for (const name of [rel.referencedEntity, rel.referencingEntity]) {
      if (!hasTable(name)) add({ type: 1, schemaName: name, requiredBy: `relationship ${rel.name}` });
    }
  }
  // What solution.xml declares (ideario pack computes it as Dataverse does on export).
  for (const item of file.declaredMissing) {
    const [table, column] = item.schemaName.split('.');
    const present =
      item.type === 1
        ? hasTable(item.schemaName)
        : item.type === 9
          ? hasChoice(item.schemaName)
          : !!(
              table &&
              column &&
              (current.tables[table]?.columns[column] ?? solution.tables[table]?.columns[column])
            );
    if (!present) add(item);
  }
  return missing;
}

/**
 * The environment's metadata with the solution added: new tables and choices, new columns on existing
 * tables, steps and endpoints. Importing a solution again (an upgrade) replaces its earlier version.
 */
export function mergeSolution(
  current: MetadataModel,
  solution: SolutionModel,
): { metadata: MetadataModel; problems: string[] } {
  const merged = mergeMetadata(current.tables, [solution]);
  const relationships: RelationshipModel[] = [...current.relationships];
  for (const rel of merged.metadata.relationships)
    if (!relationships.some((r) => r.name === rel.name)) relationships.push(rel);
  return {
    metadata: {
      tables: merged.metadata.tables,
      optionSets: { ...current.optionSets, ...merged.metadata.optionSets },
      relationships,
      solutions: [...current.solutions.filter((s) => s.uniqueName !== solution.uniqueName), solution],
    },
    problems: merged.problems.map(formatSolutionSourceError),
  };
}
