import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  formatLintError,
  lintCustomizations,
  lintZips,
  loadSchemas,
  SchemaUnavailableError,
} from './xsdlint';
import { encodeUtf8 } from './xml';
import { writeZipBytes } from './zip';

// A miniature of Microsoft's schema set: a main schema that includes a second one, and in that one
// the duplicated choice branch that libxml2 refuses to compile until the fix-up removes it.
const MAIN = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:include schemaLocation="FormXml.xsd" />
  <xs:element name="ImportExportXml">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Entities" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="Entity" minOccurs="0" maxOccurs="unbounded" type="xs:string" />
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="Parameters" type="ParametersType" minOccurs="0" />
        <xs:element name="Languages" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="Language" type="xs:nonNegativeInteger" maxOccurs="unbounded" />
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>`;

const FORMXML = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:complexType name="ParametersType">
    <xs:choice minOccurs="1" maxOccurs="1">
      <!-- Parameters for the tabs control -->
      <xs:choice minOccurs="1" maxOccurs="unbounded">
        <xs:element name="DefaultTabId" type="xs:string" minOccurs="0" maxOccurs="1" />
        <xs:group ref="SearchWidgetControlParameters" minOccurs="0" maxOccurs="unbounded" />
      </xs:choice>
      <!-- Search Widget parameters -->
      <xs:choice minOccurs="1" maxOccurs="unbounded">
        <xs:group ref="SearchWidgetControlParameters" minOccurs="0" maxOccurs="unbounded" />
      </xs:choice>
    </xs:choice>
  </xs:complexType>
  <xs:group name="SearchWidgetControlParameters">
    <xs:choice>
      <xs:element name="FilterResults" type="xs:string" minOccurs="0" maxOccurs="1" />
    </xs:choice>
  </xs:group>
</xs:schema>`;

const VALID =
  '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<ImportExportXml>\r\n  <Entities>\r\n    <Entity>a</Entity>\r\n  </Entities>\r\n  <Parameters><FilterResults>x</FilterResults></Parameters>\r\n  <Languages>\r\n    <Language>1033</Language>\r\n  </Languages>\r\n</ImportExportXml>';

describe('xsdlint', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ideario-xsd-'));
    writeFileSync(path.join(dir, 'CustomizationsSolution.xsd'), MAIN);
    writeFileSync(path.join(dir, 'FormXml.xsd'), FORMXML);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles the schemas after fixing the content model libxml2 rejects, and says it did', async () => {
    const schemas = await loadSchemas(dir);
    expect(schemas.fixups).toEqual([expect.stringContaining('Search Widget parameters')]);
    expect(await lintCustomizations(VALID, schemas, 'ok.zip')).toEqual([]);
    const unpatched = { ...schemas, preload: [{ fileName: 'FormXml.xsd', contents: FORMXML }] };
    await expect(lintCustomizations(VALID, unpatched, 'ok.zip')).rejects.toThrow(/not determinist/);
  });

  it('reports each schema error with the line it is on', async () => {
    const schemas = await loadSchemas(dir);
    const invalid = VALID.replace('</Entities>', '</Entities>\r\n  <IsSearchable>1</IsSearchable>');
    const errors = await lintCustomizations(invalid, schemas, 'bad.zip');
    expect(errors.map((e) => [e.line, /IsSearchable/.exec(e.message)?.[0]])).toEqual([[6, 'IsSearchable']]);
    expect(formatLintError(errors[0])).toMatch(/^bad\.zip: customizations\.xml:6: .*IsSearchable/);
  });

  it('lints the customizations.xml inside each zip and flags a zip without one', async () => {
    const good = path.join(dir, 'good.zip');
    const empty = path.join(dir, 'empty.zip');
    writeFileSync(good, await writeZipBytes(new Map([['customizations.xml', encodeUtf8(VALID)]])));
    writeFileSync(empty, await writeZipBytes(new Map([['solution.xml', encodeUtf8('<x/>')]])));
    expect(await lintZips(dir, [good, empty])).toEqual([
      { source: empty, line: null, message: 'no customizations.xml in the zip' },
    ]);
  });

  it('says when the schema folder is not usable', async () => {
    await expect(loadSchemas(path.join(dir, 'missing'))).rejects.toThrow(SchemaUnavailableError);
    const noMain = mkdtempSync(path.join(os.tmpdir(), 'ideario-xsd-'));
    try {
      await expect(loadSchemas(noMain)).rejects.toThrow(/CustomizationsSolution\.xsd is not there/);
    } finally {
      rmSync(noMain, { recursive: true, force: true });
    }
  });
});
