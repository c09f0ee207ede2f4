import path from 'node:path';
import { InvalidSolutionSourceError } from './errors';
import {
  derivedEntitySetName,
  loadMetadata,
  loadPlatform,
  loadSolution,
  parseXml,
  solutionDirs,
  toIdentifier,
} from './loader';
import { copySample, SAMPLE } from './__fixtures__/copy';

// Names below are the synthetic fixture's (tools/solution/__fixtures__/sample), not Ideario's.

/** Asymmetric matchers typed as the strings they stand for. */
const containing = (text: string): string => expect.stringContaining(text) as string;
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('loadSolution', () => {
  const alpha = loadSolution(path.join(SAMPLE, 'Alpha'));

  it('reads the manifest and the publisher', () => {
    expect(alpha.uniqueName).toBe('Alpha');
    expect(alpha.version).toBe('1.2.0.0');
    expect(alpha.displayName[1033]).toBe('Alpha visits');
    expect(alpha.publisher).toEqual({ uniqueName: 'ideario', prefix: 'idr', optionValuePrefix: 10520 });
  });

  it('reads a custom table with its names, keys and typed columns', () => {
    const visit = alpha.tables.idr_visit;
    expect(visit).toMatchObject({
      entitySetName: 'idr_visits',
      primaryIdAttribute: 'idr_visitid',
      primaryNameAttribute: 'idr_name',
      ownership: 'UserOwned',
      isCustom: true,
      isExtension: false,
      displayName: { 1033: 'Visit', 3082: 'Visita' },
    });
    expect(visit.alternateKeys).toEqual([
      {
        name: 'idr_key_sourceexternalid',
        columns: ['idr_source', 'idr_externalid'],
        displayName: { 1033: 'Source and external id' },
      },
    ]);
    expect(visit.columns.idr_name).toMatchObject({
      type: 'String',
      maxLength: 200,
      requiredLevel: 'required',
      isCustom: true,
    });
    expect(visit.columns.idr_score).toMatchObject({ type: 'Decimal', precision: 4, minValue: -100000000000 });
    expect(visit.columns.idr_visitedon).toMatchObject({ type: 'DateOnly', dateBehavior: 'DateOnly' });
    expect(visit.columns.idr_kind).toMatchObject({
      type: 'Picklist',
      optionSetName: 'idr_visitkind',
      defaultValue: 105200000,
    });
    expect(visit.columns.idr_repeatable).toMatchObject({ type: 'Boolean', defaultValue: true });
  });

  it('takes lookup targets from the relationships, as Dataverse does', () => {
    expect(alpha.tables.idr_visit.columns.idr_contact).toMatchObject({
      type: 'Lookup',
      targets: ['contact'],
    });
    expect(alpha.relationships).toEqual([
      expect.objectContaining({
        name: 'idr_contact_idr_visit',
        referencedEntity: 'contact',
        referencingEntity: 'idr_visit',
        cascadeDelete: 'Cascade',
      }),
      expect.objectContaining({
        name: 'owner_idr_visit',
        referencedEntity: 'owner',
        referencingAttribute: 'ownerid',
      }),
    ]);
    // The export relates ownerid to the abstract owner table; a record's owner is a user or a team.
    expect(alpha.tables.idr_visit.columns.ownerid.targets).toEqual(['systemuser', 'team']);
  });

  it('gives a custom table the system columns Dataverse creates with it', () => {
    const columns = alpha.tables.idr_visit.columns;
    expect(columns.ownerid).toMatchObject({ type: 'Owner', targets: ['systemuser', 'team'] });
    expect(columns.createdon.type).toBe('DateTime');
    expect(columns.statecode.options?.map((o) => [o.identifier, o.value])).toEqual([
      ['Active', 0],
      ['Inactive', 1],
    ]);
    expect(columns.statuscode.options?.map((o) => [o.identifier, o.value, o.state])).toEqual([
      ['Active', 1, 0],
      ['Inactive', 2, 1],
    ]);
  });

  it('marks a standard table the solution only adds columns to as an extension', () => {
    expect(alpha.tables.contact).toMatchObject({ isExtension: true, isCustom: false });
    expect(Object.keys(alpha.tables.contact.columns)).toEqual(['idr_tier']);
    expect(alpha.tables.contact.columns.idr_tier.options).toEqual([
      { value: 105200000, label: { 1033: 'Most valuable', 3082: 'Más valioso' }, identifier: 'MostValuable' },
      { value: 105200001, label: { 1033: 'Below zero' }, identifier: 'BelowZero' },
    ]);
  });

  it('reads global choices with PascalCase identifiers', () => {
    const kind = alpha.optionSets.idr_visitkind;
    expect(kind.identifier).toBe('VisitKind');
    expect(kind.options.map((o) => [o.identifier, o.value])).toEqual([
      ['WebVisit', 105200000],
      ['EmailClick', 105200001],
      ['_3rdPartyReferral', 105200002],
    ]);
  });

  it('reads forms: bound columns, libraries, handlers and code components', () => {
    const [form] = alpha.tables.idr_visit.forms;
    expect(form).toMatchObject({
      id: '6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a01',
      type: 'main',
      name: { 1033: 'Visit' },
      fields: ['idr_name', 'idr_contact', 'idr_score'],
      libraries: ['idr_/scripts/visit.js'],
      handlers: [{ event: 'onload', library: 'idr_/scripts/visit.js', functionName: 'Ideario.Visit.onLoad' }],
      controls: ['idr_Ideario.Rating'],
    });
  });

  it('reads views: their FetchXML verbatim and the columns of the table and of linked tables', () => {
    const [view] = alpha.tables.idr_visit.views;
    expect(view).toMatchObject({
      name: { 1033: 'Recent Visits' },
      isDefault: true,
      queryType: 0,
      columns: ['idr_name', 'idr_visitedon', 'statecode'],
    });
    expect(view.linkedColumns).toEqual([{ entity: 'contact', column: 'emailaddress1' }]);
    expect(view.fetchXml).toMatch(/^<fetch version="1.0" mapping="logical">[\s\S]*<\/fetch>$/);
  });

  it('reads webhook steps, naming the message from its platform SdkMessageId', () => {
    expect(alpha.steps).toEqual([
      expect.objectContaining({
        name: 'Ideario webhook: Create of idr_visit',
        message: 'Create',
        entity: 'idr_visit',
        stage: 40,
        mode: 1,
        filteringAttributes: ['idr_kind', 'idr_contact'],
        serviceEndpointId: '6f1f7b0a-2f4e-4c53-9d52-5a3a8e7a1a04',
        images: [
          {
            name: 'PostImage',
            entityAlias: 'PostImage',
            imageType: 1,
            attributes: ['idr_contact', 'idr_kind'],
          },
        ],
      }),
    ]);
  });

  it('reads service endpoints, web resources, controls, roles and environment variables', () => {
    const src = path.join(SAMPLE, 'Alpha', 'src');
    expect(alpha.serviceEndpoints).toEqual([
      expect.objectContaining({
        name: 'Alpha webhook',
        contract: 8,
        messageFormat: 2,
        authType: 4,
        urlVariable: 'idr_WebhookUrl',
      }),
    ]);
    expect(alpha.webResources).toEqual([
      expect.objectContaining({
        name: 'idr_/scripts/visit.js',
        type: 3,
        contentFile: path.join(src, 'WebResources', 'idr_', 'scripts', 'visit.js'),
      }),
    ]);
    expect(alpha.controls).toEqual([
      expect.objectContaining({
        name: 'idr_Ideario.Rating',
        manifestFile: path.join(src, 'Controls', 'idr_Ideario.Rating', 'ControlManifest.xml'),
      }),
    ]);
    expect(alpha.roles).toEqual([
      expect.objectContaining({
        name: 'Visit User',
        privileges: [
          { name: 'prvCreateidr_visit', level: 'Global' },
          { name: 'prvReadidr_visit', level: 'Deep' },
        ],
      }),
    ]);
    expect(alpha.environmentVariables).toEqual([
      expect.objectContaining({
        schemaName: 'idr_WebhookUrl',
        displayName: { 1033: 'Webhook URL' },
        type: 100000000,
        defaultValue: 'https://localhost:7071/api/webhook',
      }),
    ]);
  });

  it('derives the entity set name and system columns when the source leaves them out', () => {
    const beta = loadSolution(path.join(SAMPLE, 'Beta'));
    expect(beta.tables.idr_policy).toMatchObject({
      entitySetName: 'idr_policies',
      primaryIdAttribute: 'idr_policyid',
      ownership: 'OrganizationOwned',
    });
    expect(beta.tables.idr_policy.columns.organizationid?.type).toBe('Lookup');
    expect(beta.tables.idr_policy.columns.ownerid).toBeUndefined();
  });

  it('throws one error listing every problem, with file and line, when the source is broken', () => {
    const sample = copySample();
    try {
      sample.edit('Alpha/src/Entities/idr_visit/Entity.xml', '<Type>decimal</Type>', '');
      sample.edit('Alpha/src/OptionSets/idr_visitkind.xml', '</options>', '</option>');
      const error = thrown(() => loadSolution(sample.alpha));
      expect(error).toBeInstanceOf(InvalidSolutionSourceError);
      const errors = (error as InvalidSolutionSourceError).errors;
      expect(errors.map((e) => e.kind).sort()).toEqual(['malformed-xml', 'missing-column-type']);
      expect(errors.find((e) => e.kind === 'missing-column-type')).toMatchObject({
        line: 65,
        message: containing('idr_score'),
      });
      expect(errors.find((e) => e.kind === 'malformed-xml')).toMatchObject({
        line: 29,
        file: matching(/idr_visitkind\.xml$/),
      });
      expect(String(error)).toMatch(/idr_visitkind\.xml:29: malformed XML/);
    } finally {
      sample.dispose();
    }
  });
});

describe('loadMetadata', () => {
  const metadata = loadMetadata(SAMPLE);

  it('merges the platform tables with the columns every solution adds', () => {
    expect(Object.keys(metadata.tables).sort()).toEqual(['account', 'contact', 'idr_policy', 'idr_visit']);
    const contact = metadata.tables.contact;
    expect(contact).toMatchObject({
      entitySetName: 'contacts',
      primaryNameAttribute: 'fullname',
      isExtension: false,
    });
    expect(Object.keys(contact.columns)).toEqual(
      expect.arrayContaining(['fullname', 'emailaddress1', 'idr_tier', 'idr_language']),
    );
    expect(contact.columns.parentcustomerid.targets).toEqual(['account', 'contact']);
    expect(Object.keys(metadata.optionSets).sort()).toEqual(['idr_language', 'idr_visitkind']);
    expect(metadata.solutions.map((s) => s.uniqueName)).toEqual(['Alpha', 'Beta']);
  });

  it('reports a column two solutions define differently', () => {
    const sample = copySample();
    try {
      sample.write(
        'Beta/src/Entities/Contact/Entity.xml',
        `<Entity><Name>Contact</Name><EntityInfo><entity Name="Contact"><attributes>
          <attribute PhysicalName="idr_tier"><Type>nvarchar</Type><LogicalName>idr_tier</LogicalName><MaxLength>10</MaxLength></attribute>
        </attributes></entity></EntityInfo></Entity>`,
      );
      expect(() => loadMetadata(sample.root)).toThrow(/column contact\.idr_tier is String here but Picklist/);
    } finally {
      sample.dispose();
    }
  });
});

describe('names', () => {
  it.each([
    ['Email click', 'EmailClick'],
    ['Out-Sold', 'OutSold'],
    ['Waiting on someone else', 'WaitingOnSomeoneElse'],
    ['Bed & breakfast', 'BedBreakfast'],
    ['3rd party', '_3rdParty'],
    ['Más valioso', 'MasValioso'],
    ['', '_7'],
  ])('"%s" is exported as %s', (label, identifier) => {
    expect(toIdentifier(label, '_7')).toBe(identifier);
  });

  it.each([
    ['idr_interaction', 'idr_interactions'],
    ['idr_quotationpolicy', 'idr_quotationpolicies'],
    ['idr_quotationaction', 'idr_quotationactions'],
    ['idr_box', 'idr_boxes'],
  ])('the entity set of %s is %s', (logical, set) => {
    expect(derivedEntitySetName(logical)).toBe(set);
  });

  it('reports malformed XML with its line', () => {
    const result = parseXml('<a>\n  <b>\n</a>\n', 'x.xml');
    expect(result).toMatchObject({ kind: 'malformed-xml', line: 3 });
  });
});

describe('the real solution/ tree', () => {
  const root = path.resolve(__dirname, '../../solution');

  it('describes the standard tables with Microsoft’s names and values', () => {
    // These literals are the point of the test: solution/platform must match Microsoft's table reference.
    const { tables, problems } = loadPlatform(path.join(root, 'platform'));
    expect(problems).toEqual([]);
    const sets = Object.fromEntries(Object.values(tables).map((t) => [t.logicalName, t.entitySetName]));
    expect(sets).toEqual({
      account: 'accounts',
      activitymimeattachment: 'activitymimeattachments',
      activityparty: 'activityparties',
      activitypointer: 'activitypointers',
      annotation: 'annotations',
      asyncoperation: 'asyncoperations',
      campaign: 'campaigns',
      campaignactivity: 'campaignactivities',
      campaignactivityitem: 'campaignactivityitems',
      campaignresponse: 'campaignresponses',
      contact: 'contacts',
      customcontrol: 'customcontrols',
      email: 'emails',
      environmentvariabledefinition: 'environmentvariabledefinitions',
      environmentvariablevalue: 'environmentvariablevalues',
      incident: 'incidents',
      letter: 'letters',
      list: 'lists',
      listmember: 'listmembers',
      opportunity: 'opportunities',
      organization: 'organizations',
      phonecall: 'phonecalls',
      salesorder: 'salesorders',
      sdkmessageprocessingstep: 'sdkmessageprocessingsteps',
      serviceendpoint: 'serviceendpoints',
      solution: 'solutions',
      systemuser: 'systemusers',
      task: 'tasks',
      template: 'templates',
      transactioncurrency: 'transactioncurrencies',
      usersettings: 'usersettingscollection',
    });
    const state = (table: string, column = 'statecode'): Record<string, number> =>
      Object.fromEntries((tables[table].columns[column].options ?? []).map((o) => [o.identifier, o.value]));
    expect(state('salesorder')).toMatchObject({
      Active: 0,
      Submitted: 1,
      Canceled: 2,
      Fulfilled: 3,
      Invoiced: 4,
    });
    expect(state('opportunity')).toEqual({ Open: 0, Won: 1, Lost: 2 });
    expect(state('asyncoperation', 'statuscode')).toMatchObject({
      WaitingForResources: 0,
      InProgress: 20,
      Succeeded: 30,
      Failed: 31,
      Canceled: 32,
    });
    expect(state('activityparty', 'participationtypemask')).toMatchObject({
      Sender: 1,
      ToRecipient: 2,
      CCRecipient: 3,
    });
    expect(state('environmentvariabledefinition', 'type')).toEqual({
      String: 100000000,
      Number: 100000001,
      Boolean: 100000002,
      JSON: 100000003,
      DataSource: 100000004,
      Secret: 100000005,
    });
    expect(state('serviceendpoint', 'contract')).toMatchObject({ Webhook: 8 });
    expect(state('serviceendpoint', 'authtype')).toMatchObject({
      WebhookKey: 4,
      HttpHeader: 5,
      HttpQueryString: 6,
    });
    expect(state('serviceendpoint', 'messageformat')).toEqual({ BinaryXML: 1, Json: 2, TextXML: 3 });
    // The value's lookup is bound through the relationship's navigation property, which is not its name.
    expect(tables.environmentvariablevalue.columns.environmentvariabledefinitionid).toMatchObject({
      targets: ['environmentvariabledefinition'],
      navigationProperty: 'EnvironmentVariableDefinitionId',
    });
    expect(tables.email.primaryIdAttribute).toBe('activityid');
    expect(tables.contact.columns.parentcustomerid.targets).toEqual(['account', 'contact']);
    expect(tables.listmember.columns.entityid.targets).toEqual(['account', 'contact', 'lead']);
  });

  it('labels every choice option, standard tables and global choices included, in English and Spanish', () => {
    const metadata = loadMetadata(root);
    const options = [
      ...Object.values(metadata.tables).flatMap((table) =>
        Object.values(table.columns).flatMap((column) =>
          (column.options ?? []).map((o) => ({ where: `${table.logicalName}.${column.logicalName}`, ...o })),
        ),
      ),
      ...Object.values(metadata.optionSets).flatMap((set) =>
        set.options.map((o) => ({ where: set.name, ...o })),
      ),
    ];
    // statecode/statuscode of the standard tables included: the emulator's pages show them too.
    expect(options.length).toBeGreaterThan(300);
    const unlabelled = options
      .filter((o) => !o.label[1033] || !o.label[3082])
      .map((o) => `${o.where} ${o.value}: ${JSON.stringify(o.label)}`);
    expect(unlabelled).toEqual([]);
  });

  it('loads with every solution in it and no problem', () => {
    const metadata = loadMetadata(root);
    expect(metadata.solutions.map((s) => s.dir)).toEqual(solutionDirs(root));
    for (const solution of metadata.solutions) {
      for (const table of Object.values(solution.tables).filter((t) => t.isExtension)) {
        expect(metadata.tables[table.logicalName].entitySetName).not.toBe('');
      }
    }
  });
});
