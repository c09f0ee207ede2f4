/**
 * Lifecycle only: reads the card once per record (three FetchXML requests: the contact with its
 * profiles and exclusion lists, its interactions for the explanations and the offers, its offer
 * scores) and renders InterestProfileView.
 */
import * as React from 'react';
import { type Theme } from '@fluentui/react-components';
import { contact } from '../../dataverse/generated/contact';
import { idr_interaction } from '../../dataverse/generated/idr_interaction';
import { idr_offerscore } from '../../dataverse/generated/idr_offerscore';
import { isoDay, localeOf } from '../shared/format';
import { cardFetchXml, interactionsFetchXml, toCard } from './card';
import { type CardState, InterestProfileView } from './components/InterestProfileView';
import { type RecordOffer } from './components/NextBestOffers';
import { offerScoresFetchXml, presentedInteraction, toOfferSection } from './offers';
import { type IInputs, type IOutputs } from './generated/ManifestTypes';
import { interestProfileStrings } from './strings';

export class InterestProfile implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private state: CardState = { status: 'loading' };
  private contactId = '';

  public init(context: ComponentFramework.Context<IInputs>): void {
    this.load(context);
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    // After the first save the form hands over the new record's id: read its card then.
    if (this.recordId(context) !== this.contactId) this.load(context);
    return React.createElement(InterestProfileView, {
      state: this.state,
      strings: interestProfileStrings((key) => context.resources.getString(key)),
      locale: localeOf(context.userSettings.languageId),
      ...(context.fluentDesignLanguage ? { theme: context.fluentDesignLanguage.tokenTheme as Theme } : {}),
      onRecordOffer: this.recordOffer(context),
    });
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    this.contactId = '';
  }

  /** One click: an "Offer presented" interaction with the answer, which the next retraining learns from. */
  private recordOffer(context: ComponentFramework.Context<IInputs>): RecordOffer {
    return async (ranked, outcome) => {
      await context.webAPI.createRecord(
        idr_interaction.logicalName,
        presentedInteraction(this.contactId, ranked.offer, outcome, Date.now()),
      );
    };
  }

  private recordId(context: ComponentFramework.Context<IInputs>): string {
    const info = (context.mode as unknown as { contextInfo?: { entityId?: string } }).contextInfo;
    return (info?.entityId ?? '').replace(/[{}]/g, '').toLowerCase();
  }

  private load(context: ComponentFramework.Context<IInputs>): void {
    const id = this.recordId(context);
    this.contactId = id;
    if (id === '') {
      this.state = { status: 'new' };
      return;
    }
    this.state = { status: 'loading' };
    const now = Date.now();
    Promise.all([
      context.webAPI.retrieveMultipleRecords(
        contact.logicalName,
        `?fetchXml=${encodeURIComponent(cardFetchXml(id))}`,
      ),
      context.webAPI.retrieveMultipleRecords(
        idr_interaction.logicalName,
        `?fetchXml=${encodeURIComponent(interactionsFetchXml(id))}`,
      ),
      context.webAPI.retrieveMultipleRecords(
        idr_offerscore.logicalName,
        `?fetchXml=${encodeURIComponent(offerScoresFetchXml(id))}`,
      ),
    ]).then(
      ([card, interactions, scores]) => {
        if (this.contactId !== id) return;
        const interestCard = toCard(card.entities, interactions.entities, now);
        // the adviser's calendar day in their Dataverse time zone: validity dates are whole days there
        const today = isoDay(now + context.userSettings.getTimeZoneOffsetMinutes(new Date(now)) * 60_000);
        this.state = {
          status: 'ready',
          card: interestCard,
          offers: toOfferSection(
            card.entities,
            scores.entities,
            interactions.entities,
            interestCard,
            now,
            today,
          ),
        };
        context.factory.requestRender();
      },
      (error: unknown) => {
        if (this.contactId !== id) return;
        this.state = { status: 'error', message: error instanceof Error ? error.message : String(error) };
        context.factory.requestRender();
      },
    );
  }
}
