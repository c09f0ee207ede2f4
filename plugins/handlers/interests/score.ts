/**
 * Create.idr_interaction (post-operation, asynchronous): scores one registered event.
 *
 * Requests (issue target: at most 2 per live event). With the rules cached, ONE FetchXML read
 * (scoreread.ts) returns the interaction (re-read: Dataverse may deliver an event twice, and only a
 * Pending one is scored), its campaign's name, the contact (consent, parent account, current primary
 * interest), its profiles of active concepts with its memberships of their lists, the parent
 * account's `idr_accountinterest` rows and the rule history the Target's event type may need; then
 * every write (profiles, account rows, the interaction's status and explanation, primary interests,
 * list membership) goes in ONE atomic changeset: 2 requests, however large the account. More only
 * when the read could not fold something in (scoreread.ts), for the first Ignored event of a type
 * (its label), and the catalogue's two queries when the cache is cold.
 *
 * Concurrency: existing profiles are written with `If-Match: <etag>` and new ones are created (the
 * alternate key contact+concept makes a concurrent second create fail with 412 instead of adding a
 * twin; an upsert by that key would silently overwrite it, and a $batch operation cannot carry
 * `If-None-Match`); the FetchXML read gives linked rows no `@odata.etag`, so theirs is built from
 * `versionnumber` (`W/"<versionnumber>"`, as Dataverse forms it). The interaction itself is written
 * with its etag, so two deliveries of one event cannot both score it. On 412 the whole attempt is
 * re-read and recomputed, with jittered back-off, a bounded number of times; then the host answers
 * 503 and Dataverse delivers the event once more.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import type { BatchOperation, DataverseClient } from '../../../dataverse/client';
import { ConcurrencyError, DuplicateRecordError, isRetryable } from '../../../dataverse/errors';
import {
  account,
  contact,
  EventType,
  idr_interaction,
  listmember,
  ProcessingStatus,
  type idr_interactionRecord,
  type listmemberRecord,
  type idr_interactionWrite,
  type ProcessingStatusValue,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import {
  buildRuleHistory,
  accountPrimaryInterest,
  decideMembership,
  EMPTY_HISTORY,
  evaluateRules,
  InterestError,
  type InteractionEvent,
  type RuleHistory,
  type ScoreEventResult,
  scoreEvent,
  type SkippedRule,
  stripResult,
  utcDay,
  DAY_MS,
} from '../../../domain/interest';
import { getDate, getOptionValue, getReference, targetEntity } from '../../host/parse';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import { catalogNames, type InterestCatalog, loadCatalog } from './catalog';
import { ScoringConflictError } from './errors';
import {
  explainDeltas,
  IC,
  INTERACTION_SELECT,
  type InteractionRow,
  iso,
  lookupValue,
  membershipOperation,
  parseAppliedDeltas,
  PROCESSING_ERROR_MAX,
  profileWrite,
  primaryInterestUpdate,
  type StoredContact,
  type StoredInteraction,
  type StoredProfile,
  toEvent,
  toInteraction,
  truncate,
  idValue,
  timeValue,
} from './records';
import { accountInterestWrite, applyChanges, profileChange } from './accountrows';
import { type HistoryScope, readScoringState, type ScoringAccount, type ScoringState } from './scoreread';
import { backoffMs, type ResolvedOptions } from './settings';

const KNOWN_EVENT_TYPES: ReadonlySet<number> = new Set(Object.values(EventType));
const LM = listmember.columns;

export type ScoringOutcome =
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'ignored' | 'failed'; readonly reason: string }
  | {
      readonly kind: 'scored';
      readonly contactId: string;
      readonly deltas: number;
      readonly profilesWritten: number;
      readonly transitions: readonly { conceptId: string; transition: 'enter' | 'leave' }[];
      readonly listActions: number;
    };

// ── reads ────────────────────────────────────────────────────────────────────────────────────

async function readInteraction(client: DataverseClient, id: string): Promise<StoredInteraction | null> {
  // A query rather than a retrieve: it carries formatted values, and the campaign's name is one.
  const records = (await client.retrieveMultiple(idr_interaction.entitySetName, {
    select: INTERACTION_SELECT,
    filter: `${IC.idr_interactionid} eq ${id}`,
    top: 1,
    formattedValues: true,
  })) as InteractionRow[];
  return records[0] ? toInteraction(records[0]) : null;
}

/**
 * Event type labels read so far, per organisation: an Ignored message needs one, and reading it once
 * per type keeps the Ignored path at one read and one write after that.
 */
const EVENT_LABELS = new Map<string, string>();

/** FetchXML answers carry no formatted values: the event type's label is read when a message needs it. */
async function withLabels(
  client: DataverseClient,
  interaction: StoredInteraction,
  organization: string,
): Promise<StoredInteraction> {
  const key = `${organization}|${interaction.eventType ?? ''}`;
  const known = EVENT_LABELS.get(key);
  if (known !== undefined) return { ...interaction, eventLabel: known };
  const labelled = await readInteraction(client, interaction.id);
  if (labelled && labelled.eventType === interaction.eventType && EVENT_LABELS.size < 10_000)
    EVENT_LABELS.set(key, labelled.eventLabel);
  return labelled
    ? {
        ...interaction,
        eventLabel: labelled.eventLabel,
        campaignName: interaction.campaignName ?? labelled.campaignName,
      }
    : interaction;
}

function anyOf(column: string, ids: readonly string[]): string {
  return `(${ids.map((id) => `${column} eq ${id}`).join(' or ')})`;
}

/**
 * The earlier scored interactions that can hold back a rule of this event: those that applied a
 * once-per-contact rule at all, or a daily-capped rule on the event's UTC day.
 */
async function readHistory(
  client: DataverseClient,
  interaction: StoredInteraction,
  contactId: string,
  event: InteractionEvent,
  limited: { once: readonly string[]; capped: readonly string[] },
): Promise<RuleHistory> {
  const day = utcDay(event.occurredOn) * DAY_MS;
  const clauses = [
    ...limited.once.map((rule) => `contains(${IC.idr_applieddeltas},'${rule}')`),
    ...limited.capped.map(
      (rule) =>
        `(${IC.idr_occurredon} ge ${iso(day)} and ${IC.idr_occurredon} lt ${iso(day + DAY_MS)} and contains(${IC.idr_applieddeltas},'${rule}'))`,
    ),
  ];
  const records = await client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_occurredon, IC.idr_applieddeltas],
    filter:
      `${lookupValue(IC.idr_contact)} eq ${contactId} and ${IC.idr_processingstatus} eq ${ProcessingStatus.Scored} and ` +
      `${IC.idr_interactionid} ne ${interaction.id} and (${clauses.join(' or ')})`,
  });
  const earlier = (records as idr_interactionRecord[]).flatMap((r) => {
    const occurredOn = timeValue(r.idr_occurredon);
    return occurredOn === null
      ? []
      : [{ occurredOn, appliedDeltas: parseAppliedDeltas(r.idr_applieddeltas) }];
  });
  return buildRuleHistory(earlier, event.occurredOn);
}

async function readMemberships(
  client: DataverseClient,
  contactId: string,
  listIds: readonly string[],
): Promise<Set<string>> {
  const records = await client.retrieveMultiple(listmember.entitySetName, {
    select: [lookupValue(LM.listid)],
    filter: `${lookupValue(LM.entityid)} eq ${contactId} and ${anyOf(lookupValue(LM.listid), listIds)}`,
  });
  return new Set((records as listmemberRecord[]).flatMap((r) => idValue(r._listid_value) ?? []));
}

// ── explanations ──────────────────────────────────────────────────────────────────────────────

function describeEvent(interaction: StoredInteraction): string {
  const facts = [
    interaction.url && `url ${interaction.url}`,
    (interaction.campaignName ?? interaction.campaignId) &&
      `campaign ${interaction.campaignName ?? interaction.campaignId}`,
    interaction.product && `product ${interaction.product}`,
    interaction.productFamily && `product family ${interaction.productFamily}`,
    interaction.caseSubject && `case subject ${interaction.caseSubject}`,
  ].filter(Boolean);
  return `${interaction.eventLabel}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

const SKIP_REASONS: Record<SkippedRule['reason'], string> = {
  alreadyApplied: 'already applied to this contact and counts once per contact',
  dailyCapReached: "reached its daily cap for this contact on the event's day",
  conceptInactive: 'scores a concept that is not active',
};

function ignoredReason(
  interaction: StoredInteraction,
  catalog: InterestCatalog,
  skipped: readonly SkippedRule[],
): string {
  if (skipped.length === 0) {
    const explicit = interaction.conceptId ? catalog.conceptById.get(interaction.conceptId) : undefined;
    return `No active interaction rule matches ${describeEvent(interaction)}${explicit ? ` for concept '${explicit.name}'` : ''}.`;
  }
  const names = new Map(catalog.rules.rules.map(({ rule }) => [rule.id, rule.name ?? rule.id]));
  const parts = skipped.map((s) => `rule '${names.get(s.ruleId) ?? s.ruleId}' ${SKIP_REASONS[s.reason]}`);
  return `No points applied to ${describeEvent(interaction)}: ${parts.join('; ')}.`;
}

// ── writes ────────────────────────────────────────────────────────────────────────────────────

function finishColumns(
  status: ProcessingStatusValue,
  fields: { error: string | null; deltas: string },
): idr_interactionWrite {
  return {
    idr_processingstatus: status,
    idr_processingerror: fields.error === null ? null : truncate(fields.error, PROCESSING_ERROR_MAX),
    idr_applieddeltas: fields.deltas,
  };
}

interface ScoringWrite {
  readonly operations: BatchOperation[];
  readonly profilesWritten: number;
  readonly listActions: number;
}

function buildWrites(input: {
  interaction: StoredInteraction;
  contact: StoredContact;
  catalog: InterestCatalog;
  existing: ReadonlyMap<string, StoredProfile>;
  result: ScoreEventResult;
  memberships: ReadonlySet<string>;
  accountRow: ScoringAccount | null;
  now: number;
}): ScoringWrite {
  const { interaction, contact: person, catalog, existing, result, memberships, accountRow, now } = input;
  const operations: BatchOperation[] = [];
  let profilesWritten = 0;
  for (const profile of result.profiles) {
    if (!profile.changed) continue;
    profilesWritten++;
    operations.push(
      profileWrite(profile, existing.get(profile.conceptId), {
        contactId: person.id,
        contactName: person.name,
        conceptName: catalog.conceptById.get(profile.conceptId)?.name,
      }),
    );
  }
  operations.push({
    kind: 'update',
    entitySet: idr_interaction.entitySetName,
    key: interaction.id,
    ifMatch: interaction.etag,
    record: finishColumns(ProcessingStatus.Scored, {
      error: null,
      deltas: explainDeltas(result.appliedDeltas, catalogNames(catalog)),
    }),
  });
  const primary = result.primaryInterest?.conceptId ?? null;
  if (primary !== person.primaryInterestId) {
    operations.push(primaryInterestUpdate(contact, person.id, primary));
  }
  if (accountRow) {
    // The account's sum per concept moves by what this contact's profiles moved (accountrows.ts).
    const rows = new Map(accountRow.rows.map((r) => [r.row.conceptId, r.row]));
    const stored = new Map(accountRow.rows.map((r) => [r.row.conceptId, r]));
    const changes = result.profiles
      .filter((p) => p.touched)
      .map((p) => profileChange(p.conceptId, existing.get(p.conceptId)?.profile, stripResult(p)));
    for (const conceptId of applyChanges(rows, changes, catalog.conceptById)) {
      const row = rows.get(conceptId);
      const concept = catalog.conceptById.get(conceptId);
      if (!row || !concept) continue;
      operations.push(
        accountInterestWrite(
          row,
          stored.get(conceptId),
          { accountId: accountRow.id, accountName: accountRow.name, concept },
          now,
        ),
      );
    }
    const accountPrimary =
      accountPrimaryInterest([...rows.values()], catalog.concepts, now)?.conceptId ?? null;
    if (accountPrimary !== accountRow.primaryInterestId) {
      operations.push(primaryInterestUpdate(account, accountRow.id, accountPrimary));
    }
  }
  let listActions = 0;
  for (const change of result.transitions) {
    const listId = catalog.conceptById.get(change.conceptId)?.listId;
    if (!listId) continue;
    const action = decideMembership({
      inSegment: change.transition === 'enter',
      inList: memberships.has(listId),
      consent: { doNotBulkEmail: person.doNotBulkEmail },
    });
    if (action === 'none') continue;
    listActions++;
    operations.push(membershipOperation(action, listId, person.id));
  }
  return { operations, profilesWritten, listActions };
}

// ── one attempt ───────────────────────────────────────────────────────────────────────────────

interface AttemptInput {
  readonly interactionId: string;
  readonly organization: string;
  readonly contactHint: string | null;
  /** The event type and time the webhook's Target names: which rule history to fold into the read. */
  readonly eventHint: { readonly eventType: number; readonly occurredOn: number } | null;
  readonly deps: HandlerDeps;
  readonly options: ResolvedOptions;
}

async function markUnscorable(
  client: DataverseClient,
  interaction: StoredInteraction,
  kind: 'ignored' | 'failed',
  reason: string,
): Promise<ScoringOutcome> {
  const status = kind === 'ignored' ? ProcessingStatus.Ignored : ProcessingStatus.Failed;
  await client.update(
    idr_interaction.entitySetName,
    interaction.id,
    finishColumns(status, { error: reason, deltas: '[]' }),
    {
      ifMatch: interaction.etag,
    },
  );
  return { kind, reason };
}

async function attempt(input: AttemptInput): Promise<ScoringOutcome> {
  const { client, clock, logger } = input.deps;
  const now = clock().getTime();
  const catalog = await input.options.cache.get(input.organization, now, () => loadCatalog(client, logger));
  const state = await readScoringState(
    client,
    input.interactionId,
    catalog,
    now,
    historyScope(catalog, input.eventHint),
    input.contactHint,
  );
  if (!state) return { kind: 'skipped', reason: 'The interaction was deleted before it was scored.' };
  const { interaction } = state;
  if (interaction.status !== null && interaction.status !== ProcessingStatus.Pending) {
    return {
      kind: 'skipped',
      reason: `The interaction is no longer Pending (status ${interaction.status}): it was processed already.`,
    };
  }
  const eventType = interaction.eventType;
  if (eventType === null || !KNOWN_EVENT_TYPES.has(eventType)) {
    return markUnscorable(
      client,
      interaction,
      'failed',
      `Event type ${eventType ?? '(empty)'} is not one Ideario scores; use one of the Event Type choices (${Object.keys(EventType).join(', ')}).`,
    );
  }
  if (interaction.occurredOn === null) {
    return markUnscorable(
      client,
      interaction,
      'failed',
      'The interaction has no "Occurred on" date, so its points cannot be placed in time.',
    );
  }
  if (interaction.contactId === null) {
    if (interaction.accountId !== null) {
      return markUnscorable(
        client,
        interaction,
        'ignored',
        `The interaction names account ${interaction.accountId} but no contact; interest is scored per contact, so set the contact to score it.`,
      );
    }
    return markUnscorable(
      client,
      interaction,
      'failed',
      'The interaction names no contact; interest is scored per contact, so set the contact and register it again.',
    );
  }
  if (interaction.conceptId !== null && !catalog.conceptById.has(interaction.conceptId)) {
    return markUnscorable(
      client,
      interaction,
      'failed',
      `The interaction names marketing concept ${interaction.conceptId}, which is not active (or has unusable settings); activate it, or register the event without a concept.`,
    );
  }
  const contactId = interaction.contactId;
  const person = state.contact;
  if (!person) {
    return markUnscorable(client, interaction, 'failed', `Contact ${contactId} no longer exists.`);
  }

  const event = toEvent(interaction, eventType, interaction.occurredOn);
  const matched = evaluateRules(event, catalog.rules);
  if (matched.deltas.length === 0 && matched.skipped.length === 0) {
    const reason = ignoredReason(await withLabels(client, interaction, input.organization), catalog, []);
    return markUnscorable(client, interaction, 'ignored', reason);
  }
  const byId = new Map(catalog.rules.rules.map(({ rule }) => [rule.id, rule]));
  const limited = { once: [] as string[], capped: [] as string[] };
  for (const delta of matched.deltas) {
    const rule = byId.get(delta.ruleId);
    if (rule && !rule.repeatable) limited.once.push(rule.id);
    else if (rule && rule.dailyCap !== null && rule.dailyCap !== undefined) limited.capped.push(rule.id);
  }
  const accountRow = state.account;
  const history =
    limited.once.length + limited.capped.length === 0
      ? EMPTY_HISTORY
      : (foldedHistory(state, limited, event) ??
        (await readHistory(client, interaction, contactId, event, limited)));
  const profiles = state.profiles;

  const result = scoreEvent({
    event,
    rules: catalog.rules,
    concepts: catalog.concepts,
    profiles: profiles.map((p) => p.profile),
    history,
    now,
  });
  if (result.appliedDeltas.length === 0) {
    const reason = ignoredReason(
      await withLabels(client, interaction, input.organization),
      catalog,
      result.skipped,
    );
    return markUnscorable(client, interaction, 'ignored', reason);
  }

  const listIds = result.transitions.flatMap((t) => catalog.conceptById.get(t.conceptId)?.listId ?? []);
  // The read folded in the memberships of the lists of the contact's existing profiles; a list of a
  // profile this event creates is read on its own (a first event that enters a segment at once).
  const folded = state.memberships;
  const memberships =
    listIds.length === 0
      ? new Set<string>()
      : folded && listIds.every((id) => folded.lists.has(id))
        ? folded.member
        : await readMemberships(client, contactId, listIds);
  const write = buildWrites({
    interaction,
    contact: person,
    catalog,
    existing: new Map(profiles.map((p) => [p.profile.conceptId, p])),
    result,
    memberships,
    accountRow,
    now,
  });
  await client.executeBatch(write.operations, { atomic: true });
  return {
    kind: 'scored',
    contactId,
    deltas: result.appliedDeltas.length,
    profilesWritten: write.profilesWritten,
    transitions: result.transitions.map((t) => ({ conceptId: t.conceptId, transition: t.transition })),
    listActions: write.listActions,
  };
}

// ── the handler ───────────────────────────────────────────────────────────────────────────────

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Best effort: the interaction says why it was not scored, even when the reason is a platform error. */
async function recordFailure(
  client: DataverseClient,
  interactionId: string,
  reason: string,
  logger: Logger,
): Promise<void> {
  try {
    await client.update(idr_interaction.entitySetName, interactionId, {
      idr_processingstatus: ProcessingStatus.Failed,
      idr_processingerror: truncate(reason, PROCESSING_ERROR_MAX),
    } satisfies idr_interactionWrite);
  } catch (error) {
    logger.error('Could not record the scoring failure on the interaction.', {
      interaction: interactionId,
      error: describeError(error),
    });
  }
}

/**
 * The limited rules (once per contact, daily cap) of the Target's event type: the read folds in the
 * contact's earlier interactions that applied them, so the common path stays at one read.
 */
function historyScope(
  catalog: InterestCatalog,
  hint: { readonly eventType: number; readonly occurredOn: number } | null,
): HistoryScope | null {
  if (!hint) return null;
  const once: string[] = [];
  const capped: string[] = [];
  for (const { rule } of catalog.rules.rules) {
    if (rule.eventType !== hint.eventType) continue;
    if (!rule.repeatable) once.push(rule.id);
    else if (rule.dailyCap !== null && rule.dailyCap !== undefined) capped.push(rule.id);
  }
  return once.length + capped.length > 0 ? { once, capped, day: utcDay(hint.occurredOn) * DAY_MS } : null;
}

/** The history from the read, when what it folded in covers the rules that matched (else null). */
function foldedHistory(
  state: ScoringState,
  limited: { once: readonly string[]; capped: readonly string[] },
  event: InteractionEvent,
): RuleHistory | null {
  const folded = state.history;
  if (
    !folded ||
    folded.scope.day !== utcDay(event.occurredOn) * DAY_MS ||
    !limited.once.every((r) => folded.scope.once.includes(r)) ||
    !limited.capped.every((r) => folded.scope.capped.includes(r))
  ) {
    return null;
  }
  return buildRuleHistory(folded.earlier, event.occurredOn);
}

/** What the Target says of the event; null when it says nothing usable (the read then decides). */
function eventHintOf(ctx: ExecutionContext): AttemptInput['eventHint'] {
  const target = targetEntity(ctx);
  if (!target) return null;
  try {
    const eventType = getOptionValue(target, IC.idr_eventtype);
    const occurredOn = getDate(target, IC.idr_occurredon);
    return eventType === null || occurredOn === null ? null : { eventType, occurredOn: occurredOn.getTime() };
  } catch {
    return null;
  }
}

function contactHintOf(ctx: ExecutionContext): string | null {
  const target = targetEntity(ctx);
  const reference = target ? getReference(target, IC.idr_contact) : null;
  return reference ? normalizeGuid(reference.id) : null;
}

export async function scoreInteraction(
  ctx: ExecutionContext,
  deps: HandlerDeps,
  options: ResolvedOptions,
): Promise<ScoringOutcome> {
  const interactionId = ctx.primaryEntityId ? normalizeGuid(ctx.primaryEntityId) : null;
  if (!interactionId) {
    deps.logger.error('The Create.idr_interaction payload names no interaction; nothing was scored.', {
      primaryEntityId: ctx.primaryEntityId,
    });
    return { kind: 'skipped', reason: 'No interaction id in the payload.' };
  }
  // Bulk scoring (ingest, the demo, rescore) registers interactions already Scored, Ignored or Failed,
  // with their profiles written in the same changeset: the Target says so, and nothing is read.
  const target = targetEntity(ctx);
  const arrived = target ? getOptionValue(target, IC.idr_processingstatus) : null;
  if (arrived !== null && arrived !== ProcessingStatus.Pending) {
    const outcome: ScoringOutcome = {
      kind: 'skipped',
      reason: `The interaction arrived already processed (status ${arrived}) by the bulk scorer.`,
    };
    logOutcome(deps.logger, interactionId, outcome, 0);
    return outcome;
  }
  return scoreWithRetries({
    interactionId,
    organization: ctx.organizationId ?? ctx.organizationName ?? 'default',
    contactHint: contactHintOf(ctx),
    eventHint: eventHintOf(ctx),
    deps,
    options,
  });
}

/**
 * Scores one interaction by id, as the Create webhook does (the same guard: only a Pending interaction,
 * written with its etag, so a webhook delivered meanwhile and this call cannot both score it). For
 * interactions whose webhook never arrived (pending.ts).
 */
export function scoreStoredInteraction(
  interactionId: string,
  organization: string,
  deps: HandlerDeps,
  options: ResolvedOptions,
): Promise<ScoringOutcome> {
  return scoreWithRetries({
    interactionId: normalizeGuid(interactionId) ?? interactionId,
    organization,
    contactHint: null,
    // No Target to name the event: the rule history is read on its own when a limited rule matches.
    eventHint: null,
    deps,
    options,
  });
}

async function scoreWithRetries(input: AttemptInput): Promise<ScoringOutcome> {
  const { interactionId, deps, options } = input;
  for (let n = 1; ; n++) {
    try {
      const outcome = await attempt(input);
      logOutcome(deps.logger, interactionId, outcome, n);
      return outcome;
    } catch (error) {
      if (error instanceof ConcurrencyError || error instanceof DuplicateRecordError) {
        if (n >= options.maxAttempts)
          throw new ScoringConflictError(interactionId, input.contactHint ?? '(unknown)', n);
        await options.sleep(backoffMs(n, options.random));
        continue;
      }
      if (error instanceof InterestError) {
        // Bad scoring input (a rule or concept value the engine refuses): the interaction says so.
        await recordFailure(deps.client, interactionId, `Scoring failed: ${error.message}`, deps.logger);
        deps.logger.error('Interaction could not be scored.', {
          interaction: interactionId,
          error: error.message,
        });
        return { kind: 'failed', reason: error.message };
      }
      if (!isRetryable(error))
        await recordFailure(
          deps.client,
          interactionId,
          `Scoring failed: ${describeError(error)}`,
          deps.logger,
        );
      throw error;
    }
  }
}

function logOutcome(logger: Logger, interaction: string, outcome: ScoringOutcome, attempts: number): void {
  switch (outcome.kind) {
    case 'scored':
      logger.info('Interaction scored.', {
        interaction,
        contact: outcome.contactId,
        deltas: outcome.deltas,
        transitions: outcome.transitions,
        attempts,
      });
      return;
    case 'skipped':
      logger.info('Interaction not scored again.', { interaction, reason: outcome.reason });
      return;
    case 'ignored':
      logger.info('Interaction ignored.', { interaction, reason: outcome.reason });
      return;
    case 'failed':
      logger.warn('Interaction marked Failed.', { interaction, reason: outcome.reason });
  }
}

export function interactionCreatedHandler(options: ResolvedOptions): HandlerDefinition {
  return defineHandler({
    solution: 'IdearioInterests',
    message: 'Create',
    entity: idr_interaction.logicalName,
    stage: 40,
    mode: 1,
    handle: async (ctx, deps) => {
      await scoreInteraction(ctx, deps, options);
    },
  });
}
