/**
 * `ideario unpack <zip> <folder>`: splits a solution zip (ours, or one exported from Dataverse) into
 * the SolutionPackager / `pac solution unpack` layout under `<folder>/src/`, so an admin can export a
 * solution, unpack it and commit it. `pack` is its inverse: `pack(unpack(z))` has the same parts as
 * `z` and the same XML once both are in canonical form.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  braceGuid,
  CUSTOMIZATIONS,
  DASHBOARDS_DIR,
  RELATIONSHIP_LIST,
  RELATIONSHIPS_DIR,
  safeFileName,
  SOLUTION_MANIFEST,
  webResourcePath,
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
  textOf,
  writeXml,
  type XmlElement,
} from './xml';
import { readZip, UnsafeZipEntryError, type Parts } from './zip';

/** The zip has no `customizations.xml`, so it is not a Dataverse solution. */
export class NotASolutionZipError extends Error {
  constructor(readonly file: string) {
    super(`${file} is not a Dataverse solution: it has no customizations.xml.`);
    this.name = 'NotASolutionZipError';
  }
}

/** `customizations.xml` names a file (a web resource's content) that the zip does not hold. */
export class MissingPartError extends Error {
  constructor(
    readonly part: string,
    readonly referencedBy: string,
  ) {
    super(`${referencedBy} refers to ${part}, which is not in the zip.`);
    this.name = 'MissingPartError';
  }
}

/** The target folder holds something that is not an unpacked solution; unpack will not overwrite it. */
export class UnsafeTargetFolderError extends Error {
  constructor(readonly folder: string) {
    super(
      `${folder}/src exists and is not an unpacked solution (no Other/Solution.xml or Other/Customizations.xml). ` +
        'Choose an empty folder, or the folder of the solution being updated.',
    );
    this.name = 'UnsafeTargetFolderError';
  }
}

/** Source files are written like SolutionPackager writes them: no BOM, declaration, two-space indent. */
function sourceXml(root: XmlElement): Uint8Array {
  return encodeUtf8(writeXml(root, { finalNewline: true }));
}

/** A component element as the root of its own file, with the xsi declaration it may rely on. */
function asFileRoot(element: XmlElement): XmlElement {
  if (!attr(element, 'xmlns:xsi')) element.attributes.push({ name: 'xmlns:xsi', value: XSI_NAMESPACE });
  return element;
}

function wrapper(name: string, children: XmlElement[]): XmlElement {
  return el(name, { 'xmlns:xsi': XSI_NAMESPACE }, children);
}

function splitEntity(entity: XmlElement, out: SourceFiles): void {
  const nameElement = child(entity, 'Name');
  const info = child(entity, 'EntityInfo');
  const name = textOf(nameElement) || (info ? (attr(child(info, 'entity') ?? info, 'Name') ?? '') : '');
  const dir = `Entities/${safeFileName(name)}`;
  const formXml = child(entity, 'FormXml');
  if (formXml) {
    for (const forms of elements(formXml, 'forms')) {
      const type = safeFileName(attr(forms, 'type') ?? 'main');
      for (const form of elements(forms, 'systemform')) {
        const id = braceGuid(childText(form, 'formid') ?? '');
        out.set(`${dir}/FormXml/${type}/${id}.xml`, sourceXml(wrapper('forms', [form])));
      }
    }
    formXml.children = [];
  }
  const queries = child(entity, 'SavedQueries');
  if (queries) {
    for (const group of elements(queries, 'savedqueries')) {
      for (const query of elements(group, 'savedquery')) {
        const id = braceGuid(childText(query, 'savedqueryid') ?? '');
        out.set(`${dir}/SavedQueries/${id}.xml`, sourceXml(wrapper('savedqueries', [query])));
      }
    }
    queries.children = [];
  }
  const charts = child(entity, 'Visualizations');
  if (charts) {
    for (const chart of elements(charts, 'visualization')) {
      const id = braceGuid(childText(chart, 'savedqueryvisualizationid') ?? '');
      out.set(`${dir}/Visualizations/${id}.xml`, sourceXml(asFileRoot(chart)));
    }
    charts.children = [];
  }
  out.set(`${dir}/Entity.xml`, sourceXml(asFileRoot(entity)));
}

function splitRelationships(section: XmlElement, out: SourceFiles): void {
  const relationships = elements(section, 'EntityRelationship');
  out.set(
    RELATIONSHIP_LIST,
    sourceXml(
      wrapper(
        'EntityRelationships',
        relationships.map((r) => el('EntityRelationship', { Name: attr(r, 'Name') ?? '' })),
      ),
    ),
  );
  const byTable = new Map<string, XmlElement[]>();
  for (const rel of relationships) {
    // One-to-many relationships live with their referenced table, many-to-many with the first one.
    const table = childText(rel, 'ReferencedEntityName') || childText(rel, 'FirstEntityName') || 'other';
    const list = byTable.get(table) ?? [];
    list.push(rel);
    byTable.set(table, list);
  }
  for (const [table, list] of byTable) {
    out.set(
      `${RELATIONSHIPS_DIR}${safeFileName(table)}.xml`,
      sourceXml(wrapper('EntityRelationships', list)),
    );
  }
}

/**
 * Splits the parts of a solution zip into source files (paths relative to `src/`). Components go
 * to their own files; `Other/Customizations.xml` keeps the remaining sections and empty placeholders
 * that mark where the split ones go back. Service endpoints stay in `Customizations.xml`:
 * SolutionPackager files them in `PluginAssemblies/ServiceEndpoints.xml`, which `pack` accepts but
 * the solution loader does not read.
 */
export function unpackParts(parts: Parts, zipName = 'zip'): SourceFiles {
  const customizationsBytes = parts.get('customizations.xml');
  if (!customizationsBytes) throw new NotASolutionZipError(zipName);
  const out: SourceFiles = new Map();
  const consumed = new Set(['customizations.xml', 'solution.xml']);
  const root = parseXml(customizationsBytes, `${zipName}/customizations.xml`).root;

  for (const section of elements(root)) {
    switch (section.name) {
      case 'Entities':
        elements(section, 'Entity').forEach((e) => splitEntity(e, out));
        break;
      case 'Roles':
        for (const role of elements(section, 'Role')) {
          out.set(
            `Roles/${safeFileName(attr(role, 'name') ?? braceGuid(attr(role, 'id') ?? ''))}.xml`,
            sourceXml(asFileRoot(role)),
          );
        }
        break;
      case 'EntityRelationships':
        splitRelationships(section, out);
        break;
      case 'optionsets':
        for (const set of elements(section, 'optionset')) {
          out.set(`OptionSets/${safeFileName(attr(set, 'Name') ?? '')}.xml`, sourceXml(asFileRoot(set)));
        }
        break;
      case 'WebResources':
        for (const resource of elements(section, 'WebResource')) {
          const name = childText(resource, 'Name') ?? '';
          const fileName = (childText(resource, 'FileName') ?? `/WebResources/${name}`).replace(/^\/+/, '');
          const content = parts.get(fileName);
          if (!content) throw new MissingPartError(fileName, `Web resource ${name}`);
          consumed.add(fileName);
          const file = `WebResources/${webResourcePath(name)}`;
          out.set(file, content);
          out.set(`${file}.data.xml`, sourceXml(asFileRoot(resource)));
        }
        break;
      case 'CustomControls':
        for (const control of elements(section, 'CustomControl')) {
          const name = childText(control, 'Name') ?? '';
          const folder = `Controls/${safeFileName(name)}`;
          for (const [part, bytes] of parts) {
            if (part.startsWith(`Controls/${name}/`)) {
              out.set(`${folder}/${part.slice(`Controls/${name}/`.length)}`, bytes);
              consumed.add(part);
            }
          }
          out.set(`${folder}/ControlManifest.xml.data.xml`, sourceXml(asFileRoot(control)));
        }
        break;
      case 'SdkMessageProcessingSteps':
        for (const step of elements(section, 'SdkMessageProcessingStep')) {
          out.set(
            `SdkMessageProcessingSteps/${braceGuid(attr(step, 'SdkMessageProcessingStepId') ?? '')}.xml`,
            sourceXml(asFileRoot(step)),
          );
        }
        break;
      case 'Dashboards':
        for (const dashboard of elements(section, 'Dashboard')) {
          const id = braceGuid(childText(dashboard, 'FormId') ?? '');
          out.set(`${DASHBOARDS_DIR}${id}.xml`, sourceXml(asFileRoot(dashboard)));
        }
        break;
      case 'AppModuleSiteMaps':
        for (const map of elements(section, 'AppModuleSiteMap')) {
          const name = safeFileName(childText(map, 'SiteMapUniqueName') ?? '');
          out.set(`AppModuleSiteMaps/${name}/AppModuleSiteMap.xml`, sourceXml(asFileRoot(map)));
        }
        break;
      case 'AppModules':
        for (const app of elements(section, 'AppModule')) {
          const name = safeFileName(childText(app, 'UniqueName') ?? '');
          out.set(`AppModules/${name}/AppModule.xml`, sourceXml(asFileRoot(app)));
        }
        break;
      default:
        continue;
    }
    section.children = [];
  }
  out.set(CUSTOMIZATIONS, sourceXml(root));
  const manifest = parts.get('solution.xml');
  if (manifest) out.set(SOLUTION_MANIFEST, sourceXml(parseXml(manifest, `${zipName}/solution.xml`).root));
  // Everything else (environment variables, workflows, [Content_Types].xml…) keeps its path.
  for (const [part, bytes] of parts) {
    if (!consumed.has(part)) out.set(part, bytes);
  }
  return out;
}

async function isSolutionSource(src: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(src);
  } catch {
    return true; // does not exist yet
  }
  if (entries.length === 0) return true;
  try {
    await readFile(path.join(src, ...SOLUTION_MANIFEST.split('/')));
    return true;
  } catch {
    try {
      await readFile(path.join(src, ...CUSTOMIZATIONS.split('/')));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Unpacks `zipFile` into `<folder>/src/`, replacing what an earlier unpack left there (so a form
 * deleted in Dataverse disappears from the source too). Returns the files written.
 */
export async function unpackZip(zipFile: string, folder: string): Promise<string[]> {
  const parts = await readZip(await readFile(zipFile), zipFile);
  const files = unpackParts(parts, path.basename(zipFile));
  const src = path.resolve(folder, 'src');
  // Every target is checked before the old source is removed, so a refused zip changes nothing.
  const targets = [...files]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([rel, bytes]) => {
      const file = path.resolve(src, ...rel.split('/'));
      const inside = path.relative(src, file);
      if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
        throw new UnsafeZipEntryError(zipFile, rel);
      }
      return [file, bytes] as const;
    });
  if (!(await isSolutionSource(src))) throw new UnsafeTargetFolderError(folder);
  await rm(src, { recursive: true, force: true });
  const written: string[] = [];
  for (const [file, bytes] of targets) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
    written.push(file);
  }
  return written;
}
