/**
 * Texts of the activities the sweep creates for the quotation's owner (calls and tasks), in the
 * staff's language. Agent emails are composed by domain/quotation/email.ts. Plain text: Dataverse
 * shows task and phone call descriptions as text.
 */
import { type DateOnly, formatDate, formatMoney, type Language } from '../../../domain/quotation';

export interface OwnerTaskText {
  subject: string;
  description: string;
}

export interface TaskFacts {
  name: string;
  agentName: string | null;
  agentPhone: string | null;
  arrival: DateOnly | null;
  departure: DateOnly | null;
  dueOn: DateOnly;
  /** The unpaid instalment of an overdue task: its amount and its own due date. */
  amount?: number | null;
  paymentDueOn?: DateOnly | null;
  currencyCode?: string | null;
}

/** Subjects are one line and at most 200 characters (activitypointer.subject). */
export function subjectLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

type Maker = (f: TaskFacts, l: Language) => OwnerTaskText;

/** The follow-ups addressed to the quotation's owner: phone calls and tasks. */
export type OwnerAction =
  'optionExpiry' | 'depositOverdue' | 'depositCall' | 'cutoffReview' | 'settlement' | 'roomingListCall';

const date = (d: DateOnly | null, l: Language): string => (d ? formatDate(d, l) : '?');

const TEXTS: Record<Language, Record<OwnerAction, Maker>> = {
  en: {
    optionExpiry: (f, l) => ({
      subject: `Option expires: ${f.name}`,
      description: `The rooms held for ${f.name} are released on ${date(f.dueOn, l)} unless the agency confirms. Ask ${f.agentName ?? 'the agent'} for a decision or extend the option.`,
    }),
    depositOverdue: (f, l) => ({
      subject: `Payment overdue: ${f.name}`,
      description: `${f.amount != null ? `The payment of ${formatMoney(f.amount, l, f.currencyCode)}` : 'The payment'} due on ${date(f.paymentDueOn ?? null, l)} for ${f.name} has not been received. Contact ${f.agentName ?? 'the agent'}, then record the payment on the quotation.`,
    }),
    settlement: (f, l) => ({
      subject: `Settle the account: ${f.name}`,
      description: `${f.name} departed on ${date(f.departure, l)}. Send the final invoice and settle the account, then set the phase to Settled.`,
    }),
    depositCall: (f, l) => ({
      subject: `Call ${f.agentName ?? 'the agent'} about the deposit: ${f.name}`,
      description: `${f.amount != null ? `The deposit of ${formatMoney(f.amount, l, f.currencyCode)}` : 'The deposit'} for ${f.name} is due today (${date(f.paymentDueOn ?? f.dueOn, l)}) and has not been received. Phone ${f.agentName ?? 'the agent'}${f.agentPhone ? ` (${f.agentPhone})` : ''} and record the payment on the quotation when it arrives.`,
    }),
    cutoffReview: (f, l) => ({
      subject: `Cutoff review: ${f.name}`,
      description: `Today (${date(f.dueOn, l)}) is the cutoff date of ${f.name}, arriving on ${date(f.arrival, l)}. Decide with ${f.agentName ?? 'the agent'} whether to release the rooms not yet confirmed or keep them, and update the quotation.`,
    }),
    roomingListCall: (f, l) => ({
      subject: `Call ${f.agentName ?? 'the agent'} for the rooming list: ${f.name}`,
      description: `${f.name} arrives on ${date(f.arrival, l)} and the rooming list has not been received. Phone ${f.agentName ?? 'the agent'}${f.agentPhone ? ` (${f.agentPhone})` : ''} and record the date it arrives on the quotation.`,
    }),
  },
  es: {
    optionExpiry: (f, l) => ({
      subject: `Vence la opción: ${f.name}`,
      description: `Las habitaciones bloqueadas para ${f.name} se liberan el ${date(f.dueOn, l)} si la agencia no confirma. Pida una decisión a ${f.agentName ?? 'la agencia'} o amplíe la opción.`,
    }),
    depositOverdue: (f, l) => ({
      subject: `Pago vencido: ${f.name}`,
      description: `${f.amount != null ? `El pago de ${formatMoney(f.amount, l, f.currencyCode)}` : 'El pago'} que vencía el ${date(f.paymentDueOn ?? null, l)} para ${f.name} no se ha recibido. Contacte con ${f.agentName ?? 'la agencia'} y registre el pago en el presupuesto.`,
    }),
    settlement: (f, l) => ({
      subject: `Liquidar la cuenta: ${f.name}`,
      description: `${f.name} salió el ${date(f.departure, l)}. Envíe la factura final y liquide la cuenta; después pase la fase a Liquidada.`,
    }),
    depositCall: (f, l) => ({
      subject: `Llamar a ${f.agentName ?? 'la agencia'} por el depósito: ${f.name}`,
      description: `${f.amount != null ? `El depósito de ${formatMoney(f.amount, l, f.currencyCode)}` : 'El depósito'} para ${f.name} vence hoy (${date(f.paymentDueOn ?? f.dueOn, l)}) y no se ha recibido. Llame a ${f.agentName ?? 'la agencia'}${f.agentPhone ? ` (${f.agentPhone})` : ''} y registre el pago en el presupuesto cuando llegue.`,
    }),
    cutoffReview: (f, l) => ({
      subject: `Revisión del cutoff: ${f.name}`,
      description: `Hoy (${date(f.dueOn, l)}) es la fecha de cutoff de ${f.name}, que llega el ${date(f.arrival, l)}. Decida con ${f.agentName ?? 'la agencia'} si libera las habitaciones aún no confirmadas o las mantiene, y actualice el presupuesto.`,
    }),
    roomingListCall: (f, l) => ({
      subject: `Llamar a ${f.agentName ?? 'la agencia'} por la rooming list: ${f.name}`,
      description: `${f.name} llega el ${date(f.arrival, l)} y no se ha recibido la rooming list. Llame a ${f.agentName ?? 'la agencia'}${f.agentPhone ? ` (${f.agentPhone})` : ''} y registre en el presupuesto la fecha en que llegue.`,
    }),
  },
};

export function ownerTaskText(action: OwnerAction, facts: TaskFacts, language: Language): OwnerTaskText {
  const text = TEXTS[language][action](facts, language);
  return { subject: subjectLine(text.subject), description: text.description };
}
