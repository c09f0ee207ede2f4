/**
 * The count the Target Builder shows, run by the emulator's FetchXML as context.webAPI would send it,
 * equals `ideario target --count` (countTarget) for the same conditions: the control counts the list's
 * query (rank keys against today's threshold), the CLI decays each stored score to today.
 */
import { contact, EventType, ValueTier } from '../../dataverse/generated';
import { countOf } from '../../dataverse/queries/target';
import type { TargetInput } from '../../domain/campaign/target';
import { countTarget } from '../../plugins/handlers/campaigns/target';
import {
  orgPerTest,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../../plugins/handlers/interests/test-org.testkit';
import { type BuilderState, countRequest, EMPTY_STATE, toQuery } from './builder';

const DAY = 86_400_000;
const START = new Date('2026-04-01T09:00:00Z');
const env = orgPerTest({ start: START });

/** What the control reads: the one aggregate row of its count request, through the Web API client. */
async function controlCount(state: BuilderState, concepts: { id: string; halfLifeDays: number }[]) {
  const mapped = toQuery(
    state,
    concepts.map((c) => ({ ...c, name: c.id })),
  );
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.problems));
  const options = countRequest(mapped.query, env.clock.now().getTime());
  const fetchXml = decodeURIComponent(options.slice('?fetchXml='.length));
  return countOf(await env.client.fetchXml(contact.entitySetName, fetchXml));
}

async function cliCount(input: TargetInput) {
  return (await countTarget({ client: env.client, clock: env.clock.now }, input)).contactIds.length;
}

it('shows the count ideario target prints, a score decayed below the minimum left out by both', async () => {
  // Cloud (half-life 10 days): Ana and Ben 80 points, Cai 50 (35.4 after 5 days, stored 50); Data: Ana.
  const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 30, exit: 20, halfLifeDays: 10 });
  const data = await seedConcept(env.client, { code: 'DATA', enter: 10, exit: 5, halfLifeDays: 90 });
  await seedRule(env.client, { concept: cloud.id, points: 80, eventType: EventType.WebVisit });
  await seedRule(env.client, { concept: cloud.id, points: 50, eventType: EventType.EmailClick });
  await seedRule(env.client, { concept: data.id, points: 20, eventType: EventType.FormSubmission });
  const [ana, ben, cai] = [
    await seedContact(env.client, { name: 'Ana' }),
    await seedContact(env.client, { name: 'Ben' }),
    await seedContact(env.client, { name: 'Cai' }),
  ];
  for (const who of [ana, ben])
    await seedInteraction(env.client, { contactId: who, eventType: EventType.WebVisit, occurredOn: START });
  await seedInteraction(env.client, { contactId: cai, eventType: EventType.EmailClick, occurredOn: START });
  await seedInteraction(env.client, {
    contactId: ana,
    eventType: EventType.FormSubmission,
    occurredOn: START,
  });
  await env.drain();
  await env.client.update(contact.entitySetName, ben, {
    [contact.columns.idr_valuetier]: ValueTier.BelowZero,
  });
  env.clock.advance(5 * DAY);
  const concepts = [cloud, data].map((c) => ({ id: c.id, halfLifeDays: c.id === cloud.id ? 10 : 90 }));

  const cases: [BuilderState, TargetInput, number][] = [
    [
      { ...EMPTY_STATE, concepts: [{ conceptId: cloud.id, minScore: '40' }] },
      { concepts: [{ concept: 'CLOUD', minScore: 40 }] },
      2,
    ],
    [
      { ...EMPTY_STATE, concepts: [{ conceptId: cloud.id, minScore: '30' }] },
      { concepts: [{ concept: 'CLOUD', minScore: 30 }] },
      3,
    ],
    [
      {
        ...EMPTY_STATE,
        concepts: [
          { conceptId: cloud.id, minScore: '30' },
          { conceptId: data.id, minScore: '15' },
        ],
      },
      {
        concepts: [
          { concept: 'CLOUD', minScore: 30 },
          { concept: 'DATA', minScore: 15 },
        ],
      },
      1,
    ],
    [
      { ...EMPTY_STATE, concepts: [{ conceptId: cloud.id, minScore: '30' }], tiers: ['belowZero'] },
      { concepts: [{ concept: 'CLOUD', minScore: 30 }], tiers: ['below-zero'] },
      1,
    ],
    [
      { ...EMPTY_STATE, lastInteractionDays: '7', notContactedDays: '14' },
      { lastInteractionWithinDays: 7, notContactedDays: 14 },
      3,
    ],
  ];
  for (const [state, input, expected] of cases) {
    const cli = await cliCount(input);
    expect([input, await controlCount(state, concepts)]).toEqual([input, cli]);
    expect([input, cli]).toEqual([input, expected]);
  }
});
