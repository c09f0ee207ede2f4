import * as React from 'react';
import { FluentProvider, Spinner, type Theme, tokens, webLightTheme } from '@fluentui/react-components';
import { type DateOnly, toUtcDate } from '../../../domain/quotation/dateonly';
import { type FollowUpQuotation } from '../../../domain/quotation/followups';
import { type QuotationPolicy } from '../../../domain/quotation/policy';
import { ErrorText } from '../../shared/ErrorText';
import { formatDate, formatText } from '../../shared/format';
import { type PhaseChangeItem } from '../history';
import { stepsOf, type TimelineFollowUp, toTimeline } from '../timeline';
import { type QuotationTimelineStrings } from '../strings';

export interface QuotationTimelineProps {
  readonly quotation: FollowUpQuotation;
  /** The quotation's policy (its idr_policy, else the default row), read once per policy. */
  readonly loadPolicy: () => Promise<QuotationPolicy>;
  readonly today: DateOnly;
  readonly strings: QuotationTimelineStrings;
  readonly locale: string;
  readonly theme?: Theme;
  /** Keys of the follow-ups the sweep already recorded for this quotation. */
  readonly loadDone: () => Promise<ReadonlySet<string>>;
  /** The phase changes the server recorded (idr_phasehistory), newest first. */
  readonly loadHistory: () => Promise<readonly PhaseChangeItem[]>;
  /** IANA zone for the changes' times; the browser's own when absent (as the form shows date-times). */
  readonly timeZone?: string;
}

type HistoryState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly items: readonly PhaseChangeItem[] };

function moment(epochMs: number, locale: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(epochMs));
}

/** "Request → Quotation sent · Mar 1, 2027, 9:30 AM · by Marta Gil", and the fact that moved it. */
function PhaseChanges(props: {
  readonly state: HistoryState;
  readonly strings: QuotationTimelineStrings;
  readonly locale: string;
  readonly timeZone?: string;
}): React.ReactElement {
  const { state, strings: s, locale } = props;
  let body: React.ReactNode;
  if (state.status === 'error') body = <ErrorText>{formatText(s.History_Error, state.message)}</ErrorText>;
  else if (state.status === 'loading') body = null;
  else if (state.items.length === 0) body = <p style={{ margin: 0 }}>{s.History_None}</p>;
  else
    body = (
      <ul aria-label={s.History_Title} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {state.items.map((item) => {
          const change = formatText(
            s.History_Change,
            item.from ? s[`Phase_${item.from}`] : '—',
            s[`Phase_${item.to}`],
          );
          const who = item.by ? formatText(s.History_By, item.by) : s.History_Server;
          return (
            <li key={item.key} style={{ padding: `${tokens.spacingVerticalXXS} 0` }}>
              {`${change} · ${moment(item.on, locale, props.timeZone)} · ${who}`}
              {item.detail ? (
                <span style={{ display: 'block', color: tokens.colorNeutralForeground3 }}>{item.detail}</span>
              ) : null}
            </li>
          );
        })}
      </ul>
    );
  return (
    <section aria-label={s.History_Title}>
      <h3 style={{ fontSize: tokens.fontSizeBase300, margin: `0 0 ${tokens.spacingVerticalXS}` }}>
        {s.History_Title}
      </h3>
      {body}
    </section>
  );
}

type DoneState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly keys: ReadonlySet<string>; readonly policy: QuotationPolicy };

function day(date: DateOnly, locale: string): string {
  return formatDate(toUtcDate(date).getTime(), locale, 'UTC');
}

function followUpText(item: TimelineFollowUp, s: QuotationTimelineStrings, locale: string): [string, string] {
  const title = formatText(s[`Action_${item.action}`], item.instalment ?? '');
  const due = day(item.dueOn, locale);
  const status =
    item.status === 'done'
      ? s.Status_done
      : item.status === 'due'
        ? s.Status_due
        : formatText(s[`Status_${item.status}`], due);
  return [title.replace(/\s+/g, ' ').trim(), status];
}

/** The phases as a stepper with their dates, then the follow-ups: done, due, overdue (red), upcoming. */
export function QuotationTimelineView(props: QuotationTimelineProps): React.ReactElement {
  const { strings: s, locale, loadDone, loadPolicy, loadHistory } = props;
  const [done, setDone] = React.useState<DoneState>({ status: 'loading' });
  const [history, setHistory] = React.useState<HistoryState>({ status: 'loading' });
  React.useEffect(() => {
    let live = true;
    loadHistory().then(
      (items) => live && setHistory({ status: 'ready', items }),
      (error: unknown) =>
        live &&
        setHistory({ status: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [loadHistory]);
  React.useEffect(() => {
    let live = true;
    setDone({ status: 'loading' });
    Promise.all([loadDone(), loadPolicy()]).then(
      ([keys, policy]) => live && setDone({ status: 'ready', keys, policy }),
      (error: unknown) =>
        live && setDone({ status: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [loadDone, loadPolicy]);

  const steps = stepsOf(props.quotation);
  // The follow-up plan needs the policy: until it is read only the steps show.
  const timeline =
    done.status === 'ready' ? toTimeline(props.quotation, done.policy, props.today, done.keys) : undefined;

  let followUps: React.ReactNode;
  if (done.status === 'error') followUps = <ErrorText>{formatText(s.Error, done.message)}</ErrorText>;
  else if (!timeline) followUps = <Spinner size="tiny" label={s.Loading} />;
  else if (timeline.closed)
    followUps = <p>{formatText(s.Closed, s[`Phase_${timeline.phase}`].toLowerCase())}</p>;
  else if (timeline.followUps.length === 0) followUps = <p>{s.FollowUps_None}</p>;
  else
    followUps = (
      <ul aria-label={s.FollowUps_Title} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {timeline.followUps.map((item) => {
          const [title, status] = followUpText(item, s, locale);
          const color =
            item.status === 'overdue'
              ? tokens.colorPaletteRedForeground1
              : item.status === 'done' || item.status === 'lapsed'
                ? tokens.colorNeutralForeground3
                : tokens.colorNeutralForeground1;
          return (
            <li
              key={item.key}
              data-status={item.status}
              style={{ color, padding: `${tokens.spacingVerticalXXS} 0` }}
            >
              {item.status === 'done' ? '✓ ' : ''}
              {title}: {status}
            </li>
          );
        })}
      </ul>
    );

  return (
    <FluentProvider theme={props.theme ?? webLightTheme}>
      <div style={{ display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM }}>
        <ol
          aria-label={s.Steps_Label}
          style={{
            display: 'flex',
            flexWrap: 'wrap',
            gap: tokens.spacingHorizontalS,
            listStyle: 'none',
            padding: 0,
            margin: 0,
          }}
        >
          {steps.map((step, index) => (
            <li
              key={step.phase}
              data-state={step.state}
              aria-current={step.state === 'current' ? 'step' : undefined}
              style={{
                padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
                borderRadius: tokens.borderRadiusMedium,
                border: `${tokens.strokeWidthThin} solid ${step.state === 'current' ? tokens.colorBrandStroke1 : tokens.colorNeutralStroke2}`,
                background: step.state === 'current' ? tokens.colorBrandBackground2 : 'transparent',
                color:
                  step.state === 'upcoming' ? tokens.colorNeutralForeground3 : tokens.colorNeutralForeground1,
              }}
            >
              {`${index + 1}. ${s[`Phase_${step.phase}`]}`}
              {step.date ? ` · ${day(step.date, locale)}` : ''}
              {step.state === 'done' ? ' ✓' : ''}
            </li>
          ))}
        </ol>
        <div role="status" style={{ fontWeight: tokens.fontWeightSemibold }}>
          {[
            timeline && timeline.overdueCount > 0 ? formatText(s.Overdue_Count, timeline.overdueCount) : '',
            timeline?.nextDueOn ? formatText(s.Next_Due, day(timeline.nextDueOn, locale)) : '',
          ]
            .filter(Boolean)
            .join(' · ')}
        </div>
        {followUps}
        <PhaseChanges state={history} strings={s} locale={locale} timeZone={props.timeZone} />
      </div>
    </FluentProvider>
  );
}
