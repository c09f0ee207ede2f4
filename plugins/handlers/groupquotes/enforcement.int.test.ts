import { idr_quotationpolicy, opportunity } from '../../../dataverse/generated';
import { createPeople, createQuoteOrg, quotationParties, type QuoteOrg } from './quote-org.testkit';

const c = opportunity.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-03-02T09:00:00Z') });
});
afterEach(() => org.close());

async function read(id: string) {
  const record = await org.client.retrieve(opportunity.entitySetName, id);
  if (!record) throw new Error(`opportunity ${id} is gone`);
  return record;
}

describe('a quotation written through the Web API', () => {
  it('gets its departure, persons, total and deposit from arrival and nights once the async step ran', async () => {
    const people = await createPeople(org);
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
    expect((await read(id))[c.idr_departuredate]).toBeNull();

    await org.runAsyncSteps();

    const saved = await read(id);
    expect(saved).toMatchObject({
      [c.idr_departuredate]: '2026-05-13',
      [c.idr_persons]: 40,
      // 3 nights × (38 + 2 × 50 %) × 80
      [c.idr_total]: 9360,
      // the default policy's 25 %
      [c.idr_depositpercent]: 25,
      [c.idr_deposit]: 2340,
      [c.idr_quotationissue]: null,
    });
    // One corrective update; the Update step it fired found nothing left to change.
    expect(org.opportunityUpdates(id)).toBe(1);
    expect(org.logger.lines.some((l) => l.includes('Quotation checked: nothing to change.'))).toBe(true);
  });

  it('takes the deposit % from the default policy row when there is one', async () => {
    await org.client.create(idr_quotationpolicy.entitySetName, {
      [idr_quotationpolicy.columns.idr_name]: 'Temporada alta',
      [idr_quotationpolicy.columns.idr_isdefault]: true,
      [idr_quotationpolicy.columns.idr_defaultdepositpercent]: 40,
    });
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Congreso',
      [c.idr_arrivaldate]: '2026-06-01',
      [c.idr_departuredate]: '2026-06-03',
      [c.idr_adults]: 10,
      [c.idr_priceperpersonnight]: 100,
    });
    await org.runAsyncSteps();
    expect(await read(id)).toMatchObject({
      [c.idr_nights]: 2,
      [c.idr_total]: 2000,
      [c.idr_depositpercent]: 40,
      [c.idr_deposit]: 800,
    });
  });

  it('corrects stale derived values an import wrote, and a later price change through the API', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Import',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 2,
      [c.idr_departuredate]: '2026-05-12',
      [c.idr_adults]: 10,
      [c.idr_persons]: 99,
      [c.idr_priceperpersonnight]: 50,
      [c.idr_depositpercent]: 10,
      [c.idr_total]: 1,
      [c.idr_deposit]: 1,
    });
    await org.runAsyncSteps();
    expect(await read(id)).toMatchObject({ [c.idr_persons]: 10, [c.idr_total]: 1000, [c.idr_deposit]: 100 });

    await org.client.update(opportunity.entitySetName, id, { [c.idr_priceperpersonnight]: 60 });
    await org.runAsyncSteps();
    expect(await read(id)).toMatchObject({ [c.idr_total]: 1200, [c.idr_deposit]: 120 });
    // The caller's update, and one correction after each save: no loop.
    expect(org.opportunityUpdates(id)).toBe(3);
  });

  it('sets a readable issue for invalid input, and clears it when the input is fixed', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Boda',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_departuredate]: '2026-05-08',
      [c.idr_adults]: 20,
      [c.idr_priceperpersonnight]: 90,
    });
    await org.runAsyncSteps();
    const broken = await read(id);
    expect(broken[c.idr_quotationissue]).toBe(
      'The departure (8 May 2026) must be after the arrival (10 May 2026).',
    );
    expect(broken[c.idr_nights]).toBeNull();
    expect(broken[c.idr_total]).toBeNull();

    await org.client.update(opportunity.entitySetName, id, { [c.idr_departuredate]: '2026-05-12' });
    await org.runAsyncSteps();
    expect(await read(id)).toMatchObject({
      [c.idr_quotationissue]: null,
      [c.idr_nights]: 2,
      [c.idr_total]: 3600,
      [c.idr_deposit]: 900,
    });
  });

  it('reports a problem in the language configured for staff', async () => {
    org.close();
    org = createQuoteOrg({ start: new Date('2026-03-02T09:00:00Z'), settings: { language: 'es' } });
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Excursión',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 1,
      [c.idr_adults]: 0,
      [c.idr_children]: 0,
      [c.idr_priceperpersonnight]: 40,
    });
    await org.runAsyncSteps();
    const saved = await read(id);
    expect(saved[c.idr_quotationissue]).toMatch(/al menos una persona/);
    expect(saved[c.idr_departuredate]).toBe('2026-05-11');
    expect(saved[c.idr_total]).toBeNull();
  });

  it('flags an arrival in the past on a new quotation, and keeps the flag through its own re-trigger', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Tarde',
      [c.idr_arrivaldate]: '2026-02-20',
      [c.idr_nights]: 2,
      [c.idr_adults]: 4,
      [c.idr_priceperpersonnight]: 50,
    });
    await org.runAsyncSteps();
    const saved = await read(id);
    expect(saved[c.idr_departuredate]).toBe('2026-02-22');
    expect(saved[c.idr_quotationissue]).toMatch(/^The arrival \(20 February 2026\) is in the past/);
  });

  it('keeps the deposit schedule of a confirmed quotation', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Confirmado',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 4,
      [c.idr_adults]: 25,
      [c.idr_priceperpersonnight]: 100,
      [c.idr_confirmedon]: '2026-03-02',
    });
    await org.runAsyncSteps();
    const saved = await read(id);
    expect(saved[c.idr_depositduedate]).toBe('2026-03-09');
    expect(JSON.parse(String(saved[c.idr_depositschedule]))).toEqual([
      { number: 1, kind: 'deposit', dueOn: '2026-03-09', amount: 2500, paidOn: null },
      { number: 2, kind: 'balance', dueOn: '2026-04-26', amount: 7500, paidOn: null },
    ]);
  });
});

describe('the dates the quotation policy sets', () => {
  const P = idr_quotationpolicy.columns;
  beforeEach(async () => {
    await org.client.create(idr_quotationpolicy.entitySetName, {
      [P.idr_name]: 'Grupos',
      [P.idr_isdefault]: true,
      [P.idr_optiondays]: 5,
      [P.idr_cutoffdays]: 30,
      [P.idr_roominglistduedays]: 10,
    });
  });

  it('fills option expiry, cutoff and rooming-list due on a quotation created through the client', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Coro de Viena',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 3,
      [c.idr_quotesenton]: '2026-03-02',
    });
    await org.runAsyncSteps();
    expect(await read(id)).toMatchObject({
      [c.idr_departuredate]: '2026-05-13',
      [c.idr_optionexpireson]: '2026-03-07',
      [c.idr_cutoffdate]: '2026-04-10',
      [c.idr_roominglistdueon]: '2026-04-30',
    });
    expect(org.opportunityUpdates(id)).toBe(1);
  });

  it('starts the option when the quotation is sent, and moves only the policy dates with the arrival', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Congreso',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 3,
    });
    await org.runAsyncSteps();
    expect(await read(id)).toMatchObject({ [c.idr_optionexpireson]: null, [c.idr_cutoffdate]: '2026-04-10' });

    await org.client.update(opportunity.entitySetName, id, { [c.idr_quotesenton]: '2026-03-03' });
    await org.runAsyncSteps();
    expect((await read(id))[c.idr_optionexpireson]).toBe('2026-03-08');

    // The salesperson agreed a later rooming list with the agent, then the group moved a week.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_roominglistdueon]: '2026-05-05' });
    await org.client.update(opportunity.entitySetName, id, { [c.idr_arrivaldate]: '2026-05-17' });
    await org.runAsyncSteps();
    expect(await read(id)).toMatchObject({
      [c.idr_departuredate]: '2026-05-20',
      [c.idr_cutoffdate]: '2026-04-17',
      [c.idr_roominglistdueon]: '2026-05-05',
      [c.idr_optionexpireson]: '2026-03-08',
    });
  });
});

describe('the depth guard', () => {
  it('writes nothing when the chain of steps is already deeper than the limit', async () => {
    const id = await org.client.create(opportunity.entitySetName, {
      [c.name]: 'Deep',
      [c.idr_arrivaldate]: '2026-05-10',
      [c.idr_nights]: 3,
    });
    await org.runAsyncSteps();
    const deep = org.client.engine;
    // A caller that is itself the fourth link of a chain (e.g. plug-ins updating each other).
    await deep.update(opportunity.entitySetName, id, { [c.idr_nights]: 4 }, { context: { depth: 4 } });
    await org.runAsyncSteps();
    const saved = await read(id);
    // The Create run (depth 1) fixed the departure for 3 nights; the depth-4 change was left alone.
    expect(saved[c.idr_departuredate]).toBe('2026-05-13');
    expect(org.logger.lines.some((l) => l.includes('Not checking the quotation at depth'))).toBe(true);
  });
});
