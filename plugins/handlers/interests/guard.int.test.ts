/**
 * The concept catalogue guard, as an API caller meets it: the save fails. Dataverse passes on only the
 * webhook's status ("Use webhooks…", Troubleshoot), so the reason is asserted where it goes: the
 * host's answer, which the emulator logs. The concept form explains the same refusals before saving.
 */
import { idr_marketingconcept } from '../../../dataverse/generated';
import { createInterestsOrg, type InterestsOrg, seedConcept } from './test-org.testkit';
import { DEFAULT_INTERESTS_SETTINGS } from './settings';

const MC = idr_marketingconcept.columns;
const STATE = idr_marketingconcept.choices.statecode;
const STATUS = idr_marketingconcept.choices.statuscode;

let env: InterestsOrg;
afterEach(() => env.close());

/** The save is refused with a generic 422 and `reason` is in the log of the webhook's answer. */
async function expectRefused(save: Promise<unknown>, reason: string | RegExp): Promise<void> {
  await expect(save).rejects.toThrow(/HTTP 422 \(Unprocessable Entity\)/);
  const logged = env.logger.lines.join('\n');
  if (typeof reason === 'string') expect(logged).toContain(reason);
  else expect(logged).toMatch(reason);
}

async function activeCount(): Promise<number> {
  return (
    await env.client.retrieveMultiple(idr_marketingconcept.entitySetName, {
      filter: `${MC.statecode} eq ${STATE.Active}`,
      select: [MC.idr_code],
    })
  ).length;
}

describe('the active concept limit', () => {
  beforeEach(async () => {
    env = createInterestsOrg();
    for (let i = 1; i <= 30; i++) await seedConcept(env.client, { code: `C${i}`, withList: false });
  });

  it('refuses the 31st active concept with the reason and the way out', async () => {
    await expectRefused(
      seedConcept(env.client, { code: 'C31', withList: false }),
      "Marketing concept 'Concept C31' cannot be active: 30 concepts are already active and at most 30 may be (environment variable idr_MaxActiveConcepts). " +
        'Deactivate a concept you no longer use, or ask an administrator to raise the limit.',
    );
    expect(await activeCount()).toBe(30);
  });

  it('lets an inactive concept be created, refuses activating it, and allows it once another is deactivated', async () => {
    const { id } = await seedConcept(env.client, { code: 'SPARE', active: false, withList: false });
    const activate = () =>
      env.client.update(idr_marketingconcept.entitySetName, id, {
        [MC.statecode]: STATE.Active,
        [MC.statuscode]: STATUS.Active,
      });
    await expectRefused(activate(), /cannot be active: 30 concepts are already active/);
    await env.client.update(
      idr_marketingconcept.entitySetName,
      { [MC.idr_code]: 'C1' },
      { [MC.statecode]: STATE.Inactive, [MC.statuscode]: STATUS.Inactive },
    );
    await activate();
    expect(await activeCount()).toBe(30);
  });

  it('does not count a concept that is already active when its thresholds change', async () => {
    await env.client.update(
      idr_marketingconcept.entitySetName,
      { [MC.idr_code]: 'C7' },
      { [MC.idr_enterthreshold]: 40, [MC.idr_exitthreshold]: 30 },
    );
    const row = await env.client.retrieve(idr_marketingconcept.entitySetName, { [MC.idr_code]: 'C7' }, [
      MC.idr_enterthreshold,
    ]);
    expect(row?.[MC.idr_enterthreshold]).toBe(40);
  });

  it('takes its limit from the host setting idr_MaxActiveConcepts', async () => {
    env.close();
    env = createInterestsOrg({
      plugins: { settings: () => ({ ...DEFAULT_INTERESTS_SETTINGS, maxActiveConcepts: 2 }) },
    });
    await seedConcept(env.client, { code: 'A', withList: false });
    await seedConcept(env.client, { code: 'B', withList: false });
    await expectRefused(
      seedConcept(env.client, { code: 'C', withList: false }),
      /2 concepts are already active and at most 2 may be/,
    );
  });
});

describe('segment thresholds', () => {
  beforeEach(() => {
    env = createInterestsOrg();
  });

  it('refuses a new concept whose exit threshold is above its enter threshold', async () => {
    await expectRefused(
      seedConcept(env.client, { code: 'FLAP', enter: 10, exit: 12 }),
      "Marketing concept 'Concept FLAP': the exit threshold (12) is above the enter threshold (10). " +
        'Set the exit threshold at or below the enter threshold, so that a contact who just entered the segment does not leave it at once.',
    );
  });

  it('checks an update against the value it does not change', async () => {
    const { id } = await seedConcept(env.client, { code: 'OK', enter: 10, exit: 5 });
    await expectRefused(
      env.client.update(idr_marketingconcept.entitySetName, id, { [MC.idr_exitthreshold]: 15 }),
      /exit threshold \(15\) is above the enter threshold \(10\)/,
    );
    await expectRefused(
      env.client.update(idr_marketingconcept.entitySetName, id, { [MC.idr_enterthreshold]: 4 }),
      /exit threshold \(5\) is above the enter threshold \(4\)/,
    );
    await env.client.update(idr_marketingconcept.entitySetName, id, { [MC.idr_enterthreshold]: 5 });
    const row = await env.client.retrieve(idr_marketingconcept.entitySetName, id, [
      MC.idr_enterthreshold,
      MC.idr_exitthreshold,
    ]);
    expect(row).toMatchObject({ [MC.idr_enterthreshold]: 5, [MC.idr_exitthreshold]: 5 });
  });
});
