/**
 * For the group-quotation tests: an emulated organisation (createTestOrg) whose solution steps are
 * dispatched in process to these handlers, plus the people a quotation needs and a way to count the
 * writes made to an opportunity. Test code only: it imports the emulator from tools/.
 */
import type { EntityRecord } from '../../../dataverse/client';
import { account, contact, Language, opportunity, systemuser } from '../../../dataverse/generated';
import { memoryLogger } from '../../../dataverse/logger';
import { InProcessClient } from '../../../tools/emulator/inprocess-client';
import { createTestOrg, type TestOrg } from '../../../tools/emulator/testing';
import { attachInProcessWebhooks, type Webhooks } from '../../../tools/emulator/webhooks';
import type { HandlerDefinition } from '../../registry';
import { createEnforcementHandlers } from './enforcement';
import type { GroupQuotesSettings } from './settings';
import { DEFAULT_SETTINGS } from './settings';

export interface QuoteOrg extends TestOrg {
  readonly webhooks: Webhooks;
  readonly logger: ReturnType<typeof memoryLogger>;
  /** Runs the queued asynchronous steps (and what they queue) to the end. */
  runAsyncSteps(): Promise<void>;
  /** Writes (Update messages) to opportunities so far, per opportunity id. */
  opportunityUpdates(id: string): number;
}

export function createQuoteOrg(
  options: {
    start?: Date;
    settings?: Partial<GroupQuotesSettings>;
    handlers?: readonly HandlerDefinition[];
  } = {},
): QuoteOrg {
  const logger = memoryLogger();
  const settings: GroupQuotesSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const handlers = options.handlers ?? createEnforcementHandlers({ settings: () => settings });
  let webhooks: Webhooks | undefined;
  const updates = new Map<string, number>();
  const org = createTestOrg({
    start: options.start,
    logger,
    dispatch: ({ engine, clock }) => {
      webhooks = attachInProcessWebhooks(engine, {
        handlers,
        clock: clock.now,
        logger,
        clientFor: (callback) =>
          new InProcessClient(engine, {
            depth: callback.depth,
            correlationId: callback.correlationId,
            userId: callback.userId,
          }),
      });
      const unsubscribe = engine.pipeline.subscribe({
        afterCommit(event) {
          if (event.message === 'Update' && event.entityName === opportunity.logicalName) {
            updates.set(event.id, (updates.get(event.id) ?? 0) + 1);
          }
        },
      });
      return () => {
        unsubscribe();
        void webhooks?.close();
      };
    },
  });
  if (!webhooks) throw new TypeError('createTestOrg did not call dispatch');
  const wired = webhooks;
  return {
    ...org,
    webhooks: wired,
    logger,
    async runAsyncSteps() {
      await org.settle();
      await wired.drainJobs();
      await org.settle();
    },
    opportunityUpdates: (id) => updates.get(id) ?? 0,
  };
}

export interface People {
  ownerId: string;
  agentId: string;
  agencyId: string;
}

export async function createPeople(
  org: TestOrg,
  options: { agentLanguage?: 'en' | 'es'; agentEmail?: string | null } = {},
): Promise<People> {
  const { client } = org;
  const ownerId = await client.create(systemuser.entitySetName, {
    [systemuser.columns.fullname]: 'Marta Gil',
    [systemuser.columns.internalemailaddress]: 'marta.gil@hotel.example',
  });
  const agencyId = await client.create(account.entitySetName, { [account.columns.name]: 'Viajes Sol' });
  const agentRecord: EntityRecord = {
    [contact.columns.firstname]: 'Ana',
    [contact.columns.lastname]: 'Ruiz',
    [contact.columns.emailaddress1]:
      options.agentEmail === undefined ? 'ana.ruiz@viajessol.example' : options.agentEmail,
    [contact.columns.telephone1]: '+34 911 000 111',
    [contact.columns.idr_language]: options.agentLanguage === 'es' ? Language.Spanish : Language.English,
  };
  const agentId = await client.create(contact.entitySetName, agentRecord);
  return { ownerId, agentId, agencyId };
}

/** The lookups of a quotation to those people, in Web API bind form. */
export function quotationParties(people: People): EntityRecord {
  const c = opportunity.columns;
  return {
    [`${c.ownerid}@odata.bind`]: `/${systemuser.entitySetName}(${people.ownerId})`,
    [`${c.idr_agent}@odata.bind`]: `/${contact.entitySetName}(${people.agentId})`,
    [`${c.idr_agency}@odata.bind`]: `/${account.entitySetName}(${people.agencyId})`,
  };
}
