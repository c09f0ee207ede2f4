/**
 * `ImportSolutionAsync` and `StageSolution` on the engine, with the parameters and responses of the Web
 * API reference ("ImportSolutionAsync Action", "StageSolution Action", "StageSolutionResults
 * ComplexType"). An import answers at once with the System Job's id; the job worker then reads the zip,
 * checks dependencies, grows the schema (new SQL tables and columns), registers the solution's steps
 * and endpoints, and writes its environment variable definition and service endpoint rows. Callers
 * follow it as they follow Dataverse: `asyncoperations(<id>)` reaches statecode 3 (Completed) with
 * statuscode 30 (Succeeded) or 31 (Failed, `friendlymessage` says why).
 *
 * The request, zip included, is the job's `data` (Dataverse keeps the serialised request there too), so
 * a pending import survives a restart, and a restarted emulator re-applies the solutions it imported.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../../../dataverse/logger';
import { asyncoperation } from '../../../dataverse/generated';
import type { ActionRequest, Engine } from '../engine/engine';
import { normalizeGuid } from '../engine/values';
import {
  JobState,
  JobStatus,
  OperationType,
  type JobResult,
  type SystemJob,
  type SystemJobs,
} from '../jobs/system-jobs';
import {
  CorruptSolutionFileError,
  describeMissing,
  ImportRequestError,
  InvalidSolutionContentError,
  MissingDependencyError,
  type MissingComponent,
} from './errors';
import { recordSolutionComponents } from './components';
import { mergeSolution, missingDependencies, readSolutionFile, type SolutionFile } from './solution-file';

export interface SolutionImportOptions {
  readonly logger: Logger;
  /** Where imported solutions are unpacked (and kept: web resources are served from there). */
  readonly workDir?: string;
  readonly newId?: () => string;
}

interface ImportRequestData {
  readonly CustomizationFile: string;
  readonly OverwriteUnmanagedCustomizations: boolean;
  readonly PublishWorkflows: boolean;
  readonly ImportJobKey: string;
  readonly SolutionUniqueName?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(value: unknown, parameter: string): Uint8Array {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ImportRequestError(
      `'${parameter}' is required: the solution zip, base64-encoded (Edm.Binary).`,
    );
  }
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact))
    throw new ImportRequestError(`'${parameter}' is not base64: send the zip's bytes base64-encoded.`);
  return Buffer.from(compact, 'base64');
}

function booleanParameter(body: Record<string, unknown>, name: string): boolean {
  const value = body[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new ImportRequestError(`'${name}' must be true or false; got ${JSON.stringify(value)}.`);
  return value;
}

function missingDependency(missing: MissingComponent): Record<string, unknown> {
  const [parent, name] = missing.type === 2 ? missing.schemaName.split('.') : [undefined, missing.schemaName];
  const [dependentParent, dependentName] = missing.requiredBy.includes('.')
    ? missing.requiredBy.split('.')
    : [undefined, missing.requiredBy];
  // "MissingDependency ComplexType" (Web API reference); RequiredSolutionName as the SDK's MissingDependency class has it.
  return {
    RequiredComponentSchemaName: name ?? missing.schemaName,
    RequiredComponentParentSchemaName: parent ?? null,
    RequiredComponentType: missing.type,
    RequiredComponentDisplayName: missing.displayName ?? null,
    RequiredSolutionName: missing.solution ?? null,
    DependentComponentSchemaName: dependentName ?? missing.requiredBy,
    DependentComponentParentSchemaName: dependentParent ?? null,
  };
}

export class SolutionImport {
  private readonly staged = new Map<string, Uint8Array>();
  private readonly workDir: string;

  constructor(
    private readonly engine: Engine,
    private readonly jobs: SystemJobs,
    private readonly options: SolutionImportOptions,
  ) {
    this.workDir = options.workDir ?? path.join(tmpdir(), 'ideario-emulator-imports');
  }

  /** Registers the actions and the job runner. */
  register(): this {
    this.engine.registerAction('ImportSolutionAsync', (request) => this.importSolutionAsync(request));
    // "StageAndUpgradeAsync Action": the same parameters and response; the emulator keeps no holding
    // solution, so an upgrade applies the new version as an import does.
    this.engine.registerAction('StageAndUpgradeAsync', (request) =>
      this.importSolutionAsync(request, 'StageAndUpgradeAsync'),
    );
    // "PublishAllXml Action": the emulator applies customizations when it imports them, so there is
    // nothing left unpublished; the action exists so deploy calls it as it must on Dataverse.
    this.engine.registerAction('PublishAllXml', () => Promise.resolve(undefined));
    this.engine.registerAction('StageSolution', (request) => this.stageSolution(request), {
      transactional: false,
    });
    this.jobs.registerRunner(OperationType.ExecuteAsyncRequest, (job) => this.runJob(job));
    return this;
  }

  /** Applies again, in order, every import that succeeded in this database (after a restart). */
  async reapplyImported(): Promise<string[]> {
    const C = asyncoperation.columns;
    const page = await this.engine.query(asyncoperation.entitySetName, {
      filter: `${C.operationtype} eq ${OperationType.ExecuteAsyncRequest} and ${C.statecode} eq ${JobState.Completed} and ${C.statuscode} eq ${JobStatus.Succeeded}`,
      orderBy: [`${C.completedon} asc`, `${C.versionnumber} asc`],
    });
    const applied: string[] = [];
    for (const record of page.records) {
      const data = typeof record[C.data] === 'string' ? (record[C.data] as string) : '';
      const request = parseRequestData(data);
      if (!request) continue;
      try {
        applied.push(await this.apply(decodeBase64(request.CustomizationFile, 'CustomizationFile')));
      } catch (error) {
        this.options.logger.warn('A solution imported earlier could not be applied again.', {
          job: record[C.asyncoperationid],
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return applied;
  }

  private newId(): string {
    return (this.options.newId ?? randomUUID)();
  }

  private async importSolutionAsync(
    { body, context }: ActionRequest,
    name = 'ImportSolutionAsync',
  ): Promise<{ AsyncOperationId: string; ImportJobKey: string }> {
    const parameters = body.SolutionParameters;
    const uploadId =
      typeof parameters === 'object' &&
      parameters !== null &&
      'StageSolutionUploadId' in parameters &&
      typeof parameters.StageSolutionUploadId === 'string'
        ? normalizeGuid(parameters.StageSolutionUploadId)
        : undefined;
    let bytes: Uint8Array;
    if (body.CustomizationFile === undefined && uploadId) {
      const staged = this.staged.get(uploadId);
      if (!staged)
        throw new ImportRequestError(
          `No staged solution has StageSolutionUploadId ${uploadId}: call StageSolution first (staged uploads are kept until the emulator stops).`,
        );
      bytes = staged;
    } else {
      bytes = decodeBase64(body.CustomizationFile, 'CustomizationFile');
    }
    const importJobKey =
      (typeof body.ImportJobId === 'string' ? normalizeGuid(body.ImportJobId) : undefined) ?? this.newId();
    const data: ImportRequestData = {
      CustomizationFile: Buffer.from(bytes).toString('base64'),
      OverwriteUnmanagedCustomizations: booleanParameter(body, 'OverwriteUnmanagedCustomizations'),
      PublishWorkflows: booleanParameter(body, 'PublishWorkflows'),
      ImportJobKey: importJobKey,
    };
    const id = await this.jobs.enqueue({
      name,
      operationType: OperationType.ExecuteAsyncRequest,
      data: JSON.stringify(data),
      userId: context.userId,
      correlationId: context.correlationId,
    });
    return { AsyncOperationId: id, ImportJobKey: importJobKey };
  }

  private async stageSolution({
    body,
  }: ActionRequest): Promise<{ StageSolutionResults: Record<string, unknown> }> {
    const bytes = decodeBase64(body.CustomizationFile, 'CustomizationFile');
    const uploadId = this.newId();
    const results: Record<string, unknown> = {
      StageSolutionUploadId: uploadId,
      StageSolutionStatus: 'Failed',
      SolutionDetails: null,
      SolutionValidationResults: [],
      MissingDependencies: [],
      SolutionComponentsDetails: [],
    };
    let file: SolutionFile;
    try {
      file = await readSolutionFile(bytes, path.join(this.workDir, 'staged', uploadId));
    } catch (error) {
      if (!(error instanceof CorruptSolutionFileError || error instanceof InvalidSolutionContentError))
        throw error;
      results.SolutionValidationResults = [validationError(error.message)];
      return { StageSolutionResults: results };
    }
    const { details } = file;
    results.SolutionDetails = {
      SolutionUniqueName: details.uniqueName,
      SolutionFriendlyName: details.friendlyName,
      SolutionVersion: details.version,
      SolutionDescription: details.description,
      IsManaged: details.managed,
      PublisherUniqueName: details.publisherUniqueName,
      PublisherFriendlyName: details.publisherFriendlyName,
      ...this.previous(details.uniqueName),
    };
    results.SolutionComponentsDetails = [
      ...Object.values(file.solution.tables).map((t) => ({ ComponentType: 1, SchemaName: t.logicalName })),
      ...Object.values(file.solution.optionSets).map((o) => ({ ComponentType: 9, SchemaName: o.name })),
      ...file.solution.steps.map((s) => ({ ComponentType: 92, SchemaName: s.name, ComponentId: s.id })),
      ...file.solution.serviceEndpoints.map((e) => ({
        ComponentType: 95,
        SchemaName: e.name,
        ComponentId: e.id,
      })),
    ];
    const missing = missingDependencies(file, this.engine.metadata.model);
    results.MissingDependencies = missing.map(missingDependency);
    results.SolutionValidationResults = missing.map((m) =>
      validationError(`Missing dependency: ${describeMissing(m)}.`),
    );
    if (missing.length === 0) {
      this.staged.set(uploadId, bytes);
      results.StageSolutionStatus = 'Passed';
    }
    return { StageSolutionResults: results };
  }

  private previous(uniqueName: string): Record<string, unknown> {
    const existing = this.engine.metadata.model.solutions.find((s) => s.uniqueName === uniqueName);
    return existing
      ? { PreviousSolutionUniqueName: existing.uniqueName, PreviousSolutionVersion: existing.version }
      : {};
  }

  private async runJob(job: SystemJob): Promise<JobResult> {
    const request = parseRequestData(job.data);
    if (!request)
      return {
        status: 'failed',
        message: `System job ${job.id} holds no import request.`,
        friendlyMessage: 'The import request is missing from the system job.',
      };
    try {
      const solution = await this.apply(decodeBase64(request.CustomizationFile, 'CustomizationFile'));
      this.options.logger.info('Solution imported.', { solution, job: job.id });
      return { status: 'succeeded' };
    } catch (error) {
      if (
        error instanceof CorruptSolutionFileError ||
        error instanceof InvalidSolutionContentError ||
        error instanceof MissingDependencyError ||
        error instanceof ImportRequestError
      ) {
        return { status: 'failed', message: error.stack ?? error.message, friendlyMessage: error.message };
      }
      throw error;
    }
  }

  /** Reads, checks and applies one zip; returns the solution's unique name. */
  private async apply(bytes: Uint8Array): Promise<string> {
    const file = await readSolutionFile(bytes, this.workDir);
    const current = this.engine.metadata.model;
    const missing = missingDependencies(file, current);
    if (missing.length > 0) throw new MissingDependencyError(file.details.uniqueName, missing);
    const { metadata, problems } = mergeSolution(current, file.solution);
    if (problems.length > 0) throw new InvalidSolutionContentError(file.details.uniqueName, problems);
    // Under the write lock, so no operation runs against half-grown tables.
    await this.engine.transaction(async () => {
      this.engine.applyMetadata(metadata);
      await recordSolutionComponents(this.engine, file.solution, file.details);
    });
    return file.details.uniqueName;
  }
}

function validationError(message: string): Record<string, unknown> {
  return { SolutionValidationResultType: 'Error', Message: message, ErrorCode: 0, AdditionalInfo: null };
}

function parseRequestData(data: string): ImportRequestData | undefined {
  try {
    const parsed = JSON.parse(data) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'CustomizationFile' in parsed &&
      typeof parsed.CustomizationFile === 'string'
    ) {
      return parsed as ImportRequestData;
    }
  } catch {
    // A job whose data is not an import request.
  }
  return undefined;
}

/** Registers the import actions on an engine and returns the importer. */
export function registerSolutionImport(
  engine: Engine,
  jobs: SystemJobs,
  options: SolutionImportOptions,
): SolutionImport {
  return new SolutionImport(engine, jobs, options).register();
}
