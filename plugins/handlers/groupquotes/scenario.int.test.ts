/**
 * Acceptance (issue 12): one group from request to settlement over 90 simulated days, written the way
 * an integration writes it: over HTTP to the emulator's Web API, with the group-quotation steps and a
 * daily follow-up sweep as the host runs them, and a test clock moved a day at a time. Each email and
 * call comes on its day and once; each phase is reached by recording a fact, never by setting it; a
 * phase set by hand that the facts contradict is refused.
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import { createNodeClient } from '../../../dataverse/adapters/node-client';
import {
  HandoffStatus,
  idr_hotel,
  idr_hotelroomtype,
  idr_phasehistory,
  idr_roomblock,
  opportunity,
  phonecall,
  QuotationPhase,
  task,
} from '../../../dataverse/generated';
import { addDays, formatDateOnly, parseDateOnly } from '../../../domain/quotation';
import { startWebApiServer, type WebApiServer } from '../../../tools/emulator/http/server';
import { createGroupQuotesHandlers } from '.';
import type { FetchLike } from './handoff';
import { importRoomingList } from './rooming';
import type { GroupQuotesSettings } from './settings';
import { runFollowUpSweep } from './sweep';
import {
  createPeople,
  createQuoteOrg,
  type People,
  quotationParties,
  type QuoteOrg,
} from './quote-org.testkit';

const c = opportunity.columns;
const H = idr_phasehistory.columns;
const DAY0 = parseDateOnly('2026-03-02');
const day = (n: number): string => formatDateOnly(addDays(DAY0, n));
const morningOf = (n: number): Date => new Date(`${day(n)}T09:00:00Z`);
const dayOf = (iso: string): number =>
  Math.round((Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) - Date.parse(`${day(0)}T00:00:00Z`)) / 86_400_000);
const TOKEN = 'scenario-token';

let settings: GroupQuotesSettings;
let org: QuoteOrg;
let server: WebApiServer;
let api: DataverseClient;
let people: People;
/** The ERP/PMS: accepts every quotation, and counts them. */
const handoffs: string[] = [];

beforeEach(async () => {
  handoffs.length = 0;
  settings = { timeZone: 'UTC', language: 'en', handoffUrl: null };
  org = createQuoteOrg({
    start: morningOf(0),
    settings,
    handlers: createGroupQuotesHandlers({ settings: () => settings }),
  });
  server = await startWebApiServer({ engine: org.engine, port: 0, token: TOKEN });
  api = createNodeClient({ url: server.url, getToken: () => Promise.resolve(TOKEN) });
  people = await createPeople(org);
});
afterEach(async () => {
  await server.close();
  org.close();
});

const erp: FetchLike = (url) => {
  handoffs.push(String(url));
  return Promise.resolve(new Response(JSON.stringify({ reference: 'PMS-4711' }), { status: 201 }));
};

async function blockRooms(opportunityId: string): Promise<void> {
  const hotelId = await api.create(idr_hotel.entitySetName, {
    [idr_hotel.columns.idr_name]: 'Hotel Sol',
    [idr_hotel.columns.idr_code]: 'SOL',
  });
  const doubleId = await api.create(idr_hotelroomtype.entitySetName, {
    [idr_hotelroomtype.columns.idr_name]: 'Double',
    [idr_hotelroomtype.columns.idr_code]: 'DBL',
    [idr_hotelroomtype.columns.idr_rooms]: 60,
    [`${idr_hotelroomtype.columns.idr_hotel}@odata.bind`]: `/${idr_hotel.entitySetName}(${hotelId})`,
  });
  for (const n of [60, 61, 62])
    await api.create(idr_roomblock.entitySetName, {
      [`${idr_roomblock.columns.idr_opportunity}@odata.bind`]: `/${opportunity.entitySetName}(${opportunityId})`,
      [`${idr_roomblock.columns.idr_hotel}@odata.bind`]: `/${idr_hotel.entitySetName}(${hotelId})`,
      [`${idr_roomblock.columns.idr_roomtype}@odata.bind`]: `/${idr_hotelroomtype.entitySetName}(${doubleId})`,
      [idr_roomblock.columns.idr_night]: day(n),
      [idr_roomblock.columns.idr_rooms]: 20,
      [idr_roomblock.columns.idr_rate]: 150,
    });
}

async function phaseOf(id: string): Promise<number | null | undefined> {
  const row = await api.retrieve(opportunity.entitySetName, id, [c.idr_phase]);
  return row?.[c.idr_phase] as number | null | undefined;
}

async function regarding(set: string, id: string): Promise<EntityRecord[]> {
  return api.retrieveMultiple(set, {
    select: ['subject', 'createdon'],
    filter: `_regardingobjectid_value eq ${id}`,
    orderBy: ['createdon asc'],
  });
}

describe('one group from request to settlement, 90 days', () => {
  it('sends each email and makes each call on its day, once, and moves the phase by the facts alone', async () => {
    // Day 0: the agency asks for 40 people, 3 nights, arriving on day 60.
    const id = await api.create(opportunity.entitySetName, {
      [c.name]: 'Congreso Médico',
      ...quotationParties(people),
      [c.idr_arrivaldate]: day(60),
      [c.idr_nights]: 3,
      [c.idr_adults]: 40,
      [c.idr_depositpercent]: 25,
    });
    await blockRooms(id);

    /** What the salesperson records on a day (nothing else is ever written). */
    const facts: Record<number, () => Promise<void>> = {
      1: () => api.update(opportunity.entitySetName, id, { [c.idr_quotesenton]: day(1) }),
      5: () => api.update(opportunity.entitySetName, id, { [c.idr_confirmedon]: day(5) }),
      11: () => api.update(opportunity.entitySetName, id, { [c.idr_depositreceivedon]: day(11) }),
      55: async () => {
        const rows = Array.from({ length: 40 }, (_, i) => ({
          row: i + 2,
          room: String(Math.floor(i / 2) + 1),
          roomType: 'DBL',
          guest: `Delegate ${i + 1}`,
          arrival: '',
          departure: '',
        }));
        const result = await importRoomingList(id, rows, {
          client: api,
          clock: org.clock.now,
          logger: org.logger,
          timeZone: 'UTC',
        });
        expect([result.placedRows, result.rejected]).toEqual([40, []]);
      },
      56: () => api.update(opportunity.entitySetName, id, { [c.idr_proformaissuedon]: day(56) }),
      // The ERP/PMS URL is set once the proforma is out: the next sweep hands the group over.
      57: () => Promise.resolve(void (settings.handoffUrl = 'https://pms.example/groups')),
      62: () => api.update(opportunity.entitySetName, id, { [c.idr_paymentreceivedon]: day(62) }),
    };

    const phases: [number, number | null | undefined][] = [];
    for (let n = 0; n <= 90; n++) {
      org.clock.set(morningOf(n));
      await facts[n]?.();
      await org.runAsyncSteps();
      if (n === 2) {
        // A hand-set phase the facts contradict: refused, and the phase stays.
        await expect(
          api.update(opportunity.entitySetName, id, { [c.idr_phase]: QuotationPhase.Deposit }),
        ).rejects.toThrow(/422/);
        expect(org.logger.lines.join('\n')).toContain(
          'no deposit is recorded as received (Deposit Received On)',
        );
      }
      const result = await runFollowUpSweep({
        client: api,
        clock: org.clock.now,
        logger: org.logger,
        settings: () => settings,
        fetch: erp,
        sleep: () => Promise.resolve(),
      });
      expect(result.failed).toEqual([]);
      await org.runAsyncSteps();
      const phase = await phaseOf(id);
      if (phases.at(-1)?.[1] !== phase) phases.push([n, phase]);
    }

    // Each phase on the day its fact was recorded (Settled once the departure day, 63, has come).
    expect(phases).toEqual([
      [0, QuotationPhase.Request],
      [1, QuotationPhase.QuotationSent],
      [5, QuotationPhase.Confirmed],
      [11, QuotationPhase.Deposit],
      [55, QuotationPhase.RoomingList],
      [56, QuotationPhase.Proforma],
      [57, QuotationPhase.Transferred],
      [63, QuotationPhase.Settled],
    ]);
    const history = await api.retrieveMultiple(idr_phasehistory.entitySetName, {
      select: [H.idr_tophase, H.idr_changedon],
      filter: `_${H.idr_opportunity}_value eq ${id}`,
      orderBy: [`${H.idr_changedon} asc`],
    });
    expect(history.map((h) => [dayOf(String(h[H.idr_changedon])), h[H.idr_tophase]])).toEqual(
      phases.slice(1),
    );
    const final = await api.retrieve(opportunity.entitySetName, id, [c.idr_total, c.idr_handoffstatus]);
    // 20 doubles × 3 nights × 150: the total comes from the room blocks.
    expect(final).toMatchObject({ [c.idr_total]: 9000, [c.idr_handoffstatus]: HandoffStatus.Sent });
    expect(handoffs).toEqual(['https://pms.example/groups']);

    // Every email the agency and the salesperson got, on its day, each once.
    const mails = org.engine.outbox().map((m) => [dayOf(m.sentOn), m.subject, m.to]);
    expect(mails).toEqual([
      [1, 'Quotation: Congreso Médico, 1 May 2026 – 4 May 2026', 'ana.ruiz@viajessol.example'],
      // Recording the confirmation sends the confirmed quotation with the deposit request.
      [5, 'Confirmed quotation: Congreso Médico, 1 May 2026 – 4 May 2026', 'ana.ruiz@viajessol.example'],
      // The deposit is due 7 days after the confirmation (day 12): reminded 3 days before.
      [9, 'Payment reminder: Congreso Médico', 'ana.ruiz@viajessol.example'],
      // The balance is due 14 days before arrival (day 46): reminded 3 days before.
      [43, 'Payment reminder: Congreso Médico', 'ana.ruiz@viajessol.example'],
      // The rooming list is asked for 14 days before arrival.
      [46, 'Rooming list: Congreso Médico', 'ana.ruiz@viajessol.example'],
      // Recording the proforma sends the proforma invoice.
      [56, 'Proforma invoice: Congreso Médico', 'ana.ruiz@viajessol.example'],
    ]);
    const calls = (await regarding(phonecall.entitySetName, id)).map((r) => [
      dayOf(String(r.createdon)),
      r.subject,
    ]);
    expect(calls).toEqual([
      // The balance is still unpaid on its due date: the salesperson calls the agency that day.
      [46, 'Call Ana Ruiz about the deposit: Congreso Médico'],
      // No rooming list a week before arrival (it comes on day 55).
      [53, 'Call Ana Ruiz for the rooming list: Congreso Médico'],
    ]);
    const tasks = (await regarding(task.entitySetName, id)).map((r) => [
      dayOf(String(r.createdon)),
      r.subject,
    ]);
    expect(tasks).toEqual([
      // Cutoff, 21 days before arrival: release or keep the rooms.
      [39, 'Cutoff review: Congreso Médico'],
      // The day after the balance's due date.
      [47, 'Payment overdue: Congreso Médico'],
    ]);
  });
});
