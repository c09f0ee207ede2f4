/**
 * Names of the three standard tables deploy writes after an import. They are not in
 * `solution/platform/` (so not in `dataverse/generated/`): adding them there changes the standard-table
 * list that `tools/solution` pins, so they are spelled here once, as Microsoft's Web API reference gives
 * them ("environmentvariabledefinition EntityType", "environmentvariablevalue EntityType",
 * "serviceendpoint EntityType"). Move them to solution/platform when that folder grows these tables.
 */

export const environmentVariableDefinition = {
  entitySetName: 'environmentvariabledefinitions',
  primaryIdAttribute: 'environmentvariabledefinitionid',
  columns: { schemaname: 'schemaname', type: 'type', defaultvalue: 'defaultvalue' },
} as const;

export const environmentVariableValue = {
  entitySetName: 'environmentvariablevalues',
  primaryIdAttribute: 'environmentvariablevalueid',
  columns: { schemaname: 'schemaname', value: 'value' },
  /** `_<lookup>_value` of the definition lookup, for $filter. */
  definitionValue: '_environmentvariabledefinitionid_value',
  /** Single-valued navigation property to the definition; case-sensitive, unlike the lookup column. */
  definitionNavigation: 'EnvironmentVariableDefinitionId',
} as const;

export const serviceEndpoint = {
  entitySetName: 'serviceendpoints',
  primaryIdAttribute: 'serviceendpointid',
  columns: { name: 'name', url: 'url', authtype: 'authtype', authvalue: 'authvalue' },
  /** "ServiceEndpoint table/entity reference", AuthType choices. */
  authType: { WebhookKey: 4 },
} as const;

/** environmentvariabledefinition.type ("EnvironmentVariableDefinition table/entity reference"). */
export const EnvironmentVariableType = {
  String: 100000000,
  Number: 100000001,
  Boolean: 100000002,
  JSON: 100000003,
  DataSource: 100000004,
  Secret: 100000005,
} as const;
