import { testEngine, type TestEngine } from '../testing/engine';
import { BadRequestError, RecordNotFoundError, UnknownActionError } from './errors';
import type { OperationEvent } from './pipeline';

const t = {} as TestEngine;
beforeEach(() => Object.assign(t, testEngine()));
afterEach(() => t.engine.close());

it('WhoAmI answers the organisation, business unit and calling user', async () => {
  const me = (await t.engine.execute('WhoAmI')) as Record<string, string>;
  expect(Object.keys(me).sort()).toEqual(['BusinessUnitId', 'OrganizationId', 'UserId']);
  expect(me.UserId).toBe(t.engine.whoAmI().UserId);
  const other = '99999999-9999-9999-9999-999999999999';
  expect(await t.engine.execute('WhoAmI', {}, { context: { userId: other } })).toMatchObject({
    UserId: other,
  });
  // The default user exists, so lookups to it resolve and show a name.
  expect((await t.engine.retrieve('systemusers', me.UserId)).fullname).toBe('Emulator Administrator');
});

describe('CreateMultiple and UpsertMultiple', () => {
  it('creates every target and returns their ids', async () => {
    const result = (await t.engine.execute(
      'CreateMultiple',
      {
        Targets: [
          { '@odata.type': 'Microsoft.Dynamics.CRM.emu_concept', emu_code: 'A' },
          { '@odata.type': 'Microsoft.Dynamics.CRM.emu_concept', emu_code: 'B' },
        ],
      },
      { bound: { entitySet: 'emu_concepts' } },
    )) as { Ids: string[] };
    expect(result.Ids).toHaveLength(2);
    expect((await t.engine.retrieve('emu_concepts', result.Ids[1] ?? '')).emu_code).toBe('B');
  });

  it('is all or nothing', async () => {
    const failing = t.engine.execute('CreateMultiple', {
      Targets: [
        { '@odata.type': 'Microsoft.Dynamics.CRM.emu_concept', emu_code: 'A' },
        { '@odata.type': 'Microsoft.Dynamics.CRM.emu_concept', emu_code: 'A' },
      ],
    });
    await expect(failing).rejects.toMatchObject({ status: 412 });
    expect((await t.engine.query('emu_concepts', {})).records).toHaveLength(0);
  });

  it('needs @odata.type on each target and the bound table', async () => {
    await expect(t.engine.execute('CreateMultiple', { Targets: [{ emu_code: 'A' }] })).rejects.toThrow(
      '@odata.type',
    );
    await expect(
      t.engine.execute(
        'CreateMultiple',
        { Targets: [{ '@odata.type': 'Microsoft.Dynamics.CRM.contact' }] },
        { bound: { entitySet: 'emu_concepts' } },
      ),
    ).rejects.toThrow(BadRequestError);
  });

  it('upserts targets addressed by @odata.id alternate keys', async () => {
    const target = (code: string, name: string) => ({
      '@odata.type': 'Microsoft.Dynamics.CRM.emu_concept',
      '@odata.id': `emu_concepts(emu_code='${code}')`,
      emu_name: name,
    });
    expect(
      await t.engine.execute('UpsertMultiple', { Targets: [target('A', 'first'), target('B', 'b')] }),
    ).toBeUndefined();
    await t.engine.execute(
      'UpsertMultiple',
      { Targets: [target('A', 'second')] },
      { bound: { entitySet: 'emu_concepts' } },
    );
    const rows = (
      await t.engine.query('emu_concepts', { orderBy: ['emu_code'], select: ['emu_code', 'emu_name'] })
    ).records;
    expect(rows.map((r) => [r.emu_code, r.emu_name])).toEqual([
      ['A', 'second'],
      ['B', 'b'],
    ]);
  });
});

describe('marketing lists', () => {
  /** AddMemberList is bound to the list: `lists(<id>)/Microsoft.Dynamics.CRM.AddMemberList`. */
  const addMember = (list: string, entityId: string) =>
    t.engine.execute('AddMemberList', { EntityId: entityId }, { bound: { entitySet: 'lists', key: list } });

  it('AddMemberList adds a member once and raises Associate; RemoveMemberList takes it out', async () => {
    const list = await t.engine.create('lists', { listname: 'Cloud segment', createdfromcode: 2 });
    const contact = await t.engine.create('contacts', { fullname: 'Ana' });
    const events: OperationEvent[] = [];
    t.engine.pipeline.subscribe({ afterOperation: (e) => void events.push(e) });

    const first = (await addMember(list, contact)) as { Id: string };
    const again = (await addMember(list, contact)) as { Id: string };
    expect(again.Id).toBe(first.Id);
    const members = await t.engine.query('listmembers', { filter: `_listid_value eq ${list}` });
    expect(members.records.map((m) => m._entityid_value)).toEqual([contact]);
    expect(members.records[0]?.listmemberid).toBe(first.Id);
    const associate = events.find((e) => e.message === 'Associate');
    expect(associate).toMatchObject({
      entityName: 'list',
      id: list,
      relationship: {
        name: 'listcontact_association',
        relatedEntities: [{ logicalName: 'contact', id: contact }],
      },
    });

    await t.engine.execute('RemoveMemberList', { ListId: list, EntityId: contact });
    expect((await t.engine.query('listmembers', {})).records).toHaveLength(0);
    expect(events.some((e) => e.message === 'Disassociate')).toBe(true);
  });

  it('CopyDynamicListToStatic makes a static list of the members the dynamic list finds now', async () => {
    const [ana, anabel] = [
      await t.engine.create('contacts', { fullname: 'Ana' }),
      await t.engine.create('contacts', { fullname: 'Anabel' }),
    ];
    await t.engine.create('contacts', { fullname: 'Bea' });
    const query =
      "<fetch version='1.0' mapping='logical'><entity name='contact'><attribute name='contactid' />" +
      "<filter><condition attribute='fullname' operator='like' value='Ana%' /></filter></entity></fetch>";
    const dynamic = await t.engine.create('lists', {
      listname: 'Ana target',
      createdfromcode: 2,
      type: true,
      query,
    });
    const copy = (await t.engine.execute(
      'CopyDynamicListToStatic',
      {},
      { bound: { entitySet: 'lists', key: dynamic } },
    )) as Record<string, unknown>;
    expect(copy).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.list',
      listname: 'Ana target',
      type: false,
      createdfromcode: 2,
    });
    expect(copy.listid).not.toBe(dynamic);
    const members = await t.engine.query('listmembers', {
      filter: `_listid_value eq ${String(copy.listid)}`,
    });
    expect(members.records.map((m) => m._entityid_value).sort()).toEqual([ana, anabel].sort());
    // The dynamic list stays as it was, with no members of its own.
    expect((await t.engine.retrieve('lists', dynamic)).query).toBe(query);
    expect((await t.engine.query('listmembers', { filter: `_listid_value eq ${dynamic}` })).records).toEqual(
      [],
    );
  });

  it('CopyDynamicListToStatic refuses a static list', async () => {
    const list = await t.engine.create('lists', { listname: 'Static', createdfromcode: 2, type: false });
    await expect(
      t.engine.execute('CopyDynamicListToStatic', {}, { bound: { entitySet: 'lists', key: list } }),
    ).rejects.toThrow(/is not a dynamic list with a query/);
  });

  it('refuses a member of the wrong type or a missing list', async () => {
    const list = await t.engine.create('lists', { listname: 'Accounts only', createdfromcode: 1 });
    const contact = await t.engine.create('contacts', { fullname: 'Ana' });
    await expect(addMember(list, contact)).rejects.toThrow(RecordNotFoundError);
    await expect(addMember(contact, contact)).rejects.toThrow(RecordNotFoundError);
    await expect(addMember(list, 'nope')).rejects.toThrow("needs 'EntityId'");
  });

  it('answers the unbound form, or one bound to another table, as an unknown action', async () => {
    const list = await t.engine.create('lists', { listname: 'L', createdfromcode: 2 });
    const contact = await t.engine.create('contacts', { fullname: 'Ana' });
    await expect(t.engine.execute('AddMemberList', { ListId: list, EntityId: contact })).rejects.toThrow(
      UnknownActionError,
    );
    await expect(
      t.engine.execute(
        'AddMemberList',
        { EntityId: contact },
        { bound: { entitySet: 'contacts', key: contact } },
      ),
    ).rejects.toThrow(UnknownActionError);
    await expect(
      t.engine.execute('AddMemberList', { EntityId: contact }, { bound: { entitySet: 'lists' } }),
    ).rejects.toThrow(UnknownActionError);
    // The bound form has no ListId parameter.
    await expect(
      t.engine.execute(
        'AddMemberList',
        { ListId: list, EntityId: contact },
        { bound: { entitySet: 'lists', key: list } },
      ),
    ).rejects.toThrow("The parameter 'ListId' in the request payload is not a valid parameter");
    expect((await t.engine.query('listmembers', {})).records).toHaveLength(0);
  });

  it("deletes a contact's list memberships with the contact", async () => {
    const list = await t.engine.create('lists', { listname: 'L', createdfromcode: 2 });
    const contact = await t.engine.create('contacts', { fullname: 'Ana' });
    await addMember(list, contact);
    await t.engine.delete('contacts', contact);
    expect((await t.engine.query('listmembers', {})).records).toHaveLength(0);
  });
});

describe('SendEmail', () => {
  async function draft(parties: Record<string, unknown>[]) {
    return t.engine.create('emails', {
      subject: 'Your quotation',
      description: '<p>Hello</p>',
      email_activity_parties: parties,
    });
  }

  it('marks the email sent and puts it in the outbox with its recipients', async () => {
    const agent = await t.engine.create('contacts', {
      fullname: 'Agent',
      emailaddress1: 'agent@agency.example',
    });
    const owner = t.engine.whoAmI().UserId;
    const email = await draft([
      { participationtypemask: 2, 'partyid_contact@odata.bind': `/contacts(${agent})` },
      { participationtypemask: 3, 'partyid_systemuser@odata.bind': `/systemusers(${owner})` },
      { participationtypemask: 3, addressused: 'desk@hotel.example' },
    ]);
    expect(
      await t.engine.execute(
        'SendEmail',
        { IssueSend: true },
        { bound: { entitySet: 'emails', key: email } },
      ),
    ).toEqual({ Subject: 'Your quotation' });
    expect(await t.engine.retrieve('emails', email, { select: ['statecode', 'statuscode'] })).toMatchObject({
      statecode: 1,
      statuscode: 3,
    });
    expect(t.engine.outbox()).toEqual([
      {
        emailId: email,
        sentOn: '2025-01-15T10:00:00Z',
        from: 'admin@emulator.local',
        to: 'agent@agency.example',
        cc: 'admin@emulator.local; desk@hotel.example',
        bcc: '',
        subject: 'Your quotation',
        body: '<p>Hello</p>',
      },
    ]);
    await expect(
      t.engine.execute('SendEmail', { IssueSend: true }, { bound: { entitySet: 'emails', key: email } }),
    ).rejects.toThrow('only while it is a draft');
  });

  it('expands the parties of an activity', async () => {
    const email = await draft([{ participationtypemask: 2, addressused: 'x@example.com' }]);
    const record = await t.engine.retrieve('emails', email, {
      select: ['subject'],
      expand: [{ property: 'email_activity_parties', select: ['participationtypemask', 'addressused'] }],
    });
    expect(record.email_activity_parties).toEqual([
      expect.objectContaining({ participationtypemask: 2, addressused: 'x@example.com' }),
    ]);
  });

  it('refuses to send an email nobody would receive, and IssueSend false only marks it sent', async () => {
    const email = await draft([]);
    await expect(
      t.engine.execute('SendEmail', { IssueSend: true }, { bound: { entitySet: 'emails', key: email } }),
    ).rejects.toThrow('at least one recipient');
    await t.engine.execute('SendEmail', { IssueSend: false }, { bound: { entitySet: 'emails', key: email } });
    expect(t.engine.outbox()).toEqual([]);
    expect((await t.engine.retrieve('emails', email)).statuscode).toBe(3);
  });
});

describe('the action registry', () => {
  it('runs registered actions in one transaction and reports unknown ones', async () => {
    t.engine.registerAction('emu_ImportThings', async ({ engine, body }) => {
      await engine.create('contacts', { fullname: String(body.Name) });
      if (body.Fail === true) throw new BadRequestError('import failed half way');
      return { Done: true };
    });
    expect(await t.engine.execute('emu_ImportThings', { Name: 'a' })).toEqual({ Done: true });
    await expect(t.engine.execute('emu_ImportThings', { Name: 'b', Fail: true })).rejects.toThrow('half way');
    expect(
      (await t.engine.query('contacts', { select: ['fullname'] })).records.map((r) => r.fullname),
    ).toEqual(['a']);
    await expect(t.engine.execute('emu_Nothing')).rejects.toThrow(UnknownActionError);
  });
});
