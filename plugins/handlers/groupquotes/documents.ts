/**
 * A quotation document stored twice, as Dataverse users find documents: attached to the email that
 * carries it (`activitymimeattachment`, body in base64, bound to the email as
 * `objectid_activitypointer`, "Attachment (ActivityMimeAttachment) table/entity reference") and as a
 * note on the opportunity (`annotation` with `documentbody`, "Annotation (Note) table/entity
 * reference"), so it stays on the quotation's timeline after the email is archived.
 */
import { createHash } from 'node:crypto';
import type { DataverseClient } from '../../../dataverse/client';
import { activitymimeattachment, annotation, email, opportunity } from '../../../dataverse/generated';
import { type QuotationDocument, type QuotationSummary, quotedValues } from '../../../domain/quotation';
import { bindName } from './record';

const PDF = 'application/pdf';

/** A short fingerprint of the quoted values (`idr_quotedversion`). */
export function quotedVersion(summary: QuotationSummary): string {
  return createHash('sha256').update(quotedValues(summary)).digest('hex').slice(0, 32);
}

export async function attachToEmail(
  client: DataverseClient,
  emailId: string,
  document: QuotationDocument,
  pdf: Uint8Array,
): Promise<string> {
  const c = activitymimeattachment.columns;
  return client.create(activitymimeattachment.entitySetName, {
    [bindName(`${c.objectid}_activitypointer`)]: `/activitypointers(${emailId})`,
    [c.objecttypecode]: email.logicalName,
    [c.subject]: document.title,
    [c.filename]: document.fileName,
    [c.mimetype]: PDF,
    [c.body]: Buffer.from(pdf).toString('base64'),
  });
}

export async function storeAsNote(
  client: DataverseClient,
  opportunityId: string,
  document: QuotationDocument,
  pdf: Uint8Array,
  noteText: string,
): Promise<string> {
  const c = annotation.columns;
  return client.create(annotation.entitySetName, {
    [bindName(`${c.objectid}_${opportunity.logicalName}`)]: `/${opportunity.entitySetName}(${opportunityId})`,
    [c.objecttypecode]: opportunity.logicalName,
    [c.subject]: document.title,
    [c.notetext]: noteText,
    [c.filename]: document.fileName,
    [c.mimetype]: PDF,
    [c.documentbody]: Buffer.from(pdf).toString('base64'),
  });
}
