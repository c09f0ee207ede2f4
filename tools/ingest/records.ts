/**
 * A checked row → the `idr_interaction` upsert Dataverse receives, keyed by the alternate key
 * `idr_key_sourceexternalid` ("Use an alternate key to reference a record"), so sending a row twice
 * updates the one record instead of creating a second. Lookups are bound by GUID, or the concept by
 * its own alternate key (`idr_marketingconcepts(idr_code='…')`).
 */
import { formatKey } from '../../dataverse/adapters/keys';
import type { BatchOperation, EntityRecord } from '../../dataverse/client';
import { account, campaign, contact, idr_interaction, idr_marketingconcept } from '../../dataverse/generated';
import type { MetadataModel } from '../solution/model';
import { eventTypeName, type ColumnLimits, type EventRow } from './rows';

const C = idr_interaction.columns;

function bind(column: string): string {
  return `${column}@odata.bind`;
}

function url(entitySet: string, key: string | Record<string, string>): string {
  return `/${entitySet}(${formatKey(entitySet, key)})`;
}

export function interactionKey(row: Pick<EventRow, 'source' | 'externalId'>): Record<string, string> {
  const [sourceColumn, externalColumn] = idr_interaction.alternateKeys.idr_key_sourceexternalid;
  return { [sourceColumn]: row.source, [externalColumn]: row.externalId };
}

export function interactionRecord(row: EventRow, contactId: string | undefined, nameMax = 200): EntityRecord {
  const name = `${eventTypeName(row.eventType)} ${row.source}:${row.externalId}`;
  const record: EntityRecord = {
    ...interactionKey(row),
    [C.idr_name]: name.length > nameMax ? `${name.slice(0, nameMax - 1)}…` : name,
    [C.idr_eventtype]: row.eventType,
    [C.idr_occurredon]: row.occurredOn,
  };
  if (contactId) record[bind(C.idr_contact)] = url(contact.entitySetName, contactId);
  if (row.accountId) record[bind(C.idr_account)] = url(account.entitySetName, row.accountId);
  if (row.campaignId) record[bind(C.idr_campaign)] = url(campaign.entitySetName, row.campaignId);
  if (row.concept) {
    record[bind(C.idr_concept)] =
      'id' in row.concept
        ? url(idr_marketingconcept.entitySetName, row.concept.id)
        : url(idr_marketingconcept.entitySetName, {
            [idr_marketingconcept.columns.idr_code]: row.concept.code,
          });
  }
  if (row.url) record[C.idr_url] = row.url;
  if (row.product) record[C.idr_product] = row.product;
  if (row.productFamily) record[C.idr_productfamily] = row.productFamily;
  if (row.caseSubject) record[C.idr_casesubject] = row.caseSubject;
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
