import * as React from 'react';
import {
  Button,
  FluentProvider,
  Field,
  Input,
  Select,
  Spinner,
  Switch,
  Tab,
  TabList,
  type Theme,
  tokens,
  webLightTheme,
} from '@fluentui/react-components';
import { ErrorText } from '../../shared/ErrorText';
import { formatText } from '../../shared/format';
import {
  type ConceptInfo,
  heatMapCsv,
  type ProfileRecord,
  rankingCsv,
  type RankingQuery,
  type SortRequest,
  toHeatMap,
  toRankingRows,
} from '../ranking';
import { type ImpactRankingStrings } from '../strings';
import { HeatMap } from './HeatMap';
import { RankingGrid } from './RankingGrid';

/** The most contacts the heat map draws: beyond that a matrix is no longer readable. */
export const HEAT_MAP_CONTACTS = 50;

export interface DatasetView {
  readonly loading: boolean;
  /** The platform's message when the dataset failed to load, else null. */
  readonly errorMessage: string | null;
  readonly records: readonly ProfileRecord[];
  /** Total on the server for the current filter; -1 when unknown. */
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly sort: SortRequest;
}

export type Mode = 'ranking' | 'heatmap';

export interface ImpactRankingProps {
  readonly dataset: DatasetView;
  readonly strings: ImpactRankingStrings;
  readonly locale: string;
  /** Epoch ms the scores are decayed to. */
  readonly now: number;
  readonly height: number;
  readonly theme?: Theme;
  readonly loadConcepts: () => Promise<ConceptInfo[]>;
  readonly onQueryChange: (query: RankingQuery) => void;
  readonly onSortChange: (sort: SortRequest) => void;
  readonly onLoadMore: () => void;
  readonly onOpenContact: (contactId: string) => void;
  readonly onExport: (fileName: string, csv: string) => void;
}

type ConceptsState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly list: readonly ConceptInfo[] };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function ImpactRankingView(props: ImpactRankingProps): React.ReactElement {
  const { dataset, strings: s, locale, now, onQueryChange } = props;
  const [concepts, setConcepts] = React.useState<ConceptsState>({ status: 'loading' });
  const [mode, setMode] = React.useState<Mode>('ranking');
  const [query, setQuery] = React.useState<RankingQuery>({ conceptId: null, segmentOnly: false, search: '' });
  const [searchText, setSearchText] = React.useState('');
  const { loadConcepts } = props;

  const latest = React.useRef({ query, mode });
  latest.current = { query, mode };

  const apply = (next: RankingQuery): void => {
    latest.current = { ...latest.current, query: next };
    setQuery(next);
    onQueryChange(next);
  };

  React.useEffect(() => {
    let live = true;
    loadConcepts().then(
      (list) => {
        if (!live) return;
        setConcepts({ status: 'ready', list });
        // The ranking is of one concept: the first, until the user picks another.
        const { query: current, mode: currentMode } = latest.current;
        if (currentMode === 'ranking' && current.conceptId === null && list.length > 0)
          apply({ ...current, conceptId: list[0].id });
      },
      (error: unknown) => {
        if (live) setConcepts({ status: 'error', message: message(error) });
      },
    );
    return () => {
      live = false;
    };
    // Loaded once per control instance; `apply` reads the latest state through the ref.
  }, [loadConcepts]);

  const conceptMap = React.useMemo(
    () => new Map((concepts.status === 'ready' ? concepts.list : []).map((c) => [c.id, c])),
    [concepts],
  );
  const rows = React.useMemo(
    () => toRankingRows(dataset.records, conceptMap, now),
    [dataset.records, conceptMap, now],
  );
  const heatMap = React.useMemo(
    () => (mode === 'heatmap' ? toHeatMap(rows, HEAT_MAP_CONTACTS) : null),
    [mode, rows],
  );
  const conceptName = concepts.status === 'ready' ? (conceptMap.get(query.conceptId ?? '')?.name ?? '') : '';

  const exportCsv = (): void => {
    const stamp = new Date(now).toISOString().slice(0, 10);
    if (heatMap) {
      props.onExport(`impact-heatmap-${stamp}.csv`, heatMapCsv(heatMap, s.Col_Contact));
    } else {
      props.onExport(
        `impact-ranking-${stamp}.csv`,
        rankingCsv(rows, {
          rank: s.Col_Rank,
          contact: s.Col_Contact,
          concept: s.Col_Concept,
          scoreToday: s.Col_Score,
          trend: s.Col_Trend,
          lastInteraction: s.Col_LastInteraction,
          segment: s.Col_Segment,
          primaryInterest: s.Col_PrimaryInterest,
          yes: s.Yes,
          no: s.No,
        }),
      );
    }
  };

  const toolbar = (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' }}>
      <TabList
        aria-label={s.Mode_Label}
        selectedValue={mode}
        onTabSelect={(_event, data) => {
          const next = data.value as Mode;
          setMode(next);
          if (next === 'heatmap') apply({ ...query, conceptId: null });
          else if (concepts.status === 'ready' && concepts.list.length > 0)
            apply({ ...query, conceptId: concepts.list[0].id });
        }}
      >
        <Tab value="ranking">{s.Mode_Ranking}</Tab>
        <Tab value="heatmap">{s.Mode_HeatMap}</Tab>
      </TabList>
      {mode === 'ranking' && concepts.status === 'ready' && concepts.list.length > 0 && (
        <Field label={s.Concept_Label}>
          <Select
            value={query.conceptId ?? ''}
            onChange={(_event, data) => apply({ ...query, conceptId: data.value })}
          >
            {concepts.list.map((concept) => (
              <option key={concept.id} value={concept.id}>
                {concept.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Field label={s.Search_Label}>
        <Input
          value={searchText}
          placeholder={s.Search_Placeholder}
          onChange={(_event, data) => setSearchText(data.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') apply({ ...query, search: searchText });
          }}
          onBlur={() => {
            if (searchText !== query.search) apply({ ...query, search: searchText });
          }}
        />
      </Field>
      <Switch
        label={s.SegmentOnly}
        checked={query.segmentOnly}
        onChange={(_event, data) => apply({ ...query, segmentOnly: data.checked })}
      />
      <Button onClick={exportCsv} disabled={rows.length === 0}>
        {s.Export}
      </Button>
    </div>
  );

  let body: React.ReactNode;
  if (concepts.status === 'error') {
    body = <ErrorText>{formatText(s.Error_Concepts, concepts.message)}</ErrorText>;
  } else if (dataset.errorMessage !== null) {
    body = <ErrorText>{formatText(s.Error_Dataset, dataset.errorMessage)}</ErrorText>;
  } else if (concepts.status === 'loading' || (dataset.loading && rows.length === 0)) {
    body = <Spinner label={s.Loading} />;
  } else if (concepts.list.length === 0) {
    body = <p>{s.Empty_NoConcepts}</p>;
  } else if (rows.length === 0) {
    body = (
      <p>
        {query.search !== '' || query.segmentOnly
          ? s.Empty_Filter
          : mode === 'ranking'
            ? formatText(s.Empty_Concept, conceptName)
            : s.Empty_All}
      </p>
    );
  } else if (heatMap) {
    body = <HeatMap map={heatMap} strings={s} locale={locale} onOpenContact={props.onOpenContact} />;
  } else {
    body = (
      <RankingGrid
        rows={rows}
        strings={s}
        locale={locale}
        height={props.height}
        sort={dataset.sort}
        hasNextPage={dataset.hasNextPage}
        loadingMore={dataset.loading}
        showConcept={query.conceptId === null}
        onSortChange={props.onSortChange}
        onLoadMore={props.onLoadMore}
        onOpenContact={props.onOpenContact}
      />
    );
  }

  return (
    <FluentProvider theme={props.theme ?? webLightTheme}>
      <div style={{ display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS }}>
        {toolbar}
        {body}
        <div role="status" aria-live="polite" style={{ color: tokens.colorNeutralForeground3 }}>
          {dataset.loading && rows.length > 0
            ? s.LoadingMore
            : rows.length > 0
              ? formatText(s.Count, rows.length, dataset.totalCount >= 0 ? dataset.totalCount : rows.length)
              : ''}
        </div>
      </div>
    </FluentProvider>
  );
}
