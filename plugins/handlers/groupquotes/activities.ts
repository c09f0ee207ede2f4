/**
 * The activities a follow-up creates regarding the opportunity: emails (sent with SendEmail), phone
 * calls and tasks, with their activity parties. Records in the Web API shape ("Create a table row
 * using the Web API": party lists travel as `<activity>_activity_parties`, a deep insert).
 */
import type { DataverseClient } from '../../../dataverse/client';
import {
  activityparty,
  email,
  opportunity,
  phonecall,
  systemuser,
  task,
  contact,
  type activitypartyWrite,
  type emailWrite,
  type phonecallWrite,
  type taskWrite,
} from '../../../dataverse/generated';
import { type DateOnly, formatDateOnly } from '../../../domain/quotation';

const MASK = activityparty.choices.participationtypemask;

export interface Party {
  role: 'from' | 'to' | 'cc';
  table: 'systemuser' | 'contact';
  id: string;
}

const ROLE_MASKS: Record<Party['role'], (typeof MASK)[keyof typeof MASK]> = {
  from: MASK.Sender,
  to: MASK.ToRecipient,
  cc: MASK.CCRecipient,
};
/** A deep insert: activityparty rows cannot be created on their own, only with their activity. */
function partyEntries(parties: readonly Party[]): activitypartyWrite[] {
  return parties.map((p) => ({
    ...(p.table === 'contact'
      ? { 'partyid_contact@odata.bind': `/${contact.entitySetName}(${p.id})` as const }
      : { 'partyid_systemuser@odata.bind': `/${systemuser.entitySetName}(${p.id})` as const }),
    participationtypemask: ROLE_MASKS[p.role],
  }));
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

/** The quotation's owner, when it is a user, as the activity's owner. */
function owner(userId: string | null): Pick<taskWrite, 'ownerid@odata.bind'> {
  return userId ? { 'ownerid@odata.bind': `/${systemuser.entitySetName}(${userId})` } : {};
}

/** Creates a draft email; returns its id. */
export async function createEmail(
  client: DataverseClient,
  input: Common & { html: string },
): Promise<string> {
  const record: emailWrite = {
    subject: input.subject,
    // Dataverse names the regarding navigation after the relationship: regardingobjectid_opportunity_email.
    'regardingobjectid_opportunity_email@odata.bind': `/${opportunity.entitySetName}(${input.opportunityId})`,
    ...owner(input.ownerUserId),
    description: input.html,
    directioncode: true,
    email_activity_parties: partyEntries(input.parties),
  };
  return client.create(email.entitySetName, record);
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
  const record: phonecallWrite = {
    subject: input.subject,
    'regardingobjectid_opportunity_phonecall@odata.bind': `/${opportunity.entitySetName}(${input.opportunityId})`,
    ...owner(input.ownerUserId),
    description: input.description,
    directioncode: true,
    scheduledend: dueDateTime(input.dueOn),
  };
  if (input.phoneNumber) record.phonenumber = input.phoneNumber;
  record.phonecall_activity_parties = partyEntries(input.parties);
  return client.create(phonecall.entitySetName, record);
}

export async function createTask(
  client: DataverseClient,
  input: Omit<Common, 'parties'> & { description: string; dueOn: DateOnly },
): Promise<string> {
  const record: taskWrite = {
    subject: input.subject,
    'regardingobjectid_opportunity_task@odata.bind': `/${opportunity.entitySetName}(${input.opportunityId})`,
    ...owner(input.ownerUserId),
    description: input.description,
    scheduledend: dueDateTime(input.dueOn),
  };
  return client.create(task.entitySetName, record);
}
