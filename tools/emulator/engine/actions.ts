/**
 * The actions and functions Ideario and its tools call, with the parameters and responses of the
 * Web API reference ("Web API Action Reference": WhoAmI, CreateMultiple, UpsertMultiple,
 * AddMemberList, RemoveMemberList, CopyDynamicListToStatic, SendEmail). Each runs in one transaction unless registered
 * otherwise; other engineers add more through `engine.registerAction`.
 */
import type { ActionRequest, Engine } from './engine';
import { registerActivityPointers } from './activity-pointers';
import { registerCampaignActions } from './campaign-actions';
import { registerInformationFunctions } from './information-functions';
import { registerTemplateActions } from './template-actions';
import { BadRequestError, ErrorCodes, InvalidEntityReferenceError, RecordNotFoundError } from './errors';
import { parseEntityReference, parseRecordAddress } from './keys';
import type { TableInfo } from './metadata';
import { RoleCatalog, type PrivilegeVerb } from './security';
import type { StoredRecord } from './values';
import { formatStoredDateTime, isLookupValue, normalizeGuid } from './values';

export function registerBuiltInActions(engine: Engine): void {
  engine.registerAction('WhoAmI', ({ engine: e, context }) => e.whoAmI(context), {
    transactional: false,
    isFunction: true,
  });
  engine.registerAction('RetrieveTotalRecordCount', retrieveTotalRecordCount, {
    transactional: false,
    isFunction: true,
  });
  // "RetrievePrincipalAccess Function": bound to a user, `systemusers(<id>)/Microsoft.Dynamics.CRM.
  // RetrievePrincipalAccess(Target=@t)?@t={"@odata.id":"accounts(<id>)"}` (teams are not modelled).
  engine.registerAction('RetrievePrincipalAccess', retrievePrincipalAccess, {
    transactional: false,
    isFunction: true,
    boundTo: 'systemuser',
  });
  engine.registerAction('CreateMultiple', createMultiple);
  engine.registerAction('UpsertMultiple', upsertMultiple);
  // "AddMemberList Action": bound to list (`lists(<id>)/Microsoft.Dynamics.CRM.AddMemberList`).
  engine.registerAction('AddMemberList', addMemberList, { boundTo: 'list' });
  engine.registerAction('RemoveMemberList', removeMemberList);
  engine.registerAction('CopyDynamicListToStatic', copyDynamicListToStatic, { boundTo: 'list' });
  engine.registerAction('SendEmail', sendEmail);
  registerCampaignActions(engine);
  registerActivityPointers(engine);
  registerTemplateActions(engine);
  registerInformationFunctions(engine);
}

function requireGuid(action: string, body: Record<string, unknown>, name: string): string {
  const value = body[name];
  const id = typeof value === 'string' ? normalizeGuid(value) : undefined;
  if (!id)
    throw new BadRequestError(`${action} needs '${name}' (a GUID); got ${JSON.stringify(value ?? null)}.`);
  return id;
}

function requireTargets(action: string, body: Record<string, unknown>): Record<string, unknown>[] {
  const targets = body.Targets;
  if (
    !Array.isArray(targets) ||
    targets.some((t) => typeof t !== 'object' || t === null || Array.isArray(t))
  ) {
    throw new BadRequestError(`${action} needs 'Targets': an array of records, each with '@odata.type'.`);
  }
  return targets as Record<string, unknown>[];
}

/** Every item of Targets names its table with `@odata.type` (UpsertMultiple reference: "You must specify…"). */
function tableOfTarget(
  engine: Engine,
  action: string,
  target: Record<string, unknown>,
  bound: TableInfo | undefined,
): TableInfo {
  const type = target['@odata.type'];
  if (typeof type !== 'string' || !type.startsWith('Microsoft.Dynamics.CRM.')) {
    throw new BadRequestError(
      `${action}: every item of Targets needs "@odata.type": "Microsoft.Dynamics.CRM.<table>".`,
    );
  }
  const table = engine.metadata.table(type.slice('Microsoft.Dynamics.CRM.'.length));
  if (bound && bound.logicalName !== table.logicalName) {
    throw new BadRequestError(
      `${action} is bound to ${bound.entitySetName} but a target is ${table.logicalName}: all Targets must be of the bound table.`,
    );
  }
  return table;
}

async function createMultiple({ engine, body, bound, name }: ActionRequest): Promise<{ Ids: string[] }> {
  const ids: string[] = [];
  for (const target of requireTargets(name, body)) {
    const table = tableOfTarget(engine, name, target, bound?.table);
    ids.push(await engine.create(table.entitySetName, target));
  }
  return { Ids: ids };
}

/** Targets are addressed by `@odata.id` (`set(key='value')`) or their primary key; the action returns 204. */
async function upsertMultiple({ engine, body, bound, name }: ActionRequest): Promise<undefined> {
  for (const target of requireTargets(name, body)) {
    const table = tableOfTarget(engine, name, target, bound?.table);
    const odataId = target['@odata.id'];
    const { ['@odata.id']: _id, ...record } = target;
    if (typeof odataId === 'string') {
      const address = parseRecordAddress(odataId);
      if (engine.metadata.table(address.entitySet).logicalName !== table.logicalName) {
        throw new BadRequestError(`${name}: '@odata.id' ${odataId} is not a ${table.logicalName} record.`);
      }
      await engine.upsert(table.entitySetName, address.key, record);
      continue;
    }
    const id = record[table.primaryId];
    if (typeof id !== 'string') {
      throw new BadRequestError(
        `${name}: each target needs '@odata.id' ("${table.entitySetName}(<key>='<value>')") or '${table.primaryId}'.`,
      );
    }
    await engine.upsert(table.entitySetName, id, record);
  }
  return undefined;
}

/** list.createdfromcode: the member type of a marketing list (account 1, contact 2, lead 4). */
const MEMBER_TYPES: Record<number, string> = { 1: 'account', 2: 'contact', 4: 'lead' };

async function memberTable(
  engine: Engine,
  list: Record<string, unknown>,
  entityId: string,
): Promise<TableInfo> {
  const code = list.createdfromcode;
  const declared = typeof code === 'number' ? MEMBER_TYPES[code] : undefined;
  const candidates = declared ? [declared] : Object.values(MEMBER_TYPES);
  for (const name of candidates) {
    const table = engine.metadata.byLogicalName(name);
    if (!table) continue;
    try {
      await engine.retrieve(table.entitySetName, entityId, { select: [table.primaryId] });
      return table;
    } catch (error) {
      if (!(error instanceof RecordNotFoundError)) throw error;
    }
  }
  throw new RecordNotFoundError(declared ?? candidates.join('/'), entityId);
}

async function findMember(engine: Engine, listId: string, entityId: string): Promise<string | undefined> {
  const members = engine.metadata.table('listmember');
  const page = await engine.query(members.entitySetName, {
    filter: `_listid_value eq ${listId} and _entityid_value eq ${entityId}`,
    select: [members.primaryId],
    top: 1,
  });
  const id = page.records[0]?.[members.primaryId];
  return typeof id === 'string' ? id : undefined;
}

/**
 * The bound list + `{EntityId}` → a listmember row (once) and an Associate event on the list; answers
 * AddMemberListResponse `{Id}`, the listmember's id. The bound form has no ListId parameter, and
 * OData refuses a parameter the operation does not declare.
 */
async function addMemberList({ engine, body, bound, name }: ActionRequest): Promise<{ Id: string }> {
  const listId = bound?.id;
  if (listId === undefined)
    throw new BadRequestError(`${name} is bound to a list: call lists(<id>)/${name}.`);
  for (const parameter of Object.keys(body)) {
    if (parameter !== 'EntityId' && !parameter.includes('@')) {
      throw new BadRequestError(
        `The parameter '${parameter}' in the request payload is not a valid parameter for the operation '${name}'. (${name} takes only 'EntityId'; the list is the record it is bound to.)`,
        ErrorCodes.ODataParse,
      );
    }
  }
  const entityId = requireGuid(name, body, 'EntityId');
  const lists = engine.metadata.table('list');
  const members = engine.metadata.table('listmember');
  const list = await engine.retrieve(lists.entitySetName, listId);
  const member = await memberTable(engine, list, entityId);
  const existing = await findMember(engine, listId, entityId);
  if (existing) return { Id: existing };
  const record: Record<string, unknown> = {
    'listid@odata.bind': `/${lists.entitySetName}(${listId})`,
    [`entityid_${member.logicalName}@odata.bind`]: `/${member.entitySetName}(${entityId})`,
  };
  if (members.columns.get('entitytype')?.type === 'EntityName') record.entitytype = member.logicalName;
  const id = await engine.create(members.entitySetName, record);
  await engine.raiseRelationship(
    'Associate',
    { logicalName: lists.logicalName, id: listId },
    `list${member.logicalName}_association`,
    [{ logicalName: member.logicalName, id: entityId }],
  );
  return { Id: id };
}

async function removeMemberList({ engine, body, name }: ActionRequest): Promise<undefined> {
  const listId = requireGuid(name, body, 'ListId');
  const entityId = requireGuid(name, body, 'EntityId');
  const lists = engine.metadata.table('list');
  const list = await engine.retrieve(lists.entitySetName, listId);
  const existing = await findMember(engine, listId, entityId);
  if (!existing) return undefined;
  const member = await memberTable(engine, list, entityId).catch(() => undefined);
  await engine.delete(engine.metadata.table('listmember').entitySetName, existing);
  if (member) {
    await engine.raiseRelationship(
      'Disassociate',
      { logicalName: lists.logicalName, id: listId },
      `list${member.logicalName}_association`,
      [{ logicalName: member.logicalName, id: entityId }],
    );
  }
  return undefined;
}

/** Rows per FetchXML page while copying a dynamic list's members. */
const COPY_PAGE = 5000;

/**
 * "CopyDynamicListToStatic Action": bound to a dynamic list, no parameters; creates a static list and
 * adds the members the dynamic list's query finds now, and returns the new list
 * (https://learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/mt593064(v=crm.8);
 * CopyDynamicListToStaticResponse.StaticListId is its id). The copy keeps the name and member type;
 * the caller owns it.
 */
async function copyDynamicListToStatic(request: ActionRequest): Promise<Record<string, unknown>> {
  const { engine, bound, name } = request;
  const listId = bound?.id;
  if (listId === undefined)
    throw new BadRequestError(`${name} is bound to a list: call lists(<id>)/${name}.`);
  if (Object.keys(request.body).some((p) => !p.includes('@')))
    throw new BadRequestError(
      `${name} takes no parameters; the list is the record it is bound to.`,
      ErrorCodes.ODataParse,
    );
  const lists = engine.metadata.table('list');
  const source = await engine.retrieve(lists.entitySetName, listId);
  const query = source.query;
  if (source.type !== true || typeof query !== 'string' || query.trim() === '')
    throw new BadRequestError(
      `${name}: marketing list ${listId} is not a dynamic list with a query; only a dynamic list's members can be copied to a static list.`,
    );
  const entity = /<entity\s+name=['"]([^'"]+)['"]/.exec(query)?.[1] ?? '';
  const members = engine.metadata.byLogicalName(entity);
  if (!members)
    throw new BadRequestError(
      `${name}: the query of marketing list ${listId} is not on a table of this organisation (${entity}).`,
    );
  const staticId = await engine.create(lists.entitySetName, {
    listname: source.listname,
    createdfromcode: source.createdfromcode,
    type: false,
  });
  const paged = query.replace(/\s(page|count|paging-cookie)=(['"])[^'"]*\2/g, '');
  for (let page = 1; ; page++) {
    const xml = paged.replace(/<fetch\b/, `<fetch page='${page}' count='${COPY_PAGE}'`);
    const result = await engine.fetchXml(members.entitySetName, xml, { context: request.context });
    for (const row of result.records) {
      const entityId = row[members.primaryId];
      if (typeof entityId === 'string')
        await addMemberList({
          ...request,
          name: 'AddMemberList',
          body: { EntityId: entityId },
          bound: { table: lists, id: staticId },
        });
    }
    if (!result.moreRecords) break;
  }
  return {
    '@odata.type': `#Microsoft.Dynamics.CRM.${lists.logicalName}`,
    ...(await engine.retrieve(lists.entitySetName, staticId)),
  };
}

/** activityparty.participationtypemask: sender 1, to 2, cc 3, bcc 4. */
const SENDER = 1;
const TO = 2;
const CC = 3;
const BCC = 4;
const EMAIL_COLUMNS: Record<string, string> = { systemuser: 'internalemailaddress', queue: 'emailaddress' };

async function addressOf(engine: Engine, party: StoredRecord): Promise<string> {
  if (typeof party.addressused === 'string' && party.addressused) return party.addressused;
  const ref = party.partyid ?? null;
  if (!isLookupValue(ref)) return '';
  const table = engine.metadata.byLogicalName(ref.logicalName);
  const column = EMAIL_COLUMNS[ref.logicalName] ?? 'emailaddress1';
  if (!table?.columns.has(column)) return '';
  try {
    const record = await engine.retrieve(table.entitySetName, ref.id, { select: [column] });
    const value = record[column];
    return typeof value === 'string' ? value : '';
  } catch (error) {
    if (error instanceof RecordNotFoundError) return '';
    throw error;
  }
}

/**
 * `/emails(<id>)/Microsoft.Dynamics.CRM.SendEmail` `{"IssueSend": true}`: the email becomes Completed/Sent
 * (statecode 1, statuscode 3); with IssueSend it lands in the local outbox instead of a mail server.
 */
async function sendEmail({ engine, body, bound, name }: ActionRequest): Promise<{ Subject: string }> {
  const emails = bound?.table ?? engine.metadata.table('email');
  if (emails.logicalName !== 'email')
    throw new BadRequestError(`${name} is bound to emails, not ${emails.entitySetName}.`);
  const id = bound?.id ?? requireGuid(name, body, 'EmailId');
  const issueSend = body.IssueSend;
  if (typeof issueSend !== 'boolean')
    throw new BadRequestError(`${name} needs 'IssueSend' (true to send, false to mark as sent).`);
  const email = await engine.retrieve(emails.entitySetName, id);
  if (email.statecode !== 0) {
    throw new BadRequestError(
      `The email ${id} can be sent only while it is a draft (statecode 0); its statecode is ${String(email.statecode)}.`,
    );
  }
  const parties = engine.partiesOf(emails, id);
  const collect = async (mask: number) => {
    const addresses: string[] = [];
    for (const party of parties.filter((p) => p.participationtypemask === mask)) {
      const address = await addressOf(engine, party);
      if (address) addresses.push(address);
    }
    return addresses.join('; ');
  };
  const to = (await collect(TO)) || (typeof email.torecipients === 'string' ? email.torecipients : '');
  const cc = await collect(CC);
  const bcc = await collect(BCC);
  if (issueSend && !to && !cc && !bcc) {
    throw new BadRequestError(
      `The e-mail must have at least one recipient before it can be sent. (email ${id} has no 'to', 'cc' or 'bcc' party with an address)`,
    );
  }
  let from = await collect(SENDER);
  if (!from) {
    const users = engine.metadata.byLogicalName('systemuser');
    const user = users?.columns.has('internalemailaddress')
      ? await engine
          .retrieve(users.entitySetName, engine.whoAmI().UserId, { select: ['internalemailaddress'] })
          .catch(() => undefined)
      : undefined;
    from = typeof user?.internalemailaddress === 'string' ? user.internalemailaddress : '';
  }
  await engine.update(emails.entitySetName, id, { statecode: 1, statuscode: 3 });
  const subject = typeof email.subject === 'string' ? email.subject : '';
  if (issueSend) {
    engine.appendToOutbox({
      emailId: id,
      sentOn: formatStoredDateTime(engine.now()),
      from,
      to,
      cc,
      bcc,
      subject,
      body: typeof email.description === 'string' ? email.description : '',
    });
  }
  return { Subject: subject };
}

/**
 * "RetrieveTotalRecordCount Function": `RetrieveTotalRecordCount(EntityNames=@p1)?@p1=["account"]`
 * answers an EntityRecordCountCollection with one count per table named, in the order asked.
 */
async function retrieveTotalRecordCount({ engine, body, context }: ActionRequest): Promise<unknown> {
  const names = body.EntityNames;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
    throw new BadRequestError(
      `RetrieveTotalRecordCount needs EntityNames, a list of table logical names (["account"]); got ${JSON.stringify(names)}.`,
    );
  const counts: number[] = [];
  for (const name of names as string[]) {
    const table = engine.metadata.byLogicalName(name);
    if (!table)
      throw new BadRequestError(`RetrieveTotalRecordCount: '${name}' is not the logical name of a table.`);
    const page = await engine.query(table.entitySetName, { count: true, top: 0 }, { context });
    counts.push(page.count ?? 0);
  }
  return {
    EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: counts },
  };
}

/**
 * "AccessRights EnumType": each right a privilege verb grants, in the flags' value order (ReadAccess 1 …
 * AssignAccess 524288), the order the Web API lists a flags value in: "ReadAccess, WriteAccess".
 */
const ACCESS_RIGHTS: readonly (readonly [PrivilegeVerb, string])[] = [
  ['Read', 'ReadAccess'],
  ['Write', 'WriteAccess'],
  ['Append', 'AppendAccess'],
  ['AppendTo', 'AppendToAccess'],
  ['Create', 'CreateAccess'],
  ['Delete', 'DeleteAccess'],
  ['Share', 'ShareAccess'],
  ['Assign', 'AssignAccess'],
];

/**
 * "RetrievePrincipalAccess Function": the rights the bound user has on the `Target` record, answered as
 * a RetrievePrincipalAccessResponse. Rights come from the user's security roles on the target's table;
 * like the rest of the emulator it ignores privilege depth, ownership and sharing (security.ts).
 */
async function retrievePrincipalAccess({ engine, body, bound }: ActionRequest): Promise<unknown> {
  const address = parseEntityReference('Target', body.Target);
  const table = engine.metadata.bySetName(address.entitySet);
  if (!table)
    throw new InvalidEntityReferenceError(
      'Target',
      body.Target,
      `no table has the entity set '${address.entitySet}'`,
    );
  // A target or user that does not exist is a 404, as in Dataverse.
  await engine.retrieve(table.entitySetName, address.key, { select: [table.primaryId] });
  const userId = bound?.id ?? engine.whoAmI().UserId;
  if (bound) await engine.retrieve(bound.table.entitySetName, userId, { select: [bound.table.primaryId] });
  const roles = engine.rolesOf(userId);
  const catalog = new RoleCatalog(engine.metadata.model);
  const rights = ACCESS_RIGHTS.filter(([verb]) => catalog.grants(roles, verb, table.logicalName)).map(
    ([, right]) => right,
  );
  return { AccessRights: rights.length > 0 ? rights.join(', ') : 'None' };
}
