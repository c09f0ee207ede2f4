import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import {
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
  idr_quotationaction,
  idr_quotationpolicy,
  opportunity,
  ProcessingStatus,
} from '../../dataverse/generated';
import { WEB_RESOURCES } from '../../webresources/build';
import { InvalidSolutionSourceError } from './errors';
import { COMPONENT_TYPE, readSourceFiles } from './layout';
import { loadSolution } from './loader';
import type { SolutionModel } from './model';
import {
  buildSolutionParts,
  findSolutionDirs,
  MissingControlBuildError,
  packSolutions,
  readControlBuilds,
  readSolutionIdentity,
  UnknownRelationshipError,
  WebResourceBuildFailedError,
  type PackedZip,
} from './pack';
import { builtControlsDir } from './pcfcache.testkit';
import { validateSolutionSource } from './validate';
import {
  attr,
  child,
  childText,
  el,
  elements,
  encodeUtf8,
  parseXml,
  textOf,
  writeXml,
  type XmlElement,
} from './xml';
import { readZip, type Parts } from './zip';

const SOLUTION_ROOT = path.resolve(__dirname, '../../solution');
const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ideario-pack-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const zipFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.zip'))
    .sort();
const partsOf = async (file: string): Promise<Parts> => readZip(readFileSync(file), file);
const xmlPart = (parts: Parts, name: string): XmlElement =>
  parseXml(parts.get(name) as Uint8Array, name).root;

interface Packed {
  dir: string;
  model: SolutionModel;
  unmanaged: Parts;
  managed: Parts;
}

let out: string;
let pcfDir: string;
let zips: PackedZip[];
const packed: Packed[] = [];

beforeAll(async () => {
  out = tempDir();
  pcfDir = await builtControlsDir();
  zips = await packSolutions({
    pcfDir,
    solutionRoot: SOLUTION_ROOT,
    outDir: out,
    validate: (d) => validateSolutionSource(d),
    logger: silentLogger,
  });
  for (const dir of await findSolutionDirs(SOLUTION_ROOT)) {
    const model = loadSolution(dir);
    const mine = zips.filter((z) => z.solution === model.uniqueName);
    packed.push({
      dir,
      model,
      unmanaged: await partsOf(mine.find((z) => !z.managed)?.file ?? ''),
      managed: await partsOf(mine.find((z) => z.managed)?.file ?? ''),
    });
  }
});

function solutionOf(table: string): Packed {
  const found = packed.find((p) => p.model.tables[table] && !p.model.tables[table].isExtension);
  if (!found) throw new Error(`no solution owns ${table}`);
  return found;
}

function entity(parts: Parts, table: string): XmlElement {
  const found = elements(
    child(xmlPart(parts, 'customizations.xml'), 'Entities') as XmlElement,
    'Entity',
  ).find((e) => textOf(child(e, 'Name')).toLowerCase() === table);
  if (!found) throw new Error(`no entity ${table}`);
  return found;
}

function relationship(parts: Parts, referencing: string, attribute: string): XmlElement | undefined {
  return elements(
    child(xmlPart(parts, 'customizations.xml'), 'EntityRelationships') as XmlElement,
    'EntityRelationship',
  ).find(
    (r) =>
      childText(r, 'ReferencingEntityName') === referencing &&
      childText(r, 'ReferencingAttributeName') === attribute,
  );
}

function labels(container: XmlElement | undefined): Record<string, string> {
  return Object.fromEntries(
    elements(container ?? el('none')).map((l) => [
      attr(l, 'languagecode') ?? '',
      attr(l, 'description') ?? '',
    ]),
  );
}

describe('ideario pack', () => {
  it('writes an unmanaged and a managed zip per solution, named <UniqueName>_<version>', async () => {
    const expected: string[] = [];
    for (const p of packed) {
      const identity = readSolutionIdentity(await readSourceFiles(path.join(p.dir, 'src')));
      const base = `${identity.uniqueName}_${identity.version.replace(/\./g, '_')}`;
      expected.push(`${base}.zip`, `${base}_managed.zip`);
    }
    expect(packed).toHaveLength(2);
    expect(zipFiles(out)).toEqual(expected.sort());
  });

  it('lays each zip out as Dataverse exports it', () => {
    for (const p of packed) {
      for (const parts of [p.unmanaged, p.managed]) {
        expect(parts.has('solution.xml')).toBe(true);
        expect(parts.has('customizations.xml')).toBe(true);
        for (const variable of p.model.environmentVariables) {
          expect(
            parts.has(
              `environmentvariabledefinitions/${variable.schemaName}/environmentvariabledefinition.xml`,
            ),
          ).toBe(true);
        }
        for (const resource of p.model.webResources)
          expect(parts.has(`WebResources/${resource.name}`)).toBe(true);
        const types = xmlPart(parts, '[Content_Types].xml');
        const defaults = new Map(
          elements(types, 'Default').map((d) => [attr(d, 'Extension') ?? '', attr(d, 'ContentType')]),
        );
        expect(defaults.get('xml')).toBe('text/xml');
        for (const part of parts.keys())
          expect(defaults.get(path.extname(part).slice(1).toLowerCase())).toBeDefined();
        // Dataverse writes these parts with a byte order mark and CRLF line ends.
        const bytes = parts.get('customizations.xml') as Uint8Array;
        expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        expect(new TextDecoder().decode(bytes)).toContain('?>\r\n<ImportExportXml');
      }
    }
  });

  it('marks webhook steps and service endpoints not customisable in the managed zip only', () => {
    const flags = (parts: Parts, section: string, item: string) =>
      elements(child(xmlPart(parts, 'customizations.xml'), section) ?? el('none'), item).map((e) =>
        childText(e, 'IsCustomizable'),
      );
    let steps = 0;
    for (const p of packed) {
      for (const [section, item] of [
        ['SdkMessageProcessingSteps', 'SdkMessageProcessingStep'],
        ['ServiceEndpoints', 'ServiceEndpoint'],
      ] as const) {
        const managed = flags(p.managed, section, item);
        expect(managed.every((f) => f === '0')).toBe(true);
        expect(flags(p.unmanaged, section, item).every((f) => f === '1')).toBe(true);
        steps += managed.length;
      }
    }
    // Both solutions ship steps and one endpoint each.
    expect(steps).toBeGreaterThanOrEqual(4);
  });

  it('names the publisher, version, managed flag and every root component in solution.xml', () => {
    for (const p of packed) {
      for (const [parts, managed] of [
        [p.unmanaged, '0'],
        [p.managed, '1'],
      ] as const) {
        const manifest = child(xmlPart(parts, 'solution.xml'), 'SolutionManifest') as XmlElement;
        expect(childText(manifest, 'UniqueName')).toBe(p.model.uniqueName);
        expect(childText(manifest, 'Version')).toBe(p.model.version);
        expect(childText(manifest, 'Managed')).toBe(managed);
        const publisher = child(manifest, 'Publisher') as XmlElement;
        expect(childText(publisher, 'UniqueName')).toBe('ideario');
        expect(childText(publisher, 'CustomizationPrefix')).toBe('idr');
        expect(childText(publisher, 'CustomizationOptionValuePrefix')).toBe('10520');
        expect(Object.keys(labels(child(manifest, 'LocalizedNames')))).toEqual(['1033', '3082']);

        const roots = elements(child(manifest, 'RootComponents') as XmlElement, 'RootComponent').map((r) => ({
          type: Number(attr(r, 'type')),
          key: (attr(r, 'schemaName') ?? attr(r, 'id') ?? '').replace(/[{}]/g, '').toLowerCase(),
          behavior: attr(r, 'behavior'),
        }));
        const has = (type: number, key: string) =>
          roots.find((r) => r.type === type && r.key === key.replace(/[{}]/g, '').toLowerCase());
        for (const table of Object.values(p.model.tables)) {
          expect(has(COMPONENT_TYPE.entity, table.logicalName)).toMatchObject({
            behavior: table.isExtension ? '2' : '0',
          });
        }
        for (const set of Object.keys(p.model.optionSets))
          expect(has(COMPONENT_TYPE.optionSet, set)).toBeDefined();
        for (const role of p.model.roles) expect(has(COMPONENT_TYPE.role, role.id)).toBeDefined();
        for (const step of p.model.steps)
          expect(has(COMPONENT_TYPE.sdkMessageProcessingStep, step.id)).toBeDefined();
        for (const endpoint of p.model.serviceEndpoints)
          expect(has(COMPONENT_TYPE.serviceEndpoint, endpoint.id)).toBeDefined();
        for (const variable of p.model.environmentVariables) {
          expect(has(COMPONENT_TYPE.environmentVariableDefinition, variable.schemaName)).toBeDefined();
        }
        for (const resource of p.model.webResources)
          expect(has(COMPONENT_TYPE.webResource, resource.name)).toBeDefined();
        // A table shipped without its subcomponents (behavior 2) carries only the views and forms
        // listed as root components of their own: an unlisted one is silently left out of an export.
        for (const table of Object.values(p.model.tables).filter((t) => t.isExtension)) {
          for (const view of table.views)
            expect({
              table: table.logicalName,
              view: view.id,
              root: !!has(COMPONENT_TYPE.savedQuery, view.id),
            }).toEqual({ table: table.logicalName, view: view.id, root: true });
          for (const form of table.forms)
            expect({
              table: table.logicalName,
              form: form.id,
              root: !!has(COMPONENT_TYPE.systemForm, form.id),
            }).toEqual({ table: table.logicalName, form: form.id, root: true });
        }
      }
    }
  });

  it('puts every table, column, alternate key, relationship, step and endpoint of the source in customizations.xml', () => {
    for (const p of packed) {
      const customizations = xmlPart(p.unmanaged, 'customizations.xml');
      for (const table of Object.values(p.model.tables)) {
        const info = child(
          child(entity(p.unmanaged, table.logicalName), 'EntityInfo') as XmlElement,
          'entity',
        ) as XmlElement;
        const attributes = new Set(
          elements(child(info, 'attributes') as XmlElement, 'attribute').map((a) =>
            childText(a, 'LogicalName'),
          ),
        );
        for (const column of Object.values(table.columns).filter((c) => c.isCustom))
          expect(attributes).toContain(column.logicalName);
        if (!table.isExtension) {
          expect(attributes).toContain('statecode');
          expect(attributes).toContain('statuscode');
        }
        const keys = elements(child(info, 'EntityKeys') ?? el('none'), 'EntityKey').map((k) => ({
          name: childText(k, 'Name'),
          columns: elements(child(k, 'EntityKeyAttributes') as XmlElement, 'AttributeName').map(textOf),
        }));
        expect(keys).toEqual(table.alternateKeys.map((k) => ({ name: k.name, columns: k.columns })));
      }
      const relationships = elements(
        child(customizations, 'EntityRelationships') as XmlElement,
        'EntityRelationship',
      );
      for (const rel of p.model.relationships) {
        const packedRel = relationships.find((r) => attr(r, 'Name') === rel.name);
        expect(packedRel && childText(packedRel, 'CascadeDelete')).toBe(rel.cascadeDelete);
      }
      const steps = elements(
        child(customizations, 'SdkMessageProcessingSteps') as XmlElement,
        'SdkMessageProcessingStep',
      );
      expect(steps).toHaveLength(p.model.steps.length);
      for (const step of p.model.steps) {
        const s = steps.find((x) =>
          (attr(x, 'SdkMessageProcessingStepId') ?? '').toLowerCase().includes(step.id),
        );
        expect(s && [childText(s, 'PrimaryEntity'), childText(s, 'Stage'), childText(s, 'Mode')]).toEqual([
          step.entity,
          String(step.stage),
          String(step.mode),
        ]);
        expect((s && childText(s, 'EventHandler'))?.toLowerCase()).toContain(step.serviceEndpointId);
      }
      const endpoints = elements(child(customizations, 'ServiceEndpoints') as XmlElement, 'ServiceEndpoint');
      expect(
        endpoints.map((e) => [
          childText(e, 'Contract'),
          childText(e, 'MessageFormat'),
          childText(e, 'AuthType'),
          childText(e, 'Url'),
        ]),
      ).toEqual([['8', '2', '4', undefined]]);
      expect(elements(child(customizations, 'Languages') as XmlElement).map(textOf)).toEqual([
        '1033',
        '3082',
      ]);
    }
  });

  it('cascades deletes from contacts and opportunities and restricts them from concepts', () => {
    const cases: [string, string, string][] = [
      [idr_interaction.logicalName, idr_interaction.columns.idr_contact, 'Cascade'],
      [idr_interestprofile.logicalName, idr_interestprofile.columns.idr_contact, 'Cascade'],
      [idr_interactionrule.logicalName, idr_interactionrule.columns.idr_concept, 'Restrict'],
      [idr_interaction.logicalName, idr_interaction.columns.idr_concept, 'Restrict'],
      [idr_interestprofile.logicalName, idr_interestprofile.columns.idr_concept, 'Restrict'],
      [idr_quotationaction.logicalName, idr_quotationaction.columns.idr_opportunity, 'Cascade'],
    ];
    for (const [table, column, cascade] of cases) {
      const rel = relationship(solutionOf(table).unmanaged, table, column);
      expect(rel && childText(rel, 'CascadeDelete')).toBe(cascade);
    }
  });

  it('gives the alternate keys integrators upsert by', () => {
    const cases: [string, Record<string, readonly string[]>][] = [
      [idr_marketingconcept.logicalName, idr_marketingconcept.alternateKeys],
      [idr_interaction.logicalName, idr_interaction.alternateKeys],
      [idr_interestprofile.logicalName, idr_interestprofile.alternateKeys],
      [idr_quotationaction.logicalName, idr_quotationaction.alternateKeys],
    ];
    for (const [table, keys] of cases) {
      const info = child(
        child(entity(solutionOf(table).unmanaged, table), 'EntityInfo') as XmlElement,
        'entity',
      ) as XmlElement;
      const packedKeys = Object.fromEntries(
        elements(child(info, 'EntityKeys') as XmlElement, 'EntityKey').map((k) => [
          childText(k, 'Name') ?? '',
          elements(child(k, 'EntityKeyAttributes') as XmlElement, 'AttributeName').map(textOf),
        ]),
      );
      expect(Object.keys(keys)).toHaveLength(1);
      expect(packedKeys).toEqual(keys);
    }
  });

  it('wires the Group Quotation form of opportunities to its form script', () => {
    const script = WEB_RESOURCES.find((w) => w.folder === 'opportunity');
    if (!script) throw new Error('no opportunity form script in webresources/build.ts');
    const parts = packed.find((p) =>
      p.model.webResources.some((w) => w.name === script.webResourceName),
    )?.unmanaged;
    if (!parts) throw new Error('no solution ships the opportunity form script');
    const forms = elements(
      child(entity(parts, opportunity.logicalName), 'FormXml') as XmlElement,
      'forms',
    ).flatMap((f) => elements(f, 'systemform'));
    const form = forms.map((f) => child(f, 'form') as XmlElement).find((f) => child(f, 'formLibraries'));
    if (!form) throw new Error('no opportunity form with a library');
    expect(
      elements(child(form, 'formLibraries') as XmlElement, 'Library').map((l) => attr(l, 'name')),
    ).toEqual([script.webResourceName]);

    const handlers = elements(child(form, 'events') as XmlElement, 'event').map((e) => {
      const handler = elements(child(e, 'Handlers') as XmlElement, 'Handler')[0];
      return {
        event: attr(e, 'name'),
        attribute: attr(e, 'attribute'),
        fn: attr(handler, 'functionName'),
        library: attr(handler, 'libraryName'),
        context: attr(handler, 'passExecutionContext'),
      };
    });
    const c = opportunity.columns;
    const ns = script.globalName;
    expect(handlers).toEqual(
      [
        ['onload', undefined, 'onLoad'],
        ['onsave', undefined, 'onSave'],
        ['onchange', c.idr_arrivaldate, 'onArrivalChange'],
        ['onchange', c.idr_nights, 'onNightsChange'],
        ['onchange', c.idr_departuredate, 'onDepartureChange'],
        ...[
          c.idr_adults,
          c.idr_children,
          c.idr_priceperpersonnight,
          c.idr_childpricepercent,
          c.idr_depositpercent,
        ].map((a) => ['onchange', a, 'onPricingChange']),
      ].map(([event, attribute, fn]) => ({
        event,
        attribute,
        fn: `${ns}.${fn}`,
        library: script.webResourceName,
        context: 'true',
      })),
    );

    const tab = elements(child(form, 'tabs') as XmlElement, 'tab').find(
      (t) => labels(child(t, 'labels'))['1033'] === 'Group quotation',
    );
    if (!tab) throw new Error('no Group quotation tab');
    expect(labels(child(tab, 'labels'))['3082']).toBe('Cotización de grupo');
    const sections = elements(child(tab, 'columns') as XmlElement, 'column').flatMap((col) =>
      elements(child(col, 'sections') as XmlElement, 'section').map((s) =>
        elements(child(s, 'rows') as XmlElement, 'row').flatMap((r) =>
          elements(r, 'cell').map((cell) => attr(child(cell, 'control') as XmlElement, 'datafieldname')),
        ),
      ),
    );
    expect(sections).toEqual([
      [
        c.idr_arrivaldate,
        c.idr_nights,
        c.idr_departuredate,
        c.idr_mealplan,
        c.idr_cutoffdate,
        c.idr_optionexpireson,
      ],
      [c.idr_agency, c.idr_agent, c.idr_adults, c.idr_children, c.idr_persons, c.idr_rooms],
      [
        c.idr_priceperpersonnight,
        c.idr_childpricepercent,
        c.idr_total,
        c.idr_depositpercent,
        c.idr_deposit,
        c.idr_depositduedate,
        c.idr_depositreceivedon,
      ],
      [
        c.idr_phase,
        c.idr_quotesenton,
        c.idr_confirmedon,
        c.idr_roominglistdueon,
        c.idr_roominglistreceivedon,
        c.idr_quotationissue,
        c.idr_handoffstatus,
        c.idr_handoffreference,
        c.idr_policy,
      ],
    ]);
  });

  it('ships the working views users asked for', () => {
    const views = new Map<string, XmlElement>();
    for (const p of packed) {
      for (const e of elements(
        child(xmlPart(p.unmanaged, 'customizations.xml'), 'Entities') as XmlElement,
        'Entity',
      )) {
        for (const q of elements(
          child(child(e, 'SavedQueries') ?? el('none'), 'savedqueries') ?? el('none'),
          'savedquery',
        )) {
          views.set(labels(child(q, 'LocalizedNames'))['1033'], q);
        }
      }
    }
    for (const name of [
      'Active Concepts',
      'Impact Ranking',
      'Interactions Awaiting Scoring',
      'Failed Interactions',
      'Quotations by Phase',
      'Quotations Needing Follow-up',
    ]) {
      expect(views.has(name)).toBe(true);
    }
    const fetchEntity = (name: string) =>
      child(
        child(child(views.get(name) as XmlElement, 'fetchxml') as XmlElement, 'fetch') as XmlElement,
        'entity',
      ) as XmlElement;
    const conditions = (name: string) => writeXml(fetchEntity(name), { declaration: false });
    expect(conditions('Interactions Awaiting Scoring')).toContain(
      `<condition attribute="${idr_interaction.columns.idr_processingstatus}" operator="eq" value="${ProcessingStatus.Pending}" />`,
    );
    expect(conditions('Failed Interactions')).toContain(`value="${ProcessingStatus.Failed}"`);
    expect(
      elements(fetchEntity('Impact Ranking'), 'order').map((o) => [
        attr(o, 'attribute'),
        attr(o, 'descending'),
      ]),
    ).toEqual([[idr_interestprofile.columns.idr_rankkey, 'true']]);
    for (const table of [
      idr_marketingconcept,
      idr_interactionrule,
      idr_interaction,
      idr_interestprofile,
      idr_quotationpolicy,
      idr_quotationaction,
    ]) {
      const queries = elements(
        child(
          child(
            entity(solutionOf(table.logicalName).unmanaged, table.logicalName),
            'SavedQueries',
          ) as XmlElement,
          'savedqueries',
        ) as XmlElement,
        'savedquery',
      );
      const types = queries.map((q) => childText(q, 'querytype'));
      // Public (0), advanced find (1), associated (2), quick find (4) and lookup (64) views.
      for (const type of ['0', '1', '2', '4', '64']) expect(types).toContain(type);
    }
  });

  it('grants the three roles what their users need, and nothing they do not', () => {
    const roles = new Map<string, string[]>();
    for (const p of packed) {
      for (const r of elements(
        child(xmlPart(p.unmanaged, 'customizations.xml'), 'Roles') as XmlElement,
        'Role',
      )) {
        roles.set(
          attr(r, 'name') ?? '',
          elements(child(r, 'RolePrivileges') as XmlElement, 'RolePrivilege').map(
            (x) => `${attr(x, 'name')}:${attr(x, 'level')}`,
          ),
        );
      }
    }
    const marketing = [idr_marketingconcept, idr_interactionrule, idr_interestprofile, idr_interaction].map(
      (t) => t.logicalName,
    );
    for (const table of marketing) {
      for (const privilege of [
        'Create',
        'Read',
        'Write',
        'Delete',
        'Append',
        'AppendTo',
        'Assign',
        'Share',
      ]) {
        expect(roles.get('Ideario Marketing Manager')).toContain(`prv${privilege}${table}:Global`);
      }
      expect(roles.get('Ideario Analyst')).toContain(`prvRead${table}:Global`);
    }
    // Read-only on data: the only writes are the user's own grid settings, which rendering a grid needs.
    expect(
      roles
        .get('Ideario Analyst')
        ?.filter((p) => !p.startsWith('prvRead') && !/^prv(Create|Write)UserEntityUISettings:Basic$/.test(p)),
    ).toEqual([]);
    const sales = roles.get('Ideario Group Sales') ?? [];
    expect(sales).toContain(`prvRead${idr_quotationpolicy.logicalName}:Global`);
    expect(sales.some((p) => p.startsWith(`prvWrite${idr_quotationpolicy.logicalName}`))).toBe(false);
    expect(sales.some((p) => p.startsWith(`prvCreate${idr_quotationaction.logicalName}`))).toBe(true);
    expect(sales.some((p) => p.startsWith('prvWriteOpportunity'))).toBe(true);
  });

  it('gives byte-identical zips when packing twice', async () => {
    const again = tempDir();
    await packSolutions({
      pcfDir,
      solutionRoot: SOLUTION_ROOT,
      outDir: again,
      validate: () => [],
      logger: silentLogger,
    });
    expect(zipFiles(again)).toEqual(zipFiles(out));
    for (const file of zipFiles(out)) {
      expect(readFileSync(path.join(again, file)).equals(readFileSync(path.join(out, file)))).toBe(true);
    }
  });

  it('writes no zip at all when one solution fails validation', async () => {
    const target = tempDir();
    const last = packed[packed.length - 1].dir;
    const validate = (dir: string) =>
      dir === last
        ? [
            {
              kind: 'bad-version' as const,
              file: path.join(dir, 'src/Other/Solution.xml'),
              message: 'version "1" is not four numbers',
              fix: 'Write 1.0.0.0.',
            },
          ]
        : [];
    await expect(
      packSolutions({ pcfDir, solutionRoot: SOLUTION_ROOT, outDir: target, validate, logger: silentLogger }),
    ).rejects.toThrow(InvalidSolutionSourceError);
    expect(readdirSync(target)).toEqual([]);
  });

  it('leaves the previous zips untouched when packing fails half-way', async () => {
    const root = tempDir();
    for (const p of packed) cpSync(p.dir, path.join(root, path.basename(p.dir)), { recursive: true });
    const broken = path.join(
      root,
      path.basename(packed[packed.length - 1].dir),
      'src',
      'Other',
      'Relationships.xml',
    );
    writeFileSync(
      broken,
      readFileSync(broken, 'utf8').replace(
        '</EntityRelationships>',
        '  <EntityRelationship Name="listed_but_never_defined" />\n</EntityRelationships>',
      ),
    );
    const target = tempDir();
    const previous = path.join(target, zipFiles(out)[0]);
    writeFileSync(previous, 'previous build');
    await expect(
      packSolutions({ pcfDir, solutionRoot: root, outDir: target, validate: () => [], logger: silentLogger }),
    ).rejects.toThrow(UnknownRelationshipError);
    expect(readdirSync(target)).toEqual([path.basename(previous)]);
    expect(readFileSync(previous, 'utf8')).toBe('previous build');
  });

  it('stops before packing when the form scripts do not build', async () => {
    const target = tempDir();
    const failing = () => Promise.reject(new Error('webresources/opportunity/index.ts:3: Expected ";"'));
    const packing = packSolutions({
      pcfDir,
      solutionRoot: SOLUTION_ROOT,
      outDir: target,
      validate: () => [],
      logger: silentLogger,
      buildWebResources: failing,
    });
    await expect(packing).rejects.toThrow(WebResourceBuildFailedError);
    await expect(packing).rejects.toThrow(/index\.ts:3/);
    expect(zipFiles(target)).toEqual([]);
  });

  it('builds the form scripts first and packs the bundle instead of the placeholder', async () => {
    const script = WEB_RESOURCES[0];
    const owner = packed.find((p) => p.model.webResources.some((w) => w.name === script.webResourceName));
    if (!owner) throw new Error('no solution ships the form script');
    const target = tempDir();
    const calls: string[] = [];
    await packSolutions({
      pcfDir,
      solutionRoot: SOLUTION_ROOT,
      outDir: target,
      solution: path.basename(owner.dir),
      validate: () => [],
      logger: silentLogger,
      buildWebResources: async (dir) => {
        calls.push(dir);
        const file = path.join(dir, ...script.webResourceName.split('/'));
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, 'var Ideario=Ideario||{};/* built */');
      },
    });
    expect(calls).toEqual([path.join(target, 'webresources')]);
    expect(zipFiles(target)).toHaveLength(2);
    for (const file of zipFiles(target)) {
      const parts = await partsOf(path.join(target, file));
      expect(new TextDecoder().decode(parts.get(`WebResources/${script.webResourceName}`))).toBe(
        'var Ideario=Ideario||{};/* built */',
      );
    }
    const placeholder = readFileSync(
      path.join(owner.dir, 'src', 'WebResources', ...script.webResourceName.split('/')),
      'utf8',
    );
    expect(placeholder).toContain('ideario pack');
  });
});

describe('buildSolutionParts with sources unpacked by SolutionPackager', () => {
  const customizations = (endpoints: string) =>
    `<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Entities /><ServiceEndpoints>${endpoints}</ServiceEndpoints><Languages><Language>1033</Language></Languages></ImportExportXml>`;
  const endpoint = (id: string, name: string) =>
    `<ServiceEndpoint ServiceEndpointId="{${id}}" Name="${name}"><Contract>8</Contract></ServiceEndpoint>`;

  it('gathers service endpoints from Customizations.xml, PluginAssemblies/ServiceEndpoints.xml and ServiceEndpoints/', () => {
    const files = new Map<string, Uint8Array>([
      [
        'Other/Customizations.xml',
        encodeUtf8(customizations(endpoint('00000000-0000-4000-8000-000000000001', 'kept'))),
      ],
      [
        'PluginAssemblies/ServiceEndpoints.xml',
        encodeUtf8(
          `<ServiceEndpoints>${endpoint('00000000-0000-4000-8000-000000000002', 'pac')}${endpoint('00000000-0000-4000-8000-000000000001', 'kept')}</ServiceEndpoints>`,
        ),
      ],
      ['ServiceEndpoints/single.xml', encodeUtf8(endpoint('00000000-0000-4000-8000-000000000003', 'single'))],
    ]);
    const parts = buildSolutionParts(files, { managed: 0 });
    const section = child(xmlPart(parts, 'customizations.xml'), 'ServiceEndpoints') as XmlElement;
    expect(elements(section, 'ServiceEndpoint').map((e) => attr(e, 'Name'))).toEqual([
      'kept',
      'pac',
      'single',
    ]);
    expect([...parts.keys()].some((k) => k.includes('ServiceEndpoints'))).toBe(false);
  });

  it("puts an entity's RibbonDiff.xml back into its RibbonDiffXml", () => {
    const files = new Map<string, Uint8Array>([
      ['Other/Customizations.xml', encodeUtf8(customizations(''))],
      [
        'Entities/demo_thing/Entity.xml',
        encodeUtf8(
          '<Entity><Name LocalizedName="Thing" OriginalName="Thing">demo_thing</Name><RibbonDiffXml /></Entity>',
        ),
      ],
      [
        'Entities/demo_thing/RibbonDiff.xml',
        encodeUtf8('<RibbonDiffXml><CustomActions /><LocLabels /></RibbonDiffXml>'),
      ],
    ]);
    const parts = buildSolutionParts(files, { managed: 0 });
    const entities = child(xmlPart(parts, 'customizations.xml'), 'Entities') as XmlElement;
    const ribbon = child(elements(entities, 'Entity')[0], 'RibbonDiffXml') as XmlElement;
    expect(elements(ribbon).map((e) => e.name)).toEqual(['CustomActions', 'LocLabels']);
  });
});

describe('buildSolutionParts with PCF controls', () => {
  const manifest = (managed: string) =>
    el(
      'ImportExportXml',
      null,
      el(
        'SolutionManifest',
        null,
        el('UniqueName', null, 'Demo'),
        el('Version', null, '1.2.3.4'),
        el('Managed', null, managed),
        el('Publisher', null, el('CustomizationPrefix', null, 'demo')),
        el('RootComponents'),
      ),
    );
  const source = () =>
    new Map<string, Uint8Array>([
      ['Other/Solution.xml', encodeUtf8(writeXml(manifest('2')))],
      [
        'Other/Customizations.xml',
        encodeUtf8(
          writeXml(
            el('ImportExportXml', null, el('Entities'), el('Languages', null, el('Language', null, '1033'))),
          ),
        ),
      ],
      [
        'Controls/demo_Demo.Rating/ControlManifest.xml.data.xml',
        encodeUtf8(writeXml(el('CustomControl', null, el('Name', null, 'demo_Demo.Rating')))),
      ],
    ]);

  it('takes a declared control from its build output and lists it everywhere Dataverse looks', () => {
    const build = {
      name: 'demo_Demo.Rating',
      source: 'dist/pcf/Rating',
      files: new Map([
        [
          'ControlManifest.xml',
          encodeUtf8('<manifest><control namespace="Demo" constructor="Rating" /></manifest>'),
        ],
        ['bundle.js', encodeUtf8('var pcf;')],
        ['css/Rating.css', encodeUtf8('.r{}')],
      ]),
    };
    const parts = buildSolutionParts(source(), { managed: 1, controls: [build] });
    expect([...parts.keys()].filter((k) => k.startsWith('Controls/')).sort()).toEqual([
      'Controls/demo_Demo.Rating/ControlManifest.xml',
      'Controls/demo_Demo.Rating/bundle.js',
      'Controls/demo_Demo.Rating/css/Rating.css',
    ]);
    const control = child(
      child(xmlPart(parts, 'customizations.xml'), 'CustomControls') as XmlElement,
      'CustomControl',
    ) as XmlElement;
    expect(childText(control, 'FileName')).toBe('/Controls/demo_Demo.Rating/ControlManifest.xml');
    const roots = elements(
      child(
        child(xmlPart(parts, 'solution.xml'), 'SolutionManifest') as XmlElement,
        'RootComponents',
      ) as XmlElement,
      'RootComponent',
    );
    expect(roots.map((r) => [attr(r, 'type'), attr(r, 'schemaName')])).toEqual([['66', 'demo_Demo.Rating']]);
    const types = xmlPart(parts, '[Content_Types].xml');
    expect(elements(types, 'Override').map((o) => attr(o, 'PartName'))).toEqual([
      '/Controls/demo_Demo.Rating/ControlManifest.xml',
    ]);
    expect(elements(types, 'Default').map((d) => attr(d, 'Extension'))).toEqual(['xml', 'css', 'js']);
  });

  it('names each PCF build output from its manifest', async () => {
    const pcf = tempDir();
    await mkdir(path.join(pcf, 'Rating', 'css'), { recursive: true });
    await writeFile(
      path.join(pcf, 'Rating', 'ControlManifest.xml'),
      '<?xml version="1.0"?><manifest><control namespace="Demo" constructor="Rating" version="1.0.0" /></manifest>',
    );
    await writeFile(path.join(pcf, 'Rating', 'bundle.js'), 'var pcf;');
    await writeFile(path.join(pcf, 'Rating', 'css', 'Rating.css'), '.r{}');
    await mkdir(path.join(pcf, 'NotAControl'));
    const builds = await readControlBuilds(pcf, 'demo');
    expect(builds.map((b) => [b.name, [...b.files.keys()].sort()])).toEqual([
      ['demo_Demo.Rating', ['ControlManifest.xml', 'bundle.js', 'css/Rating.css']],
    ]);
    expect(await readControlBuilds(path.join(pcf, 'absent'), 'demo')).toEqual([]);
  });

  it('refuses to pack a declared control that was never built', () => {
    expect(() => buildSolutionParts(source(), { managed: 0 })).toThrow(MissingControlBuildError);
    expect(() => buildSolutionParts(source(), { managed: 0 })).toThrow(/demo_Demo\.Rating.*dist\/pcf/);
  });

  it('packs no control when none is declared, even if builds exist', () => {
    const files = source();
    files.delete('Controls/demo_Demo.Rating/ControlManifest.xml.data.xml');
    const parts = buildSolutionParts(files, { managed: 0, controls: [] });
    expect([...parts.keys()].some((k) => k.startsWith('Controls/'))).toBe(false);
  });
});
