/**
 * Campaign actions of the Web API ("Web API Action Reference"): AddItemCampaignActivity links a marketing
 * list to a campaign activity as a campaignactivityitem (Parameters CampaignActivityId, ItemId,
 * EntityName; returns AddItemCampaignActivityResponse {CampaignActivityItemId}). Ideario's guarded
 * distribution (`ideario distribute`) reads those items to find the lists.
 *
 * DistributeCampaignActivity ("DistributeCampaignActivity Action", bound to campaignactivity: "Creates a
 * bulk operation that distributes a campaign activity"; the request "creates the appropriate activities
 * for the members of the list associated with the campaign activity") is Dynamics' own Distribute
 * button: one copy of `Activity` per member, regarding the campaign activity, skipping members who
 * opted out of the channel. It knows nothing of Ideario's contact policy; `ideario distribute` is the
 * guarded path. Here it runs synchronously and answers the bulk operation's id.
 */
import { randomUUID } from 'node:crypto';
import type { ActionRequest, Engine } from './engine';
import { BadRequestError } from './errors';
import { normalizeGuid } from './values';

export function registerCampaignActions(engine: Engine): void {
  engine.registerAction('AddItemCampaignActivity', addItemCampaignActivity);
  engine.registerAction('DistributeCampaignActivity', distributeCampaignActivity, {
    boundTo: 'campaignactivity',
  });
}

/** The opt-out column that stops an activity of each table reaching a contact. */
const OPT_OUT: Readonly<Record<string, string>> = {
  email: 'donotbulkemail',
  phonecall: 'donotphone',
  letter: 'donotpostalmail',
};

async function distributeCampaignActivity({
  engine,
  body,
  bound,
  name,
}: ActionRequest): Promise<{ activityid: string; '@odata.type': string }> {
  const activityId = bound?.id;
  if (activityId === undefined)
    throw new BadRequestError(
      `${name} is bound to a campaign activity: call campaignactivities(<id>)/${name}.`,
    );
  const template = body.Activity;
  const type =
    typeof template === 'object' && template !== null && !Array.isArray(template)
      ? (template as Record<string, unknown>)['@odata.type']
      : undefined;
  const table =
    typeof type === 'string' && type.startsWith('Microsoft.Dynamics.CRM.')
      ? engine.metadata.byLogicalName(type.slice('Microsoft.Dynamics.CRM.'.length))
      : undefined;
  if (!table?.isActivity || !table.partiesProperty) {
    throw new BadRequestError(
      `${name} needs 'Activity': the activity to distribute, with "@odata.type": "Microsoft.Dynamics.CRM.email" (or phonecall, letter…).`,
    );
  }
  const activities = engine.metadata.table('campaignactivity');
  await engine.retrieve(activities.entitySetName, activityId, { select: [activities.primaryId] });
  const items = await engine.query(engine.metadata.table('campaignactivityitem').entitySetName, {
    filter: `_campaignactivityid_value eq ${activityId} and itemobjecttypecode eq 'list'`,
    select: ['itemid'],
  });
  const members = engine.metadata.table('listmember');
  const contacts = engine.metadata.table('contact');
  const optOut = OPT_OUT[table.logicalName];
  const seen = new Set<string>();
  const { ['@odata.type']: _type, ...fields } = template as Record<string, unknown>;
  for (const item of items.records) {
    const listId = typeof item.itemid === 'string' ? item.itemid : undefined;
    if (!listId) continue;
    const rows = await engine.query(members.entitySetName, {
      filter: `_listid_value eq ${listId}`,
      select: ['_entityid_value'],
    });
    for (const row of rows.records) {
      const contactId = typeof row._entityid_value === 'string' ? row._entityid_value : undefined;
      if (!contactId || seen.has(contactId)) continue;
      seen.add(contactId);
      const member = await engine.retrieve(contacts.entitySetName, contactId).catch(() => undefined);
      if (!member || (optOut && member[optOut] === true)) continue;
      await engine.create(table.entitySetName, {
        ...fields,
        [`regardingobjectid_campaignactivity_${table.logicalName}@odata.bind`]: `/${activities.entitySetName}(${activityId})`,
        [table.partiesProperty]: [
          {
            'partyid_contact@odata.bind': `/${contacts.entitySetName}(${contactId})`,
            participationtypemask: 2,
          },
        ],
      });
    }
  }
  return { '@odata.type': '#Microsoft.Dynamics.CRM.bulkoperation', activityid: randomUUID() };
}

function guidParameter(action: string, body: Record<string, unknown>, name: string): string {
  const value = body[name];
  const id = typeof value === 'string' ? normalizeGuid(value) : undefined;
  if (!id)
    throw new BadRequestError(`${action} needs '${name}' (a GUID); got ${JSON.stringify(value ?? null)}.`);
  return id;
}

async function addItemCampaignActivity({
  engine,
  body,
  name,
}: ActionRequest): Promise<{ CampaignActivityItemId: string }> {
  const activityId = guidParameter(name, body, 'CampaignActivityId');
  const itemId = guidParameter(name, body, 'ItemId');
  const entityName = body.EntityName;
  if (typeof entityName !== 'string' || !engine.metadata.byLogicalName(entityName)) {
    throw new BadRequestError(
      `${name} needs 'EntityName', the logical name of the item's table (e.g. "list"); got ${JSON.stringify(entityName ?? null)}.`,
    );
  }
  const activities = engine.metadata.table('campaignactivity');
  const items = engine.metadata.table('campaignactivityitem');
  const item = engine.metadata.table(entityName);
  // Both must exist: retrieve throws RecordNotFoundError (404) otherwise, as Dataverse answers.
  await engine.retrieve(activities.entitySetName, activityId, { select: [activities.primaryId] });
  await engine.retrieve(item.entitySetName, itemId, { select: [item.primaryId] });
  const existing = await engine.query(items.entitySetName, {
    filter: `_campaignactivityid_value eq ${activityId} and itemid eq ${itemId}`,
    select: [items.primaryId],
    top: 1,
  });
  const found = existing.records[0]?.[items.primaryId];
  if (typeof found === 'string') return { CampaignActivityItemId: found };
  const id = await engine.create(items.entitySetName, {
    'campaignactivityid@odata.bind': `/${activities.entitySetName}(${activityId})`,
    itemid: itemId,
    itemobjecttypecode: item.logicalName,
  });
  return { CampaignActivityItemId: id };
}
