import { parseDateOnly } from './dateonly';
import {
  confirmationChaserEmail,
  depositReminderEmail,
  escapeHtml,
  quotationEmail,
  type QuotationSummary,
  roomingListRequestEmail,
} from './email';

const d = parseDateOnly;
const summary: QuotationSummary = {
  name: 'Coro de Bilbao',
  agentName: 'Ana López',
  agencyName: 'Viajes Norte',
  ownerName: 'Marta Ruiz',
  quoteSentOn: d('2026-03-02'),
  arrival: d('2026-05-10'),
  departure: d('2026-05-14'),
  nights: 4,
  mealPlan: 'halfBoard',
  adults: 40,
  children: 4,
  rooms: 22,
  pricePerPersonNight: 85.5,
  childPricePercent: 50,
  total: 14_364,
  depositPercent: 25,
  deposit: 3_591,
  depositDueOn: d('2026-03-16'),
  optionExpiresOn: d('2026-03-12'),
  currencyCode: 'EUR',
};
/** The visible text: tags dropped, entities decoded, white space (incl. no-break) as plain spaces. */
const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('quotation email', () => {
  it('in English: subject with the stay, the summary in English formats', () => {
    const email = quotationEmail(summary, 'en');
    expect(email.subject).toBe('Quotation: Coro de Bilbao, 10 May 2026 – 14 May 2026');
    const body = text(email.html);
    expect(body).toContain('Dear Ana López,');
    expect(body).toContain('Arrival 10 May 2026');
    expect(body).toContain('Meal plan Half board');
    expect(body).toContain('Children 4 (50% of the adult price)');
    expect(body).toContain('Price per person per night €85.50');
    expect(body).toContain('Total €14,364.00');
    expect(body).toContain('Deposit (25%) €3,591.00');
    expect(body).toContain('We are holding the rooms for you until 12 March 2026.');
    expect(body).toContain('Kind regards, Marta Ruiz');
  });

  it('in Spanish: Spanish words, dates and money', () => {
    const email = quotationEmail(summary, 'es');
    expect(email.subject).toBe('Presupuesto: Coro de Bilbao, del 10 de mayo de 2026 al 14 de mayo de 2026');
    const body = text(email.html);
    expect(body).toContain('Estimado/a Ana López:');
    expect(body).toContain('Llegada 10 de mayo de 2026');
    expect(body).toContain('Régimen Media pensión');
    expect(body).toContain('Niños 4 (50 % del precio de adulto)');
    expect(body).toContain('Precio por persona y noche 85,50 €');
    expect(body).toContain('Total 14.364,00 €');
    expect(body).toContain('Depósito (25 %) 3591,00 €');
    expect(body).toContain('Un cordial saludo, Marta Ruiz');
  });

  it('escapes every value taken from records', () => {
    const hostile: QuotationSummary = {
      ...summary,
      name: '<script>alert(1)</script>',
      agentName: 'Bob "<b>" O\'Neil',
      agencyName: 'Tom & Jerry <img src=x onerror=alert(2)>',
      ownerName: '<i>boss</i>',
    };
    for (const email of [
      quotationEmail(hostile, 'en'),
      quotationEmail(hostile, 'es'),
      confirmationChaserEmail(hostile, 'en'),
      depositReminderEmail(hostile, { amount: 10, dueOn: d('2026-03-16') }, 'es'),
      roomingListRequestEmail(hostile, d('2026-04-26'), 'en'),
    ]) {
      expect(email.html).not.toMatch(/<script|<img|<b>|<i>|onerror=alert\(2\)>/);
      expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(text(email.html)).toContain('Tom & Jerry <img src=x onerror=alert(2)>');
      expect(email.subject).toContain('<script>alert(1)</script>');
    }
    expect(escapeHtml(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;');
  });

  it('keeps the subject on one line even if the name has line breaks', () => {
    expect(quotationEmail({ ...summary, name: 'Group\r\nBcc: x@y.z' }, 'en').subject).toBe(
      'Quotation: Group Bcc: x@y.z, 10 May 2026 – 14 May 2026',
    );
  });

  it('leaves out what is not known, and works without agent, currency or dates', () => {
    const bare = quotationEmail(
      {
        ...summary,
        agentName: null,
        agencyName: null,
        ownerName: null,
        arrival: null,
        departure: null,
        mealPlan: null,
        children: 0,
        deposit: null,
        optionExpiresOn: null,
        currencyCode: null,
        depositDueOn: null,
      },
      'en',
    );
    expect(bare.subject).toBe('Quotation: Coro de Bilbao');
    const body = text(bare.html);
    expect(body).toContain('Hello,');
    expect(body).toContain('Total 14,364.00');
    expect(body).not.toMatch(/Arrival|Meal plan|Children|Deposit|Option|holding/);
  });

  it('uses the currency precision', () => {
    expect(
      text(quotationEmail({ ...summary, currencyCode: 'JPY', precision: 0, total: 1_500_000 }, 'en').html),
    ).toContain('Total JP¥1,500,000');
  });
});

describe('follow-up emails', () => {
  it('the chaser recalls when the quotation was sent', () => {
    const en = confirmationChaserEmail(summary, 'en');
    expect(en.subject).toBe('Reminder: quotation Coro de Bilbao');
    expect(text(en.html)).toContain(
      'On 2 March 2026 we sent you our quotation for Coro de Bilbao. Would you like to confirm it?',
    );
    expect(text(confirmationChaserEmail(summary, 'es').html)).toContain(
      'El 2 de marzo de 2026 le enviamos nuestro presupuesto para Coro de Bilbao. ¿Desea confirmarlo?',
    );
  });

  it('the deposit reminder names the amount and the date', () => {
    const email = depositReminderEmail(summary, { amount: 3591, dueOn: d('2026-03-16') }, 'en');
    expect(email.subject).toBe('Payment reminder: Coro de Bilbao');
    expect(text(email.html)).toContain('a payment of €3,591.00 for Coro de Bilbao is due on 16 March 2026.');
    expect(
      text(depositReminderEmail(summary, { amount: 3591, dueOn: d('2026-03-16') }, 'es').html),
    ).toContain('el 16 de marzo de 2026 vence un pago de 3591,00 € correspondiente a Coro de Bilbao');
  });

  it('the rooming-list request gives the arrival and the deadline', () => {
    const email = roomingListRequestEmail(summary, d('2026-04-26'), 'en');
    expect(text(email.html)).toContain(
      'Your group Coro de Bilbao arrives on 10 May 2026. Please send us the rooming list for Coro de Bilbao (guest names and room allocation) by 26 April 2026.',
    );
    expect(text(roomingListRequestEmail(summary, d('2026-04-26'), 'es').html)).toContain(
      'antes del 26 de abril de 2026',
    );
  });
});
