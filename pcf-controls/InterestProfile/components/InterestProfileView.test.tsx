/** @jest-environment jsdom */
import * as React from 'react';
import { join } from 'node:path';
import { render, screen, within } from '@testing-library/react';
import { readResx } from '../../shared/resx.testkit';
import { toCard } from '../card';
import { cardRows, interactionRows, NOW } from '../card.testkit';
import { interestProfileStrings } from '../strings';
import { type CardState, InterestProfileView } from './InterestProfileView';

const english = readResx(join(__dirname, '../strings/InterestProfile.1033.resx'));
const strings = interestProfileStrings((key) => english[key] ?? key);
const show = (state: CardState) =>
  render(<InterestProfileView state={state} strings={strings} locale="en-US" />);

describe('InterestProfileView', () => {
  it('says it is loading', () => {
    show({ status: 'loading' });
    expect(screen.getByText('Loading the interest profile…')).toBeTruthy();
  });

  it('says what failed', () => {
    show({ status: 'error', message: 'Access denied' });
    expect(screen.getByRole('alert').textContent).toBe(
      'The interest profile could not be loaded: Access denied',
    );
  });

  it('explains an empty profile and a new record', () => {
    const { unmount } = show({ status: 'ready', card: toCard([{ fullname: 'Nuevo' }], [], NOW) });
    expect(screen.getByText(/No interest yet/)).toBeTruthy();
    unmount();
    show({ status: 'new' });
    expect(screen.getByText('Save the contact to see its interest profile.')).toBeTruthy();
  });

  it('shows scores as bars, segments, tier, consent and the top interactions in words with dates', () => {
    show({ status: 'ready', card: toCard(cardRows(), interactionRows(), NOW) });
    expect(screen.getByText('Primary interest: Zero trust security')).toBeTruthy();
    expect(screen.getByText('Value tier: Most growable')).toBeTruthy();
    expect(screen.getByText('Segments: Zero trust security')).toBeTruthy();
    const consent = screen.getByRole('list', { name: 'Consent' });
    expect(within(consent).getByText(/Does not accept marketing email/)).toBeTruthy();
    const meters = screen.getAllByRole('meter');
    expect(meters.map((m) => [m.getAttribute('aria-label'), m.getAttribute('aria-valuenow')])).toEqual([
      ['Zero trust security', '37'],
      ['Cloud migration', '10'],
    ]);
    const scores = screen.getByRole('list', { name: 'Interest today by concept' });
    expect(
      within(scores).getByText('Web visit on Nov 25, 2026, rule “Pricing page”: +12.0 points (11.1 today)'),
    ).toBeTruthy();
  });
});
