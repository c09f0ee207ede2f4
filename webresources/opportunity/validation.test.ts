import { opportunity } from '../../dataverse/generated';
import type { HarnessValue } from '../../tools/harness';
import { type OpportunityColumn, openQuotation } from './testkit';

const c = opportunity.columns;

interface BadInput {
  name: string;
  /** What the user types, in order. */
  bad: [OpportunityColumn, HarnessValue][];
  /** The field whose control shows the notification. */
  field: OpportunityColumn;
  en: string;
  es: string;
  /** What the user types to fix it. */
  fix: [OpportunityColumn, HarnessValue];
}

const BAD_INPUTS: BadInput[] = [
  {
    name: 'departure before arrival',
    bad: [[c.idr_departuredate, '2026-05-03']],
    field: c.idr_departuredate,
    en: 'The departure (3 May 2026) must be after the arrival (5 May 2026).',
    es: 'La salida (3 de mayo de 2026) debe ser posterior a la llegada (5 de mayo de 2026).',
    fix: [c.idr_departuredate, '2026-05-08'],
  },
  {
    name: '0 nights',
    bad: [[c.idr_nights, 0]],
    field: c.idr_nights,
    en: 'Nights must be between 1 and 365 (you entered 0).',
    es: 'Las noches deben estar entre 1 y 365 (ha introducido 0).',
    fix: [c.idr_nights, 2],
  },
  {
    name: '2.5 nights',
    bad: [[c.idr_nights, 2.5]],
    field: c.idr_nights,
    en: 'Nights must be a whole number (you entered 2.5).',
    es: 'Las noches deben ser un número entero (ha introducido 2,5).',
    fix: [c.idr_nights, 3],
  },
  {
    name: 'a negative price',
    bad: [[c.idr_priceperpersonnight, -10]],
    field: c.idr_priceperpersonnight,
    en: 'The price per person per night cannot be negative (you entered -10).',
    es: 'El precio por persona y noche no puede ser negativo (ha introducido -10).',
    fix: [c.idr_priceperpersonnight, 10],
  },
  {
    name: 'a deposit of 150 %',
    bad: [[c.idr_depositpercent, 150]],
    field: c.idr_depositpercent,
    en: 'Deposit % must be between 0 and 100 (you entered 150).',
    es: '% de depósito: debe estar entre 0 y 100 (ha introducido 150).',
    fix: [c.idr_depositpercent, 50],
  },
  {
    name: '0 persons',
    bad: [
      [c.idr_adults, 0],
      [c.idr_children, 0],
    ],
    field: c.idr_adults,
    en: 'The group needs at least one person: enter the number of adults or children.',
    es: 'El grupo necesita al menos una persona: indique el número de adultos o de niños.',
    fix: [c.idr_adults, 2],
  },
];

const LANGUAGES = [
  {
    lcid: 1033 as const,
    key: 'en' as const,
    cannotSave: 'The quotation cannot be saved until you fix this: ',
  },
  {
    lcid: 3082 as const,
    key: 'es' as const,
    cannotSave: 'No se puede guardar el presupuesto hasta que corrija lo siguiente: ',
  },
];

/** A new quotation the user has filled in correctly: 5 May 2026, 2 nights, 10 adults at 80. */
async function validQuotation(userLanguage: 1033 | 3082) {
  const form = await openQuotation({ userLanguage });
  await form.change(c.idr_arrivaldate, '2026-05-05');
  await form.change(c.idr_nights, 2);
  await form.change(c.idr_adults, 10);
  await form.change(c.idr_priceperpersonnight, 80);
  return form;
}

describe.each(LANGUAGES)('bad input, for a user in language $lcid', (language) => {
  it.each(BAD_INPUTS)(
    '$name: a field notification says what to fix, the save is blocked, fixing it clears both',
    async (input) => {
      const form = await validQuotation(language.lcid);
      for (const [column, value] of input.bad) await form.change(column, value);
      const message = input[language.key];

      expect(form.fieldNotification(input.field)).toBe(message);
      const others = [
        c.idr_arrivaldate,
        c.idr_nights,
        c.idr_departuredate,
        c.idr_adults,
        c.idr_priceperpersonnight,
        c.idr_depositpercent,
      ];
      for (const column of others.filter((col) => col !== input.field))
        expect(form.fieldNotification(column)).toBeUndefined();

      const blocked = await form.save();
      expect(blocked.prevented).toBe(true);
      expect(blocked.saved).toBe(false);
      expect(form.formNotifications()).toEqual([
        { id: 'idr.quotation.save', level: 'ERROR', message: `${language.cannotSave}${message}` },
      ]);

      await form.change(...input.fix);
      expect(form.fieldNotification(input.field)).toBeUndefined();
      expect(form.formNotifications()).toEqual([]);
      expect(await form.save()).toEqual({ prevented: false, blockedBy: [], saved: true });
    },
  );
});

describe('several problems at once', () => {
  it('lists every problem in the save message and keeps it up to date while the user fixes them', async () => {
    const form = await validQuotation(1033);
    await form.change(c.idr_nights, 0);
    await form.change(c.idr_depositpercent, 150);
    expect((await form.save()).prevented).toBe(true);
    expect(form.formNotifications()[0].message).toBe(
      'The quotation cannot be saved until you fix this: Nights must be between 1 and 365 (you entered 0). ' +
        'Deposit % must be between 0 and 100 (you entered 150).',
    );
    await form.change(c.idr_nights, 2);
    expect(form.formNotifications()[0].message).toBe(
      'The quotation cannot be saved until you fix this: Deposit % must be between 0 and 100 (you entered 150).',
    );
    expect(form.fieldNotification(c.idr_depositpercent)).toBe(
      'Deposit % must be between 0 and 100 (you entered 150).',
    );
  });

  it('does not nag about problems while typing, before the first save: only the field shows it', async () => {
    const form = await validQuotation(1033);
    await form.change(c.idr_nights, 0);
    expect(form.fieldNotification(c.idr_nights)).toBeDefined();
    expect(form.formNotifications()).toEqual([]);
  });

  it('does not accept an arrival in the past on a new quotation', async () => {
    const form = await openQuotation({ today: '2026-04-01' });
    await form.change(c.idr_arrivaldate, '2026-03-30');
    expect(form.fieldNotification(c.idr_arrivaldate)).toBe(
      'The arrival (30 March 2026) is in the past: a new quotation must arrive today (1 April 2026) or later.',
    );
    expect((await form.save()).prevented).toBe(true);
  });

  it('shows what is wrong with a stored quotation as soon as it is opened', async () => {
    const form = await openQuotation({
      existing: true,
      userLanguage: 3082,
      values: {
        [c.idr_arrivaldate]: '2026-05-05',
        [c.idr_nights]: 2,
        [c.idr_departuredate]: '2026-05-09',
        [c.idr_adults]: 3,
      },
    });
    expect(form.fieldNotification(c.idr_nights)).toBe(
      '2 noches no coincide con las fechas: del 5 de mayo de 2026 al 9 de mayo de 2026 hay 4 noches.',
    );
  });
});
