import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import { readSourceFiles } from './layout';
import {
  buildSolutionParts,
  findSolutionDirs,
  packSolutions,
  readControlBuilds,
  type PackedZip,
} from './pack';
import { builtControlsDir } from './pcfcache.testkit';
import { compareParts, exportFolderParts, roundTrip } from './roundtrip-reference';
import { NotASolutionZipError, unpackParts, unpackZip, UnsafeTargetFolderError } from './unpack';
import { attr, canonicalXml, child, childText, elements, encodeUtf8, parseXml, type XmlElement } from './xml';
import { readZip, UnsafeZipEntryError, writeZipBytes, type Parts } from './zip';

const FIXTURE = path.join(__dirname, '__fixtures__', 'dataverse-export');
const SOLUTION_ROOT = path.resolve(__dirname, '../../solution');
const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ideario-unpack-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('unpack of a Dataverse export', () => {
  let exported: Parts;
  let files: Map<string, Uint8Array>;
  beforeAll(async () => {
    exported = await exportFolderParts(FIXTURE);
    files = unpackParts(exported, 'ContosoProjects.zip');
  });

  it('reads the fixture as Dataverse wrote it: byte order marks and CRLF', () => {
    const customizations = exported.get('customizations.xml') as Uint8Array;
    expect([...customizations.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text(customizations)).toContain('\r\n');
    expect(exported.has('Controls/cnt_Contoso.Gauge/ControlManifest.xml')).toBe(true);
  });

  it('splits customizations.xml into the SolutionPackager layout', () => {
    expect([...files.keys()].sort()).toEqual([
      'Controls/cnt_Contoso.Gauge/ControlManifest.xml',
      'Controls/cnt_Contoso.Gauge/ControlManifest.xml.data.xml',
      'Controls/cnt_Contoso.Gauge/bundle.js',
      'Controls/cnt_Contoso.Gauge/css/Gauge.css',
      'Entities/Contact/Entity.xml',
      'Entities/cnt_project/Entity.xml',
      'Entities/cnt_project/FormXml/main/{5c3d4e2f-6a7b-4c8d-9e0f-1a2b3c4d5e6f}.xml',
      'Entities/cnt_project/FormXml/quick/{bc9d0e8f-2a3b-4c4d-5e6f-708192a3b4c5}.xml',
      'Entities/cnt_project/SavedQueries/{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}.xml',
      'Entities/cnt_project/SavedQueries/{de1f2a0b-4c5d-4e6f-7081-92a3b4c5d6e7}.xml',
      'OptionSets/cnt_projectstage.xml',
      'Other/Customizations.xml',
      'Other/Relationships.xml',
      'Other/Relationships/cnt_project.xml',
      'Other/Solution.xml',
      'Roles/Project Manager.xml',
      'SdkMessageProcessingSteps/{a5191a6b-9290-ee11-8179-000d3a354bf5}.xml',
      'WebResources/cnt_/scripts/project.js',
      'WebResources/cnt_/scripts/project.js.data.xml',
      '[Content_Types].xml',
      'environmentvariabledefinitions/cnt_ApiUrl/environmentvariabledefinition.xml',
    ]);
  });

  it('keeps in Customizations.xml the sections it does not split (service endpoints among them), with empty placeholders for the rest', () => {
    const root = parseXml(files.get('Other/Customizations.xml') as Uint8Array).root;
    expect(elements(root).map((e) => [e.name, e.children.length > 0])).toEqual([
      ['Entities', false],
      ['Roles', false],
      ['Workflows', false],
      ['FieldSecurityProfiles', false],
      ['Templates', false],
      ['EntityMaps', false],
      ['EntityRelationships', false],
      ['OrganizationSettings', false],
      ['optionsets', false],
      ['WebResources', false],
      ['CustomControls', false],
      ['SolutionPluginAssemblies', false],
      ['SdkMessageProcessingSteps', false],
      ['ServiceEndpoints', true],
      ['EntityDataProviders', false],
      ['connectionreferences', false],
      ['Languages', true],
    ]);
    expect(text(files.get('Other/Customizations.xml'))).toContain(
      '<!-- languages this solution carries labels for -->',
    );
  });

  it('leaves placeholders in Entity.xml where forms and views go back, and keeps everything else', () => {
    const entity = parseXml(files.get('Entities/cnt_project/Entity.xml') as Uint8Array).root;
    expect(elements(entity).map((e) => e.name)).toEqual([
      'Name',
      'EntityInfo',
      'FormXml',
      'SavedQueries',
      'RibbonDiffXml',
    ]);
    expect(child(entity, 'FormXml')?.children).toEqual([]);
    expect(attr(entity, 'xmlns:xsi')).toBe('http://www.w3.org/2001/XMLSchema-instance');
    const info = child(child(entity, 'EntityInfo') as XmlElement, 'entity') as XmlElement;
    expect(childText(info, 'MobileOfflineFilters')).toContain('\t\t<fetch version="1.0"');
    const quick = parseXml(
      files.get(
        'Entities/cnt_project/FormXml/quick/{bc9d0e8f-2a3b-4c4d-5e6f-708192a3b4c5}.xml',
      ) as Uint8Array,
    ).root;
    expect([quick.name, elements(quick).map((e) => e.name)]).toEqual(['forms', ['systemform']]);
  });

  it('files relationships under their referenced table and keeps their order in Relationships.xml', () => {
    const list = parseXml(files.get('Other/Relationships.xml') as Uint8Array).root;
    expect(elements(list).map((r) => attr(r, 'Name'))).toEqual([
      'cnt_project_contact_preferredproject',
      'cnt_contact_project',
    ]);
    const defined = parseXml(files.get('Other/Relationships/cnt_project.xml') as Uint8Array).root;
    expect(elements(defined, 'EntityRelationship').map((r) => attr(r, 'Name'))).toEqual([
      'cnt_project_contact_preferredproject',
      'cnt_contact_project',
    ]);
  });

  it('stores a web resource under its name and keeps the file name Dataverse gave it', () => {
    expect(files.get('WebResources/cnt_/scripts/project.js')).toEqual(
      exported.get('WebResources/cnt_scriptsprojectjsE2F3A4B5-C6D7-4E8F-9A0B-1C2D3E4F5A6B'),
    );
    const data = parseXml(files.get('WebResources/cnt_/scripts/project.js.data.xml') as Uint8Array).root;
    expect(childText(data, 'FileName')).toBe(
      '/WebResources/cnt_scriptsprojectjsE2F3A4B5-C6D7-4E8F-9A0B-1C2D3E4F5A6B',
    );
  });

  it('packs back to the same parts with the same canonical XML', async () => {
    const packed = await roundTrip(exported, 'ContosoProjects');
    expect(compareParts(exported, packed)).toEqual([]);
    // The canonical comparison is not blind: it sees a dropped form and a changed value.
    const changed = new Map(packed);
    const customizations = text(packed.get('customizations.xml'));
    changed.set(
      'customizations.xml',
      encodeUtf8(customizations.replace('<forms type="quick">', '<forms type="card">')),
    );
    expect(compareParts(exported, changed).map((d) => [d.part, d.problem])).toEqual([
      ['customizations.xml', 'different'],
    ]);
    changed.delete('WebResources/cnt_scriptsprojectjsE2F3A4B5-C6D7-4E8F-9A0B-1C2D3E4F5A6B');
    expect(compareParts(exported, changed).map((d) => d.problem)).toContain('missing');
  });

  it('keeps the exported managed flag when it packs an unpacked export back', async () => {
    const manifest = (await roundTrip(exported)).get('solution.xml') as Uint8Array;
    expect(childText(child(parseXml(manifest).root, 'SolutionManifest') as XmlElement, 'Managed')).toBe('0');
  });
});

describe('unpack of our own zips', () => {
  let zips: PackedZip[];
  let pcfDir: string;
  beforeAll(async () => {
    pcfDir = await builtControlsDir();
    zips = await packSolutions({
      pcfDir,
      solutionRoot: SOLUTION_ROOT,
      outDir: tempDir(),
      validate: () => [],
      logger: silentLogger,
    });
  });

  it('round-trips every zip pack writes', async () => {
    expect(zips).toHaveLength(4);
    for (const zip of zips) {
      const parts = await readZip(readFileSync(zip.file), zip.file);
      expect(compareParts(parts, await roundTrip(parts, zip.solution))).toEqual([]);
    }
  });

  it('gives back the committed source files, so the source is already in the layout unpack writes', async () => {
    for (const dir of await findSolutionDirs(SOLUTION_ROOT)) {
      const source = await readSourceFiles(path.join(dir, 'src'));
      const zip = zips.find((z) => !z.managed && z.solution === path.basename(dir)) as PackedZip;
      const target = tempDir();
      await unpackZip(zip.file, target);
      const unpacked = await readSourceFiles(path.join(target, 'src'));
      // A control's files come from its build (pcf-controls/), not from solution/: unpack writes them
      // beside the declaration the source holds, byte for byte as built.
      const builds = await readControlBuilds(pcfDir, 'idr');
      const built = new Map<string, Uint8Array>();
      for (const file of source.keys()) {
        const declared = /^Controls\/([^/]+)\/ControlManifest\.xml\.data\.xml$/.exec(file);
        const build = declared && builds.find((b) => b.name === declared[1]);
        if (build) for (const [f, bytes] of build.files) built.set(`Controls/${build.name}/${f}`, bytes);
      }
      expect([...unpacked.keys()].filter((f) => f !== '[Content_Types].xml').sort()).toEqual(
        [...source.keys(), ...built.keys()].sort(),
      );
      for (const [file, bytes] of built) expect([file, unpacked.get(file)]).toEqual([file, bytes]);
      for (const [file, bytes] of source) {
        if (file === 'Other/Solution.xml') {
          // The source ships both flavours (2); a zip holds one.
          expect(canonicalXml(unpacked.get(file) as Uint8Array)).toBe(
            canonicalXml(text(bytes).replace('<Managed>2</Managed>', '<Managed>0</Managed>')),
          );
        } else if (file.endsWith('.xml')) {
          expect([file, canonicalXml(unpacked.get(file) as Uint8Array)]).toEqual([file, canonicalXml(bytes)]);
        }
      }
    }
  });
});

describe('unpackZip', () => {
  async function zipOf(parts: Parts): Promise<string> {
    const file = path.join(tempDir(), 'export.zip');
    writeFileSync(file, await writeZipBytes(parts));
    return file;
  }

  it('replaces what an earlier unpack left, so deleted components disappear', async () => {
    const folder = tempDir();
    mkdirSync(path.join(folder, 'src', 'Other'), { recursive: true });
    writeFileSync(path.join(folder, 'src', 'Other', 'Customizations.xml'), '<ImportExportXml />');
    writeFileSync(path.join(folder, 'src', 'Other', 'Stale.xml'), '<gone />');
    await unpackZip(await zipOf(await exportFolderParts(FIXTURE)), folder);
    expect(existsSync(path.join(folder, 'src', 'Other', 'Stale.xml'))).toBe(false);
    expect(existsSync(path.join(folder, 'src', 'Entities', 'cnt_project', 'Entity.xml'))).toBe(true);
  });

  it('refuses to replace a src folder that is not an unpacked solution', async () => {
    const folder = tempDir();
    mkdirSync(path.join(folder, 'src'), { recursive: true });
    writeFileSync(path.join(folder, 'src', 'index.ts'), 'export {};');
    await expect(unpackZip(await zipOf(await exportFolderParts(FIXTURE)), folder)).rejects.toThrow(
      UnsafeTargetFolderError,
    );
    expect(readFileSync(path.join(folder, 'src', 'index.ts'), 'utf8')).toBe('export {};');
  });

  it('refuses a zip with an entry that escapes through backslashes, writing nothing and keeping the old source', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'deep', 'er', 'target');
    const escapee = path.join(dir, 'deep', 'escaped.txt');
    const zip = JSON.parse('"..\\\\..\\\\escaped.txt"') as string;
    const parts: Parts = new Map([
      ['customizations.xml', encodeUtf8('<ImportExportXml/>')],
      ['solution.xml', encodeUtf8('<ImportExportXml/>')],
    ]);
    const file = path.join(dir, 'evil.zip');
    const JSZip = (await import('jszip')).default;
    const evil = new JSZip();
    for (const [name, bytes] of parts) evil.file(name, bytes);
    evil.file(`src\\${zip}`, 'pwned');
    writeFileSync(file, await evil.generateAsync({ type: 'uint8array' }));
    mkdirSync(path.join(target, 'src', 'Other'), { recursive: true });
    writeFileSync(path.join(target, 'src', 'Other', 'Solution.xml'), 'kept');

    await expect(unpackZip(file, target)).rejects.toThrow(UnsafeZipEntryError);
    expect(existsSync(escapee)).toBe(false);
    expect(readFileSync(path.join(target, 'src', 'Other', 'Solution.xml'), 'utf8')).toBe('kept');
  });

  it('rejects a zip that is not a solution', async () => {
    const file = await zipOf(new Map([['readme.txt', encodeUtf8('hello')]]));
    await expect(unpackZip(file, tempDir())).rejects.toThrow(NotASolutionZipError);
  });

  it('packs an unpacked export into a zip Dataverse can read, without the layout files', () => {
    const files = unpackParts(
      new Map([['customizations.xml', encodeUtf8('<ImportExportXml><Entities /></ImportExportXml>')]]),
    );
    const parts = buildSolutionParts(files, { managed: 0 });
    expect([...parts.keys()].sort()).toEqual(['[Content_Types].xml', 'customizations.xml']);
    expect(canonicalXml(parts.get('customizations.xml') as Uint8Array)).toBe(
      canonicalXml(
        '<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Entities/></ImportExportXml>',
      ),
    );
  });
});
