/**
 * The pending sweep scores what the webhook never scored (the host was down), once: a late delivery of
 * the same event afterwards changes nothing, and a young Pending event is left to its own webhook.
 */
import {
  EventType,
  idr_interaction,
  idr_interestprofile,
  ProcessingStatus,
} from '../../../dataverse/generated';
import { PENDING_SWEEP_JOB } from './pending';
import {
  createInterestsOrg,
  type InterestsOrg,
  profileOf,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const IC = idr_interaction.columns;
const PC = idr_interestprofile.columns;
const MINUTE = 60_000;

let env: InterestsOrg;
afterEach(() => env.close());

async function status(id: string): Promise<unknown> {
  return (await env.client.retrieve(idr_interaction.entitySetName, id, [IC.idr_processingstatus]))?.[
    IC.idr_processingstatus
  ];
}

it('scores interactions whose webhook never ran, once, and leaves young ones to their webhook', async () => {
  env = createInterestsOrg();
  const concept = await seedConcept(env.client, { code: 'CLOUD' });
  await seedRule(env.client, { concept: concept.id, eventType: EventType.WebVisit, points: 4 });
  const contactId = await seedContact(env.client, { name: 'Vidal' });
  const lost = [];
  for (let i = 0; i < 3; i++)
    lost.push(
      await seedInteraction(env.client, {
        contactId,
        eventType: EventType.WebVisit,
        occurredOn: env.clock.now(),
        externalId: `lost-${i}`,
      }),
    );
  // The host was down: Dataverse got no answer, nothing was scored.
  const undelivered = await env.hold();
  expect(undelivered.length).toBeGreaterThanOrEqual(3);
  for (const id of lost) expect(await status(id)).toBe(ProcessingStatus.Pending);

  env.clock.advance(11 * MINUTE);
  const young = await seedInteraction(env.client, {
    contactId,
    eventType: EventType.WebVisit,
    occurredOn: env.clock.now(),
    externalId: 'young',
  });
  await env.hold();
  const sweep = env.plugins.jobs.find((j) => j.name === PENDING_SWEEP_JOB);
  if (!sweep) throw new Error(`${PENDING_SWEEP_JOB} is not among the interests jobs`);
  const deps = { client: env.client, clock: env.clock.now, logger: env.logger };
  await sweep.run(deps);

  for (const id of lost) expect(await status(id)).toBe(ProcessingStatus.Scored);
  expect(await status(young)).toBe(ProcessingStatus.Pending);
  const scored = await profileOf(env.client, contactId, concept.id);
  expect(scored?.[PC.idr_eventcount]).toBe(3);

  // The webhooks arrive late after all, and the sweep runs again: nothing counts twice.
  for (const delivery of undelivered) await env.deliver(delivery);
  await sweep.run(deps);
  expect((await profileOf(env.client, contactId, concept.id))?.[PC.idr_eventcount]).toBe(3);
  expect(await status(young)).toBe(ProcessingStatus.Pending);
});
