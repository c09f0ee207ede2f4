/**
 * PostSave on a form page: a handler added with formContext.data.entity.addOnPostSave hears of every
 * save that reached Dataverse, whether it was stored or refused, and stops hearing once removed.
 */
import type { Page } from 'playwright-core';
import { idr_quotationaction, opportunity } from '../dataverse/generated';
import { formReady, GROUP_SALES_APP, mainUrl, pagePerTest, webApi } from './browser.testkit';

const A = idr_quotationaction.columns;

/** What the test's handler saw of each PostSave, read back from the page. */
interface Heard {
  success: boolean;
  error: { errorCode?: number; message?: string } | null;
  reference: { id: string; entityType: string; name?: string };
}

let page: Page;

pagePerTest({ page: (p) => (page = p) });

async function action(key: string, dealId: string): Promise<string> {
  await webApi(idr_quotationaction.entitySetName, {
    method: 'POST',
    body: JSON.stringify({
      [A.idr_name]: `Follow-up ${key}`,
      [A.idr_key]: key,
      'idr_opportunity@odata.bind': `/${opportunity.entitySetName}(${dealId})`,
    }),
  });
  const row = await webApi(
    `${idr_quotationaction.entitySetName}(${A.idr_key}='${key}')?$select=${A.idr_key}`,
  );
  return String(row[A.idr_quotationactionid]);
}

async function typeAndSave(label: string, value: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
  await formReady(page);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await formReady(page);
}

const heard = (): Promise<Heard[]> => page.evaluate(() => (window as unknown as { heard: Heard[] }).heard);

it('runs PostSave handlers after a stored save and after one Dataverse refuses, until they are removed', async () => {
  const deal = await webApi<{ value: Record<string, unknown>[] }>(
    `${opportunity.entitySetName}?$select=name&$top=1`,
  );
  const dealId = String(deal.value[0]?.[opportunity.columns.opportunityid]);
  const id = await action('E2E-POSTSAVE-1', dealId);
  await action('E2E-POSTSAVE-2', dealId);
  await page.goto(
    mainUrl({ appid: GROUP_SALES_APP, pagetype: 'entityrecord', etn: idr_quotationaction.logicalName, id }),
  );
  await formReady(page);
  // A handler as a form library would add it; it also puts a notification on the form, as the doc's sample does.
  await page.evaluate(() => {
    const w = window as unknown as {
      heard: unknown[];
      handler: Xrm.Events.PostSaveEventHandler;
      IdearioForm: { formContext: Xrm.FormContext };
    };
    w.heard = [];
    w.handler = (context) => {
      const args = context.getEventArgs();
      w.heard.push({
        success: args.getIsSaveSuccess(),
        error: args.getSaveErrorInfo(),
        reference: args.getEntityReference(),
      });
      context
        .getFormContext()
        .ui.setFormNotification(
          args.getIsSaveSuccess() ? 'Heard: saved' : 'Heard: refused',
          'INFO',
          'postsave',
        );
    };
    w.IdearioForm.formContext.data.entity.addOnPostSave(w.handler);
  });

  await typeAndSave('Name', 'Follow-up renamed');
  await page.getByText('Heard: saved').waitFor();
  expect(await heard()).toEqual([
    {
      success: true,
      error: null,
      reference: {
        id: `{${id.toUpperCase()}}`,
        entityType: idr_quotationaction.logicalName,
        name: 'Follow-up renamed',
      },
    },
  ]);

  await typeAndSave('Action Key', 'E2E-POSTSAVE-2');
  await page.getByText('Heard: refused').waitFor();
  const refused = (await heard())[1];
  expect(refused?.success).toBe(false);
  expect(refused?.error?.message).toContain('A record with matching key values already exists');
  expect(typeof refused?.error?.errorCode).toBe('number');
  expect(refused?.reference.id).toBe(`{${id.toUpperCase()}}`);

  await page.evaluate(() => {
    const w = window as unknown as {
      handler: Xrm.Events.PostSaveEventHandler;
      IdearioForm: { formContext: Xrm.FormContext };
    };
    w.IdearioForm.formContext.data.entity.removeOnPostSave(w.handler);
  });
  await typeAndSave('Action Key', 'E2E-POSTSAVE-3');
  const stored = await webApi(`${idr_quotationaction.entitySetName}(${id})?$select=${A.idr_key}`);
  expect(stored[A.idr_key]).toBe('E2E-POSTSAVE-3');
  expect(await heard()).toHaveLength(2);
});
