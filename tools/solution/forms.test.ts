/** What a CRM user sees of Ideario on the standard tables, read from solution/ as Dataverse would import it. */
import fs from 'node:fs';
import path from 'node:path';
import { contact, idr_interestprofile } from '../../dataverse/generated';
import { readSourceFiles } from './layout';
import { loadMetadata } from './loader';
import { buildSolutionParts } from './pack';
import { attr, child, childText, elements, parseXml, writeXml, type XmlElement } from './xml';

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

describe('the two model-driven apps, as packed into customizations.xml', () => {
  const apps = [
    { solution: 'IdearioInterests', unique: 'idr_IdearioMarketing', en: 'Ideario Marketing' },
    { solution: 'IdearioGroupQuotes', unique: 'idr_IdearioGroupSales', en: 'Ideario Group Sales' },
  ];

  it.each(apps)(
    '$unique: named in both languages, mapped to the solution roles, its sitemap opening only its tables',
    async (app) => {
      const files = await readSourceFiles(path.resolve(__dirname, '../../solution', app.solution, 'src'));
      const parts = buildSolutionParts(files, { managed: 1 });
      const root = parseXml(parts.get('customizations.xml') as Uint8Array, 'customizations.xml').root;
      const module = elements(child(root, 'AppModules') as XmlElement, 'AppModule').find(
        (m) => childText(m, 'UniqueName') === app.unique,
      ) as XmlElement;
      expect(module).toBeDefined();
      const names = elements(child(module, 'LocalizedNames') as XmlElement, 'LocalizedName').map((n) => [
        attr(n, 'languagecode'),
        attr(n, 'description'),
      ]);
      expect(names).toEqual(
        expect.arrayContaining([
          ['1033', app.en],
          ['3082', expect.any(String)],
        ]),
      );

      const roles = elements(child(root, 'Roles') as XmlElement, 'Role').map((r) => attr(r, 'id'));
      const mapped = elements(child(module, 'AppModuleRoleMaps') as XmlElement, 'Role').map((r) =>
        attr(r, 'id'),
      );
      expect(mapped.sort()).toEqual(roles.sort());
      // Read on the Model-driven App table is what a role needs to see the app ("Privileges required to view and access apps").
      for (const role of elements(child(root, 'Roles') as XmlElement, 'Role'))
        expect(writeXml(role, { declaration: false })).toContain('prvReadAppModule');

      const components = elements(child(module, 'AppModuleComponents') as XmlElement, 'AppModuleComponent');
      const tables = components.filter((c) => attr(c, 'type') === '1').map((c) => attr(c, 'schemaName'));
      expect(components.some((c) => attr(c, 'type') === '62' && attr(c, 'schemaName') === app.unique)).toBe(
        true,
      );
      const siteMap = elements(child(root, 'AppModuleSiteMaps') as XmlElement, 'AppModuleSiteMap').find(
        (m) => childText(m, 'SiteMapUniqueName') === app.unique,
      ) as XmlElement;
      const subAreas = writeXml(siteMap, { declaration: false }).match(/Entity="[^"]+"/g) ?? [];
      expect(subAreas.map((s) => s.slice(8, -1)).sort()).toEqual([...tables].sort());

      const manifest = parseXml(parts.get('solution.xml') as Uint8Array, 'solution.xml').root;
      const rootComponents = writeXml(manifest, { declaration: false });
      expect(rootComponents).toContain(`<RootComponent type="80" schemaName="${app.unique}"`);
      expect(rootComponents).toContain(`<RootComponent type="62" schemaName="${app.unique}"`);
    },
  );
});
