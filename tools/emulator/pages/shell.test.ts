import path from 'node:path';
import {
  campaignresponse,
  contact,
  idr_marketingconcept,
  list,
  opportunity,
  QuotationPhase,
  systemuser,
  usersettings,
} from '../../../dataverse/generated';
import { loadMetadata } from '../../solution/loader';
import type { LanguageCode, MetadataModel } from '../../solution/model';
import { testEngine, type TestEngine } from '../testing/engine';
import { appModuleId, loadApps } from './apps';
import { escapeHtml } from './html';
import { LIST_PAGE_SIZE, PageNotFoundError, renderMain, type FormBootstrap } from './shell';

let metadata: MetadataModel;
beforeAll(() => {
  metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
});

const M = idr_marketingconcept.columns;
const MARKETING = appModuleId('idr_IdearioMarketing');
const SALES = appModuleId('idr_IdearioGroupSales');
const EVIL = `<script>alert("x")</script>`;

const t = {} as TestEngine;
beforeEach(() => Object.assign(t, testEngine({ metadata })));
afterEach(() => t.engine.close());

function html(query: Record<string, string>, lang: LanguageCode = 1033): string {
  const answer = renderMain(
    t.engine,
    { params: new URLSearchParams(query), lang, token: 'tok' },
    '/api/data/v9.2/',
  );
  if (answer.kind !== 'html') throw new Error(`expected a page, got a redirect to ${answer.location}`);
  return answer.body;
}

function rowsOf(page: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? '';
  return [...body.matchAll(/<tr role="row">([\s\S]*?)<\/tr>/g)].map((m) => m[1] ?? '');
}

async function concepts(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await t.engine.create(idr_marketingconcept.entitySetName, {
      [M.idr_name]: i === 0 ? EVIL : `Concept ${String(i).padStart(3, '0')}`,
      [M.idr_code]: `C${i}`,
      [M.idr_enterthreshold]: 12.5,
      [M.idr_exitthreshold]: 5,
    });
  }
}

describe('the apps', () => {
  it('reads both apps with their site maps, and the home lists them in the user language', () => {
    const apps = loadApps(metadata);
    expect(apps.map((a) => a.uniqueName).sort()).toEqual(['idr_IdearioGroupSales', 'idr_IdearioMarketing']);
    const marketing = apps.find((a) => a.id === MARKETING);
    expect(marketing?.areas[0]?.groups.flatMap((g) => g.subAreas.map((s) => s.entity))).toContain('contact');
    expect(html({})).toContain('Ideario Marketing');
    expect(html({}, 3082)).toContain('Ideario Ventas de grupos');
    expect(html({}, 3082)).toContain('<html lang="es">');
  });

  it('opens an app on the first page of its site map, and refuses an unknown app', () => {
    const answer = renderMain(t.engine, { params: new URLSearchParams({ appid: SALES }), lang: 1033 }, '/');
    expect(answer).toEqual({
      kind: 'redirect',
      location: `/main.aspx?appid=${SALES}&pagetype=dashboard&id=67f14b54-fb9f-44bc-a87a-c50e42a84514&lang=1033`,
    });
    expect(() => html({ appid: '00000000-0000-0000-0000-000000000001' })).toThrow(PageNotFoundError);
  });
});

describe('a list page', () => {
  it('shows the default view, escaped, page by page, with each row opening its main form', async () => {
    await concepts(LIST_PAGE_SIZE + 2);
    const page = html({ appid: MARKETING, pagetype: 'entitylist', etn: idr_marketingconcept.logicalName });
    const rows = rowsOf(page);
    expect(rows).toHaveLength(LIST_PAGE_SIZE);
    expect(rows[0]).toContain(escapeHtml(EVIL));
    expect(page).not.toContain(EVIL);
    expect(rows[0]).toMatch(
      /href="\/main\.aspx\?appid=[^"]+&amp;pagetype=entityrecord&amp;etn=idr_marketingconcept&amp;id=[0-9a-f-]{36}/,
    );
    expect(page).toContain('Rows 1–50');
    expect(page).toMatch(/<option value="[^"]+" selected>Active Concepts<\/option>/);
    const second = html({
      appid: MARKETING,
      pagetype: 'entitylist',
      etn: idr_marketingconcept.logicalName,
      page: '2',
    });
    expect(rowsOf(second)).toHaveLength(2);
  });

  it('searches the quick find columns from the start of the value (or anywhere after *)', async () => {
    await concepts(12);
    const list = { appid: MARKETING, pagetype: 'entitylist', etn: idr_marketingconcept.logicalName };
    expect(rowsOf(html({ ...list, search: 'Concept 01' }))).toHaveLength(2);
    expect(rowsOf(html({ ...list, search: 'oncept 011' }))[0]).toContain('No data available.');
    expect(rowsOf(html({ ...list, search: '*oncept 011' }))).toHaveLength(1);
  });

  it('lists a platform table with no view of its own through a view of its main form columns', () => {
    const page = html({ appid: MARKETING, pagetype: 'entitylist', etn: 'contact' }, 3082);
    expect(page).toContain('Todos: Contactos');
    expect(page).toContain('<th scope="col">Nombre</th>');
  });
});

describe('a form page', () => {
  it("hands the browser the user's own date and number formats over their region's", async () => {
    const me = t.engine.whoAmI().UserId;
    await t.engine.update(usersettings.entitySetName, me, {
      [usersettings.columns.dateformatstring]: 'dd/MM/yyyy',
      [usersettings.columns.dateseparator]: '.',
      [usersettings.columns.decimalsymbol]: ',',
      [usersettings.columns.numberseparator]: ' ',
    });
    const page = html({ appid: SALES, pagetype: 'entityrecord', etn: opportunity.logicalName });
    const json = /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(page)?.[1];
    const boot = JSON.parse(json ?? '{}') as FormBootstrap;
    expect(boot.formats).toMatchObject({
      dateFormat: 'dd.MM.yyyy',
      timeFormat: 'h:mm tt',
      decimalSymbol: ',',
      numberSeparator: ' ',
    });
  });

  it('lays out the FormXml tabs, sections and fields with labels, and hands the browser the handlers', () => {
    const page = html({ appid: SALES, pagetype: 'entityrecord', etn: opportunity.logicalName }, 3082);
    expect(page).toContain('>Cotización de grupo</button>');
    expect(page).toContain('<label for="idr-field-idr_arrivaldate">Fecha de llegada</label>');
    // A text box in the user's date format and a calendar button named after the field, not a native picker.
    expect(page).toContain('<input id="idr-field-idr_arrivaldate" type="text"');
    expect(page).toContain(
      'aria-haspopup="dialog" aria-expanded="false" aria-label="Elegir una fecha: Fecha de llegada"',
    );
    expect(page).not.toContain('type="date"');
    expect(page).toContain('<script src="/WebResources/idr_/groupquotes/opportunity.js"></script>');
    const json = /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(page)?.[1];
    const boot = JSON.parse(json ?? '{}') as FormBootstrap;
    expect(boot.lang).toBe(3082);
    expect(boot.formats).toMatchObject({ dateFormat: 'd/M/yyyy', timeFormat: 'H:mm', decimalSymbol: ',' });
    expect(boot.id).toBeUndefined();
    expect(boot.disabled).toEqual(expect.arrayContaining(['idr_persons', 'idr_total']));
    expect(boot.handlers).toContainEqual({
      event: 'onchange',
      attribute: 'idr_nights',
      functionName: 'Ideario.GroupQuotes.Opportunity.onNightsChange',
      library: 'idr_/groupquotes/opportunity.js',
      passExecutionContext: true,
    });
    expect(boot.columns.find((c) => c.logicalName === 'customerid')?.bind).toEqual({
      account: 'customerid_account',
      contact: 'customerid_contact',
    });
  });

  it('names the platform tables and their columns in Spanish', () => {
    const form = html({ appid: MARKETING, pagetype: 'entityrecord', etn: contact.logicalName }, 3082);
    expect(form).toContain('<title>Contacto · Ideario Marketing</title>');
    expect(form).toContain('<h1 id="idr-title">Nuevo: Contacto</h1>');
    const quotation = html({ appid: SALES, pagetype: 'entityrecord', etn: opportunity.logicalName }, 3082);
    expect(quotation).toContain('<h1 id="idr-title">Nuevo: Oportunidad</h1>');
    // Marketing lists and campaign responses have no view in the solutions: the headers are the columns' names.
    const lists = html({ appid: MARKETING, pagetype: 'entitylist', etn: list.logicalName }, 3082);
    expect(lists).toContain('<th scope="col">Nombre</th>');
    // The list form's first simple columns, not the query FetchXML the Target Builder keeps.
    expect(lists).toContain('<th scope="col">Propósito</th>');
    expect(lists).not.toContain('<th scope="col">Consulta</th>');
    const responses = html(
      { appid: MARKETING, pagetype: 'entitylist', etn: campaignresponse.logicalName },
      3082,
    );
    expect(responses).toContain('<th scope="col">Asunto</th>');
    const boot = JSON.parse(
      /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(form)?.[1] ?? '{}',
    ) as FormBootstrap;
    expect(boot.table.displayName).toBe('Contacto');
    expect(boot.tables.find((t) => t.logicalName === systemuser.logicalName)?.displayName).toBe('Usuario');
  });

  it('refuses an id that is not a GUID', () => {
    expect(() =>
      html({ appid: SALES, pagetype: 'entityrecord', etn: opportunity.logicalName, id: 'x' }),
    ).toThrow(PageNotFoundError);
  });

  it('lists and opens the rows of a table the solutions give no main form, on an Information form of its primary name', async () => {
    // Dataverse gives every table a main form; the platform's own forms of standard tables are not here.
    const id = await t.engine.create(campaignresponse.entitySetName, {
      [campaignresponse.columns.subject]: 'Spring newsletter reply',
    });
    const page = html({ appid: MARKETING, pagetype: 'entitylist', etn: campaignresponse.logicalName });
    const [row] = rowsOf(page);
    expect(row).toContain(
      `href="/main.aspx?appid=${MARKETING}&amp;pagetype=entityrecord&amp;etn=campaignresponse&amp;id=${id}&amp;lang=1033">Spring newsletter reply</a>`,
    );
    const form = html(
      { appid: MARKETING, pagetype: 'entityrecord', etn: campaignresponse.logicalName, id },
      3082,
    );
    expect(form).toContain('Información');
    const boot = JSON.parse(
      /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(form)?.[1] ?? '{}',
    ) as FormBootstrap;
    expect(boot.columns.map((c) => c.logicalName)).toContain(campaignresponse.columns.subject);
  });
});

describe("a user's formats on the pages", () => {
  const O = opportunity.columns;
  const ALL_QUOTATIONS = '25f1600e-2f7a-406b-84e3-0e315354fc09';

  async function quotation(): Promise<string> {
    const euro = testEngine({ metadata, baseCurrency: 'EUR' });
    t.engine.close();
    Object.assign(t, euro);
    return t.engine.create(opportunity.entitySetName, {
      [O.name]: 'Congreso Valencia',
      [O.idr_arrivaldate]: '2027-05-03',
      [O.idr_total]: 8400,
      [O.idr_phase]: QuotationPhase.QuotationSent,
    });
  }

  it('writes a list’s dates, amounts and choice labels in the page language', async () => {
    await quotation();
    const list = (lang: LanguageCode) =>
      rowsOf(
        html(
          { appid: SALES, pagetype: 'entitylist', etn: opportunity.logicalName, viewid: ALL_QUOTATIONS },
          lang,
        ),
      ).join('');
    expect(list(1033)).toContain('<td>5/3/2027</td>');
    expect(list(1033)).toContain('<td>€8,400.00</td>');
    expect(list(3082)).toContain('<td>3/5/2027</td>');
    expect(list(3082)).toContain('<td>8.400,00 €</td>');
    expect(list(1033)).toContain('<td>Quotation sent</td>');
    expect(list(3082)).toContain('<td>Cotización enviada</td>');
  });

  it("gives the form its record's currency, and lays amounts out as text the user can type into", async () => {
    const id = await quotation();
    const page = html({ appid: SALES, pagetype: 'entityrecord', etn: opportunity.logicalName, id }, 3082);
    const boot = JSON.parse(
      /<script type="application\/json" id="idr-bootstrap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '{}',
    ) as FormBootstrap;
    expect(boot.currency).toEqual({ symbol: '€', precision: 2 });
    expect(page).toMatch(new RegExp(`<input id="idr-field-${O.idr_total}" type="text" inputmode="decimal"`));
  });
});
