/**
 * `ideario doctor`: checks an environment the way an admin would after a deploy, and says what to fix.
 * Reachable and signed in; each solution installed, at which version against solution/; each webhook
 * service endpoint with a URL that answers the key the host verifies; each step registered and enabled;
 * system jobs failed in the last 24 hours, with Dataverse's message; environment variables without a
 * default given a value. What is expected comes from the solutions' source (solution/).
 */
import type { DataverseClient, EntityRecord } from '../../dataverse/client';
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { DataverseError, NotFoundError } from '../../dataverse/errors';
import {
  asyncoperation as JOB,
  environmentvariabledefinition as DEF,
  environmentvariablevalue as VAL,
  sdkmessageprocessingstep as STEP,
  serviceendpoint as SE,
  solution as SOLUTION,
} from '../../dataverse/generated';
import { SignInRefusedError } from '../cli/connection';
import type { SolutionModel } from '../solution/model';

export type CheckStatus = 'ok' | 'problem';

export interface Check {
  readonly status: CheckStatus;
  /** What was checked, e.g. "IdearioInterests 1.0.0.0 installed". */
  readonly what: string;
  /** For a problem: what to do. */
  readonly fix?: string;
}

export interface DoctorDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  /** Probes a webhook URL: POSTs an empty JSON body and returns the status (or throws when unreachable). */
  readonly probe: (url: string) => Promise<number>;
}

export interface DoctorInput {
  /** The solutions as solution/ describes them, in import order. */
  readonly solutions: readonly SolutionModel[];
  /** The key the webhook host verifies (IDEARIO_WEBHOOK_KEY), to check the endpoints answer it. */
  readonly webhookKey?: string;
  /** The environment is the local emulator of `npm start`, which takes variable values from the shell. */
  readonly local?: boolean;
}

const DAY_MS = 86_400_000;

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** "1.2.0.0" < "1.10.0.0": compared part by part as numbers. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** A table the environment lacks (404 on its collection) reads as no rows. */
async function rows(
  client: DataverseClient,
  entitySet: string,
  filter: string,
  select: readonly string[],
): Promise<EntityRecord[] | 'no-table'> {
  try {
    return await client.retrieveMultiple(entitySet, { filter, select });
  } catch (error) {
    if (error instanceof NotFoundError) return 'no-table';
    throw error;
  }
}

async function checkSolution(solution: SolutionModel, client: DataverseClient): Promise<Check> {
  const C = SOLUTION.columns;
  const found = await rows(
    client,
    SOLUTION.entitySetName,
    `${C.uniquename} eq ${literal(solution.uniqueName)}`,
    [C.uniquename, C.version, C.ismanaged],
  );
  if (found === 'no-table')
    return {
      status: 'problem',
      what: `${solution.uniqueName}: the solutions table cannot be read`,
      fix: 'sign in as a user with the System Administrator or System Customizer role.',
    };
  const row = found[0];
  if (!row)
    return {
      status: 'problem',
      what: `${solution.uniqueName} is not installed`,
      fix: `run \`ideario deploy --solution ${solution.uniqueName}\`.`,
    };
  const version = text(row[C.version]) ?? '?';
  const kind = row[C.ismanaged] === true || row[C.ismanaged] === 1 ? 'managed' : 'unmanaged';
  if (compareVersions(version, solution.version) < 0)
    return {
      status: 'problem',
      what: `${solution.uniqueName} ${version} (${kind}) is older than solution/ (${solution.version})`,
      fix: `run \`npm run build\` and \`ideario deploy --solution ${solution.uniqueName}\` to upgrade.`,
    };
  return { status: 'ok', what: `${solution.uniqueName} ${version} (${kind}) installed` };
}

async function checkEndpoints(
  solution: SolutionModel,
  input: DoctorInput,
  deps: DoctorDeps,
): Promise<Check[]> {
  const C = SE.columns;
  const checks: Check[] = [];
  for (const endpoint of solution.serviceEndpoints) {
    const what = `webhook endpoint ${endpoint.name}`;
    const found = await rows(deps.client, SE.entitySetName, `${C.serviceendpointid} eq ${endpoint.id}`, [
      C.url,
      C.name,
    ]);
    const row = found === 'no-table' ? undefined : found[0];
    if (!row) {
      checks.push({
        status: 'problem',
        what: `${what} is not registered`,
        fix: `deploy ${solution.uniqueName} again.`,
      });
      continue;
    }
    const url = text(row[C.url]);
    if (!url) {
      checks.push({
        status: 'problem',
        what: `${what} has no URL`,
        fix: `run \`ideario deploy --solution ${solution.uniqueName} --webhook-url https://<your host>\` with IDEARIO_WEBHOOK_KEY set.`,
      });
      continue;
    }
    if (!input.webhookKey) {
      checks.push({
        status: 'problem',
        what: `${what} → ${url}: its key cannot be checked`,
        fix: 'set IDEARIO_WEBHOOK_KEY to the key the host verifies and run doctor again.',
      });
      continue;
    }
    const probeUrl = new URL(url);
    probeUrl.searchParams.set('code', input.webhookKey);
    let status: number;
    try {
      status = await deps.probe(probeUrl.toString());
    } catch (error) {
      checks.push({
        status: 'problem',
        what: `${what} → ${url} does not answer (${error instanceof Error ? error.message : String(error)})`,
        fix: 'start the webhook host there (`ideario host` or the Azure Functions app), or deploy with the right --webhook-url.',
      });
      continue;
    }
    // The host refuses an empty body with 400 once the key passed, and answers 401 when it did not.
    if (status === 401 || status === 403)
      checks.push({
        status: 'problem',
        what: `${what} → ${url} refuses the key (HTTP ${status})`,
        fix: 'the host and the endpoint disagree on the key: run `ideario deploy --webhook-url …` with the IDEARIO_WEBHOOK_KEY the host uses.',
      });
    else if (status === 400 || (status >= 200 && status < 300))
      checks.push({ status: 'ok', what: `${what} → ${url} answers with the right key` });
    else
      checks.push({
        status: 'problem',
        what: `${what} → ${url} answers HTTP ${status}`,
        fix: 'check the URL points at the Ideario host (…/api/webhook/<Solution>) and the host log.',
      });
  }
  return checks;
}

async function checkSteps(solution: SolutionModel, client: DataverseClient): Promise<Check[]> {
  if (solution.steps.length === 0) return [];
  const C = STEP.columns;
  const found = await rows(
    client,
    STEP.entitySetName,
    solution.steps.map((s) => `${C.sdkmessageprocessingstepid} eq ${s.id}`).join(' or '),
    [C.sdkmessageprocessingstepid, C.name, C.statecode],
  );
  if (found === 'no-table')
    return [
      {
        status: 'problem',
        what: `${solution.uniqueName}: the steps cannot be read`,
        fix: 'sign in as a System Administrator or System Customizer.',
      },
    ];
  const byId = new Map(found.map((r) => [String(r[C.sdkmessageprocessingstepid]).toLowerCase(), r]));
  const missing = solution.steps.filter((s) => !byId.has(s.id.toLowerCase()));
  const disabled = solution.steps.filter(
    (s) => byId.get(s.id.toLowerCase())?.[C.statecode] === STEP.choices.statecode.Disabled,
  );
  const checks: Check[] = [];
  if (missing.length > 0)
    checks.push({
      status: 'problem',
      what: `${solution.uniqueName}: ${missing.length} step(s) not registered: ${missing.map((s) => s.name).join('; ')}`,
      fix: `deploy ${solution.uniqueName} again.`,
    });
  if (disabled.length > 0)
    checks.push({
      status: 'problem',
      what: `${solution.uniqueName}: ${disabled.length} step(s) disabled: ${disabled.map((s) => s.name).join('; ')}`,
      fix: 'enable them (Plug-in Registration Tool, or the solution in make.powerapps.com > Objects > Plug-in steps).',
    });
  if (checks.length === 0)
    checks.push({
      status: 'ok',
      what: `${solution.uniqueName}: ${solution.steps.length} step(s) registered and enabled`,
    });
  return checks;
}

async function checkVariables(
  solution: SolutionModel,
  client: DataverseClient,
  local: boolean,
): Promise<Check[]> {
  const checks: Check[] = [];
  for (const variable of solution.environmentVariables) {
    const D = DEF.columns;
    const definitions = await rows(
      client,
      DEF.entitySetName,
      `${D.schemaname} eq ${literal(variable.schemaName)}`,
      [D.environmentvariabledefinitionid, D.defaultvalue],
    );
    const definition = definitions === 'no-table' ? undefined : definitions[0];
    if (!definition) {
      checks.push({
        status: 'problem',
        what: `environment variable ${variable.schemaName} is not defined`,
        fix: `deploy ${solution.uniqueName} again.`,
      });
      continue;
    }
    const V = VAL.columns;
    const values = await rows(
      client,
      VAL.entitySetName,
      `_${V.environmentvariabledefinitionid}_value eq ${String(definition[D.environmentvariabledefinitionid])}`,
      [V.value],
    );
    const value = values === 'no-table' ? undefined : text(values[0]?.[V.value]);
    const fallback = text(definition[D.defaultvalue]);
    if (value !== undefined)
      checks.push({ status: 'ok', what: `environment variable ${variable.schemaName} is set` });
    else if (fallback !== undefined)
      checks.push({
        status: 'ok',
        what: `environment variable ${variable.schemaName} uses its default (${fallback})`,
      });
    else
      checks.push({
        status: 'problem',
        what: `environment variable ${variable.schemaName} has no value and no default`,
        fix: local
          ? `stop \`npm start\` and start it again with the value in the environment: \`${variable.schemaName}=<value> npm start\`.`
          : `give it one: a deployment settings file (\`ideario deploy --settings-file\`) or \`--env ${variable.schemaName}=<value>\`.`,
      });
  }
  return checks;
}

async function checkFailedJobs(deps: DoctorDeps): Promise<Check[]> {
  const C = JOB.columns;
  const since = new Date(deps.clock().getTime() - DAY_MS).toISOString();
  const failed = await rows(
    deps.client,
    JOB.entitySetName,
    `${C.statuscode} eq ${JOB.choices.statuscode.Failed} and ${C.completedon} ge ${since}`,
    [C.asyncoperationid, C.name, C.friendlymessage, C.message, C.completedon],
  );
  if (failed === 'no-table' || failed.length === 0)
    return [{ status: 'ok', what: 'no system job failed in the last 24 hours' }];
  return failed.map((job) => ({
    status: 'problem',
    what: `system job ${text(job[C.name]) ?? ''} (${String(job[C.asyncoperationid])}) failed at ${String(job[C.completedon])}: ${
      text(job[C.friendlymessage]) ?? text(job[C.message])?.split('\n')[0] ?? 'no message'
    }`,
    fix: 'fix the cause named, then retry the job (Settings > System Jobs) or the operation.',
  }));
}

/** Runs every check; a failure to reach or sign in stops there, as nothing else can be read. */
export async function runDoctor(input: DoctorInput, deps: DoctorDeps): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    // "WhoAmI Function": the one call every signed-in user may make, whatever their roles.
    await deps.client.executeFunction('WhoAmI');
    checks.push({ status: 'ok', what: 'reachable and signed in' });
  } catch (error) {
    if (error instanceof DataverseUnreachableError)
      return [{ status: 'problem', what: 'not reachable', fix: error.message }];
    const refused = error instanceof DataverseError && (error.status === 401 || error.status === 403);
    if (refused || error instanceof SignInRefusedError)
      return [{ status: 'problem', what: 'not signed in', fix: error.message }];
    throw error;
  }
  for (const solution of input.solutions) {
    const installed = await checkSolution(solution, deps.client);
    checks.push(installed);
    if (installed.what.endsWith('is not installed')) continue;
    checks.push(...(await checkEndpoints(solution, input, deps)));
    checks.push(...(await checkSteps(solution, deps.client)));
    checks.push(...(await checkVariables(solution, deps.client, input.local === true)));
  }
  checks.push(...(await checkFailedJobs(deps)));
  return checks;
}
