/**
 * One solution import as Dataverse runs it: `ImportSolutionAsync` with the zip base64-encoded
 * ("ImportSolutionAsync Action"), then the returned system job (`asyncoperations(<id>)`) is read until
 * statecode Completed; statuscode Succeeded, Failed or Canceled, with `friendlymessage`/`message`
 * saying why ("AsyncOperation table/entity reference").
 */
import type { DataverseClient } from '../../dataverse/client';
import { asyncoperation } from '../../dataverse/generated';
import {
  SolutionImportFailedError,
  SolutionImportTimeoutError,
  UnexpectedImportResponseError,
} from './errors';

const JOB = asyncoperation.columns;
const JobState = asyncoperation.choices.statecode;
const JobStatus = asyncoperation.choices.statuscode;

export interface ImportProgress {
  readonly solution: string;
  readonly jobId: string;
  /** statuscode label, e.g. "In progress"; "Not started" while the job cannot be read yet. */
  readonly status: string;
  readonly elapsedMs: number;
  readonly done: boolean;
}

export interface ImportDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly newId: () => string;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportRequest {
  readonly solution: string;
  readonly bytes: Uint8Array;
  readonly overwriteUnmanagedCustomizations: boolean;
  /** From StageSolution: the import takes the staged upload instead of the file. */
  readonly stageSolutionUploadId?: string;
  /** A newer version of an installed managed solution: StageAndUpgradeAsync, as pac's --stage-and-upgrade. */
  readonly upgrade?: boolean;
}

export interface ImportResult {
  readonly jobId: string;
  readonly importJobId: string;
  readonly elapsedMs: number;
}

/** `InProgress` → "In progress". */
export function statusLabel(statuscode: unknown): string {
  const entry = Object.entries(JobStatus).find(([, value]) => value === statuscode);
  if (!entry) return typeof statuscode === 'number' ? `Status ${statuscode}` : 'Not started';
  const words = entry[0].replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export async function importSolution(deps: ImportDeps, request: ImportRequest): Promise<ImportResult> {
  const importJobId = deps.newId();
  const started = deps.clock().getTime();
  const answer = await deps.client.executeAction(
    request.upgrade ? 'StageAndUpgradeAsync' : 'ImportSolutionAsync',
    {
      OverwriteUnmanagedCustomizations: request.overwriteUnmanagedCustomizations,
      PublishWorkflows: true,
      ImportJobId: importJobId,
      ...(request.stageSolutionUploadId
        ? { SolutionParameters: { StageSolutionUploadId: request.stageSolutionUploadId } }
        : { CustomizationFile: Buffer.from(request.bytes).toString('base64') }),
    },
  );
  const jobId =
    typeof answer === 'object' && answer !== null
      ? text((answer as Record<string, unknown>).AsyncOperationId)
      : undefined;
  if (!jobId) throw new UnexpectedImportResponseError(request.solution, answer);

  const select = [JOB.statecode, JOB.statuscode, JOB.message, JOB.friendlymessage];
  for (;;) {
    // Right after the call the job may not be readable yet; that reads as "not started".
    const job = await deps.client.retrieve(asyncoperation.entitySetName, jobId, select);
    const elapsedMs = deps.clock().getTime() - started;
    const completed = job?.[JOB.statecode] === JobState.Completed;
    deps.onProgress?.({
      solution: request.solution,
      jobId,
      status: statusLabel(job?.[JOB.statuscode]),
      elapsedMs,
      done: completed,
    });
    if (job && completed) {
      const status = job[JOB.statuscode];
      if (status === JobStatus.Succeeded) return { jobId, importJobId, elapsedMs };
      const message =
        text(job[JOB.friendlymessage]) ??
        text(job[JOB.message]) ??
        `the system job ended with status ${statusLabel(status)}.`;
      throw new SolutionImportFailedError(
        request.solution,
        jobId,
        status === JobStatus.Canceled ? 'Canceled' : 'Failed',
        message,
      );
    }
    if (elapsedMs >= deps.timeoutMs) {
      throw new SolutionImportTimeoutError(request.solution, jobId, Math.round(elapsedMs / 1000));
    }
    await deps.sleep(deps.pollIntervalMs);
  }
}
