import { parseDateOnly } from '../../../domain/quotation';
import { HandoffFailedError } from './errors';
import { buildHandoffDocument, type FetchLike, type HandoffFacts, postHandoff } from './handoff';

const d = parseDateOnly;
const facts: HandoffFacts = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  name: 'Coro de Viena',
  phase: 'deposit',
  quoteSentOn: d('2026-03-02'),
  confirmedOn: d('2026-03-09'),
  agency: { id: 'a1', name: 'Viajes Sol' },
  agent: { id: 'c1', name: 'Ana Ruiz', email: 'ana@sol.example', phone: null, language: 'es' },
  owner: { id: 'u1', name: 'Marta Gil', email: 'marta@hotel.example' },
  arrival: d('2026-05-10'),
  departure: d('2026-05-13'),
  nights: 3,
  rooms: 20,
  adults: 38,
  children: 2,
  persons: 40,
  mealPlan: 'halfBoard',
  currencyCode: null,
  pricePerPersonNight: 80,
  childPricePercent: 50,
  total: 9360,
  depositPercent: 25,
  deposit: 2340,
  depositDueOn: d('2026-03-16'),
  depositReceivedOn: d('2026-03-14'),
  instalments: [
    { number: 1, kind: 'deposit', dueOn: d('2026-03-16'), amount: 2340, paidOn: d('2026-03-14') },
  ],
};
const document = buildHandoffDocument(facts, new Date('2026-03-14T10:00:00Z'));

interface Call {
  url: string;
  body: string;
  headers: Record<string, string>;
}

function endpoint(answers: (() => { status: number; body: string; retryAfter?: string } | Error)[]) {
  const calls: Call[] = [];
  const waits: number[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, body: init.body, headers: init.headers });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]();
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve({
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      headers: { get: (name: string) => (name === 'retry-after' ? (answer.retryAfter ?? null) : null) },
      text: () => Promise.resolve(answer.body),
    });
  };
  const sleep = (ms: number) => {
    waits.push(ms);
    return Promise.resolve();
  };
  return { fetch, sleep, calls, waits };
}

describe('the handoff document', () => {
  it('carries what the ERP/PMS books from, with dates as YYYY-MM-DD and the meal plan as its code', () => {
    expect(document).toMatchObject({
      schema: 'ideario.groupquote.handoff/1',
      quotation: { id: facts.id, name: 'Coro de Viena', confirmedOn: '2026-03-09' },
      agency: { name: 'Viajes Sol' },
      agent: { name: 'Ana Ruiz', email: 'ana@sol.example' },
      stay: { arrival: '2026-05-10', departure: '2026-05-13', nights: 3 },
      rooms: 20,
      persons: { adults: 38, children: 2, total: 40 },
      mealPlan: 'HB',
      prices: { pricePerPersonNight: 80, childPricePercent: 50, total: 9360 },
      deposit: {
        percent: 25,
        amount: 2340,
        receivedOn: '2026-03-14',
        schedule: [{ number: 1, kind: 'deposit', dueOn: '2026-03-16', amount: 2340, paidOn: '2026-03-14' }],
      },
    });
  });
});

describe('posting the handoff', () => {
  it('returns the reference of the first successful answer, sending JSON with an idempotency key', async () => {
    const erp = endpoint([() => ({ status: 201, body: '{"reference":"PMS-4711"}' })]);
    const receipt = await postHandoff(document, {
      url: 'https://erp.example/groups',
      fetch: erp.fetch,
      sleep: erp.sleep,
    });
    expect(receipt).toEqual({ reference: 'PMS-4711', attempts: 1, status: 201 });
    expect(JSON.parse(erp.calls[0].body)).toEqual(document);
    expect(erp.calls[0].headers['content-type']).toMatch(/^application\/json/);
    expect(erp.calls[0].headers['idempotency-key']).toBe(`${facts.id}:handoff`);
  });

  it('retries temporary failures with doubling waits, then succeeds', async () => {
    const erp = endpoint([
      () => new TypeError('fetch failed'),
      () => ({ status: 503, body: 'maintenance' }),
      () => ({ status: 200, body: '{"reference": 99}' }),
    ]);
    const receipt = await postHandoff(document, {
      url: 'https://erp.example',
      fetch: erp.fetch,
      sleep: erp.sleep,
      baseDelayMs: 1000,
    });
    expect(receipt.reference).toBe('99');
    expect(receipt.attempts).toBe(3);
    expect(erp.waits).toEqual([1000, 2000]);
  });

  it('honours Retry-After, capped by the longest wait', async () => {
    const erp = endpoint([
      () => ({ status: 429, body: '', retryAfter: '120' }),
      () => ({ status: 200, body: '{}' }),
    ]);
    const receipt = await postHandoff(document, {
      url: 'https://erp.example',
      fetch: erp.fetch,
      sleep: erp.sleep,
      maxDelayMs: 30_000,
    });
    expect(erp.waits).toEqual([30_000]);
    expect(receipt.reference).toBeNull();
  });

  it('gives up after the attempts it is allowed, saying why', async () => {
    const erp = endpoint([() => ({ status: 500, body: '{"error":"database offline"}' })]);
    const failure = postHandoff(document, {
      url: 'https://erp.example',
      fetch: erp.fetch,
      sleep: erp.sleep,
      maxAttempts: 3,
    });
    await expect(failure).rejects.toThrow(HandoffFailedError);
    await expect(failure).rejects.toThrow(/after 3 attempt\(s\): HTTP 500: \{"error":"database offline"\}/);
    expect(erp.calls).toHaveLength(3);
    expect(erp.waits).toHaveLength(2);
  });

  it('does not retry a refusal (4xx): sending the same document again cannot help', async () => {
    const erp = endpoint([() => ({ status: 422, body: 'rooms missing' })]);
    await expect(
      postHandoff(document, { url: 'https://erp.example', fetch: erp.fetch, sleep: erp.sleep }),
    ).rejects.toThrow(/HTTP 422: rooms missing \(not retried/);
    expect(erp.calls).toHaveLength(1);
  });
});
