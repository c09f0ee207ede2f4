import * as React from 'react';
import { Button, tokens } from '@fluentui/react-components';
import type { RankedOffer, WithheldReason } from '../../../domain/offer/nextbest';
import type { OfferOutcome } from '../../../domain/offer/types';
import { ErrorText } from '../../shared/ErrorText';
import { formatNumber, formatText } from '../../shared/format';
import { type OfferSection } from '../offers';
import { type InterestProfileStrings } from '../strings';

export type RecordOffer = (offer: RankedOffer, outcome: OfferOutcome) => Promise<void>;

type Recording =
  | { readonly status: 'saving' }
  | { readonly status: 'saved'; readonly outcome: OfferOutcome }
  | { readonly status: 'failed'; readonly message: string };

const OUTCOMES: readonly OfferOutcome[] = ['accepted', 'declined', 'later'];

function outcomeLabel(s: InterestProfileStrings, outcome: OfferOutcome): string {
  return outcome === 'accepted'
    ? s.Offer_Accepted
    : outcome === 'declined'
      ? s.Offer_Declined
      : s.Offer_Later;
}

/** What the adviser reads instead of offers, per reason (a new reason fails to compile until it has one). */
const WITHHELD_TEXT: Readonly<Record<WithheldReason, keyof InterestProfileStrings>> = {
  'exclusion-list': 'Offers_OnExclusionList',
  'no-consent': 'Offers_NoPhoneConsent',
};

/** The offers to present on an inbound contact, best expected value first, each recordable in one click. */
export function NextBestOffers({
  section,
  strings: s,
  locale,
  onRecord,
}: {
  section: OfferSection;
  strings: InterestProfileStrings;
  locale: string;
  onRecord?: RecordOffer;
}): React.ReactElement {
  const [recordings, setRecordings] = React.useState<Readonly<Record<string, Recording>>>({});
  const spanish = locale.startsWith('es');
  const record = (ranked: RankedOffer, outcome: OfferOutcome): void => {
    if (!onRecord) return;
    setRecordings((r) => ({ ...r, [ranked.offer.id]: { status: 'saving' } }));
    onRecord(ranked, outcome).then(
      () => setRecordings((r) => ({ ...r, [ranked.offer.id]: { status: 'saved', outcome } })),
      (error: unknown) =>
        setRecordings((r) => ({
          ...r,
          [ranked.offer.id]: {
            status: 'failed',
            message: error instanceof Error ? error.message : String(error),
          },
        })),
    );
  };
  return (
    <section aria-label={s.Offers_Title}>
      <h3 style={{ margin: `${tokens.spacingVerticalS} 0` }}>{s.Offers_Title}</h3>
      {section.withheld ? (
        <p>{s[WITHHELD_TEXT[section.withheld]]}</p>
      ) : section.offers.length === 0 ? (
        <p>{s.Offers_Empty}</p>
      ) : (
        <ol style={{ margin: 0, paddingInlineStart: tokens.spacingHorizontalL }}>
          {section.offers.map((ranked) => {
            const state = recordings[ranked.offer.id];
            const args =
              (spanish ? ranked.offer.argumentsEs : ranked.offer.argumentsEn) || ranked.offer.argumentsEn;
            return (
              <li
                key={ranked.offer.id}
                aria-label={ranked.offer.name}
                style={{ marginBottom: tokens.spacingVerticalM }}
              >
                <strong>{ranked.offer.name}</strong>
                <div>
                  {formatText(
                    s.Offer_Likelihood,
                    formatNumber(ranked.propensity * 100, locale, 0),
                    formatNumber(ranked.expectedValue, locale, 0),
                  )}
                </div>
                {args && <p style={{ margin: `${tokens.spacingVerticalXS} 0` }}>{args}</p>}
                {ranked.why.length > 0 && (
                  <div style={{ color: tokens.colorNeutralForeground2 }}>
                    {formatText(
                      s.Offer_Why,
                      ranked.why.map((w) => `${w.name} (${formatNumber(w.score, locale)})`).join(', '),
                    )}
                  </div>
                )}
                {onRecord && (
                  <div
                    style={{
                      display: 'flex',
                      gap: tokens.spacingHorizontalS,
                      marginTop: tokens.spacingVerticalXS,
                    }}
                  >
                    {OUTCOMES.map((outcome) => (
                      <Button
                        key={outcome}
                        size="small"
                        disabled={state?.status === 'saving' || state?.status === 'saved'}
                        onClick={() => record(ranked, outcome)}
                      >
                        {outcomeLabel(s, outcome)}
                      </Button>
                    ))}
                  </div>
                )}
                {state?.status === 'saved' && (
                  <div role="status">{formatText(s.Offer_Recorded, outcomeLabel(s, state.outcome))}</div>
                )}
                {state?.status === 'failed' && (
                  <ErrorText>{formatText(s.Offer_RecordError, state.message)}</ErrorText>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
