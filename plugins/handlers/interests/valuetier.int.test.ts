/** The value tier job: tiers from revenue and decayed scores, written once, moved as scores decay. */
import { account, contact, EventType, ValueTier } from '../../../dataverse/generated';
import { DAY_MS, DEFAULT_VALUE_TIER_THRESHOLDS } from '../../../domain/interest';
import { runJob } from '../../host/jobs';
import { updateValueTiers, VALUE_TIER_JOB } from './valuetier';
import {
  orgPerTest,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const START = new Date('2025-03-01T09:00:00Z');
const env = orgPerTest({ start: START });
const deps = () => ({ client: env.client, clock: env.clock.now, logger: env.logger });
const thresholds = { ...DEFAULT_VALUE_TIER_THRESHOLDS, mostGrowableFrom: 30 };

async function tierOf(entity: typeof account | typeof contact, id: string): Promise<unknown> {
  const row = await env.client.retrieve(entity.entitySetName, id, [entity.columns.idr_valuetier]);
  return row?.[entity.columns.idr_valuetier];
}

async function withRevenue(name: string, revenue: number): Promise<string> {
  const id = await seedAccount(env.client, name);
  await env.client.update(account.entitySetName, id, { [account.columns.revenue]: revenue });
  return id;
}

describe('the value tier job', () => {
  it('tiers accounts by revenue and their contacts’ scores, contacts by revenue share and their own scores', async () => {
    // Half-life 10 days; clicks are worth 40, complaints −50.
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 20, exit: 12, halfLifeDays: 10 });
    await seedRule(env.client, { concept: cloud.id, points: 40 });
    await seedRule(env.client, { concept: cloud.id, points: -50, eventType: EventType.Complaint });
    const big = await withRevenue('Big', 300_000);
    const small = await withRevenue('Small', 5_000);
    const ana = await seedContact(env.client, { name: 'Ana', accountId: big });
    const ben = await seedContact(env.client, { name: 'Ben', accountId: big });
    const cid = await seedContact(env.client, { name: 'Cid', accountId: small });
    const dan = await seedContact(env.client, { name: 'Dan' });
    const eve = await seedContact(env.client, { name: 'Eve' });
    const fay = await seedContact(env.client, { name: 'Fay' });
    for (const who of [cid, dan, eve])
      await seedInteraction(env.client, { contactId: who, occurredOn: START });
    await seedInteraction(env.client, { contactId: eve, occurredOn: START, eventType: EventType.Complaint });
    await env.drain();

    expect(await updateValueTiers(deps(), thresholds)).toEqual({ accounts: 2, contacts: 6, changed: 8 });
    // Big: 300,000 ≥ 100,000, and each of its two contacts holds 150,000 of it.
    expect(await tierOf(account, big)).toBe(ValueTier.MostValuable);
    expect(await tierOf(contact, ana)).toBe(ValueTier.MostValuable);
    expect(await tierOf(contact, ben)).toBe(ValueTier.MostValuable);
    // Small and Cid: 40 points of interest ≥ 30.
    expect(await tierOf(account, small)).toBe(ValueTier.MostGrowable);
    expect(await tierOf(contact, cid)).toBe(ValueTier.MostGrowable);
    expect(await tierOf(contact, dan)).toBe(ValueTier.MostGrowable);
    // Eve: a complaint outweighs her interest (40 − 50 < 0); Fay: nothing known.
    expect(await tierOf(contact, eve)).toBe(ValueTier.BelowZero);
    expect(await tierOf(contact, fay)).toBe(ValueTier.Maintain);
  });

  it('writes nothing on a second run, and moves a tier once the scores decay', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', halfLifeDays: 10 });
    await seedRule(env.client, { concept: cloud.id, points: 40 });
    const small = await withRevenue('Small', 5_000);
    const cid = await seedContact(env.client, { name: 'Cid', accountId: small });
    await seedInteraction(env.client, { contactId: cid, occurredOn: START });
    await env.drain();
    expect(await updateValueTiers(deps(), thresholds)).toMatchObject({ changed: 2 });

    const batches = jest.spyOn(env.client, 'executeBatch');
    expect(await updateValueTiers(deps(), thresholds)).toEqual({ accounts: 1, contacts: 1, changed: 0 });
    expect(batches).not.toHaveBeenCalled();

    // 40 points fall below 30 after log2(40/30)·10 ≈ 4.2 days.
    env.clock.advance(4 * DAY_MS);
    expect(await updateValueTiers(deps(), thresholds)).toMatchObject({ changed: 0 });
    env.clock.advance(1 * DAY_MS);
    expect(await updateValueTiers(deps(), thresholds)).toMatchObject({ changed: 2 });
    expect(await tierOf(account, small)).toBe(ValueTier.Maintain);
    expect(await tierOf(contact, cid)).toBe(ValueTier.Maintain);
    expect(batches).toHaveBeenCalledTimes(1);
  });

  it('pages through accounts and contacts', async () => {
    const accounts: string[] = [];
    for (let i = 0; i < 5; i++) accounts.push(await withRevenue(`A${i}`, 200_000));
    const people: string[] = [];
    for (let i = 0; i < 7; i++) {
      people.push(
        await seedContact(env.client, { name: `P${i}`, accountId: i < 4 ? accounts[i] : undefined }),
      );
    }
    expect(await updateValueTiers(deps(), thresholds, 2)).toEqual({ accounts: 5, contacts: 7, changed: 12 });
    for (const id of accounts) expect(await tierOf(account, id)).toBe(ValueTier.MostValuable);
    for (const id of people.slice(0, 4)) expect(await tierOf(contact, id)).toBe(ValueTier.MostValuable);
    for (const id of people.slice(4)) expect(await tierOf(contact, id)).toBe(ValueTier.Maintain);
  });

  it('runs as a scheduled job of the host, at the re-check interval', async () => {
    const job = env.plugins.jobs.find((j) => j.name === VALUE_TIER_JOB);
    expect(job).toMatchObject({ everyMs: 3_600_000 });
    expect(await runJob(job!, deps())).toMatchObject({ ok: true });
  });
});
