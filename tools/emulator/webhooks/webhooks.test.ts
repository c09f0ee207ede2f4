import {
  account,
  asyncoperation,
  contact,
  EventType,
  idr_interaction,
  idr_marketingconcept,
  opportunity,
} from '../../../dataverse/generated';
import { defineHandler, type ExecutionContext, type HandlerDefinition } from '../../../plugins/registry';
import { RetryLater, ValidationRefusal } from '../../../plugins/host/errors';
import {
  getDate,
  getMoney,
  getOptionValue,
  getReference,
  getString,
  targetEntity,
} from '../../../plugins/host/parse';
import type { StepModel } from '../../solution/model';
import { ErrorCodes, PluginExecutionError } from '../engine/errors';
import type { JsonRecord } from '../engine/records';
import { WebhookStepFailedError } from './errors';
import { HEADERS } from './dispatcher';
import { startOrg, step, TEST_KEY, TEST_SOLUTION, type TestOrg } from './webhooks.testkit';

const JOB = asyncoperation.columns;
const { statecode: JobState, statuscode: JobStatus, operationtype: JobType } = asyncoperation.choices;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let org: TestOrg | undefined;
afterEach(() => {
  org?.close();
  org = undefined;
});

/** A handler for a step, recording every context it receives. */
function handlerFor(
  s: StepModel,
  handle: (ctx: ExecutionContext, call: number) => Promise<void> | void = () => {},
): HandlerDefinition & { calls: ExecutionContext[] } {
  const calls: ExecutionContext[] = [];
  const definition = defineHandler({
    message: s.message,
    entity: s.entity,
    stage: s.stage,
    mode: s.mode,
    solution: TEST_SOLUTION,
    ...(s.filteringAttributes.length > 0 ? { filteringAttributes: s.filteringAttributes } : {}),
    async handle(ctx, deps) {
      calls.push(ctx);
      await handle(ctx, calls.length);
      void deps;
    },
  });
  return Object.assign(definition, { calls });
}

function start(steps: StepModel[], handlers: HandlerDefinition[]): TestOrg {
  org = startOrg(steps, handlers);
  return org;
}

async function jobs(o: TestOrg, filter?: string): Promise<JsonRecord[]> {
  const page = await o.engine.query(asyncoperation.entitySetName, {
    ...(filter ? { filter } : {}),
    orderBy: [`${JOB.versionnumber} asc`],
  });
  return page.records;
}

async function count(o: TestOrg, entitySet: string): Promise<number> {
  return (await o.engine.query(entitySet, {})).records.length;
}

describe('the RemoteExecutionContext a step sends', () => {
  it('is accepted by the host parser, field by field, with typed values, dates and images', async () => {
    const s = step({
      message: 'Create',
      entity: opportunity.logicalName,
      stage: 40,
      mode: 1,
      images: [
        {
          name: 'PostImage',
          entityAlias: 'PostImage',
          imageType: 1,
          attributes: [opportunity.columns.name, opportunity.columns.estimatedvalue],
        },
      ],
    });
    const handler = handlerFor(s);
    const o = start([s], [handler]);
    const accountId = await o.engine.create(account.entitySetName, { [account.columns.name]: 'Agencia Sol' });
    const id = await o.engine.create(opportunity.entitySetName, {
      [opportunity.columns.name]: 'Group booking',
      [opportunity.columns.estimatedvalue]: 1250.5,
      [opportunity.columns.opportunityratingcode]: opportunity.choices.opportunityratingcode.Warm,
      [opportunity.columns.estimatedclosedate]: '2025-03-01T12:00:00Z',
      [`${opportunity.columns.customerid}_${account.logicalName}@odata.bind`]: `/${account.entitySetName}(${accountId})`,
    });
    await o.jobs.drain();

    expect(handler.calls).toHaveLength(1);
    const ctx = handler.calls[0];
    const me = o.engine.whoAmI();
    expect(ctx).toMatchObject({
      messageName: 'Create',
      primaryEntityName: opportunity.logicalName,
      primaryEntityId: id,
      stage: 40,
      mode: 1,
      depth: 1,
      userId: me.UserId,
      initiatingUserId: me.UserId,
      businessUnitId: me.BusinessUnitId,
      organizationId: me.OrganizationId,
      organizationName: 'contoso',
      isInTransaction: false,
      sizeExceeded: false,
    });
    expect(ctx.correlationId).toMatch(GUID);
    expect(ctx.operationId).toMatch(GUID);
    expect(ctx.operationCreatedOn).toEqual(o.clock.now());
    expect(ctx.owningExtension).toMatchObject({ logicalName: 'sdkmessageprocessingstep', id: s.id });

    const target = targetEntity(ctx);
    expect(target?.id).toBe(id);
    if (!target) throw new Error('no target');
    expect(getString(target, opportunity.columns.name)).toBe('Group booking');
    expect(getMoney(target, opportunity.columns.estimatedvalue)).toBe(1250.5);
    expect(getOptionValue(target, opportunity.columns.opportunityratingcode)).toBe(
      opportunity.choices.opportunityratingcode.Warm,
    );
    expect(getReference(target, opportunity.columns.customerid)).toMatchObject({
      logicalName: account.logicalName,
      id: accountId,
    });
    expect(getDate(target, opportunity.columns.estimatedclosedate)).toEqual(new Date('2025-03-01T12:00:00Z'));
    expect(ctx.outputParameters.get('id')).toBe(id);

    const post = ctx.postEntityImages.get('PostImage');
    expect([...(post?.attributes.keys() ?? [])].sort()).toEqual(
      [opportunity.columns.estimatedvalue, opportunity.columns.name].sort(),
    );
    expect(
      ctx.postEntityImages.get('AsynchronousStepPrimaryName')?.attributes.get(opportunity.columns.name),
    ).toBe('Group booking');
    expect(ctx.preEntityImages.size).toBe(0);
    expect(ctx.parentContext).toMatchObject({
      stage: 30,
      messageName: 'Create',
      primaryEntityId: id,
      parentContext: null,
    });

    // On the wire: the endpoint's key as ?code=, Dataverse's headers, DataContractJsonSerializer types.
    const request = o.sent[0];
    const url = new URL(request?.url ?? '');
    expect(url.pathname).toBe(`/api/webhook/${TEST_SOLUTION}`);
    expect(url.searchParams.get('code')).toBe(TEST_KEY);
    expect(request?.headers).toMatchObject({
      [HEADERS.correlationId]: ctx.correlationId,
      [HEADERS.entityName]: opportunity.logicalName,
      [HEADERS.requestName]: 'Create',
      [HEADERS.organization]: 'contoso',
    });
    expect(request?.headers[HEADERS.sizeExceeded]).toBeUndefined();
    const raw = JSON.parse(request?.body ?? '{}') as {
      InputParameters: {
        key: string;
        value: { __type: string; Attributes: { key: string; value: unknown }[] };
      }[];
      OperationCreatedOn: string;
    };
    expect(raw.InputParameters[0]?.value.__type).toBe(
      'Entity:http://schemas.microsoft.com/xrm/2011/Contracts',
    );
    const attributes = new Map(raw.InputParameters[0]?.value.Attributes.map((a) => [a.key, a.value]));
    expect(attributes.get(opportunity.columns.estimatedvalue)).toEqual({
      __type: 'Money:http://schemas.microsoft.com/xrm/2011/Contracts',
      Value: 1250.5,
    });
    expect(attributes.get(opportunity.columns.estimatedclosedate)).toBe(
      `/Date(${Date.parse('2025-03-01T12:00:00Z')})/`,
    );
    expect(raw.OperationCreatedOn).toBe(`/Date(${o.clock.now().getTime()})/`);
  });
});

describe('synchronous steps', () => {
  it('roll the create back when the handler refuses it; the caller sees the status, not the handler sentence', async () => {
    const s = step({ message: 'Create', entity: idr_marketingconcept.logicalName, stage: 10, mode: 0 });
    const handler = handlerFor(s, () => {
      throw new ValidationRefusal('The concept code TECH is already used by another concept.');
    });
    const o = start([s], [handler]);
    const error = await o.engine
      .create(idr_marketingconcept.entitySetName, {
        [idr_marketingconcept.columns.idr_name]: 'Technology',
        [idr_marketingconcept.columns.idr_code]: 'TECH',
        [idr_marketingconcept.columns.idr_enterthreshold]: 10,
        [idr_marketingconcept.columns.idr_exitthreshold]: 5,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookStepFailedError);
    expect(error).toBeInstanceOf(PluginExecutionError);
    expect(error).toMatchObject({ status: 400, code: ErrorCodes.PluginAborted });
    // Dataverse reads only the status of a webhook's answer ("Use webhooks…", Troubleshoot).
    expect((error as Error).message).toContain('HTTP 422 (Unprocessable Entity)');
    expect((error as Error).message).not.toContain('TECH');
    expect((error as WebhookStepFailedError).reply.detail).toBe(
      'The concept code TECH is already used by another concept.',
    );
    expect(handler.calls[0]).toMatchObject({ stage: 10, mode: 0, isInTransaction: false });
    expect(await count(o, idr_marketingconcept.entitySetName)).toBe(0);
    expect(await jobs(o)).toHaveLength(0);
  });

  it('undo what the handler wrote before it failed, together with the operation', async () => {
    const s = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 0 });
    const handler = defineHandler({
      message: 'Create',
      entity: contact.logicalName,
      stage: 40,
      mode: 0,
      solution: TEST_SOLUTION,
      async handle(_ctx, { client }) {
        await client.create(account.entitySetName, { [account.columns.name]: 'Written by the handler' });
        throw new Error('The ERP did not accept the contact.');
      },
    });
    const o = start([s], [handler]);
    const error = await o.engine
      .create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookStepFailedError);
    expect((error as Error).message).not.toContain('The ERP did not accept the contact.');
    expect((error as WebhookStepFailedError).reply.detail).toContain('The ERP did not accept the contact.');
    expect(await count(o, contact.entitySetName)).toBe(0);
    expect(await count(o, account.entitySetName)).toBe(0);
  });

  it('are tried once more on 503 and succeed if the second answer is 2xx', async () => {
    const s = step({ message: 'Create', entity: contact.logicalName, stage: 20, mode: 0 });
    const handler = handlerFor(s, (_ctx, call) => {
      if (call === 1) throw new RetryLater('The scoring service is restarting.');
    });
    const o = start([s], [handler]);
    await o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
    expect(handler.calls).toHaveLength(2);
    expect(await count(o, contact.entitySetName)).toBe(1);
  });

  it('stop a handler that keeps updating its own record at depth 8, and roll every level back', async () => {
    const s = step({ message: 'Update', entity: contact.logicalName, stage: 40, mode: 0 });
    const depths: number[] = [];
    const handler = defineHandler({
      message: 'Update',
      entity: contact.logicalName,
      stage: 40,
      mode: 0,
      solution: TEST_SOLUTION,
      async handle(ctx, { client }) {
        depths.push(ctx.depth);
        await client.update(contact.entitySetName, ctx.primaryEntityId ?? '', {
          [contact.columns.jobtitle]: `level ${ctx.depth}`,
        });
      },
    });
    const looping = start([s], [handler]);
    const other = await looping.engine.create(contact.entitySetName, {
      [contact.columns.lastname]: 'Vidal',
      [contact.columns.jobtitle]: 'start',
    });
    const error = await looping.engine
      .update(contact.entitySetName, other, { [contact.columns.jobtitle]: 'changed' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookStepFailedError);
    // Each level's host answers 500 and Dataverse passes only that status outwards.
    expect((error as WebhookStepFailedError).reply.status).toBe(500);
    expect(depths).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const stored = await looping.engine.retrieve(contact.entitySetName, other);
    expect(stored[contact.columns.jobtitle]).toBe('start');
  });
});

describe('asynchronous steps', () => {
  it('become a system job after commit, visible through the Web API, that ends Succeeded', async () => {
    const s = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 1 });
    const handler = handlerFor(s);
    const o = start([s], [handler]);
    const id = await o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
    await o.engine.whenIdle();

    const [queued, ...others] = await jobs(o, `_${JOB.regardingobjectid}_value eq ${id}`);
    expect(others).toHaveLength(0);
    expect(queued).toMatchObject({
      [JOB.name]: s.name,
      [JOB.operationtype]: JobType.SystemEvent,
      [JOB.statecode]: JobState.Ready,
      [JOB.statuscode]: JobStatus.WaitingForResources,
      [JOB.depth]: 1,
      [JOB.retrycount]: 0,
      [JOB.primaryentitytype]: contact.logicalName,
      [`_${JOB.owningextensionid}_value`]: s.id,
      [JOB.startedon]: null,
    });
    expect(queued?.[JOB.correlationid]).toMatch(GUID);
    const payload = JSON.parse(String(queued?.[JOB.data])) as {
      PrimaryEntityId: string;
      CorrelationId: string;
    };
    expect(payload).toMatchObject({ PrimaryEntityId: id, CorrelationId: queued?.[JOB.correlationid] });
    expect(handler.calls).toHaveLength(0);

    await o.jobs.drain();
    const [done] = await jobs(o, `_${JOB.regardingobjectid}_value eq ${id}`);
    expect(done).toMatchObject({
      [JOB.statecode]: JobState.Completed,
      [JOB.statuscode]: JobStatus.Succeeded,
      [JOB.message]: null,
    });
    expect(done?.[JOB.startedon]).toEqual(expect.any(String));
    expect(done?.[JOB.completedon]).toEqual(expect.any(String));
    expect(handler.calls).toHaveLength(1);
  });

  it('are not queued for a create that a synchronous step rolled back', async () => {
    const sync = step({ message: 'Create', entity: contact.logicalName, stage: 20, mode: 0 });
    const async = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 1 });
    const o = start(
      [sync, async],
      [
        handlerFor(sync, () => {
          throw new ValidationRefusal('No.');
        }),
        handlerFor(async),
      ],
    );
    await expect(
      o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' }),
    ).rejects.toBeInstanceOf(WebhookStepFailedError);
    await o.engine.whenIdle();
    expect(await jobs(o)).toHaveLength(0);
  });

  it('are retried once on 503 and then succeed', async () => {
    const s = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 1 });
    const handler = handlerFor(s, (_ctx, call) => {
      if (call === 1) throw new RetryLater('The scoring service is restarting.');
    });
    const o = start([s], [handler]);
    await o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
    await o.jobs.drain();
    const [job] = await jobs(o);
    expect(handler.calls).toHaveLength(2);
    expect(job).toMatchObject({
      [JOB.statecode]: JobState.Completed,
      [JOB.statuscode]: JobStatus.Succeeded,
      [JOB.retrycount]: 1,
    });
  });

  it('fail after the one retry when the endpoint keeps answering 503', async () => {
    const s = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 1 });
    const handler = handlerFor(s, () => {
      throw new RetryLater('The scoring service is down for maintenance.');
    });
    const o = start([s], [handler]);
    await o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
    await o.jobs.drain();
    const [job] = await jobs(o);
    expect(handler.calls).toHaveLength(2);
    expect(job).toMatchObject({
      [JOB.statecode]: JobState.Completed,
      [JOB.statuscode]: JobStatus.Failed,
      [JOB.retrycount]: 1,
    });
    expect(job?.[JOB.friendlymessage]).toContain('The scoring service is down for maintenance.');
    expect(job?.[JOB.message]).toContain('HTTP 503');
  });

  it('fail at once, without a retry, when the endpoint answers 500', async () => {
    const s = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 1 });
    const handler = handlerFor(s, () => {
      throw new Error('Concept lookup failed: no concept has code NONE.');
    });
    const o = start([s], [handler]);
    await o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
    await o.jobs.drain();
    const [job] = await jobs(o);
    expect(handler.calls).toHaveLength(1);
    expect(job).toMatchObject({
      [JOB.statecode]: JobState.Completed,
      [JOB.statuscode]: JobStatus.Failed,
      [JOB.retrycount]: 0,
    });
    expect(job?.[JOB.friendlymessage]).toContain('Concept lookup failed: no concept has code NONE.');
    expect(job?.[JOB.message]).toContain('HTTP 500');
  });

  it('stop at depth 8 when each job updates the record that queued it', async () => {
    const s = step({ message: 'Update', entity: contact.logicalName, stage: 40, mode: 1 });
    const handler = defineHandler({
      message: 'Update',
      entity: contact.logicalName,
      stage: 40,
      mode: 1,
      solution: TEST_SOLUTION,
      async handle(ctx, { client }) {
        await client.update(contact.entitySetName, ctx.primaryEntityId ?? '', {
          [contact.columns.jobtitle]: `level ${ctx.depth}`,
        });
      },
    });
    const o = start([s], [handler]);
    const id = await o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
    await o.engine.update(contact.entitySetName, id, { [contact.columns.jobtitle]: 'start' });
    await o.jobs.drain();

    const all = await jobs(o);
    expect(all.map((j) => j[JOB.depth])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(all.map((j) => j[JOB.correlationid])).size).toBe(1);
    expect(all.slice(0, 7).every((j) => j[JOB.statuscode] === JobStatus.Succeeded)).toBe(true);
    expect(all[7]).toMatchObject({ [JOB.statecode]: JobState.Completed, [JOB.statuscode]: JobStatus.Failed });
    expect(all[7]?.[JOB.friendlymessage]).toContain(
      'This workflow job was canceled because the workflow that started it included an infinite loop',
    );
    const stored = await o.engine.retrieve(contact.entitySetName, id);
    expect(stored[contact.columns.jobtitle]).toBe('level 7');
  });
});

describe('filtering attributes', () => {
  it('let an Update step fire only when the request sets one of them', async () => {
    const s = step({
      message: 'Update',
      entity: contact.logicalName,
      stage: 40,
      mode: 1,
      filteringAttributes: [contact.columns.lastname],
    });
    const handler = handlerFor(s);
    const o = start([s], [handler]);
    const id = await o.engine.create(contact.entitySetName, {
      [contact.columns.lastname]: 'Vidal',
      [contact.columns.firstname]: 'Ana',
    });
    await o.engine.update(contact.entitySetName, id, { [contact.columns.firstname]: 'Anna' });
    await o.jobs.drain();
    expect(handler.calls).toHaveLength(0);
    expect(await jobs(o)).toHaveLength(0);

    await o.engine.update(contact.entitySetName, id, { [contact.columns.lastname]: 'Vidal Soler' });
    await o.jobs.drain();
    expect(handler.calls).toHaveLength(1);
    const target = targetEntity(handler.calls[0]);
    expect(target && getString(target, contact.columns.lastname)).toBe('Vidal Soler');
  });
});

describe('payloads over 256 KB', () => {
  const interaction = (externalId: string, deltas: string) => ({
    [idr_interaction.columns.idr_name]: 'Web visit',
    [idr_interaction.columns.idr_eventtype]: EventType.WebVisit,
    [idr_interaction.columns.idr_occurredon]: '2025-01-10T09:00:00Z',
    [idr_interaction.columns.idr_source]: 'web',
    [idr_interaction.columns.idr_externalid]: externalId,
    [idr_interaction.columns.idr_applieddeltas]: deltas,
  });

  it('lose InputParameters, images and ParentContext, and carry x-ms-dynamics-msg-size-exceeded', async () => {
    const s = step({
      message: 'Create',
      entity: idr_interaction.logicalName,
      stage: 40,
      mode: 1,
      images: [{ name: 'PostImage', entityAlias: 'PostImage', imageType: 1, attributes: [] }],
    });
    const handler = handlerFor(s);
    const o = start([s], [handler]);
    await o.engine.create(idr_interaction.entitySetName, interaction('small', '[]'));
    const bigId = await o.engine.create(
      idr_interaction.entitySetName,
      interaction('big', 'x'.repeat(100_000)),
    );
    await o.jobs.drain();

    const [small, big] = handler.calls;
    expect(small?.sizeExceeded).toBe(false);
    expect(small && targetEntity(small)).not.toBeNull();
    expect(o.sent[0]?.headers[HEADERS.sizeExceeded]).toBeUndefined();

    expect(big).toMatchObject({
      sizeExceeded: true,
      target: null,
      parentContext: null,
      primaryEntityId: bigId,
      messageName: 'Create',
    });
    expect(big?.inputParameters.size).toBe(0);
    expect(big?.postEntityImages.size).toBe(0);
    expect(o.sent[1]?.headers[HEADERS.sizeExceeded]).toBeDefined();
    expect(Buffer.byteLength(o.sent[1]?.body ?? '')).toBeLessThan(256 * 1024);
  });
});

describe('steps without a webhook to post to', () => {
  it('are reported once and never block the operation', async () => {
    const orphan = step({
      message: 'Create',
      entity: contact.logicalName,
      stage: 20,
      mode: 0,
      serviceEndpointId: '11111111-2222-4333-8444-555555555555',
    });
    const o = start([orphan], []);
    await o.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
    expect(o.sent).toHaveLength(0);
    expect(o.logger.lines.filter((l) => l.includes(orphan.name))).toHaveLength(1);
  });
});
