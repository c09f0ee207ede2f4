/**
 * The `<MissingDependencies>` of a solution's `solution.xml`, computed from its components as Dataverse
 * computes them on export: every platform component the solution extends or uses without shipping it
 * (a standard table it adds columns to, a standard table its relationships point at) is one
 * `<MissingDependency>` per dependent component, `<Required type schemaName displayName solution>` and
 * `<Dependent type schemaName displayName [parentSchemaName parentDisplayName]>`, as in a real export
 * (`__fixtures__/dataverse-export/solution.xml`) and as the "MissingDependency" type describes it
 * (learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/missingdependency). An
 * importing environment that lacks a Required component refuses the import and names it
 * (learn.microsoft.com/troubleshoot/power-platform/dataverse/working-with-solutions/missing-dependency-on-solution-import).
 */
import type { SolutionModel, TableModel } from './model';
import { attr, child, el, elements, type XmlElement } from './xml';

/** "solutioncomponent componenttype": 1 Entity, 2 Attribute, 10 Entity Relationship. */
export const DEPENDENCY_COMPONENT = { table: 1, column: 2, relationship: 10 } as const;
export type DependencyComponentType = (typeof DEPENDENCY_COMPONENT)[keyof typeof DEPENDENCY_COMPONENT];

export interface DependencyComponent {
  readonly type: DependencyComponentType;
  readonly schemaName: string;
  readonly displayName: string;
  readonly parentSchemaName?: string;
  readonly parentDisplayName?: string;
}

export interface MissingDependencyEntry {
  /** The platform component the solution needs; `solution` is the first-party solution that ships it. */
  readonly required: DependencyComponent & { readonly solution: string };
  /** The solution's own component that needs it. */
  readonly dependent: DependencyComponent;
}

export interface FirstPartySolution {
  readonly uniqueName: string;
  readonly friendlyName: string;
}

/**
 * Which first-party solution ships a standard table. Contact, account, activities and the rest of the
 * Common Data Model come with every environment ("System"). Opportunity, marketing lists, campaigns and
 * orders come with Dynamics 365 Sales; Case (incident) with Dynamics 365 Customer Service.
 * NOT VERIFIED against a live export: Microsoft's docs do not list the owning solution of each table,
 * and exports write `<unique name> (<version>)` of the installed version (e.g.
 * `msdyn_UserExperiencesExtendedSettings (1.0.0.317)`); the unique names below are the ones these apps
 * install as far as we know, without a version since it varies by environment.
 */
export const SYSTEM_SOLUTION: FirstPartySolution = { uniqueName: 'System', friendlyName: 'System' };
export const SALES_SOLUTION: FirstPartySolution = {
  uniqueName: 'msdynce_Sales',
  friendlyName: 'Dynamics 365 Sales',
};
export const CUSTOMER_SERVICE_SOLUTION: FirstPartySolution = {
  uniqueName: 'msdynce_Service',
  friendlyName: 'Dynamics 365 Customer Service',
};
const FIRST_PARTY_TABLES: Readonly<Record<string, FirstPartySolution>> = {
  opportunity: SALES_SOLUTION,
  list: SALES_SOLUTION,
  listmember: SALES_SOLUTION,
  campaign: SALES_SOLUTION,
  campaignactivity: SALES_SOLUTION,
  campaignactivityitem: SALES_SOLUTION,
  campaignresponse: SALES_SOLUTION,
  salesorder: SALES_SOLUTION,
  incident: CUSTOMER_SERVICE_SOLUTION,
};

export function firstPartySolutionOf(table: string): FirstPartySolution {
  return FIRST_PARTY_TABLES[table] ?? SYSTEM_SOLUTION;
}

/** By unique name: the friendly name an admin looks for in the app catalogue. */
export function firstPartySolutionNamed(uniqueName: string): FirstPartySolution | undefined {
  return [SYSTEM_SOLUTION, SALES_SOLUTION, CUSTOMER_SERVICE_SOLUTION].find(
    (s) => s.uniqueName.toLowerCase() === uniqueName.replace(/\s*\(.*\)\s*$/, '').toLowerCase(),
  );
}

/**
 * Ownership and security tables every environment has before any app: exports never list them
 * (`owner_…`, `business_unit_…`, `lk_…_createdby` point at them in every custom table).
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

function english(labels: TableModel['displayName']): string {
  return labels[1033] ?? Object.values(labels)[0] ?? '';
}

/**
 * What `solution` needs from the platform tables (`solution/platform/`), sorted by required table then
 * dependent component, so packing twice writes the same bytes.
 */
export function computeMissingDependencies(
  solution: SolutionModel,
  platformTables: Readonly<Record<string, TableModel>>,
): MissingDependencyEntry[] {
  const entries = new Map<string, MissingDependencyEntry>();
  const requiredTable = (name: string) => {
    const table = platformTables[name];
    if (!table || INTRINSIC_TABLES.has(name)) return undefined;
    // A table the solution only extends is not shipped by it (behavior 2 carries no table definition).
    if (solution.tables[name] && !solution.tables[name].isExtension) return undefined;
    return {
      type: DEPENDENCY_COMPONENT.table,
      schemaName: name,
      displayName: english(table.displayName) || name,
      solution: firstPartySolutionOf(name).uniqueName,
    };
  };
  const add = (required: MissingDependencyEntry['required'] | undefined, dependent: DependencyComponent) => {
    if (!required) return;
    const key = `${required.schemaName}|${dependent.type}|${dependent.parentSchemaName ?? ''}|${dependent.schemaName}`;
    if (!entries.has(key)) entries.set(key, { required, dependent });
  };
  for (const table of Object.values(solution.tables)) {
    if (!table.isExtension) continue;
    const parentDisplayName = english(platformTables[table.logicalName]?.displayName ?? table.displayName);
    for (const column of Object.values(table.columns)) {
      if (!column.isCustom) continue;
      add(requiredTable(table.logicalName), {
        type: DEPENDENCY_COMPONENT.column,
        schemaName: column.logicalName,
        displayName: english(column.displayName) || column.logicalName,
        parentSchemaName: table.logicalName,
        parentDisplayName: parentDisplayName || table.logicalName,
      });
    }
  }
  for (const rel of solution.relationships) {
    for (const end of new Set([rel.referencedEntity, rel.referencingEntity])) {
      add(requiredTable(end), {
        type: DEPENDENCY_COMPONENT.relationship,
        schemaName: rel.name,
        displayName: rel.name,
      });
    }
  }
  const text = (d: DependencyComponent) => `${d.parentSchemaName ?? ''}\u0000${d.schemaName}`;
  return [...entries.values()].sort(
    (a, b) =>
      cmp(a.required.schemaName, b.required.schemaName) ||
      a.dependent.type - b.dependent.type ||
      cmp(text(a.dependent), text(b.dependent)),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function componentAttributes(c: DependencyComponent): Record<string, string | number> {
  return {
    type: c.type,
    schemaName: c.schemaName,
    displayName: c.displayName,
    ...(c.parentSchemaName ? { parentSchemaName: c.parentSchemaName } : {}),
    ...(c.parentDisplayName ? { parentDisplayName: c.parentDisplayName } : {}),
  };
}

/** `<MissingDependencies>` with one `<MissingDependency>` per entry, attributes in the export's order. */
export function missingDependenciesElement(entries: readonly MissingDependencyEntry[]): XmlElement {
  return el(
    'MissingDependencies',
    null,
    entries.map((e) =>
      el('MissingDependency', null, [
        el('Required', {
          type: e.required.type,
          schemaName: e.required.schemaName,
          displayName: e.required.displayName,
          solution: e.required.solution,
        }),
        el('Dependent', componentAttributes(e.dependent)),
      ]),
    ),
  );
}

/** Replaces the manifest's `<MissingDependencies>` (placed after `<RootComponents>` when absent). */
export function setMissingDependencies(
  manifest: XmlElement,
  entries: readonly MissingDependencyEntry[],
): void {
  const section = missingDependenciesElement(entries);
  const index = manifest.children.findIndex((c) => c.kind === 'element' && c.name === 'MissingDependencies');
  if (index >= 0) {
    manifest.children[index] = section;
    return;
  }
  const roots = manifest.children.findIndex((c) => c.kind === 'element' && c.name === 'RootComponents');
  manifest.children.splice(roots < 0 ? manifest.children.length : roots + 1, 0, section);
}

/** Reads `<MissingDependencies>` back (tests, the emulator's import). */
export function readMissingDependencies(manifest: XmlElement): MissingDependencyEntry[] {
  const section = child(manifest, 'MissingDependencies');
  const read = (e: XmlElement | undefined): DependencyComponent | undefined => {
    if (!e) return undefined;
    const type = Number(attr(e, 'type'));
    const parentSchemaName = attr(e, 'parentSchemaName');
    const parentDisplayName = attr(e, 'parentDisplayName');
    return {
      type: type as DependencyComponentType,
      schemaName: attr(e, 'schemaName') ?? '',
      displayName: attr(e, 'displayName') ?? '',
      ...(parentSchemaName ? { parentSchemaName } : {}),
      ...(parentDisplayName ? { parentDisplayName } : {}),
    };
  };
  return (section ? elements(section, 'MissingDependency') : []).flatMap((m) => {
    const requiredEl = child(m, 'Required');
    const required = read(requiredEl);
    const dependent = read(child(m, 'Dependent'));
    if (!requiredEl || !required || !dependent) return [];
    return [{ required: { ...required, solution: attr(requiredEl, 'solution') ?? '' }, dependent }];
  });
}
