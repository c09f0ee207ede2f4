import { ConcurrencyError, DuplicateRecordError, NotFoundError } from '../../../dataverse/errors';
import { testEngine, type TestEngine } from '../testing/engine';
import { testMetadata } from '../testing/metadata';
import {
  BadRequestError,
  InvalidValueError,
  RecordNotFoundError,
  RestrictDeleteError,
  UnknownColumnError,
  UnknownTableError,
  ValidationError,
} from './errors';
import { annotationFilter } from './records';

/** A fresh engine per test, closed afterwards. */
function setup(): TestEngine {
  const t = {} as TestEngine;
  beforeEach(() => Object.assign(t, testEngine()));
  afterEach(() => t.engine.close());
  return t;
}

describe('create and retrieve', () => {
  it('stores typed values and returns them with an etag, system columns and defaults', async () => {
    const { engine, clock } = testEngine();
    const id = await engine.create('emu_concepts', {
      emu_name: 'Cloud',
      emu_code: 'CLOUD',
      emu_halflifedays: 30,
      emu_threshold: 12.345,
      emu_kind: 105200000,
      emu_landmarkon: '2025-01-01T08:30:00+02:00',
    });
    const record = await engine.retrieve('emu_concepts', id);
    expect(record).toMatchObject({
      emu_conceptid: id,
      emu_name: 'Cloud',
      emu_halflifedays: 30,
      emu_threshold: 12.35,
      emu_kind: 105200000,
      emu_active: true,
      emu_landmarkon: '2025-01-01T06:30:00Z',
      statecode: 0,
      statuscode: 1,
      createdon: clock.now().toISOString().replace('.000Z', 'Z'),
      _ownerid_value: engine.whoAmI().UserId,
      _emu_list_value: null,
    });
    expect(record['@odata.etag']).toMatch(/^W\/"\d+"$/);
    engine.close();
  });

  it('honours an id given in the body and refuses a second record with it', async () => {
    const { engine } = testEngine();
    const id = '6d81597f-0f9f-e711-8122-000d3aa2331c';
    await expect(engine.create('contacts', { contactid: id, fullname: 'A' })).resolves.toBe(id);
    await expect(
      engine.create('contacts', { contactid: id.toUpperCase(), fullname: 'B' }),
    ).rejects.toMatchObject({
      status: 412,
      code: '0x80040237',
    });
    engine.close();
  });

  it('uses overriddencreatedon as createdon, as data migrations do', async () => {
    const { engine } = testEngine();
    const id = await engine.create('contacts', {
      fullname: 'Old',
      overriddencreatedon: '2020-05-01T00:00:00Z',
    });
    expect((await engine.retrieve('contacts', id)).createdon).toBe('2020-05-01T00:00:00Z');
    engine.close();
  });
});

describe('type and name errors use Dataverse wording', () => {
  const t = setup();

  it('rejects a value of the wrong type naming the column and the expected type', async () => {
    const error = await t.engine
      .create('emu_concepts', { emu_halflifedays: 'ninety' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error).toMatchObject({ status: 400, code: '0x80048d19' });
    expect((error as Error).message).toContain("'ninety'");
    expect((error as Error).message).toContain("'Edm.Int32'");
    expect((error as Error).message).toContain('emu_halflifedays');
  });

  it.each([
    ['a date-time without a time', { emu_landmarkon: '2025-01-01' }, 'Edm.DateTimeOffset'],
    ['a boolean as text', { emu_active: 'yes' }, 'Edm.Boolean'],
    ['a decimal as text', { emu_threshold: '1.5' }, 'Edm.Decimal'],
  ])('rejects %s', async (_label, record, edm) => {
    await expect(t.engine.create('emu_concepts', record)).rejects.toThrow(edm);
  });

  it('rejects a date-only value with a time', async () => {
    await expect(t.engine.create('emu_interactions', { emu_day: '2025-01-01T00:00:00Z' })).rejects.toThrow(
      'Edm.Date',
    );
  });

  it('enforces length, range and choice values', async () => {
    await expect(t.engine.create('emu_concepts', { emu_code: 'x'.repeat(51) })).rejects.toThrow(
      "The length of the 'emu_code' attribute of the 'emu_concept' entity exceeded the maximum allowed length of '50'.",
    );
    await expect(t.engine.create('emu_concepts', { emu_halflifedays: 0 })).rejects.toThrow(ValidationError);
    await expect(t.engine.create('emu_concepts', { emu_halflifedays: 0 })).rejects.toThrow(
      'Accepted Values: 1 to 3650',
    );
    await expect(t.engine.create('emu_concepts', { emu_kind: 7 })).rejects.toMatchObject({
      code: '0x80044331',
    });
  });

  it('answers an unknown table with 404 and an unknown column with 400', async () => {
    const table = await t.engine.create('emu_nothings', {}).catch((e: unknown) => e);
    expect(table).toBeInstanceOf(UnknownTableError);
    expect(table).toMatchObject({
      status: 404,
      message: "Resource not found for the segment 'emu_nothings'.",
    });
    const column = await t.engine.create('emu_concepts', { emu_colour: 'red' }).catch((e: unknown) => e);
    expect(column).toBeInstanceOf(UnknownColumnError);
    expect(column).toMatchObject({ status: 400 });
    expect((column as Error).message).toBe(
      "Could not find a property named 'emu_colour' on type 'Microsoft.Dynamics.CRM.emu_concept'.",
    );
  });

  it('explains how to set a lookup when a caller writes it as a plain value', async () => {
    await expect(
      t.engine.create('emu_rules', { emu_concept: '6d81597f-0f9f-e711-8122-000d3aa2331c' }),
    ).rejects.toThrow("'emu_concept@odata.bind'");
    await expect(
      t.engine.create('emu_rules', { _emu_concept_value: '6d81597f-0f9f-e711-8122-000d3aa2331c' }),
    ).rejects.toThrow(BadRequestError);
  });

  it('returns 404 for a record that does not exist', async () => {
    const error = await t.engine
      .retrieve('contacts', '00000000-0000-0000-0000-000000000001')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordNotFoundError);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(
      'contact With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist',
    );
  });
});

describe('lookups', () => {
  const t = setup();

  it('binds by id and by alternate key, and reads back _x_value with annotations on request', async () => {
    const concept = await t.engine.create('emu_concepts', { emu_name: 'Cloud', emu_code: 'CLOUD' });
    const byId = await t.engine.create('emu_rules', {
      emu_name: 'r1',
      'emu_concept@odata.bind': `/emu_concepts(${concept})`,
    });
    const byKey = await t.engine.create('emu_rules', {
      emu_name: 'r2',
      'emu_concept@odata.bind': "/emu_concepts(emu_code='CLOUD')",
    });
    for (const id of [byId, byKey]) {
      const plain = await t.engine.retrieve('emu_rules', id, { select: ['_emu_concept_value'] });
      expect(plain._emu_concept_value).toBe(concept);
      expect(plain['_emu_concept_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBeUndefined();
    }
    const annotated = await t.engine.retrieve('emu_rules', byKey, { annotations: annotationFilter(['*']) });
    expect(annotated).toMatchObject({
      _emu_concept_value: concept,
      '_emu_concept_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'emu_concept',
      '_emu_concept_value@OData.Community.Display.V1.FormattedValue': 'Cloud',
      '_emu_concept_value@Microsoft.Dynamics.CRM.associatednavigationproperty': 'emu_concept',
    });
  });

  it('accepts full URLs and clears a lookup bound to null', async () => {
    const concept = await t.engine.create('emu_concepts', { emu_name: 'Data' });
    const rule = await t.engine.create('emu_rules', {
      'emu_concept@odata.bind': `http://127.0.0.1:5555/api/data/v9.2/emu_concepts(${concept})`,
    });
    await t.engine.update('emu_rules', rule, { 'emu_concept@odata.bind': null });
    expect((await t.engine.retrieve('emu_rules', rule))._emu_concept_value).toBeNull();
  });

  it('binds a multi-table lookup through its per-table navigation property', async () => {
    const account = await t.engine.create('accounts', { name: 'Contoso' });
    const contact = await t.engine.create('contacts', {
      fullname: 'Ana',
      'parentcustomerid_account@odata.bind': `/accounts(${account})`,
    });
    const record = await t.engine.retrieve('contacts', contact, {
      annotations: annotationFilter(['Microsoft.Dynamics.CRM.lookuplogicalname']),
    });
    expect(record['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    await expect(
      t.engine.create('contacts', { 'parentcustomerid@odata.bind': `/accounts(${account})` }),
    ).rejects.toThrow('parentcustomerid_account');
  });

  it('refuses a bind to a missing record or to a table the lookup does not accept', async () => {
    await expect(
      t.engine.create('emu_rules', {
        'emu_concept@odata.bind': '/emu_concepts(00000000-0000-0000-0000-000000000009)',
      }),
    ).rejects.toThrow(RecordNotFoundError);
    const account = await t.engine.create('accounts', { name: 'Contoso' });
    await expect(
      t.engine.create('emu_rules', { 'emu_concept@odata.bind': `/accounts(${account})` }),
    ).rejects.toThrow('accepts emu_concept');
  });

  it('expands a lookup with its own $select', async () => {
    const concept = await t.engine.create('emu_concepts', { emu_name: 'Cloud', emu_code: 'C' });
    const rule = await t.engine.create('emu_rules', {
      'emu_concept@odata.bind': `/emu_concepts(${concept})`,
    });
    const empty = await t.engine.create('emu_rules', {});
    const record = await t.engine.retrieve('emu_rules', rule, {
      select: ['emu_name'],
      expand: [{ property: 'emu_concept', select: ['emu_code'] }],
    });
    expect(record).toEqual({
      '@odata.etag': expect.any(String) as unknown,
      emu_name: null,
      emu_ruleid: rule,
      emu_concept: { '@odata.etag': expect.any(String) as unknown, emu_code: 'C', emu_conceptid: concept },
    });
    expect(
      (await t.engine.retrieve('emu_rules', empty, { expand: [{ property: 'emu_concept' }] })).emu_concept,
    ).toBeNull();
  });

  it('rejects selecting a lookup by its logical name, as the Web API does', async () => {
    const rule = await t.engine.create('emu_rules', {});
    await expect(t.engine.retrieve('emu_rules', rule, { select: ['emu_concept'] })).rejects.toThrow(
      "'_emu_concept_value'",
    );
  });
});

describe('formatted values', () => {
  it('formats choices, money, numbers, dates and booleans like an en-US user in UTC', async () => {
    const { engine } = testEngine();
    const concept = await engine.create('emu_concepts', {
      emu_kind: 105200001,
      emu_halflifedays: 1200,
      emu_threshold: 1234.5,
      emu_active: false,
      emu_landmarkon: '2025-03-04T15:07:00Z',
    });
    const interaction = await engine.create('emu_interactions', {
      emu_amount: -1234.5,
      emu_day: '2025-12-31',
    });
    const all = annotationFilter(['OData.Community.Display.V1.FormattedValue']);
    const c = await engine.retrieve('emu_concepts', concept, { annotations: all });
    const i = await engine.retrieve('emu_interactions', interaction, { annotations: all });
    const f = (r: Record<string, unknown>, name: string) =>
      r[`${name}@OData.Community.Display.V1.FormattedValue`];
    expect(f(c, 'emu_kind')).toBe('Product');
    expect(f(c, 'emu_halflifedays')).toBe('1,200');
    expect(f(c, 'emu_threshold')).toBe('1,234.50');
    expect(f(c, 'emu_active')).toBe('No');
    expect(f(c, 'emu_landmarkon')).toBe('3/4/2025 3:07 PM');
    expect(f(c, 'statecode')).toBe('Active');
    expect(f(i, 'emu_amount')).toBe('-$1,234.50');
    expect(f(i, 'emu_day')).toBe('12/31/2025');
    engine.close();
  });
});

describe('update, etags and state', () => {
  const t = setup();

  it('changes the etag on every update and refuses a stale If-Match with 412', async () => {
    const id = await t.engine.create('contacts', { fullname: 'Ana' });
    const first = await t.engine.retrieve('contacts', id);
    await t.engine.update('contacts', id, { fullname: 'Ana B' }, { ifMatch: first['@odata.etag'] as string });
    const second = await t.engine.retrieve('contacts', id);
    expect(second['@odata.etag']).not.toBe(first['@odata.etag']);
    const stale = await t.engine
      .update('contacts', id, { fullname: 'Ana C' }, { ifMatch: first['@odata.etag'] as string })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConcurrencyError);
    expect(stale).toMatchObject({ status: 412, code: '0x80060882' });
    expect((await t.engine.retrieve('contacts', id)).fullname).toBe('Ana B');
  });

  it('updates modifiedon from the clock and leaves createdon alone', async () => {
    const { engine, clock } = testEngine();
    const id = await engine.create('contacts', { fullname: 'Ana', createdon: '2001-01-01T00:00:00Z' });
    clock.advance(3600_000);
    await engine.update('contacts', id, { firstname: 'Ana' });
    const record = await engine.retrieve('contacts', id);
    expect(record.createdon).toBe('2025-01-15T10:00:00Z');
    expect(record.modifiedon).toBe('2025-01-15T11:00:00Z');
    engine.close();
  });

  it('404s an update of a missing record instead of creating it', async () => {
    await expect(
      t.engine.update('contacts', '00000000-0000-0000-0000-00000000000a', { fullname: 'x' }),
    ).rejects.toThrow(RecordNotFoundError);
  });

  it('gives statecode its default statuscode and refuses a statuscode of another state', async () => {
    const id = await t.engine.create('emu_concepts', { emu_name: 'x' });
    await t.engine.update('emu_concepts', id, { statecode: 1 });
    expect(
      await t.engine.retrieve('emu_concepts', id, { select: ['statecode', 'statuscode'] }),
    ).toMatchObject({ statecode: 1, statuscode: 2 });
    await expect(t.engine.update('emu_concepts', id, { statecode: 0, statuscode: 2 })).rejects.toThrow(
      'not a valid status code',
    );
  });
});

describe('upsert and alternate keys', () => {
  const t = setup();

  it('creates, then updates, the record an alternate key addresses', async () => {
    const first = await t.engine.upsert(
      'emu_interactions',
      { emu_source: 'web', emu_externalid: 'e-1' },
      { emu_count: 1 },
    );
    expect(first.created).toBe(true);
    const second = await t.engine.upsert(
      'emu_interactions',
      { emu_source: 'web', emu_externalid: 'e-1' },
      { emu_count: 2 },
    );
    expect(second).toEqual({ id: first.id, created: false });
    expect(
      await t.engine.retrieve('emu_interactions', { emu_source: 'web', emu_externalid: 'e-1' }),
    ).toMatchObject({
      emu_interactionid: first.id,
      emu_source: 'web',
      emu_externalid: 'e-1',
      emu_count: 2,
    });
  });

  it('refuses an update with If-None-Match: * and a create with If-Match: *', async () => {
    await t.engine.upsert('emu_concepts', { emu_code: 'K1' }, { emu_name: 'k' });
    const duplicate = await t.engine
      .upsert('emu_concepts', { emu_code: 'K1' }, { emu_name: 'k2' }, { ifNoneMatch: '*' })
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(DuplicateRecordError);
    expect(duplicate).toMatchObject({ status: 412, code: '0x80060892' });
    expect((duplicate as Error).message).toContain('A record with matching key values already exists.');
    await expect(
      t.engine.upsert('emu_concepts', { emu_code: 'K2' }, { emu_name: 'k' }, { ifMatch: '*' }),
    ).rejects.toThrow(NotFoundError);
  });

  it('upserts by id, creating the record with that id', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    expect(await t.engine.upsert('contacts', id, { fullname: 'New' })).toEqual({ id, created: true });
    expect(await t.engine.upsert('contacts', id, { fullname: 'Newer' })).toEqual({ id, created: false });
  });

  it('keeps alternate keys unique across creates and updates', async () => {
    await t.engine.create('emu_concepts', { emu_code: 'DUP' });
    const other = await t.engine.create('emu_concepts', { emu_code: 'OTHER' });
    await expect(t.engine.create('emu_concepts', { emu_code: 'DUP' })).rejects.toMatchObject({
      status: 412,
      code: '0x80060892',
    });
    await expect(t.engine.update('emu_concepts', other, { emu_code: 'DUP' })).rejects.toThrow('emu_key_code');
  });

  it('addresses lookup alternate-key columns by id', async () => {
    const contact = await t.engine.create('contacts', { fullname: 'A' });
    const concept = await t.engine.create('emu_concepts', { emu_code: 'LK' });
    const key = { _emu_contact_value: contact, emu_concept: concept };
    const created = await t.engine.upsert('emu_profiles', key, { emu_score: 1.5 });
    expect(created.created).toBe(true);
    const record = await t.engine.retrieve('emu_profiles', { emu_contact: contact, emu_concept: concept });
    expect(record).toMatchObject({
      _emu_contact_value: contact,
      _emu_concept_value: concept,
      emu_score: 1.5,
    });
  });

  it('says which keys exist when a key matches none', async () => {
    await expect(t.engine.retrieve('emu_concepts', { emu_name: 'x' })).rejects.toThrow(
      'emu_key_code (emu_code)',
    );
  });
});

describe('delete follows relationship behaviour', () => {
  const t = setup();

  it('cascades, restricts and removes links', async () => {
    const contact = await t.engine.create('contacts', { fullname: 'A' });
    const concept = await t.engine.create('emu_concepts', { emu_code: 'C' });
    const interaction = await t.engine.create('emu_interactions', {
      'emu_contact@odata.bind': `/contacts(${contact})`,
      'emu_concept@odata.bind': `/emu_concepts(${concept})`,
    });
    const profile = await t.engine.create('emu_profiles', {
      'emu_contact@odata.bind': `/contacts(${contact})`,
      'emu_concept@odata.bind': `/emu_concepts(${concept})`,
    });
    const rule = await t.engine.create('emu_rules', {
      'emu_concept@odata.bind': `/emu_concepts(${concept})`,
    });

    const restricted = await t.engine.delete('emu_concepts', concept).catch((e: unknown) => e);
    expect(restricted).toBeInstanceOf(RestrictDeleteError);
    expect(restricted).toMatchObject({ status: 400, code: '0x80040227' });
    expect((restricted as Error).message).toContain('emu_concept_rule');
    // The refused delete changed nothing, not even the cascades it would have done first.
    await expect(t.engine.retrieve('emu_profiles', profile)).resolves.toBeDefined();

    await t.engine.delete('emu_rules', rule);
    await t.engine.delete('emu_concepts', concept);
    expect((await t.engine.retrieve('emu_interactions', interaction))._emu_concept_value).toBeNull();
    await expect(t.engine.retrieve('emu_profiles', profile)).rejects.toThrow(RecordNotFoundError);

    await t.engine.delete('contacts', contact);
    await expect(t.engine.retrieve('emu_interactions', interaction)).rejects.toThrow(RecordNotFoundError);
  });

  it('deletes only with a matching etag when one is given', async () => {
    const id = await t.engine.create('contacts', { fullname: 'A' });
    await expect(t.engine.delete('contacts', id, { ifMatch: 'W/"1"' })).rejects.toThrow(ConcurrencyError);
    await t.engine.delete('contacts', id, { ifMatch: t.engine.etag('contacts', id) });
    await expect(t.engine.delete('contacts', id)).rejects.toThrow(RecordNotFoundError);
  });
});

describe('metadata growth', () => {
  it('adds tables and columns to an existing database when the metadata grows', async () => {
    const { engine } = testEngine();
    const id = await engine.create('contacts', { fullname: 'Before' });
    const grown = testMetadata();
    const contact = grown.tables.contact;
    if (!contact) throw new Error('test metadata has no contact');
    contact.columns.emu_nickname = {
      ...contact.columns.fullname,
      logicalName: 'emu_nickname',
      maxLength: 20,
    };
    grown.tables.emu_extra = {
      ...grown.tables.emu_rule,
      logicalName: 'emu_extra',
      entitySetName: 'emu_extras',
      primaryIdAttribute: 'emu_extraid',
      columns: {
        emu_extraid: { ...grown.tables.emu_rule.columns.emu_ruleid, logicalName: 'emu_extraid' },
        emu_name: grown.tables.emu_rule.columns.emu_name,
      },
    };
    engine.applyMetadata(grown);
    await engine.update('contacts', id, { emu_nickname: 'B' });
    expect(await engine.retrieve('contacts', id)).toMatchObject({ fullname: 'Before', emu_nickname: 'B' });
    await expect(engine.create('emu_extras', { emu_name: 'new table' })).resolves.toMatch(/^[0-9a-f-]{36}$/);
    engine.close();
  });
});

describe('name composites Dataverse computes', () => {
  it('writes a contact full name from its first and last name, and keeps it current on update', async () => {
    const { engine } = testEngine();
    const id = await engine.create('contacts', {
      firstname: 'Ana',
      lastname: 'Vidal',
    });
    const read = async () => (await engine.retrieve('contacts', id, { select: ['fullname'] })).fullname;
    expect(await read()).toBe('Ana Vidal');
    await engine.update('contacts', id, { lastname: 'Vidal Ruiz' });
    expect(await read()).toBe('Ana Vidal Ruiz');
    await engine.update('contacts', id, { firstname: null });
    expect(await read()).toBe('Vidal Ruiz');
    engine.close();
  });

  it('composes the phonetic (yomi) full name where the table has one', async () => {
    const { engine } = testEngine();
    const id = await engine.create('contacts', {
      firstname: '太郎',
      lastname: '山田',
      yomifirstname: 'タロウ',
      yomilastname: 'ヤマダ',
    });
    const row = await engine.retrieve('contacts', id, { select: ['fullname', 'yomifullname'] });
    expect(row).toMatchObject({ fullname: '太郎 山田', yomifullname: 'タロウ ヤマダ' });
    engine.close();
  });

  it('keeps a full name written on its own, as rows imported without name parts have', async () => {
    const { engine } = testEngine();
    const id = await engine.create('contacts', { fullname: 'Imported Name' });
    await engine.update('contacts', id, { emailaddress1: 'a@example.com' });
    expect((await engine.retrieve('contacts', id, { select: ['fullname'] })).fullname).toBe('Imported Name');
    engine.close();
  });

  it('names a system user the same way', async () => {
    const { engine } = testEngine();
    const id = await engine.create('systemusers', {
      firstname: 'Marta',
      lastname: 'Gil',
    });
    const row = await engine.retrieve('systemusers', id, { select: ['fullname'] });
    expect(row.fullname).toBe('Marta Gil');
    engine.close();
  });
});
