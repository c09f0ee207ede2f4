import path from 'node:path';
import { formatSolutionSourceError, InvalidSolutionSourceError, type SolutionSourceError } from './errors';
import { loadMetadata, solutionDirs } from './loader';
import { assertValidSolutionSource, validateSolutionSource } from './validate';
import { copySample, SAMPLE } from './__fixtures__/copy';

// Names below are the synthetic fixture's (tools/solution/__fixtures__/sample), not Ideario's.

/** Asymmetric matchers typed as the strings they stand for. */
const containing = (text: string): string => expect.stringContaining(text) as string;
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;
const FORM = 'Alpha/src/Entities/idr_visit/FormXml/main/{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a01}.xml';
const VIEW = 'Alpha/src/Entities/idr_visit/SavedQueries/{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a02}.xml';
const STEP = 'Alpha/src/SdkMessageProcessingSteps/{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a03}.xml';
const ENTITY = 'Alpha/src/Entities/idr_visit/Entity.xml';

let sample: ReturnType<typeof copySample>;
beforeEach(() => {
  sample = copySample();
});
afterEach(() => sample.dispose());

function errorsOf(dir = sample.alpha): SolutionSourceError[] {
  return validateSolutionSource(dir);
}

describe('validateSolutionSource', () => {
  it('finds nothing wrong in a sound solution', () => {
    expect(validateSolutionSource(path.join(SAMPLE, 'Alpha'))).toEqual([]);
    expect(validateSolutionSource(path.join(SAMPLE, 'Beta'))).toEqual([]);
  });

  it('reports a column with no type', () => {
    sample.edit(ENTITY, '<Type>decimal</Type>', '');
    expect(errorsOf()).toEqual([
      {
        kind: 'missing-column-type',
        file: matching(/idr_visit[\\/]Entity\.xml$/),
        line: 65,
        message: 'column idr_score on idr_visit has no <Type>',
        fix: containing('Add <Type>'),
      },
      // The column is then unknown, so the form showing it is reported too.
      expect.objectContaining({ kind: 'missing-column', line: 43 }),
    ]);
  });

  it("reports choice values outside the publisher's range, in global and local choices", () => {
    sample.edit('Alpha/src/OptionSets/idr_visitkind.xml', 'value="105200002"', 'value="100000002"');
    sample.edit('Alpha/src/Entities/Contact/Entity.xml', 'value="105200001"', 'value="2"');
    const errors = errorsOf();
    expect(errors.map((e) => [e.kind, path.basename(path.dirname(e.file)), e.line])).toEqual([
      ['option-out-of-range', 'Contact', 27],
      ['option-out-of-range', 'OptionSets', 24],
    ]);
    expect(errors[1].message).toBe(
      "value 100000002 of choice idr_visitkind is outside the publisher's range 105200000–105209999 (option value prefix 10520)",
    );
    expect(errors[1].fix).toContain('105200000, 105200001');
  });

  it('reports a form or a view naming a column the table does not have', () => {
    sample.edit(FORM, 'datafieldname="idr_score"', 'datafieldname="idr_scroe"');
    sample.edit(VIEW, '<cell name="idr_visitedon"', '<cell name="idr_visited"');
    sample.edit(VIEW, '<attribute name="emailaddress1" />', '<attribute name="emailaddress9" />');
    const errors = errorsOf();
    expect(errors.map((e) => [e.kind, e.line, e.message])).toEqual([
      [
        'missing-column',
        43,
        'form "Visit" of idr_visit shows column idr_scroe, which idr_visit does not have',
      ],
      [
        'missing-column',
        14,
        'view "Recent Visits" of idr_visit names column idr_visited, which idr_visit does not have',
      ],
      [
        'missing-column',
        30,
        'view "Recent Visits" of idr_visit names column emailaddress9 of linked table contact, which it does not have',
      ],
    ]);
  });

  it('is not fooled by a column named like a JavaScript object property', () => {
    sample.edit(FORM, 'datafieldname="idr_score"', 'datafieldname="constructor"');
    sample.edit(STEP, '<PrimaryEntity>idr_visit</PrimaryEntity>', '<PrimaryEntity>__proto__</PrimaryEntity>');
    expect(errorsOf().map((e) => e.kind)).toEqual(['missing-column', 'missing-table']);
  });

  it('accepts standard columns on forms because it knows the platform tables', () => {
    sample.edit(VIEW, '<attribute name="emailaddress1" />', '<attribute name="fullname" />');
    expect(errorsOf()).toEqual([]);
  });

  it('reports a form library or handler naming a web resource the solution lacks', () => {
    sample.edit(FORM, '<Library name="idr_/scripts/visit.js"', '<Library name="idr_/scripts/visits.js"');
    const errors = errorsOf();
    expect(errors).toEqual([
      expect.objectContaining({
        kind: 'missing-web-resource',
        line: 68,
        message:
          'form "Visit" of idr_visit loads web resource idr_/scripts/visits.js, which the solution does not contain',
        fix: containing('src/WebResources/idr_/scripts/visits.js'),
      }),
    ]);
  });

  it('reports a form binding a code component the solution lacks', () => {
    sample.edit(FORM, 'name="idr_Ideario.Rating"', 'name="idr_Ideario.Stars"');
    expect(errorsOf()).toEqual([
      expect.objectContaining({
        kind: 'missing-control',
        line: 60,
        message: containing('binds code component idr_Ideario.Stars'),
      }),
    ]);
  });

  it('reports a step naming a table that does not exist', () => {
    sample.edit(STEP, '<PrimaryEntity>idr_visit</PrimaryEntity>', '<PrimaryEntity>idr_vist</PrimaryEntity>');
    expect(errorsOf()).toEqual([
      expect.objectContaining({
        kind: 'missing-table',
        line: 2,
        message:
          'step "Ideario webhook: Create of idr_visit" is registered on table idr_vist, which neither the solution nor the platform has',
      }),
    ]);
  });

  it('reports a step naming a message Ideario does not know', () => {
    sample.edit(STEP, '{9ebdbb1b-ea3e-db11-86a7-000a3a5473e8}', '{9ebdbb1b-ea3e-db11-86a7-000a3a5473e9}');
    sample.edit(STEP, 'Name="Ideario webhook: Create of idr_visit"', 'Name="Ideario webhook"');
    expect(errorsOf()).toEqual([
      expect.objectContaining({
        kind: 'unknown-message',
        message:
          'step "Ideario webhook" names message id 9ebdbb1b-ea3e-db11-86a7-000a3a5473e9, which is no message Ideario knows',
      }),
    ]);
  });

  it('takes the message from the step name when its id is not a platform one', () => {
    sample.edit(STEP, '{9ebdbb1b-ea3e-db11-86a7-000a3a5473e8}', '{9ebdbb1b-ea3e-db11-86a7-000a3a5473e9}');
    sample.edit(STEP, 'Create of idr_visit', 'Disassociate of idr_visit');
    expect(errorsOf()).toEqual([]);
  });

  it('reports a step filtering on a missing column or posting to a missing endpoint', () => {
    sample.edit(STEP, 'idr_kind,idr_contact', 'idr_kind,idr_contacts');
    sample.edit(
      STEP,
      '<EventHandler>{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a04}',
      '<EventHandler>{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a99}',
    );
    expect(errorsOf().map((e) => [e.kind, e.message])).toEqual([
      [
        'missing-column',
        'step "Ideario webhook: Create of idr_visit" filters on column idr_contacts, which idr_visit does not have',
      ],
      ['missing-service-endpoint', containing('service endpoint 6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a99')],
    ]);
  });

  it('reports a GUID used by two components, wherever they are', () => {
    // A form copied to make a second one keeps the original's id: the classic failed import.
    sample.write(
      'Alpha/src/Entities/idr_visit/FormXml/quick/{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a08}.xml',
      `<forms><systemform>\n<formid>{6F1F7B0A-2F4E-4C53-9D52-5A3A8E7A1A01}</formid>\n<form><tabs /></form>\n</systemform></forms>`,
    );
    sample.edit(
      STEP,
      '<SdkMessageProcessingStepImageId>{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a07}',
      '<SdkMessageProcessingStepImageId>{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a05}',
    );
    const errors = errorsOf();
    expect(errors.map((e) => [e.kind, path.basename(e.file), e.line])).toEqual([
      ['duplicate-guid', '{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a08}.xml', 2],
      ['duplicate-guid', 'visit.js.data.xml', 3],
    ]);
    expect(errors[0].message).toMatch(
      /^GUID \{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a01\} is used again \(first at .*\{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a01\}\.xml:4\)$/,
    );
  });

  it('lets two forms reuse the ids of their tabs and cells, but not one form twice', () => {
    const copy = `<forms><systemform><formid>{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a09}</formid><form><tabs>
      <tab id="{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a10}" /><tab id="{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a20}" />
      <tab id="{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a20}" /></tabs></form></systemform></forms>`;
    sample.write(
      'Alpha/src/Entities/idr_visit/FormXml/card/{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a09}.xml',
      copy,
    );
    expect(errorsOf()).toEqual([
      expect.objectContaining({
        kind: 'duplicate-guid',
        line: 3,
        message: matching(/^GUID \{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a20\} is used again/),
      }),
    ]);
  });

  it('reports a version that is not four numbers', () => {
    sample.edit('Alpha/src/Other/Solution.xml', '<Version>1.2.0.0</Version>', '<Version>1.2.0</Version>');
    expect(errorsOf()).toEqual([
      {
        kind: 'bad-version',
        file: matching(/Other[\\/]Solution\.xml$/),
        line: 9,
        message: 'version "1.2.0" is not four numbers',
        fix: containing('1.0.0.0'),
      },
    ]);
  });

  it('reports a malformed XML file with its line and still checks the rest', () => {
    sample.edit(VIEW, '<cell name="idr_name" width="200" />', '<cell name="idr_name" width="200">');
    sample.edit('Alpha/src/Other/Solution.xml', '<Version>1.2.0.0</Version>', '<Version>1</Version>');
    const errors = errorsOf();
    expect(errors.map((e) => [e.kind, e.line])).toEqual([
      ['malformed-xml', 16],
      ['bad-version', 9],
    ]);
    expect(errors[0].message).toMatch(/^malformed XML: Expected closing tag 'cell'/);
  });

  it('reports a choice column whose global choice the solution does not ship', () => {
    sample.edit(
      ENTITY,
      '<OptionSetName>idr_visitkind</OptionSetName>',
      '<OptionSetName>idr_visittype</OptionSetName>',
    );
    expect(errorsOf()).toEqual([
      expect.objectContaining({
        kind: 'missing-option-set',
        line: 53,
        message: containing('uses choice idr_visittype'),
      }),
    ]);
  });

  it('reports a lookup no relationship points anywhere', () => {
    sample.edit(
      'Alpha/src/Other/Relationships/idr_visit.xml',
      '<ReferencingAttributeName>idr_contact<',
      '<ReferencingAttributeName>idr_contactid<',
    );
    expect(errorsOf()).toEqual([
      expect.objectContaining({
        kind: 'lookup-without-target',
        line: 41,
        fix: containing('ReferencingAttributeName idr_contact'),
      }),
    ]);
  });

  it('reports two values of a choice that would get the same generated name', () => {
    sample.edit(
      'Alpha/src/OptionSets/idr_visitkind.xml',
      'description="Email click"',
      'description="Web-visit"',
    );
    expect(errorsOf()).toEqual([
      expect.objectContaining({
        kind: 'duplicate-choice-identifier',
        message: 'values 105200000 and 105200001 of choice idr_visitkind are both exported as WebVisit',
      }),
    ]);
  });

  it('reports a folder that is not an unpacked solution', () => {
    expect(errorsOf(sample.root)).toEqual([expect.objectContaining({ kind: 'missing-solution-manifest' })]);
  });

  it('checks against the metadata it is given', () => {
    sample.edit(FORM, 'datafieldname="idr_score"', 'datafieldname="idr_language"');
    expect(errorsOf().map((e) => e.kind)).toEqual(['missing-column']);
    // With Beta installed too, contact would have idr_language, but this form is on idr_visit.
    expect(validateSolutionSource(sample.alpha, loadMetadata(sample.root)).map((e) => e.kind)).toEqual([
      'missing-column',
    ]);
  });
});

describe('assertValidSolutionSource', () => {
  it('throws one error that lists every problem with its fix', () => {
    sample.edit('Alpha/src/Other/Solution.xml', '<Version>1.2.0.0</Version>', '<Version>v1</Version>');
    sample.edit(STEP, '<PrimaryEntity>idr_visit</PrimaryEntity>', '<PrimaryEntity>idr_vist</PrimaryEntity>');
    let caught: unknown;
    try {
      assertValidSolutionSource(sample.alpha);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidSolutionSourceError);
    const error = caught as InvalidSolutionSourceError;
    expect(error.errors).toHaveLength(2);
    expect(error.message).toMatch(/has 2 problems:\n/);
    expect(error.message).toMatch(/Solution\.xml:9: version "v1" is not four numbers\n {4}fix: /);
    expect(error.message).toMatch(
      /\.xml:2: step "Ideario webhook: Create of idr_visit" is registered on table idr_vist/,
    );
  });

  it('passes a sound solution', () => {
    expect(() => assertValidSolutionSource(sample.alpha)).not.toThrow();
  });
});

describe('the real solution/ tree', () => {
  const root = path.resolve(__dirname, '../../solution');

  it.each(solutionDirs(root).map((dir) => [path.basename(dir), dir]))(
    '%s passes every check ideario pack runs',
    (_name, dir) => {
      expect(validateSolutionSource(dir).map(formatSolutionSourceError)).toEqual([]);
    },
  );
});

describe('model-driven apps', () => {
  const APP = 'Alpha/src/AppModules/idr_VisitApp/AppModule.xml';
  const MAP = 'Alpha/src/AppModuleSiteMaps/idr_VisitApp/AppModuleSiteMap.xml';
  const app = (role: string, table: string, siteMap: string) => `<?xml version="1.0" encoding="utf-8"?>
<AppModule>
  <UniqueName>idr_VisitApp</UniqueName>
  <IntroducedVersion>1.0.0.0</IntroducedVersion>
  <WebResourceId>953b9fac-1e5e-e611-80d6-00155ded156f</WebResourceId>
  <FormFactor>1</FormFactor>
  <AppModuleComponents>
    <AppModuleComponent type="1" schemaName="${table}" />
    <AppModuleComponent type="62" schemaName="${siteMap}" />
  </AppModuleComponents>
  <AppModuleRoleMaps>
    <Role id="${role}" />
  </AppModuleRoleMaps>
  <LocalizedNames><LocalizedName description="Visits" languagecode="1033" /></LocalizedNames>
</AppModule>
`;
  const siteMap = (entity: string) => `<?xml version="1.0" encoding="utf-8"?>
<AppModuleSiteMap>
  <SiteMapUniqueName>idr_VisitApp</SiteMapUniqueName>
  <SiteMap>
    <Area Id="visits"><Group Id="main"><SubArea Id="visit" Entity="${entity}" /></Group></Area>
  </SiteMap>
</AppModuleSiteMap>
`;
  const ROLE = '{6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a06}';

  it('accepts an app whose role, tables and sitemap are all in the solution', () => {
    sample.write(APP, app(ROLE, 'idr_visit', 'idr_VisitApp'));
    sample.write(MAP, siteMap('idr_visit'));
    expect(errorsOf()).toEqual([]);
  });

  it('names the role, table or sitemap an app points at that the solution lacks', () => {
    sample.write(APP, app('{00000000-0000-4000-8000-0000000000aa}', 'idr_vist', 'idr_Other'));
    sample.write(MAP, siteMap('contact'));
    // Sorted by file (AppModuleSiteMaps/… first), then by line.
    expect(errorsOf().map((e) => [e.kind, e.message])).toEqual([
      ['missing-table', containing('opens table contact, which app idr_VisitApp does not include')],
      ['missing-table', containing('includes table idr_vist')],
      ['missing-sitemap', containing('uses sitemap idr_Other')],
      ['missing-role', containing('shared with role {00000000-0000-4000-8000-0000000000aa}')],
    ]);
  });

  it('reports a sitemap that is not well-formed XML, with its file', () => {
    sample.write(APP, app(ROLE, 'idr_visit', 'idr_VisitApp'));
    sample.write(MAP, '<AppModuleSiteMap><SiteMap></AppModuleSiteMap>');
    const errors = errorsOf();
    expect(errors.map((e) => e.kind)).toContain('malformed-xml');
    expect(errors.find((e) => e.kind === 'malformed-xml')?.file).toMatch(/AppModuleSiteMap\.xml$/);
  });
});
