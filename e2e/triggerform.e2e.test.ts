/**
 * The Trigger form as a marketer meets it: Triggers in the Marketing app's site map, the Active
 * Triggers view, a demo trigger opened from it with the values the Web API holds, axe-clean, and in
 * Spanish with lang=3082.
 */
import type { Page } from 'playwright-core';
import { idr_trigger } from '../dataverse/generated';
import { DEMO_TRIGGER_IDS } from '../tools/emulator/demo/triggers';
import {
  formReady,
  mainUrl,
  MARKETING_APP,
  pagePerTest,
  screenshot,
  seriousViolations,
  webApi,
} from './browser.testkit';

const T = idr_trigger.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
/** The demo's abandoned-cart email: it uses When, Then, Hours and an email template. */
const CART_TRIGGER = DEMO_TRIGGER_IDS[0];

let page: Page;

pagePerTest({ page: (p) => (page = p) });

async function cartTrigger(): Promise<Record<string, unknown>> {
  return webApi(
    `${idr_trigger.entitySetName}(${CART_TRIGGER})?$select=${[
      T.idr_name,
      T.idr_kind,
      T.idr_action,
      T.idr_hours,
      T.idr_subject,
      T.idr_subjectes,
      `_${T.idr_template}_value`,
    ].join(',')}`,
  );
}

it("opens a demo trigger from Triggers in the site map and shows the Web API's values", async () => {
  const stored = await cartTrigger();
  await page.goto(mainUrl({ appid: MARKETING_APP }));
  await page.getByRole('link', { name: 'Triggers', exact: true }).click();
  await page.getByRole('heading', { name: /Active Triggers/ }).waitFor();
  await page
    .locator('table.grid tbody')
    .getByRole('link', { name: String(stored[T.idr_name]), exact: true })
    .click();
  await formReady(page);
  await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(stored[T.idr_name]);
  await expect(page.getByLabel('When', { exact: true }).inputValue()).resolves.toBe(
    String(stored[T.idr_kind]),
  );
  await expect(
    page.getByLabel('When', { exact: true }).locator('option:checked').textContent(),
  ).resolves.toBe(stored[`${T.idr_kind}${FORMATTED}`]);
  await expect(page.getByLabel('Then', { exact: true }).inputValue()).resolves.toBe(
    String(stored[T.idr_action]),
  );
  await expect(page.getByLabel('Hours Without an Order (cart abandoned)').inputValue()).resolves.toBe(
    String(stored[T.idr_hours]),
  );
  await expect(
    page.getByLabel('Email Template (empty: the subject and body below)').inputValue(),
  ).resolves.toBe(stored[`_${T.idr_template}_value${FORMATTED}`]);
  await expect(page.getByLabel('Subject (Spanish)', { exact: true }).inputValue()).resolves.toBe(
    stored[T.idr_subjectes],
  );
  // A column the chosen When does not use stays empty, under a section that says which ones apply.
  await expect(page.getByLabel('Days Before the Birthday (0: on the day)').inputValue()).resolves.toBe('');
  await expect(
    page.getByRole('heading', { name: 'Conditions: fill in the ones the chosen When uses' }).isVisible(),
  ).resolves.toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'trigger-form')).toBeGreaterThan(20);
});

it('shows the trigger list and form in Spanish with lang=3082', async () => {
  const stored = await cartTrigger();
  await page.goto(
    mainUrl({ appid: MARKETING_APP, pagetype: 'entitylist', etn: idr_trigger.logicalName, lang: '3082' }),
  );
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
  await page
    .locator('table.grid tbody')
    .getByRole('link', { name: String(stored[T.idr_name]), exact: true })
    .click();
  await formReady(page);
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
  await expect(page.getByLabel('Nombre', { exact: true }).inputValue()).resolves.toBe(stored[T.idr_name]);
  await expect(page.getByLabel('Cuándo', { exact: true }).inputValue()).resolves.toBe(
    String(stored[T.idr_kind]),
  );
  await expect(page.getByLabel('Horas sin pedido (carrito abandonado)').inputValue()).resolves.toBe(
    String(stored[T.idr_hours]),
  );
  await expect(page.getByLabel('Asunto (español)', { exact: true }).inputValue()).resolves.toBe(
    stored[T.idr_subjectes],
  );
  await expect(
    page.getByRole('heading', { name: 'Condiciones: rellene las que usa el Cuándo elegido' }).isVisible(),
  ).resolves.toBe(true);
  await expect(
    page.getByRole('heading', { name: 'Mensaje: en el idioma del contacto' }).isVisible(),
  ).resolves.toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
});
