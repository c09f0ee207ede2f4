/**
 * What deploy asks the environment before it imports, as `pac solution import --stage-and-upgrade`
 * does: which version of the solution is installed ("solution EntityType": uniquename, version,
 * ismanaged), and whether the zip stages ("StageSolution Action", "StageSolutionResults ComplexType":
 * StageSolutionStatus, MissingDependencies, SolutionValidationResults, StageSolutionUploadId, which
 * ImportSolutionAsync then takes in SolutionParameters instead of the file; learn.microsoft.com/
 * power-platform/alm/solution-async "Staging a solution").
 */
import type { DataverseClient } from '../../dataverse/client';
import { NotFoundError } from '../../dataverse/errors';
import { solution as SOLUTION } from '../../dataverse/generated';
import { firstPartySolutionNamed, SYSTEM_SOLUTION } from '../solution/dependencies';
import { SolutionStagingFailedError } from './errors';

export interface InstalledSolution {
  readonly version: string;
  readonly managed: boolean;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The installed solution, or null when it is not (or the environment has no solutions table). */
export async function installedSolution(
  client: DataverseClient,
  uniqueName: string,
): Promise<InstalledSolution | null> {
  const C = SOLUTION.columns;
  try {
    const [row] = await client.retrieveMultiple(SOLUTION.entitySetName, {
      select: [C.version, C.ismanaged],
      filter: `${C.uniquename} eq ${literal(uniqueName)}`,
      top: 1,
    });
    const version = row?.[C.version];
    if (!row || typeof version !== 'string') return null;
    return { version, managed: row[C.ismanaged] === true || row[C.ismanaged] === 1 };
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : value === null || value === undefined
      ? ''
      : JSON.stringify(value);
}

/**
 * `table opportunity "Opportunity" (needed by opportunity.idr_adults): install Dynamics 365 Sales
 * (msdynce_Sales) first` from one MissingDependency of the response.
 */
export function describeMissingDependency(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null) return text(entry);
  const d = entry as Record<string, unknown>;
  const parent = text(d.RequiredComponentParentSchemaName);
  const name = `${parent ? `${parent}.` : ''}${text(d.RequiredComponentSchemaName)}`;
  const kind =
    d.RequiredComponentType === 1
      ? 'table'
      : d.RequiredComponentType === 2
        ? 'column'
        : `component type ${text(d.RequiredComponentType)}`;
  const dependentParent = text(d.DependentComponentParentSchemaName);
  const dependent = `${dependentParent ? `${dependentParent}.` : ''}${text(d.DependentComponentSchemaName)}`;
  const displayName = text(d.RequiredComponentDisplayName);
  const solution = text(d.RequiredSolutionName);
  // The admin installs an app by its friendly name; the unique name is what solution.xml records.
  const app = solution ? firstPartySolutionNamed(solution) : undefined;
  const install =
    !solution || app === SYSTEM_SOLUTION
      ? ''
      : `: install ${app ? `${app.friendlyName} (${solution})` : `the solution ${solution}`} first`;
  return `${kind} ${name}${displayName ? ` "${displayName}"` : ''}${dependent ? ` (needed by ${dependent})` : ''}${install}`;
}

/** Stages the zip; returns its upload id, or throws with every missing dependency and validation error. */
export async function stageSolution(
  client: DataverseClient,
  uniqueName: string,
  bytes: Uint8Array,
): Promise<string> {
  const answer = await client.executeAction('StageSolution', {
    CustomizationFile: Buffer.from(bytes).toString('base64'),
  });
  const results =
    typeof answer === 'object' && answer !== null
      ? ((answer as Record<string, unknown>).StageSolutionResults as Record<string, unknown> | undefined)
      : undefined;
  const missing = Array.isArray(results?.MissingDependencies) ? results.MissingDependencies : [];
  const validation = Array.isArray(results?.SolutionValidationResults)
    ? results.SolutionValidationResults
    : [];
  const uploadId = text(results?.StageSolutionUploadId);
  if (results?.StageSolutionStatus === 'Passed' && missing.length === 0 && uploadId) return uploadId;
  const problems = missing.map((m) => `missing ${describeMissingDependency(m)}`);
  for (const v of validation) {
    const message =
      typeof v === 'object' && v !== null ? text((v as Record<string, unknown>).Message) : text(v);
    // The emulator repeats each missing dependency as a validation error; list it once.
    if (message && !message.startsWith('Missing dependency')) problems.push(message);
  }
  if (problems.length === 0) problems.push(`StageSolution answered ${JSON.stringify(answer)}`);
  throw new SolutionStagingFailedError(uniqueName, problems);
}
