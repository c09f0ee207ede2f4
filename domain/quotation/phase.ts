/**
 * The phase of a group quotation follows the facts recorded on it, as the hotels' process does:
 * quotation sent → Quotation sent; confirmation recorded → Confirmed; deposit received (the deposit
 * date, or any paid instalment) → Deposit; rooming list received → Rooming list; proforma issued →
 * Proforma; handed to the ERP/PMS → Transferred; departure passed and payment received → Settled; a
 * lost reason → Lost. Facts can arrive out of order (a rooming list before the deposit): the furthest
 * one recorded wins. Cancelled is a decision, not a fact: it is only ever set by hand and then stays.
 *
 * A phase set by hand must agree with the facts; otherwise `checkPhase` says what is missing (going
 * forward) or which fact holds the quotation where it is (going back), in English and Spanish.
 */
import { type DateOnly, isBefore } from './dateonly';
import { type Instalment } from './deposit';
import { type QuotationPhase } from './followups';
import { formatDate, type Language } from './language';

export interface PhaseFacts {
  quoteSentOn: DateOnly | null;
  confirmedOn: DateOnly | null;
  depositReceivedOn: DateOnly | null;
  /** The deposit schedule: a paid instalment counts as a deposit received. */
  instalments?: readonly Pick<Instalment, 'paidOn'>[];
  roomingListReceivedOn: DateOnly | null;
  proformaIssuedOn: DateOnly | null;
  /** The quotation was accepted by the ERP/PMS (handoff status Sent). */
  transferred: boolean;
  departure: DateOnly | null;
  paymentReceivedOn: DateOnly | null;
  lostReason: string | null;
}

/** The phases facts lead to, furthest first; each with the fact that reaches it. */
const LADDER: readonly { phase: QuotationPhase; reached: (f: PhaseFacts, today: DateOnly) => boolean }[] = [
  { phase: 'lost', reached: (f) => (f.lostReason ?? '').trim() !== '' },
  {
    phase: 'settled',
    // Settled after check-out: the departure day has come and the payment is recorded.
    reached: (f, today) =>
      f.paymentReceivedOn !== null && f.departure !== null && !isBefore(today, f.departure),
  },
  { phase: 'transferred', reached: (f) => f.transferred },
  { phase: 'proforma', reached: (f) => f.proformaIssuedOn !== null },
  { phase: 'roomingList', reached: (f) => f.roomingListReceivedOn !== null },
  { phase: 'deposit', reached: (f) => depositReceived(f) },
  { phase: 'confirmed', reached: (f) => f.confirmedOn !== null },
  { phase: 'quotationSent', reached: (f) => f.quoteSentOn !== null },
];

function depositReceived(f: PhaseFacts): boolean {
  return f.depositReceivedOn !== null || (f.instalments ?? []).some((i) => i.paidOn !== null);
}

/** The phase the facts put the quotation in (never Cancelled). */
export function phaseFromFacts(facts: PhaseFacts, today: DateOnly): QuotationPhase {
  return LADDER.find((step) => step.reached(facts, today))?.phase ?? 'request';
}

/**
 * The phase to store after a save: Cancelled stays (a decision nobody but a person takes back),
 * anything else follows the facts.
 */
export function nextPhase(stored: QuotationPhase, facts: PhaseFacts, today: DateOnly): QuotationPhase {
  return stored === 'cancelled' ? 'cancelled' : phaseFromFacts(facts, today);
}

export const PHASE_LABELS: Record<Language, Record<QuotationPhase, string>> = {
  en: {
    request: 'Request',
    quotationSent: 'Quotation sent',
    confirmed: 'Confirmed',
    deposit: 'Deposit',
    roomingList: 'Rooming list',
    proforma: 'Proforma',
    transferred: 'Transferred',
    settled: 'Settled',
    lost: 'Lost',
    cancelled: 'Cancelled',
  },
  es: {
    request: 'Solicitud',
    quotationSent: 'Cotización enviada',
    confirmed: 'Confirmada',
    deposit: 'Depósito',
    roomingList: 'Rooming list',
    proforma: 'Proforma',
    transferred: 'Traspasada',
    settled: 'Liquidada',
    lost: 'Perdida',
    cancelled: 'Cancelada',
  },
};

type Missing = Exclude<QuotationPhase, 'request' | 'cancelled'>;

/** What must be recorded to reach a phase, naming the column a user fills. */
const MISSING: Record<Language, Record<Missing, string>> = {
  en: {
    quotationSent: 'no sent date is recorded (Quote Sent On)',
    confirmed: 'no confirmation date is recorded (Confirmed On)',
    deposit: 'no deposit is recorded as received (Deposit Received On)',
    roomingList: 'no rooming list is recorded as received (Rooming List Received On)',
    proforma: 'no proforma invoice is recorded as issued (Proforma Issued On)',
    transferred: 'the quotation has not been accepted by the ERP/PMS (Handoff Status)',
    settled: 'settling needs the departure day to have come and the payment recorded (Payment Received On)',
    lost: 'no reason is recorded (Lost Reason)',
  },
  es: {
    quotationSent: 'no consta la fecha de envío (Cotización enviada el)',
    confirmed: 'no consta la fecha de confirmación (Confirmada el)',
    deposit: 'no consta el depósito como recibido (Depósito recibido el)',
    roomingList: 'no consta la rooming list como recibida (Rooming list recibida el)',
    proforma: 'no consta la factura proforma como emitida (Proforma emitida el)',
    transferred: 'el ERP/PMS no ha aceptado la cotización (Estado del traspaso)',
    settled: 'para liquidar, la fecha de salida debe haber llegado y el pago debe constar (Pago recibido el)',
    lost: 'no consta el motivo (Motivo de pérdida)',
  },
};

/** The fact that holds a quotation in a phase ("confirmed on 9 March 2026"), for messages and the history. */
export function holdingFact(phase: QuotationPhase, facts: PhaseFacts, language: Language): string {
  const date = (d: DateOnly | null): string => (d ? formatDate(d, language) : '');
  const en = language === 'en';
  switch (phase) {
    case 'quotationSent':
      return en ? `sent on ${date(facts.quoteSentOn)}` : `enviada el ${date(facts.quoteSentOn)}`;
    case 'confirmed':
      return en ? `confirmed on ${date(facts.confirmedOn)}` : `confirmada el ${date(facts.confirmedOn)}`;
    case 'deposit':
      return facts.depositReceivedOn
        ? en
          ? `deposit received on ${date(facts.depositReceivedOn)}`
          : `depósito recibido el ${date(facts.depositReceivedOn)}`
        : en
          ? 'an instalment is paid'
          : 'hay un plazo pagado';
    case 'roomingList':
      return en
        ? `rooming list received on ${date(facts.roomingListReceivedOn)}`
        : `rooming list recibida el ${date(facts.roomingListReceivedOn)}`;
    case 'proforma':
      return en
        ? `proforma issued on ${date(facts.proformaIssuedOn)}`
        : `proforma emitida el ${date(facts.proformaIssuedOn)}`;
    case 'transferred':
      return en ? 'accepted by the ERP/PMS' : 'aceptada por el ERP/PMS';
    case 'settled':
      return en
        ? `payment received on ${date(facts.paymentReceivedOn)}`
        : `pago recibido el ${date(facts.paymentReceivedOn)}`;
    case 'lost':
      return en ? `lost: ${facts.lostReason ?? ''}` : `perdida: ${facts.lostReason ?? ''}`;
    default:
      return en ? 'nothing recorded yet' : 'no consta nada todavía';
  }
}

/** The phases a quotation moves through, in order (lost and cancelled end it anywhere). */
export const PHASE_STEPS = [
  'request',
  'quotationSent',
  'confirmed',
  'deposit',
  'roomingList',
  'proforma',
  'transferred',
  'settled',
] as const satisfies readonly QuotationPhase[];

const ORDER: readonly QuotationPhase[] = [...PHASE_STEPS, 'lost'];

function reason(
  requested: QuotationPhase,
  derived: QuotationPhase,
  facts: PhaseFacts,
  language: Language,
): string {
  const label = PHASE_LABELS[language];
  const forward = requested !== 'request' && ORDER.indexOf(requested) > ORDER.indexOf(derived);
  if (forward || requested === 'lost') {
    const missing = MISSING[language][requested as Missing];
    return language === 'en'
      ? `The phase cannot be set to ${label[requested]}: ${missing}. Record it and the phase moves by itself.`
      : `No se puede poner la fase ${label[requested]}: ${missing}. Regístrelo y la fase cambiará sola.`;
  }
  const fact = holdingFact(derived, facts, language);
  return language === 'en'
    ? `The phase cannot be set back to ${label[requested]}: the facts say ${label[derived]} (${fact}). Clear that first if it was recorded by mistake.`
    : `No se puede volver a la fase ${label[requested]}: los datos indican ${label[derived]} (${fact}). Bórrelo primero si se registró por error.`;
}

/**
 * Null when a phase set by hand agrees with the facts (or is Cancelled); otherwise why not, in each
 * language.
 */
export function checkPhase(
  requested: QuotationPhase,
  facts: PhaseFacts,
  today: DateOnly,
): Record<Language, string> | null {
  if (requested === 'cancelled') return null;
  const derived = phaseFromFacts(facts, today);
  if (requested === derived) return null;
  return { en: reason(requested, derived, facts, 'en'), es: reason(requested, derived, facts, 'es') };
}
