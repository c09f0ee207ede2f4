/**
 * The other solution components: plug-in steps, service endpoints, web resources, code components
 * (PCF), security roles, environment variables and the publisher.
 */
import path from 'node:path';
import type {
  ControlModel,
  EnvironmentVariableModel,
  PublisherModel,
  RelationshipModel,
  RoleModel,
  ServiceEndpointModel,
  StepImageModel,
  StepModel,
  TableModel,
  WebResourceModel,
} from './model';
import { MESSAGE_BY_LOWER, SDK_MESSAGE_IDS } from './platform-names';
import { type Reader } from './reader';
import {
  type XmlElement,
  attr,
  child,
  descendants,
  intOf,
  labelsWithDefault,
  lower,
  normalizeGuid,
  own,
  textOf,
} from './source-xml';

/** The Plugin Registration Tool names steps `<handler>: <Message> of <table>`; some tools write `Message.table`. */
function messageFromStepName(name: string): string | undefined {
  const pr = /(?:^|:\s*)([A-Za-z]+)\s+of\s+/.exec(name);
  const dotted = /^([A-Za-z]+)\.[a-z_]/.exec(name);
  const candidate = pr?.[1] ?? dotted?.[1];
  return candidate ? MESSAGE_BY_LOWER.get(lower(candidate)) : undefined;
}

export function readStep(r: Reader, el: XmlElement, file: string): StepModel {
  const name = attr(el, 'Name') ?? '';
  const messageId = normalizeGuid(textOf(el, 'SdkMessageId'));
  const messageName = textOf(el, 'SdkMessageName') ?? textOf(el, 'MessageName');
  const message =
    own(SDK_MESSAGE_IDS, messageId) ??
    (messageName ? MESSAGE_BY_LOWER.get(lower(messageName)) : undefined) ??
    messageFromStepName(name) ??
    '';
  const primary = lower(textOf(el, 'PrimaryEntity') ?? '');
  const stage = intOf(textOf(el, 'Stage'));
  const mode = intOf(textOf(el, 'Mode'));
  const images: StepImageModel[] = descendants(
    child(el, 'SdkMessageProcessingStepImages'),
    'SdkMessageProcessingStepImage',
  ).map((img) => {
    const imageType = intOf(textOf(img, 'ImageType'));
    return {
      name: attr(img, 'Name') ?? textOf(img, 'Name') ?? '',
      entityAlias: textOf(img, 'EntityAlias') ?? '',
      imageType: imageType === 1 || imageType === 2 ? imageType : 0,
      attributes: splitList(textOf(img, 'Attributes')),
    };
  });
  const step: StepModel = {
    id: normalizeGuid(attr(el, 'SdkMessageProcessingStepId')),
    name,
    message,
    entity: primary === 'none' ? '' : primary,
    stage: stage === 10 || stage === 20 ? stage : 40,
    mode: mode === 1 ? 1 : 0,
    rank: intOf(textOf(el, 'Rank')) ?? 1,
    filteringAttributes: splitList(textOf(el, 'FilteringAttributes')),
    serviceEndpointId: normalizeGuid(textOf(el, 'EventHandler') ?? textOf(el, 'ServiceEndpointId')),
    images,
    file,
  };
  if (messageId) step.messageId = messageId;
  r.positions.set(step, el.line);
  return step;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => lower(s.trim()))
    .filter(Boolean);
}

export function readServiceEndpoint(r: Reader, el: XmlElement, file: string): ServiceEndpointModel {
  const endpoint: ServiceEndpointModel = {
    id: normalizeGuid(attr(el, 'ServiceEndpointId')),
    name: attr(el, 'Name') ?? textOf(el, 'Name') ?? '',
    contract: intOf(textOf(el, 'Contract')) ?? 0,
    messageFormat: intOf(textOf(el, 'MessageFormat')) ?? 0,
    authType: intOf(textOf(el, 'AuthType')) ?? 0,
    file,
  };
  // The URL is never exported; the endpoint names the environment variable `ideario deploy` reads it from.
  const variable =
    /\{?\$?\(?(?:env:)?([a-z]+_[A-Za-z0-9]+)\)?\}?/.exec(textOf(el, 'Url') ?? '')?.[1] ??
    /environment variable ([a-z]+_[A-Za-z0-9]+)/i.exec(textOf(el, 'Description') ?? '')?.[1];
  if (variable) endpoint.urlVariable = variable;
  r.positions.set(endpoint, el.line);
  return endpoint;
}

export function readWebResource(
  r: Reader,
  el: XmlElement,
  dataFile: string,
  srcDir: string,
): WebResourceModel {
  const fileName = textOf(el, 'FileName');
  const resource: WebResourceModel = {
    name: textOf(el, 'Name') ?? '',
    displayName: textOf(el, 'DisplayName') ?? '',
    type: intOf(textOf(el, 'WebResourceType')) ?? 0,
    contentFile: fileName
      ? path.join(srcDir, fileName.replace(/^[\\/]+/, ''))
      : dataFile.replace(/\.data\.xml$/i, ''),
    id: normalizeGuid(textOf(el, 'WebResourceId')),
    file: dataFile,
  };
  r.positions.set(resource, el.line);
  return resource;
}

export function readControl(r: Reader, el: XmlElement, dataFile: string, srcDir: string): ControlModel {
  const fileName = textOf(el, 'FileName');
  const control: ControlModel = {
    name: textOf(el, 'Name') ?? '',
    manifestFile: fileName
      ? path.join(srcDir, fileName.replace(/^[\\/]+/, ''))
      : path.join(path.dirname(dataFile), 'ControlManifest.xml'),
    file: dataFile,
  };
  r.positions.set(control, el.line);
  return control;
}

const PRIVILEGE_LEVELS: readonly RoleModel['privileges'][number]['level'][] = [
  'Basic',
  'Local',
  'Deep',
  'Global',
];

export function readRole(r: Reader, el: XmlElement, file: string): RoleModel {
  const role: RoleModel = {
    id: normalizeGuid(attr(el, 'id')),
    name: attr(el, 'name') ?? '',
    privileges: descendants(child(el, 'RolePrivileges'), 'RolePrivilege').map((p) => ({
      name: attr(p, 'name') ?? '',
      level: PRIVILEGE_LEVELS.find((l) => lower(l) === lower(attr(p, 'level') ?? '')) ?? 'Basic',
    })),
    file,
  };
  r.positions.set(role, el.line);
  return role;
}

export function readEnvironmentVariable(r: Reader, el: XmlElement, file: string): EnvironmentVariableModel {
  const variable: EnvironmentVariableModel = {
    schemaName: attr(el, 'schemaname') ?? textOf(el, 'schemaname') ?? '',
    displayName: labelsWithDefault(child(el, 'displayname')),
    type: intOf(textOf(el, 'type')) ?? 100000000,
    file,
  };
  const defaultValue = textOf(el, 'defaultvalue');
  if (defaultValue !== undefined) variable.defaultValue = defaultValue;
  r.positions.set(variable, el.line);
  return variable;
}

export function applyRelationshipTargets(
  tables: Record<string, TableModel>,
  relationships: readonly RelationshipModel[],
): void {
  for (const rel of relationships) {
    const table = own(tables, rel.referencingEntity);
    const column = table && own(table.columns, rel.referencingAttribute);
    if (!column || !['Lookup', 'Customer', 'Owner'].includes(column.type)) continue;
    // Exports relate ownerid to the abstract `owner` table; what a record can point at is a user or a team.
    const targets = rel.referencedEntity === 'owner' ? ['systemuser', 'team'] : [rel.referencedEntity];
    column.targets ??= [];
    for (const target of targets) if (!column.targets.includes(target)) column.targets.push(target);
    const navigation = rel.referencingNavigationProperty;
    if (column.type === 'Lookup' && navigation && navigation !== column.logicalName)
      column.navigationProperty = navigation;
  }
}

export function readPublisher(r: Reader, manifest: XmlElement | undefined, file: string): PublisherModel {
  const publisher = child(manifest, 'Publisher');
  const prefix = lower(textOf(publisher, 'CustomizationPrefix') ?? '');
  const optionValuePrefix = intOf(textOf(publisher, 'CustomizationOptionValuePrefix'));
  if (!prefix || optionValuePrefix === undefined) {
    r.report(
      'missing-publisher-prefix',
      file,
      publisher?.line ?? manifest?.line,
      'the publisher has no <CustomizationPrefix> or <CustomizationOptionValuePrefix>',
      'Set <CustomizationPrefix>idr</CustomizationPrefix> and <CustomizationOptionValuePrefix>10520</CustomizationOptionValuePrefix> under <Publisher> in Solution.xml.',
    );
  }
  return {
    uniqueName: textOf(publisher, 'UniqueName') ?? '',
    prefix,
    optionValuePrefix: optionValuePrefix ?? 0,
  };
}

/** Pushes `item` unless an item with the same key is already there (inline and split files may both hold it). */
export function pushUnique<T>(list: T[], item: T, key: (t: T) => string): void {
  if (!list.some((existing) => key(existing) === key(item))) list.push(item);
}
