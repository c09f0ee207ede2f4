import * as React from 'react';
import {
  Button,
  Checkbox,
  Combobox,
  Field,
  FluentProvider,
  Input,
  Option,
  Select,
  Spinner,
  Tag,
  TagGroup,
  type Theme,
  tokens,
  webLightTheme,
} from '@fluentui/react-components';
import type { ValueTier } from '../../../domain/interest/valuetier';
import { ErrorText } from '../../shared/ErrorText';
import { formatNumber, formatText } from '../../shared/format';
import {
  AGGREGATE_LIMIT,
  type BuilderState,
  type ConceptOption,
  type OfferOption,
  type Problem,
  TIERS,
} from '../builder';
import { type TargetBuilderStrings } from '../strings';

export type ConceptsState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly concepts: readonly ConceptOption[] };

export type CountState =
  | { readonly status: 'idle' }
  /** The conditions have a mistake (shown beside them): nothing to count. */
  | { readonly status: 'invalid' }
  | { readonly status: 'counting' }
  | { readonly status: 'ready'; readonly count: number }
  /** More contacts than Dataverse counts in an aggregate (AGGREGATE_LIMIT): "50,000+". */
  | { readonly status: 'overLimit' }
  | { readonly status: 'error'; readonly message: string };

export type OffersState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly offers: readonly OfferOption[] };

/** "Keep about the N most likely": where working out its minimum propensity stands. */
export type RankState =
  | { readonly status: 'idle' }
  /** A minimum propensity read from the saved list or typed: no N behind it. */
  | { readonly status: 'saved' }
  | { readonly status: 'ranking' }
  /** `propensity` null: fewer than `n` matching contacts have a score. */
  | { readonly status: 'ready'; readonly n: number; readonly propensity: number | null }
  | { readonly status: 'error'; readonly message: string };

export interface TargetBuilderProps {
  readonly concepts: ConceptsState;
  readonly state: BuilderState;
  readonly problems: readonly Problem[];
  readonly count: CountState;
  readonly offers: OffersState;
  readonly rank: RankState;
  /** A query the builder did not write: shown as it is, never rewritten unless the marketer asks. */
  readonly unreadable?: string;
  readonly disabled: boolean;
  readonly strings: TargetBuilderStrings;
  readonly locale: string;
  readonly theme?: Theme;
  readonly onChange: (state: BuilderState) => void;
  readonly onReplaceUnreadable: () => void;
}

const TIER_KEYS: Readonly<Record<ValueTier, `Tier_${ValueTier}`>> = {
  mostValuable: 'Tier_mostValuable',
  mostGrowable: 'Tier_mostGrowable',
  maintain: 'Tier_maintain',
  belowZero: 'Tier_belowZero',
};

const toggled = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);

const groupStyle: React.CSSProperties = {
  border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  borderRadius: tokens.borderRadiusMedium,
  padding: tokens.spacingHorizontalM,
  margin: 0,
  minWidth: 0,
};
const checkGrid: React.CSSProperties = {
  display: 'grid',
  gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))',
};

function problemText(problem: Problem, s: TargetBuilderStrings): string {
  if (problem.kind === 'concept') return formatText(s.Invalid_Concept, problem.row);
  if (problem.kind === 'minScore') return formatText(s.Invalid_MinScore, problem.row);
  if (problem.kind === 'keepMostLikely') return s.Invalid_KeepMostLikely;
  if (problem.kind === 'minPropensity') return s.Invalid_MinPropensity;
  return formatText(
    s.Invalid_Days,
    problem.field === 'lastInteraction' ? s.LastInteraction_Label : s.NotContacted_Label,
  );
}

function CountLine({ count, s, locale }: { count: CountState; s: TargetBuilderStrings; locale: string }) {
  if (count.status === 'counting') return <Spinner size="tiny" label={s.Counting} />;
  if (count.status === 'error') return <ErrorText>{formatText(s.Error_Count, count.message)}</ErrorText>;
  if (count.status === 'overLimit')
    return <strong>{formatText(s.Count_OverLimit, formatNumber(AGGREGATE_LIMIT, locale, 0))}</strong>;
  if (count.status === 'ready')
    return (
      <strong>
        {count.count === 1 ? s.Count_One : formatText(s.Count, formatNumber(count.count, locale, 0))}
      </strong>
    );
  return null;
}

/**
 * Concepts to choose any of: a multi-select combobox filtered by what is typed (a long list stays one
 * line), the chosen ones as tags that a click or Delete removes. Choices keep the order they were made in.
 */
function ConceptPicker(props: {
  label: string;
  concepts: readonly ConceptOption[];
  chosen: readonly string[];
  disabled: boolean;
  s: TargetBuilderStrings;
  onChange: (ids: string[]) => void;
}) {
  const { s, concepts, chosen } = props;
  const [typed, setTyped] = React.useState('');
  const filter = typed.trim().toLocaleLowerCase();
  const shown =
    filter === '' ? concepts : concepts.filter((c) => c.name.toLocaleLowerCase().includes(filter));
  const names = new Map(concepts.map((c) => [c.id, c.name]));
  return (
    <Field label={props.label} style={groupStyle}>
      <Combobox
        multiselect
        freeform
        disabled={props.disabled}
        placeholder={s.Picker_Placeholder}
        value={typed}
        selectedOptions={[...chosen]}
        onChange={(e) => setTyped(e.target.value)}
        onOptionSelect={(_e, data) => {
          if (data.optionValue === undefined) return;
          props.onChange(toggled(chosen, data.optionValue, data.selectedOptions.includes(data.optionValue)));
          setTyped('');
        }}
      >
        {shown.map((c) => (
          <Option key={c.id} value={c.id}>
            {c.name}
          </Option>
        ))}
        {shown.length === 0 && (
          <Option disabled value="" text={typed}>
            {formatText(s.Picker_NoMatch, typed.trim())}
          </Option>
        )}
      </Combobox>
      {chosen.length > 0 && (
        <TagGroup
          aria-label={formatText(s.Picker_Chosen, props.label)}
          style={{ flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, marginTop: tokens.spacingVerticalXS }}
          onDismiss={(_e, data) => props.onChange(chosen.filter((id) => id !== data.value))}
        >
          {chosen.map((id) => {
            const name = names.get(id) ?? id;
            return (
              <Tag
                key={id}
                value={id}
                shape="circular"
                size="small"
                dismissible={!props.disabled}
                dismissIcon={{ 'aria-label': formatText(s.Picker_Remove, name) }}
              >
                {name}
              </Tag>
            );
          })}
        </TagGroup>
      )}
    </Field>
  );
}

function RankLine({ rank, s, locale }: { rank: RankState; s: TargetBuilderStrings; locale: string }) {
  if (rank.status === 'ranking') return <Spinner size="tiny" label={s.Ranking} />;
  if (rank.status === 'error') return <ErrorText>{formatText(s.Error_Rank, rank.message)}</ErrorText>;
  if (rank.status === 'saved') return <span>{s.Rank_Saved}</span>;
  if (rank.status === 'ready')
    return (
      <span>
        {rank.propensity === null
          ? formatText(s.Rank_Short, formatNumber(rank.n, locale, 0))
          : formatText(
              s.Rank_Ready,
              formatNumber(rank.n, locale, 0),
              formatNumber(rank.propensity, locale, 3),
            )}
      </span>
    );
  return null;
}

/** "Most likely to buy: [offer] — keep about the [N] most likely", or a minimum propensity typed. */
function MostLikely(props: TargetBuilderProps) {
  const { state, strings: s, offers, onChange } = props;
  if (offers.status === 'loading') return <Spinner size="tiny" label={s.Loading} />;
  if (offers.status === 'error') return <ErrorText>{formatText(s.Error_Offers, offers.message)}</ErrorText>;
  const noOffer = state.offerId === '';
  const disabled = props.disabled || noOffer;
  return (
    <fieldset style={groupStyle}>
      <legend>{s.Offer_Label}</legend>
      <div style={{ display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' }}>
        <Field label={s.Offer_Field} style={{ flex: '2 1 200px' }}>
          <Select
            value={state.offerId}
            disabled={props.disabled}
            onChange={(_e, data) =>
              onChange(
                data.value === ''
                  ? { ...state, offerId: '', keepMostLikely: '', minPropensity: '' }
                  : { ...state, offerId: data.value },
              )
            }
          >
            <option value="">{s.Offer_None}</option>
            {/* A saved list's offer retired since: shown, so the condition the query holds stays visible. */}
            {!noOffer && !offers.offers.some((o) => o.id === state.offerId) && (
              <option value={state.offerId}>{s.Offer_Inactive}</option>
            )}
            {offers.offers.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={s.KeepMostLikely_Label} style={{ flex: '1 1 160px' }}>
          <Input
            inputMode="numeric"
            value={state.keepMostLikely}
            disabled={disabled}
            onChange={(_e, data) => onChange({ ...state, keepMostLikely: data.value })}
          />
        </Field>
        <Field label={s.MinPropensity_Label} style={{ flex: '1 1 160px' }}>
          <Input
            inputMode="decimal"
            value={state.minPropensity}
            disabled={disabled}
            onChange={(_e, data) => onChange({ ...state, minPropensity: data.value })}
          />
        </Field>
      </div>
      {!noOffer && (
        <div style={{ marginTop: tokens.spacingVerticalS }}>
          <RankLine rank={props.rank} s={s} locale={props.locale} />
        </div>
      )}
    </fieldset>
  );
}

function Builder(props: TargetBuilderProps & { concepts: { status: 'ready' } }) {
  const { state, strings: s, disabled, onChange } = props;
  const concepts = props.concepts.concepts;
  const setRow = (index: number, row: BuilderState['concepts'][number]) =>
    onChange({ ...state, concepts: state.concepts.map((r, i) => (i === index ? row : r)) });
  return (
    <div role="group" aria-label={s.Builder_Label} style={{ display: 'grid', gap: tokens.spacingVerticalM }}>
      <fieldset style={groupStyle}>
        <legend>{s.Concepts_Label}</legend>
        {state.concepts.map((row, index) => (
          <div
            key={index}
            style={{ display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' }}
          >
            <Field label={formatText(s.Concept_Row, index + 1)} style={{ flex: '2 1 200px' }}>
              <Select
                value={row.conceptId}
                disabled={disabled}
                onChange={(_e, data) => setRow(index, { ...row, conceptId: data.value })}
              >
                <option value="">{s.Concept_Choose}</option>
                {concepts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={formatText(s.MinScore_Row, index + 1)} style={{ flex: '1 1 160px' }}>
              <Input
                inputMode="decimal"
                value={row.minScore}
                disabled={disabled}
                onChange={(_e, data) => setRow(index, { ...row, minScore: data.value })}
              />
            </Field>
            <Button
              disabled={disabled}
              onClick={() => onChange({ ...state, concepts: state.concepts.filter((_r, i) => i !== index) })}
            >
              {formatText(s.RemoveConcept, index + 1)}
            </Button>
          </div>
        ))}
        <Button
          appearance="subtle"
          disabled={disabled}
          style={{ marginTop: tokens.spacingVerticalS }}
          onClick={() =>
            onChange({ ...state, concepts: [...state.concepts, { conceptId: '', minScore: '' }] })
          }
        >
          {s.AddConcept}
        </Button>
      </fieldset>
      <fieldset style={groupStyle}>
        <legend>{s.Tiers_Label}</legend>
        <div style={checkGrid}>
          {TIERS.map((tier) => (
            <Checkbox
              key={tier}
              label={s[TIER_KEYS[tier]]}
              disabled={disabled}
              checked={state.tiers.includes(tier)}
              onChange={(_e, data) =>
                onChange({ ...state, tiers: toggled(state.tiers, tier, data.checked === true) })
              }
            />
          ))}
        </div>
      </fieldset>
      <ConceptPicker
        label={s.PrimaryInterests_Label}
        concepts={concepts}
        chosen={state.primaryInterestIds}
        disabled={disabled}
        s={s}
        onChange={(ids) => onChange({ ...state, primaryInterestIds: ids })}
      />
      <ConceptPicker
        label={s.Segments_Label}
        concepts={concepts}
        chosen={state.segmentConceptIds}
        disabled={disabled}
        s={s}
        onChange={(ids) => onChange({ ...state, segmentConceptIds: ids })}
      />
      <div style={{ display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' }}>
        <Field label={s.LastInteraction_Label} style={{ flex: '1 1 200px' }}>
          <Input
            inputMode="numeric"
            value={state.lastInteractionDays}
            disabled={disabled}
            onChange={(_e, data) => onChange({ ...state, lastInteractionDays: data.value })}
          />
        </Field>
        <Field label={s.NotContacted_Label} style={{ flex: '1 1 200px' }}>
          <Input
            inputMode="numeric"
            value={state.notContactedDays}
            disabled={disabled}
            onChange={(_e, data) => onChange({ ...state, notContactedDays: data.value })}
          />
        </Field>
      </div>
      <MostLikely {...props} />
      {props.problems.length > 0 && (
        <ErrorText>
          {props.problems.map((p) => problemText(p, s)).join(' ')} {s.Invalid_NotSaved}
        </ErrorText>
      )}
    </div>
  );
}

export function TargetBuilderView(props: TargetBuilderProps): React.ReactElement {
  const { strings: s } = props;
  let body: React.ReactNode;
  if (props.concepts.status === 'loading') body = <Spinner size="small" label={s.Loading} />;
  else if (props.concepts.status === 'error')
    body = <ErrorText>{formatText(s.Error_Concepts, props.concepts.message)}</ErrorText>;
  else if (props.unreadable !== undefined)
    body = (
      <div style={{ display: 'grid', gap: tokens.spacingVerticalS }}>
        <p style={{ margin: 0 }}>{s.Unreadable}</p>
        <pre
          aria-label={s.StoredQuery}
          tabIndex={0}
          style={{
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-all',
            margin: 0,
            maxHeight: 200,
            overflow: 'auto',
          }}
        >
          {props.unreadable}
        </pre>
        <div>
          <Button disabled={props.disabled} onClick={props.onReplaceUnreadable}>
            {s.ReplaceUnreadable}
          </Button>
        </div>
      </div>
    );
  else body = <Builder {...props} concepts={props.concepts} />;
  return (
    <FluentProvider theme={props.theme ?? webLightTheme}>
      {/* The count first: it is what the marketer watches while changing the conditions below. */}
      <div style={{ display: 'grid', gap: tokens.spacingVerticalM }}>
        {props.unreadable === undefined && props.concepts.status === 'ready' && (
          <div role="status" aria-live="polite">
            {props.count.status === 'idle' ? (
              <span>{s.NoConditions}</span>
            ) : (
              <CountLine count={props.count} s={s} locale={props.locale} />
            )}
          </div>
        )}
        {body}
        <p style={{ margin: 0, color: tokens.colorNeutralForeground3 }}>{s.ListTypes_Note}</p>
      </div>
    </FluentProvider>
  );
}
