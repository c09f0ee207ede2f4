/**
 * The Opportunity form script, as built and running in a page, and the server's enforcement
 * (domain/quotation enforceQuotation, what the Create/Update.opportunity steps run) compute the
 * same persons, total, deposit and departure, and raise the same issues in the same words, for
 * many seeded random quotations, valid and not.
 */
import path from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
import { opportunity } from '../../dataverse/generated';
import { DEFAULT_POLICY, enforceQuotation, type StoredQuotation } from '../../domain/quotation';
import { addDays, formatDateOnly, parseDateOnly, tryParseDateOnly } from '../../domain/quotation/dateonly';
import { createForm, generatedTables, memoryClient } from '../../tools/harness';
import { loadMetadata } from '../../tools/solution/loader';
import { bundleWebResource, loadedResources, WEB_RESOURCES } from '../build';
import type { QuotationField } from '../../domain/quotation/validation';
import { FIELD_COLUMNS } from './form';

const c = opportunity.columns;
const library = WEB_RESOURCES.find((w) => w.folder === 'opportunity');

const handlers = () =>
  Object.values(loadMetadata(path.join(__dirname, '..', '..', 'solution')).tables).flatMap((t) =>
    t.forms.flatMap((f) => f.handlers.filter((h) => h.library === library?.webResourceName)),
  );

/** A number as a salesperson could type it, now and then one the checks refuse. */
const typed = (valid: fc.Arbitrary<number>, invalid: fc.Arbitrary<number>) =>
  fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 1, arbitrary: invalid },
    { weight: 1, arbitrary: fc.constant(null) },
  );
const hundredths = (min: number, max: number) =>
  fc.integer({ min: min * 100, max: max * 100 }).map((n) => n / 100);

describe('form script and server compute the same quotation', () => {
  let code: string;
  beforeAll(async () => {
    if (!library) throw new Error('no opportunity web resource');
    code = await bundleWebResource(library);
  });

  it('for 150 seeded random quotations, in English and Spanish', async () => {
    const registered = handlers();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          language: fc.constantFrom<1033 | 3082>(1033, 3082),
          arrivalDay: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
          nights: typed(fc.integer({ min: 1, max: 60 }), fc.constantFrom(0, 400, 2.5)),
          departureShift: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
          adults: typed(fc.integer({ min: 0, max: 80 }), fc.constantFrom(-1, 1.5)),
          children: typed(fc.integer({ min: 0, max: 30 }), fc.constant(-2)),
          price: typed(hundredths(0, 2000), fc.constant(-5)),
          childPricePercent: typed(hundredths(0, 100), fc.constant(120)),
          depositPercent: typed(hundredths(0, 100), fc.constant(101)).map((p) => p ?? 30),
        }),
        async (q) => {
          const form = createForm({
            table: opportunity,
            formType: 'update',
            id: '{3f1f6a5e-2d7c-4d3a-8f1e-00000000c0de}',
            userLanguage: q.language,
            resources: loadedResources(WEB_RESOURCES),
            webApi: memoryClient(generatedTables(), {}),
          });
          const page = vm.createContext({ Xrm: form.xrm });
          vm.runInContext(code, page);
          form.registerHandlers(registered, page);
          await form.load();
          const arrival = q.arrivalDay === null ? null : addDays(parseDateOnly('2027-01-01'), q.arrivalDay);
          if (arrival) await form.change(c.idr_arrivaldate, formatDateOnly(arrival));
          await form.change(c.idr_nights, q.nights);
          // Now and then the salesperson types a departure too, matching the nights or not.
          const derived = tryParseDateOnly(form.dateValue(c.idr_departuredate));
          if (derived && q.departureShift !== null)
            await form.change(c.idr_departuredate, formatDateOnly(addDays(derived, q.departureShift)));
          await form.change(c.idr_adults, q.adults);
          await form.change(c.idr_children, q.children);
          await form.change(c.idr_priceperpersonnight, q.price);
          await form.change(c.idr_childpricepercent, q.childPricePercent);
          await form.change(c.idr_depositpercent, q.depositPercent);

          const number = (column: string): number | null => {
            const value = form.value(column as never);
            return typeof value === 'number' ? value : null;
          };
          const stored: StoredQuotation = {
            arrival: tryParseDateOnly(form.dateValue(c.idr_arrivaldate)),
            nights: number(c.idr_nights),
            departure: tryParseDateOnly(form.dateValue(c.idr_departuredate)),
            adults: number(c.idr_adults),
            children: number(c.idr_children),
            persons: null,
            pricePerPersonNight: number(c.idr_priceperpersonnight),
            childPricePercent: number(c.idr_childpricepercent),
            total: null,
            depositPercent: number(c.idr_depositpercent),
            deposit: null,
            issue: null,
            quoteSentOn: null,
            optionExpiresOn: null,
            cutoffDate: null,
            roomingListDueOn: null,
          };
          const server = enforceQuotation(stored, {
            policy: DEFAULT_POLICY,
            language: q.language === 3082 ? 'es' : 'en',
            today: parseDateOnly('2026-12-07'),
            isNew: false,
          });
          // The stay the form left is one the server keeps.
          expect(server.corrections).not.toHaveProperty('arrival');
          expect(server.corrections).not.toHaveProperty('departure');
          if (stored.nights !== null) expect(server.corrections).not.toHaveProperty('nights');
          // The amounts the server would write are those the form shows.
          // (With a count the checks refuse, the form still shows their sum while the save is blocked;
          // the server leaves persons alone.)
          if (!server.issues.some((i) => i.code === 'countInvalid'))
            expect(server.corrections.persons ?? null).toBe(number(c.idr_persons));
          expect(server.corrections.total ?? null).toBe(number(c.idr_total));
          expect(server.corrections.deposit ?? null).toBe(number(c.idr_deposit));
          // Each issue on its field, in the same words.
          for (const field of Object.keys(FIELD_COLUMNS) as QuotationField[]) {
            const said = server.issues.filter((i) => i.field === field).map((i) => i.message);
            expect(form.fieldNotification(FIELD_COLUMNS[field] as never) ?? '').toBe(said.join(' '));
          }
        },
      ),
      { numRuns: 150, seed: 8 },
    );
  });
});
