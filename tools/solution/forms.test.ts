/** What a CRM user sees of Ideario on the standard tables, read from solution/ as Dataverse would import it. */
import fs from 'node:fs';
import path from 'node:path';
import { contact, idr_interestprofile } from '../../dataverse/generated';
import { loadMetadata } from './loader';

const metadata = loadMetadata(path.resolve(__dirname, '../../solution'));

describe('the Contact "Ideario" form', () => {
  const form = metadata.tables[contact.logicalName].forms.find((f) => f.name[1033] === 'Ideario');

  it('is a main form named in English and Spanish, showing primary interest and value tier', () => {
    expect(form).toMatchObject({ type: 'main', name: { 1033: 'Ideario', 3082: 'Ideario' } });
    expect(form?.fields).toEqual(
      expect.arrayContaining([contact.columns.idr_primaryinterest, contact.columns.idr_valuetier]),
    );
  });

  it("lists the contact's interactions and interest profiles through their relationships", () => {
    const xml = fs.readFileSync(form?.file ?? '', 'utf8');
    const relationships = [...xml.matchAll(/<RelationshipName>([^<]+)<\/RelationshipName>/g)].map(
      (m) => m[1],
    );
    const defined = metadata.relationships.map((r) => r.name);
    expect(relationships).toHaveLength(2);
    for (const name of relationships) expect(defined).toContain(name);
  });
});

describe('the Impact Ranking view', () => {
  it('ranks by score, highest first, with no other order before it', () => {
    const view = metadata.tables[idr_interestprofile.logicalName].views.find(
      (v) => v.name[1033] === 'Impact Ranking',
    );
    const orders = [...(view?.fetchXml ?? '').matchAll(/<order attribute="([^"]+)" descending="([^"]+)"/g)];
    expect(orders.map((m) => [m[1], m[2]])).toEqual([[idr_interestprofile.columns.idr_score, 'true']]);
  });
});
