import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import * as generated from '../dataverse/generated';
import { idr_quotationpolicy, opportunity } from '../dataverse/generated';
import { createForm, generatedTables, memoryClient } from '../tools/harness';
import { loadMetadata } from '../tools/solution/loader';
import type { FormModel } from '../tools/solution/model';
import {
  buildWebResources,
  bundleWebResource,
  loadedResources,
  resxWebResources,
  WEB_RESOURCES,
} from './build';

const opportunityScript = WEB_RESOURCES.find((w) => w.folder === 'opportunity');

/** Every handler any form of the solutions registers from the given library. */
function handlersUsing(library: string): FormModel['handlers'] {
  const tables = Object.values(loadMetadata(path.join(__dirname, '..', 'solution')).tables);
  return tables.flatMap((t) => t.forms.flatMap((f) => f.handlers.filter((h) => h.library === library)));
}

function resolve(root: object, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], root);
}

describe('web resource build', () => {
  let outDir: string;
  let written: string[];

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'ideario-webresources-'));
    written = await buildWebResources(outDir);
  });

  /** Where the build wrote the bundle of one `webresources/<folder>/`. */
  const bundleOf = (folder: string): string => {
    const name = WEB_RESOURCES.find((w) => w.folder === folder)?.webResourceName ?? folder;
    return path.join(outDir, ...name.split('/'));
  };

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('writes each bundle where the solution expects the web resource', () => {
    expect(opportunityScript).toBeDefined();
    expect([...written].sort()).toEqual([
      path.join(outDir, 'idr_', 'groupquotes', 'opportunity.js'),
      path.join(outDir, 'idr_', 'groupquotes', 'roomblock.js'),
      path.join(outDir, 'idr_', 'interests', 'concept.js'),
      path.join(outDir, 'idr_', 'opportunity', 'strings.1033.resx'),
      path.join(outDir, 'idr_', 'opportunity', 'strings.3082.resx'),
      path.join(outDir, 'idr_', 'roomblock', 'strings.1033.resx'),
      path.join(outDir, 'idr_', 'roomblock', 'strings.3082.resx'),
    ]);
  });

  it('publishes every handler the Marketing Concept form names', async () => {
    const conceptScript = WEB_RESOURCES.find((w) => w.folder === 'concept');
    const page = vm.createContext({});
    vm.runInContext(await readFile(bundleOf('concept'), 'utf8'), page, {
      filename: conceptScript?.webResourceName,
    });
    const handlers = handlersUsing(conceptScript?.webResourceName ?? '');
    expect(handlers.length).toBeGreaterThanOrEqual(4);
    const missing = handlers
      .filter((h) => typeof resolve(page, h.functionName) !== 'function')
      .map((h) => h.functionName);
    expect(missing).toEqual([]);
  });

  it('publishes every handler the Opportunity form names, without replacing another library’s Ideario namespace', async () => {
    const code = await readFile(bundleOf('opportunity'), 'utf8');
    const otherLibrary = { Interests: { Contact: { onLoad: () => 'contact' } } };
    const page = vm.createContext({ Ideario: otherLibrary });
    vm.runInContext(code, page, { filename: opportunityScript?.webResourceName });

    const handlers = handlersUsing(opportunityScript?.webResourceName ?? '');
    expect(handlers.length).toBeGreaterThanOrEqual(8);
    const missing = handlers
      .filter((h) => typeof resolve(page, h.functionName) !== 'function')
      .map((h) => h.functionName);
    expect(missing).toEqual([]);
    expect(resolve(page, 'Ideario.Interests.Contact.onLoad')).toBe(otherLibrary.Interests.Contact.onLoad);
  });

  it('runs in the page as built: the bundled handlers read the page’s Xrm and work the form', async () => {
    const code = await readFile(bundleOf('opportunity'), 'utf8');
    const c = opportunity.columns;
    const p = idr_quotationpolicy.columns;
    const form = createForm({
      table: opportunity,
      userLanguage: 3082,
      resources: loadedResources(WEB_RESOURCES),
      webApi: memoryClient(generatedTables(), {
        [idr_quotationpolicy.entitySetName]: [
          {
            [p.idr_quotationpolicyid]: '0b4c1a52-8a0e-4d8e-9a36-000000000003',
            [p.idr_isdefault]: true,
            [p.statecode]: idr_quotationpolicy.choices.statecode.Active,
            [p.idr_defaultdepositpercent]: 30,
          },
        ],
      }),
    });
    // The page (a vm context) has its own global Xrm; the test's global never does.
    const page = vm.createContext({ Xrm: form.xrm });
    vm.runInContext(code, page);
    form.registerHandlers(handlersUsing(opportunityScript?.webResourceName ?? ''), page);

    await form.load();
    expect(form.value(c.idr_depositpercent)).toBe(30);
    await form.change(c.idr_arrivaldate, '2027-01-30');
    await form.change(c.idr_nights, 3);
    expect(form.dateValue(c.idr_departuredate)).toBe('2027-02-02');
    expect(form.isDisabled(c.idr_total)).toBe(true);
    // The Spanish message comes from the RESX strings, the dates written the Spanish way.
    await form.change(c.idr_departuredate, '2027-01-29');
    expect(form.fieldNotification(c.idr_departuredate)).toBe(
      'La salida (29 de enero de 2027) debe ser posterior a la llegada (30 de enero de 2027).',
    );
  });

  it('ships only the names the Opportunity script reads: no other table, no metadata object', async () => {
    const code = await readFile(bundleOf('opportunity'), 'utf8');
    const used = new Set<string>([opportunity.logicalName, idr_quotationpolicy.logicalName]);
    const tables = Object.values(generated).filter(
      (t): t is typeof opportunity => typeof t === 'object' && 'entitySetName' in t,
    );
    expect(tables.length).toBeGreaterThan(used.size);
    // Minified code quotes strings with "; a table's names in quotes would be its metadata.
    const shipped = tables
      .filter((t) => !used.has(t.logicalName))
      .flatMap((t) => [t.logicalName, t.entitySetName, t.primaryIdAttribute])
      .filter((name) => code.includes(`"${name}"`));
    expect(shipped).toEqual([]);
    // The form reads a handful of opportunity columns, not all of them, and no column types or keys.
    const opportunityColumns = Object.keys(opportunity.columns).filter((c) => code.includes(`"${c}"`));
    expect(opportunityColumns.length).toBeGreaterThan(0);
    expect(opportunityColumns.length).toBeLessThan(Object.keys(opportunity.columns).length / 2);
    expect(code).not.toMatch(/columnTypes|lookupTargets|alternateKeys/);
  });

  it('keeps the form scripts small: reads only (no write, batch or action code), Opportunity under 10,800 bytes, Room Block under 8,250', async () => {
    const code = await readFile(bundleOf('opportunity'), 'utf8');
    // Issue 8 aims at 10 KB. 13.6 KB is what moving the messages to RESX, the slim Xrm reader, leaving out
    // the unused policy and time-zone code, Date-based day numbers and publishing the handlers without
    // esbuild's export helpers reached (13,815 bytes), so it cannot grow back. The policy problems in
    // the user's language from RESX, InvalidPolicyError's sentence left to the server: 13,809. Pricing
    // failures worded only by the exported functions, not on the form's path: 13,553. addDays without
    // fromDayNumber's check, the Xrm reader's $select through queryString: 13,449. Handlers published as
    // the entry's default export, pricing failures as const-enum numbers, stays priced positionally, one
    // date check, the controls' own forEach, deriveStay on addDays, one formatter cache: 12,245, still
    // short of 10 KB (what is left is the checks, the exact pricing, the dates and the reader it uses).
    // A terser pass after esbuild (11,529), date errors without the YYYY-MM-DD hint only parsing needs and a
    // shorter UnknownEntitySetError (11,353), the reader's paging loop returning from inside: 11,320.
    // esbuild minifying syntax only and terser renaming in 3 passes (11,240), the Xrm reader taking logical
    // names only and answering null for a missing record without NotFoundError (11,045), one date rule behind
    // isValidDate and the reasons, the percent problems' "allowed" left to the server (10,933), deriveStay by
    // what it derives (10,833), one numberOrNull (10,822), one write for a derived stay field and one fillEmpty
    // for the policy's defaults: 10,785. Still ~790 bytes over 10,000: see issue 8's report.
    expect(Buffer.byteLength(code, 'utf8')).toBeLessThan(10_800);
    expect(code).not.toContain('cannot be used');
    expect(code).not.toMatch(/cannot be priced|InvalidAmountError/);
    // No BigInt: the money arithmetic is exact on whole Numbers (domain/quotation/pricing.ts).
    expect(code).not.toMatch(/BigInt|\b\d+n\b/);
    // The Room Block script: only the names it reads, no time-zone code, its sentences in RESX web
    // resources (10,960 bytes before those; 10,147 after, under issue 8's 10 KB; 9,695 with the changes above;
    // 8,690 with terser's pass and the shorter errors; 8,219 with the Opportunity changes since).
    const roomBlock = await readFile(bundleOf('roomblock'), 'utf8');
    expect(Buffer.byteLength(roomBlock, 'utf8')).toBeLessThan(8_250);
    expect(roomBlock).not.toContain('would be overbooked');
    expect(roomBlock).not.toContain('quedaría sobrevendido');
    expect(roomBlock).not.toMatch(/DateTimeFormat\("en-US"|formatToParts/);
    expect(roomBlock).not.toContain(`"${opportunity.columns.idr_priceperpersonnight}"`);
    // The sentences are in the RESX web resources, not in the script.
    expect(code).not.toContain('must be after the arrival');
    expect(code).not.toContain('debe ser posterior a la llegada');
    // The writes of the full Web API client (changesets, actions) stay out of a script that only reads.
    expect(code).not.toMatch(/executeMultiple|changeset|createRecord|deleteRecord/);
    // The Marketing Concept script only reads as well (13.1 KB when first measured, 10.8 KB with the read
    // adapter; 6,300 bytes once it read names modules instead of the tables' whole metadata objects, 6,124
    // with the changes above, 5,719 with terser's pass and the shorter errors, 5,379 with the reader's since).
    const concept = await readFile(bundleOf('concept'), 'utf8');
    expect(Buffer.byteLength(concept, 'utf8')).toBeLessThan(5_400);
    expect(concept).not.toMatch(/primaryNameAttribute|columnTypes|idr_halflifedays/);
    expect(concept).not.toMatch(/executeMultiple|changeset|createRecord|deleteRecord/);
  });

  it.each([
    ['Opportunity', 'opportunity', 20],
    ['Room Block', 'roomblock', 4],
  ])(
    'ships each RESX file in the solution as a String (RESX) web resource the %s script depends on',
    async (_form, folder, minimumStrings) => {
      const script = WEB_RESOURCES.find((w) => w.folder === folder);
      if (!script?.strings) throw new Error(`no ${folder} web resource with strings`);
      const sources = path.join(__dirname, '..', 'solution', 'IdearioGroupQuotes', 'src');
      const scriptData = await readFile(
        path.join(sources, 'WebResources', ...`${script.webResourceName}.data.xml`.split('/')),
        'utf8',
      );
      const displayName = /<DisplayName>([^<]*)<\/DisplayName>/.exec(scriptData)?.[1];
      const solutionXml = await readFile(path.join(sources, 'Other', 'Solution.xml'), 'utf8');
      const files = resxWebResources(script);
      expect(files.map((f) => f.lcid)).toEqual([1033, 3082]);
      for (const resx of files) {
        const file = path.join(sources, 'WebResources', ...resx.webResourceName.split('/'));
        // The source copy is what the build writes (pack replaces it with the build's anyway).
        await expect(readFile(file, 'utf8')).resolves.toBe(resx.text);
        const data = await readFile(`${file}.data.xml`, 'utf8');
        expect(data).toContain(`<Name>${resx.webResourceName}</Name>`);
        expect(data).toContain('<WebResourceType>12</WebResourceType>'); // 12: String (RESX)
        expect(data).toContain(`<LanguageCode>${resx.lcid}</LanguageCode>`);
        // getResourceString only finds a RESX listed among the calling library's dependencies.
        expect(scriptData).toContain(
          `&lt;Library name="${resx.webResourceName}" displayName="${displayName} texts`,
        );
        expect(scriptData).toContain(`languagecode="${resx.lcid}"`);
        expect(solutionXml).toContain(`<RootComponent type="61" schemaName="${resx.webResourceName}"`);
      }
      // Every string the script asks for is in both languages.
      const byLanguage = loadedResources([script])[script.strings.resource];
      const [en, es] = [1033, 3082].map((lcid) => Object.keys(byLanguage[lcid]));
      expect(es).toEqual(en);
      expect(en.length).toBeGreaterThanOrEqual(minimumStrings);
    },
  );

  it.each([
    ['its named exports', "export const onLoad = () => 'loaded';\nexport const onSave = () => 'saved';\n"],
    ['its default export', "export default { onLoad: () => 'loaded', onSave: () => 'saved' };\n"],
  ])('publishes an entry by %s under its namespace', async (_how, source) => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ideario-entry-'));
    try {
      await mkdir(path.join(root, 'sample'));
      await writeFile(path.join(root, 'sample', 'index.ts'), source, 'utf8');
      const item = {
        folder: 'sample',
        globalName: 'Ideario.Test.Sample',
        webResourceName: 'idr_/test/sample.js',
      };
      const page = vm.createContext({});
      vm.runInContext(await bundleWebResource(item, root), page);
      // Run in the page: its functions and arrays belong to another realm than the test's.
      const called = 'JSON.stringify([Ideario.Test.Sample.onLoad(), Ideario.Test.Sample.onSave()])';
      expect(vm.runInContext(called, page)).toBe('["loaded","saved"]');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('gives the same bytes for the same sources, so a rebuilt solution does not change', async () => {
    if (!opportunityScript) throw new Error('no opportunity web resource');
    const again = await bundleWebResource(opportunityScript);
    expect(again).toBe(await readFile(bundleOf('opportunity'), 'utf8'));
    expect(again).not.toMatch(/\/work\/|sourceMappingURL/);
  });
});
