/**
 * A lookup-friendly view of the `MetadataModel` (`tools/solution/model.ts`): tables by logical and
 * entity set name, every column's type, options and lookup targets, navigation properties, and the
 * relationships a delete must follow. It also adds the system columns every Dataverse table has even
 * when an unpacked solution does not list them (primary key, createdon, modifiedon, versionnumber,
 * ownerid on user-owned tables, statecode/statuscode on custom tables).
 */
import type {
  CascadeType,
  ColumnModel,
  ColumnType,
  Labels,
  MetadataModel,
  OptionModel,
  TableModel,
} from '../../solution/model';
import { SYSTEM_SET_COLUMNS } from '../../solution/model';
import { UnknownColumnError, UnknownTableError } from './errors';

export interface ColumnInfo {
  readonly logicalName: string;
  readonly type: ColumnType;
  readonly model: ColumnModel;
  /** Lookup targets (logical names); empty for non-lookups. */
  readonly targets: readonly string[];
  /** Lookups that can point at more than one table keep the target table in a second SQL column. */
  readonly polymorphic: boolean;
  /** Options for Picklist/State/Status/Boolean columns, resolved from the global choice when bound to one. */
  readonly options: readonly OptionModel[];
  /** Columns the platform maintains: writes to them are ignored, as Dataverse does. */
  readonly readOnly: boolean;
}

export interface ChildReference {
  /** Relationship schema name, or `<table>.<column>` when the model declares none. */
  readonly name: string;
  readonly table: string;
  readonly column: string;
  readonly cascade: CascadeType;
}

export interface NavigationProperty {
  readonly name: string;
  readonly column: string;
  /** Undefined when the navigation property accepts any of the lookup's targets (ownerid). */
  readonly target?: string;
}

export interface TableInfo {
  readonly model: TableModel;
  readonly logicalName: string;
  readonly entitySetName: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly hasState: boolean;
  readonly hasOwner: boolean;
  readonly isActivity: boolean;
  readonly alternateKeys: readonly { name: string; columns: readonly string[] }[];
  readonly navigation: ReadonlyMap<string, NavigationProperty>;
  /** Lookups elsewhere that point at this table, with their delete behaviour. */
  readonly referencedBy: readonly ChildReference[];
  /** `<logicalname>_activity_parties` for activity tables. */
  readonly partiesProperty?: string;
  /** Party list columns (to, cc…), set and read through `partiesProperty`. */
  readonly partyLists: readonly string[];
}

/** Platform defaults for Dataverse's statecode/statuscode when a custom table's model omits them. */
const DEFAULT_STATE_OPTIONS: OptionModel[] = [
  { value: 0, label: { 1033: 'Active' }, identifier: 'Active' },
  { value: 1, label: { 1033: 'Inactive' }, identifier: 'Inactive' },
];
const DEFAULT_STATUS_OPTIONS: OptionModel[] = [
  { value: 1, label: { 1033: 'Active' }, identifier: 'Active', state: 0 },
  { value: 2, label: { 1033: 'Inactive' }, identifier: 'Inactive', state: 1 },
];
const BOOLEAN_OPTIONS: OptionModel[] = [
  { value: 0, label: { 1033: 'No' }, identifier: 'No' },
  { value: 1, label: { 1033: 'Yes' }, identifier: 'Yes' },
];

const LOOKUP_TYPES: ReadonlySet<ColumnType> = new Set(['Lookup', 'Customer', 'Owner']);
const ACTIVITY_POINTER = 'activitypointer';

export function isLookup(type: ColumnType): boolean {
  return LOOKUP_TYPES.has(type);
}

function syntheticColumn(
  logicalName: string,
  type: ColumnType,
  label: string,
  extra: Partial<ColumnModel> = {},
): ColumnModel {
  const displayName: Labels = { 1033: label };
  return {
    logicalName,
    type,
    displayName,
    description: {},
    requiredLevel: 'none',
    isCustom: false,
    ...extra,
  };
}

export class MetadataIndex {
  private readonly byLogical = new Map<string, TableInfo>();
  private readonly bySet = new Map<string, TableInfo>();

  constructor(readonly model: MetadataModel) {
    const tables = Object.values(model.tables);
    for (const table of tables) {
      const info = this.buildTable(table);
      this.byLogical.set(info.logicalName, info);
      this.bySet.set(info.entitySetName, info);
    }
    this.linkRelationships();
  }

  /** Resolves an entity set name (as in URLs) or a logical name; throws UnknownTableError. */
  table(name: string): TableInfo {
    const found = this.tryTable(name);
    if (!found) throw new UnknownTableError(name);
    return found;
  }

  tryTable(name: string): TableInfo | undefined {
    return this.bySet.get(name) ?? this.byLogical.get(name);
  }

  byLogicalName(name: string): TableInfo | undefined {
    return this.byLogical.get(name);
  }

  bySetName(name: string): TableInfo | undefined {
    return this.bySet.get(name);
  }

  tables(): TableInfo[] {
    return [...this.byLogical.values()];
  }

  column(table: TableInfo, name: string): ColumnInfo {
    const column = table.columns.get(name);
    if (!column) throw new UnknownColumnError(table.logicalName, name, lookupHint(table, name));
    return column;
  }

  private resolveOptions(column: ColumnModel): OptionModel[] {
    if (column.optionSetName) {
      const set = this.model.optionSets[column.optionSetName];
      if (set) return set.options;
    }
    if (column.options && column.options.length > 0) return column.options;
    if (column.type === 'Boolean') return BOOLEAN_OPTIONS;
    if (column.type === 'State') return DEFAULT_STATE_OPTIONS;
    if (column.type === 'Status') return DEFAULT_STATUS_OPTIONS;
    return [];
  }

  private buildTable(table: TableModel): TableInfo {
    const models = new Map<string, ColumnModel>(Object.entries(table.columns));
    const primaryId = table.primaryIdAttribute;
    const ensure = (model: ColumnModel) => {
      if (!models.has(model.logicalName)) models.set(model.logicalName, model);
    };
    ensure(
      syntheticColumn(primaryId, 'Uniqueidentifier', table.displayName[1033] ?? primaryId, {
        requiredLevel: 'systemrequired',
      }),
    );
    ensure(syntheticColumn('createdon', 'DateTime', 'Created On', { dateBehavior: 'UserLocal' }));
    ensure(syntheticColumn('modifiedon', 'DateTime', 'Modified On', { dateBehavior: 'UserLocal' }));
    ensure(
      syntheticColumn('overriddencreatedon', 'DateTime', 'Record Created On', { dateBehavior: 'UserLocal' }),
    );
    ensure(syntheticColumn('versionnumber', 'BigInt', 'Version Number'));
    if (table.ownership === 'UserOwned') {
      ensure(syntheticColumn('ownerid', 'Owner', 'Owner', { targets: ['systemuser', 'team'] }));
    }
    const declaresState = models.has('statecode');
    if (declaresState || (table.isCustom && table.ownership !== 'None')) {
      ensure(syntheticColumn('statecode', 'State', 'Status', { options: DEFAULT_STATE_OPTIONS }));
      ensure(syntheticColumn('statuscode', 'Status', 'Status Reason', { options: DEFAULT_STATUS_OPTIONS }));
    }

    const columns = new Map<string, ColumnInfo>();
    const navigation = new Map<string, NavigationProperty>();
    const partyLists: string[] = [];
    for (const [name, model] of models) {
      // Party lists (email to/cc…) are not properties in the Web API: they travel as <table>_activity_parties.
      if (model.type === 'PartyList') {
        partyLists.push(name);
        continue;
      }
      let targets: string[] = [];
      if (isLookup(model.type)) {
        targets = model.targets && model.targets.length > 0 ? [...model.targets] : defaultTargets(model.type);
      }
      const polymorphic = isLookup(model.type) && (targets.length > 1 || model.type !== 'Lookup');
      columns.set(name, {
        logicalName: name,
        type: model.type,
        model,
        targets,
        polymorphic,
        options: this.resolveOptions(model),
        readOnly: SYSTEM_SET_COLUMNS.has(name),
      });
      if (!isLookup(model.type)) continue;
      if (model.type === 'Owner' || targets.length <= 1) {
        // Named after the relationship, which is the lookup's name except where the source says otherwise.
        const nav = model.navigationProperty ?? name;
        navigation.set(nav, {
          name: nav,
          column: name,
          target: targets.length === 1 ? targets[0] : undefined,
        });
      }
      if (targets.length > 1 || model.type === 'Customer') {
        for (const target of targets) {
          // Dataverse names these after the relationship: parentcustomerid_account, regardingobjectid_account_email.
          navigation.set(`${name}_${target}`, { name: `${name}_${target}`, column: name, target });
          navigation.set(`${name}_${target}_${table.logicalName}`, {
            name: `${name}_${target}_${table.logicalName}`,
            column: name,
            target,
          });
        }
      }
    }
    return {
      model: table,
      logicalName: table.logicalName,
      entitySetName: table.entitySetName,
      primaryId,
      primaryName: table.primaryNameAttribute,
      columns,
      hasState: columns.has('statecode') && columns.get('statecode')?.type === 'State',
      hasOwner: columns.get('ownerid')?.type === 'Owner',
      isActivity: table.isActivity,
      alternateKeys: table.alternateKeys.map((key) => ({ name: key.name, columns: [...key.columns] })),
      navigation,
      referencedBy: [],
      partiesProperty: table.isActivity ? `${table.logicalName}_activity_parties` : undefined,
      partyLists,
    };
  }

  private linkRelationships(): void {
    const declared = new Map<string, { name: string; cascade: CascadeType }>();
    for (const rel of this.model.relationships) {
      declared.set(`${rel.referencingEntity}.${rel.referencingAttribute}.${rel.referencedEntity}`, {
        name: rel.name,
        cascade: rel.cascadeDelete,
      });
    }
    const children = new Map<string, ChildReference[]>();
    const add = (parent: string, child: ChildReference) => {
      const list = children.get(parent) ?? [];
      list.push(child);
      children.set(parent, list);
    };
    for (const table of this.byLogical.values()) {
      for (const column of table.columns.values()) {
        if (!isLookup(column.type) || column.type === 'Owner') continue;
        for (const target of column.targets) {
          if (target === ACTIVITY_POINTER) {
            // activityparty.activityid points at whichever activity table owns the party list.
            for (const activity of this.byLogical.values()) {
              if (activity.isActivity) {
                add(activity.logicalName, {
                  name: `${table.logicalName}.${column.logicalName}`,
                  table: table.logicalName,
                  column: column.logicalName,
                  cascade: 'Cascade',
                });
              }
            }
            continue;
          }
          const rel = declared.get(`${table.logicalName}.${column.logicalName}.${target}`);
          // Without a declared relationship Dataverse's default (Referential) behaviour applies: remove the
          // link; a marketing list's members and an activity's regarding rows go with their parent.
          const parental =
            table.logicalName === 'listmember' ||
            (table.isActivity && column.logicalName === 'regardingobjectid');
          add(target, {
            name: rel?.name ?? `${table.logicalName}.${column.logicalName}`,
            table: table.logicalName,
            column: column.logicalName,
            cascade: rel?.cascade ?? (parental ? 'Cascade' : 'RemoveLink'),
          });
        }
      }
    }
    for (const [parent, refs] of children) {
      const info = this.byLogical.get(parent);
      if (info) (info as { referencedBy: readonly ChildReference[] }).referencedBy = refs;
    }
  }
}

function defaultTargets(type: ColumnType): string[] {
  if (type === 'Owner') return ['systemuser', 'team'];
  if (type === 'Customer') return ['account', 'contact'];
  return [];
}

function lookupHint(table: TableInfo, name: string): string | undefined {
  const match = /^_(.+)_value$/.exec(name);
  if (match && table.columns.has(match[1] ?? '')) return undefined;
  const column = table.columns.get(name);
  if (column && isLookup(column.type))
    return `Lookups are read as '_${name}_value' and written as '${column.model.navigationProperty ?? name}@odata.bind'.`;
  if (table.partyLists.includes(name))
    return `Party lists are written and expanded as '${table.partiesProperty ?? ''}'.`;
  return undefined;
}

/** `_x_value` → `x` when x is a lookup column of the table. */
export function lookupFromValueName(table: TableInfo, name: string): ColumnInfo | undefined {
  const match = /^_(.+)_value$/.exec(name);
  if (!match) return undefined;
  const column = table.columns.get(match[1] ?? '');
  return column && isLookup(column.type) ? column : undefined;
}

/** The Edm type the Web API uses for a column type, for error messages and literals. */
export function edmType(type: ColumnType): string {
  switch (type) {
    case 'String':
    case 'Memo':
    case 'EntityName':
      return 'Edm.String';
    case 'Integer':
    case 'Picklist':
    case 'State':
    case 'Status':
      return 'Edm.Int32';
    case 'BigInt':
      return 'Edm.Int64';
    case 'Decimal':
    case 'Money':
      return 'Edm.Decimal';
    case 'Double':
      return 'Edm.Double';
    case 'Boolean':
      return 'Edm.Boolean';
    case 'DateTime':
      return 'Edm.DateTimeOffset';
    case 'DateOnly':
      return 'Edm.Date';
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return 'Edm.Guid';
    case 'PartyList':
      return 'Collection(Microsoft.Dynamics.CRM.activityparty)';
  }
}

/** The status a state gets when an update sets statecode alone ("Behavior of specialized update operations"). */
export function defaultStatusFor(table: TableInfo, state: number): number | undefined {
  const status = table.columns.get('statuscode');
  return status?.options.find((option) => option.state === state)?.value;
}
