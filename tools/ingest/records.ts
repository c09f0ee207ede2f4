/**
 * A checked row → the `idr_interaction` upsert Dataverse receives, keyed by the alternate key
 * `idr_key_sourceexternalid` ("Use an alternate key to reference a record"), so sending a row twice
 * updates the one record instead of creating a second. Lookups are bound by GUID, or the concept by
 * its own alternate key (`idr_marketingconcepts(idr_code='…')`).
 */
import { formatKey } from '../../dataverse/adapters/keys';
import type { BatchOperation } from '../../dataverse/client';
import {
  account,
  campaign,
  contact,
  idr_interaction,
  idr_marketingconcept,
  type idr_interactionWrite,
} from '../../dataverse/generated';
import type { MetadataModel } from '../solution/model';
import { eventTypeName, type ColumnLimits, type EventRow } from './rows';

const C = idr_interaction.columns;

function url<S extends string>(entitySet: S, key: string | Record<string, string>): `/${S}(${string})` {
  return `/${entitySet}(${formatKey(entitySet, key)})`;
}

export function interactionKey(row: Pick<EventRow, 'source' | 'externalId'>): Record<string, string> {
  const [sourceColumn, externalColumn] = idr_interaction.alternateKeys.idr_key_sourceexternalid;
  return { [sourceColumn]: row.source, [externalColumn]: row.externalId };
}

export function interactionRecord(
  row: EventRow,
  contactId: string | undefined,
  nameMax = 200,
): idr_interactionWrite {
  const name = `${eventTypeName(row.eventType)} ${row.source}:${row.externalId}`;
  const record: idr_interactionWrite = {
    idr_source: row.source,
    idr_externalid: row.externalId,
    idr_name: name.length > nameMax ? `${name.slice(0, nameMax - 1)}…` : name,
    idr_eventtype: row.eventType,
    idr_occurredon: row.occurredOn,
  };
  if (contactId) record['idr_contact@odata.bind'] = url(contact.entitySetName, contactId);
  if (row.accountId) record['idr_account@odata.bind'] = url(account.entitySetName, row.accountId);
  if (row.campaignId) record['idr_campaign@odata.bind'] = url(campaign.entitySetName, row.campaignId);
  if (row.concept) {
    record['idr_concept@odata.bind'] =
      'id' in row.concept
        ? url(idr_marketingconcept.entitySetName, row.concept.id)
        : url(idr_marketingconcept.entitySetName, {
            [idr_marketingconcept.columns.idr_code]: row.concept.code,
          });
  }
  if (row.url) record.idr_url = row.url;
  if (row.product) record.idr_product = row.product;
  if (row.productFamily) record.idr_productfamily = row.productFamily;
  if (row.caseSubject) record.idr_casesubject = row.caseSubject;
  return record;
}

export function upsertOperation(
  row: EventRow,
  contactId: string | undefined,
  nameMax?: number,
): BatchOperation {
  return {
    kind: 'upsert',
    entitySet: idr_interaction.entitySetName,
    key: interactionKey(row),
    record: interactionRecord(row, contactId, nameMax),
  };
}

/** Text lengths from the solution's metadata, so the file is checked against what Dataverse will accept. */
export function columnLimits(metadata: MetadataModel): ColumnLimits {
  const interaction = metadata.tables[idr_interaction.logicalName]?.columns ?? {};
  const concept = metadata.tables[idr_marketingconcept.logicalName]?.columns ?? {};
  const limits: ColumnLimits = {
    source: interaction[C.idr_source]?.maxLength,
    externalid: interaction[C.idr_externalid]?.maxLength,
    url: interaction[C.idr_url]?.maxLength,
    product: interaction[C.idr_product]?.maxLength,
    productfamily: interaction[C.idr_productfamily]?.maxLength,
    casesubject: interaction[C.idr_casesubject]?.maxLength,
    concept: concept[idr_marketingconcept.columns.idr_code]?.maxLength,
    name: interaction[C.idr_name]?.maxLength,
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
