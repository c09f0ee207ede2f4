/**
 * Campaign actions of the Web API ("Web API Action Reference"): AddItemCampaignActivity links a marketing
 * list to a campaign activity as a campaignactivityitem (Parameters CampaignActivityId, ItemId,
 * EntityName; returns AddItemCampaignActivityResponse {CampaignActivityItemId}). Ideario's guarded
 * distribution (`ideario distribute`) reads those items to find the lists.
 */
import type { ActionRequest, Engine } from './engine';
import { BadRequestError } from './errors';
import { normalizeGuid } from './values';

export function registerCampaignActions(engine: Engine): void {
  engine.registerAction('AddItemCampaignActivity', addItemCampaignActivity);
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
