import { asyncoperation, EventType, idr_interaction, ProcessingStatus } from '../../../dataverse/generated';
import { defineHandler, SOLUTION_NAMES, type ExecutionContext } from '../../../plugins/registry';
import { createTestOrg, type TestOrg } from '../testing/index';

const I = idr_interaction.columns;
const JOB = asyncoperation.columns;

let org: TestOrg | undefined;
afterEach(() => org?.close());

it("runs the solution's own asynchronous step against in-process handlers, as a plugin test would", async () => {
  const seen: ExecutionContext[] = [];
  const scorer = defineHandler({
    message: 'Create',
    entity: idr_interaction.logicalName,
    stage: 40,
    mode: 1,
    solution: SOLUTION_NAMES[0],
    async handle(ctx, { client }) {
      seen.push(ctx);
      await client.update(idr_interaction.entitySetName, ctx.primaryEntityId ?? '', {
        [I.idr_processingstatus]: ProcessingStatus.Scored,
      });
    },
  });
  org = createTestOrg({ handlers: [scorer] });
  const id = await org.client.create(idr_interaction.entitySetName, {
    [I.idr_name]: 'Pricing page',
    [I.idr_eventtype]: EventType.WebVisit,
    [I.idr_occurredon]: '2025-01-15T09:30:00Z',
    [I.idr_source]: 'web',
    [I.idr_externalid]: 'visit-1',
  });
  expect(seen).toHaveLength(0);

  await org.drainJobs();
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ primaryEntityId: id, depth: 1, mode: 1 });
  expect(seen[0]?.owningExtension?.logicalName).toBe('sdkmessageprocessingstep');
  expect((await org.client.retrieve(idr_interaction.entitySetName, id))?.[I.idr_processingstatus]).toBe(
    ProcessingStatus.Scored,
  );

  const jobs = await org.client.retrieveMultiple(asyncoperation.entitySetName, {
    filter: `_${JOB.regardingobjectid}_value eq ${id}`,
  });
  expect(jobs).toHaveLength(1);
  expect(jobs[0]).toMatchObject({
    [JOB.statuscode]: asyncoperation.choices.statuscode.Succeeded,
    [JOB.name]: expect.stringContaining(idr_interaction.logicalName) as unknown,
  });
});
