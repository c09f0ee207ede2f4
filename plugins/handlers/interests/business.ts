/**
 * CRM activity counts as interest: an opportunity, a case, a complaint or a fulfilled order registers
 * an interaction for the customer, which the Create.idr_interaction step then scores like any
 * marketing event. Each is created by alternate key (idr_source 'Dataverse', idr_externalid
 * `<table>:<id>[:complaint]`) with `If-None-Match: *`, so a retried or replayed step finds the row
 * already there and changes nothing (an upsert would rewrite it and could reset its status).
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import { DuplicateRecordError } from '../../../dataverse/errors';
import {
  account,
  campaign,
  contact,
  EventType,
  idr_interaction,
  incident,
  opportunity,
  salesorder,
  type incidentRecord,
  type opportunityRecord,
  type salesorderRecord,
  type idr_interactionWrite,
  type EventTypeValue,
} from '../../../dataverse/generated';
import {
  type EntityImage,
  type EntityReference,
  getBoolean,
  getDate,
  getOptionValue,
  getReference,
  getString,
  targetEntity,
} from '../../host/parse';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import {
  FORMATTED,
  IC,
  idValue,
  lookupValue,
  NAME_MAX,
  recordUrl,
  textValue,
  timeValue,
  truncate,
} from './records';

/** `idr_source` of interactions this solution registers itself. */
export const DATAVERSE_SOURCE = 'Dataverse';
export const COMPLAINT_SUFFIX = 'complaint';

export interface Customer {
  readonly contactId: string | null;
  readonly accountId: string | null;
}

export interface Registration {
  readonly table: string;
  readonly recordId: string;
  readonly suffix?: string;
  readonly eventType: EventTypeValue;
  readonly name: string;
  readonly occurredOn: Date;
  readonly customer: Customer;
  readonly campaignId?: string | null;
  readonly caseSubject?: string | null;
}

export function externalId(table: string, recordId: string, suffix?: string): string {
  return `${table}:${recordId}${suffix ? `:${suffix}` : ''}`;
}

/** The parts of an `externalId()`; null when `value` is not one (no table or no record id). */
export function parseExternalId(
  value: string | null | undefined,
): { table: string; recordId: string; suffix?: string } | null {
  const [table, recordId, ...rest] = (value ?? '').split(':');
  if (!table || !recordId) return null;
  const suffix = rest.join(':');
  return suffix ? { table, recordId, suffix } : { table, recordId };
}

export type RegistrationResult = 'created' | 'exists' | 'no-customer';

export async function registerInteraction(
  deps: HandlerDeps,
  registration: Registration,
): Promise<RegistrationResult> {
  const { customer } = registration;
  const external = externalId(registration.table, registration.recordId, registration.suffix);
  if (!customer.contactId && !customer.accountId) {
    deps.logger.info('No customer to register an interaction for.', { record: external });
    return 'no-customer';
  }
  const key = { [IC.idr_source]: DATAVERSE_SOURCE, [IC.idr_externalid]: external };
  const record: idr_interactionWrite = {
    idr_source: DATAVERSE_SOURCE,
    idr_externalid: external,
    idr_name: truncate(registration.name, NAME_MAX),
    idr_eventtype: registration.eventType,
    idr_occurredon: registration.occurredOn.toISOString(),
  };
  if (customer.contactId)
    record['idr_contact@odata.bind'] = recordUrl(contact.entitySetName, customer.contactId);
  if (customer.accountId)
    record['idr_account@odata.bind'] = recordUrl(account.entitySetName, customer.accountId);
  if (registration.campaignId)
    record['idr_campaign@odata.bind'] = recordUrl(campaign.entitySetName, registration.campaignId);
  if (registration.caseSubject) record.idr_casesubject = truncate(registration.caseSubject, NAME_MAX);
  try {
    const { id } = await deps.client.upsert(idr_interaction.entitySetName, key, record, { createOnly: true });
    deps.logger.info('Interaction registered for CRM activity.', { record: external, interaction: id });
    return 'created';
  } catch (error) {
    if (!(error instanceof DuplicateRecordError)) throw error;
    deps.logger.info('Interaction for this CRM activity was registered already; nothing changed.', {
      record: external,
    });
    return 'exists';
  }
}

// ── customers ─────────────────────────────────────────────────────────────────────────────────

function idOf(reference: EntityReference | null, logicalName?: string): string | null {
  if (!reference || (logicalName !== undefined && reference.logicalName !== logicalName)) return null;
  return normalizeGuid(reference.id);
}

/** A customer lookup read back through the Web API carries no table; a contact is tried first. */
async function customerFromId(client: DataverseClient, id: string | null): Promise<Customer> {
  if (!id) return { contactId: null, accountId: null };
  if (await client.retrieve(contact.entitySetName, id, [contact.columns.contactid]))
    return { contactId: id, accountId: null };
  if (await client.retrieve(account.entitySetName, id, [account.columns.accountid]))
    return { contactId: null, accountId: id };
  return { contactId: null, accountId: null };
}

function withFallbackContact(customer: Customer, contactId: string | null): Customer {
  return customer.contactId || !contactId ? customer : { ...customer, contactId };
}

/** Reads one record with formatted values (lookup names), or null when it is gone. */
async function readRecord<R extends EntityRecord>(
  client: DataverseClient,
  entitySet: string,
  idColumn: string,
  id: string,
  select: readonly string[],
): Promise<R | null> {
  const records = await client.retrieveMultiple(entitySet, {
    select,
    filter: `${idColumn} eq ${id}`,
    top: 1,
    formattedValues: true,
  });
  return (records[0] as R | undefined) ?? null;
}

function occurredOn(ctx: ExecutionContext, deps: HandlerDeps, ...candidates: (Date | number | null)[]): Date {
  for (const candidate of candidates) {
    if (candidate === null) continue;
    return typeof candidate === 'number' ? new Date(candidate) : candidate;
  }
  return ctx.operationCreatedOn ?? deps.clock();
}

function recordIdOf(ctx: ExecutionContext): string | null {
  return ctx.primaryEntityId ? normalizeGuid(ctx.primaryEntityId) : null;
}

// ── opportunity ───────────────────────────────────────────────────────────────────────────────

const O = opportunity.columns;

async function opportunityCreated(ctx: ExecutionContext, deps: HandlerDeps): Promise<void> {
  const id = recordIdOf(ctx);
  if (!id) return;
  const target = targetEntity(ctx);
  let registration: Registration;
  if (target && !ctx.sizeExceeded) {
    const customer = getReference(target, O.customerid);
    registration = {
      table: opportunity.logicalName,
      recordId: id,
      eventType: EventType.OpportunityCreated,
      name: `Opportunity created: ${getString(target, O.name) ?? id}`,
      occurredOn: occurredOn(ctx, deps, getDate(target, O.createdon)),
      customer: {
        contactId: idOf(getReference(target, O.parentcontactid)) ?? idOf(customer, contact.logicalName),
        accountId: idOf(customer, account.logicalName) ?? idOf(getReference(target, O.parentaccountid)),
      },
      campaignId: idOf(getReference(target, O.campaignid)),
    };
  } else {
    const record = await readRecord<opportunityRecord>(
      deps.client,
      opportunity.entitySetName,
      O.opportunityid,
      id,
      [
        O.name,
        O.createdon,
        lookupValue(O.customerid),
        lookupValue(O.parentcontactid),
        lookupValue(O.parentaccountid),
        lookupValue(O.campaignid),
      ],
    );
    if (!record) return;
    const customer = await customerFromId(deps.client, idValue(record._customerid_value));
    registration = {
      table: opportunity.logicalName,
      recordId: id,
      eventType: EventType.OpportunityCreated,
      name: `Opportunity created: ${textValue(record.name) ?? id}`,
      occurredOn: occurredOn(ctx, deps, timeValue(record.createdon)),
      customer: {
        contactId: idValue(record._parentcontactid_value) ?? customer.contactId,
        accountId: customer.accountId ?? idValue(record._parentaccountid_value),
      },
      campaignId: idValue(record._campaignid_value),
    };
  }
  await registerInteraction(deps, registration);
}

// ── incident ──────────────────────────────────────────────────────────────────────────────────

const I = incident.columns;

interface CaseFacts {
  readonly title: string;
  readonly subject: string | null;
  readonly customer: Customer;
  readonly createdOn: Date | number | null;
  readonly isComplaint: boolean;
}

function caseFromTarget(target: EntityImage, id: string): CaseFacts {
  const customer = getReference(target, I.customerid);
  return {
    title: getString(target, I.title) ?? id,
    subject: getReference(target, I.subjectid)?.name ?? null,
    customer: withFallbackContact(
      { contactId: idOf(customer, contact.logicalName), accountId: idOf(customer, account.logicalName) },
      idOf(getReference(target, I.primarycontactid)),
    ),
    createdOn: getDate(target, I.createdon),
    isComplaint: getBoolean(target, I.idr_iscomplaint) === true,
  };
}

async function readCase(client: DataverseClient, id: string): Promise<CaseFacts | null> {
  const record = await readRecord<incidentRecord>(client, incident.entitySetName, I.incidentid, id, [
    I.title,
    I.createdon,
    I.idr_iscomplaint,
    lookupValue(I.customerid),
    lookupValue(I.primarycontactid),
    lookupValue(I.subjectid),
  ]);
  if (!record) return null;
  const customer = await customerFromId(client, idValue(record._customerid_value));
  return {
    title: textValue(record.title) ?? id,
    subject: textValue(record[`_subjectid_value${FORMATTED}`]),
    customer: withFallbackContact(customer, idValue(record._primarycontactid_value)),
    createdOn: timeValue(record.createdon),
    isComplaint: record.idr_iscomplaint === true,
  };
}

function complaint(ctx: ExecutionContext, deps: HandlerDeps, id: string, facts: CaseFacts): Registration {
  return {
    table: incident.logicalName,
    recordId: id,
    suffix: COMPLAINT_SUFFIX,
    eventType: EventType.Complaint,
    name: `Complaint: ${facts.title}`,
    occurredOn: occurredOn(ctx, deps),
    customer: facts.customer,
    caseSubject: facts.subject,
  };
}

async function caseCreated(ctx: ExecutionContext, deps: HandlerDeps): Promise<void> {
  const id = recordIdOf(ctx);
  if (!id) return;
  const target = targetEntity(ctx);
  const facts = target && !ctx.sizeExceeded ? caseFromTarget(target, id) : await readCase(deps.client, id);
  if (!facts) return;
  await registerInteraction(deps, {
    table: incident.logicalName,
    recordId: id,
    eventType: EventType.CaseOpened,
    name: `Case opened: ${facts.title}`,
    occurredOn: occurredOn(ctx, deps, facts.createdOn),
    customer: facts.customer,
    caseSubject: facts.subject,
  });
  // A case saved as a complaint from the start never fires the Update step.
  if (facts.isComplaint) await registerInteraction(deps, complaint(ctx, deps, id, facts));
}

async function caseUpdated(ctx: ExecutionContext, deps: HandlerDeps): Promise<void> {
  const id = recordIdOf(ctx);
  const target = targetEntity(ctx);
  if (!id) return;
  // The step filters on idr_iscomplaint; only a case that becomes a complaint registers one.
  if (target && !ctx.sizeExceeded && getBoolean(target, I.idr_iscomplaint) !== true) return;
  const facts = await readCase(deps.client, id);
  if (!facts?.isComplaint) return;
  await registerInteraction(deps, complaint(ctx, deps, id, facts));
}

// ── sales order ───────────────────────────────────────────────────────────────────────────────

const S = salesorder.columns;
const FULFILLED = salesorder.choices.statecode.Fulfilled;

async function orderUpdated(ctx: ExecutionContext, deps: HandlerDeps): Promise<void> {
  const id = recordIdOf(ctx);
  const target = targetEntity(ctx);
  if (!id) return;
  if (target && !ctx.sizeExceeded && getOptionValue(target, S.statecode) !== FULFILLED) return;
  const record = await readRecord<salesorderRecord>(
    deps.client,
    salesorder.entitySetName,
    S.salesorderid,
    id,
    [S.name, S.statecode, S.datefulfilled, lookupValue(S.customerid)],
  );
  if (!record || record.statecode !== FULFILLED) return;
  await registerInteraction(deps, {
    table: salesorder.logicalName,
    recordId: id,
    eventType: EventType.OrderConfirmed,
    name: `Order fulfilled: ${textValue(record.name) ?? id}`,
    occurredOn: occurredOn(ctx, deps, timeValue(record.datefulfilled)),
    customer: await customerFromId(deps.client, idValue(record._customerid_value)),
  });
}

export function businessEventHandlers(): HandlerDefinition[] {
  const common = { solution: 'IdearioInterests', stage: 40, mode: 1 } as const;
  return [
    defineHandler({
      ...common,
      message: 'Create',
      entity: opportunity.logicalName,
      handle: opportunityCreated,
    }),
    defineHandler({ ...common, message: 'Create', entity: incident.logicalName, handle: caseCreated }),
    defineHandler({
      ...common,
      message: 'Update',
      entity: incident.logicalName,
      filteringAttributes: [I.idr_iscomplaint],
      handle: caseUpdated,
    }),
    defineHandler({
      ...common,
      message: 'Update',
      entity: salesorder.logicalName,
      filteringAttributes: [S.statecode],
      handle: orderUpdated,
    }),
  ];
}
