/** @jest-environment jsdom */
import { join } from 'node:path';
import { render, screen, within } from '@testing-library/react';
import { contact } from '../../dataverse/generated/contact';
import { idr_interaction } from '../../dataverse/generated/idr_interaction';
import { idr_offerscore } from '../../dataverse/generated/idr_offerscore';
import { OfferOutcome } from '../../dataverse/generated/choices';
import { createPcfContext, mockProperty, type PcfWebApiCall } from '../../tools/harness/pcf-context';
import { readResx } from '../shared/resx.testkit';
import { cardRows, interactionRows, NOW, onLists, ROBINSON_LIST_ID } from './card.testkit';
import { InterestProfile } from './index';
import { AUDIT_ID, presentedRow, scoreRows } from './offers.testkit';

const CONTACT = 'a0000000-0000-0000-0000-00000000000a';

/**
 * The card's answers by table: the contact with its profiles (and list memberships, from `contactRows`),
 * its interactions, its offer scores.
 */
const answerWith = (contactRows: Record<string, unknown>[]) =>
  function answer(call: PcfWebApiCall): Record<string, unknown>[] {
    if (call.entityType === contact.logicalName) return contactRows;
    // One read brings the interactions that explain scores and those about offers (a declined audit).
    if (call.entityType === idr_interaction.logicalName)
      return [...interactionRows(), presentedRow(AUDIT_ID, OfferOutcome.Declined, 2)];
    if (call.entityType === idr_offerscore.logicalName) return scoreRows();
    return [];
  };

/** Mounts the control on the contact as the form does, re-rendering when it asks to. */
function mount(contactRows: Record<string, unknown>[]) {
  const rendered: { current?: () => void } = {};
  const { context, webApiCalls } = createPcfContext({
    parameters: { field: mockProperty('Ana López') },
    entityId: `{${CONTACT.toUpperCase()}}`,
    webApi: answerWith(contactRows),
    strings: readResx(join(__dirname, 'strings/InterestProfile.1033.resx')),
    members: {
      factory: { requestRender: () => rendered.current?.() },
      userSettings: { getTimeZoneOffsetMinutes: () => 60 },
    },
  });
  const control = new InterestProfile();
  control.init(context);
  const view = render(control.updateView(context));
  rendered.current = () => view.rerender(control.updateView(context));
  return { webApiCalls };
}

const THREE_READS = [contact.logicalName, idr_interaction.logicalName, idr_offerscore.logicalName].sort();

describe('InterestProfile lifecycle', () => {
  // The control's clock is Date.now (the platform's): pin it to the test data's day, timers left real.
  beforeEach(() => {
    jest.useFakeTimers({
      now: NOW,
      doNotFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'setImmediate',
        'queueMicrotask',
        'nextTick',
      ],
    });
  });
  afterEach(() => jest.useRealTimers());

  it('loads the whole card, explanations and next-best offers included, in three Web API reads', async () => {
    const { webApiCalls } = mount(cardRows());
    const scores = await screen.findByRole('list', { name: 'Interest today by concept' });
    expect(within(scores).getByText(/rule “Pricing page”/)).toBeTruthy();
    // The declined audit (from the same interactions read) is not offered again; the migration plan is.
    const offers = screen.getByRole('region', { name: /offer/i });
    expect(within(offers).queryByText('Zero trust audit')).toBeNull();
    expect(within(offers).getByText('Cloud migration plan')).toBeTruthy();
    expect(webApiCalls.map((c) => c.entityType).sort()).toEqual(THREE_READS);
  });

  it('says a Robinson list member gets no offers, from the same three reads', async () => {
    const { webApiCalls } = mount(onLists(cardRows(), [{ id: ROBINSON_LIST_ID, exclusion: true }]));
    await screen.findByRole('list', { name: 'Interest today by concept' });
    const offers = screen.getByRole('region', { name: /offer/i });
    expect(
      within(offers).getByText('On a do-not-contact (Robinson) list: no offers to present.'),
    ).toBeTruthy();
    expect(within(offers).queryByText('Cloud migration plan')).toBeNull();
    expect(webApiCalls.map((c) => c.entityType).sort()).toEqual(THREE_READS);
  });
});
