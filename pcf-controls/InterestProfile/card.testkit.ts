/** FetchXML results as the Web API returns them for InterestProfile, for tests. */
export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
export const CLOUD_ID = 'c0000000-0000-0000-0000-000000000001';
export const SECURITY_ID = 'c0000000-0000-0000-0000-000000000002';
const F = '@OData.Community.Display.V1.FormattedValue';

const contactOwnColumns = {
  fullname: 'Ana López',
  idr_valuetier: 105200001,
  [`idr_valuetier${F}`]: 'Most growable',
  [`_idr_primaryinterest_value${F}`]: 'Zero trust security',
  donotbulkemail: true,
  donotemail: false,
  donotphone: false,
};

export const SEGMENT_LIST_ID = 'b0000000-0000-0000-0000-000000000001';
export const ROBINSON_LIST_ID = 'b0000000-0000-0000-0000-000000000002';

/** The contact with its two profiles; `patch` changes the contact's own columns (consent, tier). */
export function cardRows(patch: Record<string, unknown> = {}): Record<string, unknown>[] {
  const contactColumns = { ...contactOwnColumns, ...patch };
  return [
    {
      ...contactColumns,
      'p.idr_accumulator': 20,
      'p.idr_landmarkon': new Date(NOW - 30 * DAY).toISOString(),
      'p.idr_insegment': false,
      'c.idr_marketingconceptid': CLOUD_ID,
      'c.idr_name': 'Cloud migration',
      'c.idr_halflifedays': 30,
    },
    {
      ...contactColumns,
      'p.idr_accumulator': 40,
      'p.idr_landmarkon': new Date(NOW - 10 * DAY).toISOString(),
      'p.idr_insegment': true,
      'c.idr_marketingconceptid': SECURITY_ID,
      'c.idr_name': 'Zero trust security',
      'c.idr_halflifedays': 90,
    },
  ];
}

/**
 * The card's rows for a contact that is a member of these lists: the outer joins repeat each profile
 * per membership, with `x.listid` only where the list is an exclusion list.
 */
export function onLists(
  rows: readonly Record<string, unknown>[],
  lists: readonly { readonly id: string; readonly exclusion: boolean }[],
): Record<string, unknown>[] {
  return rows.flatMap((row) => lists.map((l) => ({ ...row, ...(l.exclusion ? { 'x.listid': l.id } : {}) })));
}

function interaction(event: string, daysAgo: number, deltas: unknown[]): Record<string, unknown> {
  return {
    idr_eventtype: 105200000,
    [`idr_eventtype${F}`]: event,
    idr_occurredon: new Date(NOW - daysAgo * DAY).toISOString(),
    idr_applieddeltas: JSON.stringify(deltas),
  };
}

export function interactionRows(): Record<string, unknown>[] {
  return [
    interaction('Web visit', 10, [
      {
        rule: 'r1',
        ruleName: 'Pricing page',
        concept: SECURITY_ID,
        conceptName: 'Zero trust security',
        points: 12,
      },
    ]),
    interaction('Email click', 40, [
      {
        rule: 'r2',
        ruleName: 'Security newsletter',
        concept: SECURITY_ID,
        conceptName: 'Zero trust security',
        points: 5,
      },
      {
        rule: 'r3',
        ruleName: 'Cloud newsletter',
        concept: CLOUD_ID,
        conceptName: 'Cloud migration',
        points: 20,
      },
    ]),
  ];
}
