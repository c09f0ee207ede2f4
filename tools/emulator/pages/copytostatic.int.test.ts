/**
 * Copy to Static on the marketing list form, over HTTP: the page shows the command on a saved dynamic
 * list only (in English and Spanish), and the page's own Web API call answers the new static list with
 * the members the query finds now, or Dataverse's error when the list has no query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contact, list, listmember } from '../../../dataverse/generated';
import { startEmulator, type RunningEmulator } from '../start';
import { appModuleId } from './apps';
import { executeBoundAction, WebApiError } from './client/webapi';
import { pagesExtension } from './extension';
import type { FormBootstrap } from './shell';

const L = list.columns;
const MARKETING = appModuleId('idr_IdearioMarketing');
const QUERY =
  `<fetch><entity name="${contact.logicalName}"><attribute name="${contact.columns.contactid}" />` +
  `<filter><condition attribute="${contact.columns.lastname}" operator="eq" value="Estática" /></filter></entity></fetch>`;

let emulator: RunningEmulator;
let pcfDir: string;
let members: string[];

beforeAll(async () => {
  // No PCF builds: the form's fields and commands are what this test reads.
  pcfDir = mkdtempSync(path.join(tmpdir(), 'ideario-no-pcf-'));
  emulator = await startEmulator({
    memory: true,
    port: 0,
    demo: false,
    solutionRoot: path.join(__dirname, '..', '..', '..', 'solution'),
    extensions: [pagesExtension({ pcfDir })],
  });
  const { engine } = emulator;
  members = [];
  for (const name of ['Ana', 'Bea', 'Carmen'])
    members.push(
      await engine.create(contact.entitySetName, {
        [contact.columns.firstname]: name,
        [contact.columns.lastname]: 'Estática',
      }),
    );
  await engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Otra' });
}, 60_000);

afterAll(async () => {
  await emulator.close();
  rmSync(pcfDir, { recursive: true, force: true });
});

function createList(name: string, dynamic: boolean, query?: string): Promise<string> {
  return emulator.engine.create(list.entitySetName, {
    [L.listname]: name,
    [L.type]: dynamic,
    [L.createdfromcode]: list.choices.createdfromcode.Contact,
    ...(query ? { [L.query]: query } : {}),
  });
}

async function formPage(id: string | undefined, lang = 1033): Promise<{ html: string; boot: FormBootstrap }> {
  const params = new URLSearchParams({
    appid: MARKETING,
    pagetype: 'entityrecord',
    etn: list.logicalName,
    lang: String(lang),
  });
  if (id) params.set('id', id);
  const response = await fetch(`${emulator.url}/main.aspx?${params.toString()}`);
  expect(response.status).toBe(200);
  const html = await response.text();
  const json = /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(html)?.[1];
  return { html, boot: JSON.parse(json ?? '{}') as FormBootstrap };
}

/** What the page's script calls with: its bootstrap's tables and service root, from outside the browser. */
function settingsOf(boot: FormBootstrap) {
  return { serviceRoot: `${emulator.url}${boot.serviceRoot}`, tables: boot.tables };
}

const BUTTON = /<button type="button" data-command="copytostatic">([^<]*)<\/button>/;

describe('Copy to Static on the marketing list form', () => {
  it('is on a saved dynamic list, in the language of the page, and not on a static or new list', async () => {
    const dynamic = await createList('Clientes estáticos', true, QUERY);
    expect(BUTTON.exec((await formPage(dynamic)).html)?.[1]).toBe('Copy to Static');
    expect(BUTTON.exec((await formPage(dynamic, 3082)).html)?.[1]).toBe('Copiar en lista estática');
    expect((await formPage(dynamic)).boot.commands).toEqual([
      expect.objectContaining({ name: 'copytostatic', action: 'CopyDynamicListToStatic' }),
    ]);

    const fixed = await createList('Ya estática', false);
    expect((await formPage(fixed)).html).not.toMatch(BUTTON);
    expect((await formPage(undefined)).html).not.toMatch(BUTTON);
  });

  it("answers the new static list holding the query's members when the page runs it", async () => {
    const dynamic = await createList('Clientes estáticos', true, QUERY);
    const { boot } = await formPage(dynamic);
    const answer = await executeBoundAction(
      settingsOf(boot),
      list.logicalName,
      dynamic,
      'CopyDynamicListToStatic',
    );
    expect(answer['@odata.type']).toBe('#Microsoft.Dynamics.CRM.list');
    const copy = String(answer[L.listid]);
    expect(copy).not.toBe(dynamic);
    expect(answer).toMatchObject({ [L.listname]: 'Clientes estáticos', [L.type]: false });

    const rows = await emulator.engine.query(listmember.entitySetName, {
      filter: `_${listmember.columns.listid}_value eq ${copy}`,
    });
    expect(rows.records.map((r) => r[`_${listmember.columns.entityid}_value`]).sort()).toEqual(
      [...members].sort(),
    );
    // The copy opens as a static list: its form has no Copy to Static.
    expect((await formPage(copy)).html).not.toMatch(BUTTON);
  });

  it('fails with Dataverse’s error, naming the list, when the dynamic list has no query', async () => {
    const empty = await createList('Sin consulta', true);
    const { boot } = await formPage(empty);
    expect(boot.commands?.map((c) => c.name)).toEqual(['copytostatic']);
    const failure = executeBoundAction(settingsOf(boot), list.logicalName, empty, 'CopyDynamicListToStatic');
    const error = await failure.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebApiError);
    expect((error as WebApiError).status).toBe(400);
    expect((error as WebApiError).message).toContain(
      `marketing list ${empty} is not a dynamic list with a query`,
    );
  });
});
