import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import { DataverseError } from '../../../dataverse/errors';
import {
  email,
  FollowUpAction,
  HandoffStatus,
  idr_quotationaction,
  opportunity,
  phonecall,
  QuotationPhase,
  task,
} from '../../../dataverse/generated';
import { addDays, formatDateOnly, parseDateOnly } from '../../../domain/quotation';
import { runJob } from '../../host/jobs';
import { SweepIncompleteError } from './errors';
import type { FetchLike } from './handoff';
import { createFollowUpSweepJob } from './job';
import type { GroupQuotesSettings } from './settings';
import { runFollowUpSweep, type SweepResult } from './sweep';
import {
  createPeople,
  createQuoteOrg,
  type People,
  quotationParties,
  type QuoteOrg,
} from './quote-org.testkit';

const c = opportunity.columns;
const a = idr_quotationaction.columns;
const DAY0 = parseDateOnly('2026-03-02');
const day = (n: number): string => formatDateOnly(addDays(DAY0, n));
const morningOf = (n: number): Date => new Date(`${day(n)}T09:00:00Z`);

let org: QuoteOrg;
let people: People;
let settings: GroupQuotesSettings;

beforeEach(async () => {
  settings = { timeZone: 'UTC', language: 'en', handoffUrl: null };
  org = createQuoteOrg({ start: morningOf(0) });
  people = await createPeople(org);
});
afterEach(() => org.close());

const noFetch: FetchLike = () => Promise.reject(new Error('no ERP/PMS in this test'));
const noSleep = (_ms: number): Promise<void> => Promise.resolve();

function sweep(fetch: FetchLike = noFetch, sleep = noSleep): Promise<SweepResult> {
  return runFollowUpSweep({
    client: org.client,
    clock: org.clock.now,
    logger: org.logger,
    settings: () => settings,
    fetch,
    sleep,
  });
}

async function quotation(name: string, values: EntityRecord): Promise<string> {
  const id = await org.client.create(opportunity.entitySetName, {
    [c.name]: name,
    ...quotationParties(people),
    ...values,
  });
  await org.runAsyncSteps();
  return id;
}

/** Action key → the day (index from DAY0) it was done, for one quotation. */
async function actionsDone(id: string): Promise<Record<string, number>> {
  const rows = await org.client.retrieveMultiple(idr_quotationaction.entitySetName, {
    select: [a.idr_key, a.idr_doneon],
    filter: `_${a.idr_opportunity}_value eq ${id}`,
  });
  const done: Record<string, number> = {};
  for (const row of rows) {
    const key = String(row[a.idr_key]).slice(id.length + 1);
    const doneOn = parseDateOnly(String(row[a.idr_doneon]).slice(0, 10));
    done[key] = Math.round(
      (Date.UTC(doneOn.year, doneOn.month - 1, doneOn.day) - Date.UTC(DAY0.year, DAY0.month - 1, DAY0.day)) /
        86_400_000,
    );
  }
  return done;
}

async function activities(set: string, id: string): Promise<EntityRecord[]> {
  return org.client.retrieveMultiple(set, {
    select: ['subject', 'createdon', 'scheduledend'],
    filter: `_regardingobjectid_value eq ${id}`,
    orderBy: ['createdon asc'],
  });
}

const createdDay = (record: EntityRecord): string => String(record.createdon).slice(0, 10);

describe('sixty days of follow-ups, one sweep a day', () => {
  it('chases, calls, reminds and leaves lost quotations alone, each on its day and once', async () => {
    const unconfirmed = await quotation('Never confirmed', {
      [c.idr_phase]: QuotationPhase.QuotationSent,
      [c.idr_quotesenton]: day(0),
      [c.idr_arrivaldate]: day(50),
      [c.idr_nights]: 3,
      [c.idr_adults]: 20,
      [c.idr_priceperpersonnight]: 70,
    });
    const noRoomingList = await quotation('No rooming list', {
      [c.idr_phase]: QuotationPhase.Deposit,
      [c.idr_quotesenton]: day(-10),
      [c.idr_confirmedon]: day(-5),
      [c.idr_depositreceivedon]: day(-2),
      [c.idr_arrivaldate]: day(40),
      [c.idr_nights]: 2,
      [c.idr_adults]: 30,
      [c.idr_priceperpersonnight]: 90,
    });
    const unpaid = await quotation('Deposit unpaid', {
      [c.idr_phase]: QuotationPhase.Confirmed,
      [c.idr_quotesenton]: day(-3),
      [c.idr_confirmedon]: day(0),
      [c.idr_arrivaldate]: day(55),
      [c.idr_nights]: 5,
      [c.idr_adults]: 12,
      [c.idr_priceperpersonnight]: 100,
      [c.idr_roominglistreceivedon]: day(0),
    });
    const lost = await quotation('Lost', {
      [c.idr_phase]: QuotationPhase.Lost,
      // The phase follows the facts: Lost needs its reason.
      [c.idr_lostreason]: 'The group chose another hotel',
      [c.idr_quotesenton]: day(0),
      [c.idr_arrivaldate]: day(30),
      [c.idr_nights]: 2,
      [c.idr_adults]: 10,
      [c.idr_priceperpersonnight]: 80,
    });

    for (let n = 0; n < 60; n++) {
      org.clock.set(morningOf(n));
      const result = await sweep();
      expect(result.failed).toEqual([]);
      await org.runAsyncSteps();
    }

    // Sent on day 0 and never confirmed: the quotation on day 0, one chaser on day 7, the option task on
    // day 10, and the review of the rooms still held on the cutoff date (arrival − 21 days).
    expect(await actionsDone(unconfirmed)).toEqual({
      quotationEmail: 0,
      confirmationChaser: 7,
      optionExpiry: 10,
      cutoffReview: 29,
    });
    const chasers = (await activities(email.entitySetName, unconfirmed)).filter((e) =>
      String(e.subject).startsWith('Reminder:'),
    );
    expect(chasers.map(createdDay)).toEqual([day(7)]);
    const sentChasers = org.engine
      .outbox()
      .filter((m) => m.subject === 'Reminder: quotation Never confirmed');
    expect(sentChasers.map((m) => [m.sentOn.slice(0, 10), m.to, m.cc])).toEqual([
      [day(7), 'ana.ruiz@viajessol.example', 'marta.gil@hotel.example'],
    ]);

    // Confirmed, arriving on day 40, no rooming list: one phone call, on day 33 (and the request email on day 26).
    const calls = (await activities(phonecall.entitySetName, noRoomingList)).filter((call) =>
      String(call.subject).includes('for the rooming list'),
    );
    expect(calls.map((call) => [createdDay(call), String(call.scheduledend).slice(0, 10)])).toEqual([
      [day(33), day(33)],
    ]);
    expect(calls[0].subject).toBe('Call Ana Ruiz for the rooming list: No rooming list');
    expect(await actionsDone(noRoomingList)).toMatchObject({ roomingListRequest: 26, roomingListCall: 33 });

    // Deposit due 7 days after confirmation (day 7): reminder 3 days before, a call to the agency on the
    // day, the overdue task the day after.
    const unpaidDone = await actionsDone(unpaid);
    expect(unpaidDone).toMatchObject({ 'depositReminder:1': 4, 'depositCall:1': 7, 'depositOverdue:1': 8 });
    const depositCalls = (await activities(phonecall.entitySetName, unpaid)).filter((call) =>
      String(call.subject).startsWith('Call Ana Ruiz about the deposit'),
    );
    expect(depositCalls.map(createdDay)).toEqual([day(7), day(41)]);
    const overdueTasks = (await activities(task.entitySetName, unpaid)).filter((t) =>
      String(t.subject).startsWith('Payment overdue'),
    );
    expect(overdueTasks.map(createdDay)).toEqual([day(8), day(42)]);
    const reminders = org.engine.outbox().filter((m) => m.subject === 'Payment reminder: Deposit unpaid');
    expect(reminders.map((m) => m.sentOn.slice(0, 10))).toEqual([day(4), day(38)]);

    // Lost: nothing at all.
    expect(await actionsDone(lost)).toEqual({});
    for (const set of [email.entitySetName, phonecall.entitySetName, task.entitySetName]) {
      expect(await activities(set, lost)).toEqual([]);
    }
  });
});

describe('two sweeps at the same time', () => {
  it('create each follow-up once', async () => {
    const ids: string[] = [];
    for (const name of ['Uno', 'Dos', 'Tres']) {
      ids.push(
        await quotation(name, {
          [c.idr_phase]: QuotationPhase.QuotationSent,
          [c.idr_quotesenton]: day(-7),
          [c.idr_arrivaldate]: day(30),
          [c.idr_nights]: 2,
          [c.idr_adults]: 10,
          [c.idr_priceperpersonnight]: 50,
        }),
      );
    }
    const [first, second] = await Promise.all([sweep(), sweep()]);

    // Quotation email and chaser are both due today for each of the three.
    expect(first.actionsCreated + second.actionsCreated).toBe(6);
    expect(first.skipped + second.skipped).toBeGreaterThan(0);
    for (const id of ids) {
      expect(Object.keys(await actionsDone(id)).sort()).toEqual(['confirmationChaser', 'quotationEmail']);
      expect(await activities(email.entitySetName, id)).toHaveLength(2);
    }
    expect(org.engine.outbox()).toHaveLength(6);
  });
});

describe('a follow-up that fails', () => {
  it('is given back and done by the next run; the other quotations are not held up', async () => {
    const broken = await quotation('Broken', {
      [c.idr_phase]: QuotationPhase.QuotationSent,
      [c.idr_quotesenton]: day(0),
      [c.idr_arrivaldate]: day(30),
      [c.idr_nights]: 1,
    });
    const fine = await quotation('Fine', {
      [c.idr_phase]: QuotationPhase.QuotationSent,
      [c.idr_quotesenton]: day(0),
      [c.idr_arrivaldate]: day(30),
      [c.idr_nights]: 1,
    });
    let outage = true;
    const regarding = `${email.columns.regardingobjectid}_${opportunity.logicalName}_${email.logicalName}@odata.bind`;
    const flaky: DataverseClient = Object.create(org.client) as DataverseClient;
    flaky.create = (set, record) => {
      const about = record[regarding];
      return outage && set === email.entitySetName && typeof about === 'string' && about.includes(broken)
        ? Promise.reject(new DataverseError('Generic SQL error.', 500, '0x80044150'))
        : org.client.create(set, record);
    };

    // As the host runs it: the job reports the failure after doing everything else.
    const job = createFollowUpSweepJob({ settings: () => settings, fetch: noFetch, sleep: noSleep });
    const first = await runJob(job, { client: flaky, clock: org.clock.now, logger: org.logger });
    expect(first.ok).toBe(false);
    const failure = !first.ok && first.error;
    expect(failure).toBeInstanceOf(SweepIncompleteError);
    expect((failure as SweepIncompleteError).failed).toEqual([
      { opportunityId: broken, reason: 'Generic SQL error.' },
    ]);
    expect((failure as SweepIncompleteError).message).toMatch(/could not process 1 of 2 quotation\(s\)/);
    expect(await actionsDone(broken)).toEqual({});
    expect(await actionsDone(fine)).toEqual({ quotationEmail: 0 });

    outage = false;
    org.clock.set(morningOf(1));
    const second = await runFollowUpSweep({
      client: flaky,
      clock: org.clock.now,
      logger: org.logger,
      settings: () => settings,
      sleep: noSleep,
    });
    expect(second.failed).toEqual([]);
    expect(await actionsDone(broken)).toEqual({ quotationEmail: 1 });
    expect(org.engine.outbox().map((m) => m.subject)).toEqual([
      'Quotation: Fine, 1 April 2026 – 2 April 2026',
      'Quotation: Broken, 1 April 2026 – 2 April 2026',
    ]);
  });
});

describe('the quotation email', () => {
  it('goes to a Spanish agent in Spanish, with every value escaped, and is sent', async () => {
    org.close();
    org = createQuoteOrg({ start: morningOf(0) });
    people = await createPeople(org, { agentLanguage: 'es' });
    const id = await quotation('<script>alert("x")</script> & Co', {
      [c.idr_phase]: QuotationPhase.QuotationSent,
      [c.idr_quotesenton]: day(0),
      [c.idr_arrivaldate]: day(40),
      [c.idr_nights]: 3,
      [c.idr_adults]: 20,
      [c.idr_priceperpersonnight]: 75.5,
    });
    const result = await sweep();
    expect(result.byAction).toEqual({ quotationEmail: 1 });

    const [sent] = org.engine.outbox();
    expect(sent.to).toBe('ana.ruiz@viajessol.example');
    expect(sent.from).toBe('marta.gil@hotel.example');
    expect(sent.subject).toMatch(
      /^Presupuesto: <script>alert\("x"\)<\/script> & Co, del 11 de abril de 2026 al 14 de abril de 2026$/,
    );
    expect(sent.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(sent.body).not.toContain('<script>');
    expect(sent.body).toContain('Estimado/a Ana Ruiz:');
    expect(sent.body).toContain('Viajes Sol');
    expect(sent.body).toMatch(/4530,00|4\.530,00/);

    const [row] = await org.client.retrieveMultiple(idr_quotationaction.entitySetName, {
      select: [a.idr_action, a.idr_activityid, a.idr_detail, a.idr_dueon],
      filter: `_${a.idr_opportunity}_value eq ${id}`,
    });
    expect(row).toMatchObject({
      [a.idr_action]: FollowUpAction.QuotationEmail,
      [a.idr_activityid]: sent.emailId,
      [a.idr_dueon]: day(0),
    });
    expect(row[a.idr_detail]).toMatch(/sent to Ana Ruiz <ana\.ruiz@viajessol\.example> \(Spanish\)/);
    const mail = await org.client.retrieve(email.entitySetName, sent.emailId, ['statecode', 'statuscode']);
    expect(mail).toMatchObject({
      statecode: email.choices.statecode.Completed,
      statuscode: email.choices.statuscode.Sent,
    });
  });

  it('is left as a draft, saying why, when the agent has no email address', async () => {
    org.close();
    org = createQuoteOrg({ start: morningOf(0) });
    people = await createPeople(org, { agentEmail: null });
    const id = await quotation('Sin correo', {
      [c.idr_phase]: QuotationPhase.QuotationSent,
      [c.idr_quotesenton]: day(0),
      [c.idr_arrivaldate]: day(40),
      [c.idr_nights]: 1,
    });
    await sweep();
    expect(org.engine.outbox()).toEqual([]);
    const [row] = await org.client.retrieveMultiple(idr_quotationaction.entitySetName, {
      select: [a.idr_detail],
      filter: `_${a.idr_opportunity}_value eq ${id}`,
    });
    expect(row[a.idr_detail]).toMatch(/left as a draft: the agent has no email address/);
  });
});

describe('the ERP/PMS handoff', () => {
  const confirmedAndPaid: EntityRecord = {
    [c.idr_phase]: QuotationPhase.Deposit,
    [c.idr_quotesenton]: day(-10),
    [c.idr_confirmedon]: day(-5),
    [c.idr_depositreceivedon]: day(0),
    [c.idr_roominglistreceivedon]: day(0),
    [c.idr_arrivaldate]: day(45),
    [c.idr_nights]: 3,
    [c.idr_adults]: 30,
    [c.idr_rooms]: 15,
    [c.idr_priceperpersonnight]: 90,
  };

  function erp(answer: () => { status: number; body: string }) {
    const posts: { url: string; body: unknown }[] = [];
    const waits: number[] = [];
    const fetch: FetchLike = (url, init) => {
      posts.push({ url, body: JSON.parse(init.body) });
      const { status, body } = answer();
      return Promise.resolve({
        ok: status < 300,
        status,
        statusText: status >= 500 ? 'Server Error' : 'OK',
        text: () => Promise.resolve(body),
      });
    };
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    return { fetch, sleep, posts, waits };
  }

  async function handoffRow(id: string): Promise<EntityRecord> {
    const [row] = await org.client.retrieveMultiple(idr_quotationaction.entitySetName, {
      select: [a.idr_detail, a.idr_doneon],
      filter: `_${a.idr_opportunity}_value eq ${id} and ${a.idr_action} eq ${FollowUpAction.Handoff}`,
    });
    return row;
  }

  it('records Sent and the reference the ERP/PMS returns, and never sends twice', async () => {
    settings.handoffUrl = 'https://erp.example/api/groups';
    const id = await quotation('Feria', confirmedAndPaid);
    const endpoint = erp(() => ({ status: 201, body: '{"reference":"PMS-2026-0042"}' }));

    await sweep(endpoint.fetch, endpoint.sleep);
    org.clock.set(morningOf(1));
    await sweep(endpoint.fetch, endpoint.sleep);

    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].url).toBe('https://erp.example/api/groups');
    expect(endpoint.posts[0].body).toMatchObject({
      schema: 'ideario.groupquote.handoff/1',
      quotation: { id, name: 'Feria', confirmedOn: day(-5) },
      agency: { id: people.agencyId, name: 'Viajes Sol' },
      agent: { id: people.agentId, name: 'Ana Ruiz', email: 'ana.ruiz@viajessol.example' },
      stay: { arrival: day(45), departure: day(48), nights: 3 },
      rooms: 15,
      persons: { adults: 30, total: 30 },
      prices: { pricePerPersonNight: 90, total: 8100 },
      deposit: { percent: 25, amount: 2025, receivedOn: day(0) },
    });
    const saved = await org.client.retrieve(opportunity.entitySetName, id, [
      c.idr_handoffstatus,
      c.idr_handoffreference,
    ]);
    expect(saved).toMatchObject({
      [c.idr_handoffstatus]: HandoffStatus.Sent,
      [c.idr_handoffreference]: 'PMS-2026-0042',
    });
    expect((await handoffRow(id))[a.idr_detail]).toMatch(/reference PMS-2026-0042/);
  });

  it('retries a failing endpoint, then records Failed with the reason, and does not send again', async () => {
    settings.handoffUrl = 'https://erp.example/api/groups';
    const id = await quotation('Feria', confirmedAndPaid);
    const endpoint = erp(() => ({ status: 500, body: '{"error":"PMS database offline"}' }));

    const result = await sweep(endpoint.fetch, endpoint.sleep);
    expect(result.failed).toEqual([]);
    expect(endpoint.posts).toHaveLength(4);
    expect(endpoint.waits).toEqual([2000, 4000, 8000]);
    const saved = await org.client.retrieve(opportunity.entitySetName, id, [
      c.idr_handoffstatus,
      c.idr_handoffreference,
    ]);
    expect(saved).toMatchObject({
      [c.idr_handoffstatus]: HandoffStatus.Failed,
      [c.idr_handoffreference]: null,
    });
    expect((await handoffRow(id))[a.idr_detail]).toMatch(
      /did not accept the quotation after 4 attempt\(s\): HTTP 500 Server Error: \{"error":"PMS database offline"\}/,
    );

    org.clock.set(morningOf(1));
    await sweep(endpoint.fetch, endpoint.sleep);
    expect(endpoint.posts).toHaveLength(4);
  });

  it('waits, without claiming, while no URL is configured', async () => {
    const id = await quotation('Feria', confirmedAndPaid);
    const first = await sweep();
    expect(first.waiting).toBe(1);
    expect(await handoffRow(id)).toBeUndefined();

    settings.handoffUrl = 'https://erp.example/api/groups';
    const endpoint = erp(() => ({ status: 200, body: '{"reference":"R1"}' }));
    org.clock.set(morningOf(1));
    await sweep(endpoint.fetch, endpoint.sleep);
    expect(endpoint.posts).toHaveLength(1);
  });
});
