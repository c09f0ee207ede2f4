/**
 * Contacts by email, one query per batch: `Microsoft.Dynamics.CRM.In` on emailaddress1 ("Web API Query
 * Function Reference": In). Dataverse compares text case-insensitively, and so does the map built
 * here. A batch whose addresses would make the URL too long is split (Dataverse refuses URLs over
 * 32 KB), which with ordinary addresses and ≤ 1,000 rows means one or two queries.
 */
import type { DataverseClient } from '../../dataverse/client';
import { contact } from '../../dataverse/generated';

const MAX_FILTER_CHARS = 12_000;

export type ContactMatch =
  { readonly id: string } | { readonly missing: true } | { readonly ambiguous: number };

function filters(emails: readonly string[]): string[] {
  const head = `${contact.columns.statecode} eq ${contact.choices.statecode.Active} and Microsoft.Dynamics.CRM.In(PropertyName='${contact.columns.emailaddress1}',PropertyValues=[`;
  const out: string[] = [];
  let current: string[] = [];
  let length = head.length;
  for (const email of emails) {
    const literal = `'${email.replace(/'/g, "''")}'`;
    if (current.length > 0 && length + literal.length + 1 > MAX_FILTER_CHARS) {
      out.push(`${head}${current.join(',')}])`);
      current = [];
      length = head.length;
    }
    current.push(literal);
    length += literal.length + 1;
  }
  if (current.length > 0) out.push(`${head}${current.join(',')}])`);
  return out;
}

/** Active contacts for each address (lower-cased key). */
export async function findContactsByEmail(
  client: DataverseClient,
  emails: readonly string[],
): Promise<Map<string, ContactMatch>> {
  const wanted = [...new Set(emails.map((e) => e.toLowerCase()))];
  const found = new Map<string, string[]>();
  for (const filter of filters(wanted)) {
    const records = await client.retrieveMultiple(contact.entitySetName, {
      select: [contact.primaryIdAttribute, contact.columns.emailaddress1],
      filter,
    });
    for (const record of records) {
      const email = record[contact.columns.emailaddress1];
      const id = record[contact.primaryIdAttribute];
      if (typeof email !== 'string' || typeof id !== 'string') continue;
      const key = email.toLowerCase();
      found.set(key, [...(found.get(key) ?? []), id]);
    }
  }
  const result = new Map<string, ContactMatch>();
  for (const email of wanted) {
    const ids = [...new Set(found.get(email) ?? [])];
    result.set(
      email,
      ids.length === 1 && ids[0]
        ? { id: ids[0] }
        : ids.length === 0
          ? { missing: true }
          : { ambiguous: ids.length },
    );
  }
  return result;
}
