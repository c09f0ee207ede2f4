/**
 * The demo's quotations carry the phase history the server would have written as their facts were
 * recorded, so the Quotation Timeline shows how each one got where it is.
 */
import { idr_phasehistory, opportunity, QuotationPhase, systemuser } from '../../../dataverse/generated';
import { PHASE_STEPS } from '../../../domain/quotation';
import { createGroupQuotesHandlers } from '../../../plugins/handlers/groupquotes';
import { createQuoteOrg, type QuoteOrg } from '../../../plugins/handlers/groupquotes/quote-org.testkit';
import { phaseChangesFrom, phaseHistoryOptions } from '../../../pcf-controls/QuotationTimeline/history';
import { phaseValue } from '../../../plugins/handlers/groupquotes/record';
import { loadDemoData } from './load';

const NOW = new Date('2026-12-06T09:00:00Z');
const O = opportunity.columns;
const H = idr_phasehistory.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: NOW, handlers: createGroupQuotesHandlers() });
});
afterEach(() => org.close());

/** The rows the timeline reads for a quotation, through the same Web API options. */
async function timeline(id: string) {
  const query = new URLSearchParams(phaseHistoryOptions(id).slice(1));
  const rows = await org.client.retrieveMultiple(idr_phasehistory.entitySetName, {
    select: (query.get('$select') ?? '').split(','),
    filter: query.get('$filter') ?? undefined,
  });
  return phaseChangesFrom(rows);
}

describe('the demo quotations, loaded', () => {
  it('have a phase history from Request to where they stand, dated by their facts and saved by the demo user', async () => {
    const result = await loadDemoData(org.client, { size: 'small', now: NOW, seed: 11 });
    expect(result).toMatchObject({ loaded: true, failures: [] });
    await org.runAsyncSteps();
    const who = (await org.client.executeFunction('WhoAmI')) as { UserId: string };
    const user = await org.client.retrieve(systemuser.entitySetName, who.UserId, [
      systemuser.columns.fullname,
    ]);
    const userName = String(user?.[systemuser.columns.fullname]);

    const settled = await org.client.retrieveMultiple(opportunity.entitySetName, {
      select: [O.opportunityid, O.idr_quotesenton, O.idr_confirmedon, O.idr_paymentreceivedon],
      filter: `${O.idr_phase} eq ${QuotationPhase.Settled}`,
    });
    expect(settled.length).toBeGreaterThan(0);
    for (const q of settled) {
      const items = await timeline(String(q[O.opportunityid]));
      // Newest first: the chain read backwards walks every step from Request to Settled.
      const chain = [...items].reverse();
      expect(chain.map((i) => i.to)).toEqual(PHASE_STEPS.slice(1));
      expect(chain.map((i) => i.from)).toEqual(PHASE_STEPS.slice(0, -1));
      expect(chain[0]?.detail).toMatch(/^sent on \d{1,2} \w+ \d{4}$/);
      expect(new Date(chain[0]?.on ?? 0).toISOString().slice(0, 10)).toBe(q[O.idr_quotesenton]);
      expect(new Date(chain[1]?.on ?? 0).toISOString().slice(0, 10)).toBe(q[O.idr_confirmedon]);
      expect(new Date(chain[chain.length - 1]?.on ?? 0).toISOString().slice(0, 10)).toBe(
        q[O.idr_paymentreceivedon],
      );
      for (const item of items) {
        expect(item.by).toBe(userName);
        expect(item.on).toBeLessThanOrEqual(NOW.getTime());
      }
    }

    // A request that was never sent has no change to show; every other quotation's latest change lands where it stands.
    const open = await org.client.retrieveMultiple(opportunity.entitySetName, {
      select: [O.opportunityid, O.idr_phase],
    });
    for (const q of open) {
      const items = await timeline(String(q[O.opportunityid]));
      if (q[O.idr_phase] === QuotationPhase.Request) expect(items).toEqual([]);
      else expect(phaseValue(items[0]?.to ?? 'request')).toBe(q[O.idr_phase]);
    }
    const rows = await org.client.retrieveMultiple(idr_phasehistory.entitySetName, { select: [H.idr_key] });
    expect(new Set(rows.map((r) => r[H.idr_key])).size).toBe(rows.length);
  });
});
