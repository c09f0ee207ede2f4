/** @jest-environment jsdom */
import * as React from 'react';
import { join } from 'node:path';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { RankedOffer } from '../../../domain/offer/nextbest';
import type { OfferOutcome } from '../../../domain/offer/types';
import { readResx } from '../../shared/resx.testkit';
import { toCard } from '../card';
import { cardRows, interactionRows, NOW, onLists, ROBINSON_LIST_ID } from '../card.testkit';
import { toOfferSection } from '../offers';
import { scoreRows, TODAY } from '../offers.testkit';
import { interestProfileStrings } from '../strings';
import { InterestProfileView } from './InterestProfileView';

const stringsOf = (lcid: number) => {
  const resx = readResx(join(__dirname, `../strings/InterestProfile.${lcid}.resx`));
  return interestProfileStrings((key) => resx[key] ?? key);
};
const card = toCard(cardRows(), interactionRows(), NOW);
const offers = toOfferSection(cardRows(), scoreRows(), [], card, NOW, TODAY);

describe('the next-best offers on the contact card', () => {
  it('lists the offers with their likelihood, sales arguments and why', () => {
    render(
      <InterestProfileView
        state={{ status: 'ready', card, offers }}
        strings={stringsOf(1033)}
        locale="en-US"
      />,
    );
    const section = screen.getByRole('region', { name: 'Next-best offers' });
    const items = within(section).getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('aria-label'))).toEqual([
      'Zero trust audit',
      'Cloud migration plan',
    ]);
    const audit = within(section).getByRole('listitem', { name: 'Zero trust audit' });
    expect(within(audit).getByText('40% likely to buy · expected value 320')).toBeTruthy();
    expect(within(audit).getByText('Find the gaps before an attacker does.')).toBeTruthy();
    expect(
      within(audit).getByText('Why: interest in Zero trust security (37.0), Cloud migration (10.0)'),
    ).toBeTruthy();
    // without a way to record, no buttons are offered
    expect(within(audit).queryByRole('button')).toBeNull();
  });

  it('speaks Spanish to a Spanish user, arguments included', () => {
    render(
      <InterestProfileView
        state={{ status: 'ready', card, offers }}
        strings={stringsOf(3082)}
        locale="es-ES"
      />,
    );
    const section = screen.getByRole('region', { name: 'Mejores ofertas' });
    expect(within(section).getByText('Encuentre las brechas antes que un atacante.')).toBeTruthy();
    expect(within(section).getByText('40% de probabilidad de compra · valor esperado 320')).toBeTruthy();
  });

  it('records the answer in one click and says so', async () => {
    const recorded: [string, OfferOutcome][] = [];
    const onRecordOffer = (ranked: RankedOffer, outcome: OfferOutcome) => {
      recorded.push([ranked.offer.name, outcome]);
      return Promise.resolve();
    };
    render(
      <InterestProfileView
        state={{ status: 'ready', card, offers }}
        strings={stringsOf(1033)}
        locale="en-US"
        onRecordOffer={onRecordOffer}
      />,
    );
    const audit = screen.getByRole('listitem', { name: 'Zero trust audit' });
    await act(async () => {
      fireEvent.click(within(audit).getByRole('button', { name: 'Accepted' }));
      await Promise.resolve();
    });
    expect(recorded).toEqual([['Zero trust audit', 'accepted']]);
    expect(within(audit).getByRole('status').textContent).toBe('Recorded: Accepted');
    expect(within(audit).getByRole<HTMLButtonElement>('button', { name: 'Declined' }).disabled).toBe(true);
  });

  it('says why an answer could not be recorded', async () => {
    render(
      <InterestProfileView
        state={{ status: 'ready', card, offers }}
        strings={stringsOf(1033)}
        locale="en-US"
        onRecordOffer={() => Promise.reject(new Error('Access denied'))}
      />,
    );
    const migration = screen.getByRole('listitem', { name: 'Cloud migration plan' });
    await act(async () => {
      fireEvent.click(within(migration).getByRole('button', { name: 'Later' }));
      await Promise.resolve();
    });
    expect(within(migration).getByRole('alert').textContent).toBe(
      'The answer could not be recorded: Access denied',
    );
  });

  it('says why a Robinson list member gets no offer, in English and in Spanish', () => {
    const rows = onLists(cardRows(), [{ id: ROBINSON_LIST_ID, exclusion: true }]);
    const robinson = toCard(rows, interactionRows(), NOW);
    const withheld = toOfferSection(rows, scoreRows(), [], robinson, NOW, TODAY);
    const { unmount } = render(
      <InterestProfileView
        state={{ status: 'ready', card: robinson, offers: withheld }}
        strings={stringsOf(1033)}
        locale="en-US"
        onRecordOffer={() => Promise.resolve()}
      />,
    );
    const section = screen.getByRole('region', { name: 'Next-best offers' });
    expect(
      within(section).getByText('On a do-not-contact (Robinson) list: no offers to present.'),
    ).toBeTruthy();
    // nothing to present, so nothing to record
    expect(within(section).queryByRole('listitem')).toBeNull();
    expect(within(section).queryByRole('button')).toBeNull();
    unmount();

    render(
      <InterestProfileView
        state={{ status: 'ready', card: robinson, offers: withheld }}
        strings={stringsOf(3082)}
        locale="es-ES"
      />,
    );
    const spanish = screen.getByRole('region', { name: 'Mejores ofertas' });
    expect(
      within(spanish).getByText('En una lista de exclusión (Robinson): sin ofertas que presentar.'),
    ).toBeTruthy();
  });

  it('says why a contact who does not allow phone calls gets no offer on the call', () => {
    const rows = cardRows({ donotphone: true });
    const noCalls = toCard(rows, interactionRows(), NOW);
    render(
      <InterestProfileView
        state={{
          status: 'ready',
          card: noCalls,
          offers: toOfferSection(rows, scoreRows(), [], noCalls, NOW, TODAY),
        }}
        strings={stringsOf(3082)}
        locale="es-ES"
      />,
    );
    const section = screen.getByRole('region', { name: 'Mejores ofertas' });
    expect(
      within(section).getByText('No permite llamadas: sin ofertas que presentar en esta llamada.'),
    ).toBeTruthy();
    expect(within(section).queryByText('Zero trust audit')).toBeNull();
  });

  it('explains an empty list', () => {
    render(
      <InterestProfileView
        state={{ status: 'ready', card, offers: { offers: [] } }}
        strings={stringsOf(1033)}
        locale="en-US"
      />,
    );
    expect(screen.getByText(/No current offer for this contact/)).toBeTruthy();
  });
});
