import type { DataverseClient, EntityRecord, QueryOptions } from '../../dataverse/client';
import { contact } from '../../dataverse/generated';
import { findContactsByEmail } from './contacts';

/** Answers contact queries from a list, recording each filter sent. */
function contacts(rows: EntityRecord[]): DataverseClient & { filters: string[] } {
  const filters: string[] = [];
  const refuse = () => Promise.reject(new Error('not used'));
  return {
    filters,
    retrieveMultiple(_set: string, query?: QueryOptions) {
      const filter = query?.filter ?? '';
      filters.push(filter);
      const asked = [...filter.matchAll(/'((?:[^']|'')*)'/g)].map((m) =>
        (m[1] ?? '').replace(/''/g, "'").toLowerCase(),
      );
      return Promise.resolve(
        rows.filter((r) => asked.includes(String(r[contact.columns.emailaddress1]).toLowerCase())),
      );
    },
    create: refuse,
    retrieve: refuse,
    update: refuse,
    upsert: refuse,
    delete: refuse,
    fetchXml: refuse,
    executeAction: refuse,
    executeFunction: refuse,
    executeBatch: refuse,
  };
}

const row = (id: string, email: string): EntityRecord => ({
  [contact.primaryIdAttribute]: id,
  [contact.columns.emailaddress1]: email,
});

it('finds contacts case-insensitively, telling missing and shared addresses apart, in one query', async () => {
  const client = contacts([
    row('a', 'Ana@Example.com'),
    row('s1', 'shared@example.com'),
    row('s2', 'SHARED@example.com'),
    row('o', "o'brien@example.com"),
  ]);
  const found = await findContactsByEmail(client, [
    'ana@example.com',
    'ANA@example.com',
    'shared@example.com',
    'nobody@example.com',
    "O'Brien@example.com",
  ]);
  expect(Object.fromEntries(found)).toEqual({
    'ana@example.com': { id: 'a' },
    'shared@example.com': { ambiguous: 2 },
    'nobody@example.com': { missing: true },
    "o'brien@example.com": { id: 'o' },
  });
  expect(client.filters).toHaveLength(1);
  expect(client.filters[0]).toContain(`${contact.columns.statecode} eq ${contact.choices.statecode.Active}`);
});

it('splits a batch whose addresses would make the URL too long', async () => {
  const emails = Array.from(
    { length: 1000 },
    (_, i) => `someone.with.a.long.name.${i}@subsidiary.example.com`,
  );
  const client = contacts([row('x', emails[999] ?? '')]);
  const found = await findContactsByEmail(client, emails);
  expect(client.filters.length).toBeGreaterThan(1);
  expect(client.filters.every((f) => f.length <= 12_000)).toBe(true);
  expect(found.get(emails[999] ?? '')).toEqual({ id: 'x' });
  expect([...found.values()].filter((m) => 'missing' in m)).toHaveLength(999);
});
