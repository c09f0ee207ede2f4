/**
 * The sales figures of group quotations (`ideario report quotations`, the dashboard's numbers):
 * quotations by phase, conversion from sent to confirmed by month sent and by agency, deposits
 * overdue, and revenue confirmed per month. Pure: the rows and "today" come in, text lines go out.
 */
import { type DateOnly, formatDateOnly, isBefore } from './dateonly';
import { type QuotationPhase } from './followups';
import { formatDate, formatMoney, formatNumber, formatPercent, type Language } from './language';
import { PHASE_LABELS, PHASE_STEPS } from './phase';

export interface ReportQuotation {
  name: string;
  agency: string | null;
  phase: QuotationPhase;
  quoteSentOn: DateOnly | null;
  confirmedOn: DateOnly | null;
  total: number | null;
  deposit: number | null;
  depositDueOn: DateOnly | null;
  depositReceivedOn: DateOnly | null;
}

export interface Conversion {
  key: string;
  sent: number;
  confirmed: number;
  /** Confirmed / sent, 0–100; null when nothing was sent. */
  rate: number | null;
}

export interface QuotationReport {
  byPhase: { phase: QuotationPhase; count: number }[];
  conversionByMonth: Conversion[];
  conversionByAgency: Conversion[];
  depositsOverdue: { name: string; agency: string | null; dueOn: DateOnly; amount: number | null }[];
  revenueByMonth: { month: string; revenue: number }[];
}

const PHASE_ORDER: readonly QuotationPhase[] = [...PHASE_STEPS, 'lost', 'cancelled'];

const month = (date: DateOnly): string => formatDateOnly(date).slice(0, 7);
const isConfirmedRow = (q: ReportQuotation): boolean => q.confirmedOn !== null && q.phase !== 'cancelled';

function conversions(rows: readonly ReportQuotation[], keyOf: (q: ReportQuotation) => string): Conversion[] {
  const groups = new Map<string, Conversion>();
  for (const q of rows) {
    if (!q.quoteSentOn) continue;
    const key = keyOf(q);
    const group = groups.get(key) ?? { key, sent: 0, confirmed: 0, rate: null };
    group.sent += 1;
    if (isConfirmedRow(q)) group.confirmed += 1;
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, rate: g.sent > 0 ? (100 * g.confirmed) / g.sent : null }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The figures; `noAgency` names the group of quotations without an agency. */
export function quotationReport(
  rows: readonly ReportQuotation[],
  today: DateOnly,
  noAgency = '—',
): QuotationReport {
  const counts = new Map<QuotationPhase, number>();
  for (const q of rows) counts.set(q.phase, (counts.get(q.phase) ?? 0) + 1);
  const revenue = new Map<string, number>();
  for (const q of rows) {
    if (!isConfirmedRow(q) || q.phase === 'lost' || !q.confirmedOn) continue;
    const key = month(q.confirmedOn);
    revenue.set(key, (revenue.get(key) ?? 0) + (q.total ?? 0));
  }
  return {
    byPhase: PHASE_ORDER.filter((p) => counts.has(p)).map((phase) => ({
      phase,
      count: counts.get(phase) ?? 0,
    })),
    conversionByMonth: conversions(rows, (q) => (q.quoteSentOn ? month(q.quoteSentOn) : '')),
    conversionByAgency: conversions(rows, (q) => q.agency ?? noAgency),
    depositsOverdue: rows
      .filter(
        (q): q is ReportQuotation & { depositDueOn: DateOnly } =>
          isConfirmedRow(q) &&
          q.phase !== 'lost' &&
          q.depositReceivedOn === null &&
          q.depositDueOn !== null &&
          (q.deposit ?? 0) > 0 &&
          isBefore(q.depositDueOn, today),
      )
      .map((q) => ({ name: q.name, agency: q.agency, dueOn: q.depositDueOn, amount: q.deposit }))
      .sort((a, b) =>
        isBefore(a.dueOn, b.dueOn) ? -1 : isBefore(b.dueOn, a.dueOn) ? 1 : a.name < b.name ? -1 : 1,
      ),
    revenueByMonth: [...revenue.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([m, value]) => ({ month: m, revenue: value })),
  };
}

const TEXTS = {
  en: {
    title: (day: string) => `Group quotations on ${day}`,
    byPhase: 'Quotations by phase',
    byMonth: 'Sent → confirmed by month sent',
    byAgency: 'Sent → confirmed by agency',
    conversion: (sent: string, confirmed: string, rate: string) =>
      `${sent} sent, ${confirmed} confirmed (${rate})`,
    overdue: 'Deposits overdue',
    due: (date: string) => `due ${date}`,
    revenue: 'Revenue confirmed by month',
    none: '(none)',
    noAgency: '(no agency)',
  },
  es: {
    title: (day: string) => `Presupuestos de grupo a ${day}`,
    byPhase: 'Presupuestos por fase',
    byMonth: 'Enviados → confirmados por mes de envío',
    byAgency: 'Enviados → confirmados por agencia',
    conversion: (sent: string, confirmed: string, rate: string) =>
      `${sent} enviados, ${confirmed} confirmados (${rate})`,
    overdue: 'Depósitos vencidos',
    due: (date: string) => `vencía el ${date}`,
    revenue: 'Ingresos confirmados por mes',
    none: '(ninguno)',
    noAgency: '(sin agencia)',
  },
} as const;

/** The label for quotations without an agency in the report's language. */
export function noAgencyLabel(language: Language): string {
  return TEXTS[language].noAgency;
}

/** The report as terminal lines; amounts in the currency given (null: plain numbers). */
export function reportLines(
  report: QuotationReport,
  today: DateOnly,
  language: Language,
  currencyCode: string | null = null,
): string[] {
  const t = TEXTS[language];
  const n = (value: number): string => formatNumber(value, language);
  const money = (value: number): string => formatMoney(value, language, currencyCode);
  const pad = (label: string, width: number): string => label.padEnd(width);
  const section = (title: string, rows: string[]): string[] => [
    '',
    title,
    ...(rows.length > 0 ? rows : [`  ${t.none}`]),
  ];
  const conversion = (c: Conversion, width: number): string =>
    `  ${pad(c.key, width)}  ${t.conversion(n(c.sent), n(c.confirmed), c.rate === null ? '—' : formatPercent(Math.round(c.rate * 10) / 10, language))}`;
  const widest = (keys: string[]): number => Math.max(0, ...keys.map((k) => k.length));
  const phaseWidth = widest(report.byPhase.map((p) => PHASE_LABELS[language][p.phase]));
  const agencyWidth = widest(report.conversionByAgency.map((c) => c.key));
  return [
    t.title(formatDate(today, language)),
    ...section(
      t.byPhase,
      report.byPhase.map((p) => `  ${pad(PHASE_LABELS[language][p.phase], phaseWidth)}  ${n(p.count)}`),
    ),
    ...section(
      t.byMonth,
      report.conversionByMonth.map((c) => conversion(c, 7)),
    ),
    ...section(
      t.byAgency,
      report.conversionByAgency.map((c) => conversion(c, agencyWidth)),
    ),
    ...section(
      t.overdue,
      report.depositsOverdue.map(
        (d) =>
          `  ${d.name}${d.agency ? ` (${d.agency})` : ''}: ${d.amount === null ? '' : `${money(d.amount)}, `}${t.due(formatDate(d.dueOn, language))}`,
      ),
    ),
    ...section(
      t.revenue,
      report.revenueByMonth.map((r) => `  ${r.month}  ${money(r.revenue)}`),
    ),
  ];
}
