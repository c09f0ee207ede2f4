/** @jest-environment jsdom */
import { join } from 'node:path';
import { render, screen, within } from '@testing-library/react';
import { QuotationPhase } from '../../dataverse/generated/choices';
import { idr_quotationaction } from '../../dataverse/generated/idr_quotationaction';
import { idr_quotationpolicy } from '../../dataverse/generated/idr_quotationpolicy';
import * as H from '../../dataverse/generated/names/idr_phasehistory';
import { createPcfContext, mockProperty, type PcfWebApiCall } from '../../tools/harness/pcf-context';
import { readResx } from '../shared/resx.testkit';
import { type IInputs } from './generated/ManifestTypes';
import { QuotationTimeline } from './index';

const POLICY_ID = '5a0e3b9f-599a-4cbb-bc5a-37874db0a234';
const P = idr_quotationpolicy.columns;

// Far enough ahead that every follow-up is still to come, whatever day the test runs.
function inputs(policy: ComponentFramework.LookupValue[] | null): IInputs {
  const date = (month: number, day: number) => mockProperty<Date>(new Date(2030, month - 1, day));
  const empty = mockProperty<Date>(null);
  return {
    phase: mockProperty<number>(QuotationPhase.QuotationSent),
    quoteSentOn: date(3, 1),
    confirmedOn: empty,
    arrival: date(6, 1),
    departure: date(6, 5),
    depositDueOn: empty,
    depositReceivedOn: empty,
    roomingListDueOn: empty,
    roomingListReceivedOn: empty,
    optionExpiresOn: empty,
    policy: mockProperty(policy),
  } as unknown as IInputs;
}

function answer(call: PcfWebApiCall): ComponentFramework.WebApi.Entity[] {
  if (call.entityType === idr_quotationaction.logicalName) return [];
  if (call.entityType === H.logicalName)
    return [
      {
        [H.idr_fromphase]: QuotationPhase.Request,
        [H.idr_tophase]: QuotationPhase.QuotationSent,
        [H.idr_changedon]: '2030-03-01T10:00:00Z',
        [H.idr_changedby]: 'Marta Gil (5a0e3b9f-599a-4cbb-bc5a-37874db0a235)',
      },
    ];
  if (call.operation === 'retrieveRecord')
    return [{ [P.idr_name]: 'Hotel Sol', [P.idr_optiondays]: 30, [P.idr_confirmationchaserdays]: 3 }];
  return [{ [P.idr_name]: 'Default', [P.idr_optiondays]: 20 }];
}

async function followUps(): Promise<string[]> {
  const list = await screen.findByRole('list', { name: 'Follow-ups' });
  return within(list)
    .getAllByRole('listitem')
    .map((i) => i.textContent ?? '');
}

describe('QuotationTimeline lifecycle', () => {
  it("reads the quotation's policy through the Web API, and the default policy once the lookup is cleared", async () => {
    const strings = readResx(join(__dirname, 'strings/QuotationTimeline.1033.resx'));
    const own = createPcfContext({
      parameters: inputs([
        { id: `{${POLICY_ID.toUpperCase()}}`, entityType: idr_quotationpolicy.logicalName },
      ]),
      webApi: answer,
      strings,
      entityId: 'c0000000-0000-0000-0000-000000000001',
    });
    const control = new QuotationTimeline();
    control.init(own.context);
    const view = render(control.updateView(own.context));
    expect(await followUps()).toEqual(
      expect.arrayContaining([
        'Confirmation chaser to the agent: due Mar 4, 2030',
        'Option expires: release or extend the rooms: due Mar 31, 2030',
      ]),
    );
    // The phase changes the server recorded for this quotation, with who made them.
    const changes = await screen.findByRole('list', { name: 'Phase changes' });
    expect(within(changes).getByRole('listitem').textContent).toMatch(
      /^Request → Quotation sent · .+ · by Marta Gil$/,
    );
    expect(own.webApiCalls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: 'retrieveMultipleRecords',
          entityType: H.logicalName,
          options: expect.stringContaining('c0000000-0000-0000-0000-000000000001') as unknown,
        }),
        expect.objectContaining({
          operation: 'retrieveRecord',
          entityType: idr_quotationpolicy.logicalName,
          id: POLICY_ID,
        }),
      ]),
    );

    const cleared = createPcfContext({ parameters: inputs(null), webApi: answer, strings });
    view.rerender(control.updateView(cleared.context));
    expect(
      await screen.findByText('Option expires: release or extend the rooms: due Mar 21, 2030'),
    ).toBeTruthy();
    expect(cleared.webApiCalls).toEqual([
      expect.objectContaining({
        operation: 'retrieveMultipleRecords',
        entityType: idr_quotationpolicy.logicalName,
        options: expect.stringContaining(`${P.idr_isdefault} eq true`) as unknown,
      }),
    ]);
  });
});
