/** What a CRM user sees of Ideario on the standard tables, read from solution/ as Dataverse would import it. */
import fs from 'node:fs';
import path from 'node:path';
import {
  account,
  contact,
  idr_accountinterest,
  idr_interestprofile,
  list,
  opportunity,
} from '../../dataverse/generated';
import { readSourceFiles } from './layout';
import { loadMetadata } from './loader';
import { buildSolutionParts } from './pack';
import { builtControls } from './pcfcache.testkit';
import { attr, child, childText, elements, parseXml, textOf, writeXml, type XmlElement } from './xml';

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

describe('the Account "Ideario" form', () => {
  const form = metadata.tables[account.logicalName].forms.find((f) => f.name[1033] === 'Ideario');

  it("lists the account's contacts through the standard parentcustomerid relationship, in a view that exists", () => {
    const xml = fs.readFileSync(form?.file ?? '', 'utf8');
    const grids = [
      ...xml.matchAll(
        /<TargetEntityType>([^<]+)<\/TargetEntityType>\s*<ViewId>([^<]+)<\/ViewId>[\s\S]*?<RelationshipName>([^<]+)<\/RelationshipName>/g,
      ),
    ];
    const contacts = grids.find((m) => m[1] === contact.logicalName);
    const relationship = metadata.relationships.find((r) => r.name === contacts?.[3]);
    expect(relationship).toMatchObject({
      referencingEntity: contact.logicalName,
      referencingAttribute: contact.columns.parentcustomerid,
      referencedEntity: account.logicalName,
    });
    const bare = (id: string | undefined) => id?.replace(/[{}]/g, '').toLowerCase();
    const view = metadata.tables[contact.logicalName].views.find((v) => bare(v.id) === bare(contacts?.[2]));
    expect(view?.fetchXml).toContain(`<attribute name="${contact.columns.idr_primaryinterest}"`);
    expect(view?.fetchXml).toContain(`<attribute name="${contact.columns.idr_valuetier}"`);
  });
});

describe('the Impact Ranking view', () => {
  it('ranks by score today (the rank key), highest first, with no other order before it', () => {
    const view = metadata.tables[idr_interestprofile.logicalName].views.find(
      (v) => v.name[1033] === 'Impact Ranking',
    );
    const orders = [...(view?.fetchXml ?? '').matchAll(/<order attribute="([^"]+)" descending="([^"]+)"/g)];
    expect(orders.map((m) => [m[1], m[2]])).toEqual([[idr_interestprofile.columns.idr_rankkey, 'true']]);
  });

  it('and the Account Impact Ranking goes concept by concept (rank keys compare only within one)', () => {
    const view = metadata.tables[idr_accountinterest.logicalName].views.find(
      (v) => v.name[1033] === 'Account Impact Ranking',
    );
    const orders = [...(view?.fetchXml ?? '').matchAll(/<order attribute="([^"]+)" descending="([^"]+)"/g)];
    expect(orders.map((m) => [m[1], m[2]])).toEqual([
      [idr_accountinterest.columns.idr_concept, 'false'],
      [idr_accountinterest.columns.idr_rankkey, 'true'],
    ]);
  });
});

const APP_OPENER_PRIVILEGES = [
  'prvReadAppModule',
  'prvReadCustomization',
  'prvReadSystemForm',
  'prvReadQuery',
  'prvReadWebResource',
  'prvReadUserQuery',
  'prvCreateUserEntityUISettings',
  'prvReadUserEntityUISettings',
  'prvWriteUserEntityUISettings',
  'prvReadUserSettings',
  'prvReadUser',
];

describe('the two model-driven apps, as packed into customizations.xml', () => {
  const apps = [
    { solution: 'IdearioInterests', unique: 'idr_IdearioMarketing', en: 'Ideario Marketing' },
    { solution: 'IdearioGroupQuotes', unique: 'idr_IdearioGroupSales', en: 'Ideario Group Sales' },
  ];

  it.each(apps)(
    '$unique: named in both languages, mapped to the solution roles, its sitemap opening only its tables',
    async (app) => {
      const files = await readSourceFiles(path.resolve(__dirname, '../../solution', app.solution, 'src'));
      const parts = buildSolutionParts(files, { managed: 1, controls: await builtControls() });
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
      const components = elements(child(module, 'AppModuleComponents') as XmlElement, 'AppModuleComponent');
      const tables = components.filter((c) => attr(c, 'type') === '1').map((c) => attr(c, 'schemaName'));
      // What a custom role needs to open a model-driven app: Read on the Model-driven App table ("Privileges
      // required to view and access apps"), what renders its forms and grids ("Minimum privileges for common
      // tasks", Create or edit a security role), and Read on every table the app lists.
      for (const role of elements(child(root, 'Roles') as XmlElement, 'Role')) {
        const held = elements(child(role, 'RolePrivileges') as XmlElement, 'RolePrivilege').map((p) =>
          (attr(p, 'name') ?? '').toLowerCase(),
        );
        const needed = [...APP_OPENER_PRIVILEGES, ...tables.map((t) => `prvRead${t ?? ''}`)];
        expect([attr(role, 'name'), needed.filter((p) => !held.includes(p.toLowerCase()))]).toEqual([
          attr(role, 'name'),
          [],
        ]);
      }
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

describe('the PCF controls in the packed solutions, and where a maker would bind them', () => {
  const PCF_CONTROLS = path.resolve(__dirname, '../../pcf-controls');
  let packedByControl: Map<
    string,
    { customizations: XmlElement; manifest: string; parts: Map<string, Uint8Array> }
  >;

  /** The control's input manifest: its bound properties and data sets, as a maker sees them. */
  function inputManifest(control: string): { properties: string[]; dataSets: string[] } {
    const root = parseXml(
      fs.readFileSync(path.join(PCF_CONTROLS, control, 'ControlManifest.Input.xml')),
      control,
    ).root;
    const element = child(root, 'control') as XmlElement;
    return {
      properties: elements(element, 'property').map((p) => attr(p, 'name') ?? ''),
      dataSets: elements(element, 'data-set').map((d) => attr(d, 'name') ?? ''),
    };
  }

  /** Every `<customControl name=…>` of an element, with the parameters it passes. */
  function customControls(root: XmlElement, name: string): XmlElement[] {
    const found: XmlElement[] = [];
    const walk = (e: XmlElement) => {
      if (e.name === 'customControl' && attr(e, 'name') === name) found.push(e);
      for (const c of e.children) if (c.kind === 'element') walk(c);
    };
    walk(root);
    return found;
  }

  function parametersOf(control: XmlElement): Map<string, XmlElement> {
    return new Map(elements(child(control, 'parameters') as XmlElement).map((c) => [c.name, c]));
  }

  beforeAll(async () => {
    packedByControl = new Map();
    for (const solution of ['IdearioInterests', 'IdearioGroupQuotes']) {
      const files = await readSourceFiles(path.resolve(__dirname, '../../solution', solution, 'src'));
      const parts = buildSolutionParts(files, { managed: 1, controls: await builtControls() });
      const customizations = parseXml(
        parts.get('customizations.xml') as Uint8Array,
        'customizations.xml',
      ).root;
      const manifest = writeXml(parseXml(parts.get('solution.xml') as Uint8Array).root, {
        declaration: false,
      });
      for (const c of elements(child(customizations, 'CustomControls') as XmlElement, 'CustomControl'))
        packedByControl.set(childText(c, 'Name') ?? '', { customizations, manifest, parts });
    }
  });

  it.each(['ImpactRanking', 'InterestProfile', 'QuotationTimeline', 'TargetBuilder'])(
    '%s ships as idr_Ideario.<Control> with its bundle, manifest and both languages, as a root component',
    (control) => {
      const name = `idr_Ideario.${control}`;
      const packed = packedByControl.get(name);
      expect(packed).toBeDefined();
      const folder = `Controls/${name}`;
      expect([...(packed?.parts.keys() ?? [])].filter((p) => p.startsWith(`${folder}/`)).sort()).toEqual([
        `${folder}/ControlManifest.xml`,
        `${folder}/bundle.js`,
        `${folder}/strings/${control}.1033.resx`,
        `${folder}/strings/${control}.3082.resx`,
      ]);
      const built = child(
        parseXml(packed?.parts.get(`${folder}/ControlManifest.xml`) as Uint8Array).root,
        'control',
      ) as XmlElement;
      // Dataverse names a control <publisher prefix>_<namespace>.<constructor>.
      expect(`idr_${attr(built, 'namespace')}.${attr(built, 'constructor')}`).toBe(name);
      expect(packed?.manifest).toContain(`<RootComponent type="66" schemaName="${name}" behavior="0"`);
    },
  );

  it('puts InterestProfile on the Contact "Ideario" form, bound to a contact column, on every form factor', () => {
    const { customizations } = packedByControl.get('idr_Ideario.InterestProfile') as {
      customizations: XmlElement;
    };
    const bindings = customControls(customizations, 'idr_Ideario.InterestProfile');
    expect(bindings.map((b) => attr(b, 'formFactor')).sort()).toEqual(['0', '1', '2']);
    const { properties } = inputManifest('InterestProfile');
    for (const binding of bindings) {
      const params = parametersOf(binding);
      expect([...params.keys()]).toEqual(properties);
      expect(Object.values(contact.columns)).toContain(textOf(params.get('field')));
    }
    const form = metadata.tables[contact.logicalName].forms.find((f) => f.name[1033] === 'Ideario');
    const xml = fs.readFileSync(form?.file ?? '', 'utf8');
    const uniqueId = /<control id="[^"]+"[^>]*datafieldname="fullname"[^>]*uniqueid="([^"]+)"/.exec(xml)?.[1];
    expect(xml).toContain(`<controlDescription forControl="${uniqueId ?? 'missing'}">`);
  });

  it("puts TargetBuilder on the marketing list's query on the Ideario Marketing List form, the Marketing app's list form", () => {
    const { customizations } = packedByControl.get('idr_Ideario.TargetBuilder') as {
      customizations: XmlElement;
    };
    const bindings = customControls(customizations, 'idr_Ideario.TargetBuilder');
    expect(bindings.map((b) => attr(b, 'formFactor')).sort()).toEqual(['0', '1', '2']);
    const { properties } = inputManifest('TargetBuilder');
    for (const binding of bindings) {
      const params = parametersOf(binding);
      expect([...params.keys()]).toEqual(properties);
      expect(textOf(params.get('query'))).toBe(list.columns.query);
    }
    const form = metadata.tables[list.logicalName].forms.find(
      (f) => f.name[1033] === 'Ideario Marketing List',
    );
    expect(form?.name[3082]).toBe('Lista de marketing de Ideario');
    const xml = fs.readFileSync(form?.file ?? '', 'utf8');
    const uniqueId = /<control id="[^"]+"[^>]*datafieldname="query"[^>]*uniqueid="([^"]+)"/.exec(xml)?.[1];
    expect(xml).toContain(`<controlDescription forControl="${uniqueId ?? 'missing'}">`);
    const app = fs.readFileSync(
      path.resolve(
        __dirname,
        '../../solution/IdearioInterests/src/AppModules/idr_IdearioMarketing/AppModule.xml',
      ),
      'utf8',
    );
    expect(app).toContain(`<AppModuleComponent type="60" id="{${form?.id ?? 'missing'}}" />`);
  });

  it('puts QuotationTimeline in the Group Quotation form header, bound to the phase and the dates it plans from', () => {
    const { customizations } = packedByControl.get('idr_Ideario.QuotationTimeline') as {
      customizations: XmlElement;
    };
    const bindings = customControls(customizations, 'idr_Ideario.QuotationTimeline');
    expect(bindings.map((b) => attr(b, 'formFactor')).sort()).toEqual(['0', '1', '2']);
    const { properties } = inputManifest('QuotationTimeline');
    for (const binding of bindings) {
      const params = parametersOf(binding);
      expect([...params.keys()].sort()).toEqual([...properties].sort());
      expect(textOf(params.get('phase'))).toBe(opportunity.columns.idr_phase);
      for (const param of params.values())
        expect(Object.values(opportunity.columns)).toContain(textOf(param));
    }
    const xml = writeXml(customizations, { declaration: false });
    const header = /<header [^>]*>[\s\S]*?<\/header>/.exec(xml)?.[0] ?? '';
    const uniqueId = /datafieldname="idr_phase"[^>]*uniqueid="([^"]+)"/.exec(header)?.[1];
    expect(uniqueId).toBeDefined();
    expect(xml).toContain(`<controlDescription forControl="${uniqueId ?? ''}">`);
  });

  it('binds ImpactRanking to the Impact Ranking view and as the interest profile grid, on its data set', () => {
    const { customizations } = packedByControl.get('idr_Ideario.ImpactRanking') as {
      customizations: XmlElement;
    };
    const entity = elements(child(customizations, 'Entities') as XmlElement, 'Entity').find(
      (e) => textOf(child(e, 'Name')) === idr_interestprofile.logicalName,
    ) as XmlElement;
    const view = elements(
      child(child(entity, 'SavedQueries') as XmlElement, 'savedqueries') as XmlElement,
      'savedquery',
    ).find((q) => writeXml(q, { declaration: false }).includes('"Impact Ranking"')) as XmlElement;
    const grid = child(entity, 'CustomControlDefaultConfigs') as XmlElement;
    const { dataSets } = inputManifest('ImpactRanking');
    for (const where of [view, grid]) {
      const bindings = customControls(where, 'idr_Ideario.ImpactRanking');
      expect(bindings.map((b) => attr(b, 'formFactor')).sort()).toEqual(['0', '1', '2']);
      for (const binding of bindings) {
        const dataSet = parametersOf(binding).get('data-set') as XmlElement;
        expect(attr(dataSet, 'name')).toBe(dataSets[0]);
        expect(childText(dataSet, 'TargetEntityType')).toBe(idr_interestprofile.logicalName);
        expect(childText(dataSet, 'ViewId')).toBe(childText(view, 'savedqueryid'));
      }
    }
  });
});
