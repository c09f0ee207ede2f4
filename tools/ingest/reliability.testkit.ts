/**
 * Shared by the reliability runs that compare one org's outcome with another's over the Web API (the
 * org may be a child process): seed the same concepts, rules and contacts, then read the profiles by
 * contact name and concept code (ids differ between orgs) and count the interactions by status.
 */
import {
  contact,
  EventType,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
} from '../../dataverse/generated';

export interface ServiceRoot {
  /** `http://127.0.0.1:<port>/api/data/v9.2/` */
  readonly serviceRoot: string;
}

export const TOTAL_CONTACTS = 120;
const MC = idr_marketingconcept.columns;
const RC = idr_interactionrule.columns;
const PC = idr_interestprofile.columns;

export async function post(
  root: ServiceRoot,
  entitySet: string,
  body: Record<string, unknown>,
): Promise<string> {
  const response = await fetch(`${root.serviceRoot}${entitySet}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const entity = response.headers.get('odata-entityid') ?? '';
  const id = /\(([0-9a-f-]{36})\)$/.exec(entity)?.[1];
  if (!response.ok || !id)
    throw new Error(`POST ${entitySet}: HTTP ${response.status} ${await response.text()}`);
  return id;
}

/** Every row of a query, following `@odata.nextLink`. */
export async function readAll(root: ServiceRoot, query: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let next: string | undefined = `${root.serviceRoot}${query}`;
  while (next) {
    const response = await fetch(next, { headers: { Prefer: 'odata.maxpagesize=5000' } });
    if (!response.ok) throw new Error(`GET ${next}: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
    rows.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return rows;
}

/** Three concepts, four rules (a URL match, a daily cap, once per contact, negative points), contacts. */
export async function seedScoringOrg(
  root: ServiceRoot,
  options: { readonly contacts?: number; readonly orderIndependent?: boolean } = {},
): Promise<string[]> {
  const concepts: string[] = [];
  for (const code of ['CLOUD', 'DATA', 'SECURITY']) {
    concepts.push(
      await post(root, idr_marketingconcept.entitySetName, {
        [MC.idr_name]: `Concept ${code}`,
        [MC.idr_code]: code,
        [MC.idr_halflifedays]: 30,
        [MC.idr_enterthreshold]: 20,
        [MC.idr_exitthreshold]: 10,
      }),
    );
  }
  const rule = (concept: string, eventType: number, points: number, extra: Record<string, unknown> = {}) =>
    post(root, idr_interactionrule.entitySetName, {
      [RC.idr_name]: `Rule ${points}`,
      [RC.idr_eventtype]: eventType,
      [RC.idr_points]: points,
      [`${RC.idr_concept}@odata.bind`]: `/${idr_marketingconcept.entitySetName}(${concept})`,
      ...extra,
    });
  await rule(concepts[0] ?? '', EventType.EmailClick, 5, { [RC.idr_match]: 'url=*cloud*' });
  if (options.orderIndependent) {
    // Live scoring takes events in whatever order the system jobs run: daily caps, once-per-contact
    // rules and negative points (a path through the segment's hysteresis) would make the outcome
    // depend on that order even with one host, so these runs leave them out.
    await rule(concepts[1] ?? '', EventType.WebVisit, 2);
    await rule(concepts[2] ?? '', EventType.FormSubmission, 15);
  } else {
    await rule(concepts[1] ?? '', EventType.WebVisit, 2, { [RC.idr_dailycap]: 3 });
    await rule(concepts[2] ?? '', EventType.FormSubmission, 15, { [RC.idr_repeatable]: false });
    await rule(concepts[0] ?? '', EventType.Complaint, -8);
  }
  const ids: string[] = [];
  for (let i = 0; i < (options.contacts ?? TOTAL_CONTACTS); i++)
    ids.push(
      await post(root, contact.entitySetName, {
        [contact.columns.firstname]: 'Person',
        [contact.columns.lastname]: String(i),
      }),
    );
  return ids;
}

export interface ProfileView {
  readonly who: string;
  readonly score: unknown;
  readonly accumulator: unknown;
  readonly events: unknown;
  readonly inSegment: unknown;
  readonly last: unknown;
}

/** Profiles as a user sees them, by contact name / concept code, sorted. */
export async function profilesByName(root: ServiceRoot): Promise<ProfileView[]> {
  const names = new Map(
    (
      await readAll(
        root,
        `${contact.entitySetName}?$select=${contact.columns.contactid},${contact.columns.lastname}`,
      )
    ).map((r) => [r[contact.columns.contactid], r[contact.columns.lastname]]),
  );
  const codes = new Map(
    (
      await readAll(
        root,
        `${idr_marketingconcept.entitySetName}?$select=${MC.idr_marketingconceptid},${MC.idr_code}`,
      )
    ).map((r) => [r[MC.idr_marketingconceptid], r[MC.idr_code]]),
  );
  const select = [
    `_${PC.idr_contact}_value`,
    `_${PC.idr_concept}_value`,
    PC.idr_score,
    PC.idr_accumulator,
    PC.idr_eventcount,
    PC.idr_insegment,
    PC.idr_lastinteractionon,
  ].join(',');
  return (await readAll(root, `${idr_interestprofile.entitySetName}?$select=${select}`))
    .map((r) => ({
      who: `${String(names.get(r[`_${PC.idr_contact}_value`]))}/${String(codes.get(r[`_${PC.idr_concept}_value`]))}`,
      score: r[PC.idr_score],
      accumulator: r[PC.idr_accumulator],
      events: r[PC.idr_eventcount],
      inSegment: r[PC.idr_insegment],
      last: r[PC.idr_lastinteractionon],
    }))
    .sort((a, b) => a.who.localeCompare(b.who));
}

/** How many interactions there are, and how many per processing status. */
export async function interactionStatuses(
  root: ServiceRoot,
): Promise<{ total: number; byStatus: Record<string, number> }> {
  const IC = idr_interaction.columns;
  const rows = await readAll(root, `${idr_interaction.entitySetName}?$select=${IC.idr_processingstatus}`);
  const byStatus: Record<string, number> = {};
  for (const r of rows) {
    const key = String(r[IC.idr_processingstatus]);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  return { total: rows.length, byStatus };
}
