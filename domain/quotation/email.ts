/**
 * Emails to the agent, in the agent's language: the quotation itself and the follow-ups addressed to
 * the agent. Every value from a record is HTML-escaped (names and notes are typed by people and
 * integrations); subjects are plain text on one line.
 */
import { type DateOnly } from './dateonly';
import { formatDate, formatMoney, formatNumber, formatPercent, type Language } from './language';
import { DEFAULT_PRECISION } from './pricing';

export type MealPlan = 'roomOnly' | 'bedAndBreakfast' | 'halfBoard' | 'fullBoard' | 'allInclusive';

export interface QuotationSummary {
  /** The quotation's (opportunity's) name, usually the group's. */
  name: string;
  agentName: string | null;
  agencyName: string | null;
  /** Signs the email: the quotation's owner. */
  ownerName: string | null;
  quoteSentOn: DateOnly | null;
  arrival: DateOnly | null;
  departure: DateOnly | null;
  nights: number | null;
  mealPlan: MealPlan | null;
  adults: number | null;
  children: number | null;
  rooms: number | null;
  pricePerPersonNight: number | null;
  childPricePercent: number | null;
  total: number | null;
  depositPercent: number | null;
  deposit: number | null;
  depositDueOn: DateOnly | null;
  optionExpiresOn: DateOnly | null;
  /** ISO 4217 code of the record's currency, e.g. EUR. */
  currencyCode: string | null;
  /** Decimals of that currency; 2 when not given. */
  precision?: number;
}

export interface EmailContent {
  subject: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** One line of plain text: control characters and runs of white space become one space. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

const MEAL_PLANS: Record<Language, Record<MealPlan, string>> = {
  en: {
    roomOnly: 'Room only',
    bedAndBreakfast: 'Bed and breakfast',
    halfBoard: 'Half board',
    fullBoard: 'Full board',
    allInclusive: 'All inclusive',
  },
  es: {
    roomOnly: 'Solo alojamiento',
    bedAndBreakfast: 'Alojamiento y desayuno',
    halfBoard: 'Media pensión',
    fullBoard: 'Pensión completa',
    allInclusive: 'Todo incluido',
  },
};

interface Texts {
  greeting: (agent: string | null) => string;
  signOff: string;
  rows: {
    agency: string;
    arrival: string;
    departure: string;
    nights: string;
    mealPlan: string;
    adults: string;
    children: string;
    childPrice: (percent: string) => string;
    rooms: string;
    price: string;
    total: string;
    deposit: (percent: string) => string;
    depositDueOn: string;
    optionExpiresOn: string;
  };
  quotation: {
    subject: (name: string, stay: string) => string;
    stay: (arrival: string, departure: string) => string;
    intro: (name: string) => string;
    option: (date: string) => string;
    confirm: string;
  };
  revised: { subject: (name: string, stay: string) => string; intro: (name: string) => string };
  proforma: { subject: (name: string) => string; intro: (name: string) => string };
  confirmed: {
    subject: (name: string, stay: string) => string;
    intro: (name: string) => string;
    deposit: (amount: string, due: string | null) => string;
  };
  chaser: { subject: (name: string) => string; intro: (name: string, sent: string | null) => string };
  deposit: {
    subject: (name: string) => string;
    intro: (name: string, amount: string, due: string) => string;
  };
  roomingList: {
    subject: (name: string) => string;
    intro: (name: string, arrival: string | null, due: string) => string;
  };
}

const TEXTS: Record<Language, Texts> = {
  en: {
    greeting: (agent) => (agent ? `Dear ${agent},` : 'Hello,'),
    signOff: 'Kind regards,',
    rows: {
      agency: 'Agency',
      arrival: 'Arrival',
      departure: 'Departure',
      nights: 'Nights',
      mealPlan: 'Meal plan',
      adults: 'Adults',
      children: 'Children',
      childPrice: (percent) => `(${percent} of the adult price)`,
      rooms: 'Rooms',
      price: 'Price per person per night',
      total: 'Total',
      deposit: (percent) => `Deposit (${percent})`,
      depositDueOn: 'Deposit due by',
      optionExpiresOn: 'Option held until',
    },
    quotation: {
      subject: (name, stay) => `Quotation: ${name}${stay}`,
      stay: (arrival, departure) => `, ${arrival} – ${departure}`,
      intro: (name) => `Thank you for your request. Here is our quotation for ${name}.`,
      option: (date) => `We are holding the rooms for you until ${date}.`,
      confirm: 'To confirm, simply reply to this email.',
    },
    proforma: {
      subject: (name) => `Proforma invoice: ${name}`,
      intro: (name) => `Please find attached the proforma invoice for ${name}.`,
    },
    confirmed: {
      subject: (name, stay) => `Confirmed quotation: ${name}${stay}`,
      intro: (name) =>
        `Thank you for confirming ${name}. The confirmed quotation is attached; these are its details.`,
      deposit: (amount, due) =>
        due ? `Please pay the deposit of ${amount} by ${due}.` : `Please pay the deposit of ${amount}.`,
    },
    revised: {
      subject: (name, stay) => `Revised quotation: ${name}${stay}`,
      intro: (name) =>
        `We have revised our quotation for ${name}. The details below replace those we sent you before.`,
    },
    chaser: {
      subject: (name) => `Reminder: quotation ${name}`,
      intro: (name, sent) =>
        `${sent ? `On ${sent} we sent you our quotation for ${name}.` : `We sent you our quotation for ${name}.`} Would you like to confirm it? Please let us know by replying to this email.`,
    },
    deposit: {
      subject: (name) => `Payment reminder: ${name}`,
      intro: (name, amount, due) =>
        `A friendly reminder that a payment of ${amount} for ${name} is due on ${due}.`,
    },
    roomingList: {
      subject: (name) => `Rooming list: ${name}`,
      intro: (name, arrival, due) =>
        `${arrival ? `Your group ${name} arrives on ${arrival}. ` : ''}Please send us the rooming list for ${name} (guest names and room allocation) by ${due}.`,
    },
  },
  es: {
    greeting: (agent) => (agent ? `Estimado/a ${agent}:` : 'Buenos días:'),
    signOff: 'Un cordial saludo,',
    rows: {
      agency: 'Agencia',
      arrival: 'Llegada',
      departure: 'Salida',
      nights: 'Noches',
      mealPlan: 'Régimen',
      adults: 'Adultos',
      children: 'Niños',
      childPrice: (percent) => `(${percent} del precio de adulto)`,
      rooms: 'Habitaciones',
      price: 'Precio por persona y noche',
      total: 'Total',
      deposit: (percent) => `Depósito (${percent})`,
      depositDueOn: 'Depósito antes del',
      optionExpiresOn: 'Opción válida hasta el',
    },
    quotation: {
      subject: (name, stay) => `Presupuesto: ${name}${stay}`,
      stay: (arrival, departure) => `, del ${arrival} al ${departure}`,
      intro: (name) => `Gracias por su solicitud. Le enviamos nuestro presupuesto para ${name}.`,
      option: (date) => `Mantenemos las habitaciones bloqueadas para ustedes hasta el ${date}.`,
      confirm: 'Para confirmar, basta con responder a este correo.',
    },
    proforma: {
      subject: (name) => `Factura proforma: ${name}`,
      intro: (name) => `Le adjuntamos la factura proforma de ${name}.`,
    },
    confirmed: {
      subject: (name, stay) => `Presupuesto confirmado: ${name}${stay}`,
      intro: (name) =>
        `Gracias por confirmar ${name}. Le adjuntamos el presupuesto confirmado; estos son sus datos.`,
      deposit: (amount, due) =>
        due
          ? `Le rogamos que abone el depósito de ${amount} antes del ${due}.`
          : `Le rogamos que abone el depósito de ${amount}.`,
    },
    revised: {
      subject: (name, stay) => `Presupuesto revisado: ${name}${stay}`,
      intro: (name) =>
        `Hemos revisado nuestro presupuesto para ${name}. Los datos siguientes sustituyen a los que le enviamos anteriormente.`,
    },
    chaser: {
      subject: (name) => `Recordatorio: presupuesto ${name}`,
      intro: (name, sent) =>
        `${sent ? `El ${sent} le enviamos nuestro presupuesto para ${name}.` : `Le enviamos nuestro presupuesto para ${name}.`} ¿Desea confirmarlo? Le agradeceremos que nos responda a este correo.`,
    },
    deposit: {
      subject: (name) => `Recordatorio de pago: ${name}`,
      intro: (name, amount, due) =>
        `Le recordamos que el ${due} vence un pago de ${amount} correspondiente a ${name}.`,
    },
    roomingList: {
      subject: (name) => `Rooming list: ${name}`,
      intro: (name, arrival, due) =>
        `${arrival ? `Su grupo ${name} llega el ${arrival}. ` : ''}Le rogamos que nos envíe la rooming list de ${name} (nombres de los huéspedes y distribución de habitaciones) antes del ${due}.`,
    },
  },
};

/**
 * The quotation's values as labelled rows, in the language: the email's table and the PDF documents
 * show exactly these, so the agent reads the same figures in both.
 */
export function quotationRows(s: QuotationSummary, language: Language): [string, string][] {
  const t = TEXTS[language].rows;
  const precision = s.precision ?? DEFAULT_PRECISION;
  const money = (amount: number): string => formatMoney(amount, language, s.currencyCode, precision);
  const rows: [string, string][] = [];
  const row = (label: string, value: string | null): void => {
    if (value !== null) rows.push([label, value]);
  };
  row(t.agency, s.agencyName);
  row(t.arrival, s.arrival && formatDate(s.arrival, language));
  row(t.departure, s.departure && formatDate(s.departure, language));
  row(t.nights, s.nights === null ? null : formatNumber(s.nights, language));
  row(t.mealPlan, s.mealPlan && MEAL_PLANS[language][s.mealPlan]);
  row(t.adults, s.adults === null ? null : formatNumber(s.adults, language));
  if (s.children !== null && s.children > 0) {
    const childPrice =
      s.childPricePercent !== null && s.childPricePercent !== 100
        ? ` ${t.childPrice(formatPercent(s.childPricePercent, language))}`
        : '';
    row(t.children, `${formatNumber(s.children, language)}${childPrice}`);
  }
  row(t.rooms, s.rooms === null ? null : formatNumber(s.rooms, language));
  row(t.price, s.pricePerPersonNight === null ? null : money(s.pricePerPersonNight));
  row(t.total, s.total === null ? null : money(s.total));
  if (s.deposit !== null && s.deposit > 0)
    row(
      t.deposit(s.depositPercent === null ? '' : formatPercent(s.depositPercent, language)),
      money(s.deposit),
    );
  row(t.depositDueOn, s.depositDueOn && formatDate(s.depositDueOn, language));
  row(t.optionExpiresOn, s.optionExpiresOn && formatDate(s.optionExpiresOn, language));
  return rows;
}

function summaryTable(s: QuotationSummary, language: Language): string {
  const rows = quotationRows(s, language);
  const body = rows
    .map(
      ([label, value]) =>
        `<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return `<table style="border-collapse:collapse">${body}</table>`;
}

function compose(s: QuotationSummary, language: Language, paragraphs: readonly string[]): string {
  const t = TEXTS[language];
  const p = (text: string): string => `<p>${escapeHtml(text)}</p>`;
  const signature = s.ownerName
    ? `<p>${escapeHtml(t.signOff)}<br>${escapeHtml(s.ownerName)}</p>`
    : p(t.signOff);
  return [
    p(t.greeting(s.agentName)),
    ...paragraphs.slice(0, 1).map(p),
    summaryTable(s, language),
    ...paragraphs.slice(1).map(p),
    signature,
  ].join('\n');
}

function stayText(s: QuotationSummary, language: Language): string {
  const t = TEXTS[language].quotation;
  return s.arrival && s.departure
    ? t.stay(formatDate(s.arrival, language), formatDate(s.departure, language))
    : '';
}

function quotationClosing(s: QuotationSummary, language: Language): string {
  const t = TEXTS[language].quotation;
  return [...(s.optionExpiresOn ? [t.option(formatDate(s.optionExpiresOn, language))] : []), t.confirm].join(
    ' ',
  );
}

/** The quotation sent to the agent: a summary of the stay, the price and the option. */
export function quotationEmail(s: QuotationSummary, language: Language): EmailContent {
  const t = TEXTS[language].quotation;
  return {
    subject: oneLine(t.subject(s.name, stayText(s, language))),
    html: compose(s, language, [t.intro(s.name), quotationClosing(s, language)]),
  };
}

/** The quotation again after a quoted value changed: the subject says it is revised. */
export function revisedQuotationEmail(s: QuotationSummary, language: Language): EmailContent {
  const t = TEXTS[language].revised;
  return {
    subject: oneLine(t.subject(s.name, stayText(s, language))),
    html: compose(s, language, [t.intro(s.name), quotationClosing(s, language)]),
  };
}

/** The confirmed quotation with the deposit request (amount and due date), sent once on confirmation. */
export function confirmedQuotationEmail(s: QuotationSummary, language: Language): EmailContent {
  const t = TEXTS[language].confirmed;
  const paragraphs = [t.intro(s.name)];
  if (s.deposit !== null && s.deposit > 0) {
    const amount = formatMoney(s.deposit, language, s.currencyCode, s.precision ?? DEFAULT_PRECISION);
    paragraphs.push(t.deposit(amount, s.depositDueOn && formatDate(s.depositDueOn, language)));
  }
  return {
    subject: oneLine(t.subject(s.name, stayText(s, language))),
    html: compose(s, language, paragraphs),
  };
}

/** The proforma invoice's covering email (the document is attached). */
export function proformaEmail(s: QuotationSummary, language: Language): EmailContent {
  const t = TEXTS[language].proforma;
  return { subject: oneLine(t.subject(s.name)), html: compose(s, language, [t.intro(s.name)]) };
}

/** The confirmation chaser: the quotation again, asking whether the agent confirms. */
export function confirmationChaserEmail(s: QuotationSummary, language: Language): EmailContent {
  const t = TEXTS[language].chaser;
  const intro = t.intro(s.name, s.quoteSentOn && formatDate(s.quoteSentOn, language));
  return { subject: oneLine(t.subject(s.name)), html: compose(s, language, [intro]) };
}

/** A payment reminder for one instalment. */
export function depositReminderEmail(
  s: QuotationSummary,
  instalment: { amount: number; dueOn: DateOnly },
  language: Language,
): EmailContent {
  const t = TEXTS[language].deposit;
  const amount = formatMoney(instalment.amount, language, s.currencyCode, s.precision ?? DEFAULT_PRECISION);
  return {
    subject: oneLine(t.subject(s.name)),
    html: compose(s, language, [t.intro(s.name, amount, formatDate(instalment.dueOn, language))]),
  };
}

/** The request for the rooming list, due on `dueOn`. */
export function roomingListRequestEmail(
  s: QuotationSummary,
  dueOn: DateOnly,
  language: Language,
): EmailContent {
  const t = TEXTS[language].roomingList;
  const arrival = s.arrival && formatDate(s.arrival, language);
  return {
    subject: oneLine(t.subject(s.name)),
    html: compose(s, language, [t.intro(s.name, arrival, formatDate(dueOn, language))]),
  };
}
