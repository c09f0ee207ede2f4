import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { opportunity, organization, transactioncurrency } from '../../../dataverse/generated';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import { testEngine } from '../testing/engine';
import { baseCurrencyFromEnv, requireCurrency } from './currencies';
import { UnknownCurrencyError } from './errors';
import { annotationFilter } from './records';

const O = organization.columns;
const T = transactioncurrency.columns;
const FORMATTED = annotationFilter(['OData.Community.Display.V1.FormattedValue']);

let metadata: MetadataModel;
beforeAll(() => {
  metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
});

describe('currency codes', () => {
  it('name, symbol and decimals come from the ISO 4217 code, in any case', () => {
    expect(requireCurrency(' eur ')).toEqual({ isoCode: 'EUR', name: 'Euro', symbol: '€', precision: 2 });
    expect(requireCurrency('JPY')).toMatchObject({ isoCode: 'JPY', symbol: '¥', precision: 0 });
  });

  it('refuse what is not a currency, saying what to use', () => {
    for (const bad of ['EURO', 'XYZ', '€', ''])
      expect(() => requireCurrency(bad)).toThrow(UnknownCurrencyError);
    expect(() => requireCurrency('EURO')).toThrow(
      /'EURO' is not an ISO 4217 currency code; use one such as 'EUR'/,
    );
  });

  it('IDEARIO_CURRENCY names the base currency, else the demo hotels’ euro', () => {
    expect(baseCurrencyFromEnv({})).toBe('EUR');
    expect(baseCurrencyFromEnv({ IDEARIO_CURRENCY: '  ' })).toBe('EUR');
    expect(baseCurrencyFromEnv({ IDEARIO_CURRENCY: 'usd' })).toBe('usd');
  });
});

describe('the organization and its base currency', () => {
  it('a new database gets its organization row, its base currency row, and money shown in it', async () => {
    const { engine } = testEngine({ metadata, baseCurrency: 'EUR' });
    const orgs = await engine.query(organization.entitySetName);
    expect(orgs.records).toHaveLength(1);
    expect(orgs.records[0]?.[O.organizationid]).toBe(engine.whoAmI().OrganizationId);
    const baseId = String(orgs.records[0]?.[`_${O.basecurrencyid}_value`]);
    const base = await engine.retrieve(transactioncurrency.entitySetName, baseId);
    expect(base).toMatchObject({
      [T.isocurrencycode]: 'EUR',
      [T.currencyname]: 'Euro',
      [T.currencysymbol]: '€',
      [T.currencyprecision]: 2,
    });
    const id = await engine.create(opportunity.entitySetName, {
      [opportunity.columns.name]: 'Group of 40',
      [opportunity.columns.estimatedvalue]: 12345.5,
    });
    const row = await engine.retrieve(opportunity.entitySetName, id, { annotations: FORMATTED });
    expect(row[`${opportunity.columns.estimatedvalue}@OData.Community.Display.V1.FormattedValue`]).toBe(
      '€12,345.50',
    );
    engine.close();
  });

  it('a row created with an amount and no currency is in the base currency; one given a currency keeps it and shows it', async () => {
    const { engine } = testEngine({ metadata, baseCurrency: 'EUR' });
    const C = opportunity.columns;
    const currencyOf = async (id: string) =>
      (await engine.retrieve(opportunity.entitySetName, id))[`_${C.transactioncurrencyid}_value`];
    const [base] = (await engine.query(transactioncurrency.entitySetName)).records;
    const baseId = base?.[T.transactioncurrencyid];
    expect(await currencyOf(await engine.create(opportunity.entitySetName, { [C.estimatedvalue]: 10 }))).toBe(
      baseId,
    );
    expect(
      await currencyOf(await engine.create(opportunity.entitySetName, { [C.name]: 'No amount' })),
    ).toBeNull();
    const dollar = await engine.create(transactioncurrency.entitySetName, {
      [T.isocurrencycode]: 'USD',
      [T.currencyname]: 'US Dollar',
      [T.currencysymbol]: '$',
      [T.currencyprecision]: 2,
    });
    const inDollars = await engine.create(opportunity.entitySetName, {
      [C.estimatedvalue]: 10,
      [`${C.transactioncurrencyid}@odata.bind`]: `/${transactioncurrency.entitySetName}(${dollar})`,
    });
    expect(await currencyOf(inDollars)).toBe(dollar);
    // Each amount is written in its own record's currency.
    const formatted = async (id: string) =>
      (await engine.retrieve(opportunity.entitySetName, id, { annotations: FORMATTED }))[
        `${C.estimatedvalue}@OData.Community.Display.V1.FormattedValue`
      ];
    expect(await formatted(inDollars)).toBe('$10.00');
    const inEuros = await engine.create(opportunity.entitySetName, { [C.estimatedvalue]: 10 });
    expect(await formatted(inEuros)).toBe('€10.00');
    // FetchXML writes them the same way (a view, a chart's list, the card's reads).
    const fetched = await engine.fetchXml(
      opportunity.entitySetName,
      `<fetch><entity name='${opportunity.logicalName}'><attribute name='${C.estimatedvalue}'/>` +
        `<filter><condition attribute='${C.opportunityid}' operator='in'><value>${inDollars}</value><value>${inEuros}</value></condition></filter></entity></fetch>`,
      { annotations: FORMATTED },
    );
    expect(
      Object.fromEntries(
        fetched.records.map((r) => [
          r[C.opportunityid],
          r[`${C.estimatedvalue}@OData.Community.Display.V1.FormattedValue`],
        ]),
      ),
    ).toEqual({ [inDollars]: '$10.00', [inEuros]: '€10.00' });
    engine.close();
  });

  it.each([
    ['with no step registered', false],
    ['through the event pipeline', true],
  ])(
    'an amount set by an update on a row without a currency puts the row in the base currency (%s)',
    async (_how, withStep) => {
      const { engine } = testEngine({ metadata, baseCurrency: 'EUR' });
      if (withStep) engine.pipeline.subscribe({ afterOperation: () => undefined });
      const C = opportunity.columns;
      const currencyOf = async (id: string) =>
        (await engine.retrieve(opportunity.entitySetName, id))[`_${C.transactioncurrencyid}_value`];
      const [base] = (await engine.query(transactioncurrency.entitySetName)).records;
      const dollar = await engine.create(transactioncurrency.entitySetName, {
        [T.isocurrencycode]: 'USD',
        [T.currencyname]: 'US Dollar',
        [T.currencysymbol]: '$',
        [T.currencyprecision]: 2,
      });
      const noAmount = await engine.create(opportunity.entitySetName, { [C.name]: 'No amount yet' });
      await engine.update(opportunity.entitySetName, noAmount, { [C.name]: 'Still no amount' });
      expect(await currencyOf(noAmount)).toBeNull();
      await engine.update(opportunity.entitySetName, noAmount, { [C.estimatedvalue]: 10 });
      expect(await currencyOf(noAmount)).toBe(base?.[T.transactioncurrencyid]);
      // A row that has its currency keeps it when an amount changes.
      const inDollars = await engine.create(opportunity.entitySetName, {
        [C.estimatedvalue]: 10,
        [`${C.transactioncurrencyid}@odata.bind`]: `/${transactioncurrency.entitySetName}(${dollar})`,
      });
      await engine.update(opportunity.entitySetName, inDollars, { [C.estimatedvalue]: 20 });
      expect(await currencyOf(inDollars)).toBe(dollar);
      engine.close();
    },
  );

  it('without a base currency there is no organization row, as before', async () => {
    const { engine } = testEngine({ metadata });
    expect((await engine.query(organization.entitySetName)).records).toEqual([]);
    engine.close();
  });

  it('an existing database keeps the base currency it was created with', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ideario-currency-'));
    try {
      const file = path.join(dir, 'emulator.db');
      testEngine({ metadata, baseCurrency: 'EUR', path: file }).engine.close();
      const { engine } = testEngine({ metadata, baseCurrency: 'USD', path: file });
      const currencies = await engine.query(transactioncurrency.entitySetName);
      expect(currencies.records.map((r) => r[T.isocurrencycode])).toEqual(['EUR']);
      expect(engine.currencySymbol).toBe('€');
      engine.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
