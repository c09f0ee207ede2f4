/**
 * What an import leaves for the admin to set, done by deploy: environment variable values ("Use
 * environment variables in solutions": one environmentvariablevalue row per definition overrides its
 * default) and the webhook service endpoint's URL and key ("Register a WebHook": the URL and the
 * WebhookKey `code` are per environment and never exported). A platform table the target lacks is
 * reported as a warning, not a failure: the import already succeeded.
 */
import type { DataverseClient, EntityRecord } from '../../dataverse/client';
import { formatKey } from '../../dataverse/adapters/keys';
import { NotFoundError } from '../../dataverse/errors';
import {
  environmentvariabledefinition as DEF,
  environmentvariablevalue as VAL,
  type environmentvariablevalueWrite,
  serviceendpoint as SE,
} from '../../dataverse/generated';
import { WEBHOOK_PATH } from '../../plugins/host/node-server';
import { DeployOptionError, InvalidEnvironmentVariableValueError } from './errors';

/**
 * The value row's single-valued navigation property to its definition, for `@odata.bind`. It is named
 * after the relationship (solution/platform/Other/Relationships) and, unlike the lookup column, is
 * case-sensitive; dataverse/generated carries column names, not navigation properties.
 */
export const DEFINITION_NAVIGATION = 'EnvironmentVariableDefinitionId';

const VariableType = DEF.choices.type;
/** `_<lookup>_value`: how the Web API reads (and filters on) the definition lookup. */
const DEFINITION_VALUE = `_${VAL.columns.environmentvariabledefinitionid}_value`;

export type SettingOutcome =
  | { readonly kind: 'set'; readonly what: string; readonly detail: string }
  | { readonly kind: 'unchanged'; readonly what: string; readonly detail: string }
  | { readonly kind: 'warning'; readonly what: string; readonly detail: string };

/** A table the environment does not have: a query on a collection only 404s when the set is unknown. */
class TableUnavailable extends Error {
  constructor(readonly entitySet: string) {
    super(entitySet);
  }
}

async function query(
  client: DataverseClient,
  entitySet: string,
  filter: string,
  select: readonly string[],
): Promise<EntityRecord[]> {
  try {
    return await client.retrieveMultiple(entitySet, { filter, select, top: 2 });
  } catch (error) {
    if (error instanceof NotFoundError) throw new TableUnavailable(entitySet);
    throw error;
  }
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function unavailable(what: string, entitySet: string): SettingOutcome {
  return { kind: 'warning', what, detail: `not set: this environment has no ${entitySet} table` };
}

/** Checks a value against the definition's type ("EnvironmentVariableDefinition table/entity reference"). */
export function checkEnvironmentVariableValue(schemaName: string, type: number, value: string): void {
  switch (type) {
    case VariableType.Number:
      if (value.trim() === '' || !Number.isFinite(Number(value))) {
        throw new InvalidEnvironmentVariableValueError(
          schemaName,
          value,
          'it is a Number variable: give a number such as 30',
        );
      }
      return;
    case VariableType.JSON:
      try {
        JSON.parse(value);
      } catch {
        throw new InvalidEnvironmentVariableValueError(
          schemaName,
          value,
          'it is a JSON variable: give valid JSON',
        );
      }
      return;
    case VariableType.DataSource:
    case VariableType.Secret:
      throw new InvalidEnvironmentVariableValueError(
        schemaName,
        value,
        'deploy sets text, number, yes/no and JSON variables only; set data sources and secrets in Power Apps (Solutions > Environment variables)',
      );
    default:
      return;
  }
}

/** Creates or updates the value row of one definition, found by its schema name. */
export async function setEnvironmentVariable(
  client: DataverseClient,
  schemaName: string,
  value: string,
): Promise<SettingOutcome> {
  const what = `environment variable ${schemaName}`;
  try {
    const [definition] = await query(
      client,
      DEF.entitySetName,
      `${DEF.columns.schemaname} eq ${literal(schemaName)}`,
      [DEF.primaryIdAttribute, DEF.columns.schemaname],
    );
    const definitionId = definition?.[DEF.primaryIdAttribute];
    if (typeof definitionId !== 'string') {
      return {
        kind: 'warning',
        what,
        detail:
          'not set: the environment has no definition with this schema name (did the import include it?)',
      };
    }
    const existing = await query(client, VAL.entitySetName, `${DEFINITION_VALUE} eq ${definitionId}`, [
      VAL.primaryIdAttribute,
      VAL.columns.value,
    ]);
    const current = existing[0];
    const currentId = current?.[VAL.primaryIdAttribute];
    if (typeof currentId === 'string') {
      if (current?.[VAL.columns.value] === value)
        return { kind: 'unchanged', what, detail: `already ${value}` };
      await client.update(VAL.entitySetName, currentId, { value } satisfies environmentvariablevalueWrite);
      return { kind: 'set', what, detail: `updated to ${value}` };
    }
    await client.create(VAL.entitySetName, {
      schemaname: schemaName,
      value,
      'EnvironmentVariableDefinitionId@odata.bind': `/${DEF.entitySetName}(${formatKey(DEF.entitySetName, definitionId)})`,
    } satisfies environmentvariablevalueWrite);
    return { kind: 'set', what, detail: `set to ${value}` };
  } catch (error) {
    if (error instanceof TableUnavailable) return unavailable(what, error.entitySet);
    throw error;
  }
}

/** `<base>/api/webhook/<solution>`: the host's per-solution route (plugins/host/handle.ts). */
export function webhookEndpointUrl(base: string, solution: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new DeployOptionError(
      `--webhook-url '${base}' is not an absolute URL; give the host's base, e.g. https://ideario-host.azurewebsites.net.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DeployOptionError(`--webhook-url '${base}' must be an http(s) URL.`);
  }
  if (url.search || url.hash) {
    throw new DeployOptionError(
      `--webhook-url '${base}' must not carry a query or fragment: the key goes in --webhook-key, never in the URL.`,
    );
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  url.pathname = pathname.endsWith(WEBHOOK_PATH)
    ? `${pathname}/${solution}`
    : `${pathname}${WEBHOOK_PATH}/${solution}`;
  return url.toString();
}

export interface EndpointSettings {
  /** Full URL of the endpoint (see webhookEndpointUrl); undefined keeps the current one. */
  readonly url?: string;
  /** The WebhookKey secret; undefined keeps the current one. */
  readonly key?: string;
}

/** Points the solution's webhook endpoint (by id, else by name) at the host, with WebhookKey auth. */
export async function configureServiceEndpoint(
  client: DataverseClient,
  endpoint: { readonly id: string; readonly name: string },
  settings: EndpointSettings,
): Promise<SettingOutcome> {
  const what = `webhook endpoint ${endpoint.name}`;
  try {
    const select = [SE.primaryIdAttribute, SE.columns.name, SE.columns.url];
    let [row] = await query(client, SE.entitySetName, `${SE.primaryIdAttribute} eq ${endpoint.id}`, select);
    // An endpoint registered by hand before the solution carried one keeps its own id.
    row ??= (
      await query(client, SE.entitySetName, `${SE.columns.name} eq ${literal(endpoint.name)}`, select)
    )[0];
    const id = row?.[SE.primaryIdAttribute];
    if (typeof id !== 'string')
      return {
        kind: 'warning',
        what,
        detail: 'not set: the environment has no such service endpoint (did the import include it?)',
      };
    const changes: EntityRecord = {};
    if (settings.url !== undefined) changes[SE.columns.url] = settings.url;
    if (settings.key !== undefined) {
      changes[SE.columns.authtype] = SE.choices.authtype.WebhookKey;
      changes[SE.columns.authvalue] = settings.key;
    }
    await client.update(SE.entitySetName, id, changes);
    const parts = [
      settings.url !== undefined ? `URL ${settings.url}` : '',
      settings.key !== undefined ? 'webhook key set (not shown)' : '',
    ];
    return { kind: 'set', what, detail: parts.filter(Boolean).join('; ') };
  } catch (error) {
    if (error instanceof TableUnavailable) return unavailable(what, error.entitySet);
    throw error;
  }
}
