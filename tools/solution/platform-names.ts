/** Names the platform fixes: generated identifiers, entity set names, object type codes, SDK messages. */
import { lower } from './source-xml';

/**
 * The identifier `dataverse/generated/` exports for a label: PascalCase, non-alphanumerics removed,
 * a leading digit prefixed with `_` ("Email click" → `EmailClick`, "Out-Sold" → `OutSold`).
 */
export function toIdentifier(label: string, fallback: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const id = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('') || fallback;
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** The plural Dataverse derives for a table's entity set when the source does not give one. */
export function derivedEntitySetName(logicalName: string): string {
  if (/[^aeiou]y$/.test(logicalName)) return `${logicalName.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(logicalName)) return `${logicalName}es`;
  return `${logicalName}s`;
}

/** Object type codes of standard tables, fixed in every environment; exported `<LookupType>`s use them. */
export const OBJECT_TYPE_CODES: Readonly<Record<number, string>> = {
  1: 'account',
  2: 'contact',
  3: 'opportunity',
  4: 'lead',
  5: 'annotation',
  8: 'systemuser',
  9: 'team',
  10: 'businessunit',
  112: 'incident',
  129: 'subject',
  135: 'activityparty',
  150: 'usersettings',
  380: 'environmentvariabledefinition',
  381: 'environmentvariablevalue',
  1022: 'pricelevel',
  1088: 'salesorder',
  2020: 'queue',
  4200: 'activitypointer',
  4201: 'appointment',
  4202: 'email',
  4210: 'phonecall',
  4212: 'task',
  4300: 'list',
  4301: 'listmember',
  4400: 'campaign',
  4401: 'campaignresponse',
  4402: 'campaignactivity',
  4404: 'campaignactivityitem',
  4608: 'sdkmessageprocessingstep',
  4618: 'serviceendpoint',
  4700: 'asyncoperation',
  4703: 'workflow',
  9105: 'transactioncurrency',
  9953: 'knowledgearticle',
};

/**
 * Platform SDK messages have the same `sdkmessageid` in every environment, which is why an exported
 * step names its message by id alone. Ids from Microsoft Learn, "Use messages with the SDK for .NET".
 */
export const SDK_MESSAGE_IDS: Readonly<Record<string, string>> = {
  '8cbdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Assign',
  '9ebdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Create',
  'a1bdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Delete',
  'c5bdbb1b-ea3e-db11-86a7-000a3a5473e8': 'GrantAccess',
  'dbbdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Merge',
  'dcbdbb1b-ea3e-db11-86a7-000a3a5473e8': 'ModifyAccess',
  'f2bdbb1b-ea3e-db11-86a7-000a3a5473e8': 'Retrieve',
  '03bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RetrieveMultiple',
  '04bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RetrievePrincipalAccess',
  '10bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RetrieveSharedPrincipalsAndAccess',
  '11bebb1b-ea3e-db11-86a7-000a3a5473e8': 'RevokeAccess',
  '1cbebb1b-ea3e-db11-86a7-000a3a5473e8': 'SetState',
  '1dbebb1b-ea3e-db11-86a7-000a3a5473e8': 'SetStateDynamicEntity',
  '20bebb1b-ea3e-db11-86a7-000a3a5473e8': 'Update',
};

/** Messages a step may be registered on (the table-bound events of the Dataverse event pipeline). */
export const KNOWN_MESSAGES: readonly string[] = [
  'Create',
  'Update',
  'Delete',
  'Retrieve',
  'RetrieveMultiple',
  'Associate',
  'Disassociate',
  'SetState',
  'SetStateDynamicEntity',
  'Assign',
  'GrantAccess',
  'ModifyAccess',
  'RevokeAccess',
  'Merge',
  'Upsert',
  'CreateMultiple',
  'UpdateMultiple',
  'UpsertMultiple',
  'DeleteMultiple',
  'AddMember',
  'AddListMembers',
  'RemoveMember',
  'QualifyLead',
  'Win',
  'Lose',
  'CloseIncident',
  'FulfillSalesOrder',
  'CancelSalesOrder',
  'Send',
  'DeliverIncoming',
  'Route',
  'RetrievePrincipalAccess',
  'RetrieveSharedPrincipalsAndAccess',
];

export const MESSAGE_BY_LOWER = new Map(KNOWN_MESSAGES.map((m) => [lower(m), m]));
