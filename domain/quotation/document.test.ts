import { parseDateOnly } from './dateonly';
import { documentText, quotationDocument } from './document';
import { quotationRows, revisedQuotationEmail, type QuotationSummary } from './email';

const d = parseDateOnly;
const summary: QuotationSummary = {
  name: 'Coro: de/Viena?',
  agentName: 'Ana Ruiz',
  agencyName: null,
  ownerName: null,
  quoteSentOn: d('2026-03-02'),
  arrival: d('2026-05-10'),
  departure: d('2026-05-13'),
  nights: 3,
  mealPlan: null,
  adults: 40,
  children: 0,
  rooms: null,
  pricePerPersonNight: 80,
  childPricePercent: null,
  total: 9600,
  depositPercent: 25,
  deposit: 2400,
  depositDueOn: null,
  optionExpiresOn: null,
  currencyCode: 'EUR',
};

describe('quotation documents (content)', () => {
  it('hold the same labelled values as the email, in the language', () => {
    const doc = quotationDocument({ kind: 'quotation', summary, issuedOn: d('2026-03-02') }, 'es');
    expect(doc.title).toBe('Presupuesto');
    expect(doc.blocks).toContainEqual({ type: 'table', rows: quotationRows(summary, 'es') });
    expect(documentText(doc)).toContain('Fecha: 2 de marzo de 2026');
  });

  it('name the file after the document and the group, without characters file systems refuse', () => {
    const doc = quotationDocument(
      { kind: 'quotation', summary, issuedOn: d('2026-03-02'), revised: true },
      'en',
    );
    expect(doc.fileName).toBe('Revised quotation - Coro de Viena.pdf');
  });

  it('the confirmation without a due date still asks for the deposit', () => {
    const doc = quotationDocument({ kind: 'confirmation', summary, issuedOn: d('2026-03-09') }, 'en');
    expect(documentText(doc)).toContain('Please pay the deposit of €2,400.00.');
  });

  it('the revised quotation email says so in its subject, in both languages', () => {
    expect(revisedQuotationEmail(summary, 'en').subject).toBe(
      'Revised quotation: Coro: de/Viena?, 10 May 2026 – 13 May 2026',
    );
    expect(revisedQuotationEmail(summary, 'es').subject).toMatch(/^Presupuesto revisado: /);
  });
});
