/**
 * The quotation email on save: recording a quotation as sent sends it to the agent within the save's
 * asynchronous step, not at the next hourly sweep, and the sweep does not send it again.
 */
import { email, idr_quotationaction, opportunity, QuotationPhase } from '../../../dataverse/generated';
import { createGroupQuotesHandlers } from '.';
import { runFollowUpSweep } from './sweep';
import { createPeople, createQuoteOrg, quotationParties, type QuoteOrg } from './quote-org.testkit';
import { DEFAULT_SETTINGS } from './settings';

const c = opportunity.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-03-02T09:00:00Z'), handlers: createGroupQuotesHandlers() });
});
afterEach(() => org.close());

async function emails(id: string) {
  return org.client.retrieveMultiple(email.entitySetName, {
    select: [email.columns.subject, email.columns.description],
    filter: `_${email.columns.regardingobjectid}_value eq ${id}`,
  });
}

describe('saving a quotation ready to send', () => {
  it('emails the agent at once, moves the phase, and leaves nothing for the sweep', async () => {
    const people = await createPeople(org, { agentLanguage: 'es' });
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Coro de Viena',
      ...quotationParties(people),
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 3,
      [c.idr_adults]: 38,
      [c.idr_children]: 2,
      [c.idr_childpricepercent]: 50,
      [c.idr_priceperpersonnight]: 80,
    });
    await org.runAsyncSteps();
    // Not sent yet: nothing goes out.
    expect(await emails(id)).toEqual([]);

    await org.client.update(opportunity.entitySetName, id, { [c.idr_quotesenton]: '2026-03-02' });
    await org.runAsyncSteps();

    const sent = await emails(id);
    expect(sent).toHaveLength(1);
    // In the agent's language, with the total the quotation shows (3 × (38 + 2 × 50 %) × 80).
    expect(String(sent[0][email.columns.description])).toContain('<td>9360,00</td>');
    expect((await org.client.retrieve(opportunity.entitySetName, id, [c.idr_phase]))?.[c.idr_phase]).toBe(
      QuotationPhase.QuotationSent,
    );
    const actions = await org.client.retrieveMultiple(idr_quotationaction.entitySetName, {
      select: [idr_quotationaction.columns.idr_key],
    });
    expect(actions.map((a) => a[idr_quotationaction.columns.idr_key])).toEqual([`${id}:quotationEmail`]);

    // Another save that changes no quoted value, and the hourly sweep the same day, send nothing more.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_adults]: 38 });
    await org.runAsyncSteps();
    const result = await runFollowUpSweep({
      client: org.client,
      clock: org.clock.now,
      logger: org.logger,
      settings: () => DEFAULT_SETTINGS,
      sleep: () => Promise.resolve(),
    });
    expect(result.actionsCreated).toBe(0);
    expect(await emails(id)).toHaveLength(1);
  });
});
