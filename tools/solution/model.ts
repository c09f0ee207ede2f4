/**
 * The in-memory model of the unpacked solutions under `solution/`, shared by `ideario pack`
 * (validation), `ideario typegen` and the emulator (metadata). `loader.ts` builds it from the
 * SolutionPackager layout; nothing here reads files.
 */

export type LanguageCode = 1033 | 3082;
export type Labels = Partial<Record<LanguageCode, string>>;

export type ColumnType =
  | 'String'
  | 'Memo'
  | 'Integer'
  | 'BigInt'
  | 'Decimal'
  | 'Double'
  | 'Money'
  | 'Boolean'
  | 'DateTime'
  | 'DateOnly'
  | 'Picklist'
  | 'State'
  | 'Status'
  | 'Lookup'
  | 'Customer'
  | 'Owner'
  | 'Uniqueidentifier'
  | 'EntityName'
  /** Activity party lists (email from/to/cc/bcc, phone call from/to). */
  | 'PartyList';

export interface OptionModel {
  value: number;
  label: Labels;
  /** PascalCase identifier derived from the English label: what `dataverse/generated/` exports. */
  identifier: string;
  /** For Status options: the state they belong to. */
  state?: number;
}

export interface OptionSetModel {
  name: string;
  displayName: Labels;
  description: Labels;
  options: OptionModel[];
  /** Identifier of the choice itself (PascalCase of the English display name). */
  identifier: string;
  file: string;
}

export interface ColumnModel {
  logicalName: string;
  type: ColumnType;
  displayName: Labels;
  description: Labels;
  requiredLevel: 'none' | 'recommended' | 'required' | 'systemrequired';
  isCustom: boolean;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  precision?: number;
  /** Date-and-time behaviour: DateOnly columns are `DateOnly`, the rest `UserLocal` or `TimeZoneIndependent`. */
  dateBehavior?: 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';
  /** Global choice name for Picklist columns bound to one. */
  optionSetName?: string;
  /** Local options (statecode, statuscode, platform picklists). */
  options?: OptionModel[];
  /** Lookup targets. */
  targets?: string[];
  /**
   * The single-valued navigation property (`<nav>@odata.bind`, `$expand`) when it is not the logical
   * name: Dataverse names it after the relationship, e.g. environmentvariablevalue's
   * `EnvironmentVariableDefinitionId` (case-sensitive).
   */
  navigationProperty?: string;
  defaultValue?: string | number | boolean;
  /** Text/date format from the source (`email`, `url`, `phone`, `textarea`, `date`, `datetime`…). */
  format?: string;
}

export interface AlternateKeyModel {
  name: string;
  columns: string[];
  displayName: Labels;
}

export interface FormModel {
  id: string;
  type: 'main' | 'quick' | 'card' | (string & {});
  name: Labels;
  /** Every `datafieldname` the form binds. */
  fields: string[];
  /** Web resource names in `formLibraries`. */
  libraries: string[];
  /** Handlers named in events: library + function name. */
  handlers: { event: string; attribute?: string; library: string; functionName: string }[];
  /** PCF controls bound on the form (`customControl name`). */
  controls: string[];
  file: string;
}

export interface ViewModel {
  id: string;
  name: Labels;
  queryType: number;
  isDefault: boolean;
  fetchXml: string;
  /** Columns named in `layoutxml` and `fetchxml`. */
  columns: string[];
  /** Columns of `link-entity` elements in `fetchxml`, with the table they belong to. */
  linkedColumns?: { entity: string; column: string }[];
  file: string;
}

/**
 * A system chart (`savedqueryvisualization`), read from `Entities/<table>/Visualizations/{id}.xml`.
 * Its data description ("Chart data description", Power Apps docs) is an aggregate FetchXML and the
 * aliases that make the category and the series; the view it runs on supplies the filters.
 */
export interface VisualizationModel {
  id: string;
  name: Labels;
  description: Labels;
  /** The `<fetch aggregate="true">` of the data description's fetchcollection. */
  fetchXml: string;
  /** The category's groupby alias (`<category alias>`). */
  categoryAlias: string;
  /** One measure alias per series (each `<measurecollection>` is a series). */
  measures: string[];
  /** `<attribute>` elements of the fetch, for validation: table (entity or link-entity), column, alias. */
  attributes: { entity: string; column: string; alias: string; groupby: boolean }[];
  /** The presentation description's ChartType per series (`Column`, `Bar`…). */
  chartTypes: string[];
  file: string;
}

/** A chart or list on a dashboard: a subgrid control of its FormXml (ChartGridMode Chart or Grid). */
export interface DashboardComponentModel {
  controlId: string;
  label: Labels;
  table: string;
  viewId: string;
  /** Set when the component shows a chart (`VisualizationId`). */
  chartId?: string;
  recordsPerPage: number;
}

/** A system dashboard (a `systemform` of type 0), read from `Dashboards/{id}.xml`. */
export interface DashboardModel {
  id: string;
  name: Labels;
  description: Labels;
  /** In FormXml order (tab, column, section, row). */
  components: DashboardComponentModel[];
  file: string;
}

export interface TableModel {
  logicalName: string;
  entitySetName: string;
  displayName: Labels;
  displayCollectionName: Labels;
  description: Labels;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  ownership: 'UserOwned' | 'OrganizationOwned' | 'BusinessOwned' | 'None';
  isCustom: boolean;
  isActivity: boolean;
  /** True when the solution only adds columns to a table it does not own (contact, opportunity…). */
  isExtension: boolean;
  columns: Record<string, ColumnModel>;
  alternateKeys: AlternateKeyModel[];
  forms: FormModel[];
  views: ViewModel[];
  /** System charts of the table (absent when it has none). */
  visualizations?: VisualizationModel[];
  file: string;
}

export type CascadeType = 'Cascade' | 'Restrict' | 'RemoveLink' | 'NoCascade' | 'Active' | 'UserOwned';

export interface RelationshipModel {
  name: string;
  referencedEntity: string;
  referencingEntity: string;
  referencingAttribute: string;
  /** `<NavigationPropertyName>` of the referencing role (RelationshipRoleType 1). */
  referencingNavigationProperty?: string;
  cascadeDelete: CascadeType;
  cascadeAssign: CascadeType;
  file: string;
}

export interface StepImageModel {
  name: string;
  entityAlias: string;
  /** 0 pre, 1 post, 2 both. */
  imageType: 0 | 1 | 2;
  attributes: string[];
}

export interface StepModel {
  id: string;
  name: string;
  /** Message name (`Create`, `Update`…); empty when neither the SDK message id nor the step name tells. */
  message: string;
  /** `SdkMessageId` as written in the step (platform messages have the same id in every environment). */
  messageId?: string;
  /** Primary table logical name; empty for steps registered on no table. */
  entity: string;
  /** 10 pre-validation, 20 pre-operation, 40 post-operation. */
  stage: 10 | 20 | 40;
  /** 0 synchronous, 1 asynchronous. */
  mode: 0 | 1;
  rank: number;
  filteringAttributes: string[];
  serviceEndpointId: string;
  images: StepImageModel[];
  file: string;
}

export interface ServiceEndpointModel {
  id: string;
  name: string;
  /** 8 = webhook. */
  contract: number;
  /** 2 = JSON. */
  messageFormat: number;
  /** 4 WebhookKey, 5 HttpHeader, 6 HttpQueryString. */
  authType: number;
  /** Environment variable whose value is the URL (the URL itself is never in the solution). */
  urlVariable?: string;
  file: string;
}

export interface WebResourceModel {
  name: string;
  displayName: string;
  /** 1 HTML, 2 CSS, 3 JS, 4 XML, 5 PNG, 6 JPG, 7 GIF, 8 XAP, 9 XSL, 10 ICO, 11 SVG, 12 RESX. */
  type: number;
  /** Path of the content file inside the unpacked solution. */
  contentFile: string;
  id: string;
  file: string;
}

export interface ControlModel {
  /** `<prefix>_<namespace>.<constructor>` */
  name: string;
  manifestFile: string;
  file: string;
}

export interface RoleModel {
  id: string;
  name: string;
  privileges: { name: string; level: 'Basic' | 'Local' | 'Deep' | 'Global' }[];
  file: string;
}

export interface EnvironmentVariableModel {
  schemaName: string;
  displayName: Labels;
  /** 100000000 String, 100000001 Number, 100000002 Boolean, 100000003 JSON, 100000004 Data source, 100000005 Secret. */
  type: number;
  defaultValue?: string;
  file: string;
}

export interface PublisherModel {
  uniqueName: string;
  prefix: string;
  optionValuePrefix: number;
}

export interface SolutionModel {
  uniqueName: string;
  version: string;
  displayName: Labels;
  publisher: PublisherModel;
  /** Root folder of the unpacked solution (the one holding `src/`). */
  dir: string;
  tables: Record<string, TableModel>;
  optionSets: Record<string, OptionSetModel>;
  relationships: RelationshipModel[];
  steps: StepModel[];
  serviceEndpoints: ServiceEndpointModel[];
  webResources: WebResourceModel[];
  controls: ControlModel[];
  roles: RoleModel[];
  environmentVariables: EnvironmentVariableModel[];
  /** System dashboards (absent when the solution has none). */
  dashboards?: DashboardModel[];
}

/**
 * Everything Dataverse would know: the standard tables Ideario touches (`solution/platform/`)
 * with every solution's tables and added columns merged in.
 */
export interface MetadataModel {
  tables: Record<string, TableModel>;
  optionSets: Record<string, OptionSetModel>;
  relationships: RelationshipModel[];
  solutions: SolutionModel[];
}

/**
 * Columns Dataverse sets itself on every table: readable, never written. The emulator refuses writes to
 * them and typegen leaves them out of the write payload types.
 */
export const SYSTEM_SET_COLUMNS: ReadonlySet<string> = new Set([
  'createdon',
  'modifiedon',
  'versionnumber',
  'createdby',
  'modifiedby',
  'createdonbehalfby',
  'modifiedonbehalfby',
  'owninguser',
  'owningteam',
  'owningbusinessunit',
]);
