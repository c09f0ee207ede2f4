/**
 * The activities a follow-up creates regarding the opportunity: emails (sent with SendEmail), phone
 * calls and tasks, with their activity parties. Records in the Web API shape ("Create a table row
 * using the Web API": party lists travel as `<activity>_activity_parties`, a deep insert).
 */
import type { DataverseClient, EntityRecord, NewRecord } from '../../../dataverse/client';
import {
  activityparty,
  email,
  opportunity,
  phonecall,
  systemuser,
  task,
  contact,
} from '../../../dataverse/generated';
import { type DateOnly, formatDateOnly } from '../../../domain/quotation';
import { bindName } from './record';

const MASK = activityparty.choices.participationtypemask;

export interface Party {
  role: 'from' | 'to' | 'cc';
  table: 'systemuser' | 'contact';
  id: string;
}

const ROLE_MASKS: Record<Party['role'], number> = {
  from: MASK.Sender,
  to: MASK.ToRecipient,
  cc: MASK.CCRecipient,
};
const PARTY_SETS: Record<Party['table'], string> = {
  systemuser: systemuser.entitySetName,
  contact: contact.entitySetName,
};

function partyEntries(parties: readonly Party[]): EntityRecord[] {
  return parties.map((p) => ({
    [`partyid_${p.table}@odata.bind`]: `/${PARTY_SETS[p.table]}(${p.id})`,
    participationtypemask: ROLE_MASKS[p.role],
  }));
}

/** A deep insert: activityparty rows cannot be created on their own, only with their activity. */
function withParties(record: EntityRecord, property: string, parties: readonly Party[]): NewRecord {
  return { ...record, [property]: partyEntries(parties) };
}

/** Due dates are days; noon UTC shows the same calendar day in every zone from UTC−11 to UTC+11. */
export function dueDateTime(day: DateOnly): string {
  return `${formatDateOnly(day)}T12:00:00Z`;
}

interface Common {
  opportunityId: string;
  subject: string;
  /** The user the activity is assigned to (the quotation's owner), when it is a user. */
  ownerUserId: string | null;
  parties: readonly Party[];
}

interface ActivityTable {
  logicalName: string;
  columns: { subject: string; regardingobjectid: string; ownerid: string };
}

function base(common: Common, table: ActivityTable): EntityRecord {
  const c = table.columns;
  // Dataverse names the regarding navigation after the relationship: regardingobjectid_opportunity_email.
  const regarding = `${c.regardingobjectid}_${opportunity.logicalName}_${table.logicalName}`;
  const record: EntityRecord = {
    [c.subject]: common.subject,
    [bindName(regarding)]: `/${opportunity.entitySetName}(${common.opportunityId})`,
  };
  if (common.ownerUserId) record[bindName(c.ownerid)] = `/${systemuser.entitySetName}(${common.ownerUserId})`;
  return record;
}

/** Creates a draft email; returns its id. */
export async function createEmail(
  client: DataverseClient,
  input: Common & { html: string },
): Promise<string> {
  const c = email.columns;
  const record = base(input, email);
  record[c.description] = input.html;
  record[c.directioncode] = true;
  return client.create(
    email.entitySetName,
    withParties(record, `${email.logicalName}_activity_parties`, input.parties),
  );
}

/** "Send an email using the Web API": SendEmail bound to the email; IssueSend true delivers it. */
export async function sendEmail(client: DataverseClient, emailId: string): Promise<void> {
  await client.executeAction(
    'SendEmail',
    { IssueSend: true },
    { entitySet: email.entitySetName, id: emailId },
  );
}

export async function createPhoneCall(
  client: DataverseClient,
  input: Common & { description: string; phoneNumber: string | null; dueOn: DateOnly },
): Promise<string> {
  const c = phonecall.columns;
  const record = base(input, phonecall);
  record[c.description] = input.description;
  record[c.directioncode] = true;
  record[c.scheduledend] = dueDateTime(input.dueOn);
  if (input.phoneNumber) record[c.phonenumber] = input.phoneNumber;
  return client.create(
    phonecall.entitySetName,
    withParties(record, `${phonecall.logicalName}_activity_parties`, input.parties),
  );
}

export async function createTask(
  client: DataverseClient,
  input: Omit<Common, 'parties'> & { description: string; dueOn: DateOnly },
): Promise<string> {
  const c = task.columns;
  const record = base({ ...input, parties: [] }, task);
  record[c.description] = input.description;
  record[c.scheduledend] = dueDateTime(input.dueOn);
  return client.create(task.entitySetName, record);
}
