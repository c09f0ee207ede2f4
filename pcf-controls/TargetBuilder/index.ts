/**
 * Lifecycle only: reads the active concepts and offers, shows the list's query as conditions
 * (builder.ts), hands the FetchXML the marketer builds to the bound `query` column and counts its
 * contacts, debounced; "the N most likely" first reads the N-th one's propensity, the list's threshold.
 */
import * as React from 'react';
import { type Theme } from '@fluentui/react-components';
import * as concept from '../../dataverse/generated/names/idr_marketingconcept';
import * as contact from '../../dataverse/generated/names/contact';
import * as offerscore from '../../dataverse/generated/names/idr_offerscore';
import * as offer from '../../dataverse/generated/names/idr_offer';
import { countOf, nthPropensityOf } from '../../dataverse/queries/target';
import { decimalSymbolOf, localeOf } from '../shared/format';
import {
  type BuilderState,
  CONCEPTS_QUERY,
  COUNT_DELAY_MS,
  type ConceptOption,
  countRequest,
  EMPTY_STATE,
  hasConditions,
  isAggregateLimit,
  mostLikelyCount,
  nthPropensityRequest,
  OFFERS_QUERY,
  type Problem,
  propensityText,
  queryText,
  readStoredQuery,
  toConcepts,
  toOffers,
  toQuery,
} from './builder';
import {
  type ConceptsState,
  type CountState,
  type OffersState,
  type RankState,
  TargetBuilderView,
} from './components/TargetBuilderView';
import { type IInputs, type IOutputs } from './generated/ManifestTypes';
import { targetBuilderStrings } from './strings';

const messageOf = (error: unknown): string =>
  error instanceof Error
    ? error.message
    : typeof error === 'object' && error !== null && 'message' in error
      ? String(error.message)
      : String(error);

export class TargetBuilder implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private context!: ComponentFramework.Context<IInputs>;
  private notifyOutputChanged!: () => void;
  private concepts: ConceptsState = { status: 'loading' };
  private state: BuilderState = EMPTY_STATE;
  private problems: readonly Problem[] = [];
  private count: CountState = { status: 'idle' };
  private offers: OffersState = { status: 'loading' };
  private rank: RankState = { status: 'idle' };
  private unreadable: string | undefined;
  /**
   * The column's value as last handed over: a value that differs from it and from ours is another
   * change (a refresh, another tab) to show; the same value again is the host not having applied ours yet.
   */
  private lastRaw: string | null = null;
  private output: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Only the latest count request's answer is shown. */
  private countRequests = 0;

  public init(context: ComponentFramework.Context<IInputs>, notifyOutputChanged: () => void): void {
    this.context = context;
    this.notifyOutputChanged = notifyOutputChanged;
    this.lastRaw = context.parameters.query.raw;
    context.webAPI.retrieveMultipleRecords(concept.logicalName, CONCEPTS_QUERY).then(
      (result) => {
        this.concepts = { status: 'ready', concepts: toConcepts(result.entities) };
        this.readStored(this.lastRaw);
        this.context.factory.requestRender();
      },
      (error: unknown) => {
        this.concepts = { status: 'error', message: messageOf(error) };
        this.context.factory.requestRender();
      },
    );
    context.webAPI.retrieveMultipleRecords(offer.logicalName, OFFERS_QUERY).then(
      (result) => {
        this.offers = { status: 'ready', offers: toOffers(result.entities) };
        this.context.factory.requestRender();
      },
      (error: unknown) => {
        this.offers = { status: 'error', message: messageOf(error) };
        this.context.factory.requestRender();
      },
    );
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    this.context = context;
    const raw = context.parameters.query.raw;
    if (raw !== this.lastRaw) {
      this.lastRaw = raw;
      // Before the concepts arrive there is nothing to show: their load reads lastRaw.
      if (this.concepts.status === 'ready' && raw !== this.output) this.readStored(raw);
    }
    return React.createElement(TargetBuilderView, {
      concepts: this.concepts,
      state: this.state,
      problems: this.problems,
      count: this.count,
      offers: this.offers,
      rank: this.rank,
      ...(this.unreadable !== undefined ? { unreadable: this.unreadable } : {}),
      disabled: context.mode.isControlDisabled,
      strings: targetBuilderStrings((key) => context.resources.getString(key)),
      locale: localeOf(context.userSettings.languageId),
      ...(context.fluentDesignLanguage ? { theme: context.fluentDesignLanguage.tokenTheme as Theme } : {}),
      onChange: (state) => this.change(state),
      onReplaceUnreadable: () => {
        this.unreadable = undefined;
        this.change(EMPTY_STATE);
      },
    });
  }

  public getOutputs(): IOutputs {
    return this.output === undefined ? {} : { query: this.output };
  }

  public destroy(): void {
    clearTimeout(this.timer);
    this.countRequests += 1;
  }

  private conceptOptions(): readonly ConceptOption[] {
    return this.concepts.status === 'ready' ? this.concepts.concepts : [];
  }

  private readStored(raw: string | null): void {
    const stored = readStoredQuery(raw, this.conceptOptions(), this.decimalSymbol());
    this.problems = [];
    this.unreadable = stored.kind === 'unreadable' ? stored.fetchXml : undefined;
    this.state = stored.kind === 'target' ? stored.state : EMPTY_STATE;
    this.rank = this.minimumOnly(this.state);
    this.scheduleCount(stored.kind === 'target' ? 0 : null);
  }

  /** An offer's minimum propensity with no N behind it (saved, or typed) says so; nothing otherwise. */
  private minimumOnly(state: BuilderState): RankState {
    return state.offerId !== '' && state.minPropensity.trim() !== ''
      ? { status: 'saved' }
      : { status: 'idle' };
  }

  private decimalSymbol(): string {
    return decimalSymbolOf(localeOf(this.context.userSettings.languageId));
  }

  private change(edited: BuilderState): void {
    let state = edited;
    if (state.minPropensity !== this.state.minPropensity) {
      // A typed minimum is no longer "the N most likely".
      state = { ...state, keepMostLikely: '' };
      this.rank = this.minimumOnly(state);
    } else if (mostLikelyCount(state) !== null) {
      // Any other change moves the N-th most likely: its propensity is read again before writing.
      state = { ...state, minPropensity: '' };
      this.rank = { status: 'ranking' };
    } else this.rank = this.minimumOnly(state);
    this.state = state;
    const mapped = toQuery(state, this.conceptOptions());
    this.problems = mapped.ok ? [] : mapped.problems;
    if (this.rank.status === 'ranking') {
      if (mapped.ok) this.scheduleRank();
      else {
        this.rank = { status: 'idle' };
        this.scheduleCount(null);
        this.count = { status: 'invalid' };
      }
    } else if (mapped.ok && hasConditions(mapped.query)) {
      this.output = queryText(mapped.query, Date.now());
      this.notifyOutputChanged();
      this.scheduleCount(COUNT_DELAY_MS);
    } else {
      this.scheduleCount(null);
      this.count = mapped.ok ? { status: 'idle' } : { status: 'invalid' };
    }
    this.context.factory.requestRender();
  }

  /** Reads the N-th most likely contact's propensity after a pause, writes it as the minimum, then counts. */
  private scheduleRank(): void {
    clearTimeout(this.timer);
    const request = ++this.countRequests;
    this.count = { status: 'counting' };
    this.timer = setTimeout(() => {
      const n = mostLikelyCount(this.state);
      const options = nthPropensityRequest(this.state, this.conceptOptions(), Date.now());
      if (n === null || options === null) return;
      this.context.webAPI.retrieveMultipleRecords(offerscore.logicalName, options).then(
        (result) => {
          if (request !== this.countRequests) return;
          const propensity = nthPropensityOf(result.entities);
          // Fewer than N scored: every contact with a score for the offer is kept.
          const minimum = propensity ?? 0;
          this.state = { ...this.state, minPropensity: propensityText(minimum, this.decimalSymbol()) };
          this.rank = { status: 'ready', n, propensity };
          const mapped = toQuery(this.state, this.conceptOptions());
          if (mapped.ok) {
            this.output = queryText(mapped.query, Date.now());
            this.notifyOutputChanged();
            this.scheduleCount(0);
          }
          this.context.factory.requestRender();
        },
        (error: unknown) => {
          if (request !== this.countRequests) return;
          this.rank = { status: 'error', message: messageOf(error) };
          this.count = { status: 'idle' };
          this.context.factory.requestRender();
        },
      );
    }, COUNT_DELAY_MS);
  }

  /** Counts the current conditions after `delay` ms; null cancels a count not yet asked for. */
  private scheduleCount(delay: number | null): void {
    clearTimeout(this.timer);
    const request = ++this.countRequests;
    if (delay === null) {
      this.count = { status: 'idle' };
      return;
    }
    this.count = { status: 'counting' };
    this.timer = setTimeout(() => {
      const mapped = toQuery(this.state, this.conceptOptions());
      if (!mapped.ok) return;
      this.context.webAPI
        .retrieveMultipleRecords(contact.logicalName, countRequest(mapped.query, Date.now()))
        .then(
          (result) => {
            if (request !== this.countRequests) return;
            this.count = { status: 'ready', count: countOf(result.entities) };
            this.context.factory.requestRender();
          },
          (error: unknown) => {
            if (request !== this.countRequests) return;
            this.count = isAggregateLimit(error)
              ? { status: 'overLimit' }
              : { status: 'error', message: messageOf(error) };
            this.context.factory.requestRender();
          },
        );
    }, delay);
  }
}
