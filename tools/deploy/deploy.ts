/**
 * `ideario deploy`: for each chosen solution, the newest zip in `dist/` is checked, imported with
 * ImportSolutionAsync (progress reported while the system job runs), and then the environment is
 * configured: environment variable values and the webhook endpoint's URL and key. Everything that can
 * be checked is checked for every solution before the first import starts, so a typo does not leave
 * one solution imported and the next refused.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataverseClient } from '../../dataverse/client';
import type { Logger } from '../../dataverse/logger';
import { GROUPQUOTES_ENVIRONMENT_VARIABLES } from '../../plugins/handlers/groupquotes/settings';
import type { EnvironmentVariableModel, ServiceEndpointModel } from '../solution/model';
import { compareVersions } from '../doctor/doctor';
import { DeployOptionError, SolutionDowngradeError, SolutionZipMismatchError } from './errors';
import { importSolution, type ImportProgress } from './import';
import {
  checkEnvironmentVariableValue,
  configureServiceEndpoint,
  setEnvironmentVariable,
  webhookEndpointUrl,
  type SettingOutcome,
} from './settings';
import { installedSolution, stageSolution, type InstalledSolution } from './stage';
import { findSolutionZip, inspectSolutionZip, type SolutionZipContents } from './zips';

export interface DeployOptions {
  /** Unique names, in import order. */
  readonly solutions: readonly string[];
  readonly managed: boolean;
  readonly distDir: string;
  readonly overwriteUnmanagedCustomizations: boolean;
  /** Base URL of the webhook host; each endpoint gets `<base>/api/webhook/<solution>`. */
  readonly webhookUrl?: string;
  readonly webhookKey?: string;
  /** Value of idr_ErpHandoffUrl. */
  readonly erpUrl?: string;
  /** Further environment variable values by schema name (`--env name=value`). */
  readonly variables?: Readonly<Record<string, string>>;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  /** Import even when the environment has the same or a newer version. */
  readonly force?: boolean;
}

export interface DeployDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly newId: () => string;
  readonly logger: Logger;
  /** Lines for the user (stdout). The webhook key never reaches it. */
  readonly print: (line: string) => void;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Each step of one solution's deploy, for the progress bar. */
  readonly onStage?: (solution: string, stage: DeployStage) => void;
}

/** The steps of one solution's deploy, in order. */
export const DEPLOY_STAGES = [
  'checking version',
  'staging',
  'importing',
  'publishing',
  'configuring',
] as const;
export type DeployStage = (typeof DEPLOY_STAGES)[number];

/** What the version check decided ("imported" covers a first import and an update). */
export type ImportOutcome = 'imported' | 'upgraded' | 'unchanged';

export interface DeployedSolution {
  readonly solution: string;
  readonly file: string;
  readonly version: string;
  /** Empty when the same version was installed and nothing was imported. */
  readonly jobId: string;
  readonly elapsedMs: number;
  readonly outcome: ImportOutcome;
  readonly settings: readonly SettingOutcome[];
}

interface Plan {
  readonly solution: string;
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly contents?: SolutionZipContents;
  readonly variables: readonly { schemaName: string; value: string }[];
  readonly endpoints: readonly ServiceEndpointModel[];
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The base URL as the variable stores it: no trailing slash, the host's route not included. */
function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

function variableValues(
  contents: SolutionZipContents,
  options: DeployOptions,
): { schemaName: string; value: string }[] {
  const out: { schemaName: string; value: string }[] = [];
  const urlVariables = new Set(
    contents.serviceEndpoints.map((e) => e.urlVariable).filter((v): v is string => !!v),
  );
  for (const variable of contents.environmentVariables) {
    const name = variable.schemaName;
    let value: string | undefined = options.variables?.[name];
    if (value === undefined && options.webhookUrl && urlVariables.has(name))
      value = baseUrl(options.webhookUrl);
    if (value === undefined && options.erpUrl && name === GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl)
      value = options.erpUrl;
    if (value === undefined) continue;
    checkEnvironmentVariableValue(name, variable.type, value);
    out.push({ schemaName: name, value });
  }
  return out;
}

function unsetRequired(
  variables: readonly EnvironmentVariableModel[],
  set: readonly { schemaName: string }[],
): string[] {
  // The loader keeps no isrequired flag; a variable without a default is the one a solution cannot run without.
  return variables
    .filter((v) => v.defaultValue === undefined && !set.some((s) => s.schemaName === v.schemaName))
    .map((v) => v.schemaName);
}

async function plan(options: DeployOptions, deps: DeployDeps): Promise<Plan[]> {
  if (options.webhookUrl !== undefined && !options.webhookKey) {
    throw new DeployOptionError(
      'The webhook endpoints authenticate with a WebhookKey: give --webhook-key (or IDEARIO_WEBHOOK_KEY) with --webhook-url, the same key the host verifies.',
    );
  }
  if (options.erpUrl !== undefined) {
    try {
      new URL(options.erpUrl);
    } catch {
      throw new DeployOptionError(`--erp-url '${options.erpUrl}' is not an absolute URL.`);
    }
  }
  const plans: Plan[] = [];
  const known = new Set<string>();
  for (const solution of options.solutions) {
    const file = await findSolutionZip(options.distDir, solution, options.managed);
    const bytes = await readFile(file);
    let contents: SolutionZipContents | undefined;
    try {
      contents = await inspectSolutionZip(bytes, path.basename(file));
    } catch (error) {
      deps.logger.warn(
        `${path.basename(file)} cannot be read here (${error instanceof Error ? error.message : String(error)}); importing it anyway, Dataverse will say what is wrong.`,
      );
    }
    if (contents) {
      if (contents.uniqueName !== solution)
        throw new SolutionZipMismatchError(file, `holds solution ${contents.uniqueName}, not ${solution}`);
      if (contents.managed !== options.managed)
        throw new SolutionZipMismatchError(
          file,
          `is ${contents.managed ? 'managed' : 'unmanaged'}, but its name says otherwise`,
        );
      if (options.webhookUrl !== undefined) webhookEndpointUrl(options.webhookUrl, solution);
      for (const variable of contents.environmentVariables) known.add(variable.schemaName);
    }
    plans.push({
      solution,
      file,
      bytes,
      contents,
      variables: contents ? variableValues(contents, options) : [],
      endpoints: contents?.serviceEndpoints ?? [],
    });
  }
  const unknown = Object.keys(options.variables ?? {}).filter((name) => !known.has(name));
  if (unknown.length > 0 && plans.every((p) => p.contents)) {
    throw new DeployOptionError(
      `--env ${unknown.join(', ')}: no chosen solution defines ${unknown.length === 1 ? 'this environment variable' : 'these environment variables'} ` +
        `(they define ${[...known].sort().join(', ') || 'none'}).`,
    );
  }
  if (
    options.erpUrl !== undefined &&
    !known.has(GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl) &&
    plans.every((p) => p.contents)
  ) {
    throw new DeployOptionError(
      `--erp-url sets ${GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl}, which only IdearioGroupQuotes defines: deploy that solution too.`,
    );
  }
  return plans;
}

async function configure(p: Plan, options: DeployOptions, deps: DeployDeps): Promise<SettingOutcome[]> {
  const outcomes: SettingOutcome[] = [];
  for (const { schemaName, value } of p.variables)
    outcomes.push(await setEnvironmentVariable(deps.client, schemaName, value));
  for (const name of unsetRequired(p.contents?.environmentVariables ?? [], p.variables)) {
    const hint = p.endpoints.some((e) => e.urlVariable === name)
      ? '--webhook-url'
      : name === GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl
        ? '--erp-url'
        : `--env ${name}=<value>`;
    outcomes.push({
      kind: 'warning',
      what: `environment variable ${name}`,
      detail: `has no default and was not given (${hint}); any value set earlier is kept`,
    });
  }
  for (const endpoint of p.endpoints) {
    if (options.webhookUrl === undefined && options.webhookKey === undefined) {
      outcomes.push({
        kind: 'warning',
        what: `webhook endpoint ${endpoint.name}`,
        detail: 'left as it is: pass --webhook-url and --webhook-key to point it at the host',
      });
      continue;
    }
    const url =
      options.webhookUrl !== undefined ? webhookEndpointUrl(options.webhookUrl, p.solution) : undefined;
    outcomes.push(await configureServiceEndpoint(deps.client, endpoint, { url, key: options.webhookKey }));
  }
  return outcomes;
}

interface VersionDecision {
  readonly plan: Plan;
  /** Undefined: import nothing. */
  readonly action?: 'import' | 'upgrade';
  readonly installed: InstalledSolution | null;
}

/**
 * pac's rule: the same version is a no-op that says so, an older one is refused unless forced, a newer
 * one over an installed managed solution is an upgrade. All solutions are checked before any import.
 */
async function decideVersions(plans: readonly Plan[], options: DeployOptions, deps: DeployDeps) {
  const decisions: VersionDecision[] = [];
  for (const p of plans) {
    deps.onStage?.(p.solution, 'checking version');
    const installed = await installedSolution(deps.client, p.solution);
    const version = p.contents?.version;
    const order = installed && version ? compareVersions(version, installed.version) : 1;
    if (order < 0 && !options.force && installed && version)
      throw new SolutionDowngradeError(p.solution, version, installed.version);
    let action: VersionDecision['action'] = 'import';
    if (order === 0 && !options.force) action = undefined;
    else if (order > 0 && installed?.managed && options.managed) action = 'upgrade';
    decisions.push({ plan: p, installed, action });
  }
  return decisions;
}

export async function deploy(options: DeployOptions, deps: DeployDeps): Promise<DeployedSolution[]> {
  const plans = await plan(options, deps);
  const decisions = await decideVersions(plans, options, deps);
  const deployed: DeployedSolution[] = [];
  for (const { plan: p, installed, action } of decisions) {
    const version = p.contents?.version ?? '?';
    const kind = options.managed ? 'managed' : 'unmanaged';
    let result = { jobId: '', elapsedMs: 0 };
    if (action === undefined) {
      deps.print(
        `${p.solution} ${version} is already installed (${installed?.managed ? 'managed' : 'unmanaged'}): nothing to import (--force imports it again).`,
      );
    } else {
      deps.print(
        `${action === 'upgrade' ? 'Upgrading' : 'Importing'} ${p.solution} ${installed ? `${installed.version} → ` : ''}${version} (${kind}, ${formatSize(p.bytes.length)}) from ${p.file}`,
      );
      deps.onStage?.(p.solution, 'staging');
      const uploadId = await stageSolution(deps.client, p.solution, p.bytes);
      deps.print(`  ${p.solution}: staged, no missing dependency.`);
      deps.onStage?.(p.solution, 'importing');
      result = await importSolution(
        {
          client: deps.client,
          clock: deps.clock,
          sleep: deps.sleep,
          newId: deps.newId,
          pollIntervalMs: options.pollIntervalMs,
          timeoutMs: options.timeoutMs,
          onProgress: deps.onProgress,
        },
        {
          solution: p.solution,
          bytes: p.bytes,
          overwriteUnmanagedCustomizations: options.overwriteUnmanagedCustomizations,
          stageSolutionUploadId: uploadId,
          upgrade: action === 'upgrade',
        },
      );
      deps.print(
        `${action === 'upgrade' ? 'Upgraded' : 'Imported'} ${p.solution} ${version} in ${Math.round(result.elapsedMs / 1000)} s (system job ${result.jobId}).`,
      );
      if (!options.managed) {
        // An unmanaged import leaves its customizations unpublished until PublishAllXml ("PublishAllXml Action").
        deps.onStage?.(p.solution, 'publishing');
        await deps.client.executeAction('PublishAllXml', {});
        deps.print(`  ${p.solution}: customizations published (PublishAllXml).`);
      }
    }
    deps.onStage?.(p.solution, 'configuring');
    const settings = await configure(p, options, deps);
    for (const outcome of settings) {
      if (outcome.kind === 'warning') deps.logger.warn(`${p.solution}: ${outcome.what} ${outcome.detail}.`);
      else deps.print(`  ${outcome.what}: ${outcome.detail}`);
    }
    deployed.push({
      solution: p.solution,
      file: p.file,
      version,
      jobId: result.jobId,
      elapsedMs: result.elapsedMs,
      outcome: action === undefined ? 'unchanged' : action === 'upgrade' ? 'upgraded' : 'imported',
      settings,
    });
  }
  return deployed;
}
