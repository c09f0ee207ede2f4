/**
 * The row mappers read only the columns their query selects, and the handlers' writes are the generated
 * `<table>Write` payloads. The `@ts-expect-error` lines are the proof: `tsc --noEmit` (and ts-jest)
 * fail on any of them the day the check it stands for stops working.
 */
import type { Selected } from '../../dataverse/selected';
import {
  email,
  ExclusionReason,
  idr_offer,
  phonecall,
  QuotationPhase,
  type emailWrite,
  type idr_exclusionWrite,
  type idr_offerRecord,
  type idr_offerWrite,
} from '../../dataverse/generated';
import { activityLink } from './campaigns/read';
import {
  QUOTATION_SELECT,
  readPhase,
  toPhaseFacts,
  type PhaseFactsRow,
  type QuotationRow,
} from './groupquotes/record';
import { OFFER_SELECT, type OfferRow, toOffer } from './offers/records';

const OC = idr_offer.columns;
const OFFER_ID = '0f5e2a8c-1b3d-4e6f-8a9b-0c1d2e3f4a5b';

/** A row as the Web API returns OFFER_SELECT: every selected column, null where empty. */
function offerRow(values: Partial<OfferRow>): OfferRow {
  const empty = Object.fromEntries(OFFER_SELECT.map((column) => [column, null]));
  return { ...empty, ...values } as OfferRow;
}

describe('a row read with a select list', () => {
  it('maps the selected columns, empty ones to their defaults', () => {
    const offer = toOffer(offerRow({ idr_offerid: OFFER_ID, idr_code: 'CLOUD', idr_value: 1200 }), []);
    expect(offer).toMatchObject({ id: OFFER_ID, code: 'CLOUD', name: 'CLOUD', value: 1200, labelDays: 30 });
    expect([...offer.eligibleTiers]).toEqual(['mostValuable', 'mostGrowable', 'maintain']);
  });

  it('has no column the query leaves out, nor its formatted value', () => {
    const row = offerRow({ idr_code: 'CLOUD' });
    expect(OFFER_SELECT).not.toContain(OC.idr_modelversion);
    // @ts-expect-error idr_modelversion is not in OFFER_SELECT, so no mapper of this row can read it
    expect(row.idr_modelversion).toBeUndefined();
    // @ts-expect-error the formatted value of an unselected column is not there either
    expect(row[`${OC.idr_modelversion}@OData.Community.Display.V1.FormattedValue`]).toBeUndefined();
    expect(row[`${OC.idr_code}@OData.Community.Display.V1.FormattedValue`]).toBeUndefined();
  });

  it('is not a row read with fewer columns', () => {
    const narrow: Selected<idr_offerRecord, readonly [typeof OC.idr_offerid, typeof OC.idr_code]> = {
      idr_offerid: OFFER_ID,
      idr_code: 'CLOUD',
    };
    // @ts-expect-error toOffer reads idr_value and more, which this query did not select
    expect(toOffer(narrow, []).value).toBe(0);
  });

  it('names only columns of its table', () => {
    // @ts-expect-error a misspelt (or renamed) column in a select list fails to compile
    type Misspelt = Selected<idr_offerRecord, readonly ['idr_modelversions']>;
    const misspelt: Partial<Misspelt> = {};
    expect(misspelt).toEqual({});
  });

  it('feeds a mapper that needs fewer columns: the quotation read serves the phase facts', () => {
    const empty = Object.fromEntries(QUOTATION_SELECT.map((column) => [column, null]));
    const quotation = {
      ...empty,
      idr_phase: QuotationPhase.QuotationSent,
      idr_quotesenton: '2026-11-02',
    } as QuotationRow;
    const facts: PhaseFactsRow = quotation;
    expect(toPhaseFacts(facts).quoteSentOn).toEqual({ year: 2026, month: 11, day: 2 });
    expect(readPhase(quotation)).toBe('quotationSent');
  });
});

describe('a write', () => {
  it('links a why-not row to its activity through the navigation of that activity table', () => {
    const id = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
    const link: idr_exclusionWrite = activityLink(phonecall, id);
    expect(link).toEqual({ 'idr_activity_phonecall@odata.bind': `/${phonecall.entitySetName}(${id})` });
    expect(activityLink(email, id)).toEqual({
      'idr_activity_email@odata.bind': `/${email.entitySetName}(${id})`,
    });
  });

  it('refuses a wrong value type, an unknown column, a choice value outside its set, a lookup to another table', () => {
    const writes: idr_offerWrite[] = [
      { idr_modelquality: 'AUC 0.81' },
      // @ts-expect-error idr_modelquality is text
      { idr_modelquality: 0.81 },
      // @ts-expect-error no such column: a renamed column fails where it is written
      { idr_modelqualities: 'AUC 0.81' },
    ];
    const reasons: idr_exclusionWrite[] = [
      { idr_reason: ExclusionReason.FrequencyCap },
      // @ts-expect-error not an option of the Exclusion Reason choice
      { idr_reason: 7 },
      // @ts-expect-error the trigger lookup points at idr_triggers, not contacts
      { 'idr_trigger@odata.bind': `/contacts(${OFFER_ID})` },
    ];
    const activity: emailWrite = {
      'regardingobjectid_contact_email@odata.bind': `/contacts(${OFFER_ID})`,
      email_activity_parties: [
        { 'partyid_contact@odata.bind': `/contacts(${OFFER_ID})`, participationtypemask: 2 },
      ],
    };
    // @ts-expect-error an email's regarding navigation carries the activity: regardingobjectid_contact_email
    const unnamed: emailWrite = { 'regardingobjectid_contact@odata.bind': `/contacts(${OFFER_ID})` };
    expect([writes.length, reasons.length, Object.keys(activity), Object.keys(unnamed)]).toEqual([
      3,
      3,
      ['regardingobjectid_contact_email@odata.bind', 'email_activity_parties'],
      ['regardingobjectid_contact@odata.bind'],
    ]);
  });
});
