/**
 * Web API requests per scored event in the webhook path, against the target of 2: the
 * IdearioInterests handler (rules cached, one FetchXML read of interaction, contact, account and
 * profiles, one changeset) and a naive handler written here that reads and writes the profile once
 * per matching rule and re-reads everything else on every event. Both run in the emulator (in
 * process) on the same seeded events; each request the handler makes is counted through a wrapping
 * client (a `$batch` is one request). Events/s over HTTP is measured by start.bench.ts.
 */
import type { DataverseClient } from '../../dataverse/client';
import {
  account,
  contact,
  EventType,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
  ProcessingStatus,
  type accountWrite,
  type contactWrite,
  type idr_interactionWrite,
  type idr_interestprofileWrite,
  type contactRecord,
} from '../../dataverse/generated';
import {
  addEvent,
  compileRules,
  decideMembership,
  emptyState,
  evaluateRules,
  primaryInterest,
  rollupAccount,
  scoreAt,
  segmentTransition,
  type ContactProfileSnapshot,
} from '../../domain/interest';
import {
  CONCEPT_SELECT,
  type ConceptRow,
  type InteractionRow,
  type ProfileRow,
  type RuleRow,
  INTERACTION_SELECT,
  lookupValue,
  PROFILE_SELECT,
  RULE_SELECT,
  membershipOperation,
  recordUrl,
  toConcept,
  toEvent,
  toInteraction,
  toProfile,
  toRule,
  idValue,
} from '../../plugins/handlers/interests/records';
import {
  createInterestsOrg,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../emulator/testing/interests';
import { seededRandom } from '../../domain/random';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../plugins/registry';
import { figure, type Figure } from './figures';
import type { BenchOptions } from './results';

const CONCEPTS = 10;
const CONTACTS = 40;
const ACCOUNTS = 8;
const EVENTS = 400;
const START = new Date('2025-03-01T09:00:00Z');
/** The target per scored event: rules cached, one read, every write in one changeset. */
const TARGET = 2;
const TOPICS = ['cloud', 'data', 'security', 'ai', 'erp', 'crm', 'devops', 'iot', 'mobile', 'web'];

interface Tally {
  requests: number;
}

/** Counts every call as one request (a `$batch` included). */
function counting(client: DataverseClient, tally: Tally): DataverseClient {
  const count = <T>(call: () => Promise<T>): Promise<T> => {
    tally.requests++;
    return call();
  };
  return {
    create: (...a) => count(() => client.create(...a)),
    retrieve: (...a) => count(() => client.retrieve(...a)),
    update: (...a) => count(() => client.update(...a)),
    upsert: (...a) => count(() => client.upsert(...a)),
    delete: (...a) => count(() => client.delete(...a)),
    retrieveMultiple: (...a) => count(() => client.retrieveMultiple(...a)),
    fetchXml: (...a) => count(() => client.fetchXml(...a)),
    executeAction: (...a) => count(() => client.executeAction(...a)),
    executeFunction: (...a) => count(() => client.executeFunction(...a)),
    executeBatch: (...a) => count(() => client.executeBatch(...a)),
  };
}

function counted(handler: HandlerDefinition, tallies: Tally[]): HandlerDefinition {
  return {
    ...handler,
    handle(ctx, deps) {
      const tally = { requests: 0 };
      tallies.push(tally);
      return handler.handle(ctx, { ...deps, client: counting(deps.client, tally) });
    },
  };
}

// ── the naive baseline ────────────────────────────────────────────────────────────────────────

const PC = idr_interestprofile.columns;

/** Reads and writes as a first version would: every rule's profile read and written on its own. */
async function naiveScore(ctx: ExecutionContext, { client, clock }: HandlerDeps): Promise<void> {
  const id = ctx.primaryEntityId ?? '';
  const now = clock().getTime();
  const stored = (await client.retrieve(
    idr_interaction.entitySetName,
    id,
    INTERACTION_SELECT,
  )) as InteractionRow | null;
  if (!stored || stored.idr_processingstatus !== ProcessingStatus.Pending) return;
  const interaction = toInteraction(stored);
  const rules = (
    (await client.retrieveMultiple(idr_interactionrule.entitySetName, {
      select: RULE_SELECT,
      filter: `${idr_interactionrule.columns.statecode} eq ${idr_interactionrule.choices.statecode.Active}`,
    })) as RuleRow[]
  ).map(toRule);
  const concepts = (
    (await client.retrieveMultiple(idr_marketingconcept.entitySetName, {
      select: CONCEPT_SELECT,
      filter: `${idr_marketingconcept.columns.statecode} eq ${idr_marketingconcept.choices.statecode.Active}`,
    })) as ConceptRow[]
  ).map(toConcept);
  const contactId = interaction.contactId ?? '';
  const person = (await client.retrieve(contact.entitySetName, contactId, [
    contact.columns.donotbulkemail,
    lookupValue(contact.columns.parentcustomerid),
  ])) as contactRecord | null;
  const event = toEvent(interaction, interaction.eventType ?? 0, interaction.occurredOn ?? now);
  const deltas = evaluateRules(event, compileRules(rules, { skipInvalid: true })).deltas;
  for (const delta of deltas) {
    const concept = concepts.find((c) => c.id === delta.conceptId);
    if (!concept) continue;
    const key = { [PC.idr_contact]: contactId, [PC.idr_concept]: concept.id };
    const current = (await client.retrieve(
      idr_interestprofile.entitySetName,
      key,
      PROFILE_SELECT,
    )) as ProfileRow | null;
    const profile = current ? toProfile(current, now).profile : null;
    const state = addEvent(
      profile ?? emptyState(event.occurredOn),
      delta.points,
      event.occurredOn,
      concept.halfLifeDays,
    );
    const score = scoreAt(state, now, concept.halfLifeDays);
    const inSegment = profile?.inSegment ?? false;
    const transition = segmentTransition(inSegment, score, {
      enter: concept.enterThreshold,
      exit: concept.exitThreshold,
    });
    const after = transition === 'none' ? inSegment : transition === 'enter';
    const record: idr_interestprofileWrite = {
      idr_accumulator: Number(state.accumulator.toFixed(10)),
      idr_landmarkon: new Date(state.landmark).toISOString(),
      idr_score: Number(score.toFixed(4)),
      idr_eventcount: (profile?.eventCount ?? 0) + 1,
      idr_insegment: after,
      idr_lastinteractionon: new Date(
        Math.max(event.occurredOn, profile?.lastInteractionOn ?? 0),
      ).toISOString(),
    };
    if (!current) {
      record['idr_contact@odata.bind'] = recordUrl(contact.entitySetName, contactId);
      record['idr_concept@odata.bind'] = recordUrl(idr_marketingconcept.entitySetName, concept.id);
    }
    await client.upsert(idr_interestprofile.entitySetName, key, record);
    const action = decideMembership({
      inSegment: after,
      inList: inSegment,
      consent: { doNotBulkEmail: person?.donotbulkemail === true },
    });
    if (transition !== 'none' && concept.listId && action !== 'none') {
      const { name, body, bound } = membershipOperation(action, concept.listId, contactId);
      await client.executeAction(name, body, bound);
    }
  }
  const profilesOf = async (who: string) =>
    (
      (await client.retrieveMultiple(idr_interestprofile.entitySetName, {
        select: PROFILE_SELECT,
        filter: `${lookupValue(PC.idr_contact)} eq ${who}`,
      })) as ProfileRow[]
    ).map((r) => toProfile(r, now));
  const own = await profilesOf(contactId);
  const scores = own.flatMap((p) => {
    const concept = concepts.find((c) => c.id === p.profile.conceptId);
    return concept
      ? [
          {
            conceptId: concept.id,
            conceptCode: concept.code,
            score: scoreAt(p.profile, now, concept.halfLifeDays),
          },
        ]
      : [];
  });
  const primary = primaryInterest(scores)?.conceptId ?? null;
  await client.update(contact.entitySetName, contactId, {
    'idr_primaryinterest@odata.bind': primary ? recordUrl(idr_marketingconcept.entitySetName, primary) : null,
  } satisfies contactWrite);
  const parent = person ? idValue(person._parentcustomerid_value) : null;
  if (parent) {
    const members = await client.retrieveMultiple(contact.entitySetName, {
      select: [contact.columns.contactid],
      filter: `${lookupValue(contact.columns.parentcustomerid)} eq ${parent}`,
    });
    const snapshots: ContactProfileSnapshot[] = [];
    for (const member of members) {
      const who = String(member[contact.columns.contactid]);
      for (const p of await profilesOf(who))
        snapshots.push({ contactId: who, conceptId: p.profile.conceptId, state: p.profile });
    }
    const accountPrimary = rollupAccount(snapshots, concepts, now).primaryInterest?.conceptId ?? null;
    await client.update(account.entitySetName, parent, {
      'idr_primaryinterest@odata.bind': accountPrimary
        ? recordUrl(idr_marketingconcept.entitySetName, accountPrimary)
        : null,
    } satisfies accountWrite);
  }
  await client.update(idr_interaction.entitySetName, id, {
    idr_processingstatus: ProcessingStatus.Scored,
    idr_applieddeltas: JSON.stringify(
      deltas.map((d) => ({ rule: d.ruleId, concept: d.conceptId, points: d.points })),
    ),
  } satisfies idr_interactionWrite);
}

const naiveHandler = defineHandler({
  solution: 'IdearioInterests',
  message: 'Create',
  entity: idr_interaction.logicalName,
  stage: 40,
  mode: 1,
  handle: naiveScore,
});

// ── one measured run ──────────────────────────────────────────────────────────────────────────

interface RunResult {
  requestsPerEvent: number;
  /** Share of events handled in at most TARGET requests. */
  withinTarget: number;
  /** Sum of every profile's accumulator: both handlers must reach the same state. */
  checksum: number;
}

async function measure(kind: 'ideario' | 'naive', withAccounts: boolean, events: number): Promise<RunResult> {
  const tallies: Tally[] = [];
  const isScoring = (h: HandlerDefinition) =>
    h.message === 'Create' && h.entity === idr_interaction.logicalName;
  const env = createInterestsOrg({
    start: START,
    handlers: (plugins) => [
      ...plugins.handlers.filter((h) => !isScoring(h)),
      counted(kind === 'naive' ? naiveHandler : plugins.handlers.find(isScoring)!, tallies),
    ],
  });
  try {
    const random = seededRandom(20250301);
    const concepts = [];
    for (let i = 0; i < CONCEPTS; i++)
      concepts.push(
        await seedConcept(env.client, {
          code: TOPICS[i].toUpperCase(),
          enter: 15,
          exit: 8,
          halfLifeDays: 30,
        }),
      );
    for (let i = 0; i < CONCEPTS; i++) {
      const id = concepts[i].id;
      await seedRule(env.client, { concept: id, points: 3, match: `url=*${TOPICS[i]}*` });
      await seedRule(env.client, {
        concept: id,
        points: 5,
        eventType: EventType.WebVisit,
        match: `url=*${TOPICS[i]}*`,
      });
      await seedRule(env.client, {
        concept: concepts[(i + 1) % CONCEPTS].id,
        points: 1,
        match: `url=*${TOPICS[i]}*`,
      });
    }
    const accounts = [];
    if (withAccounts)
      for (let i = 0; i < ACCOUNTS; i++) accounts.push(await seedAccount(env.client, `Account ${i}`));
    const people = [];
    for (let i = 0; i < CONTACTS; i++) {
      people.push(
        await seedContact(env.client, {
          name: `Contact ${i}`,
          accountId: withAccounts ? accounts[i % ACCOUNTS] : undefined,
        }),
      );
    }
    await env.drain();
    for (let i = 0; i < events; i++) {
      const topic = TOPICS[Math.floor(random() * 3) + (i % 4 === 0 ? Math.floor(random() * 7) : 0)];
      await seedInteraction(env.client, {
        contactId: people[Math.floor(random() * CONTACTS)],
        eventType: random() < 0.7 ? EventType.EmailClick : EventType.WebVisit,
        occurredOn: new Date(START.getTime() - (events - i) * 600_000),
        url: `https://example.com/${topic}/page-${i}`,
      });
    }
    await env.drain();
    const profiles = await env.client.retrieveMultiple(idr_interestprofile.entitySetName, {
      select: [PC.idr_accumulator],
    });
    return {
      requestsPerEvent: tallies.reduce((s, t) => s + t.requests, 0) / tallies.length,
      withinTarget: tallies.filter((t) => t.requests <= TARGET).length / tallies.length,
      checksum: profiles.reduce((s, p) => s + Number(p[PC.idr_accumulator] ?? 0), 0),
    };
  } finally {
    env.close();
  }
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const ideario: number[] = [];
  const naive: number[] = [];
  const within: number[] = [];
  for (let run = 0; run < (options.quick ? 3 : 5); run++) {
    const ours = await measure('ideario', true, options.quick ? 100 : EVENTS);
    const theirs = await measure('naive', true, options.quick ? 100 : EVENTS);
    // Both handlers must reach the same profiles, or counting their requests compares nothing.
    if (Math.abs(ours.checksum - theirs.checksum) > 1e-6 * Math.max(1, Math.abs(theirs.checksum)))
      throw new Error(
        `Ideario and the naive handler disagree: Σ accumulators ${ours.checksum} / ${theirs.checksum}`,
      );
    ideario.push(ours.requestsPerEvent);
    naive.push(theirs.requestsPerEvent);
    within.push(ours.withinTarget);
  }
  return [
    figure('webhook.requests_per_event', 'requests/event', ideario, {
      name: "naive handler (each rule's profile read and written alone, roll-up re-read)",
      samples: naive,
    }),
    figure(`webhook.requests_per_event.share_within_${TARGET}`, 'share of events', within),
  ];
}
