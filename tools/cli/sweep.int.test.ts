import { opportunity, QuotationPhase } from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import {
  createPeople,
  createQuoteOrg,
  quotationParties,
  type QuoteOrg,
} from '../../plugins/handlers/groupquotes/quote-org.testkit';
import { type ProgressDisplay, runSweepOnce, type SweepCommandDeps } from './sweep';
import type { SweepProgress } from '../../plugins/handlers/groupquotes';

const c = opportunity.columns;
let org: QuoteOrg;

beforeEach(() => {
  org = createQuoteOrg({ start: new Date('2026-03-09T08:00:00Z') });
});
afterEach(() => org.close());

function deps(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const shown: SweepProgress[] = [];
  let stopped = false;
  const progress: ProgressDisplay = { update: (p) => shown.push(p), stop: () => (stopped = true) };
  const logger = memoryLogger();
  const value: SweepCommandDeps = {
    env,
    logger,
    print: (line) => lines.push(line),
    clock: org.clock.now,
    fetch: () => Promise.reject(new Error('offline')),
    sleep: () => Promise.resolve(),
    client: org.client,
    progress,
  };
  return { value, lines, shown, logger, stopped: () => stopped };
}

describe('ideario sweep --once', () => {
  it('does the due follow-ups, shows progress and prints what it did', async () => {
    const people = await createPeople(org);
    for (const name of ['Uno', 'Dos']) {
      await org.client.create(opportunity.entitySetName, {
        [c.name]: name,
        ...quotationParties(people),
        [c.idr_phase]: QuotationPhase.QuotationSent,
        [c.idr_quotesenton]: '2026-03-02',
        [c.idr_arrivaldate]: '2026-04-20',
        [c.idr_nights]: 2,
      });
    }
    const run = deps();
    expect(await runSweepOnce({ once: true, everyHours: '1' }, run.value)).toBe(0);
    expect(run.lines).toEqual([
      'Swept 2 quotation(s) for 2026-03-09: 4 follow-up(s) done (quotationEmail 2, confirmationChaser 2), ' +
        '0 already claimed by another sweep, 0 waiting for the ERP/PMS URL, 0 failed.',
    ]);
    expect(run.shown.at(0)).toEqual({ processed: 0, total: 2, actionsCreated: 0 });
    expect(run.shown.at(-1)).toEqual({ processed: 2, total: 2, actionsCreated: 4 });
    expect(run.stopped()).toBe(true);
    expect(org.engine.outbox()).toHaveLength(4);
  });

  it('stops with exit code 1 and the reason when a setting is wrong', async () => {
    const run = deps({ IDEARIO_TIME_ZONE: 'Central European' });
    expect(await runSweepOnce({ once: true, everyHours: '1' }, run.value)).toBe(1);
    expect(run.logger.lines.join('\n')).toMatch(
      /IDEARIO_TIME_ZONE is 'Central European'; use an IANA time zone name/,
    );
  });
});
