/**
 * A small hand-built `MetadataModel` for the engine's own tests: a few platform tables shaped like
 * Dataverse's (contact, account, list, listmember, email, activityparty, systemuser) and four tables
 * of a made-up publisher `emu_` that exercise every column type, alternate keys and each delete
 * behaviour. The engine is generic, so its tests do not depend on Ideario's solution.
 */
import type {
  AlternateKeyModel,
  CascadeType,
  ColumnModel,
  ColumnType,
  MetadataModel,
  OptionModel,
  RelationshipModel,
  TableModel,
} from '../../solution/model';

function options(pairs: [number, string, number?][]): OptionModel[] {
  return pairs.map(([value, label, state]) => ({
    value,
    label: { 1033: label },
    identifier: label.replace(/\W/g, ''),
    ...(state === undefined ? {} : { state }),
  }));
}

function col(logicalName: string, type: ColumnType, extra: Partial<ColumnModel> = {}): ColumnModel {
  return {
    logicalName,
    type,
    displayName: { 1033: logicalName },
    description: {},
    requiredLevel: 'none',
    isCustom: logicalName.startsWith('emu_'),
    ...extra,
  };
}

interface TableSpec {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  ownership?: TableModel['ownership'];
  isActivity?: boolean;
  columns: ColumnModel[];
  keys?: AlternateKeyModel[];
}

function table(spec: TableSpec): TableModel {
  const columns: Record<string, ColumnModel> = { [spec.primaryId]: col(spec.primaryId, 'Uniqueidentifier') };
  for (const column of spec.columns) columns[column.logicalName] = column;
  return {
    logicalName: spec.logicalName,
    entitySetName: spec.entitySetName,
    displayName: { 1033: spec.logicalName },
    displayCollectionName: { 1033: spec.entitySetName },
    description: {},
    primaryIdAttribute: spec.primaryId,
    primaryNameAttribute: spec.primaryName,
    ownership: spec.ownership ?? 'UserOwned',
    isCustom: spec.logicalName.startsWith('emu_'),
    isActivity: spec.isActivity ?? false,
    isExtension: false,
    columns,
    alternateKeys: spec.keys ?? [],
    forms: [],
    views: [],
    file: `testing/${spec.logicalName}`,
  };
}

function rel(
  name: string,
  referencing: string,
  attribute: string,
  referenced: string,
  cascadeDelete: CascadeType,
): RelationshipModel {
  return {
    name,
    referencedEntity: referenced,
    referencingEntity: referencing,
    referencingAttribute: attribute,
    cascadeDelete,
    cascadeAssign: 'NoCascade',
    file: 'testing',
  };
}

const ACTIVE_STATE = options([
  [0, 'Active'],
  [1, 'Inactive'],
]);
const ACTIVE_STATUS = options([
  [1, 'Active', 0],
  [2, 'Inactive', 1],
]);

/** A fresh copy each call, so a test may grow it (applyMetadata) without affecting others. */
export function testMetadata(): MetadataModel {
  const tables: TableModel[] = [
    table({
      logicalName: 'systemuser',
      entitySetName: 'systemusers',
      primaryId: 'systemuserid',
      primaryName: 'fullname',
      ownership: 'None',
      columns: [
        col('fullname', 'String', { maxLength: 200 }),
        col('firstname', 'String', { maxLength: 64 }),
        col('lastname', 'String', { maxLength: 64 }),
        col('internalemailaddress', 'String', { maxLength: 100 }),
      ],
    }),
    table({
      logicalName: 'account',
      entitySetName: 'accounts',
      primaryId: 'accountid',
      primaryName: 'name',
      columns: [
        col('name', 'String', { maxLength: 160 }),
        col('emailaddress1', 'String', { maxLength: 100 }),
        col('revenue', 'Money', { precision: 2 }),
        col('numberofemployees', 'Integer', { minValue: 0, maxValue: 1000000 }),
        col('statecode', 'State', { options: ACTIVE_STATE }),
        col('statuscode', 'Status', { options: ACTIVE_STATUS }),
      ],
    }),
    table({
      logicalName: 'contact',
      entitySetName: 'contacts',
      primaryId: 'contactid',
      primaryName: 'fullname',
      columns: [
        col('fullname', 'String', { maxLength: 160 }),
        col('firstname', 'String', { maxLength: 50 }),
        col('lastname', 'String', { maxLength: 50 }),
        col('yomifullname', 'String', { maxLength: 450 }),
        col('yomifirstname', 'String', { maxLength: 150 }),
        col('yomilastname', 'String', { maxLength: 150 }),
        col('emailaddress1', 'String', { maxLength: 100 }),
        col('parentcustomerid', 'Customer', { targets: ['account', 'contact'] }),
        col('donotemail', 'Boolean', { defaultValue: false }),
        col('statecode', 'State', { options: ACTIVE_STATE }),
        col('statuscode', 'Status', { options: ACTIVE_STATUS }),
      ],
    }),
    table({
      logicalName: 'list',
      entitySetName: 'lists',
      primaryId: 'listid',
      primaryName: 'listname',
      columns: [
        col('listname', 'String', { maxLength: 128 }),
        // Dynamic (true) lists keep their FetchXML in query.
        col('type', 'Boolean', { defaultValue: false }),
        col('query', 'Memo', { maxLength: 1048576 }),
        col('createdfromcode', 'Picklist', {
          options: options([
            [1, 'Account'],
            [2, 'Contact'],
            [4, 'Lead'],
          ]),
        }),
        col('statecode', 'State', { options: ACTIVE_STATE }),
        col('statuscode', 'Status', { options: ACTIVE_STATUS }),
      ],
    }),
    table({
      logicalName: 'listmember',
      entitySetName: 'listmembers',
      primaryId: 'listmemberid',
      primaryName: 'entitytype',
      columns: [
        col('listid', 'Lookup', { targets: ['list'] }),
        col('entityid', 'Lookup', { targets: ['account', 'contact'] }),
        col('entitytype', 'EntityName'),
      ],
    }),
    table({
      logicalName: 'email',
      entitySetName: 'emails',
      primaryId: 'activityid',
      primaryName: 'subject',
      isActivity: true,
      columns: [
        col('subject', 'String', { maxLength: 400 }),
        col('description', 'Memo', { maxLength: 1048576 }),
        col('regardingobjectid', 'Lookup', { targets: ['account', 'contact', 'emu_concept'] }),
        col('to', 'PartyList'),
        col('cc', 'PartyList'),
        col('statecode', 'State', {
          options: options([
            [0, 'Open'],
            [1, 'Completed'],
            [2, 'Canceled'],
          ]),
        }),
        col('statuscode', 'Status', {
          options: options([
            [1, 'Draft', 0],
            [2, 'Completed', 1],
            [3, 'Sent', 1],
            [5, 'Canceled', 2],
          ]),
        }),
      ],
    }),
    table({
      logicalName: 'activityparty',
      entitySetName: 'activityparties',
      primaryId: 'activitypartyid',
      primaryName: 'partyidname',
      ownership: 'None',
      columns: [
        col('partyidname', 'String', { maxLength: 400 }),
        col('activityid', 'Lookup', { targets: ['activitypointer'] }),
        col('partyid', 'Lookup', { targets: ['account', 'contact', 'systemuser'] }),
        col('participationtypemask', 'Picklist', {
          options: options([
            [1, 'Sender'],
            [2, 'To Recipient'],
            [3, 'CC Recipient'],
            [4, 'BCC Recipient'],
          ]),
        }),
        col('addressused', 'String', { maxLength: 320 }),
      ],
    }),
    table({
      logicalName: 'emu_concept',
      entitySetName: 'emu_concepts',
      primaryId: 'emu_conceptid',
      primaryName: 'emu_name',
      columns: [
        col('emu_name', 'String', { maxLength: 200 }),
        col('emu_code', 'String', { maxLength: 50 }),
        col('emu_halflifedays', 'Integer', { minValue: 1, maxValue: 3650 }),
        col('emu_threshold', 'Decimal', { precision: 2 }),
        col('emu_kind', 'Picklist', { optionSetName: 'emu_kind' }),
        col('emu_active', 'Boolean', { defaultValue: true }),
        col('emu_landmarkon', 'DateTime', { dateBehavior: 'UserLocal' }),
        col('emu_list', 'Lookup', { targets: ['list'] }),
      ],
      keys: [{ name: 'emu_key_code', columns: ['emu_code'], displayName: { 1033: 'Code' } }],
    }),
    table({
      logicalName: 'emu_rule',
      entitySetName: 'emu_rules',
      primaryId: 'emu_ruleid',
      primaryName: 'emu_name',
      columns: [
        col('emu_name', 'String', { maxLength: 200 }),
        col('emu_concept', 'Lookup', { targets: ['emu_concept'] }),
        col('emu_points', 'Decimal', { precision: 2 }),
      ],
    }),
    table({
      logicalName: 'emu_interaction',
      entitySetName: 'emu_interactions',
      primaryId: 'emu_interactionid',
      primaryName: 'emu_name',
      columns: [
        col('emu_name', 'String', { maxLength: 200 }),
        col('emu_contact', 'Lookup', { targets: ['contact'] }),
        col('emu_concept', 'Lookup', { targets: ['emu_concept'] }),
        col('emu_source', 'String', { maxLength: 100 }),
        col('emu_externalid', 'String', { maxLength: 200 }),
        col('emu_occurredon', 'DateTime', { dateBehavior: 'UserLocal' }),
        col('emu_day', 'DateOnly', { dateBehavior: 'DateOnly' }),
        col('emu_score', 'Decimal', { precision: 4 }),
        col('emu_amount', 'Money', { precision: 2 }),
        col('emu_count', 'Integer'),
      ],
      keys: [
        {
          name: 'emu_key_source',
          columns: ['emu_source', 'emu_externalid'],
          displayName: { 1033: 'Source and external id' },
        },
      ],
    }),
    table({
      logicalName: 'emu_profile',
      entitySetName: 'emu_profiles',
      primaryId: 'emu_profileid',
      primaryName: 'emu_name',
      columns: [
        col('emu_name', 'String', { maxLength: 200 }),
        col('emu_contact', 'Lookup', { targets: ['contact'] }),
        col('emu_concept', 'Lookup', { targets: ['emu_concept'] }),
        col('emu_score', 'Decimal', { precision: 4 }),
      ],
      keys: [
        {
          name: 'emu_key_contactconcept',
          columns: ['emu_contact', 'emu_concept'],
          displayName: { 1033: 'Contact and concept' },
        },
      ],
    }),
  ];
  return {
    tables: Object.fromEntries(tables.map((t) => [t.logicalName, t])),
    optionSets: {
      emu_kind: {
        name: 'emu_kind',
        displayName: { 1033: 'Kind' },
        description: {},
        identifier: 'Kind',
        file: 'testing',
        options: options([
          [105200000, 'Sector'],
          [105200001, 'Product'],
        ]),
      },
    },
    relationships: [
      rel('emu_concept_rule', 'emu_rule', 'emu_concept', 'emu_concept', 'Restrict'),
      rel('emu_contact_interaction', 'emu_interaction', 'emu_contact', 'contact', 'Cascade'),
      rel('emu_concept_interaction', 'emu_interaction', 'emu_concept', 'emu_concept', 'RemoveLink'),
      rel('emu_contact_profile', 'emu_profile', 'emu_contact', 'contact', 'Cascade'),
      rel('emu_concept_profile', 'emu_profile', 'emu_concept', 'emu_concept', 'Cascade'),
      rel('emu_list_concept', 'emu_concept', 'emu_list', 'list', 'RemoveLink'),
    ],
    solutions: [],
  };
}
