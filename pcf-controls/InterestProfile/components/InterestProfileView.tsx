import * as React from 'react';
import {
  Badge,
  FluentProvider,
  Spinner,
  type Theme,
  tokens,
  webLightTheme,
} from '@fluentui/react-components';
import { ErrorText } from '../../shared/ErrorText';
import { formatDate, formatNumber, formatSigned, formatText } from '../../shared/format';
import { type InterestCard } from '../card';
import { type OfferSection } from '../offers';
import { type InterestProfileStrings } from '../strings';
import { NextBestOffers, type RecordOffer } from './NextBestOffers';

export type CardState =
  | { readonly status: 'new' }
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly card: InterestCard; readonly offers?: OfferSection };

export interface InterestProfileProps {
  readonly state: CardState;
  readonly strings: InterestProfileStrings;
  readonly locale: string;
  readonly theme?: Theme;
  /** Records that an offer was presented and the contact's answer (an "Offer presented" interaction). */
  readonly onRecordOffer?: RecordOffer;
}

function Card({ card, s, locale }: { card: InterestCard; s: InterestProfileStrings; locale: string }) {
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS }}>
      <div>{formatText(s.PrimaryInterest, card.primaryInterest ?? s.None)}</div>
      <div>{formatText(s.ValueTier, card.valueTier ?? s.None)}</div>
      <div>{formatText(s.Segments, card.segments.length > 0 ? card.segments.join(', ') : s.None)}</div>
      <ul aria-label={s.Consent_Label} style={{ margin: 0, paddingInlineStart: tokens.spacingHorizontalL }}>
        <li>{card.doNotBulkEmail ? s.Consent_NoBulk : s.Consent_AllowsBulk}</li>
        {card.doNotEmail && <li>{s.Consent_NoEmail}</li>}
        {card.doNotPhone && <li>{s.Consent_NoPhone}</li>}
      </ul>
      {card.concepts.length === 0 ? (
        <p>{s.Empty}</p>
      ) : (
        <ul aria-label={s.Scores_Label} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {card.concepts.map((concept) => {
            const share = card.max > 0 ? Math.max(0, concept.scoreToday / card.max) : 0;
            return (
              <li key={concept.id} style={{ marginBottom: tokens.spacingVerticalM }}>
                <div
                  style={{ display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS }}
                >
                  <span>
                    <strong>{concept.name}</strong>{' '}
                    {concept.inSegment && (
                      <Badge appearance="filled" color="success" size="small">
                        {s.InSegment}
                      </Badge>
                    )}
                  </span>
                  <span>{formatNumber(concept.scoreToday, locale)}</span>
                </div>
                <div
                  role="meter"
                  aria-label={concept.name}
                  aria-valuemin={0}
                  aria-valuemax={Math.round(card.max * 10) / 10}
                  aria-valuenow={Math.round(concept.scoreToday * 10) / 10}
                  style={{
                    height: 6,
                    background: tokens.colorNeutralBackground5,
                    borderRadius: tokens.borderRadiusSmall,
                  }}
                >
                  <div
                    style={{
                      width: `${Math.round(share * 100)}%`,
                      height: '100%',
                      background: tokens.colorBrandBackground,
                      borderRadius: tokens.borderRadiusSmall,
                    }}
                  />
                </div>
                {concept.contributions.length > 0 && (
                  <ul
                    style={{
                      margin: `${tokens.spacingVerticalXS} 0 0`,
                      color: tokens.colorNeutralForeground2,
                    }}
                  >
                    {concept.contributions.map((c, index) => (
                      <li key={index}>
                        {formatText(
                          s.Contribution,
                          c.event,
                          formatDate(c.occurredOn, locale),
                          c.ruleName,
                          formatSigned(c.points, locale),
                          formatNumber(c.pointsToday, locale),
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** The contact's interest card: loading, error, new record, or the scores with their explanation. */
export function InterestProfileView({
  state,
  strings: s,
  locale,
  theme,
  onRecordOffer,
}: InterestProfileProps): React.ReactElement {
  return (
    <FluentProvider theme={theme ?? webLightTheme}>
      {state.status === 'loading' ? (
        <Spinner size="small" label={s.Loading} />
      ) : state.status === 'error' ? (
        <ErrorText>{formatText(s.Error, state.message)}</ErrorText>
      ) : state.status === 'new' ? (
        <p>{s.NewRecord}</p>
      ) : (
        <>
          {state.offers && (
            <NextBestOffers section={state.offers} strings={s} locale={locale} onRecord={onRecordOffer} />
          )}
          <Card card={state.card} s={s} locale={locale} />
        </>
      )}
    </FluentProvider>
  );
}
