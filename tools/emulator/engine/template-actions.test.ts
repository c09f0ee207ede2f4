/** InstantiateTemplate as a script calls it: the email it answers carries the record's values. */
import { DataverseError, NotFoundError } from '../../../dataverse/errors';
import { contact, template } from '../../../dataverse/generated';
import { createTestOrg, type TestOrg } from '../testing';

let org: TestOrg;
beforeEach(() => {
  org = createTestOrg();
});
afterEach(() => org.close());

const C = contact.columns;
const TT = template.columns;

async function seedTemplate(
  subject: string,
  body: string,
  type: string = contact.logicalName,
): Promise<string> {
  return org.client.create(template.entitySetName, {
    [TT.title]: 'Cart reminder',
    [TT.subject]: subject,
    [TT.body]: body,
    [TT.templatetypecode]: type,
    [TT.languagecode]: 1033,
    [TT.ispersonal]: false,
  });
}

function instantiate(templateId: string, objectId: string, objectType: string = contact.logicalName) {
  return org.client.executeAction('InstantiateTemplate', {
    TemplateId: templateId,
    ObjectType: objectType,
    ObjectId: objectId,
  }) as Promise<{ value: Record<string, unknown>[] }>;
}

it('fills the data fields from the record and the default where the record has no value', async () => {
  const ana = await org.client.create(contact.entitySetName, { [C.firstname]: 'Ana', [C.lastname]: 'Ruiz' });
  const nameless = await org.client.create(contact.entitySetName, { [C.lastname]: 'Pérez' });
  const id = await seedTemplate(
    'Hello {!contact:firstname;friend}',
    'Dear {!Contact:FirstName;customer} {!contact:lastname;}, your cart waits. {!account:name;Ideario}',
  );
  const emails = (await instantiate(id, ana)).value;
  expect(emails).toHaveLength(1);
  expect(emails[0]).toMatchObject({
    '@odata.type': '#Microsoft.Dynamics.CRM.email',
    subject: 'Hello Ana',
    description: 'Dear Ana Ruiz, your cart waits. Ideario',
  });
  expect((await instantiate(id, nameless)).value[0]).toMatchObject({
    subject: 'Hello friend',
    description: 'Dear customer Pérez, your cart waits. Ideario',
  });
});

it('answers 404 as Dataverse does for a record or a template that does not exist', async () => {
  const id = await seedTemplate('Hi {!contact:firstname;}', 'Body');
  const missing = '00000000-0000-0000-0000-0000000000aa';
  await expect(instantiate(id, missing)).rejects.toThrow(NotFoundError);
  await expect(instantiate(id, missing)).rejects.toThrow(`contact With Id = ${missing} Does Not Exist`);
  const ana = await org.client.create(contact.entitySetName, { [C.firstname]: 'Ana', [C.lastname]: 'Ruiz' });
  await expect(instantiate(missing, ana)).rejects.toThrow(`template With Id = ${missing} Does Not Exist`);
});

it('refuses a template id that is not a GUID, a template of another table and an unknown column', async () => {
  const ana = await org.client.create(contact.entitySetName, { [C.firstname]: 'Ana', [C.lastname]: 'Ruiz' });
  const bad = instantiate('not-a-guid', ana);
  await expect(bad).rejects.toThrow(DataverseError);
  await expect(instantiate('not-a-guid', ana)).rejects.toThrow(
    "InstantiateTemplate needs 'TemplateId' (a GUID)",
  );
  const forAccounts = await seedTemplate('Hi', 'Body', 'account');
  await expect(instantiate(forAccounts, ana)).rejects.toThrow('is for account records, not contact');
  const typo = await seedTemplate('Hi {!contact:frstname;}', 'Body');
  await expect(instantiate(typo, ana)).rejects.toThrow('{!contact:frstname;} names no column of contact');
  await expect(instantiate(typo, ana)).rejects.toMatchObject({ status: 400 });
});
