import { account, opportunity, QuotationPhase } from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { createQuoteOrg, type QuoteOrg } from '../../plugins/handlers/groupquotes/quote-org.testkit';
import { runQuotationReport } from './report';

const c = opportunity.columns;
let org: QuoteOrg;

beforeEach(() => {
  // No steps: the rows hold exactly the facts written here.
  org = createQuoteOrg({ start: new Date('2026-04-10T08:00:00Z'), handlers: [] });
});
afterEach(() => org.close());

async function quotation(name: string, agencyId: string | null, values: Record<string, unknown>) {
  await org.client.create(opportunity.entitySetName, {
    [c.name]: name,
    ...(agencyId ? { [`${c.idr_agency}@odata.bind`]: `/${account.entitySetName}(${agencyId})` } : {}),
    ...values,
  });
}

async function report(language: 'en' | 'es') {
  const lines: string[] = [];
  const logger = memoryLogger();
  const code = await runQuotationReport(
    {},
    {
      env: { IDEARIO_LANGUAGE: language },
      logger,
      print: (line) => lines.push(line),
      clock: org.clock.now,
      client: org.client,
    },
  );
  return { code, lines, log: logger.lines.join('\n') };
}

describe('ideario report quotations', () => {
  beforeEach(async () => {
    const sol = await org.client.create(account.entitySetName, { [account.columns.name]: 'Viajes Sol' });
    const norte = await org.client.create(account.entitySetName, { [account.columns.name]: 'Norte Tours' });
    const phase = opportunity.columns.idr_phase;
    await quotation('Coro', sol, {
      [phase]: QuotationPhase.Deposit,
      [c.idr_quotesenton]: '2026-02-03',
      [c.idr_confirmedon]: '2026-02-10',
      [c.idr_total]: 9360,
      [c.idr_deposit]: 2340,
      [c.idr_depositduedate]: '2026-02-24',
      [c.idr_depositreceivedon]: '2026-02-20',
    });
    await quotation('Orquesta', sol, {
      [phase]: QuotationPhase.Confirmed,
      [c.idr_quotesenton]: '2026-03-02',
      [c.idr_confirmedon]: '2026-03-09',
      [c.idr_total]: 12000,
      [c.idr_deposit]: 3000,
      [c.idr_depositduedate]: '2026-03-23',
    });
    await quotation('Club', norte, {
      [phase]: QuotationPhase.QuotationSent,
      [c.idr_quotesenton]: '2026-03-05',
    });
    await quotation('Boda', null, { [phase]: QuotationPhase.Lost, [c.idr_quotesenton]: '2026-03-06' });
    await quotation('Congreso', null, { [phase]: QuotationPhase.Request });
  });

  it('prints phases, conversion by month and agency, overdue deposits and confirmed revenue', async () => {
    const { code, lines, log } = await report('en');
    expect(log).toBe('');
    expect(code).toBe(0);
    expect(lines).toEqual([
      'Group quotations on 10 April 2026',
      '',
      'Quotations by phase',
      '  Request         1',
      '  Quotation sent  1',
      '  Confirmed       1',
      '  Deposit         1',
      '  Lost            1',
      '',
      'Sent → confirmed by month sent',
      '  2026-02  1 sent, 1 confirmed (100%)',
      '  2026-03  3 sent, 1 confirmed (33.3%)',
      '',
      'Sent → confirmed by agency',
      '  (no agency)  1 sent, 0 confirmed (0%)',
      '  Norte Tours  1 sent, 0 confirmed (0%)',
      '  Viajes Sol   2 sent, 2 confirmed (100%)',
      '',
      'Deposits overdue',
      '  Orquesta (Viajes Sol): 3,000.00, due 23 March 2026',
      '',
      'Revenue confirmed by month',
      '  2026-02  9,360.00',
      '  2026-03  12,000.00',
    ]);
  });

  it('speaks Spanish when IDEARIO_LANGUAGE is es', async () => {
    const { lines } = await report('es');
    expect(lines[0]).toBe('Presupuestos de grupo a 10 de abril de 2026');
    expect(lines).toContain('  Orquesta (Viajes Sol): 3000,00, vencía el 23 de marzo de 2026');
    expect(lines).toContain('  2026-03  3 enviados, 1 confirmados (33,3\u00a0%)');
  });
});
