import path from 'node:path';
import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import {
  annotation,
  contact,
  idr_interaction,
  idr_interestprofile,
  idr_interactionrule,
  idr_marketingconcept,
  opportunity,
  EventType,
  ProcessingStatus,
  QuotationPhase,
} from '../../../dataverse/generated';
import { matchesEvent, parseMatch } from '../../../domain/interest';
import { computeQuotationAmounts, parseDateOnly, phaseFromFacts } from '../../../domain/quotation';
import { asRow, phaseValue, toPhaseFacts } from '../../../plugins/handlers/groupquotes/record';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import { InProcessClient } from '../inprocess-client';
import { testEngine } from '../testing/engine';
import { CATALOGUES } from './catalog';
import { DemoLoadError } from './errors';
import { loadDemoData, isDemoLoaded } from './load';
import { DEMO_MARKER_ID, planDemo, type DemoPlan } from './plan';
import { lineProgress } from './progress';
import { seededRandom } from '../../../domain/random';

const NOW = new Date('2025-06-10T09:30:00Z');
/** Event types the demo's rules and history leave out: offers (domain/offer) and triggers' facts. */
const NOT_IN_DEMO_RULES: ReadonlySet<number> = new Set([
  EventType.OfferPresented,
  EventType.CartAbandoned,
  EventType.CouponClick,
]);
const DAY = 86_400_000;

function creates(plan: DemoPlan, entitySet: string): EntityRecord[] {
  return plan.steps
    .flatMap((s) => s.operations)
    .filter(
      (o): o is Extract<BatchOperation, { kind: 'create' }> =>
        o.kind === 'create' && o.entitySet === entitySet,
    )
    .map((o) => o.record);
}

describe('the demo plan', () => {
  const plan = planDemo({ random: seededRandom(7), now: NOW, size: 'standard' });

  it('is the same for the same seed and clock, ids included, and differs for another seed', () => {
    expect(JSON.stringify(planDemo({ random: seededRandom(7), now: NOW, size: 'standard' }))).toBe(
      JSON.stringify(plan),
    );
    const other = planDemo({ random: seededRandom(8), now: NOW, size: 'standard' });
    expect(creates(other, contact.entitySetName)[0]?.[contact.columns.contactid]).not.toBe(
      creates(plan, contact.entitySetName)[0]?.[contact.columns.contactid],
    );
  });

  it('gives each business 20 to 30 concepts whose rules cover every event type, with exit below enter', () => {
    for (const catalogue of CATALOGUES) {
      expect(catalogue.concepts.length).toBeGreaterThanOrEqual(20);
      expect(catalogue.concepts.length).toBeLessThanOrEqual(30);
      const types = new Set(catalogue.concepts.flatMap((c) => c.rules.map((r) => r.eventType)));
      // An offer presented earns no interest: its answer feeds the propensity model (domain/offer).
      // Abandoned carts and coupon clicks drive triggered actions (idr_trigger), not interest.
      expect([...types].sort()).toEqual(
        Object.values(EventType)
          .filter((t) => !NOT_IN_DEMO_RULES.has(t))
          .sort(),
      );
      for (const concept of catalogue.concepts) {
        expect(concept.exit).toBeLessThan(concept.enter);
        expect(concept.halfLifeDays).toBeGreaterThanOrEqual(30);
        expect(concept.halfLifeDays).toBeLessThanOrEqual(365);
      }
    }
    expect(
      new Set(
        creates(plan, idr_marketingconcept.entitySetName).map(
          (c) => c[idr_marketingconcept.columns.idr_code],
        ),
      ).size,
    ).toBe(48);
    // Each concept is bound to its own segment list.
    const lists = creates(plan, idr_marketingconcept.entitySetName).map(
      (c) => c[`${idr_marketingconcept.columns.idr_marketinglist}@odata.bind`],
    );
    expect(new Set(lists).size).toBe(48);
  });

  it('makes every rule parse and every interaction match a rule of its concept set, as scoring will see it', () => {
    const rules = CATALOGUES.flatMap((c) => c.concepts.flatMap((concept) => concept.rules));
    for (const rule of rules) {
      const match = parseMatch(rule.match, rule.name);
      const sample = {
        eventType: rule.eventType,
        occurredOn: NOW.getTime(),
        url: rule.sample.url,
        campaignName: rule.sample.campaign,
        product: rule.sample.product,
        productFamily: rule.sample.productFamily,
        caseSubject: rule.sample.subject,
      };
      expect([rule.name, matchesEvent(match, sample)]).toEqual([rule.name, true]);
    }
    const I = idr_interaction.columns;
    const interactions = creates(plan, idr_interaction.entitySetName);
    expect(interactions).toHaveLength(3000);
    const campaignNames = new Map(
      creates(plan, 'campaigns').map((c) => [`/campaigns(${String(c.campaignid)})`, String(c.name)]),
    );
    const compiled = rules.map((r) => ({ rule: r, match: parseMatch(r.match) }));
    for (const event of interactions) {
      const campaign = event[`${I.idr_campaign}@odata.bind`];
      const candidate = {
        eventType: Number(event[I.idr_eventtype]),
        occurredOn: Date.parse(String(event[I.idr_occurredon])),
        url: event[I.idr_url] as string | undefined,
        campaignName: typeof campaign === 'string' ? campaignNames.get(campaign) : undefined,
        product: event[I.idr_product] as string | undefined,
        productFamily: event[I.idr_productfamily] as string | undefined,
        caseSubject: event[I.idr_casesubject] as string | undefined,
      };
      expect(
        compiled.some(
          ({ rule, match }) => rule.eventType === candidate.eventType && matchesEvent(match, candidate),
        ),
      ).toBe(true);
    }
  });

  it('registers interactions over the last year, more of them recent, each with a unique source and external id', () => {
    const I = idr_interaction.columns;
    const interactions = creates(plan, idr_interaction.entitySetName);
    const times = interactions.map((e) => Date.parse(String(e[I.idr_occurredon])));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW.getTime() - 366 * DAY);
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW.getTime());
    const lastQuarter = times.filter((t) => t >= NOW.getTime() - 91 * DAY).length;
    expect(lastQuarter).toBeGreaterThan(interactions.length / 3);
    const keys = interactions.map((e) => `${String(e[I.idr_source])}|${String(e[I.idr_externalid])}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(interactions.map((e) => e[I.idr_eventtype]))).toEqual(
      // Offers are presented by advisers on the contact card, not imported with the history.
      new Set(
        Object.values(EventType).filter(
          (t) => t !== EventType.OpportunityCreated && !NOT_IN_DEMO_RULES.has(t),
        ),
      ),
    );
  });

  it('has contacts with Spanish and English names, some who refuse bulk e-mail', () => {
    const people = creates(plan, contact.entitySetName);
    expect(people.length).toBeGreaterThanOrEqual(300);
    const C = contact.columns;
    expect(people.some((p) => /[áéíóúñ]/i.test(String(p[C.lastname])))).toBe(true);
    expect(
      people.some((p) => ['Smith', 'Jones', 'Taylor', 'Brown', 'Wilson'].includes(String(p[C.lastname]))),
    ).toBe(true);
    const refusing = people.filter((p) => p[C.donotbulkemail] === true).length;
    expect(refusing).toBeGreaterThan(people.length * 0.05);
    expect(refusing).toBeLessThan(people.length * 0.25);
  });

  it('has group quotations in every phase with dates and amounts that agree', () => {
    const O = opportunity.columns;
    const quotes = creates(plan, opportunity.entitySetName);
    expect(new Set(quotes.map((q) => q[O.idr_phase]))).toEqual(new Set(Object.values(QuotationPhase)));
    const today = NOW.toISOString().slice(0, 10);
    for (const q of quotes) {
      const arrival = String(q[O.idr_arrivaldate]);
      const nights = Number(q[O.idr_nights]);
      expect(q[O.idr_departuredate]).toBe(
        new Date(Date.parse(`${arrival}T00:00:00Z`) + nights * DAY).toISOString().slice(0, 10),
      );
      const amounts = computeQuotationAmounts({
        nights,
        adults: Number(q[O.idr_adults]),
        children: Number(q[O.idr_children]),
        pricePerPersonNight: Number(q[O.idr_priceperpersonnight]),
        childPricePercent: Number(q[O.idr_childpricepercent]),
        depositPercent: Number(q[O.idr_depositpercent]),
      });
      expect([q[O.idr_total], q[O.idr_deposit], q[O.idr_persons]]).toEqual([
        amounts.total,
        amounts.deposit,
        amounts.persons,
      ]);
      // What has happened happened in order, and not after today.
      const happened = [O.idr_quotesenton, O.idr_confirmedon, O.idr_depositreceivedon]
        .map((c) => q[c])
        .filter((d): d is string => typeof d === 'string');
      expect([...happened].sort()).toEqual(happened);
      for (const day of happened) expect(day <= today).toBe(true);
      const phase = q[O.idr_phase];
      if (phase === QuotationPhase.Request) expect(q[O.idr_quotesenton]).toBeUndefined();
      if (phase === QuotationPhase.Settled) expect(String(q[O.idr_departuredate]) < today).toBe(true);
      if (phase === QuotationPhase.Deposit) expect(q[O.idr_depositreceivedon]).toBeDefined();
      if (phase === QuotationPhase.Lost) expect(q[O.idr_confirmedon]).toBeUndefined();
      // The server refuses a phase the facts contradict, so every demo phase is the facts' phase.
      if (phase !== QuotationPhase.Cancelled)
        expect(phaseValue(phaseFromFacts(toPhaseFacts(asRow(q)), parseDateOnly(today)))).toBe(phase);
    }
    const closes = plan.steps
      .flatMap((s) => s.operations)
      .filter((o) => o.kind === 'update' && o.entitySet === opportunity.entitySetName);
    expect(closes).toHaveLength(3 * 6);
  });
});

describe('loading the demo data', () => {
  let metadata: MetadataModel;
  beforeAll(() => {
    metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
  });

  it('writes every planned record through the client, reports progress by tenths, and does nothing the second time', async () => {
    const { engine } = testEngine({ metadata, start: NOW });
    const client = new InProcessClient(engine);
    const lines: string[] = [];
    const progress = lineProgress((line) => lines.push(line));
    const result = await loadDemoData(client, {
      size: 'small',
      now: NOW,
      seed: 3,
      progress: (p) => progress.update(p),
      batchSize: 100,
    });
    expect(result).toMatchObject({ loaded: true, existing: 0, failures: [] });
    const plan = planDemo({ random: seededRandom(3), now: NOW, size: 'small' });
    const planned = plan.steps.reduce((n, s) => n + s.operations.length, 0);
    expect(result.loaded && result.written).toBe(planned);
    expect(
      (
        await client.retrieveMultiple(idr_interactionrule.entitySetName, {
          select: [idr_interactionrule.columns.idr_name],
        })
      ).length,
    ).toBe(plan.counts.rules);
    const interactions = await client.retrieveMultiple(idr_interaction.entitySetName, {
      select: [idr_interaction.columns.idr_source],
    });
    expect(interactions).toHaveLength(150);
    // Loaded scored: no interaction waits for its webhook, and the profiles are there already.
    const waiting = await client.retrieveMultiple(idr_interaction.entitySetName, {
      select: [idr_interaction.columns.idr_source],
      filter: `${idr_interaction.columns.idr_processingstatus} eq ${ProcessingStatus.Pending} or ${idr_interaction.columns.idr_processingstatus} eq null`,
    });
    expect(waiting).toHaveLength(0);
    expect(
      (
        await client.retrieveMultiple(idr_interestprofile.entitySetName, {
          select: [idr_interestprofile.columns.idr_name],
        })
      ).length,
    ).toBeGreaterThan(0);
    expect(lines[lines.length - 1]).toMatch(/^Demo data: 100% \(\d+\/\d+\) Done$/);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(await isDemoLoaded(client)).toBe(true);

    expect(await loadDemoData(client, { size: 'small', now: NOW, seed: 3 })).toEqual({
      loaded: false,
      reason: 'already-loaded',
    });
    expect(
      await client.retrieveMultiple(idr_interaction.entitySetName, {
        select: [idr_interaction.columns.idr_source],
      }),
    ).toHaveLength(150);
    engine.close();
  });

  it('resumes an interrupted load, writing only what is missing', async () => {
    const { engine } = testEngine({ metadata, start: NOW });
    const client = new InProcessClient(engine);
    await loadDemoData(client, { size: 'small', now: NOW, seed: 3 });
    // As if the load had stopped before its last record: the marker note.
    await client.delete(annotation.entitySetName, DEMO_MARKER_ID);
    const again = await loadDemoData(client, { size: 'small', now: NOW, seed: 3 });
    const plan = planDemo({ random: seededRandom(3), now: NOW, size: 'small' });
    // Creates find their records and are skipped; the closing updates are simply applied again, with the same values.
    expect(again).toMatchObject({ loaded: true, written: 1 + (plan.counts.closed ?? 0) });
    expect(again.loaded && again.existing).toBeGreaterThan(500);
    engine.close();
  });

  it('stops short of the marker and says why when records are refused', async () => {
    const { engine } = testEngine({ metadata, start: NOW });
    const client = new InProcessClient(engine);
    /** A host whose concept guard refuses every new concept. */
    class RefusingClient extends InProcessClient {
      override async executeBatch(
        operations: readonly BatchOperation[],
        options?: { atomic?: boolean; continueOnError?: boolean },
      ) {
        return (await super.executeBatch(operations, options)).map((r, i) => {
          const operation = operations[i];
          return operation?.kind === 'create' && operation.entitySet === idr_marketingconcept.entitySetName
            ? { status: 400, body: { error: { message: 'Too many active concepts.' } } }
            : r;
        });
      }
    }
    const refusing = new RefusingClient(engine);
    await expect(loadDemoData(refusing, { size: 'small', now: NOW })).rejects.toThrow(DemoLoadError);
    await expect(loadDemoData(refusing, { size: 'small', now: NOW })).rejects.toThrow(
      /Marketing concepts.*Too many active concepts/,
    );
    expect(await isDemoLoaded(client)).toBe(false);
    engine.close();
  });
});
