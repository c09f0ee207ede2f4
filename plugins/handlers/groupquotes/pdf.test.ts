import {
  documentText,
  type DocumentKind,
  type Instalment,
  parseDateOnly,
  quotationDocument,
  quotationEmail,
  type QuotationSummary,
} from '../../../domain/quotation';
import { renderDocumentPdf } from './pdf';
import { extractPdfText } from './pdftext.testkit';

const d = parseDateOnly;
const summary: QuotationSummary = {
  name: 'Coro de Viena',
  agentName: 'Ana Ruiz',
  agencyName: 'Viajes Sol',
  ownerName: 'Marta Gil',
  quoteSentOn: d('2026-03-02'),
  arrival: d('2026-05-10'),
  departure: d('2026-05-13'),
  nights: 3,
  mealPlan: 'halfBoard',
  adults: 38,
  children: 2,
  rooms: 20,
  pricePerPersonNight: 80,
  childPricePercent: 50,
  total: 9360,
  depositPercent: 25,
  deposit: 2340,
  depositDueOn: d('2026-03-16'),
  optionExpiresOn: d('2026-03-12'),
  currencyCode: 'EUR',
};
const instalments: Instalment[] = [
  { number: 1, kind: 'deposit', dueOn: d('2026-03-16'), amount: 2340, paidOn: d('2026-03-14') },
  { number: 2, kind: 'balance', dueOn: d('2026-04-26'), amount: 7020, paidOn: null },
];
const createdAt = new Date('2026-03-02T09:00:00Z');

async function render(kind: DocumentKind, language: 'en' | 'es') {
  const document = quotationDocument({ kind, summary, issuedOn: d('2026-03-02'), instalments }, language);
  const bytes = await renderDocumentPdf(document, { createdAt });
  return { document, bytes, text: await extractPdfText(bytes) };
}

/** The email's table cells (labels and values), as text; amounts keep their no-break spaces. */
const cells = (html: string): string[] =>
  [...html.matchAll(/<t[hd][^>]*>([^<]*)<\/t[hd]>/g)].map((m) => m[1].replace(/&amp;/g, '&'));

describe('quotation documents as PDF', () => {
  it('the quotation opens as one page and shows every value of the email, in Spanish', async () => {
    const { bytes, text } = await render('quotation', 'es');
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(text.pageCount).toBe(1);
    expect(text.title).toBe('Presupuesto');
    // Every label and value of the email's table is a line of the PDF: the same figures.
    for (const cell of cells(quotationEmail(summary, 'es').html)) expect(text.lines).toContain(cell);
    expect(text.lines).toContain('9360,00\u00a0€');
    expect(text.lines).toContain('Depósito (25\u00a0%)');
  });

  it('in English the amounts carry the currency symbol and English number format', async () => {
    const { text } = await render('quotation', 'en');
    expect(text.lines).toContain('€9,360.00');
    expect(text.lines).toContain('€2,340.00');
    for (const cell of cells(quotationEmail(summary, 'en').html)) expect(text.lines).toContain(cell);
  });

  it('the confirmation asks for the deposit by its date and lists the payment schedule', async () => {
    const { text } = await render('confirmation', 'en');
    expect(text.title).toBe('Confirmed quotation');
    expect(text.lines.join(' ')).toContain('Please pay the deposit of €2,340.00 by 16 March 2026.');
    expect(text.lines).toEqual(expect.arrayContaining(['Balance', '26 April 2026', '€7,020.00', 'Pending']));
  });

  it('the proforma shows what was received and the balance due', async () => {
    const { text } = await render('proforma', 'es');
    expect(text.title).toBe('Factura proforma');
    const lines = text.lines;
    expect(lines[lines.indexOf('Recibido') + 1]).toBe('2340,00\u00a0€');
    expect(lines[lines.indexOf('Pendiente de pago') + 1]).toBe('7020,00\u00a0€');
  });

  it('writes every text of the content model, wrapping long ones over lines and pages', async () => {
    const long = { ...summary, name: 'Grupo '.repeat(60).trim() };
    const many: Instalment[] = Array.from({ length: 60 }, (_, i) => ({
      number: i + 1,
      kind: i === 0 ? 'deposit' : 'balance',
      dueOn: d('2026-04-01'),
      amount: 100,
      paidOn: null,
    }));
    const document = quotationDocument(
      { kind: 'confirmation', summary: long, issuedOn: d('2026-03-02'), instalments: many },
      'en',
    );
    const text = await extractPdfText(await renderDocumentPdf(document, { createdAt }));
    expect(text.pageCount).toBeGreaterThan(1);
    const written = text.lines.join(' ');
    for (const line of documentText(document))
      expect(written).toContain(line.split(' ').slice(0, 3).join(' '));
  });
});
