import { DataverseError } from '../../../dataverse/errors';
import { memoryLogger } from '../../../dataverse/logger';
import { testEngine, type TestEngine } from '../testing/engine';
import { testMetadata } from '../testing/metadata';
import { Engine } from './engine';
import { InfiniteLoopError, PluginExecutionError } from './errors';
import type { OperationEvent } from './pipeline';

const t = {} as TestEngine;
beforeEach(() => Object.assign(t, testEngine()));
afterEach(() => t.engine.close());

function record(events: OperationEvent[]) {
  return {
    beforeOperation: (e: OperationEvent) => void events.push(e),
    afterOperation: (e: OperationEvent) => void events.push(e),
    afterCommit: (e: OperationEvent) => void events.push(e),
  };
}

const summary = (events: OperationEvent[]) =>
  events.map((e) => `${e.message}.${e.entityName}:${e.stage}${e.mode === 1 ? 'a' : ''}@${e.depth}`);

it('raises stages 10, 20 and 40 inside the operation, then the async event after commit', async () => {
  const events: OperationEvent[] = [];
  t.engine.pipeline.subscribe(record(events));
  const id = await t.engine.create('contacts', { fullname: 'Ana' });
  await t.engine.whenIdle();
  expect(summary(events)).toEqual([
    'Create.contact:10@1',
    'Create.contact:20@1',
    'Create.contact:40@1',
    'Create.contact:40a@1',
  ]);
  const post = events[2]?.postImage;
  expect(post?.attributes).toMatchObject({
    fullname: 'Ana',
    statecode: { kind: 'option', value: 0 },
    contactid: id,
  });
  expect(post?.attributes.ownerid).toEqual({
    kind: 'reference',
    logicalName: 'systemuser',
    id: t.engine.whoAmI().UserId,
  });
  expect(new Set(events.map((e) => e.operationId)).size).toBe(1);
  expect(events[0]?.sharedVariables).toBe(events[3]?.sharedVariables);
});

it('gives Update the changed attributes and pre/post images, and Delete its pre-image', async () => {
  const id = await t.engine.create('contacts', { fullname: 'Ana', emailaddress1: 'a@x.com' });
  const events: OperationEvent[] = [];
  t.engine.pipeline.subscribe({ afterOperation: (e) => void events.push(e) });
  await t.engine.update('contacts', id, { fullname: 'Ana B' });
  await t.engine.delete('contacts', id);
  const [update, del] = events;
  expect(update?.changedAttributes).toEqual(['fullname']);
  expect(update?.target.attributes).toEqual({ fullname: 'Ana B', contactid: id });
  expect(update?.preImage?.attributes.fullname).toBe('Ana');
  expect(update?.postImage?.attributes).toMatchObject({ fullname: 'Ana B', emailaddress1: 'a@x.com' });
  expect(del?.message).toBe('Delete');
  expect(del?.preImage?.attributes.fullname).toBe('Ana B');
});

it('rolls the operation back when a synchronous handler throws, and the caller gets its message', async () => {
  t.engine.pipeline.subscribe({
    afterOperation: (e) => {
      if (e.entityName === 'emu_concept') throw new Error('Only 30 active concepts are allowed.');
    },
  });
  const error = await t.engine.create('emu_concepts', { emu_code: 'X' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PluginExecutionError);
  expect(error).toMatchObject({ status: 400, code: '0x80040265' });
  expect((error as Error).message).toContain('Only 30 active concepts are allowed.');
  expect((await t.engine.query('emu_concepts', {})).records).toHaveLength(0);
});

it('passes a DataverseError from a handler through unchanged', async () => {
  t.engine.pipeline.subscribe({
    beforeOperation: () => {
      throw new DataverseError('Exit threshold must not exceed enter threshold.', 400, '0x80040203');
    },
  });
  await expect(t.engine.create('emu_concepts', {})).rejects.toMatchObject({
    message: 'Exit threshold must not exceed enter threshold.',
    code: '0x80040203',
  });
});

it('runs operations made by a handler in the same transaction with depth + 1 and a parent', async () => {
  const events: OperationEvent[] = [];
  t.engine.pipeline.subscribe({
    afterOperation: async (e) => {
      events.push(e);
      if (e.message === 'Create' && e.entityName === 'emu_interaction') {
        await t.engine.create('emu_profiles', { emu_name: `profile of ${e.id}` });
      }
    },
  });
  await t.engine.create('emu_interactions', { emu_name: 'i' });
  expect(summary(events)).toEqual(['Create.emu_interaction:40@1', 'Create.emu_profile:40@2']);
  expect(events[1]?.parent?.id).toBe(events[0]?.id);
  expect(events[1]?.correlationId).toBe(events[0]?.correlationId);
  expect((await t.engine.query('emu_profiles', {})).records).toHaveLength(1);
});

it("rolls back a handler's nested operations with the operation that failed later", async () => {
  t.engine.pipeline.subscribe({
    afterOperation: async (e) => {
      if (e.entityName !== 'emu_interaction') return;
      await t.engine.create('emu_profiles', { emu_name: 'nested' });
      throw new Error('scoring failed');
    },
  });
  await expect(t.engine.create('emu_interactions', { emu_name: 'i' })).rejects.toThrow('scoring failed');
  expect((await t.engine.query('emu_profiles', {})).records).toHaveLength(0);
  expect((await t.engine.query('emu_interactions', {})).records).toHaveLength(0);
});

it('stops a handler that keeps triggering itself at depth 8', async () => {
  t.engine.pipeline.subscribe({
    afterOperation: async (e) => {
      if (e.message === 'Update') await t.engine.update('contacts', e.id, { firstname: `depth ${e.depth}` });
    },
  });
  const id = await t.engine.create('contacts', { fullname: 'Loop' });
  const error = await t.engine.update('contacts', id, { firstname: 'x' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfiniteLoopError);
  expect((error as Error).message).toContain('depth 9');
  expect((await t.engine.retrieve('contacts', id)).firstname).toBeNull();
});

it('lets stage 20 change the target before it is written', async () => {
  t.engine.pipeline.subscribe({
    beforeOperation: (e) => {
      if (e.stage === 20 && e.entityName === 'contact')
        e.target.attributes.fullname = (e.target.attributes.fullname as string).toUpperCase();
    },
  });
  const id = await t.engine.create('contacts', { fullname: 'ana' });
  expect((await t.engine.retrieve('contacts', id)).fullname).toBe('ANA');
});

it('splits an update of state and other columns into two passes, as Dataverse does', async () => {
  const id = await t.engine.create('emu_concepts', { emu_name: 'a' });
  const events: OperationEvent[] = [];
  t.engine.pipeline.subscribe(record(events));
  await t.engine.update('emu_concepts', id, { emu_name: 'b', statecode: 1 });
  await t.engine.whenIdle();
  const sync40 = events.filter((e) => e.stage === 40 && e.mode === 0);
  expect(sync40.map((e) => e.changedAttributes)).toEqual([['emu_name'], ['statecode', 'statuscode']]);
  expect(sync40[1]?.preImage?.attributes.emu_name).toBe('b');
  expect(events.filter((e) => e.stage === 10)).toHaveLength(1);
  expect(events.filter((e) => e.mode === 1)).toHaveLength(2);
});

it('delivers async events only for committed operations, and logs (never throws) async failures', async () => {
  const logger = memoryLogger();
  const engine = new Engine({ metadata: testMetadata(), path: ':memory:', logger });
  const delivered: string[] = [];
  engine.pipeline.subscribe({
    afterOperation: (e) => {
      if (e.target.attributes.fullname === 'refused') throw new Error('no');
    },
    afterCommit: (e) => {
      delivered.push(e.postImage?.attributes.fullname as string);
      throw new Error('webhook host down');
    },
  });
  await engine.create('contacts', { fullname: 'kept' });
  await expect(engine.create('contacts', { fullname: 'refused' })).rejects.toThrow('no');
  await engine.whenIdle();
  expect(delivered).toEqual(['kept']);
  expect(logger.lines.join('\n')).toContain('webhook host down');
  engine.close();
});

it('makes engine.transaction all-or-nothing', async () => {
  const failing = t.engine.transaction(async () => {
    await t.engine.create('contacts', { fullname: 'first' });
    await t.engine.create('contacts', { fullname: 'x'.repeat(200) });
  });
  await expect(failing).rejects.toThrow('maximum allowed length');
  expect((await t.engine.query('contacts', {})).records).toHaveLength(0);
});

it('serialises concurrent writers: a write waits while another one is inside its handlers', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  t.engine.pipeline.subscribe({
    afterOperation: async (e) => {
      if (e.target.attributes.fullname === 'slow') await gate;
    },
  });
  const slow = t.engine.create('contacts', { fullname: 'slow' });
  const fast = t.engine.create('contacts', { fullname: 'fast' });
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await Promise.all([slow, fast]);
  const order = (
    await t.engine.query('contacts', { select: ['fullname'], orderBy: ['versionnumber'] })
  ).records.map((r) => r.fullname);
  expect(order).toEqual(['slow', 'fast']);
});
