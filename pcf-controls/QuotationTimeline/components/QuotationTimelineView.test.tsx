/** @jest-environment jsdom */
import * as React from 'react';
import { join } from 'node:path';
import { render, screen, within } from '@testing-library/react';
import { dateOnly } from '../../../domain/quotation/dateonly';
import { type FollowUpQuotation } from '../../../domain/quotation/followups';
import { DEFAULT_POLICY, type QuotationPolicy } from '../../../domain/quotation/policy';
import { readResx } from '../../shared/resx.testkit';
import { type PhaseChangeItem } from '../history';
import { quotationTimelineStrings } from '../strings';
import { QuotationTimelineView } from './QuotationTimelineView';

const english = readResx(join(__dirname, '../strings/QuotationTimeline.1033.resx'));
const strings = quotationTimelineStrings((key) => english[key] ?? key);
const d = (month: number, day: number) => dateOnly(2027, month, day);

const sent: FollowUpQuotation = {
  phase: 'quotationSent',
  quoteSentOn: d(3, 1),
  confirmedOn: null,
  arrival: d(6, 1),
  departure: d(6, 5),
  depositDueOn: null,
  depositReceivedOn: null,
  roomingListReceivedOn: null,
  optionExpiresOn: null,
  agent: 'agent',
  owner: 'owner',
};

function show(
  quotation: FollowUpQuotation,
  loadDone: () => Promise<ReadonlySet<string>>,
  loadPolicy: () => Promise<QuotationPolicy> = () => Promise.resolve(DEFAULT_POLICY),
  // Unless a test is about the phase changes, they stay loading (nothing renders after it ends).
  loadHistory: () => Promise<readonly PhaseChangeItem[]> = () => new Promise(() => undefined),
) {
  return render(
    <QuotationTimelineView
      quotation={quotation}
      loadPolicy={loadPolicy}
      today={d(3, 9)}
      strings={strings}
      locale="en-US"
      timeZone="UTC"
      loadDone={loadDone}
      loadHistory={loadHistory}
    />,
  );
}

describe('QuotationTimelineView', () => {
  it('shows the phases with dates while the follow-ups load', () => {
    show(sent, () => new Promise(() => undefined));
    const steps = within(screen.getByRole('list', { name: 'Quotation phases' })).getAllByRole('listitem');
    expect(steps.map((s) => s.textContent).slice(0, 3)).toEqual([
      '1. Request ✓',
      '2. Quotation sent · Mar 1, 2027',
      '3. Confirmed',
    ]);
    expect(steps[1].getAttribute('aria-current')).toBe('step');
    expect(screen.getByText('Loading the follow-ups…')).toBeTruthy();
  });

  it('lists follow-ups done, overdue in red and the next due', async () => {
    show(sent, () => Promise.resolve(new Set(['quotationEmail'])));
    const list = await screen.findByRole('list', { name: 'Follow-ups' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([
      '✓ Quotation email to the agent: done',
      'Confirmation chaser to the agent: overdue since Mar 8, 2027',
      'Option expires: release or extend the rooms: due Mar 11, 2027',
    ]);
    expect(items[1].getAttribute('data-status')).toBe('overdue');
    expect(screen.getByRole('status').textContent).toBe('1 overdue · Next follow-up due Mar 11, 2027');
  });

  it('says why there is nothing to follow up: a new request, a lost quotation', async () => {
    const { unmount } = show({ ...sent, phase: 'request', quoteSentOn: null }, () =>
      Promise.resolve(new Set()),
    );
    expect(
      await screen.findByText('No follow-ups are planned yet: they start when the quotation is sent.'),
    ).toBeTruthy();
    unmount();
    show({ ...sent, phase: 'lost' }, () => Promise.resolve(new Set()));
    expect(await screen.findByText('This quotation is lost: no follow-ups are planned.')).toBeTruthy();
  });

  it("plans with the quotation's own policy once it is read", async () => {
    let resolvePolicy: (policy: QuotationPolicy) => void = () => undefined;
    show(
      sent,
      () => Promise.resolve(new Set(['quotationEmail'])),
      () => new Promise((resolve) => (resolvePolicy = resolve)),
    );
    expect(screen.getByText('Loading the follow-ups…')).toBeTruthy();
    resolvePolicy({ ...DEFAULT_POLICY, confirmationChaserDays: 3, optionDays: 30 });
    const list = await screen.findByRole('list', { name: 'Follow-ups' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((i) => i.textContent),
    ).toEqual([
      '✓ Quotation email to the agent: done',
      'Confirmation chaser to the agent: overdue since Mar 4, 2027',
      'Option expires: release or extend the rooms: due Mar 31, 2027',
    ]);
  });

  it('says what failed when the policy cannot be used', async () => {
    show(
      sent,
      () => Promise.resolve(new Set()),
      () => Promise.reject(new Error('Quotation policy "Hotel Sol": optionDays is -2')),
    );
    expect((await screen.findByRole('alert')).textContent).toContain('Hotel Sol');
  });

  it('says what failed when the recorded follow-ups cannot be read', async () => {
    show(sent, () => Promise.reject(new Error('Access denied')));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The follow-ups could not be loaded: Access denied',
    );
  });

  it('lists the recorded phase changes, newest first, with when and who', async () => {
    const changes: PhaseChangeItem[] = [
      {
        key: 'b',
        from: 'quotationSent',
        to: 'confirmed',
        on: Date.UTC(2027, 2, 5, 16, 45),
        by: null,
        detail: 'confirmed on 5 March 2027',
      },
      {
        key: 'a',
        from: 'request',
        to: 'quotationSent',
        on: Date.UTC(2027, 2, 1, 9, 30),
        by: 'Marta Gil',
        detail: null,
      },
    ];
    show(
      { ...sent, phase: 'confirmed' },
      () => Promise.resolve(new Set()),
      undefined,
      () => Promise.resolve(changes),
    );
    const list = await screen.findByRole('list', { name: 'Phase changes' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((i) => i.textContent),
    ).toEqual([
      'Quotation sent → Confirmed · Mar 5, 2027, 4:45 PM · by the serverconfirmed on 5 March 2027',
      'Request → Quotation sent · Mar 1, 2027, 9:30 AM · by Marta Gil',
    ]);
  });

  it('says when no phase change is recorded, and what failed when they cannot be read', async () => {
    const { unmount } = show(
      sent,
      () => Promise.resolve(new Set()),
      undefined,
      () => Promise.resolve([]),
    );
    expect(await screen.findByText('No phase change recorded yet.')).toBeTruthy();
    unmount();
    show(
      sent,
      () => Promise.resolve(new Set()),
      undefined,
      () => Promise.reject(new Error('Access denied')),
    );
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The phase changes could not be loaded: Access denied',
    );
  });
});
