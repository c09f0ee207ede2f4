/**
 * The quotation document travels with the quotation email (attachment) and stays on the quotation
 * (note); a quotation changed after its email sends one "revised quotation" per version.
 */
import {
  activitymimeattachment,
  annotation,
  email,
  idr_quotationaction,
  opportunity,
  transactioncurrency,
} from '../../../dataverse/generated';
import { createGroupQuotesHandlers } from '.';
import { extractPdfText } from './pdftext.testkit';
import { createPeople, createQuoteOrg, quotationParties, type QuoteOrg } from './quote-org.testkit';

const c = opportunity.columns;
const a = activitymimeattachment.columns;
const n = annotation.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-03-02T09:00:00Z'), handlers: createGroupQuotesHandlers() });
});
afterEach(() => org.close());

async function emails(id: string) {
  const rows = await org.client.retrieveMultiple(email.entitySetName, {
    select: [
      email.columns.activityid,
      email.columns.subject,
      email.columns.description,
      email.columns.createdon,
    ],
    filter: `_${email.columns.regardingobjectid}_value eq ${id}`,
    orderBy: [`${email.columns.createdon} asc`, `${email.columns.subject} asc`],
  });
  return rows.map((r) => ({
    id: String(r[email.columns.activityid]),
    subject: String(r[email.columns.subject]),
    html: String(r[email.columns.description]),
  }));
}

async function attachments(emailId: string) {
  return org.client.retrieveMultiple(activitymimeattachment.entitySetName, {
    select: [a.filename, a.mimetype, a.body],
    filter: `_${a.objectid}_value eq ${emailId}`,
  });
}

async function sentQuotation(language: 'en' | 'es' = 'en', currency: Record<string, unknown> = {}) {
  const people = await createPeople(org, { agentLanguage: language });
  const id = await org.client.create(opportunity.entitySetName, {
    [c.name]: 'Coro de Viena',
    ...quotationParties(people),
    ...currency,
    [c.idr_arrivaldate]: '2026-05-10',
    [c.idr_nights]: 3,
    [c.idr_adults]: 38,
    [c.idr_children]: 2,
    [c.idr_childpricepercent]: 50,
    [c.idr_priceperpersonnight]: 80,
    [c.idr_quotesenton]: '2026-03-02',
  });
  await org.runAsyncSteps();
  return id;
}

describe('the quotation document', () => {
  it('is attached to the quotation email as a PDF showing the amounts the email shows, and kept as a note', async () => {
    const id = await sentQuotation('es');
    const [sent] = await emails(id);
    expect(sent.html).toContain('<td>9360,00</td>');
    const [attachment] = await attachments(sent.id);
    expect(attachment[a.filename]).toBe('Presupuesto - Coro de Viena.pdf');
    expect(attachment[a.mimetype]).toBe('application/pdf');
    const pdf = Buffer.from(String(attachment[a.body]), 'base64');
    const text = await extractPdfText(pdf);
    expect(text.pageCount).toBe(1);
    expect(text.lines).toEqual(expect.arrayContaining(['Total', '9360,00', 'Adultos', '38']));

    const notes = await org.client.retrieveMultiple(annotation.entitySetName, {
      select: [n.filename, n.documentbody, n.subject],
      filter: `_${n.objectid}_value eq ${id}`,
    });
    expect(notes.map((note) => note[n.filename])).toEqual(['Presupuesto - Coro de Viena.pdf']);
    expect(notes[0][n.documentbody]).toBe(attachment[a.body]);
  });
});

describe('the confirmed quotation', () => {
  it('goes once to the agent on confirmation, with the deposit request and its PDF', async () => {
    const id = await sentQuotation('en');
    await org.client.update(opportunity.entitySetName, id, { [c.idr_confirmedon]: '2026-03-02' });
    await org.runAsyncSteps();
    const confirmed = (await emails(id)).filter((e) => e.subject.startsWith('Confirmed quotation: '));
    expect(confirmed).toHaveLength(1);
    const deposit = await org.client.retrieve(opportunity.entitySetName, id, [
      c.idr_deposit,
      c.idr_depositduedate,
    ]);
    expect(deposit?.[c.idr_depositduedate]).toBeTruthy();
    const [attachment] = await attachments(confirmed[0].id);
    expect(attachment[a.filename]).toBe('Confirmed quotation - Coro de Viena.pdf');
    const text = await extractPdfText(Buffer.from(String(attachment[a.body]), 'base64'));
    expect(text.title).toBe('Confirmed quotation');
    const request = text.lines.find((line) => line.startsWith('Please pay the deposit of '));
    // The PDF asks for the same deposit as the email.
    expect(request).toBeDefined();
    expect(confirmed[0].html).toContain(String(request));

    // Saved again: nothing more.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_adults]: 38 });
    await org.runAsyncSteps();
    expect((await emails(id)).filter((e) => e.subject.startsWith('Confirmed quotation: '))).toHaveLength(1);
  });
});

describe('the proforma invoice', () => {
  it('goes once to the agent when Proforma Issued On is recorded, showing the balance due', async () => {
    const id = await sentQuotation('es');
    await org.client.update(opportunity.entitySetName, id, { [c.idr_confirmedon]: '2026-03-02' });
    await org.runAsyncSteps();
    await org.client.update(opportunity.entitySetName, id, { [c.idr_proformaissuedon]: '2026-03-02' });
    await org.runAsyncSteps();
    await org.client.update(opportunity.entitySetName, id, { [c.idr_adults]: 38 });
    await org.runAsyncSteps();
    const proformas = (await emails(id)).filter((e) => e.subject === 'Factura proforma: Coro de Viena');
    expect(proformas).toHaveLength(1);
    const [attachment] = await attachments(proformas[0].id);
    expect(attachment[a.filename]).toBe('Factura proforma - Coro de Viena.pdf');
    const text = await extractPdfText(Buffer.from(String(attachment[a.body]), 'base64'));
    // Nothing paid yet: the whole total is due.
    expect(text.lines[text.lines.indexOf('Pendiente de pago') + 1]).toBe('9360,00');
  });
});

describe('the record currency', () => {
  it('writes amounts with its symbol in the email and the document alike', async () => {
    const t = transactioncurrency.columns;
    const euro = await org.client.create(transactioncurrency.entitySetName, {
      [t.currencyname]: 'Euro',
      [t.isocurrencycode]: 'EUR',
      [t.currencysymbol]: '€',
      [t.currencyprecision]: 2,
    });
    const id = await sentQuotation('es', {
      [`${c.transactioncurrencyid}@odata.bind`]: `/${transactioncurrency.entitySetName}(${euro})`,
    });
    const [sent] = await emails(id);
    expect(sent.html).toContain('<td>9360,00\u00a0€</td>');
    const [attachment] = await attachments(sent.id);
    const text = await extractPdfText(Buffer.from(String(attachment[a.body]), 'base64'));
    expect(text.lines).toContain('9360,00\u00a0€');
  });
});

describe('a quotation changed after its email', () => {
  it('sends one revised quotation per version, and nothing on a save that changes no quoted value', async () => {
    const id = await sentQuotation('en');
    expect(await emails(id)).toHaveLength(1);

    // A changed price: one revised quotation, with its document.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_priceperpersonnight]: 90 });
    await org.runAsyncSteps();
    let sent = await emails(id);
    expect(sent.map((e) => e.subject)).toEqual([
      'Quotation: Coro de Viena, 10 May 2026 – 13 May 2026',
      'Revised quotation: Coro de Viena, 10 May 2026 – 13 May 2026',
    ]);
    expect(sent[1].html).toContain('<td>10,530.00</td>');
    const [revised] = await attachments(sent[1].id);
    expect(revised[a.filename]).toBe('Revised quotation - Coro de Viena.pdf');
    const text = await extractPdfText(Buffer.from(String(revised[a.body]), 'base64'));
    expect(text.lines).toContain('10,530.00');

    // The same values saved again: nothing.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_priceperpersonnight]: 90 });
    await org.runAsyncSteps();
    expect(await emails(id)).toHaveLength(2);

    // Another change, then back to the first price: each is a new version the agent has not seen last.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_adults]: 40 });
    await org.runAsyncSteps();
    await org.client.update(opportunity.entitySetName, id, { [c.idr_adults]: 38 });
    await org.runAsyncSteps();
    sent = await emails(id);
    expect(sent).toHaveLength(4);
    // The last revision (found by its claim, not by creation order) shows the price in force again.
    const [last] = await org.client.retrieveMultiple(idr_quotationaction.entitySetName, {
      select: [idr_quotationaction.columns.idr_activityid],
      filter: `${idr_quotationaction.columns.idr_key} eq '${id}:quotationRevision:3'`,
    });
    const lastEmail = sent.find((e) => e.id === last[idr_quotationaction.columns.idr_activityid]);
    expect(lastEmail?.html).toContain('<td>10,530.00</td>');
    const keys = (
      await org.client.retrieveMultiple(idr_quotationaction.entitySetName, {
        select: [idr_quotationaction.columns.idr_key],
      })
    )
      .map((r) => String(r[idr_quotationaction.columns.idr_key]).slice(id.length + 1))
      .sort();
    expect(keys).toEqual([
      'quotationEmail',
      'quotationRevision:1',
      'quotationRevision:2',
      'quotationRevision:3',
    ]);
  });

  it('sends nothing while the quotation has an open issue', async () => {
    const id = await sentQuotation('en');
    // An arrival in the past is saved but flagged as an issue: the quotation is not clean.
    await org.client.update(opportunity.entitySetName, id, { [c.idr_arrivaldate]: '2026-02-10' });
    await org.runAsyncSteps();
    const issue = await org.client.retrieve(opportunity.entitySetName, id, [c.idr_quotationissue]);
    expect(issue?.[c.idr_quotationissue]).toBeTruthy();
    expect(await emails(id)).toHaveLength(1);
  });
});
