/**
 * Impossible quotation values, as a Web API caller meets them: the save fails and nothing is stored.
 * Dataverse passes on only the webhook's status ("Use webhooks…", Troubleshoot), so the reason, in
 * English and Spanish, is asserted where it goes: the host's answer, which the emulator logs.
 */
import { opportunity } from '../../../dataverse/generated';
import { createGroupQuotesHandlers } from '.';
import { createQuoteOrg, type QuoteOrg } from './quote-org.testkit';

const c = opportunity.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-03-02T09:00:00Z'), handlers: createGroupQuotesHandlers() });
});
afterEach(() => org.close());

async function expectRefused(save: Promise<unknown>, ...reasons: string[]): Promise<void> {
  await expect(save).rejects.toThrow(/HTTP 422 \(Unprocessable Entity\)/);
  const logged = org.logger.lines.join('\n');
  for (const reason of reasons) expect(logged).toContain(reason);
}

async function count(): Promise<number> {
  return (await org.client.retrieveMultiple(opportunity.entitySetName, { select: [c.name] })).length;
}

describe('impossible values from an API caller', () => {
  it('refuses a new quotation whose departure is before its arrival, and stores nothing', async () => {
    await expectRefused(
      org.client.create(opportunity.entitySetName, {
        [c.name]: 'Boda',
        [c.idr_arrivaldate]: '2026-05-10',
        [c.idr_departuredate]: '2026-05-08',
        [c.idr_adults]: 20,
      }),
      'The quotation cannot be saved: The departure (8 May 2026) must be after the arrival (10 May 2026).',
      'No se puede guardar la cotización: La salida (8 de mayo de 2026) debe ser posterior a la llegada (10 de mayo de 2026).',
    );
    expect(await count()).toBe(0);
  });

  it('checks an update against the stored values and leaves the record as it was', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Congreso',
      [c.idr_arrivaldate]: '2026-06-01',
      [c.idr_departuredate]: '2026-06-03',
      [c.idr_adults]: 10,
      [c.idr_priceperpersonnight]: 100,
    });
    await org.runAsyncSteps();

    // Only the departure is sent: it is checked against the stored arrival.
    await expectRefused(
      org.client.update(opportunity.entitySetName, id, { [c.idr_departuredate]: '2026-05-30' }),
      'The departure (30 May 2026) must be after the arrival (1 June 2026).',
    );
    await expectRefused(
      org.client.update(opportunity.entitySetName, id, { [c.idr_priceperpersonnight]: -100 }),
      'The price per person per night cannot be negative (you entered -100).',
      'El precio por persona y noche no puede ser negativo (ha introducido -100).',
    );
    await expectRefused(
      org.client.update(opportunity.entitySetName, id, { [c.idr_total]: -5 }),
      'Total must be 0 or more (you entered -5).',
    );
    expect(await org.client.retrieve(opportunity.entitySetName, id)).toMatchObject({
      [c.idr_departuredate]: '2026-06-03',
      [c.idr_priceperpersonnight]: 100,
      [c.idr_total]: 2000,
    });

    // A sound change goes through, and a date that only the form flags (in the past) is accepted.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_departuredate]: '2026-06-04' });
    await org.runAsyncSteps();
    expect(await org.client.retrieve(opportunity.entitySetName, id)).toMatchObject({
      [c.idr_nights]: 3,
      [c.idr_total]: 3000,
    });
  });

  it('accepts a draft with an empty group, which the enforcement only flags', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Excursión',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 1,
      [c.idr_adults]: 0,
    });
    await org.runAsyncSteps();
    const saved = await org.client.retrieve(opportunity.entitySetName, id);
    expect(saved?.[c.idr_quotationissue]).toMatch(/at least one person/);
  });
});
