/**
 * The phase follows the facts recorded on a quotation through the Web API, and a phase set by hand
 * that the facts contradict is refused (the reason is in the host's answer, which the emulator logs).
 */
import { idr_phasehistory, opportunity, QuotationPhase, systemuser } from '../../../dataverse/generated';
import { createGroupQuotesHandlers } from '.';
import { DEFAULT_SETTINGS } from './settings';
import { runFollowUpSweep } from './sweep';
import { createQuoteOrg, type QuoteOrg } from './quote-org.testkit';

const c = opportunity.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-03-02T09:00:00Z'), handlers: createGroupQuotesHandlers() });
});
afterEach(() => org.close());

async function phaseOf(id: string): Promise<unknown> {
  return (await org.client.retrieve(opportunity.entitySetName, id, [c.idr_phase]))?.[c.idr_phase];
}

async function record(id: string, facts: Record<string, string | number>): Promise<unknown> {
  await org.client.update(opportunity.entitySetName, id, facts);
  await org.runAsyncSteps();
  return phaseOf(id);
}

async function expectRefused(save: Promise<unknown>, reason: string): Promise<void> {
  await expect(save).rejects.toThrow(/HTTP 422 \(Unprocessable Entity\)/);
  expect(org.logger.lines.join('\n')).toContain(reason);
}

const group = {
  [c.name]: 'Coro de Viena',
  [c.idr_arrivaldate]: '2026-05-10',
  [c.idr_nights]: 3,
  [c.idr_adults]: 40,
  [c.idr_priceperpersonnight]: 80,
};

describe('phases that move themselves', () => {
  it('reaches each phase from the facts alone, request to settled', async () => {
    const id = await org.client.create(opportunity.entitySetName, group);
    await org.runAsyncSteps();
    expect(await phaseOf(id)).toBe(QuotationPhase.Request);

    expect(await record(id, { [c.idr_quotesenton]: '2026-03-02' })).toBe(QuotationPhase.QuotationSent);
    expect(await record(id, { [c.idr_confirmedon]: '2026-03-09' })).toBe(QuotationPhase.Confirmed);
    expect(await record(id, { [c.idr_depositreceivedon]: '2026-03-14' })).toBe(QuotationPhase.Deposit);
    expect(await record(id, { [c.idr_roominglistreceivedon]: '2026-04-20' })).toBe(
      QuotationPhase.RoomingList,
    );
    expect(await record(id, { [c.idr_proformaissuedon]: '2026-04-25' })).toBe(QuotationPhase.Proforma);
    // Paid before the stay: not settled until check-out.
    expect(await record(id, { [c.idr_paymentreceivedon]: '2026-04-30' })).toBe(QuotationPhase.Proforma);
    org.clock.set(new Date('2026-05-14T09:00:00Z'));
    expect(await record(id, { [c.idr_paymentreceivedon]: '2026-05-13' })).toBe(QuotationPhase.Settled);
  });

  it('moves to Lost when a reason is recorded, and back when it is cleared', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      ...group,
      [c.idr_quotesenton]: '2026-03-02',
    });
    await org.runAsyncSteps();
    expect(await phaseOf(id)).toBe(QuotationPhase.QuotationSent);
    expect(await record(id, { [c.idr_lostreason]: 'Chose a hotel nearer the venue' })).toBe(
      QuotationPhase.Lost,
    );
    await org.client.update(opportunity.entitySetName, id, { [c.idr_lostreason]: null });
    await org.runAsyncSteps();
    expect(await phaseOf(id)).toBe(QuotationPhase.QuotationSent);
  });

  it('refuses a hand-set phase the facts do not support, on create and on update, and keeps Cancelled', async () => {
    await expectRefused(
      org.client.create(opportunity.entitySetName, { ...group, [c.idr_phase]: QuotationPhase.Confirmed }),
      'The phase cannot be set to Confirmed: no confirmation date is recorded (Confirmed On). Record it and the phase moves by itself. | ' +
        'No se puede poner la fase Confirmada: no consta la fecha de confirmación (Confirmada el).',
    );

    const id = await org.client.create(opportunity.entitySetName, {
      ...group,
      [c.idr_quotesenton]: '2026-03-02',
      [c.idr_confirmedon]: '2026-03-09',
      [c.idr_phase]: QuotationPhase.Confirmed,
    });
    await org.runAsyncSteps();
    expect(await phaseOf(id)).toBe(QuotationPhase.Confirmed);
    await expectRefused(
      org.client.update(opportunity.entitySetName, id, { [c.idr_phase]: QuotationPhase.QuotationSent }),
      'The phase cannot be set back to Quotation sent: the facts say Confirmed (confirmed on 9 March 2026).',
    );
    await expectRefused(
      org.client.update(opportunity.entitySetName, id, { [c.idr_phase]: QuotationPhase.Settled }),
      'Payment Received On',
    );
    expect(await phaseOf(id)).toBe(QuotationPhase.Confirmed);

    // Cancelling is a decision, not a fact: accepted, and later facts do not move it.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_phase]: QuotationPhase.Cancelled });
    expect(await record(id, { [c.idr_depositreceivedon]: '2026-03-10' })).toBe(QuotationPhase.Cancelled);
  });

  it('records each change with its date and the user whose save moved it', async () => {
    const userId = await org.client.create(systemuser.entitySetName, {
      [systemuser.columns.fullname]: 'Marta Gil',
    });
    const marta = org.client.as(userId);
    const id = await marta.create(opportunity.entitySetName, group);
    await org.runAsyncSteps();
    org.clock.set(new Date('2026-03-03T10:30:00Z'));
    await marta.update(opportunity.entitySetName, id, { [c.idr_quotesenton]: '2026-03-03' });
    await org.runAsyncSteps();
    org.clock.set(new Date('2026-03-09T16:00:00Z'));
    await marta.update(opportunity.entitySetName, id, { [c.idr_confirmedon]: '2026-03-09' });
    await org.runAsyncSteps();
    // A save that changes no fact records nothing.
    await marta.update(opportunity.entitySetName, id, { [c.idr_adults]: 41 });
    await org.runAsyncSteps();

    const H = idr_phasehistory.columns;
    const rows = await org.client.retrieveMultiple(idr_phasehistory.entitySetName, {
      select: [H.idr_name, H.idr_fromphase, H.idr_tophase, H.idr_changedon, H.idr_changedby, H.idr_detail],
      filter: `_${H.idr_opportunity}_value eq ${id}`,
      orderBy: [`${H.idr_changedon} asc`],
    });
    expect(
      rows.map((r) => [
        r[H.idr_name],
        r[H.idr_fromphase],
        r[H.idr_tophase],
        r[H.idr_changedon],
        r[H.idr_changedby],
      ]),
    ).toEqual([
      [
        'Request → Quotation sent',
        QuotationPhase.Request,
        QuotationPhase.QuotationSent,
        '2026-03-03T10:30:00Z',
        `Marta Gil (${userId})`,
      ],
      [
        'Quotation sent → Confirmed',
        QuotationPhase.QuotationSent,
        QuotationPhase.Confirmed,
        '2026-03-09T16:00:00Z',
        `Marta Gil (${userId})`,
      ],
    ]);
  });

  it('settles with time alone: the sweep after the departure day moves a paid quotation to Settled', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      ...group,
      [c.idr_quotesenton]: '2026-03-02',
      [c.idr_confirmedon]: '2026-03-09',
      [c.idr_paymentreceivedon]: '2026-04-30',
    });
    await org.runAsyncSteps();
    expect(await phaseOf(id)).toBe(QuotationPhase.Confirmed);
    org.clock.set(new Date('2026-05-13T09:00:00Z'));
    await runFollowUpSweep({
      client: org.client,
      clock: org.clock.now,
      logger: org.logger,
      settings: () => DEFAULT_SETTINGS,
      sleep: () => Promise.resolve(),
    });
    expect(await phaseOf(id)).toBe(QuotationPhase.Settled);
    const H = idr_phasehistory.columns;
    const last = await org.client.retrieveMultiple(idr_phasehistory.entitySetName, {
      select: [H.idr_name, H.idr_changedby, H.idr_detail],
      filter: `${H.idr_tophase} eq ${QuotationPhase.Settled}`,
    });
    expect(last.map((r) => [r[H.idr_name], r[H.idr_changedby], r[H.idr_detail]])).toEqual([
      ['Confirmed → Settled', null, 'payment received on 30 April 2026'],
    ]);
  });
});
