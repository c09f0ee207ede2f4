/** Lifecycle only: wires the dataset, webAPI and navigation to ImpactRankingView. */
import * as React from 'react';
import { type Theme } from '@fluentui/react-components';
import { contact } from '../../dataverse/generated/contact';
import { idr_interestprofile } from '../../dataverse/generated/idr_interestprofile';
import { idr_marketingconcept } from '../../dataverse/generated/idr_marketingconcept';
import { downloadText } from '../shared/download';
import { localeOf } from '../shared/format';
import { ImpactRankingView, type ImpactRankingProps } from './components/ImpactRankingView';
import { type IInputs, type IOutputs } from './generated/ManifestTypes';
import {
  CONCEPTS_QUERY,
  CONTACT_ALIAS,
  type ConceptInfo,
  DEFAULT_SORT,
  fromSortStatus,
  type RankingQuery,
  type SortRequest,
  toConcepts,
  toFilter,
  toSortStatus,
} from './ranking';
import { impactRankingStrings } from './strings';

const P = idr_interestprofile.columns;
/** Rows per dataset page; the next page loads as the user scrolls near the end. */
const PAGE_SIZE = 100;
const TOOLBAR_HEIGHT = 150;
const DEFAULT_GRID_HEIGHT = 480;

export class ImpactRanking implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private context!: ComponentFramework.Context<IInputs>;
  private loadConcepts!: () => Promise<ConceptInfo[]>;

  public init(context: ComponentFramework.Context<IInputs>): void {
    this.context = context;
    context.mode.trackContainerResize(true);
    const dataset = context.parameters.profiles;
    // The view may not show the hidden accumulator or the contact's primary interest: ask for them.
    for (const column of [
      P.idr_contact,
      P.idr_concept,
      P.idr_accumulator,
      P.idr_landmarkon,
      P.idr_rankkey,
      P.idr_score,
      P.idr_scoredon,
      P.idr_lastinteractionon,
      P.idr_insegment,
    ])
      dataset.addColumn?.(column);
    dataset.linking.addLinkedEntity({
      name: contact.logicalName,
      from: contact.primaryIdAttribute,
      to: P.idr_contact,
      linkType: 'outer',
      alias: CONTACT_ALIAS,
    });
    dataset.addColumn?.(contact.columns.idr_primaryinterest, CONTACT_ALIAS);
    dataset.paging.setPageSize(PAGE_SIZE);
    if (!dataset.sorting.some((s) => s.sortDirection !== -1)) this.setSort(DEFAULT_SORT, false);
    this.loadConcepts = async () =>
      toConcepts(
        (await context.webAPI.retrieveMultipleRecords(idr_marketingconcept.logicalName, CONCEPTS_QUERY))
          .entities,
      );
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    this.context = context;
    const dataset = context.parameters.profiles;
    const height =
      context.mode.allocatedHeight > 0 ? context.mode.allocatedHeight - TOOLBAR_HEIGHT : DEFAULT_GRID_HEIGHT;
    const props: ImpactRankingProps = {
      dataset: {
        loading: dataset.loading,
        errorMessage: dataset.error ? dataset.errorMessage || 'unknown error' : null,
        records: dataset.sortedRecordIds.map((id) => dataset.records[id]),
        totalCount: dataset.paging.totalResultCount,
        hasNextPage: dataset.paging.hasNextPage,
        sort: fromSortStatus(dataset.sorting),
      },
      strings: impactRankingStrings((key) => context.resources.getString(key)),
      locale: localeOf(context.userSettings.languageId),
      now: Date.now(),
      height: Math.max(200, height),
      ...(context.fluentDesignLanguage ? { theme: context.fluentDesignLanguage.tokenTheme as Theme } : {}),
      loadConcepts: this.loadConcepts,
      onQueryChange: (query) => this.setQuery(query),
      onSortChange: (sort) => this.setSort(sort, true),
      onLoadMore: () => this.context.parameters.profiles.paging.loadNextPage(),
      onOpenContact: (contactId) => {
        void this.context.navigation.openForm({ entityName: contact.logicalName, entityId: contactId });
      },
      onExport: (fileName, csv) => downloadText(fileName, csv),
    };
    return React.createElement(ImpactRankingView, props);
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    // React unmounts the view; the dataset belongs to the platform.
  }

  private setSort(sort: SortRequest, refresh: boolean): void {
    const dataset = this.context.parameters.profiles;
    dataset.sorting.splice(0, dataset.sorting.length, ...toSortStatus(sort));
    if (refresh) dataset.refresh();
  }

  private setQuery(query: RankingQuery): void {
    const dataset = this.context.parameters.profiles;
    const filter = toFilter(query);
    dataset.filtering.clearFilter();
    if (filter.conditions.length > 0) dataset.filtering.setFilter(filter);
    dataset.refresh();
  }
}
