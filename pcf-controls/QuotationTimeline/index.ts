/**
 * Lifecycle only: the form's phase, dates and policy to QuotationTimelineView; updateView runs when they
 * change. The policy row is read through context.webAPI once per idr_policy value.
 */
import * as React from 'react';
import { type Theme } from '@fluentui/react-components';
import { type DateOnly, dateOnlyFromDate } from '../../domain/quotation/dateonly';
import { type FollowUpQuotation } from '../../domain/quotation/followups';
import { type QuotationPolicy } from '../../domain/quotation/policy';
import { idr_quotationaction } from '../../dataverse/generated/idr_quotationaction';
import { idr_quotationpolicy } from '../../dataverse/generated/idr_quotationpolicy';
import * as H from '../../dataverse/generated/names/idr_phasehistory';
import { localeOf } from '../shared/format';
import { QuotationTimelineView } from './components/QuotationTimelineView';
import { type IInputs, type IOutputs } from './generated/ManifestTypes';
import { type PhaseChangeItem, phaseChangesFrom, phaseHistoryOptions } from './history';
import { quotationTimelineStrings } from './strings';
import { defaultPolicyOptions, phaseOf, policyFromRow, policyIdOf, policyOptions } from './timeline';

const A = idr_quotationaction.columns;

// A date-only field hands the control local midnight of the date, as it does to form scripts.
function day(property: ComponentFramework.PropertyTypes.DateTimeProperty): DateOnly | null {
  return property.raw ? dateOnlyFromDate(property.raw, 'local') : null;
}

export class QuotationTimeline implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private readDone!: () => Promise<ReadonlySet<string>>;
  private readHistory!: () => Promise<readonly PhaseChangeItem[]>;
  private loadDone!: () => Promise<ReadonlySet<string>>;
  private loadHistory!: () => Promise<readonly PhaseChangeItem[]>;
  private loadPolicy!: () => Promise<QuotationPolicy>;
  /** The idr_policy value loadPolicy reads; undefined before the first updateView. */
  private policyId: string | null | undefined;
  /** The idr_phase value the recorded follow-ups and phase changes were read for. */
  private readForPhase: number | null | undefined;

  public init(context: ComponentFramework.Context<IInputs>): void {
    const contextInfo = (context.mode as unknown as { contextInfo?: { entityId?: string } }).contextInfo;
    const opportunityId = (contextInfo?.entityId ?? '').replace(/[{}]/g, '');
    this.readDone = async () => {
      if (opportunityId === '') return new Set<string>();
      const result = await context.webAPI.retrieveMultipleRecords(
        idr_quotationaction.logicalName,
        `?$select=${A.idr_key}&$filter=_${A.idr_opportunity}_value eq ${opportunityId}`,
      );
      return new Set(
        result.entities.map((e) => e[A.idr_key] as unknown).filter((k): k is string => typeof k === 'string'),
      );
    };
    this.readHistory = async () => {
      if (opportunityId === '') return [];
      const result = await context.webAPI.retrieveMultipleRecords(
        H.logicalName,
        phaseHistoryOptions(opportunityId),
      );
      return phaseChangesFrom(result.entities);
    };
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    const p = context.parameters;
    // The server moves the phase and records the change and its follow-ups: a new phase on the form
    // (after a save or a refresh) means there is more to read.
    if (p.phase.raw !== this.readForPhase) {
      this.readForPhase = p.phase.raw;
      this.loadDone = () => this.readDone();
      this.loadHistory = () => this.readHistory();
    }
    const policyId = policyIdOf(p.policy.raw);
    if (policyId !== this.policyId) {
      this.policyId = policyId;
      const webAPI = context.webAPI;
      // The quotation's own policy, else the default row, else the built-in defaults: the sweep's choice (PolicySource).
      this.loadPolicy = async () => {
        if (policyId)
          return policyFromRow(
            await webAPI.retrieveRecord(idr_quotationpolicy.logicalName, policyId, policyOptions()),
          );
        const rows = await webAPI.retrieveMultipleRecords(
          idr_quotationpolicy.logicalName,
          defaultPolicyOptions(),
        );
        return policyFromRow(rows.entities[0]);
      };
    }
    const quotation: FollowUpQuotation = {
      phase: phaseOf(p.phase.raw),
      quoteSentOn: day(p.quoteSentOn),
      confirmedOn: day(p.confirmedOn),
      arrival: day(p.arrival),
      departure: day(p.departure),
      depositDueOn: day(p.depositDueOn),
      depositReceivedOn: day(p.depositReceivedOn),
      roomingListDueOn: day(p.roomingListDueOn),
      roomingListReceivedOn: day(p.roomingListReceivedOn),
      optionExpiresOn: day(p.optionExpiresOn),
      // The timeline shows agent-bound actions as planned; the sweep holds them until there is an agent.
      agent: 'agent',
      owner: 'owner',
    };
    return React.createElement(QuotationTimelineView, {
      quotation,
      loadPolicy: this.loadPolicy,
      today: dateOnlyFromDate(new Date(), 'local'),
      strings: quotationTimelineStrings((key) => context.resources.getString(key)),
      locale: localeOf(context.userSettings.languageId),
      ...(context.fluentDesignLanguage ? { theme: context.fluentDesignLanguage.tokenTheme as Theme } : {}),
      loadDone: this.loadDone,
      loadHistory: this.loadHistory,
    });
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    // React unmounts the view.
  }
}
