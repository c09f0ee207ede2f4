/**
 * The handoff of a confirmed quotation to the ERP/PMS: one JSON document (shape in README.md, versioned
 * by `schema`), POSTed to the URL of `idr_ErpHandoffUrl` with bounded retries. The fetch function and
 * the sleep are passed in, so tests need neither a network nor a clock that waits.
 */
import {
  type DateOnly,
  formatDateOnly,
  type Instalment,
  type Language,
  type MealPlan,
  type QuotationPhase,
} from '../../../domain/quotation';
import { HandoffFailedError } from './errors';
import { MEAL_PLAN_CODES } from './record';

export const HANDOFF_SCHEMA = 'ideario.groupquote.handoff/1';

export interface PartyRef {
  id: string;
  name: string | null;
}

export interface HandoffDocument {
  schema: typeof HANDOFF_SCHEMA;
  /** When the document was produced (ISO 8601, UTC). */
  sentAt: string;
  quotation: {
    /** The opportunity id: the ERP/PMS should treat a second document with the same id as the same booking. */
    id: string;
    name: string;
    phase: QuotationPhase;
    quoteSentOn: string | null;
    confirmedOn: string | null;
  };
  agency: PartyRef | null;
  agent: (PartyRef & { email: string | null; phone: string | null; language: Language }) | null;
  owner: (PartyRef & { email: string | null }) | null;
  stay: { arrival: string | null; departure: string | null; nights: number | null };
  rooms: number | null;
  persons: { adults: number | null; children: number | null; total: number | null };
  /** RO, BB, HB, FB or AI. */
  mealPlan: string | null;
  prices: {
    /** ISO 4217 code when known. */
    currency: string | null;
    pricePerPersonNight: number | null;
    childPricePercent: number | null;
    total: number | null;
  };
  deposit: {
    percent: number | null;
    amount: number | null;
    dueOn: string | null;
    receivedOn: string | null;
    schedule: {
      number: number;
      kind: Instalment['kind'];
      dueOn: string;
      amount: number;
      paidOn: string | null;
    }[];
  };
}

export interface HandoffFacts {
  id: string;
  name: string;
  phase: QuotationPhase;
  quoteSentOn: DateOnly | null;
  confirmedOn: DateOnly | null;
  agency: PartyRef | null;
  agent: (PartyRef & { email: string | null; phone: string | null; language: Language }) | null;
  owner: (PartyRef & { email: string | null }) | null;
  arrival: DateOnly | null;
  departure: DateOnly | null;
  nights: number | null;
  rooms: number | null;
  adults: number | null;
  children: number | null;
  persons: number | null;
  mealPlan: MealPlan | null;
  currencyCode: string | null;
  pricePerPersonNight: number | null;
  childPricePercent: number | null;
  total: number | null;
  depositPercent: number | null;
  deposit: number | null;
  depositDueOn: DateOnly | null;
  depositReceivedOn: DateOnly | null;
  instalments: readonly Instalment[];
}

const day = (d: DateOnly | null): string | null => d && formatDateOnly(d);

export function buildHandoffDocument(f: HandoffFacts, now: Date): HandoffDocument {
  return {
    schema: HANDOFF_SCHEMA,
    sentAt: now.toISOString(),
    quotation: {
      id: f.id,
      name: f.name,
      phase: f.phase,
      quoteSentOn: day(f.quoteSentOn),
      confirmedOn: day(f.confirmedOn),
    },
    agency: f.agency,
    agent: f.agent,
    owner: f.owner,
    stay: { arrival: day(f.arrival), departure: day(f.departure), nights: f.nights },
    rooms: f.rooms,
    persons: { adults: f.adults, children: f.children, total: f.persons },
    mealPlan: f.mealPlan && MEAL_PLAN_CODES[f.mealPlan],
    prices: {
      currency: f.currencyCode,
      pricePerPersonNight: f.pricePerPersonNight,
      childPricePercent: f.childPricePercent,
      total: f.total,
    },
    deposit: {
      percent: f.depositPercent,
      amount: f.deposit,
      dueOn: day(f.depositDueOn),
      receivedOn: day(f.depositReceivedOn),
      schedule: f.instalments.map((i) => ({
        number: i.number,
        kind: i.kind,
        dueOn: formatDateOnly(i.dueOn),
        amount: i.amount,
        paidOn: day(i.paidOn),
      })),
    },
  };
}

/** The part of the WHATWG `fetch` the handoff uses, so any implementation (or a test double) fits. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  statusText?: string;
  headers?: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface HandoffTransport {
  url: string;
  fetch: FetchLike;
  sleep: (ms: number) => Promise<void>;
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** First wait; doubles per attempt (default 2 s), never over `maxDelayMs` (default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-attempt time limit (default 30 s). */
  timeoutMs?: number;
}

export interface HandoffReceipt {
  /** `reference` from the response JSON; null when the ERP/PMS sent none. */
  reference: string | null;
  attempts: number;
  status: number;
}

/** Statuses after which the same request can succeed: timeouts, throttling, temporary server trouble. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

function shorten(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function referenceOf(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'reference' in parsed) {
      const reference = parsed.reference;
      if (typeof reference === 'string' && reference.trim() !== '') return reference.trim();
      if (typeof reference === 'number' && Number.isFinite(reference)) return String(reference);
    }
  } catch {
    // A 2xx without JSON still means the ERP/PMS took the document; it just gave no reference.
  }
  return null;
}

/** Retry-After in seconds ("RFC 9110 §10.2.3"); HTTP dates are ignored in favour of the back-off. */
function retryAfterMs(headers: { get(name: string): string | null } | undefined): number | null {
  const value = headers?.get('retry-after');
  if (!value || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim()) * 1000;
}

/**
 * POSTs the document; resolves with the reference, or throws HandoffFailedError with the last reason.
 * The `Idempotency-Key` header (the opportunity id) lets an ERP/PMS drop a repeat after a lost answer.
 */
export async function postHandoff(
  document: HandoffDocument,
  transport: HandoffTransport,
): Promise<HandoffReceipt> {
  const maxAttempts = Math.max(1, transport.maxAttempts ?? 4);
  const baseDelayMs = transport.baseDelayMs ?? 2000;
  const maxDelayMs = transport.maxDelayMs ?? 30_000;
  const body = JSON.stringify(document);
  let reason = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let wait: number | null = null;
    try {
      const response = await transport.fetch(transport.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          'idempotency-key': `${document.quotation.id}:handoff`,
        },
        body,
        signal: AbortSignal.timeout(transport.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      if (response.ok) return { reference: referenceOf(text), attempts: attempt, status: response.status };
      reason = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text.trim() ? `: ${shorten(text)}` : ''}`;
      if (!RETRYABLE.has(response.status))
        throw new HandoffFailedError(
          transport.url,
          attempt,
          `${reason} (not retried: the endpoint refused the document)`,
        );
      wait = retryAfterMs(response.headers);
    } catch (error) {
      if (error instanceof HandoffFailedError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      reason = `the request failed: ${message}${cause}`;
    }
    if (attempt < maxAttempts) {
      await transport.sleep(Math.min(maxDelayMs, wait ?? baseDelayMs * 2 ** (attempt - 1)));
    }
  }
  throw new HandoffFailedError(transport.url, maxAttempts, reason);
}
