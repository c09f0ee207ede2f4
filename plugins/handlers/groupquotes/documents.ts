/**
 * A quotation document stored twice, as Dataverse users find documents: attached to the email that
 * carries it (`activitymimeattachment`, body in base64, bound to the email as
 * `objectid_activitypointer`, "Attachment (ActivityMimeAttachment) table/entity reference") and as a
 * note on the opportunity (`annotation` with `documentbody`, "Annotation (Note) table/entity
 * reference"), so it stays on the quotation's timeline after the email is archived.
 */
import { createHash } from 'node:crypto';
import type { DataverseClient } from '../../../dataverse/client';
import {
  activitymimeattachment,
  activitypointer,
  annotation,
  email,
  opportunity,
  type activitymimeattachmentWrite,
  type annotationWrite,
} from '../../../dataverse/generated';
import { type QuotationDocument, type QuotationSummary, quotedValues } from '../../../domain/quotation';

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
  return client.create(activitymimeattachment.entitySetName, {
    'objectid_activitypointer@odata.bind': `/${activitypointer.entitySetName}(${emailId})`,
    objecttypecode: email.logicalName,
    subject: document.title,
    filename: document.fileName,
    mimetype: PDF,
    body: Buffer.from(pdf).toString('base64'),
  } satisfies activitymimeattachmentWrite);
}

export async function storeAsNote(
  client: DataverseClient,
  opportunityId: string,
  document: QuotationDocument,
  pdf: Uint8Array,
  noteText: string,
): Promise<string> {
  return client.create(annotation.entitySetName, {
    'objectid_opportunity@odata.bind': `/${opportunity.entitySetName}(${opportunityId})`,
    objecttypecode: opportunity.logicalName,
    subject: document.title,
    notetext: noteText,
    filename: document.fileName,
    mimetype: PDF,
    documentbody: Buffer.from(pdf).toString('base64'),
  } satisfies annotationWrite);
}
