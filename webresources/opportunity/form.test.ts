import { idr_quotationpolicy, opportunity } from '../../dataverse/generated';
import { DEFAULT_POLICY } from '../../domain/quotation/policy';
import { toXrmPromise } from '../../tools/harness';
import { groupQuotationForm, openQuotation } from './testkit';

const c = opportunity.columns;
const p = idr_quotationpolicy.columns;
const { Active, Inactive } = idr_quotationpolicy.choices.statecode;

describe('the Group Quotation form wires this script', () => {
  it('registers a handler of this script for load, save and every input the quotation depends on', () => {
    const handlers = groupQuotationForm().handlers;
    expect(handlers.filter((h) => h.event === 'onchange').map((h) => h.attribute)).toEqual(
      expect.arrayContaining([
        c.idr_arrivaldate,
        c.idr_nights,
        c.idr_departuredate,
        c.idr_adults,
        c.idr_children,
        c.idr_priceperpersonnight,
        c.idr_childpricepercent,
        c.idr_depositpercent,
      ]),
    );
    expect(handlers.map((h) => h.event)).toEqual(expect.arrayContaining(['onload', 'onsave']));
  });
});

describe('stay dates', () => {
  it('derives the departure from the arrival and the nights', async () => {
    const form = await openQuotation();
    await form.change(c.idr_arrivaldate, '2026-05-01');
    await form.change(c.idr_nights, 4);
    expect(form.dateValue(c.idr_departuredate)).toBe('2026-05-05');
  });

  it('derives the nights from the arrival and the departure', async () => {
    const form = await openQuotation();
    await form.change(c.idr_arrivaldate, '2026-05-01');
    await form.change(c.idr_departuredate, '2026-05-08');
    expect(form.value(c.idr_nights)).toBe(7);
  });

  it('moves the departure, not the nights, when the arrival changes', async () => {
    const form = await openQuotation({
      existing: true,
      values: { [c.idr_arrivaldate]: '2026-05-01', [c.idr_nights]: 3, [c.idr_departuredate]: '2026-05-04' },
    });
    await form.change(c.idr_arrivaldate, '2026-06-10');
    expect(form.value(c.idr_nights)).toBe(3);
    expect(form.dateValue(c.idr_departuredate)).toBe('2026-06-13');
  });

  it('keeps the nights the user typed over the old departure', async () => {
    const form = await openQuotation({
      existing: true,
      values: { [c.idr_arrivaldate]: '2026-05-01', [c.idr_nights]: 3, [c.idr_departuredate]: '2026-05-04' },
    });
    await form.change(c.idr_nights, 5);
    expect(form.dateValue(c.idr_departuredate)).toBe('2026-05-06');
    expect(form.value(c.idr_nights)).toBe(5);
  });

  it('derives the arrival when only the departure and the nights are known', async () => {
    const form = await openQuotation();
    await form.change(c.idr_departuredate, '2026-05-10');
    await form.change(c.idr_nights, 2);
    expect(form.dateValue(c.idr_arrivaldate)).toBe('2026-05-08');
  });

  it('counts nights by calendar days across month and year ends', async () => {
    const form = await openQuotation();
    await form.change(c.idr_arrivaldate, '2026-12-30');
    await form.change(c.idr_nights, 4);
    expect(form.dateValue(c.idr_departuredate)).toBe('2027-01-03');
    await form.change(c.idr_departuredate, '2027-03-01');
    expect(form.value(c.idr_nights)).toBe(61);
  });
});

describe('persons, total and deposit', () => {
  it('computes persons, the total and the deposit as the prices are typed', async () => {
    const form = await openQuotation({
      policies: [
        {
          [p.idr_quotationpolicyid]: '0b4c1a52-8a0e-4d8e-9a36-000000000003',
          [p.idr_isdefault]: true,
          [p.statecode]: Active,
          [p.idr_defaultdepositpercent]: 25,
          [p.idr_childpricepercent]: 50,
        },
      ],
    });
    await form.change(c.idr_arrivaldate, '2026-05-01');
    await form.change(c.idr_nights, 3);
    await form.change(c.idr_adults, 10);
    await form.change(c.idr_children, 4);
    expect(form.value(c.idr_persons)).toBe(14);
    expect(form.value(c.idr_total)).toBeNull();
    await form.change(c.idr_priceperpersonnight, 80);
    // 3 nights × (10 adults + 4 children at 50 %) × 80
    expect(form.value(c.idr_total)).toBe(2880);
    expect(form.value(c.idr_deposit)).toBe(720);
  });

  it('recomputes the deposit when the deposit % changes, and the total when the nights change', async () => {
    const form = await openQuotation({
      existing: true,
      values: {
        [c.idr_arrivaldate]: '2026-05-01',
        [c.idr_nights]: 2,
        [c.idr_departuredate]: '2026-05-03',
        [c.idr_adults]: 20,
        [c.idr_priceperpersonnight]: 55.5,
        [c.idr_childpricepercent]: 100,
        [c.idr_depositpercent]: 25,
      },
    });
    await form.change(c.idr_depositpercent, 33.33);
    expect(form.value(c.idr_total)).toBe(2220);
    expect(form.value(c.idr_deposit)).toBe(739.93);
    await form.change(c.idr_departuredate, '2026-05-05');
    expect(form.value(c.idr_nights)).toBe(4);
    expect(form.value(c.idr_total)).toBe(4440);
    expect(form.value(c.idr_deposit)).toBe(1479.85);
  });

  it('locks persons, total and deposit for typing, and sends the computed values with the record', async () => {
    const form = await openQuotation();
    for (const column of [c.idr_persons, c.idr_total, c.idr_deposit]) {
      expect(form.isDisabled(column)).toBe(true);
      expect(form.attribute(column).getSubmitMode()).toBe('always');
    }
    expect(form.isDisabled(c.idr_departuredate)).toBe(false);
    expect(form.isDisabled(c.idr_nights)).toBe(false);
  });

  it('does not make an unchanged existing quotation dirty by opening it', async () => {
    const form = await openQuotation({
      existing: true,
      values: {
        [c.idr_adults]: 2,
        [c.idr_persons]: 2,
        [c.idr_nights]: 1,
        [c.idr_priceperpersonnight]: 10,
        [c.idr_total]: 20,
      },
    });
    expect(form.formContext.data.entity.getIsDirty()).toBe(false);
    expect(form.webApiCalls).toEqual([]);
  });

  it('saves a complete, valid quotation', async () => {
    const form = await openQuotation();
    await form.change(c.idr_arrivaldate, '2026-05-01');
    await form.change(c.idr_nights, 3);
    await form.change(c.idr_adults, 2);
    await form.change(c.idr_priceperpersonnight, 100);
    expect(await form.save()).toEqual({ prevented: false, blockedBy: [], saved: true });
    expect(form.formNotifications()).toEqual([]);
  });
});

describe('defaults from the quotation policy on a new quotation', () => {
  const policy = (
    id: number,
    isDefault: boolean,
    state: number,
    deposit: number | null,
    child: number | null,
  ) => ({
    [p.idr_quotationpolicyid]: `0b4c1a52-8a0e-4d8e-9a36-00000000000${id}`,
    [p.idr_name]: `Policy ${id}`,
    [p.idr_isdefault]: isDefault,
    [p.statecode]: state,
    [p.idr_defaultdepositpercent]: deposit,
    [p.idr_childpricepercent]: child,
  });

  it('fills deposit % and child price % from the active default policy', async () => {
    const form = await openQuotation({
      policies: [
        policy(1, false, Active, 10, 10),
        policy(2, true, Inactive, 20, 20),
        policy(3, true, Active, 30, 60),
      ],
    });
    expect(form.value(c.idr_depositpercent)).toBe(30);
    expect(form.value(c.idr_childpricepercent)).toBe(60);
    expect(form.webApiCalls).toEqual([
      {
        operation: 'retrieveMultipleRecords',
        entityLogicalName: idr_quotationpolicy.logicalName,
        options: `?$select=${p.idr_name},${p.idr_defaultdepositpercent},${p.idr_childpricepercent}&$filter=${p.idr_isdefault} eq true and ${p.statecode} eq ${Active}&$top=1`,
      },
    ]);
  });

  it('never overwrites a value the user already has, and fills the one that is empty', async () => {
    const form = await openQuotation({
      values: { [c.idr_depositpercent]: 40 },
      policies: [policy(3, true, Active, 30, 60)],
    });
    expect(form.value(c.idr_depositpercent)).toBe(40);
    expect(form.value(c.idr_childpricepercent)).toBe(60);
  });

  it('uses the policy chosen on the quotation instead of the default', async () => {
    const form = await openQuotation({
      values: {
        [c.idr_policy]: {
          id: '{0B4C1A52-8A0E-4D8E-9A36-000000000001}',
          entityType: idr_quotationpolicy.logicalName,
        },
      },
      policies: [policy(1, false, Active, 10, 75), policy(3, true, Active, 30, 60)],
    });
    expect(form.value(c.idr_depositpercent)).toBe(10);
    expect(form.value(c.idr_childpricepercent)).toBe(75);
  });

  it('applies the documented defaults when no policy is set up, and the policy values left empty', async () => {
    const none = await openQuotation({ policies: [] });
    expect(none.value(c.idr_depositpercent)).toBe(DEFAULT_POLICY.defaultDepositPercent);
    expect(none.value(c.idr_childpricepercent)).toBe(DEFAULT_POLICY.childPricePercent);
    const partial = await openQuotation({ policies: [policy(3, true, Active, 15, null)] });
    expect(partial.value(c.idr_depositpercent)).toBe(15);
    expect(partial.value(c.idr_childpricepercent)).toBe(DEFAULT_POLICY.childPricePercent);
  });

  it('tells the user, in their language, when the policy cannot be read, and leaves the fields for them', async () => {
    const failing = (message: string): Xrm.WebApi => {
      const reject = () =>
        toXrmPromise(Promise.reject(Object.assign(new Error(message), { errorCode: 0x80040220 })));
      const api = {
        createRecord: reject,
        retrieveRecord: reject,
        retrieveMultipleRecords: reject,
        updateRecord: reject,
        deleteRecord: reject,
        isAvailableOffline: () => false,
      };
      return { ...api, offline: api, online: { ...api, execute: reject, executeMultiple: reject } };
    };
    const form = await openQuotation({
      webApi: failing('Principal user is missing prvReadidr_quotationpolicy privilege'),
      userLanguage: 3082,
    });
    expect(form.value(c.idr_depositpercent)).toBeNull();
    expect(form.formNotifications()).toEqual([
      {
        id: 'idr.quotation.policy',
        level: 'WARNING',
        message: expect.stringMatching(
          /^No se ha podido leer la política de presupuestos, así que el % de depósito y el % del precio para niños no se han rellenado: introdúzcalos usted\. \(.*prvReadidr_quotationpolicy privilege.*\)$/,
        ) as unknown,
      },
    ]);
  });

  it("says in the user's language which policy value cannot be used, and fills neither field", async () => {
    const spanish = await openQuotation({
      policies: [policy(3, true, Active, 30, 120.5)],
      userLanguage: 3082,
    });
    expect(spanish.value(c.idr_depositpercent)).toBeNull();
    expect(spanish.value(c.idr_childpricepercent)).toBeNull();
    expect(spanish.formNotifications()).toEqual([
      {
        id: 'idr.quotation.policy',
        level: 'WARNING',
        message:
          'No se ha podido leer la política de presupuestos, así que el % de depósito y el % del precio para niños no se han rellenado: introdúzcalos usted. ' +
          '(No se puede usar la política de presupuestos "Policy 3": % del precio para niños = 120,5 (se admite un porcentaje de 0 a 100).)',
      },
    ]);
    const english = await openQuotation({ policies: [policy(3, true, Active, -5, 120)] });
    expect(english.formNotifications()[0]?.message).toContain(
      '(Quotation policy "Policy 3" cannot be used: Deposit % = -5 (allowed: a percentage from 0 to 100); ' +
        'Child price % = 120 (allowed: a percentage from 0 to 100).)',
    );
  });

  it('reads no policy for an existing quotation', async () => {
    const form = await openQuotation({ existing: true, policies: [policy(3, true, Active, 30, 60)] });
    expect(form.webApiCalls).toEqual([]);
    expect(form.value(c.idr_depositpercent)).toBeNull();
  });
});
