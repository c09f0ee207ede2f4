/** Rule changes: the cache follows them at once, and a rule the engine cannot use is taken out of play. */
import type { DataverseClient, QueryOptions } from '../../../dataverse/client';
import {
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  ProcessingStatus,
} from '../../../dataverse/generated';
import {
  createInterestsOrg,
  type InterestsOrg,
  profileOf,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const RC = idr_interactionrule.columns;
const START = new Date('2025-03-01T09:00:00Z');

let env: InterestsOrg;
afterEach(() => env.close());

/** Counts the rule queries the handlers make, to see when the cache reloads. */
function countRuleQueries(counter: { rules: number }) {
  return (client: DataverseClient): DataverseClient =>
    new Proxy(client, {
      get(target, property, receiver) {
        if (property === 'retrieveMultiple') {
          return (entitySet: string, query?: QueryOptions) => {
            if (entitySet === idr_interactionrule.entitySetName) counter.rules++;
            return target.retrieveMultiple(entitySet, query);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
}

describe('a rule change', () => {
  it('is used by the next event at once, while unchanged rules are served from the cache', async () => {
    const counter = { rules: 0 };
    env = createInterestsOrg({ start: START, wrapClient: countRuleQueries(counter) });
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 1000, exit: 500 });
    const rule = await seedRule(env.client, { concept: cloud.id, points: 5 });
    const ana = await seedContact(env.client, { name: 'Ana' });
    await env.drain();
    const score = async () =>
      Number(
        (await profileOf(env.client, ana, cloud.id))?.[idr_interestprofile.columns.idr_accumulator] ?? 0,
      );

    await seedInteraction(env.client, { contactId: ana, occurredOn: START });
    await seedInteraction(env.client, { contactId: ana, occurredOn: START });
    await env.drain();
    expect(await score()).toBeCloseTo(10, 6);
    expect(counter.rules).toBe(1);

    await env.client.update(idr_interactionrule.entitySetName, rule, { [RC.idr_points]: 50 });
    await env.drain();
    await seedInteraction(env.client, { contactId: ana, occurredOn: START });
    await env.drain();
    expect(await score()).toBeCloseTo(60, 6);
    expect(counter.rules).toBe(2);
  });

  it('deactivates a rule whose match expression does not parse, says why in the log, and other rules keep scoring', async () => {
    env = createInterestsOrg({ start: START });
    const cloud = await seedConcept(env.client, { code: 'CLOUD' });
    await seedRule(env.client, { concept: cloud.id, points: 3, match: 'url=*cloud*', name: 'Good' });
    const bad = await seedRule(env.client, {
      concept: cloud.id,
      points: 40,
      match: 'url=*cloud*;colour=red',
      name: 'Bad',
    });
    const ana = await seedContact(env.client, { name: 'Ana' });
    const event = await seedInteraction(env.client, {
      contactId: ana,
      occurredOn: START,
      url: 'https://x.test/cloud',
    });
    await env.drain();

    const row = await env.client.retrieve(idr_interactionrule.entitySetName, bad, [
      RC.statecode,
      RC.statuscode,
    ]);
    expect(row).toMatchObject({
      [RC.statecode]: idr_interactionrule.choices.statecode.Inactive,
      [RC.statuscode]: idr_interactionrule.choices.statuscode.Inactive,
    });
    const logged = env.logger.lines.find((l) => l.includes('Interaction rule deactivated'));
    expect(logged).toContain('unknown key \\"colour\\"');
    expect(logged).toContain(bad);
    const scored = await env.client.retrieve(idr_interaction.entitySetName, event, [
      idr_interaction.columns.idr_processingstatus,
      idr_interaction.columns.idr_applieddeltas,
    ]);
    expect(scored?.[idr_interaction.columns.idr_processingstatus]).toBe(ProcessingStatus.Scored);
    expect(JSON.parse(String(scored?.[idr_interaction.columns.idr_applieddeltas]))).toEqual([
      expect.objectContaining({ points: 3 }),
    ]);
  });

  it('leaves a fixed rule active when it is saved again', async () => {
    env = createInterestsOrg({ start: START });
    const cloud = await seedConcept(env.client, { code: 'CLOUD' });
    const rule = await seedRule(env.client, { concept: cloud.id, points: 3, match: 'url=*cloud*' });
    await env.client.update(idr_interactionrule.entitySetName, rule, {
      [RC.idr_match]: 'url=*cloud*;campaign=Spring*',
    });
    await env.drain();
    const row = await env.client.retrieve(idr_interactionrule.entitySetName, rule, [RC.statecode]);
    expect(row?.[RC.statecode]).toBe(idr_interactionrule.choices.statecode.Active);
  });
});
