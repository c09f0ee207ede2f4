/** Lifecycle only: the form's phase and dates to QuotationTimelineView; updateView runs when they change. */
import * as React from 'react';
import { type Theme } from '@fluentui/react-components';
import { type DateOnly, dateOnlyFromDate } from '../../domain/quotation/dateonly';
import { type FollowUpQuotation } from '../../domain/quotation/followups';
import { DEFAULT_POLICY } from '../../domain/quotation/policy';
import { idr_quotationaction } from '../../dataverse/generated/idr_quotationaction';
import { localeOf } from '../shared/format';
import { QuotationTimelineView } from './components/QuotationTimelineView';
import { type IInputs, type IOutputs } from './generated/ManifestTypes';
import { quotationTimelineStrings } from './strings';
import { phaseOf } from './timeline';

const A = idr_quotationaction.columns;

// A date-only field hands the control local midnight of the date, as it does to form scripts.
function day(property: ComponentFramework.PropertyTypes.DateTimeProperty): DateOnly | null {
  return property.raw ? dateOnlyFromDate(property.raw, 'local') : null;
}

export class QuotationTimeline implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private loadDone!: () => Promise<ReadonlySet<string>>;

  public init(context: ComponentFramework.Context<IInputs>): void {
    const contextInfo = (context.mode as unknown as { contextInfo?: { entityId?: string } }).contextInfo;
    const opportunityId = (contextInfo?.entityId ?? '').replace(/[{}]/g, '');
    this.loadDone = async () => {
      if (opportunityId === '') return new Set<string>();
      const result = await context.webAPI.retrieveMultipleRecords(
        idr_quotationaction.logicalName,
        `?$select=${A.idr_key}&$filter=_${A.idr_opportunity}_value eq ${opportunityId}`,
      );
      return new Set(
        result.entities.map((e) => e[A.idr_key] as unknown).filter((k): k is string => typeof k === 'string'),
      );
    };
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    const p = context.parameters;
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
      // The hotel's idr_quotationpolicy row is not read yet: the defaults the sweep also falls back to.
      policy: DEFAULT_POLICY,
      today: dateOnlyFromDate(new Date(), 'local'),
      strings: quotationTimelineStrings((key) => context.resources.getString(key)),
      locale: localeOf(context.userSettings.languageId),
      ...(context.fluentDesignLanguage ? { theme: context.fluentDesignLanguage.tokenTheme as Theme } : {}),
      loadDone: this.loadDone,
    });
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    // React unmounts the view.
  }
}
