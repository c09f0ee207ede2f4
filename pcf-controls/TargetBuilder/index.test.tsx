/** @jest-environment jsdom */
import { join } from 'node:path';
import { fireEvent, render, screen } from '@testing-library/react';
import { contact, idr_marketingconcept, idr_offer, idr_offerscore } from '../../dataverse/generated';
import { parseTargetFetchXml, targetFetchXml } from '../../dataverse/queries/target';
import {
  createPcfContext,
  MockWebApiError,
  mockProperty,
  type PcfWebApiCall,
} from '../../tools/harness/pcf-context';
import { readResx } from '../shared/resx.testkit';
import { TargetBuilder } from './index';

const CLOUD = '6f1c0c3e-1d2a-4c5b-9e8f-0a1b2c3d4e5f';
const SEC = '7a2d1d4f-2e3b-4d6c-8f90-1b2c3d4e5f60';
const M = idr_marketingconcept.columns;
const CONCEPT_ROWS = [
  { [M.idr_marketingconceptid]: CLOUD, [M.idr_name]: 'Cloud migration', [M.idr_halflifedays]: 10 },
  { [M.idr_marketingconceptid]: SEC, [M.idr_name]: 'Zero trust security', [M.idr_halflifedays]: 90 },
];
const HALF_LIVES = new Map([
  [CLOUD, 10],
  [SEC, 90],
]);

const OFFER = '0b3e7c1a-5d2f-4e8a-9c61-7f20d4a8b3e9';
const OFFER_ROWS = [
  { [idr_offer.columns.idr_offerid]: OFFER, [idr_offer.columns.idr_name]: 'Cloud migration plan' },
];

const countFetchXml = (call: PcfWebApiCall) =>
  decodeURIComponent((call.options ?? '').replace('?fetchXml=', ''));

/** Mounts the control on a marketing list's query column as the form does; counts answer `count`. */
function mount(
  query: string | null,
  count: (call: PcfWebApiCall) => number = () => 7,
  nth: (call: PcfWebApiCall) => Record<string, unknown>[] = () => [],
) {
  const rendered: { current?: () => void } = {};
  const outputs: (string | undefined)[] = [];
  const { context, webApiCalls } = createPcfContext({
    parameters: { query: mockProperty(query) as ComponentFramework.PropertyTypes.StringProperty },
    webApi: (call) => {
      if (call.entityType === idr_marketingconcept.logicalName) return CONCEPT_ROWS;
      if (call.entityType === contact.logicalName) return [{ count: count(call) }];
      if (call.entityType === idr_offer.logicalName) return OFFER_ROWS;
      if (call.entityType === idr_offerscore.logicalName) return nth(call);
      return [];
    },
    strings: readResx(join(__dirname, 'strings/TargetBuilder.1033.resx')),
    members: { factory: { requestRender: () => rendered.current?.() } },
  });
  const control = new TargetBuilder();
  control.init(context, () => outputs.push(control.getOutputs().query));
  const view = render(control.updateView(context));
  rendered.current = () => view.rerender(control.updateView(context));
  const counts = () => webApiCalls.filter((c) => c.entityType === contact.logicalName);
  const ranks = () => webApiCalls.filter((c) => c.entityType === idr_offerscore.logicalName);
  return { control, outputs, counts, ranks };
}

describe('TargetBuilder lifecycle', () => {
  it('writes the query the marketer builds to the list, and counts it once typing pauses', async () => {
    const { outputs, counts } = mount(null);
    fireEvent.click(await screen.findByRole('button', { name: 'Add a concept' }));
    fireEvent.change(screen.getByLabelText('Concept 1'), { target: { value: SEC } });
    fireEvent.change(screen.getByLabelText('Minimum score today for concept 1'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Minimum score today for concept 1'), { target: { value: '12' } });
    fireEvent.change(screen.getByLabelText('Not contacted in the last (days)'), { target: { value: '14' } });
    expect(await screen.findByText('7 contacts match today')).toBeTruthy();
    // Four edits, one count: the one for what the form now shows.
    expect(counts()).toHaveLength(1);
    expect(countFetchXml(counts()[0])).toContain("aggregate='true'");
    const written = outputs[outputs.length - 1] ?? '';
    expect(parseTargetFetchXml(written, HALF_LIVES)).toEqual({
      concepts: [{ conceptId: SEC, minScore: 12, halfLifeDays: 90 }],
      tiers: [],
      primaryInterestIds: [],
      segmentConceptIds: [],
      notContactedDays: 14,
    });
  });

  it('shows a list built before with its conditions and count, and writes nothing until edited', async () => {
    const saved = targetFetchXml(
      {
        concepts: [{ conceptId: CLOUD, minScore: 40, halfLifeDays: 10 }],
        tiers: ['mostValuable'],
        primaryInterestIds: [],
        segmentConceptIds: [SEC],
      },
      Date.UTC(2026, 11, 1),
    );
    const { control, outputs, counts } = mount(saved, () => 3);
    expect(await screen.findByText('3 contacts match today')).toBeTruthy();
    expect(screen.getByLabelText<HTMLSelectElement>('Concept 1').value).toBe(CLOUD);
    expect(screen.getByLabelText<HTMLInputElement>('Minimum score today for concept 1').value).toBe('40');
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Most valuable' }).checked).toBe(true);
    expect(outputs).toEqual([]);
    expect(control.getOutputs()).toEqual({});
    expect(counts()).toHaveLength(1);
  });

  it('writes the same query from the pickers as for the same choices before', async () => {
    const { outputs } = mount(null);
    const primary = await screen.findByRole('combobox', { name: 'Primary interest (any of)' });
    fireEvent.click(primary);
    fireEvent.change(primary, { target: { value: 'zero' } });
    fireEvent.click(await screen.findByRole('menuitemcheckbox', { name: 'Zero trust security' }));
    const segments = screen.getByRole('combobox', { name: 'In the segment of (any of)' });
    fireEvent.click(segments);
    fireEvent.click(await screen.findByRole('menuitemcheckbox', { name: 'Cloud migration' }));
    fireEvent.click(await screen.findByRole('menuitemcheckbox', { name: 'Zero trust security' }));
    expect(outputs[outputs.length - 1]).toBe(
      targetFetchXml(
        { concepts: [], tiers: [], primaryInterestIds: [SEC], segmentConceptIds: [CLOUD, SEC] },
        Date.now(),
      ),
    );
    expect(await screen.findByText('7 contacts match today')).toBeTruthy();
  });

  it('keeps a query written elsewhere: shown read-only, never counted or rewritten', async () => {
    const foreign = "<fetch><entity name='contact'><attribute name='fullname' /></entity></fetch>";
    const { control, outputs, counts } = mount(foreign);
    expect(await screen.findByText(/was not written by the Target Builder/)).toBeTruthy();
    expect(control.getOutputs()).toEqual({});
    expect(outputs).toEqual([]);
    expect(counts()).toEqual([]);
  });

  it('says why the count failed', async () => {
    const { counts } = mount(null, () => {
      throw new MockWebApiError('Principal user is missing prvReadContact privilege.', 0x80040220);
    });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Below zero' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The contacts could not be counted: Principal user is missing prvReadContact privilege.',
    );
    expect(counts()).toHaveLength(1);
  });

  it('shows "50,000+" where Dataverse refuses to count more than 50,000 contacts, as views show "5000+"', async () => {
    // As Dataverse answers an aggregate over 50,000 rows (the emulator's AggregateLimitError).
    const refuse = () => {
      throw new MockWebApiError(
        'AggregateQueryRecordLimit exceeded. Cannot perform this operation.',
        0x8004e023,
      );
    };
    mount(null, refuse);
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Below zero' }));
    expect((await screen.findByText('50,000+ contacts match today')).closest('[role="status"]')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("keeps about the N most likely: reads the N-th one's propensity, writes it as the minimum, counts", async () => {
    const { outputs, counts, ranks } = mount(
      null,
      () => 2003,
      () => [{ [idr_offerscore.columns.idr_propensity]: 0.4375 }],
    );
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Most valuable' }));
    fireEvent.change(await screen.findByLabelText('Offer'), { target: { value: OFFER } });
    // An offer alone is not a condition yet: the builder asks for a number or a minimum.
    expect(
      screen.getByText(/Most likely to buy: enter how many to keep, or a minimum propensity/),
    ).toBeTruthy();
    expect(screen.queryByText(/The list keeps a minimum propensity/)).toBeNull();
    fireEvent.change(screen.getByLabelText('Keep about the … most likely'), { target: { value: '2000' } });
    expect(await screen.findByText('2,003 contacts match today')).toBeTruthy();
    expect(
      screen.getByText(
        /The 2,000 most likely reach down to a propensity of 0\.438: .*a little more than 2,000/,
      ),
    ).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Minimum propensity (0 to 1)').value).toBe('0.4375');
    // One read of the 2,000th, paged (never `top`), then the count of the query written with it.
    expect(ranks()).toHaveLength(1);
    const nth = countFetchXml(ranks()[0]);
    expect(nth).toContain("count='1' page='2000'");
    expect(nth).not.toContain('top=');
    const written = outputs[outputs.length - 1] ?? '';
    expect(parseTargetFetchXml(written, HALF_LIVES)).toEqual({
      concepts: [],
      tiers: ['mostValuable'],
      primaryInterestIds: [],
      segmentConceptIds: [],
      offer: { offerId: OFFER, minPropensity: 0.4375 },
    });
    const lastCount = countFetchXml(counts()[counts().length - 1]);
    expect(lastCount).toContain(`'${idr_offerscore.columns.idr_propensity}' operator='ge' value='0.4375'`);
  });

  it("shows a saved list's offer and minimum propensity, editable, in the user's decimal format", async () => {
    const saved = targetFetchXml(
      {
        concepts: [],
        tiers: ['maintain'],
        primaryInterestIds: [],
        segmentConceptIds: [],
        offer: { offerId: OFFER, minPropensity: 0.25 },
      },
      Date.UTC(2026, 11, 1),
    );
    const { outputs, ranks } = mount(saved, () => 40);
    expect(await screen.findByText('40 contacts match today')).toBeTruthy();
    expect((await screen.findByLabelText<HTMLSelectElement>('Offer')).value).toBe(OFFER);
    const minimum = screen.getByLabelText<HTMLInputElement>('Minimum propensity (0 to 1)');
    expect(minimum.value).toBe('0.25');
    expect(screen.getByText(/The list keeps a minimum propensity, not a number/)).toBeTruthy();
    fireEvent.change(minimum, { target: { value: '0.3' } });
    expect(parseTargetFetchXml(outputs[outputs.length - 1] ?? '', HALF_LIVES)?.offer).toEqual({
      offerId: OFFER,
      minPropensity: 0.3,
    });
    expect(ranks()).toEqual([]);
  });

  it('shows the offer of a saved list as no longer active once it is retired, and keeps its condition', async () => {
    const retired = '1c4f8d2b-6e3a-4f9b-8d72-8a31e5b9c4fa';
    const saved = targetFetchXml(
      {
        concepts: [],
        tiers: [],
        primaryInterestIds: [],
        segmentConceptIds: [],
        offer: { offerId: retired, minPropensity: 0.5 },
      },
      Date.UTC(2026, 11, 1),
    );
    const { control } = mount(saved, () => 12);
    expect(await screen.findByText('12 contacts match today')).toBeTruthy();
    const offerPicker = await screen.findByLabelText<HTMLSelectElement>('Offer');
    expect(offerPicker.value).toBe(retired);
    expect(offerPicker.selectedOptions[0]?.textContent).toBe('(an offer no longer active)');
    expect(control.getOutputs()).toEqual({});
  });
});
