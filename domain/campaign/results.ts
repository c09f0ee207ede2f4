/**
 * A campaign's results: response rates of the contacted target and of the held-out control group,
 * and the uplift between them with 95 % intervals. Pure: the adapter counts, this does the statistics.
 */
import { InvalidCampaignSettingError } from './errors';
import type { ExclusionReason } from './guard';

/** Two-sided 95 %: the 0.975 quantile of the standard normal. */
const Z95 = 1.959963984540054;

export interface Interval {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

export interface Uplift {
  /** target rate − control rate, with a Wald interval for the difference of two proportions. */
  readonly difference: Interval;
  /**
   * target rate ÷ control rate, with the log (Katz) interval; undefined while either group has no
   * response, since the ratio or its interval is then unbounded.
   */
  readonly ratio?: Interval;
}

export interface GroupOutcome {
  readonly size: number;
  readonly responders: number;
}

export function responseRate(group: GroupOutcome): number | undefined {
  return group.size > 0 ? group.responders / group.size : undefined;
}

export function uplift(target: GroupOutcome, control: GroupOutcome): Uplift | undefined {
  const p1 = responseRate(target);
  const p2 = responseRate(control);
  if (p1 === undefined || p2 === undefined) return undefined;
  const se = Math.sqrt((p1 * (1 - p1)) / target.size + (p2 * (1 - p2)) / control.size);
  const difference = { value: p1 - p2, low: p1 - p2 - Z95 * se, high: p1 - p2 + Z95 * se };
  if (target.responders === 0 || control.responders === 0) return { difference };
  const logSe = Math.sqrt(
    1 / target.responders - 1 / target.size + 1 / control.responders - 1 / control.size,
  );
  const ratio = p1 / p2;
  return {
    difference,
    ratio: { value: ratio, low: ratio * Math.exp(-Z95 * logSe), high: ratio * Math.exp(Z95 * logSe) },
  };
}

export interface CampaignFacts {
  /** Members of the campaign activities' lists (each contact once). */
  readonly targeted: number;
  /** Contacts who were sent or scheduled an action. */
  readonly contacted: ReadonlySet<string>;
  readonly control: ReadonlySet<string>;
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  /** Contacts with at least one campaign response. */
  readonly responders: ReadonlySet<string>;
  readonly responses: number;
}

export interface CampaignResults {
  readonly targeted: number;
  readonly contacted: GroupOutcome;
  readonly control: GroupOutcome;
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  readonly responses: number;
  /** Responders outside both groups (a forwarded email, a campaign URL found elsewhere). */
  readonly otherResponders: number;
  readonly targetRate?: number;
  readonly controlRate?: number;
  readonly uplift?: Uplift;
}

/** Who one group of a campaign (or one of its activities) reached and held back, and how each answered. */
export interface GroupResults {
  readonly contacted: GroupOutcome;
  readonly control: GroupOutcome;
  readonly targetRate?: number;
  readonly controlRate?: number;
  readonly uplift?: Uplift;
}

export function groupResults(
  contacted: ReadonlySet<string>,
  control: ReadonlySet<string>,
  responders: ReadonlySet<string>,
): GroupResults {
  let inTarget = 0;
  let inControl = 0;
  for (const id of responders) {
    if (contacted.has(id)) inTarget++;
    else if (control.has(id)) inControl++;
  }
  const target = { size: contacted.size, responders: inTarget };
  const held = { size: control.size, responders: inControl };
  return {
    contacted: target,
    control: held,
    targetRate: responseRate(target),
    controlRate: responseRate(held),
    uplift: uplift(target, held),
  };
}

export function campaignResults(facts: CampaignFacts): CampaignResults {
  const groups = groupResults(facts.contacted, facts.control, facts.responders);
  return {
    targeted: facts.targeted,
    ...groups,
    excluded: facts.excluded,
    responses: facts.responses,
    otherResponders: facts.responders.size - groups.contacted.responders - groups.control.responders,
  };
}

/** One email, call or letter of a campaign that reached a contact. */
export interface Delivery {
  readonly campaignActivityId: string;
  /** Epoch ms it was sent (scheduled); null when neither it nor its campaign activity has a date. */
  readonly sentOn: number | null;
}

/**
 * The campaign activity a response answers, among those that reached the contact; null when none did
 * (a control-group member, someone the campaign never targeted, or an answer before anything was sent).
 */
export function answeredActivity(deliveries: readonly Delivery[], respondedOn: number | null): string | null {
  // The latest one sent at or before the answer: it is what the contact last saw of the campaign.
  const dated = deliveries
    .filter((d): d is Delivery & { sentOn: number } => d.sentOn !== null)
    .filter((d) => respondedOn === null || d.sentOn <= respondedOn)
    .sort((a, b) => b.sentOn - a.sentOn || a.campaignActivityId.localeCompare(b.campaignActivityId));
  if (dated[0]) return dated[0].campaignActivityId;
  const undated = deliveries
    .filter((d) => d.sentOn === null)
    .map((d) => d.campaignActivityId)
    .sort();
  return undated[0] ?? null;
}

/** A campaign response: who answered, and the campaign activity it answers (null on rows made before the link). */
export interface ResponseLink {
  readonly contactId: string;
  readonly campaignActivityId: string | null;
}

/**
 * Who answered one campaign activity: contacts with a response linked to it, and, for responses without
 * the link, every contact who answered the campaign (the rule before responses named their activity).
 */
export function activityResponders(
  responses: readonly ResponseLink[],
  campaignActivityId: string,
): Set<string> {
  const out = new Set<string>();
  for (const r of responses)
    if (r.campaignActivityId === null || r.campaignActivityId === campaignActivityId) out.add(r.contactId);
  return out;
}

/**
 * Orders are credited to a campaign when the contact confirms them within this many days after being
 * sent its activity (control contacts: after the activity went to the others), unless the campaign sets
 * its own window (`idr_attributiondays`). 30 days is the usual window for a monthly newsletter.
 */
export const DEFAULT_ATTRIBUTION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface ConfirmedOrder {
  readonly contactId: string;
  /** Epoch ms. */
  readonly confirmedOn: number;
  /** What the order is worth; 0 when unknown. */
  readonly value: number;
}

export interface AttributionFacts {
  readonly campaignId: string;
  readonly windowDays: number;
  /** Each contacted contact and when it was sent the campaign (epoch ms, its earliest activity). */
  readonly target: ReadonlyMap<string, number>;
  /** Each control contact and when the others were sent the campaign. */
  readonly control: ReadonlyMap<string, number>;
  readonly orders: readonly ConfirmedOrder[];
}

export interface AttributedGroup {
  readonly size: number;
  readonly orders: number;
  readonly revenue: number;
  /** revenue ÷ size; undefined for an empty group. */
  readonly revenuePerContact?: number;
}

export interface Attribution {
  readonly windowDays: number;
  readonly target: AttributedGroup;
  readonly control: AttributedGroup;
  /** Revenue per contacted contact − revenue per control contact: what the campaign earned per person. */
  readonly revenueUpliftPerContact?: number;
}

/** The attribution window in ms, or the error a marketer can fix on the campaign. */
function windowMsOf(facts: Pick<AttributionFacts, 'campaignId' | 'windowDays'>): number {
  if (!Number.isInteger(facts.windowDays) || facts.windowDays < 1)
    throw new InvalidCampaignSettingError(
      facts.campaignId,
      'attribution window (days)',
      facts.windowDays,
      'a whole number of days, at least 1',
    );
  return facts.windowDays * DAY_MS;
}

/** Whether an order falls in the window of a contact sent the campaign at `from` (undefined: not in the group). */
function inWindow(order: ConfirmedOrder, from: number | undefined, windowMs: number): boolean {
  return from !== undefined && order.confirmedOn >= from && order.confirmedOn < from + windowMs;
}

/** An order counts from the moment of sending until `windowDays` later (the end excluded). */
export function attributeOrders(facts: AttributionFacts): Attribution {
  const windowMs = windowMsOf(facts);
  const group = (members: ReadonlyMap<string, number>): AttributedGroup => {
    let orders = 0;
    let revenue = 0;
    for (const order of facts.orders) {
      if (!inWindow(order, members.get(order.contactId), windowMs)) continue;
      orders++;
      revenue += order.value;
    }
    return {
      size: members.size,
      orders,
      revenue,
      revenuePerContact: members.size > 0 ? revenue / members.size : undefined,
    };
  };
  const target = group(facts.target);
  const control = group(facts.control);
  return {
    windowDays: facts.windowDays,
    target,
    control,
    revenueUpliftPerContact:
      target.revenuePerContact !== undefined && control.revenuePerContact !== undefined
        ? target.revenuePerContact - control.revenuePerContact
        : undefined,
  };
}

/** A confirmed order, and the campaign activity its campaign response is linked to, if it became one. */
export interface ResponseOrder extends ConfirmedOrder {
  /** The response's `originatingactivityid`; null when the order has no response or the response no link. */
  readonly campaignActivityId: string | null;
}

export interface ActivityRevenue {
  readonly orders: number;
  readonly revenue: number;
}

/**
 * The contacted group's attributed orders split by campaign activity. An order counts by the campaign's
 * rule (attributeOrders: within the window after the contact was sent the campaign) and goes to the
 * campaign activity its response is linked to; an order without a linked response goes where its
 * response would be linked (answeredActivity: what reached the contact last, at or before the order).
 * Control-group orders were answered to nothing sent, so no activity gets them. The revenues add up to
 * attributeOrders' target revenue.
 */
export function attributeOrdersToActivities(
  facts: Omit<AttributionFacts, 'control' | 'orders'> & { readonly orders: readonly ResponseOrder[] },
  deliveries: ReadonlyMap<string, readonly Delivery[]>,
): Map<string, ActivityRevenue> {
  const windowMs = windowMsOf(facts);
  const out = new Map<string, ActivityRevenue>();
  for (const order of facts.orders) {
    if (!inWindow(order, facts.target.get(order.contactId), windowMs)) continue;
    const activity =
      order.campaignActivityId ?? answeredActivity(deliveries.get(order.contactId) ?? [], order.confirmedOn);
    if (activity === null) continue;
    const sum = out.get(activity) ?? { orders: 0, revenue: 0 };
    out.set(activity, { orders: sum.orders + 1, revenue: sum.revenue + order.value });
  }
  return out;
}
