/**
 * Lifecycle only: reads the active concepts, shows the list's query as conditions (builder.ts), hands
 * the FetchXML the marketer builds to the bound `query` column and counts its contacts, debounced.
 */
import * as React from 'react';
import { type Theme } from '@fluentui/react-components';
import * as concept from '../../dataverse/generated/names/idr_marketingconcept';
import * as contact from '../../dataverse/generated/names/contact';
import { countOf } from '../../dataverse/queries/target';
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
  type Problem,
  queryText,
  readStoredQuery,
  toConcepts,
  toQuery,
} from './builder';
import { type ConceptsState, type CountState, TargetBuilderView } from './components/TargetBuilderView';
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
    const decimal = decimalSymbolOf(localeOf(this.context.userSettings.languageId));
    const stored = readStoredQuery(raw, this.conceptOptions(), decimal);
    this.problems = [];
    this.unreadable = stored.kind === 'unreadable' ? stored.fetchXml : undefined;
    this.state = stored.kind === 'target' ? stored.state : EMPTY_STATE;
    this.scheduleCount(stored.kind === 'target' ? 0 : null);
  }

  private change(state: BuilderState): void {
    this.state = state;
    const mapped = toQuery(state, this.conceptOptions());
    this.problems = mapped.ok ? [] : mapped.problems;
    if (mapped.ok && hasConditions(mapped.query)) {
      this.output = queryText(mapped.query, Date.now());
      this.notifyOutputChanged();
      this.scheduleCount(COUNT_DELAY_MS);
    } else {
      this.scheduleCount(null);
      this.count = mapped.ok ? { status: 'idle' } : { status: 'invalid' };
    }
    this.context.factory.requestRender();
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
