/**
 * An emulated organisation with Ideario's real solution/, the IdearioInterests handlers behind the emulator's webhook
 * dispatcher (in process: the same verify → parse → dispatch the host runs), and helpers to seed the
 * catalogue and contacts. Every webhook request the emulator sends is recorded, so a test can deliver
 * it again (replays) or hold a batch of them back and deliver them all at once (concurrency).
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  account,
  contact,
  EventType,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
  list,
  listmember,
} from '../../../dataverse/generated';
import { memoryLogger } from '../../../dataverse/logger';
import { seededRandom } from '../../../domain/random';
import { SystemJobs } from '../jobs/system-jobs';
import { InProcessClient } from '../inprocess-client';
import { createTestOrg, type TestClock, type TestOrg } from './index';
import { WebhookDispatcher } from '../webhooks/dispatcher';
import {
  type CallbackContext,
  inProcessTransport,
  type OutgoingWebhook,
  type WebhookReply,
} from '../webhooks/transport';
import { createRegistry, type HandlerDefinition } from '../../../plugins/registry';
import { CatalogCache } from '../../../plugins/handlers/interests/catalog';
import { createInterestsPlugins, type InterestsPlugins } from '../../../plugins/handlers/interests/index';
import { bind, lookupValue, recordUrl } from '../../../plugins/handlers/interests/records';
import type { InterestsOptions } from '../../../plugins/handlers/interests/settings';

export interface Delivery {
  readonly request: OutgoingWebhook;
  readonly callback: CallbackContext;
}

export interface InterestsOrgOptions {
  readonly start?: Date;
  /** Knobs of the handlers; a fresh rule cache, no real waiting and a fixed random source by default. */
  readonly plugins?: InterestsOptions;
  /** Wraps the client each handler call gets (throttling, request counting). */
  readonly wrapClient?: (client: DataverseClient) => DataverseClient;
  /** Replaces the handlers (the bench's naive baseline). */
  readonly handlers?: (plugins: InterestsPlugins) => readonly HandlerDefinition[];
}

export interface InterestsOrg {
  readonly org: TestOrg;
  readonly client: InProcessClient;
  readonly clock: TestClock;
  readonly plugins: InterestsPlugins;
  readonly logger: ReturnType<typeof memoryLogger>;
  /** Every webhook request delivered so far, in order. */
  readonly delivered: Delivery[];
  /** Runs every queued system job (webhook deliveries, and what they queue) to completion. */
  drain(): Promise<void>;
  /** Drains, but answers every delivery 200 without running it; returns them for the test to deliver. */
  hold(): Promise<Delivery[]>;
  /** Delivers one request through the in-process host (verify → parse → dispatch). */
  deliver(delivery: Delivery): Promise<WebhookReply>;
  close(): void;
}

const KEY = 'interests-test-key';

/** Yields to other deliveries instead of waiting: tests interleave without real time passing. */
export const yieldOnly = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createInterestsOrg(options: InterestsOrgOptions = {}): InterestsOrg {
  const logger = memoryLogger();
  const plugins = createInterestsPlugins({
    cache: new CatalogCache(),
    sleep: yieldOnly,
    random: seededRandom(7),
    ...options.plugins,
  });
  const handlers = createRegistry(options.handlers ? options.handlers(plugins) : plugins.handlers);
  const delivered: Delivery[] = [];
  let holding: Delivery[] | null = null;
  let jobs: SystemJobs | undefined;
  let inner: ReturnType<typeof inProcessTransport> | undefined;
  const org = createTestOrg({
    start: options.start,
    logger,
    dispatch: ({ engine, clock }) => {
      inner = inProcessTransport({
        handlers,
        clientFor: (callback) => {
          const client = new InProcessClient(engine, {
            depth: callback.depth,
            correlationId: callback.correlationId,
            userId: callback.userId,
          });
          return options.wrapClient ? options.wrapClient(client) : client;
        },
        clock: clock.now,
        logger,
        secrets: { type: 'WebhookKey', key: KEY },
      });
      const transport = inner;
      jobs = new SystemJobs({ engine, clock: clock.now, logger });
      const dispatcher = new WebhookDispatcher({
        engine,
        jobs,
        logger,
        settings: { url: 'http://in-process.invalid', key: KEY },
        transport: {
          send(request, callback) {
            const delivery = { request, callback };
            if (holding) {
              holding.push(delivery);
              return Promise.resolve({ status: 200, body: '{"ok":true,"held":true}' });
            }
            delivered.push(delivery);
            return transport.send(request, callback);
          },
        },
      }).attach();
      return () => dispatcher.detach();
    },
  });
  const requireJobs = (): SystemJobs => {
    if (!jobs || !inner) throw new Error('The webhook dispatcher was not attached.');
    return jobs;
  };
  return {
    org,
    client: org.client,
    clock: org.clock,
    plugins,
    logger,
    delivered,
    drain: () => requireJobs().drain(),
    async hold() {
      holding = [];
      try {
        await requireJobs().drain();
        return holding;
      } finally {
        holding = null;
      }
    },
    deliver(delivery) {
      requireJobs();
      delivered.push(delivery);
      return inner!.send(delivery.request, delivery.callback);
    },
    close: () => org.close(),
  };
}

// ── seeding ───────────────────────────────────────────────────────────────────────────────────

const MC = idr_marketingconcept.columns;
const RC = idr_interactionrule.columns;
const IC = idr_interaction.columns;
const PC = idr_interestprofile.columns;
const CC = contact.columns;

export interface ConceptSeed {
  readonly code: string;
  readonly enter?: number;
  readonly exit?: number;
  readonly halfLifeDays?: number;
  /** Give the concept a marketing list (its segment); default yes. */
  readonly withList?: boolean;
  readonly active?: boolean;
}

export async function seedConcept(
  client: DataverseClient,
  seed: ConceptSeed,
): Promise<{ id: string; listId: string | null }> {
  let listId: string | null = null;
  if (seed.withList ?? true) {
    listId = await client.create(list.entitySetName, {
      [list.columns.listname]: `Segment ${seed.code}`,
      [list.columns.createdfromcode]: list.choices.createdfromcode.Contact,
    });
  }
  const record: EntityRecord = {
    [MC.idr_name]: `Concept ${seed.code}`,
    [MC.idr_code]: seed.code,
    [MC.idr_halflifedays]: seed.halfLifeDays ?? 30,
    [MC.idr_enterthreshold]: seed.enter ?? 10,
    [MC.idr_exitthreshold]: seed.exit ?? 5,
  };
  if (listId) record[bind(MC.idr_marketinglist)] = recordUrl(list.entitySetName, listId);
  if (seed.active === false) {
    record[MC.statecode] = idr_marketingconcept.choices.statecode.Inactive;
    record[MC.statuscode] = idr_marketingconcept.choices.statuscode.Inactive;
  }
  const id = await client.create(idr_marketingconcept.entitySetName, record);
  return { id, listId };
}

export interface RuleSeed {
  readonly concept: string;
  readonly eventType?: number;
  readonly points: number;
  readonly match?: string;
  readonly repeatable?: boolean;
  readonly dailyCap?: number;
  readonly name?: string;
}

export async function seedRule(client: DataverseClient, seed: RuleSeed): Promise<string> {
  const record: EntityRecord = {
    [RC.idr_name]: seed.name ?? `Rule ${seed.points}`,
    [RC.idr_eventtype]: seed.eventType ?? EventType.EmailClick,
    [bind(RC.idr_concept)]: recordUrl(idr_marketingconcept.entitySetName, seed.concept),
    [RC.idr_points]: seed.points,
  };
  if (seed.match !== undefined) record[RC.idr_match] = seed.match;
  if (seed.repeatable !== undefined) record[RC.idr_repeatable] = seed.repeatable;
  if (seed.dailyCap !== undefined) record[RC.idr_dailycap] = seed.dailyCap;
  return client.create(idr_interactionrule.entitySetName, record);
}

export async function seedContact(
  client: DataverseClient,
  seed: { name: string; doNotBulkEmail?: boolean; accountId?: string },
): Promise<string> {
  const record: EntityRecord = {
    [CC.fullname]: seed.name,
    [CC.lastname]: seed.name,
    [CC.donotbulkemail]: seed.doNotBulkEmail ?? false,
  };
  if (seed.accountId)
    record[`${CC.parentcustomerid}_${account.logicalName}@odata.bind`] = recordUrl(
      account.entitySetName,
      seed.accountId,
    );
  return client.create(contact.entitySetName, record);
}

export function seedAccount(client: DataverseClient, name: string): Promise<string> {
  return client.create(account.entitySetName, { [account.columns.name]: name });
}

let externalCounter = 0;

export interface InteractionSeed {
  readonly contactId?: string;
  readonly accountId?: string;
  readonly eventType?: number;
  readonly occurredOn: Date;
  readonly url?: string;
  readonly conceptId?: string;
  readonly externalId?: string;
}

export function seedInteraction(client: DataverseClient, seed: InteractionSeed): Promise<string> {
  const record: EntityRecord = {
    [IC.idr_name]: 'test event',
    [IC.idr_source]: 'test',
    [IC.idr_externalid]: seed.externalId ?? `evt-${++externalCounter}`,
    [IC.idr_eventtype]: seed.eventType ?? EventType.EmailClick,
    [IC.idr_occurredon]: seed.occurredOn.toISOString(),
  };
  if (seed.contactId) record[bind(IC.idr_contact)] = recordUrl(contact.entitySetName, seed.contactId);
  if (seed.accountId) record[bind(IC.idr_account)] = recordUrl(account.entitySetName, seed.accountId);
  if (seed.url !== undefined) record[IC.idr_url] = seed.url;
  if (seed.conceptId)
    record[bind(IC.idr_concept)] = recordUrl(idr_marketingconcept.entitySetName, seed.conceptId);
  return client.create(idr_interaction.entitySetName, record);
}

// ── reading back ──────────────────────────────────────────────────────────────────────────────

export async function profileOf(
  client: DataverseClient,
  contactId: string,
  conceptId: string,
): Promise<EntityRecord | null> {
  const rows = await client.retrieveMultiple(idr_interestprofile.entitySetName, {
    filter: `${lookupValue(PC.idr_contact)} eq ${contactId} and ${lookupValue(PC.idr_concept)} eq ${conceptId}`,
  });
  if (rows.length > 1)
    throw new Error(
      `Contact ${contactId} has ${rows.length} profiles for concept ${conceptId}; the alternate key allows one.`,
    );
  return rows[0] ?? null;
}

export async function listMembers(client: DataverseClient, listId: string): Promise<string[]> {
  const rows = await client.retrieveMultiple(listmember.entitySetName, {
    select: [lookupValue(listmember.columns.entityid)],
    filter: `${lookupValue(listmember.columns.listid)} eq ${listId}`,
  });
  return rows.map((r) => String(r[lookupValue(listmember.columns.entityid)])).sort();
}
