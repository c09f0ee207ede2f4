/**
 * The rows an import leaves in the solution-aware platform tables, as Dataverse does: one
 * environmentvariabledefinition per entry of the zip's `environmentvariabledefinitions/` ("Environment
 * variables overview": the definition is a solution component, its value is not), found again by schema
 * name, and one serviceendpoint per `<ServiceEndpoint>` of customizations.xml, by its id ("Register a
 * WebHook": URL and key are per environment, never exported), and one customcontrol per PCF control
 * (`<CustomControl>`: its name, manifest and version, as "CustomControl EntityType" lists them). A later
 * import brings the exported columns up to date and leaves the endpoint's URL and key as deploy set them.
 */
import { readFile } from 'node:fs/promises';
import {
  customcontrol as CONTROL,
  environmentvariabledefinition as DEF,
  sdkmessageprocessingstep as STEP,
  serviceendpoint as SE,
  solution as SOLUTION,
} from '../../../dataverse/generated';
import type { ControlModel, SolutionModel } from '../../solution/model';
import { attr, child, parseXml, XmlSyntaxError } from '../../solution/xml';
import type { Engine } from '../engine/engine';

type Row = Record<string, string | number | boolean | null>;

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Creates the row, or updates the columns that differ; nothing is written when all match. */
async function upsert(
  engine: Engine,
  entitySet: string,
  filter: string,
  row: Row,
  createOnly: Row = {},
): Promise<void> {
  const [existing] = (await engine.query(entitySet, { filter, top: 1 })).records;
  if (!existing) {
    await engine.create(entitySet, { ...createOnly, ...row });
    return;
  }
  const changed = Object.fromEntries(Object.entries(row).filter(([k, v]) => existing[k] !== v));
  const id = existing[engine.metadata.table(entitySet).primaryId];
  if (Object.keys(changed).length > 0 && typeof id === 'string') await engine.update(entitySet, id, changed);
}

/** `<control version="1.0.0">` of a ControlManifest.xml, the version a PCF control is updated by. */
function manifestVersion(xml: string, file: string): string | null {
  let root;
  try {
    root = parseXml(xml, file).root;
  } catch (error) {
    // The manifest is recorded as it is; a version that cannot be read is left empty.
    if (error instanceof XmlSyntaxError) return null;
    throw error;
  }
  const control = child(root, 'control');
  return (control && attr(control, 'version')) ?? null;
}

/** What the solution row records of the zip's manifest. */
export interface InstalledSolution {
  readonly uniqueName: string;
  readonly friendlyName: string;
  readonly version: string;
  readonly managed: boolean;
}

/**
 * Writes the solution's row ("solution EntityType": uniquename, version, ismanaged), its definitions,
 * endpoints and steps (enabled, as an import leaves them); an environment without a table gets none.
 */
export async function recordSolutionComponents(
  engine: Engine,
  solution: SolutionModel,
  installed?: InstalledSolution,
  /** Where a control's built ControlManifest.xml is; an imported zip carries it at `manifestFile`. */
  manifestOf: (control: ControlModel) => string = (control) => control.manifestFile,
): Promise<void> {
  if (installed && engine.metadata.tryTable(SOLUTION.entitySetName)) {
    const C = SOLUTION.columns;
    await upsert(engine, SOLUTION.entitySetName, `${C.uniquename} eq ${literal(installed.uniqueName)}`, {
      [C.uniquename]: installed.uniqueName,
      [C.friendlyname]: installed.friendlyName,
      [C.version]: installed.version,
      [C.ismanaged]: installed.managed,
    });
  }
  if (engine.metadata.tryTable(STEP.entitySetName)) {
    const C = STEP.columns;
    for (const step of solution.steps) {
      await upsert(
        engine,
        STEP.entitySetName,
        `${C.sdkmessageprocessingstepid} eq ${step.id}`,
        { [C.name]: step.name },
        {
          [C.sdkmessageprocessingstepid]: step.id,
          [C.statecode]: STEP.choices.statecode.Enabled,
          [C.statuscode]: STEP.choices.statuscode.Enabled,
        },
      );
    }
  }
  if (engine.metadata.tryTable(DEF.entitySetName)) {
    const C = DEF.columns;
    for (const variable of solution.environmentVariables) {
      await upsert(engine, DEF.entitySetName, `${C.schemaname} eq ${literal(variable.schemaName)}`, {
        [C.schemaname]: variable.schemaName,
        [C.displayname]: variable.displayName[1033] ?? variable.schemaName,
        [C.type]: variable.type,
        [C.defaultvalue]: variable.defaultValue ?? null,
      });
    }
  }
  if (engine.metadata.tryTable(CONTROL.entitySetName)) {
    const C = CONTROL.columns;
    for (const control of solution.controls) {
      const file = manifestOf(control);
      const manifest = await readFile(file, 'utf8').catch(() => null);
      await upsert(engine, CONTROL.entitySetName, `${C.name} eq ${literal(control.name)}`, {
        [C.name]: control.name,
        [C.version]: manifest === null ? null : manifestVersion(manifest, file),
        [C.manifest]: manifest,
      });
    }
  }
  if (engine.metadata.tryTable(SE.entitySetName)) {
    const C = SE.columns;
    for (const endpoint of solution.serviceEndpoints) {
      const row: Row = { [C.name]: endpoint.name };
      // The loader reads a missing element as 0, which no choice has: leave those to the platform.
      if (endpoint.contract) row[C.contract] = endpoint.contract;
      if (endpoint.authType) row[C.authtype] = endpoint.authType;
      if (endpoint.messageFormat) row[C.messageformat] = endpoint.messageFormat;
      await upsert(engine, SE.entitySetName, `${C.serviceendpointid} eq ${endpoint.id}`, row, {
        [C.serviceendpointid]: endpoint.id,
      });
    }
  }
}
