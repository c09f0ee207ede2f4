/**
 * Formatted values over HTTP follow the calling user's personal options (usersettings localeid and
 * uilanguageid), as Dataverse's do: a Spanish sales user reads Spanish dates, numbers, amounts and labels
 * from the same record an integration (no settings) reads in English (United States).
 */
import path from 'node:path';
import { campaign, opportunity, QuotationPhase, systemuser, usersettings } from '../../dataverse/generated';
import { loadMetadata } from '../solution/loader';
import { startWebApiServer, type WebApiServer } from './http/server';
import { testEngine, type TestEngine } from './testing/engine';

const O = opportunity.columns;
const U = usersettings.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const SPAIN = 3082;

let t: TestEngine;
let server: WebApiServer;
let quotation: string;
let lucia: string;

beforeAll(async () => {
  const metadata = loadMetadata(path.join(__dirname, '..', '..', 'solution'));
  t = testEngine({ metadata, baseCurrency: 'EUR', start: new Date('2026-12-07T17:47:00Z') });
  server = await startWebApiServer({ engine: t.engine, port: 0 });
  quotation = await t.engine.create(opportunity.entitySetName, {
    [O.name]: 'Congreso Valencia',
    [O.idr_arrivaldate]: '2027-05-03',
    [O.idr_adults]: 1200,
    [O.idr_depositpercent]: 30.5,
    [O.idr_total]: 8400,
    [O.idr_phase]: QuotationPhase.QuotationSent,
  });
  lucia = await t.engine.create(systemuser.entitySetName, {
    [systemuser.columns.firstname]: 'Lucía',
    [systemuser.columns.lastname]: 'Martín',
  });
  t.engine.assignRoles(lucia, ['Ideario Group Sales']);
  // Personal Options → Formats: Spanish (Spain), and Spanish as the user interface language.
  await t.engine.create(usersettings.entitySetName, {
    [U.systemuserid]: lucia,
    [U.localeid]: SPAIN,
    [U.uilanguageid]: SPAIN,
  });
});

afterAll(async () => {
  await server.close();
  t.engine.close();
});

const SELECT = [O.createdon, O.idr_arrivaldate, O.idr_adults, O.idr_depositpercent, O.idr_total, O.idr_phase];

/** The quotation's formatted values as `caller` reads them (no caller: the token's user). */
async function formatted(
  caller?: string,
  via: 'retrieve' | 'fetchXml' = 'retrieve',
): Promise<Record<string, unknown>> {
  const fetchXml = `<fetch><entity name="${opportunity.logicalName}">${SELECT.map((c) => `<attribute name="${c}" />`).join('')}<filter><condition attribute="${O.opportunityid}" operator="eq" value="${quotation}" /></filter></entity></fetch>`;
  const url =
    via === 'retrieve'
      ? `${server.serviceRoot}${opportunity.entitySetName}(${quotation})?$select=${SELECT.join(',')}`
      : `${server.serviceRoot}${opportunity.entitySetName}?fetchXml=${encodeURIComponent(fetchXml)}`;
  const response = await fetch(url, {
    headers: {
      Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
      ...(caller ? { MSCRMCallerID: caller } : {}),
    },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as Record<string, unknown> & { value?: Record<string, unknown>[] };
  const record = via === 'retrieve' ? body : (body.value?.[0] ?? {});
  return Object.fromEntries(SELECT.map((c) => [c, record[`${c}${FORMATTED}`]]));
}

it('gives an integration without personal options English (United States) formats, as before', async () => {
  expect(await formatted()).toEqual({
    [O.createdon]: '12/7/2026 5:47 PM',
    [O.idr_arrivaldate]: '5/3/2027',
    [O.idr_adults]: '1,200',
    [O.idr_depositpercent]: '30.50',
    [O.idr_total]: '€8,400.00',
    [O.idr_phase]: 'Quotation sent',
  });
});

it('gives a Spanish user Spanish dates, numbers, amounts and labels, by Web API query and FetchXML', async () => {
  const spanish = {
    [O.createdon]: '7/12/2026 17:47',
    [O.idr_arrivaldate]: '3/5/2027',
    [O.idr_adults]: '1.200',
    [O.idr_depositpercent]: '30,50',
    [O.idr_total]: '8.400,00 €',
    [O.idr_phase]: 'Cotización enviada',
  };
  expect(await formatted(lucia)).toEqual(spanish);
  expect(await formatted(lucia, 'fetchXml')).toEqual(spanish);
});

it('follows a change of personal options at once, and names a region it has no formats for', async () => {
  const patch = (values: Record<string, number>) =>
    fetch(`${server.serviceRoot}${usersettings.entitySetName}(${lucia})`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(values),
    });
  // Spanish formats, English labels: the two are chosen apart in Personal Options.
  expect((await patch({ [U.uilanguageid]: 1033 })).status).toBe(204);
  expect(await formatted(lucia)).toMatchObject({
    [O.idr_total]: '8.400,00 €',
    [O.idr_phase]: 'Quotation sent',
  });
  expect((await patch({ [U.localeid]: 9999 })).status).toBe(204);
  const refused = await fetch(
    `${server.serviceRoot}${opportunity.entitySetName}(${quotation})?$select=${O.idr_total}`,
    {
      headers: { Prefer: 'odata.include-annotations="*"', MSCRMCallerID: lucia },
    },
  );
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
    'locale 9999 (usersettings.localeid)',
  );
  await patch({ [U.localeid]: SPAIN, [U.uilanguageid]: SPAIN });
});

async function patchSettings(values: Record<string, number | string | null>): Promise<number> {
  const response = await fetch(`${server.serviceRoot}${usersettings.entitySetName}(${lucia})`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(values),
  });
  return response.status;
}

it('writes the formats of any region Dataverse offers: French (France), English (United Kingdom), German', async () => {
  try {
    expect(await patchSettings({ [U.localeid]: 1036 })).toBe(204);
    expect(await formatted(lucia)).toMatchObject({
      [O.createdon]: '07/12/2026 17:47',
      [O.idr_arrivaldate]: '03/05/2027',
      [O.idr_adults]: '1 200',
      [O.idr_total]: '8 400,00 €',
      // Labels stay in the user interface language: formats follow the region only.
      [O.idr_phase]: 'Cotización enviada',
    });
    expect(await patchSettings({ [U.localeid]: 2057 })).toBe(204);
    expect(await formatted(lucia)).toMatchObject({
      [O.createdon]: '07/12/2026 17:47',
      [O.idr_total]: '€8,400.00',
    });
    expect(await patchSettings({ [U.localeid]: 1031 })).toBe(204);
    expect(await formatted(lucia)).toMatchObject({
      [O.idr_arrivaldate]: '3.5.2027',
      [O.idr_depositpercent]: '30,50',
      [O.idr_total]: '8.400,00 €',
    });
  } finally {
    await patchSettings({ [U.localeid]: SPAIN });
  }
});

it("writes values with the user's own date, time and number formats over their region's", async () => {
  try {
    expect(
      await patchSettings({
        [U.dateformatstring]: 'dd/MM/yyyy',
        [U.dateseparator]: '-',
        [U.timeformatstring]: 'HH:mm',
        [U.decimalsymbol]: '.',
        [U.numberseparator]: "'",
      }),
    ).toBe(204);
    expect(await formatted(lucia)).toMatchObject({
      [O.createdon]: '07-12-2026 17:47',
      [O.idr_arrivaldate]: '03-05-2027',
      [O.idr_adults]: "1'200",
      [O.idr_depositpercent]: '30.50',
      [O.idr_total]: "8'400.00 €",
    });
    expect(await patchSettings({ [U.timeformatstring]: 'h:mm tt', [U.pmdesignator]: 'pm' })).toBe(204);
    expect(await formatted(lucia)).toMatchObject({ [O.createdon]: '07-12-2026 5:47 pm' });
  } finally {
    await patchSettings({
      [U.dateformatstring]: null,
      [U.dateseparator]: null,
      [U.timeformatstring]: null,
      [U.pmdesignator]: null,
      [U.decimalsymbol]: null,
      [U.numberseparator]: null,
    });
  }
  expect(await formatted(lucia)).toMatchObject({ [O.idr_total]: '8.400,00 €' });
});

it("writes a date and time in the user's time zone, and a date-only column as the day it is", async () => {
  const zone = (code: number | null) =>
    fetch(`${server.serviceRoot}${usersettings.entitySetName}(${lucia})`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ [U.timezonecode]: code }),
    });
  // Personal Options → Time Zone: (GMT+01:00) Brussels, Copenhagen, Madrid, Paris (105).
  expect((await zone(105)).status).toBe(204);
  try {
    expect(await formatted(lucia)).toMatchObject({
      [O.createdon]: '7/12/2026 18:47',
      [O.idr_arrivaldate]: '3/5/2027',
    });
    expect(await formatted(lucia, 'fetchXml')).toMatchObject({ [O.createdon]: '7/12/2026 18:47' });
    // Another user's settings do not move an integration's times.
    expect(await formatted()).toMatchObject({ [O.createdon]: '12/7/2026 5:47 PM' });
  } finally {
    await zone(null);
  }
});

it('writes a User Local column formatted Date Only as the day alone, the day in the caller’s time zone', async () => {
  const id = await t.engine.create(campaign.entitySetName, {
    [campaign.columns.name]: 'Primavera',
    // Midnight of 3 May in Tokyo (UTC+9), still 2 May in UTC.
    [campaign.columns.proposedstart]: '2027-05-02T15:00:00Z',
  });
  const read = async (caller?: string) => {
    const response = await fetch(
      `${server.serviceRoot}${campaign.entitySetName}(${id})?$select=${campaign.columns.proposedstart}`,
      { headers: { Prefer: 'odata.include-annotations="*"', ...(caller ? { MSCRMCallerID: caller } : {}) } },
    );
    return ((await response.json()) as Record<string, unknown>)[
      `${campaign.columns.proposedstart}${FORMATTED}`
    ];
  };
  expect(await read()).toBe('5/2/2027');
  const tokyo = await t.engine.create(systemuser.entitySetName, {
    [systemuser.columns.firstname]: 'Haruto',
    [systemuser.columns.lastname]: 'Sato',
  });
  t.engine.assignRoles(tokyo, ['Ideario Marketing Manager']);
  await t.engine.create(usersettings.entitySetName, { [U.systemuserid]: tokyo, [U.timezonecode]: 235 });
  expect(await read(tokyo)).toBe('5/3/2027');
});
