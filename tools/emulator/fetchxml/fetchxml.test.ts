import path from 'node:path';
import {
  account,
  contact,
  idr_interaction,
  idr_interestprofile,
  idr_marketingconcept,
  opportunity,
  EventType,
  QuotationPhase,
  ValueTier,
} from '../../../dataverse/generated';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import type { Engine } from '../engine/engine';
import { annotationFilter } from '../engine/records';
import { WebApi } from '../http/webapi';
import { testEngine, type TestEngine } from '../testing/engine';
import { parseCookie } from './cookie';
import { FetchXmlErrorCodes } from './errors';
import { QUICK_FIND_QUERY_TYPE } from './savedquery';

const C = contact.columns;
const A = account.columns;
const P = idr_interestprofile.columns;
const M = idr_marketingconcept.columns;
const I = idr_interaction.columns;
const O = opportunity.columns;

let metadata: MetadataModel;
beforeAll(() => {
  metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
});

const bind = (set: string, id: string) => `/${set}(${id})`;
const FORMATTED = 'OData.Community.Display.V1.FormattedValue';

interface Org {
  t: TestEngine;
  accounts: Record<string, string>;
  contacts: Record<string, string>;
  concepts: Record<string, string>;
}

/** Three accounts, five contacts (one without an account), two concepts and four interest profiles. */
async function seed(): Promise<Org> {
  const t = testEngine({ metadata, start: new Date('2025-03-20T12:00:00Z') });
  const e = t.engine;
  const accounts: Record<string, string> = {};
  for (const [key, name, employees, city] of [
    ['acme', 'Acme Travel', 120, 'Madrid'],
    ['bravo', 'Bravo Tours', 40, 'Sevilla'],
    ['zen', 'Zen Consulting', null, 'Madrid'],
  ] as const) {
    accounts[key] = await e.create(account.entitySetName, {
      [A.name]: name,
      [A.numberofemployees]: employees,
      [A.address1_city]: city,
    });
  }
  const contacts: Record<string, string> = {};
  const people = [
    ['ana', 'Ana', 'García', 'acme', ValueTier.MostValuable, false, '2025-03-19T09:00:00Z'],
    ['bob', 'Bob', 'Smith', 'acme', ValueTier.BelowZero, true, '2025-03-01T09:00:00Z'],
    ['carmen', 'Carmen', 'López', 'bravo', ValueTier.Maintain, false, '2024-12-01T09:00:00Z'],
    ['dave', 'Dave', "O'Brien", 'bravo', null, false, '2025-03-20T08:00:00Z'],
    ['eva', 'Eva', 'Martín', null, ValueTier.MostGrowable, false, '2023-06-01T09:00:00Z'],
  ] as const;
  for (const [key, first, last, company, tier, noBulk, created] of people) {
    const record: Record<string, unknown> = {
      [C.firstname]: first,
      [C.lastname]: last,
      [C.fullname]: `${first} ${last}`,
      [C.emailaddress1]: `${key}@example.com`,
      [C.idr_valuetier]: tier,
      [C.donotbulkemail]: noBulk,
    };
    if (company)
      record[`${C.parentcustomerid}_account@odata.bind`] = bind(
        account.entitySetName,
        accounts[company] ?? '',
      );
    t.clock.set(new Date(created));
    contacts[key] = await e.create(contact.entitySetName, record);
  }
  t.clock.set(new Date('2025-03-20T12:00:00Z'));
  const concepts: Record<string, string> = {};
  for (const [key, name, code] of [
    ['cloud', 'Cloud migration', 'CLOUD'],
    ['beach', 'Beach holidays', 'BEACH'],
  ] as const) {
    concepts[key] = await e.create(idr_marketingconcept.entitySetName, {
      [M.idr_name]: name,
      [M.idr_code]: code,
      [M.idr_enterthreshold]: 10,
      [M.idr_exitthreshold]: 5,
    });
  }
  for (const [who, concept, score] of [
    ['ana', 'cloud', 42.5],
    ['bob', 'cloud', 12],
    ['ana', 'beach', 7.25],
    ['carmen', 'beach', 30],
  ] as const) {
    await e.create(idr_interestprofile.entitySetName, {
      [P.idr_name]: `${who} × ${concept}`,
      [P.idr_score]: score,
      [P.idr_insegment]: score >= 10,
      [`${P.idr_contact}@odata.bind`]: bind(contact.entitySetName, contacts[who] ?? ''),
      [`${P.idr_concept}@odata.bind`]: bind(idr_marketingconcept.entitySetName, concepts[concept] ?? ''),
    });
  }
  return { t, accounts, contacts, concepts };
}

function fixture(): Org {
  const org = {} as Org;
  beforeEach(async () => Object.assign(org, await seed()));
  afterEach(() => org.t.engine.close());
  return org;
}

const names = (records: Record<string, unknown>[]) => records.map((r) => r[C.fullname]);

async function fetch(engine: Engine, set: string, xml: string, annotations = false) {
  return engine.fetchXml(set, xml, annotations ? { annotations: annotationFilter(['*']) } : {});
}

describe('columns', () => {
  const org = fixture();

  it('returns the chosen columns, lookups as _x_value, the primary key and the etag, and leaves empty columns out', async () => {
    const { records } = await fetch(
      org.t.engine,
      contact.entitySetName,
      `<fetch><entity name="${contact.logicalName}"><attribute name="${C.fullname}" /><attribute name="${C.parentcustomerid}" /><attribute name="${C.idr_valuetier}" />
        <filter><condition attribute="${C.firstname}" operator="in"><value>Dave</value><value>Ana</value></condition></filter>
        <order attribute="${C.firstname}" /></entity></fetch>`,
    );
    expect(records).toHaveLength(2);
    const { ['@odata.etag']: etag, ...ana } = records[0] ?? {};
    expect(etag).toMatch(/^W\/"\d+"$/);
    expect(ana).toEqual({
      [C.fullname]: 'Ana García',
      [`_${C.parentcustomerid}_value`]: org.accounts.acme,
      [C.idr_valuetier]: ValueTier.MostValuable,
      [C.contactid]: org.contacts.ana,
    });
    // Dave has no value tier: FetchXML results leave the column out rather than sending null.
    expect(records[1]).not.toHaveProperty(C.idr_valuetier);
    expect(records[1]?.[C.fullname]).toBe("Dave O'Brien");
  });

  it('adds formatted values and lookup annotations when asked', async () => {
    const { records } = await fetch(
      org.t.engine,
      contact.entitySetName,
      `<fetch><entity name="${contact.logicalName}"><attribute name="${C.parentcustomerid}" /><attribute name="${C.idr_valuetier}" /><attribute name="${C.donotbulkemail}" />
        <filter><condition attribute="${C.contactid}" operator="eq" value="{${org.contacts.bob?.toUpperCase()}}" /></filter></entity></fetch>`,
      true,
    );
    expect(records[0]).toMatchObject({
      [`_${C.parentcustomerid}_value@${FORMATTED}`]: 'Acme Travel',
      [`_${C.parentcustomerid}_value@Microsoft.Dynamics.CRM.lookuplogicalname`]: account.logicalName,
      [`${C.idr_valuetier}@${FORMATTED}`]: 'Below zero',
      [`${C.donotbulkemail}@${FORMATTED}`]: 'Do Not Allow',
    });
  });

  it('returns every column with all-attributes, and with no attribute element at all', async () => {
    for (const body of ['<all-attributes />', '']) {
      const { records } = await fetch(
        org.t.engine,
        account.entitySetName,
        `<fetch top="1"><entity name="${account.logicalName}">${body}<order attribute="${A.name}" /></entity></fetch>`,
      );
      expect(records[0]).toMatchObject({
        [A.name]: 'Acme Travel',
        [A.numberofemployees]: 120,
        [A.address1_city]: 'Madrid',
        statecode: 0,
      });
    }
  });

  it('returns each distinct combination once, without ids or etags', async () => {
    const { records } = await fetch(
      org.t.engine,
      account.entitySetName,
      `<fetch distinct="true"><entity name="${account.logicalName}"><attribute name="${A.address1_city}" /><order attribute="${A.address1_city}" /></entity></fetch>`,
    );
    expect(records).toEqual([{ [A.address1_city]: 'Madrid' }, { [A.address1_city]: 'Sevilla' }]);
  });

  it('names a column by its alias', async () => {
    const { records } = await fetch(
      org.t.engine,
      account.entitySetName,
      `<fetch top="1"><entity name="${account.logicalName}"><attribute name="${A.name}" alias="company" /><order attribute="${A.name}" /></entity></fetch>`,
    );
    expect(records[0]).toMatchObject({ company: 'Acme Travel' });
    expect(records[0]).not.toHaveProperty(A.name);
  });
});

describe('filters', () => {
  const org = fixture();
  const run = async (filter: string) =>
    names(
      (
        await fetch(
          org.t.engine,
          contact.entitySetName,
          `<fetch><entity name="${contact.logicalName}"><attribute name="${C.fullname}" />${filter}<order attribute="${C.fullname}" /></entity></fetch>`,
        )
      ).records,
    );

  it('combines nested and/or filters', async () => {
    const filter = `<filter type="and"><condition attribute="${C.donotbulkemail}" operator="eq" value="0" />
      <filter type="or"><condition attribute="${C.lastname}" operator="like" value="%ez" /><condition attribute="${C.firstname}" operator="begins-with" value="ev" /></filter></filter>`;
    expect(await run(filter)).toEqual(['Carmen López', 'Eva Martín']);
  });

  it('leaves rows with no value out of ne, not-in and not-like, as SQL Server does', async () => {
    expect(
      await run(
        `<filter><condition attribute="${C.idr_valuetier}" operator="ne" value="${ValueTier.Maintain}" /></filter>`,
      ),
    ).toEqual(['Ana García', 'Bob Smith', 'Eva Martín']);
    expect(
      await run(
        `<filter><condition attribute="${C.idr_valuetier}" operator="not-in"><value>${ValueTier.Maintain}</value></condition></filter>`,
      ),
    ).toHaveLength(3);
    expect(
      await run(`<filter><condition attribute="${C.idr_valuetier}" operator="null" /></filter>`),
    ).toEqual(["Dave O'Brien"]);
    expect(
      await run(`<filter><condition attribute="${C.lastname}" operator="not-like" value="%a%" /></filter>`),
    ).toEqual(['Bob Smith', 'Carmen López', "Dave O'Brien"]);
  });

  it('compares text without regard to case, and lookups by id', async () => {
    expect(
      await run(
        `<filter><condition attribute="${C.emailaddress1}" operator="eq" value="ANA@EXAMPLE.COM" /></filter>`,
      ),
    ).toEqual(['Ana García']);
    expect(
      await run(
        `<filter><condition attribute="${C.parentcustomerid}" operator="eq" value="${org.accounts.bravo ?? ''}" /></filter>`,
      ),
    ).toEqual(['Carmen López', "Dave O'Brien"]);
    expect(
      await run(`<filter><condition attribute="${C.lastname}" operator="ends-with" value="TH" /></filter>`),
    ).toEqual(['Bob Smith']);
  });

  it('runs the date operators against the clock', async () => {
    expect(await run(`<filter><condition attribute="${C.createdon}" operator="today" /></filter>`)).toEqual([
      "Dave O'Brien",
    ]);
    expect(
      await run(
        `<filter><condition attribute="${C.createdon}" operator="last-x-days" value="30" /></filter>`,
      ),
    ).toEqual(['Ana García', 'Bob Smith', "Dave O'Brien"]);
    expect(
      await run(
        `<filter><condition attribute="${C.createdon}" operator="olderthan-x-months" value="12" /></filter>`,
      ),
    ).toEqual(['Eva Martín']);
    expect(
      await run(
        `<filter><condition attribute="${C.createdon}" operator="on-or-before" value="2024-12-01" /></filter>`,
      ),
    ).toEqual(['Carmen López', 'Eva Martín']);
    expect(
      await run(
        `<filter><condition attribute="${C.createdon}" operator="between"><value>2024-01-01</value><value>2025-03-02</value></condition></filter>`,
      ),
    ).toEqual(['Bob Smith', 'Carmen López']);
    expect(
      await run(`<filter><condition attribute="${C.createdon}" operator="this-week" /></filter>`),
    ).toEqual(['Ana García', "Dave O'Brien"]);
  });

  it('matches records owned by the calling user with eq-userid', async () => {
    expect(
      await run(`<filter><condition attribute="${C.ownerid}" operator="eq-userid" /></filter>`),
    ).toHaveLength(5);
    expect(
      await run(`<filter><condition attribute="${C.ownerid}" operator="ne-userid" /></filter>`),
    ).toHaveLength(0);
  });

  it('compares two columns of a row with valueof', async () => {
    await org.t.engine.update(contact.entitySetName, org.contacts.eva ?? '', { [C.lastname]: 'Eva' });
    expect(
      await run(
        `<filter><condition attribute="${C.firstname}" operator="eq" valueof="${C.lastname}" /></filter>`,
      ),
    ).toEqual(['Eva Eva']); // fullname follows the name parts, as Dataverse computes it
  });
});

describe('orders', () => {
  const org = fixture();

  it('orders choices by their label and lookups by the related name, unless raw order is asked for', async () => {
    const byTier = async (raw: string) =>
      names(
        (
          await fetch(
            org.t.engine,
            contact.entitySetName,
            `<fetch${raw}><entity name="${contact.logicalName}"><attribute name="${C.fullname}" /><filter><condition attribute="${C.idr_valuetier}" operator="not-null" /></filter><order attribute="${C.idr_valuetier}" /></entity></fetch>`,
          )
        ).records,
      );
    expect(await byTier('')).toEqual(['Bob Smith', 'Carmen López', 'Eva Martín', 'Ana García']);
    expect(await byTier(' useraworderby="true"')).toEqual([
      'Ana García',
      'Eva Martín',
      'Carmen López',
      'Bob Smith',
    ]);
    const { records } = await fetch(
      org.t.engine,
      idr_interestprofile.entitySetName,
      `<fetch><entity name="${idr_interestprofile.logicalName}"><attribute name="${P.idr_score}" /><order attribute="${P.idr_concept}" /><order attribute="${P.idr_score}" descending="true" /></entity></fetch>`,
    );
    // Beach holidays before Cloud migration, then score descending within each concept.
    expect(records.map((r) => r[P.idr_score])).toEqual([30, 7.25, 42.5, 12]);
  });
});

describe('link-entity', () => {
  const org = fixture();

  it('returns the linked table columns as alias.column; inner drops rows without a match, outer keeps them', async () => {
    const query = (type: string) =>
      `<fetch><entity name="${contact.logicalName}"><attribute name="${C.fullname}" /><order attribute="${C.fullname}" />
        <link-entity name="${account.logicalName}" from="${A.accountid}" to="${C.parentcustomerid}" link-type="${type}" alias="company">
          <attribute name="${A.name}" /><attribute name="${A.numberofemployees}" />
        </link-entity></entity></fetch>`;
    const inner = (await fetch(org.t.engine, contact.entitySetName, query('inner'), true)).records;
    expect(inner.map((r) => [r[C.fullname], r[`company.${A.name}`]])).toEqual([
      ['Ana García', 'Acme Travel'],
      ['Bob Smith', 'Acme Travel'],
      ['Carmen López', 'Bravo Tours'],
      ["Dave O'Brien", 'Bravo Tours'],
    ]);
    expect(inner[0]).toMatchObject({
      [`company.${A.numberofemployees}`]: 120,
      [`company.${A.numberofemployees}@${FORMATTED}`]: '120',
    });
    const outer = (await fetch(org.t.engine, contact.entitySetName, query('outer'))).records;
    expect(outer).toHaveLength(5);
    expect(outer[4]).toEqual(expect.objectContaining({ [C.fullname]: 'Eva Martín' }));
    expect(outer[4]).not.toHaveProperty(`company.${A.name}`);
  });

  it('filters the join and the parent through the link, and orders link columns after the entity', async () => {
    const { records } = await fetch(
      org.t.engine,
      idr_interestprofile.entitySetName,
      `<fetch><entity name="${idr_interestprofile.logicalName}"><attribute name="${P.idr_score}" />
        <filter><condition entityname="person" attribute="${C.donotbulkemail}" operator="eq" value="false" /></filter>
        <link-entity name="${contact.logicalName}" from="${C.contactid}" to="${P.idr_contact}" alias="person"><attribute name="${C.firstname}" /><order attribute="${C.firstname}" descending="true" /></link-entity>
        <link-entity name="${idr_marketingconcept.logicalName}" from="${M.idr_marketingconceptid}" to="${P.idr_concept}">
          <attribute name="${M.idr_code}" /><filter><condition attribute="${M.idr_code}" operator="eq" value="BEACH" /></filter></link-entity>
      </entity></fetch>`,
    );
    // The second link-entity has no alias: Dataverse names it after the table and its position.
    expect(
      records.map((r) => [
        r[`person.${C.firstname}`],
        r[`${idr_marketingconcept.logicalName}2.${M.idr_code}`],
      ]),
    ).toEqual([
      ['Carmen', 'BEACH'],
      ['Ana', 'BEACH'],
    ]);
  });

  it('finds parents without related rows through an outer link and a null condition on it', async () => {
    const { records } = await fetch(
      org.t.engine,
      account.entitySetName,
      `<fetch><entity name="${account.logicalName}"><attribute name="${A.name}" />
        <link-entity name="${contact.logicalName}" from="${C.parentcustomerid}" to="${A.accountid}" link-type="outer" alias="staff" />
        <filter><condition entityname="staff" attribute="${C.contactid}" operator="null" /></filter></entity></fetch>`,
    );
    expect(records.map((r) => r[A.name])).toEqual(['Zen Consulting']);
  });

  it('keeps parents that have (exists) or lack (not any) related rows, without repeating them', async () => {
    const run = async (type: string) =>
      names(
        (
          await fetch(
            org.t.engine,
            contact.entitySetName,
            `<fetch><entity name="${contact.logicalName}"><attribute name="${C.fullname}" /><order attribute="${C.fullname}" />
              <link-entity name="${idr_interestprofile.logicalName}" from="${P.idr_contact}" to="${C.contactid}" link-type="${type}" /></entity></fetch>`,
          )
        ).records,
      );
    expect(await run('exists')).toEqual(['Ana García', 'Bob Smith', 'Carmen López']);
    expect(await run('not any')).toEqual(["Dave O'Brien", 'Eva Martín']);
    // A plain inner join to a one-to-many relationship repeats the parent once per related row.
    expect(await run('inner')).toEqual(['Ana García', 'Ana García', 'Bob Smith', 'Carmen López']);
  });
});

describe('aggregates', () => {
  const org = fixture();

  it('counts, sums, averages and finds the extremes', async () => {
    const { records } = await fetch(
      org.t.engine,
      account.entitySetName,
      `<fetch aggregate="true"><entity name="${account.logicalName}">
        <attribute name="${A.numberofemployees}" alias="rows" aggregate="count" />
        <attribute name="${A.numberofemployees}" alias="known" aggregate="countcolumn" />
        <attribute name="${A.address1_city}" alias="cities" aggregate="countcolumn" distinct="true" />
        <attribute name="${A.numberofemployees}" alias="total" aggregate="sum" />
        <attribute name="${A.numberofemployees}" alias="average" aggregate="avg" />
        <attribute name="${A.numberofemployees}" alias="smallest" aggregate="min" />
        <attribute name="${A.numberofemployees}" alias="largest" aggregate="max" />
      </entity></fetch>`,
      true,
    );
    expect(records).toEqual([
      expect.objectContaining({
        rows: 3,
        known: 2,
        cities: 2,
        total: 160,
        average: 80,
        smallest: 40,
        largest: 120,
        [`total@${FORMATTED}`]: '160',
      }),
    ]);
    expect(records[0]).not.toHaveProperty('@odata.etag');
  });

  it('groups by a lookup and a choice with their names, ordered by alias', async () => {
    const { records } = await fetch(
      org.t.engine,
      idr_interestprofile.entitySetName,
      `<fetch aggregate="true"><entity name="${idr_interestprofile.logicalName}">
        <attribute name="${P.idr_concept}" alias="concept" groupby="true" />
        <attribute name="${P.idr_interestprofileid}" alias="profiles" aggregate="count" />
        <attribute name="${P.idr_score}" alias="best" aggregate="max" />
        <order alias="best" descending="true" /></entity></fetch>`,
      true,
    );
    expect(records).toEqual([
      expect.objectContaining({
        concept: org.concepts.cloud,
        [`concept@${FORMATTED}`]: 'Cloud migration',
        profiles: 2,
        best: 42.5,
      }),
      expect.objectContaining({
        concept: org.concepts.beach,
        [`concept@${FORMATTED}`]: 'Beach holidays',
        profiles: 2,
        best: 30,
      }),
    ]);
    const tiers = await fetch(
      org.t.engine,
      contact.entitySetName,
      `<fetch aggregate="true"><entity name="${contact.logicalName}"><attribute name="${C.idr_valuetier}" alias="tier" groupby="true" />
        <attribute name="${C.contactid}" alias="n" aggregate="count" /><attribute name="${C.createdon}" alias="year" groupby="true" dategrouping="year" />
        <order alias="tier" /></entity></fetch>`,
      true,
    );
    expect(tiers.records.map((r) => [r[`tier@${FORMATTED}`], r.year, r.n])).toEqual([
      [undefined, 2025, 1],
      ['Below zero', 2025, 1],
      ['Maintain', 2024, 1],
      ['Most growable', 2023, 1],
      ['Most valuable', 2025, 1],
    ]);
  });

  it('counts across a join and refuses to aggregate more rows than the limit', async () => {
    const joined = await fetch(
      org.t.engine,
      account.entitySetName,
      `<fetch aggregate="true"><entity name="${account.logicalName}"><attribute name="${A.name}" alias="company" groupby="true" />
        <attribute name="${A.accountid}" alias="people" aggregate="count" /><order alias="company" />
        <link-entity name="${contact.logicalName}" from="${C.parentcustomerid}" to="${A.accountid}" /></entity></fetch>`,
    );
    expect(joined.records).toEqual([
      { company: 'Acme Travel', people: 2 },
      { company: 'Bravo Tours', people: 2 },
    ]);
    const limited = fetch(
      org.t.engine,
      contact.entitySetName,
      `<fetch aggregate="true" aggregatelimit="4"><entity name="${contact.logicalName}"><attribute name="${C.contactid}" alias="n" aggregate="count" /></entity></fetch>`,
    );
    await expect(limited).rejects.toMatchObject({ code: FetchXmlErrorCodes.AggregateQueryRecordLimit });
    await expect(limited).rejects.toThrow('AggregateQueryRecordLimit exceeded');
  });
});

describe('paging', () => {
  const org = fixture();
  const page = (n: number, cookie?: string) =>
    `<fetch count="2" page="${n}"${cookie ? ` paging-cookie="${cookie.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"` : ''}>
      <entity name="${contact.logicalName}"><attribute name="${C.fullname}" /><order attribute="${C.lastname}" descending="true" /></entity></fetch>`;

  it('pages with count and page, announcing more records and a cookie in the Web API format', async () => {
    const first = await fetch(org.t.engine, contact.entitySetName, page(1));
    expect(names(first.records)).toEqual(['Bob Smith', "Dave O'Brien"]);
    expect(first.moreRecords).toBe(true);
    expect(first.pagingCookie).toMatch(
      /^<cookie pagenumber="2" pagingcookie="%253ccookie%2520page%253d%25221%2522%253e%253clastname[^"]+" istracking="False" \/>$/,
    );
    const inner = decodeURIComponent(
      decodeURIComponent(/pagingcookie="([^"]+)"/.exec(first.pagingCookie ?? '')?.[1] ?? ''),
    );
    expect(inner).toBe(
      `<cookie page="1"><lastname last="O'Brien" first="Smith" /><contactid last="{${org.contacts.dave?.toUpperCase()}}" first="{${org.contacts.bob?.toUpperCase()}}" /></cookie>`,
    );
    expect(parseCookie(inner).keys).toEqual([C.lastname, C.contactid]);

    const second = await fetch(org.t.engine, contact.entitySetName, page(2, inner));
    expect(names(second.records)).toEqual(['Eva Martín', 'Carmen López']);
    const third = await fetch(org.t.engine, contact.entitySetName, page(3));
    expect(names(third.records)).toEqual(['Ana García']);
    expect(third.moreRecords).toBe(false);
    expect(third.pagingCookie).toBeUndefined();
  });

  it('continues after the cookie even when earlier rows were deleted between pages', async () => {
    const first = await fetch(org.t.engine, contact.entitySetName, page(1));
    const inner = decodeURIComponent(
      decodeURIComponent(/pagingcookie="([^"]+)"/.exec(first.pagingCookie ?? '')?.[1] ?? ''),
    );
    await org.t.engine.delete(contact.entitySetName, org.contacts.bob ?? '');
    expect(names((await fetch(org.t.engine, contact.entitySetName, page(2, inner))).records)).toEqual([
      'Eva Martín',
      'Carmen López',
    ]);
    // Without the cookie the page is counted from the start again, and Carmen moves up into page 2's place.
    expect(names((await fetch(org.t.engine, contact.entitySetName, page(2))).records)).toEqual([
      'Carmen López',
      'Ana García',
    ]);
  });

  it('refuses a cookie written for other order columns', async () => {
    const cookie = `<cookie page="1"><fullname last="X" first="Y" /><contactid last="{${org.contacts.bob ?? ''}}" first="{${org.contacts.bob ?? ''}}" /></cookie>`;
    await expect(fetch(org.t.engine, contact.entitySetName, page(2, cookie))).rejects.toMatchObject({
      code: FetchXmlErrorCodes.PagingCookieMismatch,
      status: 400,
    });
  });

  it('limits rows with top, and counts the total on request', async () => {
    const top = await fetch(
      org.t.engine,
      contact.entitySetName,
      `<fetch top="2"><entity name="${contact.logicalName}"><attribute name="${C.fullname}" /></entity></fetch>`,
    );
    expect(top.records).toHaveLength(2);
    expect(top.moreRecords).toBe(false);
    const counted = await fetch(
      org.t.engine,
      contact.entitySetName,
      `<fetch count="1" returntotalrecordcount="true"><entity name="${contact.logicalName}"><attribute name="${C.fullname}" /></entity></fetch>`,
    );
    expect(counted).toMatchObject({
      totalRecordCount: 5,
      totalRecordCountLimitExceeded: false,
      moreRecords: true,
    });
  });
});

describe('errors', () => {
  const org = fixture();

  it.each([
    [
      contact.entitySetName,
      `<fetch><entity name="nosuchtable"><attribute name="name" /></entity></fetch>`,
      FetchXmlErrorCodes.QueryBuilderNoEntity,
      "The entity with a name = 'nosuchtable' with namemapping = 'Logical' was not found in the MetadataCache.",
    ],
    [
      contact.entitySetName,
      `<fetch><entity name="${contact.logicalName}"><attribute name="shoesize" /></entity></fetch>`,
      FetchXmlErrorCodes.QueryBuilderNoAttribute,
      `'${contact.logicalName}' entity doesn't contain attribute with Name = 'shoesize' and NameMapping = 'Logical' (look up attribute by name is case-sensitive).`,
    ],
    [
      contact.entitySetName,
      `<fetch><entity name="${contact.logicalName}"><link-entity name="${account.logicalName}" from="${A.accountid}" to="${C.parentcustomerid}"><filter><condition attribute="nope" operator="null" /></filter></link-entity></entity></fetch>`,
      FetchXmlErrorCodes.QueryBuilderNoAttribute,
      `'account' entity doesn't contain attribute with Name = 'nope'`,
    ],
    [
      account.entitySetName,
      `<fetch><entity name="${account.logicalName}"><filter><condition attribute="${A.numberofemployees}" operator="eq" value="many" /></filter></entity></fetch>`,
      FetchXmlErrorCodes.InvalidArgument,
      `convert input value 'many' to attribute 'account.numberofemployees'. Expected type of attribute value: System.Int32.`,
    ],
    [
      contact.entitySetName,
      `<fetch><entity name="${contact.logicalName}"></fetch>`,
      FetchXmlErrorCodes.InvalidArgument,
      'Expected closing tag',
    ],
    [
      contact.entitySetName,
      `<fetch top="2" page="1"><entity name="${contact.logicalName}" /></fetch>`,
      FetchXmlErrorCodes.InvalidArgument,
      "the 'top' attribute can't be specified with paging attributes",
    ],
    [
      contact.entitySetName,
      `<fetch><entity name="${account.logicalName}" /></fetch>`,
      FetchXmlErrorCodes.InvalidArgument,
      `the entity 'account' does not match the entity set 'contacts'`,
    ],
    [
      contact.entitySetName,
      `<fetch><entity name="${contact.logicalName}"><filter><condition attribute="${C.createdon}" operator="in-fiscal-year" value="2025" /></filter></entity></fetch>`,
      FetchXmlErrorCodes.InvalidArgument,
      'does not support',
    ],
  ])('answers %s %s with the error Dataverse gives', async (set, xml, code, message) => {
    const result = fetch(org.t.engine, set, xml);
    await expect(result).rejects.toMatchObject({ code, status: 400 });
    await expect(result).rejects.toThrow(message);
  });
});

describe('saved queries and the Web API', () => {
  const org = fixture();

  function viewId(table: string, english: string): string {
    const view = metadata.tables[table]?.views.find((v) => v.name[1033] === english);
    if (!view) throw new Error(`no view '${english}' on ${table}`);
    return view.id;
  }

  it('runs a system view by id, and a quick find view without its search filter', async () => {
    const active = await org.t.engine.savedQuery(
      idr_marketingconcept.entitySetName,
      viewId(idr_marketingconcept.logicalName, 'Active Concepts'),
    );
    expect(active.records.map((r) => r[M.idr_name])).toEqual(['Beach holidays', 'Cloud migration']);
    const quickFind = metadata.tables[idr_marketingconcept.logicalName]?.views.find(
      (v) => v.queryType === QUICK_FIND_QUERY_TYPE,
    );
    const found = await org.t.engine.savedQuery(idr_marketingconcept.entitySetName, quickFind?.id ?? '');
    expect(found.records).toHaveLength(2);
    await expect(
      org.t.engine.savedQuery(idr_marketingconcept.entitySetName, '00000000-0000-0000-0000-000000000001'),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('runs the solution views that use nested or-filters and relative dates', async () => {
    const e = org.t.engine;
    const arrival = (days: number) => new Date(Date.UTC(2025, 2, 20 + days)).toISOString().slice(0, 10);
    const quotes = [
      ['Needs confirmation', QuotationPhase.QuotationSent, {}],
      [
        'Rooming list due',
        QuotationPhase.Confirmed,
        { [O.idr_confirmedon]: arrival(-20), [O.idr_arrivaldate]: arrival(10) },
      ],
      [
        'Far away',
        QuotationPhase.Confirmed,
        { [O.idr_confirmedon]: arrival(-20), [O.idr_arrivaldate]: arrival(60) },
      ],
      ['Settled', QuotationPhase.Settled, {}],
    ] as const;
    for (const [name, phase, extra] of quotes)
      await e.create(opportunity.entitySetName, { [O.name]: name, [O.idr_phase]: phase, ...extra });
    const result = await e.savedQuery(
      opportunity.entitySetName,
      viewId(opportunity.logicalName, 'Quotations Needing Follow-up'),
    );
    expect(result.records.map((r) => r[O.name]).sort()).toEqual(['Needs confirmation', 'Rooming list due']);
  });

  it('reads a form-encoded query as Dataverse does: + is a space, %2B a plus', async () => {
    const api = new WebApi(org.t.engine);
    const root = 'http://127.0.0.1:5555/api/data/v9.2/';
    for (const name of ['Call +34 600', 'Call  34 600'])
      await org.t.engine.create(idr_interaction.entitySetName, {
        [I.idr_name]: name,
        [I.idr_eventtype]: EventType.WebVisit,
        [I.idr_occurredon]: '2025-03-01T10:00:00Z',
        [I.idr_source]: 'test',
        [I.idr_externalid]: name,
      });
    const names = async (query: string) => {
      const response = await api.handle(
        { method: 'GET', path: idr_interaction.entitySetName, query, headers: {}, body: '' },
        root,
        {},
      );
      expect(response.status).toBe(200);
      const body = JSON.parse(response.body ?? '{}') as { value: Record<string, unknown>[] };
      return body.value.map((r) => r[I.idr_name]).sort();
    };
    // FetchXML as `curl -G --data-urlencode` or URLSearchParams send it: every space a `+`.
    const xml = `<fetch><entity name="${idr_interaction.logicalName}"><attribute name="${I.idr_name}" /><filter><condition attribute="${I.idr_name}" operator="like" value="Call%" /></filter></entity></fetch>`;
    const formEncoded = new URLSearchParams({ fetchXml: xml }).toString();
    expect(formEncoded).toContain('+');
    expect(await names(formEncoded)).toEqual(['Call  34 600', 'Call +34 600']);
    const filter = (value: string) => `$filter=${I.idr_name}+eq+'${value}'&$select=${I.idr_name}`;
    expect(await names(filter('Call+%2B34+600'))).toEqual(['Call +34 600']);
    expect(await names(filter('Call++34+600'))).toEqual(['Call  34 600']);
  });

  it('answers GET ?fetchXml= with the paging annotations, and ?savedQuery=', async () => {
    const api = new WebApi(org.t.engine);
    const root = 'http://127.0.0.1:5555/api/data/v9.2/';
    for (const [type, occurred] of [
      [EventType.WebVisit, '2025-03-01T10:00:00Z'],
      [EventType.EmailClick, '2025-03-02T10:00:00Z'],
      [EventType.WebVisit, '2025-03-03T10:00:00Z'],
    ] as const) {
      await org.t.engine.create(idr_interaction.entitySetName, {
        [I.idr_name]: `event ${occurred}`,
        [I.idr_eventtype]: type,
        [I.idr_occurredon]: occurred,
        [I.idr_source]: 'test',
        [I.idr_externalid]: occurred,
      });
    }
    const xml = `<fetch count="2"><entity name="${idr_interaction.logicalName}"><attribute name="${I.idr_name}" /><order attribute="${I.idr_occurredon}" /></entity></fetch>`;
    const response = await api.handle(
      {
        method: 'GET',
        path: idr_interaction.entitySetName,
        query: `fetchXml=${encodeURIComponent(xml)}`,
        headers: { prefer: 'odata.include-annotations="*"' },
        body: '',
      },
      root,
      {},
    );
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body ?? '{}') as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      '@odata.context',
      '@Microsoft.Dynamics.CRM.fetchxmlpagingcookie',
      '@Microsoft.Dynamics.CRM.morerecords',
      'value',
    ]);
    expect(body['@Microsoft.Dynamics.CRM.morerecords']).toBe(true);
    expect((body.value as Record<string, unknown>[]).map((r) => r[I.idr_name])).toEqual([
      'event 2025-03-01T10:00:00Z',
      'event 2025-03-02T10:00:00Z',
    ]);

    const view = await api.handle(
      {
        method: 'GET',
        path: idr_marketingconcept.entitySetName,
        query: `savedQuery=${viewId(idr_marketingconcept.logicalName, 'Active Concepts')}`,
        headers: {},
        body: '',
      },
      root,
      {},
    );
    expect((JSON.parse(view.body ?? '{}') as { value: Record<string, unknown>[] }).value).toHaveLength(2);
    const bad = await api.handle(
      {
        method: 'GET',
        path: contact.entitySetName,
        query: `fetchXml=${encodeURIComponent(`<fetch><entity name="${contact.logicalName}"><attribute name="x" /></entity></fetch>`)}`,
        headers: {},
        body: '',
      },
      root,
      {},
    );
    expect(bad.status).toBe(400);
    const error = (JSON.parse(bad.body ?? '{}') as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(FetchXmlErrorCodes.QueryBuilderNoAttribute);
    expect(error.message).toContain("Name = 'x'");
  });
});
