import * as React from 'react';
import {
  Badge,
  createTableColumn,
  DataGridCell,
  DataGridHeaderCell,
  type TableColumnDefinition,
  type TableColumnId,
  tokens,
} from '@fluentui/react-components';
import {
  DataGrid,
  DataGridBody,
  DataGridHeader,
  DataGridRow,
} from '@fluentui-contrib/react-data-grid-react-window';
import { formatDate, formatNumber, formatSigned, formatText } from '../../shared/format';
import {
  type RankingRow,
  shouldLoadNextPage,
  type SortKey,
  type SortRequest,
  type TrendTone,
  trendTone,
} from '../ranking';
import { type ImpactRankingStrings } from '../strings';

export const ROW_HEIGHT = 40;

export interface RankingGridProps {
  readonly rows: readonly RankingRow[];
  readonly strings: ImpactRankingStrings;
  readonly locale: string;
  readonly height: number;
  readonly sort: SortRequest;
  readonly hasNextPage: boolean;
  readonly loadingMore: boolean;
  /** Show the concept column (every concept's profiles in one list). */
  readonly showConcept: boolean;
  readonly onSortChange: (sort: SortRequest) => void;
  readonly onLoadMore: () => void;
  readonly onOpenContact: (contactId: string) => void;
}

/** Text cut to one line with an ellipsis: a virtualised row has a fixed height, and wrapped text spilled over the next row. */
function OneLine(props: { readonly text: string; readonly strong?: boolean }): React.ReactElement {
  const style: React.CSSProperties = {
    display: 'block',
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    fontWeight: props.strong ? tokens.fontWeightSemibold : undefined,
  };
  return (
    <span title={props.text} style={style}>
      {props.text}
    </span>
  );
}

const TREND_COLOURS: Readonly<Record<TrendTone, string | undefined>> = {
  fall: tokens.colorPaletteRedForeground1,
  rise: tokens.colorPaletteGreenForeground1,
  flat: undefined,
};

const SORTABLE: ReadonlySet<TableColumnId> = new Set<SortKey>(['score', 'contact', 'lastInteraction']);

function columns(props: RankingGridProps): TableColumnDefinition<RankingRow>[] {
  const { strings: s, locale } = props;
  const list: TableColumnDefinition<RankingRow>[] = [
    createTableColumn<RankingRow>({
      columnId: 'rank',
      renderHeaderCell: () => s.Col_Rank,
      renderCell: (row) => (row.rank === null ? '' : String(row.rank)),
    }),
    createTableColumn<RankingRow>({
      columnId: 'contact',
      renderHeaderCell: () => s.Col_Contact,
      compare: (_a, _b) => 0,
      renderCell: (row) => <OneLine text={row.contactName} strong />,
    }),
  ];
  if (props.showConcept)
    list.push(
      createTableColumn<RankingRow>({
        columnId: 'concept',
        renderHeaderCell: () => s.Col_Concept,
        renderCell: (row) => <OneLine text={row.conceptName} />,
      }),
    );
  list.push(
    createTableColumn<RankingRow>({
      columnId: 'score',
      renderHeaderCell: () => s.Col_Score,
      // Rows arrive in the dataset's order: compare only marks the column sortable and keeps that order.
      compare: (_a, _b) => 0,
      renderCell: (row) => (row.scoreToday === null ? s.NoScore : formatNumber(row.scoreToday, locale)),
    }),
    createTableColumn<RankingRow>({
      columnId: 'trend',
      renderHeaderCell: () => s.Col_Trend,
      renderCell: (row) =>
        row.trend === null ? (
          ''
        ) : (
          <span
            aria-label={formatText(s.Trend_Label, formatSigned(row.trend, locale))}
            style={{ color: TREND_COLOURS[trendTone(row.trend, locale)] }}
          >
            {formatSigned(row.trend, locale)}
          </span>
        ),
    }),
    createTableColumn<RankingRow>({
      columnId: 'lastInteraction',
      renderHeaderCell: () => s.Col_LastInteraction,
      compare: (_a, _b) => 0,
      renderCell: (row) => (row.lastInteractionOn === null ? '' : formatDate(row.lastInteractionOn, locale)),
    }),
    createTableColumn<RankingRow>({
      columnId: 'segment',
      renderHeaderCell: () => s.Col_Segment,
      renderCell: (row) =>
        row.inSegment ? (
          <Badge appearance="filled" color="success">
            {s.Segment_In}
          </Badge>
        ) : (
          <Badge appearance="outline" color="informative">
            {s.Segment_Out}
          </Badge>
        ),
    }),
    createTableColumn<RankingRow>({
      columnId: 'primaryInterest',
      renderHeaderCell: () => s.Col_PrimaryInterest,
      renderCell: (row) => <OneLine text={row.primaryInterest} />,
    }),
  );
  return list;
}

/**
 * The ranking as a Fluent DataGrid virtualised by react-window: only the rows in view (plus a few
 * overscanned) are in the DOM, and nearing the end of the loaded rows asks the dataset for the next page.
 */
export function RankingGrid(props: RankingGridProps): React.ReactElement {
  const { rows, strings: s, onOpenContact, onSortChange, onLoadMore } = props;
  const definitions = columns(props);
  const paging = React.useRef({
    hasNextPage: props.hasNextPage,
    loading: props.loadingMore,
    count: rows.length,
  });
  paging.current = { hasNextPage: props.hasNextPage, loading: props.loadingMore, count: rows.length };

  const open = (row: RankingRow): void => {
    if (row.contactId) onOpenContact(row.contactId);
  };

  return (
    <DataGrid
      items={rows as RankingRow[]}
      columns={definitions}
      getRowId={(row: RankingRow) => row.id}
      sortable
      sortState={{ sortColumn: props.sort.key, sortDirection: props.sort.direction }}
      onSortChange={(_event, state) => {
        if (SORTABLE.has(state.sortColumn ?? ''))
          onSortChange({ key: state.sortColumn as SortKey, direction: state.sortDirection });
      }}
      focusMode="composite"
      aria-label={s.Grid_Label}
      aria-rowcount={rows.length + 1}
      size="small"
    >
      <DataGridHeader>
        <DataGridRow>
          {({ renderHeaderCell }) => <DataGridHeaderCell>{renderHeaderCell()}</DataGridHeaderCell>}
        </DataGridRow>
      </DataGridHeader>
      <DataGridBody<RankingRow>
        itemSize={ROW_HEIGHT}
        height={props.height}
        listProps={{
          overscanCount: 10,
          onItemsRendered: ({ overscanStopIndex }) => {
            const state = paging.current;
            if (
              shouldLoadNextPage({
                lastRenderedIndex: overscanStopIndex,
                loadedCount: state.count,
                hasNextPage: state.hasNextPage,
                loading: state.loading,
              })
            )
              onLoadMore();
          },
        }}
      >
        {({ item, rowId }, style) => (
          <DataGridRow<RankingRow>
            key={rowId}
            style={style}
            aria-label={formatText(s.OpenContact, item.contactName)}
            onClick={() => open(item)}
            onKeyDown={(event: React.KeyboardEvent) => {
              if (event.key === 'Enter') open(item);
            }}
          >
            {({ renderCell }) => <DataGridCell style={{ minWidth: 0 }}>{renderCell(item)}</DataGridCell>}
          </DataGridRow>
        )}
      </DataGridBody>
    </DataGrid>
  );
}
