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
  const typoName = await seedTemplate('Hi {!Contact:Frist Name;}', 'Body');
  await expect(instantiate(typoName, ana)).rejects.toThrow(
    '{!Contact:Frist Name;} names no column of contact',
  );
  await expect(instantiate(typo, ana)).rejects.toMatchObject({ status: 400 });
});

it("reads the editor's display names, in English or Spanish, as the placeholder's table and column", async () => {
  const ana = await org.client.create(contact.entitySetName, { [C.firstname]: 'Ana', [C.lastname]: 'Ruiz' });
  const id = await seedTemplate(
    'Hola {!Contacto:Nombre;amigo}',
    'Dear {!Contact:First Name;customer} {!contact:Last Name;}',
  );
  expect((await instantiate(id, ana)).value[0]).toMatchObject({
    subject: 'Hola Ana',
    description: 'Dear Ana Ruiz',
  });
});

/** A subject or body as the template editor stores it: XSLT over the record's data. */
function editorXslt(inner: string): string {
  return (
    '<?xml version="1.0" ?><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">' +
    `<xsl:output method="text" indent="no"/><xsl:template match="/data">${inner}</xsl:template></xsl:stylesheet>`
  );
}

function dynamicText(path: string, fallback: string): string {
  return `<xsl:choose>\n  <xsl:when test="${path}">\n    <xsl:value-of select="${path}" />\n  </xsl:when>\n  <xsl:otherwise>${fallback}</xsl:otherwise>\n</xsl:choose>`;
}

it('runs the XSLT the template editor stores: CDATA as written, each dynamic text or its default', async () => {
  const agency = await org.client.create('accounts', { name: 'Atlas Viajes' });
  const ana = await org.client.create(contact.entitySetName, {
    [C.firstname]: 'Ana',
    [C.lastname]: 'Ruiz',
    [`${C.parentcustomerid}_account@odata.bind`]: `/accounts(${agency})`,
  });
  const nameless = await org.client.create(contact.entitySetName, { [C.lastname]: 'Pérez' });
  const id = await seedTemplate(
    editorXslt(`<![CDATA[Hello ]]>${dynamicText('contact/firstname', 'friend')}`),
    editorXslt(
      `<![CDATA[<p>Dear ]]>${dynamicText('contact/firstname', 'customer')}<![CDATA[ of ]]>` +
        `${dynamicText('contact/parentcustomerid/@name', 'your agency')}<![CDATA[,</p>]]>`,
    ),
  );
  expect((await instantiate(id, ana)).value[0]).toMatchObject({
    subject: 'Hello Ana',
    description: '<p>Dear Ana of Atlas Viajes,</p>',
  });
  expect((await instantiate(id, nameless)).value[0]).toMatchObject({
    subject: 'Hello friend',
    description: '<p>Dear customer of your agency,</p>',
  });
});

it('refuses XSLT it does not interpret, and a path to no column, naming them', async () => {
  const ana = await org.client.create(contact.entitySetName, { [C.firstname]: 'Ana', [C.lastname]: 'Ruiz' });
  const loop = await seedTemplate(editorXslt('<xsl:for-each select="contact">x</xsl:for-each>'), 'Body');
  await expect(instantiate(loop, ana)).rejects.toMatchObject({ status: 400 });
  await expect(instantiate(loop, ana)).rejects.toThrow('<xsl:for-each> is not supported');
  const typo = await seedTemplate(editorXslt(dynamicText('contact/frstname', 'x')), 'Body');
  await expect(instantiate(typo, ana)).rejects.toThrow('contact/frstname names no column of contact');
});
