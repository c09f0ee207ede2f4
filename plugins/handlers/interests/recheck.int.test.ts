/** The scheduled re-check: time passes with no event, scores decay, contacts leave their segments. */
import { idr_interestprofile } from '../../../dataverse/generated';
import { DAY_MS } from '../../../domain/interest';
import { runJob } from '../../host/jobs';
import { recheckSegments, SEGMENT_RECHECK_JOB } from './recheck';
import {
  listMembers,
  orgPerTest,
  profileOf,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const PC = idr_interestprofile.columns;
const START = new Date('2025-03-01T09:00:00Z');

const env = orgPerTest({ start: START });

const deps = () => ({ client: env.client, clock: env.clock.now, logger: env.logger });

describe('the segment re-check job', () => {
  it('moves contacts whose score decayed below the exit threshold out of the segment and its list, and only them', async () => {
    // Half-life 10 days: 40 points fall below the exit threshold 12 after log2(40/12)·10 ≈ 17.4 days.
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 20, exit: 12, halfLifeDays: 10 });
    await seedRule(env.client, { concept: cloud.id, points: 40 });
    const ana = await seedContact(env.client, { name: 'Ana' });
    const ben = await seedContact(env.client, { name: 'Ben' });
    const eve = await seedContact(env.client, { name: 'Eve', doNotBulkEmail: true });
    for (const who of [ana, ben, eve])
      await seedInteraction(env.client, { contactId: who, occurredOn: START });
    await env.drain();
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ana, ben].sort());

    env.clock.advance(10 * DAY_MS);
    expect(await recheckSegments(deps())).toMatchObject({ checked: 3, left: 0 });
    // Ben keeps interacting; Ana and Eve go quiet.
    await seedInteraction(env.client, { contactId: ben, occurredOn: env.clock.now() });
    await env.drain();
    env.clock.advance(8 * DAY_MS);
    expect(await recheckSegments(deps())).toEqual({ checked: 3, left: 2, removedFromLists: 1, conflicts: 0 });

    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ben]);
    const anaProfile = await profileOf(env.client, ana, cloud.id);
    expect(anaProfile?.[PC.idr_insegment]).toBe(false);
    expect(anaProfile?.[PC.idr_score]).toBeCloseTo(40 * 2 ** -1.8, 4);
    expect(anaProfile?.[PC.idr_segmentchangedon]).toBe('2025-03-19T09:00:00Z');
    expect((await profileOf(env.client, eve, cloud.id))?.[PC.idr_insegment]).toBe(false);
    expect((await profileOf(env.client, ben, cloud.id))?.[PC.idr_insegment]).toBe(true);

    expect(await recheckSegments(deps())).toEqual({ checked: 1, left: 0, removedFromLists: 0, conflicts: 0 });
  });

  it('pages through every in-segment profile', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 5, exit: 4, halfLifeDays: 1 });
    await seedRule(env.client, { concept: cloud.id, points: 8 });
    const people: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = await seedContact(env.client, { name: `P${i}` });
      people.push(id);
      await seedInteraction(env.client, { contactId: id, occurredOn: START });
    }
    await env.drain();
    env.clock.advance(2 * DAY_MS);
    expect(await recheckSegments(deps(), 3)).toEqual({
      checked: 7,
      left: 7,
      removedFromLists: 7,
      conflicts: 0,
    });
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([]);
  });

  it('runs hourly as a scheduled job of the host', async () => {
    const [job] = env.plugins.jobs;
    expect(job).toMatchObject({ name: SEGMENT_RECHECK_JOB, everyMs: 3_600_000 });
    expect(await runJob(job, deps())).toMatchObject({ ok: true });
  });
});
