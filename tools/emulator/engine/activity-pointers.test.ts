import { activitymimeattachment, email, opportunity } from '../../../dataverse/generated';
import { createTestOrg, type TestOrg } from '../testing';

let org: TestOrg;
beforeEach(() => {
  org = createTestOrg();
});
afterEach(() => org.close());

const a = activitymimeattachment.columns;

describe('email attachments (activitymimeattachment)', () => {
  it('bind their email as an activitypointer, as on Dataverse, and go with the email', async () => {
    const opportunityId = await org.client.create(opportunity.entitySetName, {
      [opportunity.columns.name]: 'Group',
    });
    const emailId = await org.client.create(email.entitySetName, {
      [email.columns.subject]: 'Quotation',
      [`${email.columns.regardingobjectid}_opportunity_email@odata.bind`]: `/${opportunity.entitySetName}(${opportunityId})`,
    });
    const body = Buffer.from('%PDF-1.7 test').toString('base64');
    await org.client.create(activitymimeattachment.entitySetName, {
      [`${a.objectid}_activitypointer@odata.bind`]: `/activitypointers(${emailId})`,
      [a.objecttypecode]: email.logicalName,
      [a.filename]: 'Quotation.pdf',
      [a.mimetype]: 'application/pdf',
      [a.body]: body,
    });
    const rows = await org.client.retrieveMultiple(activitymimeattachment.entitySetName, {
      select: [a.filename, a.body, `_${a.objectid}_value`],
      filter: `_${a.objectid}_value eq ${emailId}`,
    });
    expect(rows.map((r) => [r[a.filename], r[a.body]])).toEqual([['Quotation.pdf', body]]);

    await org.client.delete(email.entitySetName, emailId);
    expect(
      await org.client.retrieveMultiple(activitymimeattachment.entitySetName, { select: [a.filename] }),
    ).toEqual([]);
  });

  it('refuse an activity that does not exist', async () => {
    await expect(
      org.client.create(activitymimeattachment.entitySetName, {
        [`${a.objectid}_activitypointer@odata.bind`]: `/activitypointers(11111111-1111-4111-8111-111111111111)`,
        [a.filename]: 'x.pdf',
      }),
    ).rejects.toThrow(/activitypointer/);
  });
});
