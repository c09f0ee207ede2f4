import type { DataverseClient, EntityRecord } from '../../dataverse/client';
import { asyncoperation } from '../../dataverse/generated';
import {
  SolutionImportFailedError,
  SolutionImportTimeoutError,
  UnexpectedImportResponseError,
} from './errors';
import { importSolution, statusLabel, type ImportProgress } from './import';

const JOB = asyncoperation.columns;
const { statecode: State, statuscode: Status } = asyncoperation.choices;
const JOB_ID = '9a1c7d52-6c3e-4b8f-a0d2-3e4f5a6b7c8d';
const IMPORT_ID = '11111111-2222-4333-8444-555555555555';

/** ImportSolutionAsync answers with a job; each read of the job returns the next state given. */
function org(
  states: (EntityRecord | null)[],
  answer: unknown = { AsyncOperationId: JOB_ID, ImportJobKey: 'k' },
) {
  const calls: { name: string; body: Record<string, unknown> }[] = [];
  const refuse = () => Promise.reject(new Error('not used'));
  const client: DataverseClient = {
    executeAction: (name, body) => {
      calls.push({ name, body });
      return Promise.resolve(answer);
    },
    retrieve: () => Promise.resolve(states.length > 1 ? (states.shift() ?? null) : (states[0] ?? null)),
    create: refuse,
    update: refuse,
    upsert: refuse,
    delete: refuse,
    retrieveMultiple: refuse,
    fetchXml: refuse,
    executeFunction: refuse,
    executeBatch: refuse,
  };
  return { client, calls };
}

function deps(client: DataverseClient, timeoutMs = 60_000) {
  let now = Date.parse('2025-01-15T10:00:00Z');
  const progress: ImportProgress[] = [];
  return {
    progress,
    deps: {
      client,
      clock: () => new Date(now),
      sleep: (ms: number) => {
        now += ms;
        return Promise.resolve();
      },
      newId: () => IMPORT_ID,
      pollIntervalMs: 2000,
      timeoutMs,
      onProgress: (p: ImportProgress) => progress.push(p),
    },
  };
}

const job = (state: number, status: number, friendly?: string): EntityRecord => ({
  [JOB.statecode]: state,
  [JOB.statuscode]: status,
  [JOB.friendlymessage]: friendly ?? null,
  [JOB.message]: null,
});
const request = {
  solution: 'IdearioInterests',
  bytes: Buffer.from('PK zip bytes'),
  overwriteUnmanagedCustomizations: true,
};

it('sends the zip base64-encoded with an import job id, and follows the system job to Succeeded', async () => {
  const { client, calls } = org([
    null,
    job(State.Ready, Status.WaitingForResources),
    job(State.Locked, Status.InProgress),
    job(State.Completed, Status.Succeeded),
  ]);
  const { deps: d, progress } = deps(client);
  expect(await importSolution(d, request)).toEqual({
    jobId: JOB_ID,
    importJobId: IMPORT_ID,
    elapsedMs: 6000,
  });
  expect(calls).toEqual([
    {
      name: 'ImportSolutionAsync',
      body: {
        OverwriteUnmanagedCustomizations: true,
        PublishWorkflows: true,
        CustomizationFile: Buffer.from('PK zip bytes').toString('base64'),
        ImportJobId: IMPORT_ID,
      },
    },
  ]);
  expect(progress.map((p) => [p.status, p.elapsedMs, p.done])).toEqual([
    ['Not started', 0, false],
    ['Waiting for resources', 2000, false],
    ['In progress', 4000, false],
    ['Succeeded', 6000, true],
  ]);
});

it("fails with Dataverse's own message when the job fails or is canceled", async () => {
  const failed = org([
    job(
      State.Completed,
      Status.Failed,
      'Solution manifest import: FAILURE: The solution is missing dependencies.',
    ),
  ]);
  await expect(importSolution(deps(failed.client).deps, request)).rejects.toThrow(
    new SolutionImportFailedError(
      'IdearioInterests',
      JOB_ID,
      'Failed',
      'Solution manifest import: FAILURE: The solution is missing dependencies.',
    ),
  );
  const canceled = org([job(State.Completed, Status.Canceled)]);
  await expect(importSolution(deps(canceled.client).deps, request)).rejects.toThrow(
    `The import of IdearioInterests was canceled (system job ${JOB_ID}): the system job ended with status Canceled.`,
  );
});

it('stops waiting after the timeout, naming the job to follow', async () => {
  const { client } = org([job(State.Locked, Status.InProgress)]);
  await expect(importSolution(deps(client, 10_000).deps, request)).rejects.toBeInstanceOf(
    SolutionImportTimeoutError,
  );
});

it('refuses an answer without the system job id', async () => {
  const { client } = org([], {});
  await expect(importSolution(deps(client).deps, request)).rejects.toBeInstanceOf(
    UnexpectedImportResponseError,
  );
});

it('labels statuses for people', () => {
  expect(statusLabel(Status.WaitingForResources)).toBe('Waiting for resources');
  expect(statusLabel(undefined)).toBe('Not started');
});
