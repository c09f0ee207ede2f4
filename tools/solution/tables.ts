/** Tables (Entity.xml), their system columns, global choices and relationships. */
import path from 'node:path';
import { type TableContext, readColumn, readOptions } from './columns';
import type {
  AlternateKeyModel,
  CascadeType,
  ColumnModel,
  ColumnType,
  OptionSetModel,
  RelationshipModel,
  TableModel,
} from './model';
import { derivedEntitySetName, toIdentifier } from './platform-names';
import { readVisualization } from './charts';
import { readForm, readViews } from './forms-views';
import { type Reader, listFiles } from './reader';
import {
  type XmlElement,
  attr,
  child,
  childrenNamed,
  descendants,
  flag,
  labelsOf,
  lower,
  own,
  textOf,
} from './source-xml';

const OWNERSHIP: Readonly<Record<string, TableModel['ownership']>> = {
  userowned: 'UserOwned',
  orgowned: 'OrganizationOwned',
  organizationowned: 'OrganizationOwned',
  businessowned: 'BusinessOwned',
  none: 'None',
};

export function readTable(
  r: Reader,
  entityFile: string,
  ctx: Omit<TableContext, 'logicalName' | 'file'>,
): TableModel | undefined {
  const doc = r.read(entityFile);
  if (!doc) return undefined;
  const entity = descendants(doc.root, 'entity')[0];
  const logicalName = lower(
    attr(entity, 'Name') ?? textOf(doc.root, 'Name') ?? path.basename(path.dirname(entityFile)),
  );
  const tctx: TableContext = { ...ctx, logicalName, file: entityFile };
  const columns: Record<string, ColumnModel> = {};
  let primaryId: string | undefined;
  let primaryName: string | undefined;
  for (const a of descendants(child(entity, 'attributes'), 'attribute')) {
    const rawType = lower(textOf(a, 'Type') ?? '');
    const column = readColumn(r, a, tctx);
    if (!column) continue;
    columns[column.logicalName] = column;
    if (rawType === 'primarykey') primaryId = column.logicalName;
    if ((textOf(a, 'DisplayMask') ?? '').split('|').includes('PrimaryName')) primaryName = column.logicalName;
  }
  const isCustom = !ctx.isPlatform && logicalName.startsWith(`${ctx.prefix}_`);
  const isActivity = flag(textOf(entity, 'IsActivity'));
  const keys: AlternateKeyModel[] = descendants(child(entity, 'EntityKeys'), 'EntityKey').map((k) => {
    const key: AlternateKeyModel = {
      name: lower(textOf(k, 'LogicalName') || textOf(k, 'Name') || ''),
      columns: childrenNamed(child(k, 'EntityKeyAttributes'), 'AttributeName').map((a) => lower(a.text)),
      displayName: labelsOf(child(k, 'displaynames')),
    };
    r.positions.set(key, k.line);
    return key;
  });
  const table: TableModel = {
    logicalName,
    entitySetName: textOf(entity, 'EntitySetName') || (isCustom ? derivedEntitySetName(logicalName) : ''),
    displayName: labelsOf(child(entity, 'LocalizedNames')),
    displayCollectionName: labelsOf(child(entity, 'LocalizedCollectionNames')),
    description: labelsOf(child(entity, 'Descriptions')),
    primaryIdAttribute: primaryId ?? (isActivity ? 'activityid' : `${logicalName}id`),
    primaryNameAttribute: primaryName ?? '',
    ownership: own(OWNERSHIP, lower(textOf(entity, 'OwnershipTypeMask') ?? '')) ?? 'UserOwned',
    isCustom,
    isActivity,
    isExtension: !ctx.isPlatform && !isCustom,
    columns,
    alternateKeys: keys,
    forms: [],
    views: [],
    file: entityFile,
  };
  if (table.displayName[1033] === undefined) {
    const localized = attr(child(doc.root, 'Name'), 'LocalizedName');
    if (localized) table.displayName[1033] = localized;
  }
  const tableDir = path.dirname(entityFile);
  for (const formFile of listFiles(path.join(tableDir, 'FormXml'), (f) => f.endsWith('.xml'))) {
    const formDoc = r.read(formFile);
    if (formDoc) table.forms.push(...readForm(r, formDoc, path.basename(path.dirname(formFile))));
  }
  for (const viewFile of listFiles(path.join(tableDir, 'SavedQueries'), (f) => f.endsWith('.xml'))) {
    const viewDoc = r.read(viewFile);
    if (viewDoc) table.views.push(...readViews(r, viewDoc));
  }
  for (const chartFile of listFiles(path.join(tableDir, 'Visualizations'), (f) => f.endsWith('.xml'))) {
    const chartDoc = r.read(chartFile);
    const chart = chartDoc && readVisualization(r, chartDoc, table.logicalName);
    if (chart) (table.visualizations ??= []).push(chart);
  }
  // Forms and views can also sit inline in Entity.xml (an unpack without --formxml splitting).
  for (const forms of descendants(child(doc.root, 'FormXml'), 'forms')) {
    table.forms.push(...readForm(r, { ...doc, root: forms }, attr(forms, 'type') ?? 'main'));
  }
  const inlineViews = child(doc.root, 'SavedQueries');
  if (inlineViews) table.views.push(...readViews(r, { ...doc, root: inlineViews }));
  r.positions.set(table, entity?.line ?? doc.root.line);
  return table;
}

function systemColumn(
  logicalName: string,
  type: ColumnType,
  label: string,
  extra: Partial<ColumnModel> = {},
): ColumnModel {
  return {
    logicalName,
    type,
    displayName: { 1033: label },
    description: {},
    requiredLevel: 'none',
    isCustom: false,
    ...extra,
  };
}

/**
 * Dataverse creates these columns with every custom table whether or not the exported Entity.xml
 * lists them ("Create and edit tables": standard columns of a new table), so the model has them too.
 */
export function addSystemColumns(table: TableModel): void {
  const add = (column: ColumnModel): void => {
    if (!table.columns[column.logicalName]) table.columns[column.logicalName] = column;
  };
  add(
    systemColumn(table.primaryIdAttribute, 'Uniqueidentifier', table.displayName[1033] ?? table.logicalName, {
      requiredLevel: 'systemrequired',
    }),
  );
  add(systemColumn('createdon', 'DateTime', 'Created On', { dateBehavior: 'UserLocal' }));
  add(systemColumn('createdby', 'Lookup', 'Created By', { targets: ['systemuser'] }));
  add(systemColumn('modifiedon', 'DateTime', 'Modified On', { dateBehavior: 'UserLocal' }));
  add(systemColumn('modifiedby', 'Lookup', 'Modified By', { targets: ['systemuser'] }));
  add(
    systemColumn('overriddencreatedon', 'DateTime', 'Record Created On', {
      dateBehavior: 'UserLocal',
      format: 'date',
    }),
  );
  add(systemColumn('importsequencenumber', 'Integer', 'Import Sequence Number'));
  add(systemColumn('versionnumber', 'BigInt', 'Version Number'));
  add(systemColumn('timezoneruleversionnumber', 'Integer', 'Time Zone Rule Version Number'));
  add(systemColumn('utcconversiontimezonecode', 'Integer', 'UTC Conversion Time Zone Code'));
  if (table.ownership === 'UserOwned') {
    add(
      systemColumn('ownerid', 'Owner', 'Owner', {
        requiredLevel: 'systemrequired',
        targets: ['systemuser', 'team'],
      }),
    );
    add(systemColumn('owningbusinessunit', 'Lookup', 'Owning Business Unit', { targets: ['businessunit'] }));
    add(systemColumn('owninguser', 'Lookup', 'Owning User', { targets: ['systemuser'] }));
    add(systemColumn('owningteam', 'Lookup', 'Owning Team', { targets: ['team'] }));
  } else if (table.ownership === 'OrganizationOwned') {
    add(systemColumn('organizationid', 'Lookup', 'Organization Id', { targets: ['organization'] }));
  }
  add(
    systemColumn('statecode', 'State', 'Status', {
      requiredLevel: 'systemrequired',
      options: [
        { value: 0, label: { 1033: 'Active' }, identifier: 'Active' },
        { value: 1, label: { 1033: 'Inactive' }, identifier: 'Inactive' },
      ],
    }),
  );
  add(
    systemColumn('statuscode', 'Status', 'Status Reason', {
      options: [
        { value: 1, label: { 1033: 'Active' }, identifier: 'Active', state: 0 },
        { value: 2, label: { 1033: 'Inactive' }, identifier: 'Inactive', state: 1 },
      ],
    }),
  );
}

export function readOptionSet(r: Reader, el: XmlElement, file: string): OptionSetModel | undefined {
  const name = lower(attr(el, 'Name') ?? '');
  if (!name) return undefined;
  const displayName = labelsOf(child(el, 'displaynames'));
  if (displayName[1033] === undefined && attr(el, 'localizedName'))
    displayName[1033] = attr(el, 'localizedName');
  const optionSet: OptionSetModel = {
    name,
    displayName,
    description: labelsOf(child(el, 'Descriptions')),
    options: readOptions(r, el, 'options'),
    identifier: toIdentifier(displayName[1033] ?? name, name),
    file,
  };
  r.positions.set(optionSet, el.line);
  return optionSet;
}

const CASCADES: readonly CascadeType[] = [
  'Cascade',
  'Restrict',
  'RemoveLink',
  'NoCascade',
  'Active',
  'UserOwned',
];

function cascadeOf(value: string | undefined): CascadeType {
  return CASCADES.find((c) => lower(c) === lower(value ?? '')) ?? 'NoCascade';
}

export function readRelationship(r: Reader, el: XmlElement, file: string): RelationshipModel | undefined {
  if (lower(textOf(el, 'EntityRelationshipType') ?? 'OneToMany') !== 'onetomany') return undefined;
  const relationship: RelationshipModel = {
    name: attr(el, 'Name') ?? textOf(el, 'Name') ?? '',
    referencedEntity: lower(textOf(el, 'ReferencedEntityName') ?? ''),
    referencingEntity: lower(textOf(el, 'ReferencingEntityName') ?? ''),
    referencingAttribute: lower(textOf(el, 'ReferencingAttributeName') ?? ''),
    cascadeDelete: cascadeOf(textOf(el, 'CascadeDelete')),
    cascadeAssign: cascadeOf(textOf(el, 'CascadeAssign')),
    file,
  };
  const referencing = descendants(child(el, 'EntityRelationshipRoles'), 'EntityRelationshipRole').find(
    (role) => textOf(role, 'RelationshipRoleType') === '1',
  );
  const navigation = textOf(referencing, 'NavigationPropertyName');
  if (navigation) relationship.referencingNavigationProperty = navigation;
  r.positions.set(relationship, el.line);
  return relationship;
}
