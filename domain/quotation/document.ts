/**
 * The quotation documents as content, before any PDF: the quotation, the confirmed quotation with
 * the deposit request, and the proforma invoice. Each is a title, a few lines about who and when,
 * paragraphs and tables of labelled values, in the agent's language. The values table is the
 * email's (`quotationRows`), so the document and the email it travels with show the same figures.
 */
import { type DateOnly, formatDateOnly } from './dateonly';
import { type Instalment } from './deposit';
import { quotationRows, type QuotationSummary } from './email';
import { formatDate, formatMoney, type Language } from './language';
import { DEFAULT_PRECISION } from './pricing';

export type DocumentKind = 'quotation' | 'confirmation' | 'proforma';

export interface DocumentInput {
  kind: DocumentKind;
  summary: QuotationSummary;
  /** The day the document is issued (the save's day in the hotel's time zone). */
  issuedOn: DateOnly;
  /** The payment plan, shown on the confirmation and the proforma when there is one. */
  instalments?: readonly Instalment[];
  /** A revised quotation says so in its title. */
  revised?: boolean;
}

export type DocumentBlock =
  | { type: 'paragraph'; text: string }
  | { type: 'heading'; text: string }
  | { type: 'table'; header?: readonly string[]; rows: readonly (readonly string[])[] };

export interface QuotationDocument {
  kind: DocumentKind;
  language: Language;
  title: string;
  /** Plain file name, safe on every file system: "Quotation - Coro de Viena.pdf". */
  fileName: string;
  blocks: DocumentBlock[];
}

interface DocTexts {
  titles: Record<DocumentKind, string>;
  revisedTitle: string;
  issuedOn: (date: string) => string;
  to: (agent: string | null, agency: string | null) => string | null;
  group: (name: string) => string;
  intro: Record<DocumentKind, (name: string) => string>;
  depositRequest: (amount: string, due: string) => string;
  depositRequestNoDate: (amount: string) => string;
  schedule: string;
  scheduleHeader: readonly [string, string, string, string];
  instalmentKinds: Record<Instalment['kind'], string>;
  paid: (date: string) => string;
  unpaid: string;
  received: string;
  balance: string;
  signedBy: (owner: string) => string;
}

const TEXTS: Record<Language, DocTexts> = {
  en: {
    titles: { quotation: 'Quotation', confirmation: 'Confirmed quotation', proforma: 'Proforma invoice' },
    revisedTitle: 'Revised quotation',
    issuedOn: (date) => `Date: ${date}`,
    to: (agent, agency) => (agent || agency ? `To: ${[agent, agency].filter(Boolean).join(', ')}` : null),
    group: (name) => `Group: ${name}`,
    intro: {
      quotation: (name) => `Our quotation for ${name}.`,
      confirmation: (name) => `Thank you for confirming ${name}. These are the confirmed details.`,
      proforma: (name) => `Proforma invoice for ${name}.`,
    },
    depositRequest: (amount, due) => `Please pay the deposit of ${amount} by ${due}.`,
    depositRequestNoDate: (amount) => `Please pay the deposit of ${amount}.`,
    schedule: 'Payment schedule',
    scheduleHeader: ['Payment', 'Due on', 'Amount', 'Status'],
    instalmentKinds: { deposit: 'Deposit', balance: 'Balance' },
    paid: (date) => `Paid ${date}`,
    unpaid: 'Pending',
    received: 'Received',
    balance: 'Balance due',
    signedBy: (owner) => `Your contact: ${owner}`,
  },
  es: {
    titles: {
      quotation: 'Presupuesto',
      confirmation: 'Presupuesto confirmado',
      proforma: 'Factura proforma',
    },
    revisedTitle: 'Presupuesto revisado',
    issuedOn: (date) => `Fecha: ${date}`,
    to: (agent, agency) => (agent || agency ? `Para: ${[agent, agency].filter(Boolean).join(', ')}` : null),
    group: (name) => `Grupo: ${name}`,
    intro: {
      quotation: (name) => `Nuestro presupuesto para ${name}.`,
      confirmation: (name) => `Gracias por confirmar ${name}. Estos son los datos confirmados.`,
      proforma: (name) => `Factura proforma de ${name}.`,
    },
    depositRequest: (amount, due) => `Le rogamos que abone el depósito de ${amount} antes del ${due}.`,
    depositRequestNoDate: (amount) => `Le rogamos que abone el depósito de ${amount}.`,
    schedule: 'Calendario de pagos',
    scheduleHeader: ['Pago', 'Vencimiento', 'Importe', 'Estado'],
    instalmentKinds: { deposit: 'Depósito', balance: 'Resto' },
    paid: (date) => `Pagado el ${date}`,
    unpaid: 'Pendiente',
    received: 'Recibido',
    balance: 'Pendiente de pago',
    signedBy: (owner) => `Su contacto: ${owner}`,
  },
};

/** Characters no file system accepts (Windows' list) and control characters become spaces. */
function safeFileName(text: string): string {
  const cleaned = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.slice(0, 120).trim() || 'document';
}

/** The document of one kind for a quotation, in the language. */
export function quotationDocument(input: DocumentInput, language: Language): QuotationDocument {
  const t = TEXTS[language];
  const s = input.summary;
  const precision = s.precision ?? DEFAULT_PRECISION;
  const money = (amount: number): string => formatMoney(amount, language, s.currencyCode, precision);
  const title = input.kind === 'quotation' && input.revised ? t.revisedTitle : t.titles[input.kind];
  const blocks: DocumentBlock[] = [];
  const meta = [t.issuedOn(formatDate(input.issuedOn, language)), t.to(s.agentName, s.agencyName)];
  if (s.name) meta.push(t.group(s.name));
  for (const line of meta) if (line) blocks.push({ type: 'paragraph', text: line });
  blocks.push({ type: 'paragraph', text: t.intro[input.kind](s.name) });
  blocks.push({ type: 'table', rows: quotationRows(s, language) });

  const instalments = (input.instalments ?? []).filter((i) => i.amount > 0);
  if (input.kind === 'confirmation' && s.deposit !== null && s.deposit > 0) {
    const due = s.depositDueOn ?? instalments.find((i) => i.kind === 'deposit')?.dueOn ?? null;
    blocks.push({
      type: 'paragraph',
      text: due
        ? t.depositRequest(money(s.deposit), formatDate(due, language))
        : t.depositRequestNoDate(money(s.deposit)),
    });
  }
  if (input.kind !== 'quotation' && instalments.length > 0) {
    blocks.push({ type: 'heading', text: t.schedule });
    blocks.push({
      type: 'table',
      header: t.scheduleHeader,
      rows: instalments.map((i) => [
        t.instalmentKinds[i.kind],
        formatDate(i.dueOn, language),
        money(i.amount),
        i.paidOn ? t.paid(formatDate(i.paidOn, language)) : t.unpaid,
      ]),
    });
  }
  if (input.kind === 'proforma' && s.total !== null) {
    const received = instalments.filter((i) => i.paidOn !== null).reduce((sum, i) => sum + i.amount, 0);
    // Minor units keep 0.1 + 0.2 style sums from showing a stray cent.
    const factor = 10 ** precision;
    const balance = Math.round(s.total * factor - Math.round(received * factor)) / factor;
    blocks.push({
      type: 'table',
      rows: [
        [t.received, money(received)],
        [t.balance, money(balance)],
      ],
    });
  }
  if (s.ownerName) blocks.push({ type: 'paragraph', text: t.signedBy(s.ownerName) });
  return {
    kind: input.kind,
    language,
    title,
    fileName: `${safeFileName(`${title} - ${s.name}`)}.pdf`,
    blocks,
  };
}

/** Every text the document shows, in reading order: what a test or an index compares. */
export function documentText(document: QuotationDocument): string[] {
  const lines = [document.title];
  for (const block of document.blocks) {
    if (block.type === 'table') {
      if (block.header) lines.push(...block.header);
      for (const row of block.rows) lines.push(...row);
    } else lines.push(block.text);
  }
  return lines;
}

/**
 * The quoted values in one canonical string: two summaries with the same string quote the same stay
 * at the same price, so a save that changes none of them is not a new version of the quotation.
 * Names, the owner and the sent date are left out: they do not change what was offered.
 */
export function quotedValues(s: QuotationSummary): string {
  const day = (date: DateOnly | null): string | null => date && formatDateOnly(date);
  return JSON.stringify([
    day(s.arrival),
    day(s.departure),
    s.nights,
    s.mealPlan,
    s.adults,
    s.children,
    s.rooms,
    s.pricePerPersonNight,
    s.childPricePercent,
    s.total,
    s.depositPercent,
    s.deposit,
    day(s.depositDueOn),
    day(s.optionExpiresOn),
    s.currencyCode,
  ]);
}
